"""The public release kept in the project store: ``heatplan report`` then the exports, each a
new process, against a peer that audits the release in every process.

Every public output is cut from one release audited as a whole (``heatplan.publish``); before
the release was kept in the store (:mod:`heatplan.steps.release`) every process audited it
again. This runs, per side, ``heatplan report DIR`` and then ``heatplan export DIR --format
xlsx`` and ``--format gpkg`` as separate CLI processes on a copy of the same town, the two sides
taking turns command by command so that both meet the same machine load, and prints wall time
and CPU time side by side with the ratio. The town is the seeded synthetic town of
``benchmarks/synthetic_town.py`` (inventory to scenario), or ``--project DIR``, a copy of a
project folder such as the Schutterwald demo (``bash scripts/demo.sh``; any stored release is
removed from the copies first). The peer is the source tree of a git ref (default ``main``).

    python benchmarks/bench_release_store.py [--sizes 5000] [--project DIR] [--peer main]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_city import peer_source
from synthetic_town import make_project

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
COMMANDS = (
    ("report", ["report"]),
    ("export xlsx", ["export", "--format", "xlsx"]),
    ("export gpkg", ["export", "--format", "gpkg"]),
)
#: The table of the stored release (:data:`heatplan.steps.status.RELEASE_TABLE`).
RELEASE_TABLE = "public_release"


def build_town(folder: Path, n: int) -> None:
    """The synthetic town of ``n`` buildings, planned from the inventory to the scenario."""
    from heatplan.steps import core

    make_project(folder, n)
    for step in ("inventory", "potentials", "areas", "classify", "scenario"):
        getattr(core, f"run_{step}")(folder)


def without_release(folder: Path) -> None:
    """Drop a stored release from a copy (a GeoPackage is SQLite; the benchmark's copy only)."""
    with sqlite3.connect(folder / "plan.gpkg") as db:
        db.execute(f"DROP TABLE IF EXISTS {RELEASE_TABLE}")
        for table in ("gpkg_contents", "gpkg_ogr_contents"):
            db.execute(f"DELETE FROM {table} WHERE table_name = ?", (RELEASE_TABLE,))


def run(command: list[str], folder: Path, src: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``heatplan`` command in a new process."""
    env = {"PYTHONPATH": str(src), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    args = [sys.executable, "-m", "heatplan", command[0], str(folder), *command[1:]]
    subprocess.run(args, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def compare(label: str, sides: dict[str, tuple[Path, Path]]) -> None:
    """Each command on each side in turn; the table of wall and CPU seconds."""
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    for name, command in COMMANDS:
        rows[name] = {side: run(command, folder, src) for side, (folder, src) in sides.items()}
        print(f"    {name:<12} " + "  ".join(
            f"{side} {wall:6.1f} s (CPU {cpu:5.1f} s)" for side, (wall, cpu) in rows[name].items()
        ), flush=True)  # fmt: skip
    print(f"\n{label}")
    print(f"{'command':<12} {'peer s':>8} {'now s':>8} {'ratio':>7} {'peer CPU':>9} {'now CPU':>8}")
    for name, row in rows.items():
        (pw, pc), (nw, nc) = row["peer"], row["now"]
        print(f"{name:<12} {pw:8.1f} {nw:8.1f} {pw / nw:6.1f}x {pc:9.1f} {nc:8.1f}")
    peer = sum(r["peer"][0] for r in rows.values())
    now = sum(r["now"][0] for r in rows.values())
    print(f"{'all three':<12} {peer:8.1f} {now:8.1f} {peer / now:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000])
    parser.add_argument("--project", type=Path, help="a project folder to copy instead")
    parser.add_argument("--peer", default="main", help="git ref of the code to compare with")
    args = parser.parse_args()
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        peer_src = peer_source(args.peer, root)
        towns: list[tuple[str, Path]] = []
        if args.project is not None:
            towns.append((f"{args.project.name} (peer: {args.peer})", args.project))
        else:
            for n in args.sizes:
                folder = root / f"town-{n}"
                build_town(folder, n)
                towns.append((f"{n:,} buildings (peer: {args.peer})", folder))
        for label, source in towns:
            sides = {"peer": (root / "peer", peer_src), "now": (root / "now", SRC)}
            for folder, _ in sides.values():
                shutil.rmtree(folder, ignore_errors=True)
                shutil.copytree(source, folder)
                without_release(folder)
            print(f"{label}:", flush=True)
            compare(label, sides)
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
