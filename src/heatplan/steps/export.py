"""``heatplan export``: the plan as XWärmeplan GML, an XLSX workbook or a public GeoPackage.

Everything that leaves the project here is the public edition: the exporters drop
building-level layers and suppress aggregates of fewer than 5 buildings (WPG § 10;
:mod:`heatplan.publish`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.io.export_gpkg import write_gpkg
from heatplan.io.export_xlsx import write_xlsx
from heatplan.io.export_xwp import Engine, PlanContent, PlanMetadata, write_xwaermeplan
from heatplan.project.config import ProjectConfig, load_config
from heatplan.project.store import Store, open_store
from heatplan.steps.common import classified_areas

Format = Literal["xwaermeplan", "xlsx", "gpkg"]
SUFFIX = {"xwaermeplan": ".gml", "xlsx": ".xlsx", "gpkg": ".gpkg"}
#: Layers read for an export. Of the gas and heat-network registers only the mains leave the
#: project (:func:`heatplan.publish.layers.network_mains`; the streets tell them apart).
STORE_LAYERS = (
    "areas",
    "blocks",
    "street_segments",
    "grid_100m",
    "potentials",
    "totals",
    "networks",
    "network_pipes",
    "scenario_indicators",
    "scenario_costs",
    "heat_networks",
    "gas_networks",
    "streets",
)


def default_path(project_dir: Path, fmt: Format) -> Path:
    return Path(project_dir) / "export" / f"waermeplan{SUFFIX[fmt]}"


def plan_metadata(config: ProjectConfig) -> PlanMetadata:
    """WP_Plan's fields from ``heatplan.toml``; the two council dates are required."""
    plan = config.plan
    missing = [k for k in ("start_decision_date", "adoption_date") if getattr(plan, k) is None]
    if missing:
        raise HeatplanError(
            f"XWärmeplan needs [plan] {' and '.join(missing)} in heatplan.toml (YYYY-MM-DD; for "
            "a draft, the planned date of the council decision)"
        )
    town = config.municipality.name
    try:
        return PlanMetadata(
            name=plan.name or f"Kommunale Wärmeplanung {town}",
            municipality=town,
            regional_key=config.municipality.key,
            description=plan.description or f"Wärmeplan {town} (heatplan)",
            base_year=config.project.price_year,
            start_decision_date=plan.start_decision_date,  # type: ignore[arg-type]
            adoption_date=plan.adoption_date,  # type: ignore[arg-type]
            target_year=config.project.target_year,
            legal_basis=plan.legal_basis,
        )
    except ValueError as exc:
        raise HeatplanError(str(exc)) from exc


def _frames(store: Store) -> dict[str, pd.DataFrame]:
    return {name: store.read(name) for name in STORE_LAYERS if store.has(name)}


def _has_rows(store: Store, name: str) -> bool | None:
    """Whether layer ``name`` holds rows; None when it was never imported."""
    return store.count(name) > 0 if store.has(name) else None


def plan_content(store: Store) -> PlanContent:
    """The store tables the XWärmeplan export reads besides ``areas`` (missing ones: None).

    ``buildings`` is read for counting only (cells of the WPG § 10 rules, residential
    buildings); the XWärmeplan writer publishes no building-level value.
    """

    def read(name: str) -> pd.DataFrame | None:
        return store.read(name) if store.has(name) else None

    return PlanContent(
        scenario_indicators=read("scenario_indicators"),
        totals=read("totals"),
        buildings=read("buildings"),
        blocks=read("blocks"),
        street_segments=read("street_segments"),
        potentials=read("potentials"),
        measures=read("measures"),
        gas_network=_has_rows(store, "gas_networks"),
        heat_network=_has_rows(store, "heat_networks"),
        sewers=_has_rows(store, "sewers"),
    )


def run_export(
    project_dir: Path, fmt: Format, out: Path | None = None, *, engine: Engine = "auto"
) -> dict[str, Any]:
    """Write one export of the project's public edition; returns what was written.

    ``engine`` chooses the XWärmeplan writer ('auto': xplan-tools where installed).
    """
    if fmt not in SUFFIX:
        raise HeatplanError(f"--format {fmt!r}: choose xwaermeplan, xlsx or gpkg")
    config = load_config(project_dir)
    store = open_store(config.store_url(Path(project_dir)))
    path = Path(out) if out is not None else default_path(project_dir, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xwaermeplan":
        areas = classified_areas(store)
        content = plan_content(store)
        plan = plan_metadata(config)
        return write_xwaermeplan(areas, plan, path, engine=engine, content=content).to_dict()
    frames = _frames(store)
    if fmt == "gpkg":
        return write_gpkg(frames, path).to_dict()
    return write_xlsx(
        path,
        areas=classified_areas(store),
        totals=frames.get("totals"),
        buildings=store.read("buildings") if store.has("buildings") else None,
        potentials=frames.get("potentials"),
        scenario_indicators=frames.get("scenario_indicators"),
        title=f"Kommunale Wärmeplanung {config.municipality.name}",
    ).to_dict()
