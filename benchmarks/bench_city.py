"""A whole city plan: every step's time and peak memory for 5,000 / 20,000 / 50,000 buildings.

heatplan's performance target (issue 20): a plan of 20,000 buildings end to end (inventory to
exports, PDF included) in under a minute on a 2-core machine, every step linear in the buildings
or better. Synthetic data (allowed for scale benchmarks only): the seeded lattice town of
``benchmarks/synthetic_town.py``.

Each step runs in its own process on the same project folder, in the plan's order (inventory,
potentials, areas, classify, scenario, report HTML, report PDF, the three exports), so that the
peak resident memory (``ru_maxrss``) is that step's alone and every step pays its own imports as
a CLI call does. The peer is today's code: the source tree of a git ref (default ``main``,
taken with ``git archive`` into a temporary folder) runs the same steps on a copy of the same
town, the two taking turns step by step so that both meet the same machine load; the table
prints both side by side with the ratio. A step that fails or runs past ``--timeout`` is NaN.

    python benchmarks/bench_city.py [--sizes 5000 20000 50000] [--peer main|none] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from synthetic_town import make_project

STEPS = (
    "inventory",
    "potentials",
    "areas",
    "classify",
    "scenario",
    "report_html",
    "report_pdf",
    "exports",
)
HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def run_step(step: str, folder: Path) -> None:
    """One step of the plan on ``folder`` (run in a child process)."""
    if step in {"inventory", "potentials", "areas", "classify", "scenario"}:
        from heatplan.steps import core

        getattr(core, f"run_{step}")(folder)
    elif step == "report_html":
        from heatplan.steps.report import run_report

        run_report(folder)
    elif step == "report_pdf":
        from heatplan.report.render import write_pdf
        from heatplan.steps.report import report_path

        html_path = report_path(folder, year=None, public=True)
        write_pdf(
            html_path.read_text(encoding="utf-8"),
            html_path.with_suffix(".pdf"),
            base_url=html_path.parent,
        )
    elif step == "exports":
        from heatplan.steps.export import run_export

        for fmt in ("xwaermeplan", "xlsx", "gpkg"):
            run_export(folder, fmt)  # type: ignore[arg-type]
    else:
        raise SystemExit(f"unknown step {step}")


def child(step: str, folder: Path) -> None:
    start = time.perf_counter()
    run_step(step, folder)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def peer_source(ref: str, root: Path) -> Path:
    """The ``src`` tree of git ``ref``, unpacked under ``root`` (the repository is only read)."""
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", "--format=tar", ref, "src"],
        capture_output=True,
        check=True,
    ).stdout
    target = root / f"peer-{ref.replace('/', '_')}"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "src"


def run_step_child(step: str, folder: Path, src: Path, timeout_s: float) -> dict[str, float]:
    """One step on ``folder`` in a child process with the package from ``src``.

    A failed or stopped step is recorded as NaN with its reason printed.
    """
    env = {"PYTHONPATH": f"{src}:{HERE}", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", step, str(folder)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        print(f"    {step} stopped after {timeout_s:.0f} s", flush=True)
        return {"seconds": float("nan"), "peak_mb": float("nan")}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        print(f"    {step} failed: {tail[0]}", flush=True)
        return {"seconds": float("nan"), "peak_mb": float("nan")}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_chains(
    folders: dict[str, tuple[Path, Path]], timeout_s: float
) -> dict[str, dict[str, dict[str, float]]]:
    """Every step on each side's folder (``{side: (folder, src)}``), the sides taking turns
    step by step so that both meet the same machine load."""
    rows: dict[str, dict[str, dict[str, float]]] = {side: {} for side in folders}
    for step in STEPS:
        for side, (folder, src) in folders.items():
            row = run_step_child(step, folder, src, timeout_s)
            rows[side][step] = row
            print(
                f"    {side:<5} {step:<12} {row['seconds']:8.1f} s  {row['peak_mb']:7.0f} MB",
                flush=True,
            )
    return rows


def table(n: int, now: dict[str, dict[str, float]], peer: dict[str, dict[str, float]] | None):
    print(f"\n{n:,} buildings")
    if peer is None:
        print(f"{'step':<12} {'s':>8} {'peak MB':>8}")
        for step in STEPS:
            print(f"{step:<12} {now[step]['seconds']:8.1f} {now[step]['peak_mb']:8.0f}")
        print(f"{'whole plan':<12} {_total(now):8.1f}  (steps that ran)")
        return
    print(f"{'step':<12} {'peer s':>8} {'now s':>8} {'ratio':>7} {'peer MB':>8} {'now MB':>8}")
    for step in (*STEPS, "whole plan"):
        if step == "whole plan":
            ran = [s for s in STEPS if math.isfinite(peer[s]["seconds"] + now[s]["seconds"])]
            a = _total({s: peer[s] for s in ran})
            b = _total({s: now[s] for s in ran})
            ma = max((peer[s]["peak_mb"] for s in ran), default=float("nan"))
            mb = max((now[s]["peak_mb"] for s in ran), default=float("nan"))
        else:
            a, b = peer[step]["seconds"], now[step]["seconds"]
            ma, mb = peer[step]["peak_mb"], now[step]["peak_mb"]
        print(f"{step:<12} {a:8.1f} {b:8.1f} {a / b:6.1f}x {ma:8.0f} {mb:8.0f}")
    print("(whole plan: the steps both sides ran; NaN: failed or stopped)")


def _total(rows: dict[str, dict[str, float]]) -> float:
    """Summed seconds of the steps that ran."""
    return float(sum(r["seconds"] for r in rows.values() if math.isfinite(r["seconds"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--peer", default="main", help="git ref of today's code, or 'none'")
    parser.add_argument("--timeout", type=float, default=1800.0, help="longest step [s]")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "DIR"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        peer_src = None if args.peer == "none" else peer_source(args.peer, root)
        results = []
        for n in args.sizes:
            folder = root / f"town-{n}"
            make_project(folder, n)
            sides = {"now": (folder, SRC)}
            if peer_src is not None:
                shutil.copytree(folder, root / f"peer-town-{n}")
                sides = {"peer": (root / f"peer-town-{n}", peer_src), **sides}
            print(f"{n:,} buildings (peer: {args.peer}):", flush=True)
            rows = run_chains(sides, args.timeout)
            results.append((n, rows["now"], rows.get("peer")))
        for n, now, peer in results:
            table(n, now, peer)
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
