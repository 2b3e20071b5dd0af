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

After the steps, the whole plan in one command: ``heatplan run --all`` (the CLI, in a child
process) on a fresh copy of the same town, its wall time, the CPU time of it and its second
processes, and the peak resident memory of its largest process; the peer runs ``run --all`` on
its own fresh copy where its CLI has it, else what a user of that code runs, each command its
own process: ``heatplan run``, ``heatplan report --pdf`` and the three ``heatplan export``.

    python benchmarks/bench_city.py [--sizes 5000 20000 50000] [--peer main|none] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import json
import math
import os
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


def add_peer_argument(parser: argparse.ArgumentParser) -> None:
    """``--peer REF``: the git ref of today's code the benchmark compares with (or 'none')."""
    parser.add_argument("--peer", default="main", help="git ref of today's code, or 'none'")


def peer_sides(
    peer: str, root: Path, now: tuple[Path, str | None] = (SRC, None)
) -> dict[str, tuple[Path, str | None]]:
    """``{side: (src, workers)}``: the peer's ``src`` (unpacked under ``root``) unless
    ``peer`` is 'none', then this tree's (with the ``HEATPLAN_WORKERS`` of ``now``)."""
    sides: dict[str, tuple[Path, str | None]] = {"now": now}
    if peer != "none":
        sides = {"peer": (peer_source(peer, root), None), **sides}
    return sides


def child_env(src: Path, workers: str | None = None) -> dict[str, str]:
    """A child's environment: the package from ``src``, one BLAS thread, a plain PATH."""
    env = {"PYTHONPATH": f"{src}:{HERE}", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    if workers:
        env["HEATPLAN_WORKERS"] = workers
    return env


def load() -> str:
    """The machine's load, as ``uptime`` prints it."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


#: 1-minute load average a step waits for before it starts [-], below the 1.5 up to which a
#: step still forks a second process: steps that fork one when the load leaves a CPU free (the
#: PDF's annex, ``run --all``) would otherwise run alone after a step that used both CPUs (the
#: load average lags by a minute).
SETTLED_LOAD = 1.3
#: Longest wait for :data:`SETTLED_LOAD` [s] (a machine busy with other work starts anyway).
SETTLE_MAX_S = 90.0


def settle() -> None:
    """Wait until the 1-minute load average is at most :data:`SETTLED_LOAD`."""
    start = time.perf_counter()
    while os.getloadavg()[0] > SETTLED_LOAD and time.perf_counter() - start < SETTLE_MAX_S:
        time.sleep(2.0)


def run_step_child(step: str, folder: Path, src: Path, timeout_s: float) -> dict[str, float]:
    """One step on ``folder`` in a child process with the package from ``src``, once the
    load has settled (:func:`settle`).

    A failed or stopped step is recorded as NaN with its reason printed.
    """
    settle()
    env = child_env(src)
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


#: The commands a user of code without ``heatplan run --all`` runs for the whole plan.
SEPARATE_COMMANDS = (
    ["run"],
    ["report", "--pdf"],
    ["export", "--format", "xwaermeplan"],
    ["export", "--format", "xlsx"],
    ["export", "--format", "gpkg"],
)
NAN_ROW = {"seconds": float("nan"), "cpu_s": float("nan"), "peak_mb": float("nan")}


def has_run_all(src: Path) -> bool:
    """Whether the package in ``src`` has ``heatplan run --all``."""
    plan = src / "heatplan" / "steps" / "plan.py"
    return plan.is_file() and "def run_everything" in plan.read_text(encoding="utf-8")


def timed_cli(args: list[str], folder: Path, src: Path, timeout_s: float) -> dict[str, float]:
    """``heatplan ARGS FOLDER`` in a child process: wall seconds, CPU seconds of it and the
    processes it waited for, peak resident memory of the largest of them [MB] (``wait4``)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "heatplan", *args, str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=child_env(src),
    )
    deadline = start + timeout_s
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            child.wait()
            print(f"    heatplan {' '.join(args)} stopped after {timeout_s:.0f} s", flush=True)
            return dict(NAN_ROW)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode != 0:
        tail = errors.strip().splitlines()[-1:] or ["?"]
        print(f"    heatplan {' '.join(args)} failed: {tail[0]}", flush=True)
        return dict(NAN_ROW)
    return {
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }


def whole_plan(folder: Path, src: Path, timeout_s: float) -> tuple[str, dict[str, float]]:
    """The whole plan on the fresh town ``folder`` in one command where ``src`` has it, else
    in the separate commands (seconds and CPU summed, the largest peak); how it ran."""
    if has_run_all(src):
        settle()
        return "run --all", timed_cli(["run", "--all"], folder, src, timeout_s)
    settle()
    rows = [timed_cli(args, folder, src, timeout_s) for args in SEPARATE_COMMANDS]
    return f"{len(rows)} commands", {
        "seconds": sum(r["seconds"] for r in rows),
        "cpu_s": sum(r["cpu_s"] for r in rows),
        "peak_mb": max(r["peak_mb"] for r in rows),
    }


def run_whole(
    folders: dict[str, tuple[Path, Path]], timeout_s: float
) -> dict[str, tuple[str, dict[str, float]]]:
    """:func:`whole_plan` on each side's fresh folder (``{side: (folder, src)}``)."""
    rows = {}
    for side, (folder, src) in folders.items():
        how, row = rows[side] = whole_plan(folder, src, timeout_s)
        print(
            f"    {side:<5} whole plan ({how}) {row['seconds']:8.1f} s  CPU {row['cpu_s']:7.1f} s"
            f"  {row['peak_mb']:7.0f} MB",
            flush=True,
        )
    return rows


def whole_table(rows: dict[str, tuple[str, dict[str, float]]]) -> None:
    """The "whole plan, one command" rows after the per-step table."""
    now_how, now = rows["now"]
    if "peer" not in rows:
        print(f"{'whole plan, one command':<24} {now['seconds']:8.1f} s  CPU {now['cpu_s']:7.1f} s"
              f"  peak {now['peak_mb']:6.0f} MB  ({now_how})")  # fmt: skip
        return
    peer_how, peer = rows["peer"]
    print(f"{'':<24} {'peer s':>8} {'now s':>8} {'ratio':>7} {'peer MB':>8} {'now MB':>8}"
          f" {'peer CPU':>9} {'now CPU':>8}")  # fmt: skip
    print(
        f"{'whole plan, one command':<24} {peer['seconds']:8.1f} {now['seconds']:8.1f} "
        f"{peer['seconds'] / now['seconds']:6.1f}x {peer['peak_mb']:8.0f} {now['peak_mb']:8.0f}"
        f" {peer['cpu_s']:9.1f} {now['cpu_s']:8.1f}"
    )
    print(f"(peer: {peer_how}; now: {now_how}; wall s, CPU s of the command and its processes)")


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
    add_peer_argument(parser)
    parser.add_argument("--timeout", type=float, default=1800.0, help="longest step [s]")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "DIR"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(f"load: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sides = peer_sides(args.peer, root)
        results = []
        for n in args.sizes:
            town = root / f"fresh-{n}"
            make_project(town, n)
            folders = {side: root / f"{side}-town-{n}" for side in sides}
            for folder in folders.values():
                shutil.copytree(town, folder)
            print(f"{n:,} buildings (peer: {args.peer}):", flush=True)
            rows = run_chains({s: (folders[s], sides[s][0]) for s in sides}, args.timeout)
            for folder in folders.values():  # the steps' town is done with: a fresh copy
                shutil.rmtree(folder)
                shutil.copytree(town, folder)
            whole = run_whole({s: (folders[s], sides[s][0]) for s in sides}, args.timeout)
            for folder in (town, *folders.values()):
                shutil.rmtree(folder)
            results.append((n, rows["now"], rows.get("peer"), whole))
        for n, now, peer, whole in results:
            table(n, now, peer)
            whole_table(whole)
    print(f"load: {load()}")


if __name__ == "__main__":
    main()
