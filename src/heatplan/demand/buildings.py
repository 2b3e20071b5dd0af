"""Heat demand, carrier, final energy and CO2e of every building (inventory, WPG §15).

Order of methods per building:
1. **measured** — metered consumption (consumption table), mean of the 3 most recent years per
   carrier, x the efficiency of the heater (heater register) or the carrier's default, space
   heating weather-corrected to the region's DWD TRY (``demand.measured``);
2. **typology** / **benchmark** — TABULA (residential) or the 2021 non-residential comparison
   values x heated area (``demand.typology``), the area given or estimated from footprint and
   storeys (GEG A_N = 0.32 V_e);
3. **unknown** — nothing known: demand stays NaN, never invented.

Consumption and heater rows are matched to buildings by ``building_id``, else by the normalised
address; rows that match no building are counted (``DemandResult.unmatched``) and reported by
the inventory, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan.demand.carrier_prior import carrier_sources
from heatplan.demand.climate import ReferenceWeather
from heatplan.demand.measured import MEASURED_COLUMNS, measured_heat_demand
from heatplan.demand.profiles import profile_class
from heatplan.demand.typology import (
    RESIDENTIAL_USES,
    UNKNOWN,
    age_class_for_year,
    age_classes,
    estimate_heated_area_m2,
    typology_heat_demand,
)
from heatplan.plan import columns as col
from heatplan.reference import carriers, heater_types, table

#: Heater types whose metered carrier 'electricity' is heating (data/heater_types.csv codes).
ELECTRIC_HEATERS = ("heat_pump_air", "heat_pump_ground", "electric_storage")
_KWH_PER_T = 1e6  # g -> t for kWh x g/kWh


@dataclass
class DemandResult:
    """Buildings with their demand columns, and counts of input rows matching no building."""

    buildings: gpd.GeoDataFrame
    unmatched: dict[str, int] = field(default_factory=dict)


def _default(parameter: str) -> str:
    frame = table("demand_defaults.csv").set_index("parameter")
    return str(frame.loc[parameter, "value"])


# --- attributes ------------------------------------------------------------------------------
def _numbers(frame: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column, all NaN when the layer lacks it."""
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").astype(float)


def _age_class(frame: pd.DataFrame) -> pd.Series:
    """From the construction year where known, else a given valid age class, else unknown."""
    from_year = pd.Series(
        age_class_for_year(_numbers(frame, col.CONSTRUCTION_YEAR)), index=frame.index
    )
    given = frame.get("age_class", pd.Series(UNKNOWN, index=frame.index))
    valid = given.isin(set(age_classes()["age_class"]))
    return from_year.where(from_year.ne(UNKNOWN) | ~valid, given).astype(str)


def assumed_floors(floors: pd.Series, missing_floors: str | float) -> float:
    """Storeys assumed where neither floors nor height are known (NaN: stay unknown)."""
    if missing_floors == "unknown":
        return np.nan
    if missing_floors == "median":
        return float(floors.median()) if floors.notna().any() else np.nan
    return float(missing_floors)


def with_attributes(
    buildings: gpd.GeoDataFrame, *, missing_floors: str | float = UNKNOWN
) -> gpd.GeoDataFrame:
    """Age class from the construction year; heated area estimated where not given.

    ``missing_floors`` (see heatplan.toml ``missing_floors``) fills the storeys of footprints
    without floors and height; such areas are flagged ``estimated (assumed storeys)``.
    """
    out = buildings.copy()
    out["age_class"] = _age_class(out)
    given = _numbers(out, col.HEATED_AREA_M2)
    floors, height = _numbers(out, "floors"), _numbers(out, "height_m")
    assumed = floors.isna() & height.isna()
    floors = floors.where(~assumed, assumed_floors(floors, missing_floors))
    estimated = pd.Series(
        estimate_heated_area_m2(
            _numbers(out, "footprint_area_m2"), floors.to_numpy(float), height.to_numpy(float)
        ),
        index=out.index,
    )
    out[col.HEATED_AREA_M2] = given.fillna(estimated)
    kind = np.where(assumed, "estimated (assumed storeys)", "estimated")
    imported = out.get("heated_area_source", pd.Series(None, index=out.index)).astype("string")
    flagged = imported.str.startswith("estimated (LoD2").fillna(False)  # an import's estimate
    given_kind = np.where(flagged, imported.fillna(""), "given")
    source = np.where(given.notna(), given_kind, np.where(estimated.notna(), kind, UNKNOWN))
    out["heated_area_source"] = source
    if "address" not in out.columns:
        out["address"] = None
    return out


# --- matching input rows to buildings -------------------------------------------------------
def match_rows(rows: pd.DataFrame, buildings: pd.DataFrame) -> pd.Series:
    """``building_id`` of each row: its own where known, else by address; NaN when no match.

    An address shared by several buildings goes to the one with the largest heated area. A
    building known without postcode (the cadastre's Lagebezeichnung names street and number
    only) takes a row with postcode when its street and number are unique among the buildings.
    """
    known = set(buildings[col.BUILDING_ID].astype(str))
    own = rows.get(col.BUILDING_ID, pd.Series(None, index=rows.index)).astype(object)
    own = own.where(own.astype(str).isin(known))
    ranked = buildings.assign(_area=pd.to_numeric(buildings[col.HEATED_AREA_M2], errors="coerce"))
    ranked = ranked.dropna(subset=["address"]).sort_values("_area", ascending=False)
    by_address = ranked.drop_duplicates("address").set_index("address")[col.BUILDING_ID]
    address = rows.get("address", pd.Series(None, index=rows.index)).astype(object)
    bare = ranked[~ranked["address"].astype(str).str.contains(",", regex=False)]
    by_bare = bare.drop_duplicates("address", keep=False).set_index("address")[col.BUILDING_ID]
    street_and_number = address.map(_without_postcode)
    found = _first_known(address.map(by_address), street_and_number.map(by_bare))
    return _first_known(own, found).rename(col.BUILDING_ID)


def _without_postcode(key: object) -> object:
    """``'street number'`` of an address key ``'street number, postcode'`` (None: none)."""
    return key.split(",")[0].strip() if isinstance(key, str) and "," in key else None


def _first_known(values: pd.Series, other: pd.Series | str) -> pd.Series:
    """``values`` where known, else ``other`` (object columns, no dtype downcasting)."""
    return values.astype(object).where(values.notna(), other)


def _matched(rows: pd.DataFrame | None, buildings: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    if rows is None or rows.empty:
        return pd.DataFrame(columns=[col.BUILDING_ID]), 0
    ids = match_rows(rows, buildings)
    return rows.assign(building_id=ids)[ids.notna()], int(ids.isna().sum())


# --- heater register -------------------------------------------------------------------------
def heater_summary(heaters: pd.DataFrame) -> pd.DataFrame:
    """Per building: generator count, main heater (largest kW) type, carrier and efficiency."""
    columns = ["generators", "heater_type", "heater_carrier", "heater_efficiency"]
    if heaters.empty:
        return pd.DataFrame(columns=columns).rename_axis(col.BUILDING_ID)
    efficiency = heater_types()["efficiency"]
    ranked = heaters.assign(_kw=pd.to_numeric(heaters["capacity_kw"], errors="coerce").fillna(0))
    main = ranked.sort_values("_kw", ascending=False).drop_duplicates(col.BUILDING_ID)
    main = main.set_index(col.BUILDING_ID)
    return pd.DataFrame(
        {
            "generators": heaters.groupby(col.BUILDING_ID).size(),
            "heater_type": main["heater_type"],
            "heater_carrier": main[col.CARRIER],
            "heater_efficiency": main["heater_type"].map(efficiency).astype(float),
        }
    )[columns]


# --- demand ----------------------------------------------------------------------------------
def _efficiency(index: pd.Index | pd.Series, heater: pd.DataFrame, carrier: pd.Series) -> pd.Series:
    """Heater efficiency where registered, else the default of the building's carrier."""
    default = carrier.map(carriers()["default_efficiency"]).astype(float)
    return heater["heater_efficiency"].reindex(index).astype(float).fillna(default)


def _hot_water_share(typology: pd.DataFrame) -> pd.Series:
    share = typology["hot_water_kwh_per_a"] / typology[col.HEAT_DEMAND_KWH_PER_A]
    return share.fillna(float(_default("hot_water_share_unknown_use")))


def _measured(
    consumption: pd.DataFrame,
    typology: pd.DataFrame,
    heater: pd.DataFrame,
    weather: ReferenceWeather,
) -> pd.DataFrame:
    if consumption.empty:
        return pd.DataFrame(columns=MEASURED_COLUMNS, dtype=object).astype(
            {col.HEAT_DEMAND_KWH_PER_A: float, col.FINAL_ENERGY_KWH_PER_A: float}
        )
    index = typology.index
    main = consumption.sort_values("final_energy_kwh").drop_duplicates(col.BUILDING_ID, keep="last")
    main_carrier = main.set_index(col.BUILDING_ID)[col.CARRIER].reindex(index)
    electric = heater.index[heater["heater_type"].isin(ELECTRIC_HEATERS)]
    return measured_heat_demand(
        consumption,
        _efficiency(index, heater, main_carrier).dropna(),
        weather.hdd_reference_kd,
        weather.hdd_by_year_kd,
        _hot_water_share(typology),
        electric_heating_buildings=set(electric),
    )


def _modelled_final(demand: pd.Series, carrier: pd.Series, efficiency: pd.Series) -> pd.Series:
    """Final energy of modelled demand for buildings whose carrier is known [kWh/a]."""
    return (demand / efficiency).where(carrier.ne(UNKNOWN))


def _sector(use: pd.Series) -> pd.Series:
    bench = table("nonresidential_benchmarks.csv").set_index("category")["sector"]
    sector = use.map(bench).where(~use.isin(RESIDENTIAL_USES), "households")
    return sector.fillna(UNKNOWN).astype(str)


def _profile_classes(use: pd.Series, age: pd.Series, has_demand: pd.Series) -> pd.DataFrame:
    pairs = pd.DataFrame({col.USE: use.astype(str), "age": age.astype(str)})
    unique = pairs.drop_duplicates()
    names = {(u, a): profile_class(u, a) for u, a in unique.itertuples(index=False)}
    classes = pd.Series([names[p] for p in pairs.itertuples(index=False)], index=use.index)
    fallback_class = (
        f"{_default('fallback_profile_shlp_type')}"
        f"_bc{int(_default('fallback_profile_building_class')):02d}_w0"
    )
    needs = classes.eq(UNKNOWN) & has_demand
    source = np.where(
        needs, "fallback (use unknown)", np.where(classes.eq(UNKNOWN), UNKNOWN, "use and age class")
    )
    return pd.DataFrame(
        {col.PROFILE_CLASS: classes.where(~needs, fallback_class), "profile_class_source": source},
        index=use.index,
    )


def building_demand(
    buildings: gpd.GeoDataFrame,
    *,
    consumption: pd.DataFrame | None,
    heaters: pd.DataFrame | None,
    weather: ReferenceWeather,
    missing_floors: str | float = UNKNOWN,
) -> DemandResult:
    """Demand, carrier, final energy, CO2e, sector, generators and profile class per building.

    Returns a :class:`DemandResult` whose ``buildings`` carry the inventory columns of
    ``data/attributes.csv`` (``heat_demand_kwh_per_a`` [kWh/a], ``final_energy_kwh_per_a``
    [kWh/a], ``co2_t_per_a`` [t/a], ``carrier``, ``heater_type``, ``generators``, ...) and
    ``carrier_source`` (``measured``, ``register``, ``zensus_2022_grid`` where the Zensus cell's
    carrier shares are the prior of :mod:`heatplan.demand.carrier_prior`, ``unknown``).
    """
    out = with_attributes(buildings, missing_floors=missing_floors)
    ids = out[col.BUILDING_ID].astype(str)
    heater_rows, unmatched_heaters = _matched(heaters, out)
    metered, unmatched_consumption = _matched(consumption, out)
    heater = heater_summary(heater_rows)
    typology = typology_heat_demand(
        out[col.USE].astype(str).to_numpy(), out["age_class"], out[col.HEATED_AREA_M2]
    ).set_axis(ids)
    measured = _measured(metered, typology, heater, weather).reindex(ids)
    frame = _combine(ids, typology, measured, heater)
    frame = pd.concat(
        [
            frame,
            _profile_classes(
                pd.Series(out[col.USE].to_numpy(), index=ids),
                pd.Series(out["age_class"].to_numpy(), index=ids),
                frame[col.HEAT_DEMAND_KWH_PER_A].gt(0),
            ),
        ],
        axis=1,
    )
    frame["sector"] = _sector(pd.Series(out[col.USE].to_numpy(), index=ids))
    frame[col.CARRIER_SOURCE] = carrier_sources(
        out.set_axis(ids),
        measured=frame["demand_method"].eq("measured"),
        registered=frame["generators_source"].eq("register"),
    )
    for name in frame.columns:
        out[name] = frame[name].to_numpy()
    return DemandResult(out, {"consumption": unmatched_consumption, "heaters": unmatched_heaters})


def _combine(
    ids: pd.Series, typology: pd.DataFrame, measured: pd.DataFrame, heater: pd.DataFrame
) -> pd.DataFrame:
    is_measured = measured[col.HEAT_DEMAND_KWH_PER_A].notna()
    frame = typology.where(~is_measured, measured[typology.columns.drop("demand_method")])
    frame["demand_method"] = typology["demand_method"].where(~is_measured, "measured")
    frame["weather_corrected"] = measured["weather_corrected"].where(is_measured).astype("boolean")
    heater = heater.reindex(ids)
    carrier = _first_known(measured[col.CARRIER].where(is_measured), heater["heater_carrier"])
    frame[col.CARRIER] = _first_known(carrier, UNKNOWN).astype(str)
    frame["heater_type"] = _first_known(heater["heater_type"], UNKNOWN).astype(str)
    efficiency = _efficiency(ids, heater, frame[col.CARRIER])
    modelled = _modelled_final(frame[col.HEAT_DEMAND_KWH_PER_A], frame[col.CARRIER], efficiency)
    frame[col.FINAL_ENERGY_KWH_PER_A] = measured[col.FINAL_ENERGY_KWH_PER_A].where(
        is_measured, modelled
    )
    factor = frame[col.CARRIER].map(carriers()["co2_g_per_kwh"]).astype(float)
    frame[col.CO2_T_PER_A] = frame[col.FINAL_ENERGY_KWH_PER_A] * factor / _KWH_PER_T
    frame["generators"], frame["generators_source"] = _generators(frame, heater, is_measured)
    return frame


def _generators(
    frame: pd.DataFrame, heater: pd.DataFrame, is_measured: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Generator count from the register, else inferred for metered decentral fuels."""
    registered = heater["generators"].astype(float)
    network = frame[col.CARRIER].map(carriers()["network"]).eq("heat")
    inferred = is_measured & registered.isna() & ~network
    per_building = float(_default("inferred_generators_per_metered_building"))
    count = registered.fillna(pd.Series(np.where(inferred, per_building, 0.0), index=frame.index))
    source = np.where(registered.notna(), "register", np.where(inferred, "inferred", "none"))
    return count.astype("int64"), pd.Series(source, index=frame.index)
