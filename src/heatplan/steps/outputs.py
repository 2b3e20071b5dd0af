"""The plan's public outputs in one go: the report (HTML and PDF) and the three exports.

``heatplan run --all`` and ``heatplan demo`` end with :func:`report_and_exports`; it writes the
same files as ``heatplan report --pdf`` and ``heatplan export --format xwaermeplan|xlsx|gpkg``
(the XWärmeplan GML with the builtin writer: the document xplan-tools writes,
``tests/test_export.py`` compares them, in 1.8 s instead of 9.8 s for Schutterwald), on two
CPUs where the machine has them (:mod:`heatplan.parallel`):

1. the public release is audited once and stored (:func:`heatplan.steps.release.project_release`,
   WPG § 10). It is the only write to the project store here, and it is done before anything
   else starts: the report and the exports then read the stored release back, and from here on
   the store is only read, by this process and the second;
2. the three exports run in the second process while this process builds the report's HTML;
   each part writes its own files (``report/plan.html``; ``export/waermeplan.*``);
3. the exports' results are collected (an export's error is raised here as the export raised
   it) and the second process ends;
4. the report's PDF is rendered from the HTML (:func:`heatplan.report.render.write_pdf`), its
   annex's second half in a forked process: the second CPU is free again, although the load
   average still counts the exports (:func:`heatplan.parallel.may_fork`, ``own_load=2``).

Without a second process (one CPU, a busy machine, ``HEATPLAN_WORKERS=1``) the exports run here
after the HTML and the PDF in one process: slower, the same files.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heatplan.parallel import SecondCore, may_fork
from heatplan.plan import Plan
from heatplan.progress import Progress, stage_reporter
from heatplan.project.config import load_config
from heatplan.project.store import open_store
from heatplan.publish.layers import RELEASE_INPUTS
from heatplan.report.render import write_pdf
from heatplan.steps.export import Format, plan_metadata, run_export
from heatplan.steps.release import project_release
from heatplan.steps.report import ReportResult, run_report

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_MODULES",
    "Outputs",
    "audit_release",
    "check_outputs",
    "report_and_exports",
]

log = logging.getLogger(__name__)
#: The public exports, in the order they are written.
EXPORT_FORMATS: tuple[Format, ...] = ("xwaermeplan", "xlsx", "gpkg")
#: What the second process imports at once (while this process audits): the exporters.
EXPORT_MODULES = ("heatplan.steps.export",)


@dataclass
class Outputs:
    """What :func:`report_and_exports` wrote: the report, each export, the audit's account and
    the timings [s] of this process (``audit``, ``html``, ``pdf``; ``exports``: the wait for
    the exports after the HTML); ``second_process``: whether the exports were handed to a
    second process (else they ran here, after the HTML)."""

    report: ReportResult
    exports: dict[str, dict[str, Any]]
    disclosure_audit: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)
    second_process: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``heatplan run --all`` and the demo: ``release`` (the audit's account),
        ``outputs`` (timings, second process), ``report`` and ``export`` (each format's)."""
        return {
            "release": {"disclosure_audit": self.disclosure_audit},
            "outputs": {"seconds": self.seconds, "second_process": self.second_process},
            "report": self.report.to_dict(),
            "export": self.exports,
        }


def check_outputs(project_dir: Path) -> None:
    """Raise the error an output would raise from the project's settings, before any is written
    (XWärmeplan needs the council dates of ``[plan]``)."""
    plan_metadata(load_config(Path(project_dir)))


def audit_release(project_dir: Path) -> dict[str, Any]:
    """Audit the project's public release and store it (or find it stored); its account.

    Reads the release inputs (:data:`~heatplan.publish.layers.RELEASE_INPUTS`) as the report
    and the exports read them, so their key is the stored one and neither audits again.
    """
    plan = Plan.from_project(project_dir, frames=RELEASE_INPUTS)
    frames = {name: frame for name in RELEASE_INPUTS if (frame := plan.get(name)) is not None}
    store = open_store(plan.settings.store_url(Path(project_dir)))
    _, withheld = project_release(store, frames)
    return dict(withheld.audit.to_dict())


def report_and_exports(
    project_dir: Path, *, progress: Progress | None = None, second_core: SecondCore | None = None
) -> Outputs:
    """The plan report (HTML and PDF) and the three public exports; see the module doc.

    ``second_core``: a worker the caller started early, warmed with :data:`EXPORT_MODULES`
    (its imports then overlap the caller's work); None starts one here. The caller closes a
    worker it passed.
    """
    project_dir = Path(project_dir)
    if second_core is None:
        with SecondCore(warm=EXPORT_MODULES) as own:
            return report_and_exports(project_dir, progress=progress, second_core=own)
    check_outputs(project_dir)
    say = stage_reporter(log, progress)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    say("public release: disclosure audit (WPG § 10)")
    audit = audit_release(project_dir)
    seconds["audit"] = _since(started)
    say("exports (XWärmeplan, XLSX, GeoPackage) beside the report's HTML")
    second_process = second_core.available  # before the parts: a failed worker is given up
    parts = {
        fmt: second_core.submit(run_export, project_dir, fmt, engine="builtin")
        for fmt in EXPORT_FORMATS
    }
    started = time.perf_counter()
    report = run_report(project_dir)
    seconds["html"] = _since(started)
    started = time.perf_counter()
    exports: dict[str, dict[str, Any]] = {fmt: part.result() for fmt, part in parts.items()}
    seconds["exports"] = _since(started)
    second_core.close()  # the second CPU goes to the PDF's second part
    say("report PDF")
    started = time.perf_counter()
    html = Path(report.html)
    report.pages = write_pdf(
        html.read_text(encoding="utf-8"),
        html.with_suffix(".pdf"),
        base_url=html.parent,
        fork=may_fork(own_load=2.0) if second_process else None,
    )
    report.pdf = str(html.with_suffix(".pdf"))
    report.seconds["pdf"] = seconds["pdf"] = _since(started)
    return Outputs(
        report=report,
        exports=exports,
        disclosure_audit=audit,
        seconds=seconds,
        second_process=second_process,
    )


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 2)
