"""The public edition the web map serves: tables through :mod:`heatplan.publish`, places, options.

Nothing here is computed per request: :func:`load_public` builds, once per store version, the
public layers (exactly the public GeoPackage export's release, read from the project store when
an earlier process audited it: :func:`heatplan.steps.release.project_release`), a search
index of places (addresses, streets, areas — with no building id and no figure), and the
full-cost comparison of the decentral options as *medians over at least 5 buildings* of the
same kind in the same area (falling back to wider groups), which cannot be differenced into a
single building's figures.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan.areas.assign import assign_areas
from heatplan.classify import grid_cost
from heatplan.classify.rules import GRADE_DE, GRADE_EN, TYPE_DE, TYPE_EN
from heatplan.inputs.addresses import address_keys
from heatplan.options import installed_cost
from heatplan.plan import columns as col
from heatplan.project.config import CONFIG_NAME, load_config
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION, flags
from heatplan.publish.costs import option_cost_table
from heatplan.publish.layers import RELEASE_INPUTS, pipe_status
from heatplan.reference import table
from heatplan.steps.release import project_release
from heatplan.steps.web import store_of

__all__ = [
    "GRADE_DE",
    "GRADE_EN",
    "OPTIONS",
    "TYPE_DE",
    "TYPE_EN",
    "UNPRICED_OPTIONS",
    "PublicData",
    "area_ids_of",
    "load_public",
    "web_settings",
]

#: option -> its full-cost column of building_options; the labels are in ``data/labels.csv``
#: (domains ``decentral_option`` and ``supply_option``)
OPTIONS = {
    "air_hp": "lcoh_air_hp_eur_per_mwh",
    "ground_hp": "lcoh_ground_hp_eur_per_mwh",
    "biomass": "lcoh_biomass_eur_per_mwh",
    "gas": "lcoh_gas_eur_per_mwh",
    "network": "network_lcoh_eur_per_mwh",
}
#: option -> its cost column in ``building_costs``: the options with German installed costs
#: (:mod:`heatplan.options.installed_cost`) and the network. The pellet boiler's cost is the
#: technology catalogue's Danish one, which its own source flags as far too low for Germany
#: (``installed_cost.MISSING``): a citizen is not shown it as a price.
OPTION_COLUMNS = {
    key: column
    for key, column in OPTIONS.items()
    if key in installed_cost.OPTIONS or key == "network"
}
#: Options the fact sheets name without a cost (no German market prices in the cost source).
UNPRICED_OPTIONS = tuple(key for key in OPTIONS if key in installed_cost.MISSING)
PLACE_COLUMNS = ("key", "label", "kind", col.AREA_ID, "lon", "lat", col.USE, "age_class")


@dataclass
class PublicData:
    """Everything the public API serves, built from one version of the store."""

    title: str
    years: list[int]
    target_year: int
    tables: dict[str, pd.DataFrame]
    places: pd.DataFrame
    #: released medians of the option costs per group of >= 5 buildings (publish.costs)
    option_costs: pd.DataFrame
    measures: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def areas(self) -> pd.DataFrame:
        return self.tables.get("areas", pd.DataFrame(columns=[col.AREA_ID]))


def web_settings(project_dir: Path) -> dict[str, Any]:
    """The ``[web]`` table of ``heatplan.toml`` (basemap_style, session_minutes, ...)."""
    raw = tomllib.loads((Path(project_dir) / CONFIG_NAME).read_text(encoding="utf-8"))
    web = raw.get("web", {})
    return dict(web) if isinstance(web, dict) else {}


def _public_tables(store: Any, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    tables, _ = project_release(store, frames)
    pipes = tables.get("network_pipes")
    if pipes is not None and "existing" in pipes.columns:
        tables["network_pipes"] = pipes.assign(status=pipe_status(pipes, tables.get("areas")))
    ground = _ground_potential(tables.get("potentials_by_block"))
    if ground is not None:
        tables["ground_potential"] = ground
    return tables


def _ground_potential(by_block: pd.DataFrame | None) -> gpd.GeoDataFrame | None:
    """Ground-probe heat per block and hectare [MWh/(ha·a)] from the public block sums."""
    if not isinstance(by_block, gpd.GeoDataFrame) or by_block.empty:
        return None
    usable = ~flags(by_block["excluded"]) if "excluded" in by_block.columns else True
    ground = by_block[(by_block["kind"].astype(str) == "ground_probes") & usable]
    ground = ground[ground.geometry.notna() & ~ground.geometry.is_empty]
    if ground.empty:
        return None
    area_ha = ground.geometry.area / 10_000.0
    density = pd.to_numeric(ground["heat_mwh_per_a"], errors="coerce") / area_ha.where(area_ha > 0)
    return ground.assign(heat_mwh_per_ha_a=density)


def _points_4326(frame: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    points = frame.geometry.representative_point().to_crs("EPSG:4326")
    return points.x.round(6), points.y.round(6)


def _address_places(buildings: gpd.GeoDataFrame) -> pd.DataFrame:
    keys = address_keys(buildings)
    has = keys.notna()
    if not has.any():
        return pd.DataFrame(columns=list(PLACE_COLUMNS))
    chosen = buildings[has.to_numpy()]
    lon, lat = _points_4326(chosen)
    street = chosen["street"].astype(str) if "street" in chosen else chosen.get("address")
    number = chosen.get("house_number", pd.Series("", index=chosen.index)).fillna("").astype(str)
    code = chosen.get("postcode", pd.Series("", index=chosen.index))
    code = code.map(lambda v: "" if pd.isna(v) else str(v).split(".")[0])
    label = (street + " " + number).str.strip() + code.map(lambda c: f", {c}" if c else "")
    frame = pd.DataFrame(
        {
            "key": "a:" + keys[has].astype(str),
            "label": label,
            "kind": "address",
            col.AREA_ID: chosen[col.AREA_ID],
            "lon": lon,
            "lat": lat,
            col.USE: chosen.get(col.USE),
            "age_class": chosen.get("age_class"),
        }
    )
    return frame.drop_duplicates("key")


def _street_places(store: Any, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    if not store.has("streets"):
        return pd.DataFrame(columns=list(PLACE_COLUMNS))
    streets = store.read("streets")
    if "name" not in streets.columns or streets["name"].notna().sum() == 0:
        return pd.DataFrame(columns=list(PLACE_COLUMNS))
    named = streets[streets["name"].notna()].dissolve(by="name").reset_index()
    located = assign_areas(named, areas) if len(areas) else named.assign(area_id=None)
    lon, lat = _points_4326(located)
    return pd.DataFrame(
        {
            "key": "s:" + located["name"].astype(str),
            "label": located["name"].astype(str),
            "kind": "street",
            col.AREA_ID: located[col.AREA_ID],
            "lon": lon,
            "lat": lat,
            col.USE: None,
            "age_class": None,
        }
    )


def _area_places(areas: gpd.GeoDataFrame) -> pd.DataFrame:
    lon, lat = _points_4326(areas)
    ids = areas[col.AREA_ID].astype(str)
    names = areas["name"].fillna("").astype(str) if "name" in areas.columns else ids
    plain = (names == "") | (names == ids) | (names == "Gebiet " + ids)
    return pd.DataFrame(
        {
            "key": "g:" + ids,
            "label": ("Gebiet " + ids).where(plain, names + " (" + ids + ")"),
            "kind": "area",
            col.AREA_ID: areas[col.AREA_ID].astype(str),
            "lon": lon,
            "lat": lat,
            col.USE: None,
            "age_class": None,
        }
    )


def _option_rows(store: Any, buildings: pd.DataFrame) -> pd.DataFrame:
    """Option costs per building with the building id dropped (kept only inside the server):
    ``building_costs`` of the classification (every building with a demand, the costs the area
    decision compared), else ``building_options`` of a network design."""
    columns = [col.AREA_ID, col.USE, "age_class", *OPTIONS.values()]
    if col.BUILDING_ID not in buildings.columns:
        return pd.DataFrame(columns=columns)
    source = next((n for n in ("building_costs", "building_options") if store.has(n)), None)
    if source is None:
        return pd.DataFrame(columns=columns)
    options = pd.DataFrame(store.read(source))
    if "building_state" in options.columns and source == "building_options":
        states = options["building_state"].astype(str)  # the building as it stands today
        options = options[states == states.iloc[0]] if len(options) else options
    kinds = pd.DataFrame(buildings[[col.BUILDING_ID, col.AREA_ID, col.USE, "age_class"]])
    options = options.drop(columns=[col.AREA_ID], errors="ignore")
    merged = options.merge(kinds, on=col.BUILDING_ID, how="inner").drop_duplicates(col.BUILDING_ID)
    if store.has("areas"):  # the heat pumps' full cost with the LV grid share, as decided
        areas = pd.DataFrame(store.read("areas"))
        if grid_cost.COLUMN in areas.columns:
            annuity = areas.set_index(areas[col.AREA_ID].astype(str))[grid_cost.COLUMN]
            merged = grid_cost.with_grid_costs(merged, annuity)
    return merged.reindex(columns=columns)


def _measures(project_dir: Path, store: Any) -> list[dict[str, Any]]:
    try:
        from heatplan.steps import measures as measure_steps  # helper M's module, when present

        return list(measure_steps.list_measures(project_dir, public=True))
    except ImportError:
        pass
    if not store.has("measures"):
        return []
    frame = pd.DataFrame(store.read("measures"))
    if "public" in frame.columns:
        frame = frame[frame["public"].map(lambda v: bool(v) if pd.notna(v) else True)]
    rows = frame.astype(object).to_dict(orient="records")
    return [{str(k): (None if _missing(v) else v) for k, v in row.items()} for row in rows]


def area_ids_of(measure: dict[str, Any]) -> list[str]:
    """The supply areas a measure names (a list, or text separated by ';')."""
    raw = measure.get("area_ids")
    items = raw if isinstance(raw, list | tuple) else str(raw or "").split(";")
    return [str(a).strip() for a in items if str(a).strip()]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def load_public(project_dir: Path) -> PublicData:
    """Build the public edition of the project (see the module docstring)."""
    project_dir = Path(project_dir)
    config = load_config(project_dir)
    store = store_of(project_dir)
    frames = {name: store.read(name) for name in RELEASE_INPUTS if store.has(name)}
    tables = _public_tables(store, frames)
    raw_areas = frames.get("areas")
    places = [pd.DataFrame(columns=list(PLACE_COLUMNS))]
    option_costs = option_cost_table(pd.DataFrame(), OPTION_COLUMNS)
    if "buildings" in frames:
        buildings = frames["buildings"].copy()
        if raw_areas is not None and len(raw_areas):
            buildings = assign_areas(buildings, raw_areas)
        else:
            buildings = buildings.assign(area_id=None)
        for column in (col.USE, "age_class"):
            if column not in buildings.columns:
                buildings[column] = "unknown"
        places.append(_address_places(buildings))
        option_costs = option_cost_table(_option_rows(store, buildings), OPTION_COLUMNS)
    if raw_areas is not None and len(raw_areas):
        places.append(_street_places(store, raw_areas))
        places.append(_area_places(raw_areas))
    found = [p for p in places if len(p)]
    index = pd.concat(found, ignore_index=True) if found else places[0]
    return PublicData(
        title=f"Kommunale Wärmeplanung {config.municipality.name}",
        years=[*config.project.snapshot_years, config.project.target_year],
        target_year=config.project.target_year,
        tables=tables,
        places=index.reset_index(drop=True),
        option_costs=option_costs,
        measures=_measures(project_dir, store),
        settings=web_settings(project_dir),
    )


def funding() -> pd.DataFrame:
    """The funding programmes table (``data/funding.csv``)."""
    return table("funding.csv")


def min_buildings() -> int:
    return MIN_BUILDINGS_CONSUMPTION
