"""Tenant-power tariffs, costs and rent rules of a quarter from ``data/quarter_*.csv``
(each row with its unit, year and source: law § and date, or "not verified offline")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatplan.reference._files import cached_table

TARIFF_FILE = "quarter_tariffs.csv"
COST_FILE = "quarter_costs.csv"
RENT_FILE = "quarter_rent_rules.csv"
#: Upper bounds [kWp] of the EEG size tiers (§ 48 Abs. 2, § 48a), paid share by share.
TIERS_KWP = {"up_to_10_kwp": 10.0, "up_to_40_kwp": 40.0, "up_to_1000_kwp": 1000.0}


@dataclass(frozen=True)
class Tariffs:
    """What tenants pay and what PV power earns [EUR/kWh, EUR/a]."""

    basic_energy_eur_per_kwh: float  # incl. VAT
    basic_base_eur_per_a: float  # incl. VAT
    mieterstrom_cap_share: float
    shared_pv_price_eur_per_kwh: float  # incl. VAT
    residual_purchase_eur_per_kwh: float  # net of VAT
    vat_rate: float


@dataclass(frozen=True)
class RentRules:
    """The modernisation levy applied to the heat-pump concept (BGB § 559e)."""

    levy_share_per_a: float
    maintenance_share: float
    cap_eur_per_m2_month: float


def _value(parameter: str, case: str = "any") -> float:
    frame = cached_table(TARIFF_FILE)
    rows = frame[(frame["parameter"] == parameter) & (frame["case"] == case)]
    if len(rows) != 1:
        raise ValueError(f"{TARIFF_FILE}: no single row {parameter!r}, case {case!r}")
    return float(rows["value"].iloc[0])


def cost(parameter: str) -> float:
    """A value of quarter_costs.csv."""
    return float(cached_table(COST_FILE).set_index("parameter")["value"].astype(float)[parameter])


def tiered_eur_per_kwh(parameter: str, kwp: float) -> float:
    """Capacity-weighted EEG value of a plant of ``kwp`` (each tier paid on its share of the
    capacity, EEG 2023 § 48 Abs. 2 / § 48a) [EUR/kWh]; the first tier's value at 0 kWp."""
    low = 0.0
    weighted = 0.0
    for case, high in TIERS_KWP.items():
        value = _value(parameter, case)
        if kwp <= 0:
            return value
        weighted += value * max(min(kwp, high) - low, 0.0)
        low = high
    return weighted / kwp if kwp <= low else weighted / low


def feed_in_eur_per_kwh(kwp: float) -> float:
    """EEG feed-in tariff of a building PV plant of ``kwp`` with partial feed-in [EUR/kWh]."""
    return tiered_eur_per_kwh("eeg_feed_in_eur_per_kwh", kwp)


def mieterstrom_premium_eur_per_kwh(kwp: float) -> float:
    """EEG Mieterstromzuschlag (EEG 2023 § 21 Abs. 3, § 48a) of a plant of ``kwp`` [EUR/kWh]."""
    return tiered_eur_per_kwh("eeg_mieterstrom_premium_eur_per_kwh", kwp)


def tariffs(
    *,
    basic_energy_eur_per_kwh: float | None = None,
    basic_base_eur_per_a: float | None = None,
    shared_pv_price_eur_per_kwh: float | None = None,
) -> Tariffs:
    """The tariffs of quarter_tariffs.csv, with the TOML's overrides where given."""
    vat = float(
        cached_table("economic_parameters.csv")
        .set_index("parameter")["value"]
        .astype(float)["vat_rate"]
    )
    return Tariffs(
        basic_energy_eur_per_kwh=_pick(basic_energy_eur_per_kwh, "basic_supply_energy_eur_per_kwh"),
        basic_base_eur_per_a=_pick(basic_base_eur_per_a, "basic_supply_base_eur_per_a"),
        mieterstrom_cap_share=_value("mieterstrom_price_cap_share"),
        shared_pv_price_eur_per_kwh=_pick(
            shared_pv_price_eur_per_kwh, "shared_supply_pv_price_eur_per_kwh"
        ),
        residual_purchase_eur_per_kwh=_value("residual_purchase_eur_per_kwh"),
        vat_rate=vat,
    )


def _pick(given: float | None, parameter: str) -> float:
    return _value(parameter) if given is None else float(given)


def rent_rules() -> RentRules:
    """The BGB § 559e levy rules of quarter_rent_rules.csv."""
    values = cached_table(RENT_FILE).set_index("parameter")["value"].astype(float)
    return RentRules(
        levy_share_per_a=float(values["modernisation_levy_share_per_a"]),
        maintenance_share=float(values["maintenance_share"]),
        cap_eur_per_m2_month=float(values["levy_cap_eur_per_m2_month"]),
    )


def energy_price(parameter: str) -> float:
    """A price of energy_prices.csv converted to EUR/kWh."""
    values = cached_table("energy_prices.csv").set_index("parameter")["value"].astype(float)
    return float(np.asarray(values[parameter])) / 1000.0
