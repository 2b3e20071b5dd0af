"""What a report may use, taken once from the plan and made public before anything else.

The building layer is read only to aggregate it (buildings by use and age class, the inventory
cells with their building counts) and is dropped right here: no section, chart or map ever sees
a building's data (the maps' base keeps the outlines only, :mod:`heatplan.publish.basemap`).
The public edition takes every layer through :mod:`heatplan.publish` (via the public GeoPackage
rules of :func:`heatplan.publish.layers.public_layers`) — in both editions:
the planners' (internal) edition differs only in the measures it lists (non-public ones too,
with those responsible), never in building data. Existing gas and heat networks appear only as
total length: their registers hold the house connections, i.e. who heats with what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.publish import area_suppression
from heatplan.publish.basemap import base_geometry
from heatplan.publish.layers import RELEASE_INPUTS, Withheld, public_layers
from heatplan.publish.release import ReleaseAudit
from heatplan.publish.rules import drop_confidential
from heatplan.publish.tables import buildings_table, inventory_table, potentials_table
from heatplan.report.map_base import MapBase, outline_of

__all__ = ["AGGREGATE_LAYERS", "REPORT_FRAMES", "ReportInputs", "load_inputs"]

#: Layers read for the plan report (all aggregates, no building rows).
AGGREGATE_LAYERS = (
    "areas",
    "blocks",
    "street_segments",
    "potentials",
    "potentials_by_block",
    "networks",
    "network_pipes",
    "grid_supply_areas",
    "grid_trafo_areas",
)
TABLES = ("totals", "scenario_indicators", "scenario_costs")
#: Existing networks: only their total length is reported (the registers hold house connections).
EXISTING = {"gas_networks": "Gasnetz", "heat_networks": "Wärmenetz"}
#: Every frame a report reads: the release inputs, the tables and the existing networks.
REPORT_FRAMES = (*RELEASE_INPUTS, *TABLES, "streets", *EXISTING)


@dataclass
class ReportInputs:
    """Public (or internal) layers and tables of one project, nothing per building."""

    public: bool
    layers: dict[str, pd.DataFrame] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: inventory cells (labelled, suppressed in the public edition), see ``inventory_table``
    inventory: pd.DataFrame | None = None
    #: buildings and heated area by use and age class (no consumption)
    stock: pd.DataFrame | None = None
    #: existing network name (German) -> total length [km]; None: no such layer in the project
    existing_km: dict[str, float | None] = field(default_factory=dict)
    #: street lines as map background (geometry and street name only)
    streets: gpd.GeoDataFrame | None = None
    #: building outlines (or points) as map background: geometry only, no attribute
    building_outlines: gpd.GeoDataFrame | None = None
    #: the municipality's name, written on the maps
    place: str = ""
    #: rows left out or suppressed, per layer (public edition)
    suppressed: dict[str, int] = field(default_factory=dict)
    source_files: list[str] = field(default_factory=list)
    #: ids of areas whose figures are suppressed (under the minimum or against differencing)
    suppressed_areas: set[str] = field(default_factory=set)
    #: the disclosure audit of the public edition (what was checked, counts suppressed)
    audit: ReleaseAudit = field(default_factory=ReleaseAudit)

    def layer(self, name: str) -> Any:
        """A layer or table if the project has it, else None."""
        if name in self.layers:
            return self.layers[name]
        return self.tables.get(name)

    def map_base(self, attribution: str) -> MapBase:
        """The base of every map: streets, buildings, the planning area's outline."""
        return MapBase(
            streets=self.streets,
            buildings=self.building_outlines,
            boundary=outline_of(self.layer("areas")),
            boundary_label="Umriss des Planungsgebiets",
            place=self.place,
            attribution=attribution,
        )


def _files(frames: list[pd.DataFrame | None]) -> set[str]:
    found: set[str] = set()
    for frame in frames:
        if frame is not None and "source_file" in frame.columns:
            found |= {str(v) for v in frame["source_file"].dropna().unique()}
    return found


def _suppressed_areas(raw: pd.DataFrame, released: pd.DataFrame) -> set[str]:
    """Ids of areas whose figures the release holds back (own rule or the audit)."""
    hidden = area_suppression(raw).to_numpy(bool)
    if col.HEAT_DEMAND_MWH_PER_A in raw.columns:
        audited = (
            released[col.HEAT_DEMAND_MWH_PER_A].isna() & raw[col.HEAT_DEMAND_MWH_PER_A].notna()
        )
        hidden |= audited.to_numpy(bool)
    return set(raw.loc[hidden, col.AREA_ID].astype(str))


def load_inputs(
    plan: Plan,
    *,
    public: bool = True,
    release: tuple[dict[str, pd.DataFrame], Withheld] | None = None,
) -> ReportInputs:
    """The report's inputs from ``plan``; building rows are aggregated and dropped.

    ``release``: the audited release of the plan's :data:`RELEASE_INPUTS` when the caller
    has it (the project store keeps it, :mod:`heatplan.steps.release`); else it is made here.
    """
    raw = {n: f for n in RELEASE_INPUTS if (f := plan.get(n)) is not None}
    inputs = ReportInputs(public=public, place=plan.settings.municipality.name)
    inputs.tables = {n: f for n in TABLES if (f := plan.get(n)) is not None}
    # the one audited release, as every public output
    layers, summary = release if release is not None else public_layers(raw)
    if "areas" in raw:
        inputs.suppressed_areas = _suppressed_areas(raw["areas"], layers["areas"])
    inputs.layers = {n: f for n, f in layers.items() if n in AGGREGATE_LAYERS}
    inputs.suppressed = {k: v for k, v in summary.suppressed_rows.items() if v}
    inputs.audit = summary.audit
    buildings = raw.get("buildings")
    totals = inputs.tables.get("totals")
    if buildings is not None:
        inputs.stock = buildings_table(buildings)
        if totals is not None and len(totals):
            inputs.inventory = inventory_table(totals, buildings, released=layers.get("inventory"))
    if raw.get("potentials") is not None:  # the municipal sums, as the XLSX and XWärmeplan
        shown, _ = drop_confidential(pd.DataFrame(raw["potentials"]))
        inputs.tables["potentials_table"] = potentials_table(shown)
    inputs.tables.pop("totals", None)  # only its suppressed form (``inventory``) is shown
    lines = {name: plan.get(name) for name in ("streets", *EXISTING)}
    for name, label in EXISTING.items():
        frame = lines[name]
        if frame is None:  # said in the key figures: the areas' "kein ... bekannt" rests on it
            inputs.existing_km[label] = None
        elif len(frame):
            inputs.existing_km[label] = float(frame.geometry.length.sum()) / 1000.0
    inputs.streets = base_geometry(lines["streets"], names=True)
    inputs.building_outlines = base_geometry(buildings)
    inputs.source_files = sorted(_files([buildings, *lines.values()]))
    return inputs
