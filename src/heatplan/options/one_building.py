"""The decentral options of one building, each with its investment, funding, efficiency, energy
cost, full cost per MWh and the sources behind every figure (``heatplan calc decentral``).

The same functions as the town's comparison (:mod:`heatplan.options.decentral`): what a planner
or an owner reads here is what the classification compares with a heat network.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from heatplan.options import installed_cost, price_paths, tariffs
from heatplan.options.decentral import (
    HEAT_PUMPS,
    OPTIONS,
    PRICES,
    Economics,
    building_state,
    funding_share,
    option_investment_eur,
    option_lcoh,
    seasonal_factors,
)
from heatplan.reference import catalogue, table

#: German names of the options, for reports and the CLI.
LABELS_DE = {
    "air_hp": "Luft-Wasser-Wärmepumpe",
    "ground_hp": "Erdwärmepumpe (Sonden)",
    "biomass": "Pelletkessel",
    "gas": "Gas-Brennwertkessel (Referenz)",
}
#: Heating limit of the degree hours that weight the SPF of one building [°C] (the G20/15
#: degree-day base of VDI 3807-1).
HEATING_LIMIT_C = 15.0


@dataclass
class OptionCost:
    """One option for one building: money, efficiency and where each figure comes from."""

    option: str
    label: str
    investment_eur: float
    components_eur: dict[str, float]
    grant_eur: float
    fixed_om_eur_per_a: float
    efficiency: float
    energy_price_eur_per_mwh: float
    energy_cost_eur_per_a: float
    lifetime_a: float
    lcoh_eur_per_mwh: float
    lcoh_unfunded_eur_per_mwh: float
    price_year: int
    #: The full cost in the economic perspective (no VAT, no funding) [EUR/MWh].
    lcoh_economic_eur_per_mwh: float = float("nan")
    #: What the energy price is made of [EUR/MWh of final energy, incl. VAT]: gas - today's
    #: price, the levelised CO2 path and the growing network fee; heat pumps - the household
    #: price, the § 14a reduction, the second meter and the module.
    energy_price_components: dict[str, float] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _efficiencies(temp_air_c: pd.Series, construction_year: float | None, year: int) -> dict:
    """SPF of the heat pumps for the building's state (degree-hour weighted), else catalogue."""
    load = (HEATING_LIMIT_C - temp_air_c).clip(lower=0.0)
    spf = seasonal_factors(temp_air_c, load)
    state = building_state(pd.Series([construction_year], dtype=float)).iloc[0]
    out = {o: float(spf.loc[state, o]) for o in spf.columns if o in OPTIONS}
    for option in OPTIONS:
        if option not in out:
            out[option] = float(catalogue.technology(OPTIONS[option][0], year)["efficiency"])
    return out


def _sources(option: str, economics: Economics) -> list[str]:
    technology, price_key, _ = OPTIONS[option]
    rows = catalogue.catalogue()
    rows = rows[rows["technology"] == technology]
    prices = table(PRICES).set_index("parameter")
    out = []
    if economics.cost_source == "installed_cost_de" and option in installed_cost.OPTIONS:
        out += list(installed_cost.installed_cost(option, 1.0).sources)
    else:
        out += list(dict.fromkeys(rows["source"].astype(str)))[:2]
    if option in HEAT_PUMPS and economics.heat_pump_tariff != "heat_pump_tariff":
        out.append(
            f"energy price: § 14a EnWG tariff '{economics.heat_pump_tariff}' "
            "(data/heat_pump_tariffs.csv: BNetzA BK8-22/010-A modules on the household price)"
        )
    else:
        out.append(f"energy price: {prices.loc[price_key, 'source']}")
    if price_key in price_paths.GAS_NETWORK_FEE and economics.co2_price_path is not None:
        out.append(
            "gas network fee growing as the gas volume falls (data/gas_network_fees.csv, "
            "data/gas_network_volume_path.csv)"
        )
    if economics.co2_price_path is not None and price_key in price_paths.PRICED_CARRIER:
        out.append(
            f"CO2 price path '{economics.co2_price_path}' (data/co2_price_paths.csv), levelised "
            f"over {economics.observation_period_a:g} years from {economics.year}"
        )
    out.append("lifetime: " + str(rows[rows["parameter"] == "lifetime_a"]["source"].iloc[0]))
    return out


def price_components(option: str, final_mwh: float, economics: Economics) -> dict[str, float]:
    """The parts of ``option``'s energy price for a use of ``final_mwh`` [MWh/a] (owner's view,
    EUR/MWh incl. VAT; heat pumps: ``module`` 1, 2 or 3, 0 for the published tariff)."""
    owner = economics.seen_as("owner")
    if option in HEAT_PUMPS:
        parts = tariffs.heat_pump_price_components(final_mwh, tariff=owner.heat_pump_tariff)
        return {k: float(v[0]) for k, v in parts.items()}
    key = OPTIONS[option][1]
    total = owner.energy_price_eur_per_mwh(key)
    if owner.co2_price_path is None or key not in price_paths.PRICED_CARRIER:
        return {"price_eur_per_mwh": total}
    flat = replace(owner, gas_volume=((float(owner.year), 1.0),))  # no fee growth
    without_fee = flat.energy_price_eur_per_mwh(key)
    today = float(table(PRICES).set_index("parameter")["value"].astype(float)[key])
    return {
        "today_eur_per_mwh": today,
        "co2_path_eur_per_mwh": without_fee - today,
        "network_fee_growth_eur_per_mwh": total - without_fee,
        "price_eur_per_mwh": total,
    }


def _price_year(option: str, german: bool) -> int:
    if german:
        return installed_cost.installed_cost(option, 1.0).price_year
    rows = catalogue.catalogue()
    rows = rows[(rows["technology"] == OPTIONS[option][0]) & rows["price_year"].notna()]
    return int(rows["price_year"].iloc[0])


def option_costs(
    heat_mwh_per_a: float,
    peak_kw: float,
    *,
    temp_air_c: pd.Series,
    economics: Economics,
    construction_year: float | None = None,
    with_funding: bool = True,
) -> list[OptionCost]:
    """Every decentral option of one building: heat ``heat_mwh_per_a`` [MWh/a], peak [kW]."""
    if heat_mwh_per_a <= 0 or peak_kw <= 0:
        raise ValueError("heat demand and peak load must be > 0 (MWh/a, kW)")
    efficiency = _efficiencies(temp_air_c, construction_year, economics.year)
    out = []
    for option, (technology, _, _) in OPTIONS.items():
        gross, upkeep = (float(v[0]) for v in option_investment_eur(option, np.array([peak_kw]),
                                                                    economics))  # fmt: skip
        eligible = catalogue.funding("BEG_EM", "heating_eligible_cost_first_dwelling")
        grant = funding_share(option, with_funding) * min(gross, eligible)
        heat, load = pd.Series([heat_mwh_per_a * 1000.0]), pd.Series([peak_kw])
        rate = pd.Series([efficiency[option]])

        def lcoh(
            funded: bool,
            o: str = option,
            q: pd.Series = heat,
            p: pd.Series = load,
            e: pd.Series = rate,
        ) -> float:
            return float(
                option_lcoh(
                    o, heat_kwh_per_a=q, capacity_kw=p, efficiency=e, economics=economics,
                    with_funding=funded,
                )[0]
            )  # fmt: skip

        final_mwh = heat_mwh_per_a / efficiency[option]
        price = float(economics.option_price_eur_per_mwh(option, np.array([final_mwh]))[0])
        economic = option_lcoh(
            option, heat_kwh_per_a=heat, capacity_kw=load, efficiency=rate,
            economics=economics.seen_as("economic"),
        )  # fmt: skip
        german = economics.cost_source == "installed_cost_de" and option in installed_cost.OPTIONS
        parts = installed_cost.installed_cost(option, peak_kw).components_eur if german else {}
        out.append(
            OptionCost(
                option=option,
                label=LABELS_DE[option],
                investment_eur=gross,
                components_eur=parts,
                grant_eur=grant,
                fixed_om_eur_per_a=upkeep,
                efficiency=efficiency[option],
                energy_price_eur_per_mwh=price,
                energy_cost_eur_per_a=final_mwh * price,
                lifetime_a=float(catalogue.technology(technology, economics.year)["lifetime_a"]),
                lcoh_eur_per_mwh=lcoh(with_funding),
                lcoh_unfunded_eur_per_mwh=lcoh(False),
                price_year=_price_year(option, german),
                lcoh_economic_eur_per_mwh=float(economic.iloc[0]),
                energy_price_components=price_components(option, final_mwh, economics),
                sources=_sources(option, economics),
                note=""
                if german or option not in installed_cost.MISSING
                else installed_cost.MISSING[option],
            )
        )
    return out
