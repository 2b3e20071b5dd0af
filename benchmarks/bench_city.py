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
town, and the table prints both side by side with the ratio.

    python benchmarks/bench_city.py [--sizes 5000 20000 50000] [--peer main|none]
"""

from __future__ import annotations

import argparse
import json
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


def run_chain(folder: Path, src: Path) -> dict[str, dict[str, float]]:
    """Every step on ``folder`` with the package from ``src``; a failed step is recorded."""
    env = {"PYTHONPATH": f"{src}:{HERE}", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    rows: dict[str, dict[str, float]] = {}
    for step in STEPS:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--child", step, str(folder)],
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["?"]
            print(f"    {step} failed: {tail[0]}", flush=True)
            rows[step] = {"seconds": float("nan"), "peak_mb": float("nan")}
            continue
        rows[step] = dict(json.loads(done.stdout.strip().splitlines()[-1]))
        rows[step]["wall"] = time.perf_counter() - start
        print(
            f"    {step:<12} {rows[step]['seconds']:8.1f} s  {rows[step]['peak_mb']:7.0f} MB",
            flush=True,
        )
    return rows


def table(n: int, now: dict[str, dict[str, float]], peer: dict[str, dict[str, float]] | None):
    print(f"\n{n:,} buildings")
    if peer is None:
        print(f"{'step':<12} {'s':>8} {'peak MB':>8}")
        for step in STEPS:
            print(f"{step:<12} {now[step]['seconds']:8.1f} {now[step]['peak_mb']:8.0f}")
        print(f"{'whole plan':<12} {sum(r['seconds'] for r in now.values()):8.1f}")
        return
    print(f"{'step':<12} {'peer s':>8} {'now s':>8} {'ratio':>7} {'peer MB':>8} {'now MB':>8}")
    for step in (*STEPS, "whole plan"):
        if step == "whole plan":
            a = sum(r["seconds"] for r in peer.values())
            b = sum(r["seconds"] for r in now.values())
            ma = max(r["peak_mb"] for r in peer.values())
            mb = max(r["peak_mb"] for r in now.values())
        else:
            a, b = peer[step]["seconds"], now[step]["seconds"]
            ma, mb = peer[step]["peak_mb"], now[step]["peak_mb"]
        print(f"{step:<12} {a:8.1f} {b:8.1f} {a / b:6.1f}x {ma:8.0f} {mb:8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--peer", default="main", help="git ref of today's code, or 'none'")
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
            peer = None
            if peer_src is not None:
                shutil.copytree(folder, root / f"peer-town-{n}")
                print(f"{n:,} buildings, peer {args.peer}:", flush=True)
                peer = run_chain(root / f"peer-town-{n}", peer_src)
            print(f"{n:,} buildings, this tree:", flush=True)
            now = run_chain(folder, SRC)
            results.append((n, now, peer))
        for n, now, peer in results:
            table(n, now, peer)
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
