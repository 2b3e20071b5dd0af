"""Regional geology: groundwater heat pumps and deep geothermal doublets (regional estimates).

A project names its geological region (``[project] geology_region``, rows of
``data/geology_regions.csv``); the Upper Rhine Graben has shallow productive gravel aquifers
and one of Germany's steepest geothermal gradients. Each figure is one well doublet at the
region's published order of magnitude - never a site yield: the number of doublets and their
flow need a hydrogeological study (pumping test, thermal model, permits).

- groundwater: ``Q = flow x 1.164 kWh/(m³ K) x cooling``, cooling limited by the water
  authorities' 6 K and the 5 °C minimum; a heat pump adds its electricity (COP of the Lorenz
  model at the network temperatures);
- deep geothermal: heat exchanged directly, ``flow x 1.164 x (T_production - T_return -
  approach)``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from heatplan.reference import table
from heatplan.reference.heatpump import heat_pump_parameters
from heatplan.tech.heatpump import cop_lorenz

GEOLOGY = "geology_regions.csv"
#: rho x cp of water [kWh/(m³ K)] (data/wastewater_parameters.csv, IAPWS-95).
_M3_PER_H_PER_L_PER_S = 3.6


@cache
def region_parameters(region: str) -> dict[str, float]:
    """``parameter -> value`` of ``region`` (sources in data/geology_regions.csv)."""
    frame = table(GEOLOGY)
    rows = frame[frame["region"] == region]
    if rows.empty:
        known = ", ".join(sorted(set(frame["region"])))
        raise ValueError(f"unknown geology region {region!r}; known: {known}")
    return dict(zip(rows["parameter"], rows["value"].astype(float), strict=True))


def groundwater_doublet_kw(
    flow_l_per_s: float,
    temp_groundwater_c: float,
    *,
    max_cooling_k: float,
    min_outlet_c: float,
    supply_temp_c: float,
    return_temp_c: float,
    volumetric_heat_capacity_kwh_per_m3_k: float,
    efficiency: float,
) -> dict[str, float]:
    """Source heat, COP and heat output of one groundwater well doublet [kW].

    Examples
    --------
    >>> r = groundwater_doublet_kw(10.0, 12.0, max_cooling_k=6.0, min_outlet_c=5.0,
    ...     supply_temp_c=80.0, return_temp_c=50.0,
    ...     volumetric_heat_capacity_kwh_per_m3_k=1.164, efficiency=0.56)
    >>> round(r["source_heat_kw"], 1), round(r["cooling_k"], 1)
    (251.4, 6.0)
    """
    cooling = float(np.clip(min(max_cooling_k, temp_groundwater_c - min_outlet_c), 0.0, None))
    source = flow_l_per_s * _M3_PER_H_PER_L_PER_S * volumetric_heat_capacity_kwh_per_m3_k * cooling
    if cooling <= 0:
        return {"cooling_k": 0.0, "source_heat_kw": 0.0, "cop": float("nan"), "heat_kw": 0.0}
    cop = float(
        cop_lorenz(
            return_temp_c,
            supply_temp_c,
            temp_groundwater_c,
            temp_groundwater_c - cooling,
            efficiency=efficiency,
        )
    )
    return {"cooling_k": cooling, "source_heat_kw": source, "cop": cop,
            "heat_kw": source * cop / (cop - 1.0)}  # fmt: skip


def deep_doublet_kw(
    flow_l_per_s: float,
    temp_production_c: float,
    *,
    return_temp_c: float,
    approach_k: float,
    volumetric_heat_capacity_kwh_per_m3_k: float,
) -> float:
    """Heat of one deep geothermal doublet exchanged into a network [kW].

    Examples
    --------
    >>> round(deep_doublet_kw(70.0, 160.0, return_temp_c=50.0, approach_k=5.0,
    ...     volumetric_heat_capacity_kwh_per_m3_k=1.164))
    30799
    """
    spread = max(temp_production_c - return_temp_c - approach_k, 0.0)
    return flow_l_per_s * _M3_PER_H_PER_L_PER_S * volumetric_heat_capacity_kwh_per_m3_k * spread


def regional_potentials(
    region: str, *, supply_temp_c: float, return_temp_c: float, rho_cp: float
) -> list[dict[str, object]]:
    """The region's groundwater and deep-geothermal rows (one doublet each), flagged as
    regional estimates with their source file."""
    values = region_parameters(region)
    rows: list[dict[str, object]] = []
    if "groundwater_doublet_flow_l_per_s" in values:
        ground = groundwater_doublet_kw(
            values["groundwater_doublet_flow_l_per_s"],
            values["groundwater_temp_c"],
            max_cooling_k=values["groundwater_max_cooling_k"],
            min_outlet_c=values["groundwater_min_outlet_c"],
            supply_temp_c=supply_temp_c,
            return_temp_c=return_temp_c,
            volumetric_heat_capacity_kwh_per_m3_k=rho_cp,
            efficiency=heat_pump_parameters().lorenz_efficiency_default,
        )
        hours = values["groundwater_full_load_hours_h_per_a"]
        rows.append({
            "kind": "groundwater_heat_pump", "carrier": "ambient_heat",
            "capacity_kw": ground["heat_kw"], "heat_mwh_per_a": ground["heat_kw"] * hours / 1e3,
            "reason": (
                f"regional estimate ({region}, data/geology_regions.csv), one well doublet: "
                f"{values['groundwater_doublet_flow_l_per_s']:g} l/s cooled "
                f"{ground['cooling_k']:g} K from {values['groundwater_temp_c']:g} °C, COP "
                f"{ground['cop']:.2f}, {hours:g} h/a; not a site yield - the number of "
                "doublets needs a hydrogeological study and a water-law permit"
            ),
        })  # fmt: skip
    if "deep_doublet_flow_l_per_s" in values:
        deep = deep_doublet_kw(
            values["deep_doublet_flow_l_per_s"],
            values["deep_production_temp_c"],
            return_temp_c=return_temp_c,
            approach_k=values["deep_reinjection_approach_k"],
            volumetric_heat_capacity_kwh_per_m3_k=rho_cp,
        )
        hours = values["deep_full_load_hours_h_per_a"]
        rows.append({
            "kind": "deep_geothermal", "carrier": "ambient_heat",
            "capacity_kw": deep, "heat_mwh_per_a": deep * hours / 1e3,
            "reason": (
                f"regional estimate ({region}, data/geology_regions.csv), one doublet at about "
                f"{values['deep_depth_m']:,.0f} m: {values['deep_doublet_flow_l_per_s']:g} l/s "
                f"at {values['deep_production_temp_c']:g} °C to the network return + "
                f"{values['deep_reinjection_approach_k']:g} K, {hours:,.0f} h/a; exploration "
                "risk and a mining-law permit (BBergG) - not a site prognosis"
            ),
        })  # fmt: skip
    return rows
