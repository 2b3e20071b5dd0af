"""The steps of a city plan beside the disclosure audit, against a peer commit (issue 20).

``bench_city.py`` times the whole plan; at 20,000 buildings the disclosure audit of the public
edition (:mod:`heatplan.publish.audit`) takes minutes in the report and in every export and
hides the rest. This benchmark measures the rest: it builds the seeded synthetic town of
``synthetic_town.py`` (synthetic data: scale benchmarks only) up to the supply areas once, then
runs each step below on a fresh copy in its own process, this tree and the peer (the ``src`` of
a git ref, default ``main``) taking turns, with the audit LEFT OUT in both (its function
returns the release unchanged; here only, never in the product): the report and the exports
then cost what they cost besides the audit.

Steps: ``classify`` (from the stored areas), ``report_html``, ``report_pdf``, ``xwaermeplan``,
``xlsx``, ``gpkg`` (from the scenario) and ``report_and_exports``: the demo's last part, HTML,
PDF and the three exports (builtin GML writer), where this tree renders the PDF in a second
process beside the exports (``heatplan.demo.run._report_and_exports``; a peer without it runs
them one after the other). Per step: wall seconds, the step process's own CPU seconds (what one
core has to do: the wall time on an idle machine where the second process runs beside it) and
the CPU seconds of the process and its second process. ``--workers`` sets ``HEATPLAN_WORKERS``
for this tree (default: from the load, :func:`heatplan.parallel.workers`).

    python benchmarks/bench_city_steps.py [--size 20000] [--peer main|none] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_city import SRC, add_peer_argument, child_env, load, peer_sides
from synthetic_town import make_project

STEPS = (
    "classify",
    "report_html",
    "report_pdf",
    "xwaermeplan",
    "xlsx",
    "gpkg",
    "report_and_exports",
)


def _without_audit() -> None:
    """The audit returns the release as it is (this benchmark only: see the module doc)."""
    import heatplan.publish.layers as layers
    from heatplan.publish.release import ReleaseAudit

    def unaudited(out, frames, protection_share=None):  # type: ignore[no-untyped-def]
        return out, ReleaseAudit()

    layers.audit_release = unaudited  # type: ignore[assignment]


def run_step(step: str, folder: Path) -> None:
    """One step on ``folder`` (in a child process)."""
    _without_audit()
    if step == "classify":
        from heatplan.steps.core import run_classify

        run_classify(folder)
    elif step == "report_html":
        from heatplan.steps.report import run_report

        run_report(folder)
    elif step == "report_pdf":
        from heatplan.report.render import write_pdf
        from heatplan.steps.report import report_path

        html = report_path(folder, year=None, public=True)
        write_pdf(html.read_text(encoding="utf-8"), html.with_suffix(".pdf"), base_url=html.parent)
    elif step in ("xwaermeplan", "xlsx", "gpkg"):
        from heatplan.steps.export import run_export

        run_export(folder, step)  # type: ignore[arg-type]
    elif step == "report_and_exports":
        _report_and_exports(folder)
    else:
        raise SystemExit(f"unknown step {step}")


def _report_and_exports(folder: Path) -> None:
    """The report (HTML, PDF) and the three exports as the tree at hand writes them."""
    try:
        from heatplan.steps.outputs import report_and_exports
    except ImportError:  # a peer from before
        import heatplan.demo.run as demo

        if hasattr(demo, "_report_and_exports"):
            demo._report_and_exports(folder, lambda message: None)
            return
        from heatplan.steps.export import run_export
        from heatplan.steps.report import run_report

        for fmt in ("xwaermeplan", "xlsx", "gpkg"):  # exports, then the report with its PDF
            run_export(folder, fmt, engine="builtin")  # type: ignore[arg-type]
        run_report(folder, pdf=True)
        return
    report_and_exports(folder)


def child(step: str, folder: Path) -> None:
    start = time.perf_counter()
    run_step(step, folder)
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps({"seconds": time.perf_counter() - start, "own_cpu": own.ru_utime + own.ru_stime})
    )


def timed(step: str, source: Path, src: Path, work: Path, workers: str | None) -> dict[str, float]:
    """``step`` on a fresh copy of ``source`` with the package from ``src``; its times."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(source, work)
    env = child_env(src, workers)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(work)],
        capture_output=True,
        text=True,
        env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        print(f"    {step} failed: {tail[0]}", flush=True)
        return {"seconds": float("nan"), "own_cpu": float("nan"), "cpu": cpu}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "cpu": cpu}


def towns(root: Path, size: int) -> tuple[Path, Path]:
    """The town after its supply areas, and after its scenario (built with this tree)."""
    from heatplan.steps import core

    areas = root / "town-areas"
    make_project(areas, size)
    for step in ("inventory", "potentials", "areas"):
        getattr(core, f"run_{step}")(areas)
    scenario = root / "town-scenario"
    shutil.copytree(areas, scenario)
    core.run_classify(scenario)
    core.run_scenario(scenario)
    _without_audit()
    from heatplan.steps.report import run_report

    run_report(scenario)  # the HTML the PDF step renders
    return areas, scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    add_peer_argument(parser)
    parser.add_argument("--workers", default=None, help="HEATPLAN_WORKERS for this tree")
    parser.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS)
    parser.add_argument("--child", nargs=2, metavar=("STEP", "DIR"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(f"load: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sides = peer_sides(args.peer, root, now=(SRC, args.workers))
        areas, scenario = towns(root, args.size)
        rows: dict[str, dict[str, dict[str, float]]] = {side: {} for side in sides}
        for step in args.steps:
            source = areas if step == "classify" else scenario
            for side, (src, workers) in sides.items():
                row = timed(step, source, src, root / f"work-{side}", workers)
                rows[side][step] = row
                print(
                    f"    {side:<5} {step:<18} {row['seconds']:7.1f} s  own CPU "
                    f"{row['own_cpu']:6.1f} s  CPU {row['cpu']:6.1f} s",
                    flush=True,
                )
    print(f"\n{args.size:,} buildings, the audit left out (s: wall; own: the step's process CPU)")
    if "peer" not in rows:
        for step in args.steps:
            r = rows["now"][step]
            print(f"{step:<18} {r['seconds']:7.1f} s  own {r['own_cpu']:6.1f}  CPU {r['cpu']:6.1f}")
    else:
        print(
            f"{'step':<18} {'peer s':>7} {'now s':>7} {'ratio':>6} {'peer own':>9} {'now own':>8}"
        )
        for step in args.steps:
            a, b = rows["peer"][step], rows["now"][step]
            print(
                f"{step:<18} {a['seconds']:7.1f} {b['seconds']:7.1f} "
                f"{a['seconds'] / b['seconds']:5.1f}x {a['own_cpu']:9.1f} {b['own_cpu']:8.1f}"
            )
    print(f"load: {load()}")


if __name__ == "__main__":
    main()
