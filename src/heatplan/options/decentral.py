"""Full cost of the decentral supply options of every building (WPG §18(1) Nr. 1).

For each building: levelised cost of heat over the observation period (VDI 2067-1 annuity) of an
air-source heat pump, a ground-source heat pump, a biomass (pellet) boiler, and a new gas
condensing boiler as the reference. Capacities come from the building's peak load, heat-pump
seasonal performance factors from hourly COPs (Staffell 2012, heating curve by construction age)
weighted by the town's hourly demand, investment, lifetime and O&M from the technology catalogue,
energy prices from ``data/energy_prices.csv``. Options a building cannot use (no room for probes,
noise distance not met: the ``decentral_options`` table of the potentials step) are marked, not
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from heatplan.options import installed_cost, price_paths, tariffs
from heatplan.plan import columns as col
from heatplan.reference import catalogue, parameter, parameter_group
from heatplan.reference.heatpump import heat_pump_parameters, heating_curve, staffell_coefficients
from heatplan.tech.economics import funded_investment_eur, lcoh_eur_per_mwh
from heatplan.tech.heatpump_base import Numeric
from heatplan.tech.heatpump_building import cop_building, seasonal_performance_factor

ECONOMICS = "economic_parameters.csv"
PRICES = "energy_prices.csv"
DECENTRAL = "decentral_parameters.csv"
#: option -> (catalogue technology, energy price parameter, BEG measures that fund it)
OPTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "air_hp": ("hp_air_building", "electricity_heat_pump_eur_per_mwh", ("heating_base",)),
    "ground_hp": (
        "hp_ground_building",
        "electricity_heat_pump_eur_per_mwh",
        ("heating_base", "heat_pump_efficiency_bonus"),
    ),
    "biomass": ("biomass_boiler_building", "wood_pellets_eur_per_mwh", ("heating_base",)),
    "gas": ("gas_condensing_boiler_building", "natural_gas_household_eur_per_mwh", ()),
}
BUILDING_STATES = ("unrenovated", "renovated", "new_build")


#: Where the installed cost of a building's system comes from: German list prices and installer
#: offers (:mod:`heatplan.options.installed_cost`), or the technology catalogue (DEA).
COST_SOURCES = ("installed_cost_de", "technology_catalogue")
#: Whose money the comparison counts: the owner's (gross prices incl. VAT, taxes and levies,
#: BEG funding) or the economy's (net of VAT and of transfers such as funding; the CO2 price
#: stays as the proxy of a real cost).
PERSPECTIVES = ("owner", "economic")
#: German names of the perspectives, for reasons and reports.
PERSPECTIVE_DE = {"owner": "Eigentümersicht", "economic": "volkswirtschaftliche Sicht"}
#: Options that run on the heat pump's electricity tariff (:mod:`heatplan.options.tariffs`).
HEAT_PUMPS = ("air_hp", "ground_hp")


@dataclass(frozen=True)
class Economics:
    """Money assumptions of a full-cost comparison (defaults: ``economic_parameters.csv``)."""

    interest_rate: float
    observation_period_a: float
    price_change_rate: float
    year: int
    cost_source: str = "installed_cost_de"
    #: CO2 price path of the household prices (``price_paths.PATHS``); None: today's prices
    #: with ``price_change_rate`` (no CO2 path and no growing gas network fee).
    co2_price_path: str | None = "central"
    #: ``owner`` or ``economic`` (:data:`PERSPECTIVES`).
    perspective: str = "owner"
    #: The heat pump's electricity under § 14a EnWG (``tariffs.HEAT_PUMP_TARIFFS``).
    heat_pump_tariff: str = "cheapest"
    #: Gas volume path ((year, share of today's), ...) of the network fee; None: the data path.
    gas_volume: tariffs.VolumePath | None = None

    @classmethod
    def defaults(
        cls,
        *,
        year: int = 2025,
        cost_source: str = "installed_cost_de",
        co2_price_path: str | None = "central",
        perspective: str = "owner",
        heat_pump_tariff: str = "cheapest",
        gas_volume: tariffs.VolumePath | None = None,
        **overrides: float | None,
    ) -> Economics:
        if cost_source not in COST_SOURCES:
            raise ValueError(f"cost source {cost_source!r}: choose {', '.join(COST_SOURCES)}")
        if co2_price_path is not None and co2_price_path not in price_paths.PATHS:
            raise ValueError(
                f"CO2 price path {co2_price_path!r}: choose {', '.join(price_paths.PATHS)}"
            )
        if perspective not in PERSPECTIVES:
            raise ValueError(f"perspective {perspective!r}: choose {', '.join(PERSPECTIVES)}")
        if heat_pump_tariff not in tariffs.HEAT_PUMP_TARIFFS:
            choices = ", ".join(tariffs.HEAT_PUMP_TARIFFS)
            raise ValueError(f"heat-pump tariff {heat_pump_tariff!r}: choose {choices}")
        values = {
            "interest_rate": parameter(ECONOMICS, "interest_rate"),
            "observation_period_a": parameter(ECONOMICS, "observation_period_a"),
            "price_change_rate": parameter(ECONOMICS, "energy_price_change_rate"),
        }
        values.update({k: float(v) for k, v in overrides.items() if v is not None})
        return cls(
            year=year,
            cost_source=cost_source,
            co2_price_path=co2_price_path,
            perspective=perspective,
            heat_pump_tariff=heat_pump_tariff,
            gas_volume=gas_volume,
            **values,
        )

    def seen_as(self, perspective: str) -> Economics:
        """The same money seen from ``perspective`` (``owner`` or ``economic``)."""
        if perspective not in PERSPECTIVES:
            raise ValueError(f"perspective {perspective!r}: choose {', '.join(PERSPECTIVES)}")
        return replace(self, perspective=perspective)

    @property
    def economic(self) -> bool:
        """Whether VAT and funding are left out (the economic perspective)."""
        return self.perspective == "economic"

    @property
    def gross_factor(self) -> float:
        """What a gross household price is multiplied with: 1, or 1 / (1 + VAT) [-]."""
        return 1.0 / (1.0 + tariffs.vat_rate()) if self.economic else 1.0

    def energy_price_eur_per_mwh(self, price_key: str) -> float:
        """The price the comparison charges: levelised along the CO2 path (gas with its growing
        network fee), or today's; without VAT in the economic perspective."""
        if self.co2_price_path is None:
            return parameter(PRICES, price_key) * self.gross_factor
        return self.gross_factor * price_paths.levelised_price_eur_per_mwh(
            price_key,
            start_year=self.year,
            period_a=self.observation_period_a,
            interest_rate=self.interest_rate,
            path=self.co2_price_path,
            gas_volume=self.gas_volume,
        )

    def option_price_eur_per_mwh(self, option: str, final_mwh_per_a: np.ndarray) -> np.ndarray:
        """Price of ``option``'s final energy per building [EUR/MWh]: heat pumps on the § 14a
        tariff for their electricity use ``final_mwh_per_a`` [MWh/a], the others their price."""
        use = np.asarray(final_mwh_per_a, dtype=float)
        if option in HEAT_PUMPS:
            price = tariffs.heat_pump_price_eur_per_mwh(use, tariff=self.heat_pump_tariff)
            return price * self.gross_factor
        return np.full(use.shape, self.energy_price_eur_per_mwh(OPTIONS[option][1]))

    @property
    def energy_price_change_rate(self) -> float:
        """0 along a price path (the path is the change), else the set yearly change."""
        return 0.0 if self.co2_price_path is not None else self.price_change_rate


def building_state(construction_year: pd.Series) -> pd.Series:
    """Heating-curve state of each building from its construction year (unknown: unrenovated)."""
    limits = parameter_group(DECENTRAL, "state_by_year")
    year = pd.to_numeric(construction_year, errors="coerce")
    state = np.where(year >= limits["new_build_from"], "new_build", "renovated")
    state = np.where(year < limits["unrenovated_before"], "unrenovated", state)
    state = np.where(year.isna(), "unrenovated", state)
    return pd.Series(state, index=construction_year.index, name="building_state")


def design_temperature_c(temp_air_c: pd.Series) -> float:
    """Lowest two-day mean of an hourly temperature year (DIN EN 12831-1 design value) [°C]."""
    window = int(parameter_group(DECENTRAL, "design")["design_temp_window_h"])
    return float(temp_air_c.rolling(window, min_periods=window).mean().min())


def _cop(
    temp_air_c: pd.Series,
    state: str,
    design_c: float,
    heat_source: str,
    temp_source_c: np.ndarray | None = None,
) -> Numeric:
    """Hourly COP of a building heat pump with the reference heating curve and regression."""
    defaults = heat_pump_parameters()
    return cop_building(
        temp_air_c,
        heating_curve=heating_curve(state),
        coefficients=staffell_coefficients(heat_source),
        temp_outdoor_design_c=design_c,
        temp_room_c=defaults.temp_room_c,
        temp_heating_limit_c=defaults.temp_heating_limit_c,
        temp_source_c=temp_source_c,
    )


def seasonal_factors(temp_air_c: pd.Series, load_kwh: pd.Series) -> pd.DataFrame:
    """SPF [-] of air and ground heat pumps per building state, weighted by the hourly load."""
    design = design_temperature_c(temp_air_c)
    brine = parameter_group(DECENTRAL, "ground")["brine_temp_c"]
    rows = {}
    for state in BUILDING_STATES:
        air = _cop(temp_air_c, state, design, "air")
        ground = _cop(temp_air_c, state, design, "ground", np.full(len(temp_air_c), brine))
        rows[state] = {
            "air_hp": seasonal_performance_factor(air, load_kwh),
            "ground_hp": seasonal_performance_factor(ground, load_kwh),
        }
    return pd.DataFrame(rows).T


def _efficiency(option: str, states: pd.Series, spf: pd.DataFrame, year: int) -> pd.Series:
    if option in spf.columns:
        return states.map(spf[option]).astype(float)
    technology = OPTIONS[option][0]
    return pd.Series(catalogue.technology(technology, year)["efficiency"], index=states.index)


def funding_share(option: str, with_funding: bool) -> float:
    if not with_funding:
        return 0.0
    total = sum(catalogue.funding("BEG_EM", m) for m in OPTIONS[option][2])
    return min(total, catalogue.funding("BEG_EM", "heating_max_total"))


def option_investment_eur(
    option: str, capacity_kw: np.ndarray, economics: Economics
) -> tuple[np.ndarray, np.ndarray]:
    """Unfunded investment [EUR] and fixed O&M [EUR/a] of ``option`` for each capacity [kW].

    German installed costs where the source has the option (not the pellet boiler; gross prices,
    without VAT in the economic perspective), else the technology catalogue's cost curve and O&M
    share (taken as they stand in both perspectives).
    """
    capacity = np.asarray(capacity_kw, dtype=float)
    if economics.cost_source == "installed_cost_de" and option in installed_cost.OPTIONS:
        gross, upkeep = installed_cost.installed_investment_eur(option, capacity)
        with_vat = parameter_group(DECENTRAL, "installed_cost")["includes_vat"] > 0
        net = economics.gross_factor if with_vat else 1.0
        return gross * net, upkeep * net
    technology = OPTIONS[option][0]
    gross = np.asarray(catalogue.investment_eur(technology, capacity), dtype=float)
    share = catalogue.technology(technology, economics.year)["fixed_om_share_per_a"]
    return gross, gross * float(share)


def option_lcoh(
    option: str,
    *,
    heat_kwh_per_a: pd.Series,
    capacity_kw: pd.Series,
    efficiency: pd.Series,
    economics: Economics,
    with_funding: bool = True,
) -> pd.Series:
    """LCOH [EUR/MWh] of one decentral option for each building (NaN without demand).

    BEG funding lowers the investment (up to its eligible cost) in the owner's perspective; the
    O&M is a share of the unfunded investment (VDI 2067-1). Heat pumps pay the § 14a tariff of
    their electricity use (:meth:`Economics.option_price_eur_per_mwh`).
    """
    technology = OPTIONS[option][0]
    with_funding = with_funding and not economics.economic
    tech = catalogue.technology(technology, economics.year)
    heat_mwh = heat_kwh_per_a.astype(float) / 1000.0
    gross, fixed_om = option_investment_eur(option, capacity_kw.to_numpy(float), economics)
    eligible = catalogue.funding("BEG_EM", "heating_eligible_cost_first_dwelling")
    net = funded_investment_eur(
        investment_eur=gross,
        funding_share=funding_share(option, with_funding),
        eligible_cost_eur=eligible,
    )
    positive = gross > 0
    safe = np.where(positive, gross, 1.0)
    final_mwh = (heat_mwh / efficiency.where(efficiency > 0)).fillna(0.0)
    energy = final_mwh * economics.option_price_eur_per_mwh(option, final_mwh.to_numpy(float))
    valid = heat_mwh.gt(0) & efficiency.gt(0)
    lcoh = lcoh_eur_per_mwh(
        investment_eur=np.where(valid, gross, 0.0),
        lifetime_a=tech["lifetime_a"],
        interest_rate=economics.interest_rate,
        observation_period_a=economics.observation_period_a,
        fixed_om_share_per_a=np.where(positive, fixed_om / safe, 0.0),
        energy_cost_eur_per_a=np.where(valid, energy, 0.0),
        price_change_rate=economics.energy_price_change_rate,
        heat_mwh_per_a=np.where(valid, heat_mwh, 1.0),
        funding_share=np.where(positive, 1.0 - np.asarray(net) / safe, 0.0),
    )
    return pd.Series(np.where(valid, lcoh, np.nan), index=heat_kwh_per_a.index, name=option)


def compared_options() -> tuple[str, ...]:
    """The decentral options the cheapest is chosen from, for an area's comparison and for each
    building alike: heat pumps, and pellet boilers only where ``classification_parameters.csv``
    lets wood in (``decentral_reference_heat_pumps_only`` = 0); gas is the reference only."""
    heat_pumps_only = parameter(
        "classification_parameters.csv", "decentral_reference_heat_pumps_only"
    )
    return ("air_hp", "ground_hp") if heat_pumps_only > 0 else ("air_hp", "ground_hp", "biomass")


def decentral_costs(
    buildings: pd.DataFrame,
    *,
    spf: pd.DataFrame,
    economics: Economics,
    with_funding: bool = True,
    candidates: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """LCOH [EUR/MWh] of each decentral option per building, and the cheapest usable one.

    ``candidates`` are the options the cheapest is chosen from (default
    :func:`compared_options`, the same set the area classification compares with).

    ``buildings`` needs ``heat_demand_kwh_per_a``, ``peak_load_kw``, ``construction_year`` and
    may have ``ground_ok`` / ``air_ok`` (from the potentials step; missing means usable).
    """
    states = building_state(buildings[col.CONSTRUCTION_YEAR])
    out = pd.DataFrame({"building_state": states}, index=buildings.index)
    for option in OPTIONS:
        efficiency = _efficiency(option, states, spf, economics.year)
        out[f"efficiency_{option}"] = efficiency
        heat_kwh = buildings[col.HEAT_DEMAND_KWH_PER_A].fillna(0.0)
        final_mwh = (heat_kwh / 1000.0 / efficiency.where(efficiency > 0)).fillna(0.0)
        price = economics.option_price_eur_per_mwh(option, final_mwh.to_numpy(float))
        out[f"energy_price_{option}_eur_per_mwh"] = price
        out[f"lcoh_{option}_eur_per_mwh"] = option_lcoh(
            option,
            heat_kwh_per_a=heat_kwh,
            capacity_kw=buildings["peak_load_kw"].fillna(0.0),
            efficiency=efficiency,
            economics=economics,
            with_funding=with_funding,
        )
    usable = _usable(buildings)
    renewable = [f"lcoh_{o}_eur_per_mwh" for o in candidates or compared_options()]
    masked = out[renewable].where(usable[renewable].to_numpy())
    any_usable = masked.notna().any(axis=1)
    cheapest = masked.fillna(np.inf).idxmin(axis=1).str.removeprefix("lcoh_")
    out["best_decentral"] = cheapest.str.removesuffix("_eur_per_mwh").where(any_usable)
    out["best_decentral_lcoh_eur_per_mwh"] = masked.min(axis=1)
    out["best_decentral_energy_eur_per_mwh"] = _best_energy(out)
    return out


def _best_energy(costs: pd.DataFrame) -> pd.Series:
    """Energy cost of each building's best option per MWh of heat [EUR/MWh] (NaN: none)."""
    out = pd.Series(np.nan, index=costs.index)
    for option in OPTIONS:
        chosen = costs["best_decentral"].eq(option)
        energy = costs[f"energy_price_{option}_eur_per_mwh"] / costs[f"efficiency_{option}"]
        out = out.where(~chosen, energy)
    return out


def _usable(buildings: pd.DataFrame) -> pd.DataFrame:
    def flag(column: str) -> np.ndarray:
        if column not in buildings.columns:
            return np.ones(len(buildings), dtype=bool)
        return buildings[column].astype("boolean").fillna(False).to_numpy(bool)

    return pd.DataFrame(
        {
            "lcoh_air_hp_eur_per_mwh": flag("air_ok"),
            "lcoh_ground_hp_eur_per_mwh": flag("ground_ok"),
            "lcoh_biomass_eur_per_mwh": np.ones(len(buildings), dtype=bool),
        },
        index=buildings.index,
    )
