"""A country on a cluster: the synthetic national stock planned municipality by municipality.

For each size (100k by default; 1M, 5M with ``--sizes``) the benchmark writes the synthetic
stock (``heatplan.national.stock``, seeded, partitioned GeoParquet), then plans every
municipality (inventory: demand, blocks, street segments, 100 m grid, totals; the released
grid) three ways and prints them side by side:

- ``dask 1w`` / ``dask 2w``: ``heatplan.national.run.run_national`` on a LocalCluster of 1 and
  2 worker processes (one thread each), in the order of ``--workers``;
- ``serial``: the peer — one process, the municipalities one after another, no Dask.

Each run prints its row when done; the size ends with the rows side by side and every ratio.
``--workers 2 --no-serial`` runs the 2-worker side alone (a 5M stock on a small machine);
``--stock DIR`` plans a stock written before (``heatplan national stock DIR --buildings N``)
instead of writing one per size. Each run's results are deleted once measured (disk space).
The machine's load (1-minute average, as ``uptime``) is printed before and after each run.

Columns: wall time, buildings per second, CPU time of the municipalities (summed over the
workers; on a shared machine the wall time follows the others' load, the CPU time much less)
and buildings per CPU second, peak resident memory per worker (the largest ru_maxrss of any
worker; serial: the process), the wall-time speed-up over the serial peer and the scaling
from 1 to 2 workers. Synthetic data, benchmarks only.

    python benchmarks/bench_national.py [--sizes 100000 1000000] [--workers 1 2] [--areas]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from heatplan.national.municipality import plan_municipality
from heatplan.national.partitions import layer_keys
from heatplan.national.run import ClusterSettings, run_national
from heatplan.national.stock import write_stock

#: The stages beyond the inventory: none, ``areas`` or ``classify`` (potentials, areas, classes).
Stages = str


def serial_child(input_dir: Path, out_dir: Path, stages: Stages) -> None:
    """The peer: every municipality in this one process, no Dask (run as a child process)."""
    start, cpu = time.perf_counter(), time.process_time()
    buildings = 0
    for key in layer_keys(input_dir / "buildings"):
        buildings += plan_municipality(
            input_dir,
            key,
            out_dir,
            with_areas=stages == "areas",
            with_classify=stages == "classify",
        ).buildings
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    used = time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu_s": used, "buildings": buildings, "peak_mb": peak}))


def serial(input_dir: Path, out_dir: Path, stages: Stages) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(input_dir), str(out_dir)]
    flag = {"areas": ["--areas"], "classify": ["--classify"]}.get(stages, [])
    done = subprocess.run([*command, *flag], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def dask_run(input_dir: Path, out_dir: Path, workers: int, stages: Stages) -> dict[str, float]:
    result = run_national(
        input_dir,
        out_dir,
        settings=ClusterSettings(workers=workers),
        with_areas=stages == "areas",
        with_classify=stages == "classify",
        progress=lambda note: print(f"{'':>10} {f'dask {workers}w':>8} {note}", flush=True),
    )
    return {
        "seconds": result.seconds,
        "cpu_s": result.cpu_seconds,
        "buildings": result.buildings,
        "peak_mb": max(result.peak_rss_mb_per_worker.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-serial", action="store_true", help="skip the serial peer")
    parser.add_argument("--areas", action="store_true", help="also the supply-areas stage")
    parser.add_argument(
        "--classify", action="store_true", help="also potentials, areas and their classification"
    )
    parser.add_argument("--stock", type=Path, help="a stock written before (--sizes ignored)")
    parser.add_argument("--child", type=Path, nargs=2)
    args = parser.parse_args()
    stages = "classify" if args.classify else "areas" if args.areas else ""
    if args.child:
        serial_child(*args.child, stages)
        return
    header = (
        f"{'buildings':>10} {'run':>8} {'munic.':>7} {'time s':>8} {'bldg/s':>8} "
        f"{'CPU s':>8} {'bldg/CPU s':>10} {'peak MB/worker':>15} {'vs serial':>10} {'vs 1w':>7}"
    )
    print(header)
    for size in [None] if args.stock else args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            stock, size = _stock(args.stock, root / "in", size)
            runs: dict[str, dict[str, float]] = {}
            for workers in args.workers:  # in the order given (--workers 2 1: 2 first)
                name = f"dask {workers}w"
                out = root / f"w{workers}"
                _load("before", name)
                runs[name] = dask_run(stock, out, workers, stages)
                _load("after", name)
                shutil.rmtree(out, ignore_errors=True)
                _row(size, name, municipalities(stock), runs)
            if not args.no_serial:
                _load("before", "serial")
                runs["serial"] = serial(stock, root / "serial", stages)
                _load("after", "serial")
                shutil.rmtree(root / "serial", ignore_errors=True)
                _row(size, "serial", municipalities(stock), runs)
            print(f"{size:>10,} side by side:")
            for name in sorted(runs):
                _row(size, name, municipalities(stock), runs)


def municipalities(stock: Path) -> int:
    return len(layer_keys(stock / "buildings"))


def _stock(given: Path | None, folder: Path, size: int | None) -> tuple[Path, int]:
    """The stock folder and its buildings: ``given``, else a new one of ``size`` in ``folder``."""
    if given is not None:
        buildings = sum(
            pq.ParquetFile(p).metadata.num_rows for p in (given / "buildings").glob("*/*.parquet")
        )
        print(f"{buildings:>10,} stock {given} ({municipalities(given)} municipalities)")
        return given, buildings
    assert size is not None
    start = time.perf_counter()
    stock = write_stock(folder, size)
    made = time.perf_counter() - start
    print(f"{size:>10,} stock written in {made:.1f} s ({stock.municipalities} municipalities)")
    return folder, size


def _load(when: str, name: str) -> None:
    one, five, fifteen = os.getloadavg()
    print(f"{'':>10} {name:>8} load {when}: {one:.2f}, {five:.2f}, {fifteen:.2f}", flush=True)


def _row(size: int, name: str, municipalities: int, runs: dict[str, dict[str, float]]) -> None:
    run = runs[name]
    peer = runs.get("serial")
    one = runs.get("dask 1w")
    vs_serial = f"{peer['seconds'] / run['seconds']:.2f}x" if peer else "-"
    vs_one = f"{one['seconds'] / run['seconds']:.2f}x" if one and name != "serial" else "-"
    print(
        f"{size:>10,} {name:>8} {municipalities:>7} {run['seconds']:>8.1f} "
        f"{run['buildings'] / run['seconds']:>8,.0f} {run['cpu_s']:>8.1f} "
        f"{run['buildings'] / run['cpu_s']:>10,.0f} {run['peak_mb']:>15,.0f} {vs_serial:>10} "
        f"{vs_one:>7}",
        flush=True,
    )


if __name__ == "__main__":
    main()
