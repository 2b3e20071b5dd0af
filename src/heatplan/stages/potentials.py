"""The potentials stage (Potenzialanalyse, WPG §16): every potential of the plan as one frame.

Takes the plan's ``buildings`` (after the inventory), their LoD2 ``roof_surfaces`` where
imported, the registers ``sewage_plants``,
``sewers``, ``waste_heat`` and ``exclusion_zones`` where imported, and the ``[potentials]``
settings (network temperatures, biomass residues). Gives the plan:

- ``potentials``: one row per potential — ``potential_id``, ``kind``, ``carrier`` (code of
  data/carriers.csv), ``name``, ``heat_mwh_per_a``, ``power_mwh_per_a``, ``capacity_kw``,
  ``building_id`` (decentral options), ``excluded`` and ``reason``, geometry; roof rows also
  ``roof_basis`` (``lod2_faces`` | ``footprint_estimate``), PV rows ``pv_existing_kw`` (MaStR)
  and ``pv_free_kwp``;
- ``decentral_options``: the per-building detail of ground and air heat pumps (planner view;
  building level, never published as such).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.demand.climate import project_region
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.plan.checks import inventory_buildings
from heatplan.potentials.ambient import decentral_heat_pumps
from heatplan.potentials.biomass import biomass_study
from heatplan.potentials.geology import regional_potentials
from heatplan.potentials.sewers import sewer_heat_potential
from heatplan.potentials.solar import roof_potentials, town_centre
from heatplan.potentials.waste_heat import waste_heat_potentials
from heatplan.potentials.wastewater import wastewater_study
from heatplan.progress import stage_reporter
from heatplan.project.config import PotentialSettings
from heatplan.reference import parameter

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
COLUMNS = [
    "potential_id",
    "kind",
    col.CARRIER,
    "name",
    "heat_mwh_per_a",
    "power_mwh_per_a",
    "capacity_kw",
    col.BUILDING_ID,
    "excluded",
    "reason",
]
_KWH_PER_MWH = 1000.0
#: The frames the potentials stage reads.
NEEDS = ("buildings", "roof_surfaces", "exclusion_zones", "sewage_plants", "sewers", "waste_heat")
#: Registers read by this stage and the import command that fills each.
REGISTERS = {"sewage_plants": "sewage-plants", "sewers": "sewers", "waste_heat": "waste-heat"}


@dataclass
class PotentialsResult:
    """Totals by kind and what the step could not assess (and why)."""

    potentials: int
    heat_mwh_per_a: dict[str, float]
    power_mwh_per_a: dict[str, float]
    messages: list[str] = field(default_factory=list)
    store: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _rows(frame: pd.DataFrame, geometry: Any, crs: Any, **columns: Any) -> gpd.GeoDataFrame:
    """Potential rows in the standard columns; missing columns are empty."""
    out = pd.DataFrame(index=frame.index)
    for name in COLUMNS:
        value = columns.get(name, np.nan)
        out[name] = value
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, index=frame.index), crs=crs)


# --- buildings: roofs and decentral heat pumps ----------------------------------------------
def roof_rows(
    buildings: gpd.GeoDataFrame, region: int, faces: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """PV and solar-thermal potential of every roof (alternatives for the same roof).

    From the LoD2 roof ``faces`` where a building has them, else from its footprint; each row
    says which in ``roof_basis``. The PV rows carry ``pv_existing_kw`` (MaStR, empty where
    unknown) and ``pv_free_kwp``, the potential not yet used.
    """
    polygons = buildings[buildings.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        return _rows(pd.DataFrame(), [], buildings.crs)
    roofs = roof_potentials(polygons, region, faces).reset_index(drop=True)
    ids = roofs[col.BUILDING_ID].astype(str)
    pv = _rows(
        roofs,
        roofs.geometry,
        buildings.crs,
        kind="roof_pv",
        carrier="electricity",
        power_mwh_per_a=roofs["pv_kwh_per_a"] / _KWH_PER_MWH,
        capacity_kw=roofs["pv_kwp"],
        building_id=ids,
        excluded=False,
        heat_mwh_per_a=0.0,
        reason="alternative to roof_solar_thermal on the same roof",
    ).assign(
        roof_basis=roofs["roof_basis"],
        pv_existing_kw=roofs["pv_existing_kw"],
        pv_free_kwp=roofs["pv_free_kwp"],
    )
    thermal = _rows(
        roofs,
        roofs.geometry,
        buildings.crs,
        kind="roof_solar_thermal",
        carrier="solar_thermal",
        building_id=ids,
        excluded=False,
        heat_mwh_per_a=roofs["solar_thermal_kwh_per_a"] / _KWH_PER_MWH,
        power_mwh_per_a=0.0,
        reason="alternative to roof_pv on the same roof",
    ).assign(roof_basis=roofs["roof_basis"])
    return pd.concat([pv, thermal], ignore_index=True)


def roof_message(roofs: pd.DataFrame) -> str:
    """How many roofs come from LoD2 faces, and the PV already installed (MaStR)."""
    pv = roofs[roofs["kind"] == "roof_pv"] if len(roofs) else roofs
    if pv.empty:
        return "roofs: no building footprints"
    faces = int((pv["roof_basis"] == "lod2_faces").sum())
    existing = pd.to_numeric(pv["pv_existing_kw"], errors="coerce")
    return (
        f"roofs: {faces} of {len(pv)} from LoD2 roof faces (`heatplan import lod2`), the rest "
        f"estimated from the footprint; PV installed (MaStR) on {int(existing.notna().sum())} "
        f"roofs, {float(existing.sum()):,.1f} kW; free PV potential "
        f"{float(pv['pv_free_kwp'].sum()):,.1f} kWp"
    )


def in_zones(buildings: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None, what: str) -> pd.Series:
    """Name of the exclusion zone (excluding ``what`` or all) each building lies in, else NaN."""
    names = pd.Series(np.nan, index=buildings.index, dtype=object)
    if zones is None or zones.empty:
        return names
    excludes = zones.get("excludes", pd.Series("", index=zones.index)).fillna("")
    relevant = zones[excludes.isin([what, "all", ""])]
    points = gpd.GeoDataFrame(geometry=buildings.geometry.representative_point(), crs=buildings.crs)
    hits = gpd.sjoin(
        points,
        relevant[["geometry"]].assign(
            zone=relevant.get("name", relevant["zone_id"]).fillna(relevant["zone_id"])
        ),
        predicate="within",
    )
    first = hits[~hits.index.duplicated()]
    names.loc[first.index] = first["zone"].astype(str)
    return names


def decentral_rows(
    buildings: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Ground-probe and air heat-pump potential per building, exclusion zones applied."""
    options = decentral_heat_pumps(buildings).reset_index(drop=True)
    frame = buildings.reset_index(drop=True)
    zone = in_zones(frame, zones, "ground_probes")
    options["ground_ok"] = options["ground_ok"] & zone.isna()
    options["reason"] = options["reason"].where(zone.isna(), "in exclusion zone " + zone)
    demand_mwh = pd.to_numeric(frame.get(col.HEAT_DEMAND_KWH_PER_A), errors="coerce") / 1000
    ids = frame[col.BUILDING_ID].astype(str)
    ground = _rows(
        options,
        frame.geometry,
        frame.crs,
        kind="ground_probes",
        carrier="ambient_heat",
        building_id=ids,
        excluded=~options["ground_ok"],
        capacity_kw=options["ground_probe_capacity_kw"],
        power_mwh_per_a=0.0,
        heat_mwh_per_a=options["ground_heat_mwh_per_a"].where(options["ground_ok"], 0.0),
        reason=options["reason"],
    )
    air = _rows(
        options,
        frame.geometry,
        frame.crs,
        kind="air_heat_pump",
        carrier="ambient_heat",
        building_id=ids,
        excluded=~options["air_ok"],
        power_mwh_per_a=0.0,
        heat_mwh_per_a=demand_mwh.where(options["air_ok"], 0.0),
        reason=options["reason"],
    )
    return pd.concat([ground, air], ignore_index=True), options.assign(building_id=ids)


def ground_message(options: pd.DataFrame) -> str:
    """Town total of ground-probe heat from the probes' capacity and within the sustainable
    limit of dense borehole fields (data/ambient_parameters.csv, group ``field``)."""
    usable = options["ground_ok"].astype(bool)
    capacity = float(options.loc[usable, "ground_heat_capacity_mwh_per_a"].sum())
    limited = float(options.loc[usable, "ground_heat_mwh_per_a"].sum())
    return (
        f"ground probes: {capacity / 1000:,.1f} GWh/a from the probes' capacity x full-load "
        f"hours, {limited / 1000:,.1f} GWh/a within the sustainable heat of each plot's "
        "unbuilt land (thermal interference of neighbouring borehole fields)"
    )


# --- registers -------------------------------------------------------------------------------
def plant_rows(plants: gpd.GeoDataFrame, settings: PotentialSettings) -> gpd.GeoDataFrame:
    """Effluent heat of every sewage plant at the project's network temperatures."""
    studies = [_plant_study(row, settings) for row in plants.itertuples(index=False)]
    heat = [s.get("heat_mwh_per_a", np.nan) for s in studies]
    return _rows(
        plants,
        plants.geometry,
        plants.crs,
        kind="sewage_plant_effluent",
        carrier="ambient_heat",
        name=plants.get("name"),
        excluded=False,
        heat_mwh_per_a=heat,
        power_mwh_per_a=0.0,
        capacity_kw=[s.get("heat_output_kw", np.nan) for s in studies],
        reason=["; ".join(s.get("messages", [])) for s in studies],
    )


def _plant_study(row: Any, settings: PotentialSettings) -> dict[str, Any]:
    flow = getattr(row, "flow_m3_per_day", np.nan)
    pe = getattr(row, "population_equivalents", np.nan)
    if pd.isna(flow) and pd.isna(pe):
        return {"messages": ["neither flow_m3_per_day nor population_equivalents given"]}
    cooling = getattr(row, "max_cooling_k", np.nan)
    return wastewater_study(
        flow_m3_per_day=None if pd.isna(flow) else float(flow),
        population_equivalents=None if pd.isna(pe) or not pd.isna(flow) else float(pe),
        temp_c=_optional(getattr(row, "temp_min_c", np.nan)),
        max_cooling_k=float(_default_cooling() if pd.isna(cooling) else cooling),
        min_outlet_temp_c=_optional(getattr(row, "min_outlet_temp_c", np.nan)),
        supply_temp_c=_supply(settings),
        return_temp_c=settings.network_return_temp_c,
    )


def _optional(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _default(key: str) -> float:
    return parameter("potential_defaults.csv", key)


def _default_cooling() -> float:
    return _default("effluent_max_cooling_k")


def _supply(settings: PotentialSettings) -> float:
    if settings.network_supply_temp_c is not None:
        return settings.network_supply_temp_c
    return _default("network_supply_temp_c")


def sewer_rows(sewers: gpd.GeoDataFrame, settings: PotentialSettings) -> gpd.GeoDataFrame:
    """In-sewer exchanger potential of every sewer section (from DN 800)."""
    result = sewer_heat_potential(
        sewers, supply_temp_c=_supply(settings), return_temp_c=settings.network_return_temp_c
    )
    hours = 8760.0 / _KWH_PER_MWH  # dry-weather flow runs all year
    return _rows(
        result,
        result.geometry,
        sewers.crs,
        kind="sewer",
        carrier="ambient_heat",
        name=result["line_id"],
        excluded=~result["included"].astype(bool),
        capacity_kw=result["heat_output_min_kw"],
        power_mwh_per_a=0.0,
        heat_mwh_per_a=result["heat_output_min_kw"] * hours,
        reason=result["excluded_reason"],
    )


def waste_heat_rows(register: gpd.GeoDataFrame, settings: PotentialSettings) -> gpd.GeoDataFrame:
    """Industrial waste heat of the register (company names stay in the planner's store)."""
    named = register.rename(columns={"temp_c": "temperature_c"})
    result = waste_heat_potentials(named, temp_supply_c=_supply(settings))
    return _rows(
        result,
        register.geometry,
        register.crs,
        kind="industrial_waste_heat",
        carrier="waste_heat",
        name=register.get("company"),
        excluded=False,
        capacity_kw=result["capacity_kw"],
        heat_mwh_per_a=result["heat_mwh_per_a"],
        power_mwh_per_a=0.0,
    )


def biomass_rows(settings: PotentialSettings, centre: Any, crs: Any) -> gpd.GeoDataFrame:
    """Biogas CHP and pyrolysis of the municipality's residues ([potentials] amounts)."""
    amounts = {
        k: getattr(settings, k)
        for k in (
            "green_cuttings_t_per_a",
            "wood_waste_t_per_a",
            "biowaste_t_per_a",
            "sludge_t_dm_per_a",
        )
    }
    if not any(amounts.values()):
        return _rows(pd.DataFrame(), [], crs)
    study = biomass_study(**amounts)
    frame = pd.DataFrame(index=[0])
    return _rows(
        frame,
        [centre],
        crs,
        kind="biomass_residues",
        carrier="biogas",
        name="municipal residues (heatplan.toml [potentials])",
        excluded=False,
        heat_mwh_per_a=study["heat_mwh_per_a"],
        power_mwh_per_a=study["power_mwh_per_a"],
        reason=f"biochar {study['biochar_t_per_a']:,.0f} t/a; "
        + "; ".join(study.get("messages", [])),
    )


def geology_rows(
    region: str, settings: PotentialSettings, centre: Any, crs: Any
) -> gpd.GeoDataFrame:
    """Groundwater heat pump and deep geothermal of the project's geological region (one
    doublet each, regional estimates placed at the town's centre)."""
    found = regional_potentials(
        region,
        supply_temp_c=_supply(settings),
        return_temp_c=_return(settings),
        rho_cp=parameter("wastewater_parameters.csv", "volumetric_heat_capacity"),
    )
    if not found:
        return _rows(pd.DataFrame(), [], crs)
    frame = pd.DataFrame(found)
    return _rows(
        frame, [centre] * len(frame), crs, kind=frame["kind"], carrier=frame["carrier"],
        name=f"{region} (regional estimate)", excluded=False, power_mwh_per_a=0.0,
        heat_mwh_per_a=frame["heat_mwh_per_a"], capacity_kw=frame["capacity_kw"],
        reason=frame["reason"],
    )  # fmt: skip


def _return(settings: PotentialSettings) -> float:
    if settings.network_return_temp_c is not None:
        return settings.network_return_temp_c
    return _supply(settings) - parameter("wastewater_parameters.csv", "network_spread_k")


# --- the stage -------------------------------------------------------------------------------
def run(plan: Plan, *, progress: Progress | None = None) -> tuple[Plan, PotentialsResult]:
    """Every potential of ``plan``: a new plan with ``potentials`` and ``decentral_options``."""
    say = stage_reporter(log, progress)
    config = plan.settings
    buildings = inventory_buildings(plan, purpose="potentials use the heat demand")
    settings = config.potentials
    zones = plan.layer("exclusion_zones")
    say("roofs: PV and solar thermal")
    faces = plan.get("roof_surfaces")
    parts = [roof_rows(buildings, project_region(config, buildings), faces)]
    say("decentral heat pumps")
    decentral, options = decentral_rows(buildings, zones)
    parts.append(decentral)
    messages = []
    builders = {"sewage_plants": plant_rows, "sewers": sewer_rows, "waste_heat": waste_heat_rows}
    for name, build in builders.items():
        layer = plan.layer(name)
        if layer is None or layer.empty:
            messages.append(f"no {name.replace('_', ' ')}: `heatplan import {REGISTERS[name]}`")
            continue
        say(name.replace("_", " "))
        parts.append(build(layer, settings))
    centre = town_centre(buildings.geometry)
    parts.append(biomass_rows(settings, centre, buildings.crs))
    if config.project.geology_region:
        say(f"geology: {config.project.geology_region}")
        parts.append(geology_rows(config.project.geology_region, settings, centre, buildings.crs))
    messages.append(ground_message(options))
    messages.append(roof_message(parts[0]))
    found = _numbered(pd.concat([p for p in parts if len(p)], ignore_index=True))
    new = plan.with_frames(potentials=found, decentral_options=pd.DataFrame(options))
    return new, _result(found, messages)


def _numbered(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    frame["potential_id"] = [f"P{i + 1}" for i in range(len(frame))]
    frame["excluded"] = frame["excluded"].fillna(False).astype(bool)
    for column in ("heat_mwh_per_a", "power_mwh_per_a", "capacity_kw"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("name", col.BUILDING_ID, "reason"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)  # type: ignore[call-overload]
    return gpd.GeoDataFrame(frame, geometry="geometry")


def _result(potentials: pd.DataFrame, messages: list[str]) -> PotentialsResult:
    usable = potentials[~potentials["excluded"]]
    by_kind = usable.groupby("kind")
    return PotentialsResult(
        potentials=len(potentials),
        heat_mwh_per_a={str(k): float(v) for k, v in by_kind["heat_mwh_per_a"].sum().items()},
        power_mwh_per_a={
            str(k): float(v) for k, v in by_kind["power_mwh_per_a"].sum().items() if v > 0
        },
        messages=messages,
    )
