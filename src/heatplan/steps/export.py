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
from heatplan.i18n import LANGUAGES
from heatplan.outputs.gpkg import write_gpkg
from heatplan.outputs.xlsx import write_xlsx
from heatplan.outputs.xwp.plan import Engine, PlanContent, PlanMetadata, write_xwaermeplan
from heatplan.plan import Plan
from heatplan.plan import columns as col
from heatplan.plan.checks import classified_areas
from heatplan.project.config import ProjectConfig
from heatplan.project.store import open_store
from heatplan.publish.layers import RELEASE_INPUTS
from heatplan.publish.rules import suppress_area_rows
from heatplan.steps.release import project_release

Format = Literal["xwaermeplan", "xlsx", "gpkg"]
SUFFIX = {"xwaermeplan": ".gml", "xlsx": ".xlsx", "gpkg": ".gpkg"}
#: Layers read for an export: what the release is decided from (with the buildings behind each
#: figure) and the scenario tables. Of the gas and heat-network registers only the mains leave
#: the project (:func:`heatplan.publish.layers.network_mains`; the streets tell them apart).
STORE_LAYERS = (*RELEASE_INPUTS, "scenario_indicators", "scenario_costs")
#: Every frame an export reads: the release inputs, and for XWärmeplan and XLSX the
#: buildings (counted, never published), the measures and the sewers (whether any exist).
EXPORT_FRAMES = (*STORE_LAYERS, "buildings", "measures", "sewers")


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


def _frames(plan: Plan) -> dict[str, pd.DataFrame]:
    return {name: plan.frame(name) for name in STORE_LAYERS if plan.has(name)}


def _has_rows(plan: Plan, name: str) -> bool | None:
    """Whether frame ``name`` holds rows; None when it was never imported."""
    frame = plan.get(name)
    return None if frame is None else len(frame) > 0


def plan_content(plan: Plan, release: dict[str, pd.DataFrame] | None = None) -> PlanContent:
    """The frames the XWärmeplan export reads besides ``areas`` (missing ones: None).

    ``buildings`` is read for counting only (cells of the WPG § 10 rules, residential
    buildings); the XWärmeplan writer publishes no building-level value.
    """
    return PlanContent(
        scenario_indicators=plan.get("scenario_indicators"),
        totals=plan.get("totals"),
        buildings=plan.get("buildings"),
        blocks=plan.get("blocks"),
        street_segments=plan.get("street_segments"),
        potentials=plan.get("potentials"),
        measures=plan.get("measures"),
        gas_network=_has_rows(plan, "gas_networks"),
        heat_network=_has_rows(plan, "heat_networks"),
        sewers=_has_rows(plan, "sewers"),
        release=release,
    )


def run_export(
    project_dir: Path,
    fmt: Format,
    out: Path | None = None,
    *,
    engine: Engine = "auto",
    language: str | None = None,
) -> dict[str, Any]:
    """Write one export of the project's public edition; returns what was written.

    ``engine`` chooses the XWärmeplan writer ('auto': xplan-tools where installed);
    ``language`` the XLSX's language (None: ``[plan] language`` of heatplan.toml).
    """
    if fmt not in SUFFIX:
        raise HeatplanError(f"--format {fmt!r}: choose xwaermeplan, xlsx or gpkg")
    if language is not None and language not in LANGUAGES:
        raise HeatplanError(f"--language {language!r}: choose {' or '.join(LANGUAGES)}")
    plan = Plan.from_project(project_dir, frames=EXPORT_FRAMES)
    config = plan.settings
    path = Path(out) if out is not None else default_path(project_dir, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = _frames(plan)
    # the one release every public output is cut from, audited as a whole (WPG § 10) once
    # per content of the plan and kept in the store
    store = open_store(config.store_url(Path(project_dir)))
    release, withheld = project_release(store, frames)
    audit = {"disclosure_audit": withheld.audit.to_dict()}
    if fmt == "gpkg":
        title = config.plan.name or f"Kommunale Wärmeplanung {config.municipality.name}"
        gpkg = write_gpkg(frames, path, release=(release, withheld), title=title)
        return {**gpkg.to_dict(), **audit}
    areas = _released_areas(classified_areas(plan), release)
    if fmt == "xwaermeplan":
        content = plan_content(plan, release)
        metadata = plan_metadata(config)
        written = write_xwaermeplan(areas, metadata, path, engine=engine, content=content)
        return {**written.to_dict(), **audit}
    return {
        **write_xlsx(
            path,
            areas=areas,
            totals=frames.get("totals"),
            inventory=release.get("inventory"),
            buildings=plan.get("buildings"),
            potentials=frames.get("potentials"),
            scenario_indicators=frames.get("scenario_indicators"),
            measures=plan.get("measures"),
            title=config.plan.name or f"Kommunale Wärmeplanung {config.municipality.name}",
            language=language or config.plan.language,
        ).to_dict(),
        **audit,
    }


def _released_areas(areas: pd.DataFrame, release: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The classified areas with the figures the release suppressed blanked as well."""
    released = release.get("areas")
    if released is None or col.HEAT_DEMAND_MWH_PER_A not in areas.columns:
        return areas
    hidden = released[col.HEAT_DEMAND_MWH_PER_A].isna() & areas[col.HEAT_DEMAND_MWH_PER_A].notna()
    if not hidden.any():
        return areas
    return suppress_area_rows(areas, list(areas.index[hidden.to_numpy()]))
