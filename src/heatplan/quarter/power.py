"""Tenant power of one building per quarter hour: Mieterstrom (EnWG § 42a) and shared building
supply (gemeinschaftliche Gebäudeversorgung, EnWG § 42b).

All loads are arrays (apartments, steps) of mean power per quarter hour [kW]; PV is an array
(steps,) [kW]. Prices to tenants include VAT; the operator's revenues are net of VAT.

* **Mieterstrom** (§ 42a): the operator supplies the participating apartments in full (PV plus
  residual grid power, § 42a Abs. 2) at a price of at most 90 % of the basic-supply tariff
  (§ 42a Abs. 4), and earns the EEG Mieterstromzuschlag (EEG 2023 § 21 Abs. 3, § 48a) on the PV
  power the tenants use and the feed-in tariff (§ 48) on the rest.
* **Shared building supply** (§ 42b): the PV power is shared among the participating apartments
  by a key; each keeps its own supplier for the residual (here at the basic-supply tariff). Keys:
  ``"consumption"`` and ``"area"`` (static shares of each quarter hour's PV, unused parts are fed
  in) or ``"dynamic"`` (each quarter hour the PV split in proportion to the loads, never above
  an apartment's load).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatplan.quarter.inputs import STEPS_PER_H
from heatplan.quarter.tariffs import Tariffs

DT_H = 1.0 / STEPS_PER_H


@dataclass(frozen=True)
class BuildingPower:
    """Tenant power of one building over the simulated steps (per-apartment arrays are
    internal: never published, see :mod:`heatplan.quarter.privacy`)."""

    participants: np.ndarray  # bool (apartments,)
    load_kwh: np.ndarray  # (apartments,)
    mieterstrom_self_kwh: np.ndarray  # (apartments,) PV used, Mieterstrom
    shared_self_kwh: np.ndarray  # (apartments,) PV allocated and used, § 42b
    bill_before_eur: np.ndarray  # (apartments,) basic supply, incl. VAT
    bill_mieterstrom_eur: np.ndarray  # (apartments,) incl. VAT
    bill_shared_eur: np.ndarray  # (apartments,) incl. VAT
    pv_kwh: float
    mieterstrom_feed_in_kwh: float
    shared_feed_in_kwh: float
    mieterstrom_revenue_eur: float  # operator, net of VAT: sales + premium + feed-in - residual
    shared_revenue_eur: float  # PV owner, net of VAT: PV sales + feed-in
    surplus_kw: np.ndarray  # (steps,) PV left after the tenants (Mieterstrom) [kW]


def participants_mask(apartments: int, share: float) -> np.ndarray:
    """The first round(share x apartments) apartments take part (a fixed, reproducible choice)."""
    count = round(share * apartments)
    mask = np.zeros(apartments, dtype=bool)
    mask[:count] = True
    return mask


def dynamic_self_kw(pv_kw: np.ndarray, load_kw: np.ndarray) -> np.ndarray:
    """PV each apartment uses when each quarter hour's PV is split in proportion to the loads,
    capped at each load (§ 42b dynamic key; also the physical Mieterstrom flow) [kW]."""
    total = load_kw.sum(axis=0)
    ratio = np.divide(pv_kw, total, out=np.zeros_like(pv_kw, dtype=float), where=total > 0)
    return load_kw * np.minimum(ratio, 1.0)


def static_self_kw(pv_kw: np.ndarray, load_kw: np.ndarray, key: np.ndarray) -> np.ndarray:
    """PV each apartment uses under a static key (shares summing to 1) [kW]: its share of each
    quarter hour's PV, up to its load; the rest of its share is fed in."""
    if not np.isclose(key.sum(), 1.0) or (key < 0).any():
        raise ValueError(f"an allocation key must be >= 0 and sum to 1, got {key.sum():g}")
    return np.minimum(key[:, None] * pv_kw[None, :], load_kw)


def allocation_key(key: str, load_kw: np.ndarray, area_m2: np.ndarray) -> np.ndarray:
    """Static shares of ``"consumption"`` (annual energy) or ``"area"`` (living area)."""
    weights = load_kw.sum(axis=1) if key == "consumption" else np.asarray(area_m2, dtype=float)
    total = float(weights.sum())
    if total <= 0:
        raise ValueError(f"the {key} key needs a positive total")
    return weights / total


def shared_self_kw(
    pv_kw: np.ndarray, load_kw: np.ndarray, key: str, area_m2: np.ndarray
) -> np.ndarray:
    """PV used by each participating apartment under § 42b key ``key`` [kW]."""
    if key == "dynamic":
        return dynamic_self_kw(pv_kw, load_kw)
    return static_self_kw(pv_kw, load_kw, allocation_key(key, load_kw, area_m2))


def mieterstrom_price_share(requested: float | None, tariffs: Tariffs) -> float:
    """Share of the basic-supply tariff charged for Mieterstrom: ``requested`` (at most the cap of
    EnWG § 42a Abs. 4) or the cap itself."""
    cap = tariffs.mieterstrom_cap_share
    if requested is None:
        return cap
    if requested > cap + 1e-12:
        raise ValueError(
            f"mieterstrom_price_share {requested:g} is above the cap of EnWG § 42a Abs. 4 "
            f"({cap:g} of the basic-supply tariff)"
        )
    return requested


def building_power(
    pv_kw: np.ndarray,
    load_kw: np.ndarray,
    area_m2: np.ndarray,
    *,
    participants: np.ndarray,
    key: str,
    tariffs: Tariffs,
    price_share: float,
    feed_in_eur_per_kwh: float,
    premium_eur_per_kwh: float,
    years: float = 1.0,
) -> BuildingPower:
    """Tenant power of one building (``years``: the span of the steps, for the base prices)."""
    n = load_kw.shape[0]
    inside = load_kw[participants]
    load_kwh = load_kw.sum(axis=1) * DT_H
    ms_self = np.zeros(n)
    sh_self = np.zeros(n)
    ms_used_kw = dynamic_self_kw(pv_kw, inside) if inside.size else np.zeros((0, pv_kw.size))
    sh_used_kw = (
        shared_self_kw(pv_kw, inside, key, area_m2[participants])
        if inside.size
        else np.zeros((0, pv_kw.size))
    )
    ms_self[participants] = ms_used_kw.sum(axis=1) * DT_H
    sh_self[participants] = sh_used_kw.sum(axis=1) * DT_H
    basic_energy, basic_base = tariffs.basic_energy_eur_per_kwh, tariffs.basic_base_eur_per_a
    before = basic_energy * load_kwh + basic_base * years
    bill_ms = np.where(participants, price_share * before, before)
    bill_sh = np.where(
        participants,
        tariffs.shared_pv_price_eur_per_kwh * sh_self
        + basic_energy * (load_kwh - sh_self)
        + basic_base * years,
        before,
    )
    pv_kwh = float(pv_kw.sum() * DT_H)
    ms_used = float(ms_self.sum())
    sh_used = float(sh_self.sum())
    net = 1.0 + tariffs.vat_rate
    ms_revenue = (
        float(bill_ms[participants].sum()) / net
        + premium_eur_per_kwh * ms_used
        + feed_in_eur_per_kwh * (pv_kwh - ms_used)
        - tariffs.residual_purchase_eur_per_kwh * float(load_kwh[participants].sum() - ms_used)
    )
    sh_revenue = tariffs.shared_pv_price_eur_per_kwh * sh_used / net + feed_in_eur_per_kwh * (
        pv_kwh - sh_used
    )
    return BuildingPower(
        participants=participants,
        load_kwh=load_kwh,
        mieterstrom_self_kwh=ms_self,
        shared_self_kwh=sh_self,
        bill_before_eur=before,
        bill_mieterstrom_eur=bill_ms,
        bill_shared_eur=bill_sh,
        pv_kwh=pv_kwh,
        mieterstrom_feed_in_kwh=pv_kwh - ms_used,
        shared_feed_in_kwh=pv_kwh - sh_used,
        mieterstrom_revenue_eur=ms_revenue,
        shared_revenue_eur=sh_revenue,
        surplus_kw=pv_kw - ms_used_kw.sum(axis=0),
    )


def pv_annual_cost_eur_per_a(kwp: float) -> tuple[float, float]:
    """Investment [EUR] and VDI 2067-1 annual cost [EUR/a] of roof PV of ``kwp``: the DEA
    residential rooftop PV investment (``pv_rooftop``, technology_catalogue.csv), lifetime and
    operating share of quarter_costs.csv (Fraunhofer ISE 2024), the project's interest rate and
    observation period."""
    from heatplan.quarter.tariffs import cost
    from heatplan.reference._files import cached_table
    from heatplan.reference.catalogue import size_investment_eur
    from heatplan.tech.economics import annual_cost_eur_per_a

    if kwp <= 0:
        return 0.0, 0.0
    economics = cached_table("economic_parameters.csv").set_index("parameter")["value"]
    invest = float(size_investment_eur("pv_rooftop", kwp))
    annual = annual_cost_eur_per_a(
        investment_eur=invest,
        lifetime_a=cost("pv_lifetime_a"),
        interest_rate=float(economics["interest_rate"]),
        observation_period_a=float(economics["observation_period_a"]),
        fixed_om_share_per_a=cost("pv_om_share_per_a"),
        energy_cost_eur_per_a=0.0,
        price_change_rate=0.0,
    )
    return invest, float(annual)


def pv_kw_per_kwp(
    lat: float, lon: float, region: int | None, tilt_deg: float, azimuth_deg: float, steps: int
) -> np.ndarray:
    """AC yield of 1 kWp per quarter hour [kW] from the region's TRY weather (pvlib via
    :mod:`heatplan.potentials.solar`): each hour's yield held for its four quarter hours; a leap
    year repeats 28 February."""
    import pvlib

    from heatplan.potentials.solar import (
        effective_irradiance,
        plane_of_array,
        pv_ac_w_per_kwp,
        try_weather,
    )
    from heatplan.reference import parameter_group
    from heatplan.reference.weather import region_for_point

    weather = try_weather(region or region_for_point(lon, lat))
    position = pvlib.solarposition.get_solarposition(
        weather.index, lat, lon, temperature=weather["temp_air_c"]
    )
    albedo = parameter_group("solar_parameters.csv", "sky")["albedo"]
    poa = plane_of_array(
        weather, position, surface_tilt=tilt_deg, surface_azimuth=azimuth_deg, albedo=albedo
    )
    effective = effective_irradiance(
        poa, position, surface_tilt=tilt_deg, surface_azimuth=azimuth_deg
    )
    hourly = pv_ac_w_per_kwp(effective, poa["poa_global"], weather, mounting="roof").to_numpy()
    hourly = np.nan_to_num(hourly, nan=0.0).clip(min=0.0) / 1000.0
    return hold_hourly(hourly, steps)


def hold_hourly(hourly: np.ndarray, steps: int) -> np.ndarray:
    """An 8,760-hour series as quarter hours of a year of ``steps`` (leap: 28 Feb repeated)."""
    if steps == 366 * 24 * STEPS_PER_H:
        day = 58 * 24
        hourly = np.concatenate([hourly[: day + 24], hourly[day : day + 24], hourly[day + 24 :]])
    return np.repeat(hourly, STEPS_PER_H)[:steps]
