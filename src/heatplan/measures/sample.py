"""The demo's sample catalogue (``data/demo_measures_schutterwald.toml``), linked to its areas.

The file is a sample, not a council decision (its header says so). Linking rule per measure
(``link``): ``network`` -> areas whose 2045 type is a heat-network type, or, where the plan has
none, the areas the designed network (``network_pipes``) runs through; ``decentral`` -> areas
whose 2045 type is decentral supply; ``none`` -> no area (the whole municipality).

A measure with ``when = "network_area"`` belongs to a plan with at least one heat-network area
in 2045 (building a network the plan does not recommend would contradict it); one with
``when = "no_network_area"`` only to a plan without (all areas decentral: the measures that
carry decentral supply instead).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from importlib import resources
from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan.measures import edit
from heatplan.measures.records import Catalogue
from heatplan.plan import columns as col

SAMPLE_FILE = "demo_measures_schutterwald.toml"
AUTHOR = "heatplan-Demo"
NETWORK_TYPE_PREFIX = "waermenetz"


def sample_file() -> dict[str, Any]:
    with resources.files("heatplan.data").joinpath(SAMPLE_FILE).open("rb") as handle:
        return tomllib.load(handle)


def _shift(value: Any, years: int) -> Any:
    if isinstance(value, dt.date) and years:
        try:
            return value.replace(year=value.year + years)
        except ValueError:  # 29 February
            return value.replace(year=value.year + years, day=28)
    return value


def _shifted(record: dict[str, Any], years: int) -> dict[str, Any]:
    return {k: _shift(v, years) for k, v in record.items()}


def link_rules(
    areas: gpd.GeoDataFrame | None, pipes: gpd.GeoDataFrame | None
) -> dict[str, list[str]]:
    """Area ids per link rule (``network``, ``decentral``, ``none``)."""
    rules: dict[str, list[str]] = {"network": [], "decentral": [], "none": []}
    if areas is None or "area_type_2045" not in areas.columns:
        return rules
    kind = areas["area_type_2045"].astype(str)
    ids = areas[col.AREA_ID].astype(str)
    rules["decentral"] = sorted(ids[kind == "dezentral"])
    rules["network"] = sorted(ids[kind.str.startswith(NETWORK_TYPE_PREFIX)])
    if not rules["network"] and pipes is not None and len(pipes):
        crossed = areas.intersects(pipes.to_crs(areas.crs).union_all())
        rules["network"] = sorted(ids[crossed])
    return rules


def _has_network_area(areas: gpd.GeoDataFrame | None) -> bool:
    if areas is None or "area_type_2045" not in areas.columns:
        return False
    return bool(areas["area_type_2045"].astype(str).str.startswith(NETWORK_TYPE_PREFIX).any())


def _network_effect(networks: pd.DataFrame | None) -> dict[str, Any]:
    """Expected effect of building the demo's designed network(s), from table ``networks``."""
    if networks is None or networks.empty:
        return {}
    effect: dict[str, Any] = {
        "effect_network_km": round(float(networks["trench_length_m"].sum()) / 1000.0, 2),
        "effect_buildings_connected": int(networks["buildings_connected"].sum()),
        "effect_mwh_per_a": round(float(networks["heat_delivered_mwh_per_a"].sum()), 0),
        "cost_eur": round(float(networks["investment_eur"].sum()), -3),
    }
    co2 = [json.loads(g).get("co2_t_per_a") for g in networks.get("generation", []) if g]
    if co2 and all(c is not None for c in co2):
        effect["network_co2_t_per_a"] = float(sum(co2))
    return effect


def demo_catalogue(
    areas: gpd.GeoDataFrame | None,
    networks: pd.DataFrame | None,
    pipes: gpd.GeoDataFrame | None = None,
    *,
    today: dt.date | None = None,
) -> Catalogue:
    """The sample catalogue, dates shifted to the run year, linked to the project's areas."""
    sample = sample_file()
    today = today or dt.date.today()
    years = today.year - int(sample["sample"]["base_year"])
    rules = link_rules(areas, pipes)
    situation = "network_area" if _has_network_area(areas) else "no_network_area"
    network = _network_effect(networks)
    network.pop("network_co2_t_per_a", None)  # the network's own emissions, not a reduction
    catalogue = Catalogue()
    now = f"{today.isoformat()}T00:00:00+00:00"
    for raw in sample["measure"]:
        if raw.get("when", situation) != situation:
            continue
        record = _shifted({k: v for k, v in raw.items() if k != "when"}, years)
        progress = [_shifted(p, years) for p in record.pop("progress", [])]
        record["steps"] = [_shifted(s, years) for s in record.pop("steps", [])]
        record["area_ids"] = rules[record.pop("link", "none")]
        record.pop("source")
        if record.pop("effect_from_network", False):
            record.update(network)
        edit.add(catalogue, record, author=AUTHOR, now=now)
        for entry in progress:
            if entry["entry_date"] <= today:
                edit.append_progress(
                    catalogue, raw["measure_id"], entry, author=entry["author"], now=now
                )
    return catalogue
