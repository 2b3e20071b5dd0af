"""Inventory scaling: 100k vs 1M synthetic buildings — wall time and peak memory ratios.

heatplan's performance target: both grow linearly, ratio <= 11x for 10x the buildings.
Synthetic data (allowed for scale benchmarks only): a lattice town with 100 m street spacing,
footprints of mixed TABULA types and age classes, and metered gas for a third of the buildings.
Each size runs `heatplan.steps.core.run_inventory` in its own process so that peak
resident memory (ru_maxrss) is that run's alone.

    python benchmarks/bench_inventory_scale.py [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic_town import make_project


def run_child(folder: Path) -> None:
    from heatplan.steps.core import run_inventory

    start = time.perf_counter()
    run_inventory(folder)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def measure(n: int, root: Path) -> dict[str, float]:
    folder = root / f"town-{n}"
    make_project(folder, n)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100_000, 1_000_000])
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    small, large = args.sizes
    with tempfile.TemporaryDirectory() as tmp:
        a = measure(small, Path(tmp))
        print(
            f"{small:>9,} buildings: {a['seconds']:7.1f} s, peak {a['peak_mb']:7.0f} MB", flush=True
        )
        b = measure(large, Path(tmp))
        print(f"{large:>9,} buildings: {b['seconds']:7.1f} s, peak {b['peak_mb']:7.0f} MB")
    print(
        f"time ratio {b['seconds'] / a['seconds']:.2f}x, memory ratio "
        f"{b['peak_mb'] / a['peak_mb']:.2f}x for {large / small:.0f}x the buildings "
        "(target <= 11x)"
    )


if __name__ == "__main__":
    main()
