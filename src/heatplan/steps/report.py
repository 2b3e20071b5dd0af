"""``heatplan report``: the plan report, or the implementation report of one year, as HTML/PDF.

Writes ``DIR/report/plan.html`` (and ``plan.pdf``), or with ``year``
``DIR/report/umsetzung-<year>.html`` (and ``.pdf``). The public edition (default) takes every
figure through :mod:`heatplan.publish` and leaves out measures not marked public; the planners'
edition (``public=False``, file names ending in ``-intern``) adds non-public measures and the
names of those responsible — and is just as free of building-level data.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.errors import ProjectError
from heatplan.outputs.atomic import write_text
from heatplan.plan import Plan
from heatplan.project.store import RUNS_TABLE, open_store
from heatplan.publish.layers import RELEASE_INPUTS
from heatplan.report.document import (
    PLAN_SECTIONS,
    YEAR_SECTIONS,
    implementation_context,
    plan_context,
)
from heatplan.report.inputs import REPORT_FRAMES, load_inputs
from heatplan.report.render import render_html, write_pdf
from heatplan.steps.measures import computed_kpis, list_measures, progress
from heatplan.steps.release import project_release

__all__ = ["ReportResult", "report_path", "run_report"]

FIRST_YEAR = 2000


@dataclass
class ReportResult:
    """What ``heatplan report`` wrote: paths, edition, sections, pages and timings [s]."""

    html: str
    edition: str
    year: int | None
    sections: list[str]
    measures: int
    seconds: dict[str, float]
    pdf: str | None = None
    pages: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def report_path(project_dir: Path, *, year: int | None, public: bool) -> Path:
    """``DIR/report/plan[-intern].html`` or ``DIR/report/umsetzung-<year>[-intern].html``."""
    stem = "plan" if year is None else f"umsetzung-{year}"
    return Path(project_dir) / "report" / f"{stem}{'' if public else '-intern'}.html"


def _require_inventory(plan: Plan) -> None:
    if not (plan.has("buildings") and plan.has("totals")):
        raise ProjectError(
            "the project has no inventory yet: run `heatplan inventory` (or `heatplan run`) "
            "before `heatplan report`"
        )


def _entries(
    project_dir: Path, measures: list[dict[str, Any]], *, public: bool
) -> list[dict[str, Any]]:
    """Progress entries of the measures shown; the public edition without staff names."""
    shown = {m["measure_id"] for m in measures}
    entries = [e for e in progress(project_dir) if e.get("measure_id") in shown]
    if public:
        entries = [{k: v for k, v in e.items() if k != "author"} for e in entries]
    return entries


def _plan_version(store: Any, year: int) -> tuple[str, pd.DataFrame] | None:
    """The frozen plan in force at the end of ``year`` (else the first one) and its indicators."""
    if not (store.has("plan_versions") and store.has("version_indicators")):
        return None
    versions = store.read("plan_versions").sort_values("frozen_utc")
    if versions.empty:
        return None
    in_force = versions[versions["frozen_utc"].astype(str).str[:4].astype(int) <= year]
    label = str((in_force if len(in_force) else versions)["label"].iloc[-1 if len(in_force) else 0])
    rows = store.read("version_indicators")
    return label, rows[rows["version_label"].astype(str) == label].drop(columns="version_label")


def _inventory_date(store: Any) -> str:
    """German date of the last inventory run (what "Ist (Bilanz)" stands on), else ''."""
    if not store.has(RUNS_TABLE):
        return ""
    runs = store.read(RUNS_TABLE)
    done = runs.loc[runs["step"].astype(str) == "inventory", "finished_utc"].dropna().astype(str)
    if done.empty:
        return ""
    day = max(done)[:10]
    return f"{day[8:10]}.{day[5:7]}.{day[0:4]}"


def run_report(
    project_dir: Path, *, year: int | None = None, pdf: bool = False, public: bool = True
) -> ReportResult:
    """Write the report; returns the paths, the sections, page count and timings [s]."""
    project_dir = Path(project_dir)
    today = dt.date.today()
    if year is not None and not FIRST_YEAR <= year <= today.year + 1:
        raise ProjectError(f"--year {year}: give a year from {FIRST_YEAR} to {today.year + 1}")
    started = time.perf_counter()
    plan = Plan.from_project(project_dir, frames=sorted(set(REPORT_FRAMES)))
    config = plan.settings
    _require_inventory(plan)
    store = open_store(config.store_url(project_dir))
    inputs_of_release = {n: f for n in RELEASE_INPUTS if (f := plan.get(n)) is not None}
    release = project_release(store, inputs_of_release)  # audited once, kept in the store
    inputs = load_inputs(plan, public=public, release=release)
    measures = list_measures(project_dir, public=public)
    if year is None:
        context = plan_context(project_dir, config, inputs, measures, today=today)
        template, sections = "plan.html", list(PLAN_SECTIONS)
    else:
        context = implementation_context(
            project_dir,
            config,
            inputs,
            year,
            measures=measures,
            entries=_entries(project_dir, measures, public=public),
            kpis=computed_kpis(project_dir, year),
            plan_version=_plan_version(store, year),
            today=today,
            inventory_date=_inventory_date(store),
        )
        template, sections = "umsetzung.html", list(YEAR_SECTIONS)
    html = render_html(template, context)
    path = report_path(project_dir, year=year, public=public)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, html)  # whole or not at all: an older report stays on a failure
    result = ReportResult(
        html=str(path),
        edition="public" if public else "internal",
        year=year,
        sections=sections,
        measures=len(measures),
        seconds={"html": round(time.perf_counter() - started, 2)},
    )
    if pdf:
        started = time.perf_counter()
        pdf_path = path.with_suffix(".pdf")
        result.pages = write_pdf(html, pdf_path, base_url=path.parent)
        result.pdf = str(pdf_path)
        result.seconds["pdf"] = round(time.perf_counter() - started, 2)
    return result
