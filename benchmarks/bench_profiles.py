"""Benchmark: vectorised hourly profiles vs demandlib called per building (plain script).

python benchmarks/bench_profiles.py [--n 10000] [--peer-sample 200] [--full-peer]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from demandlib.bdew import HeatBuilding

from heatplan.demand.profiles import german_holidays, hourly_profiles, parse_class
from heatplan.reference.weather import hourly_index, read_try, try_path

YEAR = 2010
CLASSES = [
    "EFH_bc01_w0",
    "EFH_bc10_w0",
    "EFH_bc11_w0",
    "MFH_bc01_w0",
    "MFH_bc10_w0",
    "GKO_bc00_w0",
    "GHA_bc00_w0",
    "GBH_bc00_w0",
    "GGA_bc00_w0",
    "GMK_bc00_w0",
    "GHD_bc00_w0",
]


def peer(annual: pd.Series, classes: pd.Series, temp: pd.Series, holidays: list) -> np.ndarray:  # type: ignore[type-arg]
    sums = []
    for building, name in classes.items():
        shlp, bc, wind = parse_class(name)
        profile = HeatBuilding(
            temp.index,
            holidays=holidays,
            temperature=temp,
            shlp_type=shlp,
            building_class=bc,
            wind_class=wind,
            annual_heat_demand=annual[building],
        ).get_bdew_profile()
        sums.append(profile.sum())
    return np.asarray(sums)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--peer-sample", type=int, default=200)
    parser.add_argument("--full-peer", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of ours (median)")
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    temp = pd.Series(read_try(try_path(13))["temp_air_c"].to_numpy(), index=hourly_index(YEAR))
    holidays = german_holidays(YEAR, "BW")
    annual = pd.Series(rng.uniform(5e3, 2e5, args.n))
    classes = pd.Series(rng.choice(CLASSES, args.n))
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = hourly_profiles(
            annual, classes, temp, year=YEAR, holidays=holidays, dtype=np.float32
        )
        times.append(time.perf_counter() - start)
    # the first call also pays the kernel's first touch of the ~350 MB result (page faults);
    # later calls in the same process reuse the memory: both are printed, the median counts
    first, ours = times[0], float(np.median(times))
    sample = args.n if args.full_peer else min(args.peer_sample, args.n)
    start = time.perf_counter()
    peer_sums = peer(annual[:sample], classes[:sample], temp, holidays)
    peer_time = (time.perf_counter() - start) * args.n / sample
    our_sums = result.iloc[:, :sample].to_numpy(np.float64).sum(axis=0)
    label = "measured" if sample == args.n else f"extrapolated linearly from {sample} calls"
    print(f"buildings: {args.n}, classes: {classes.nunique()}")
    print(
        f"vectorised hourly_profiles (float32): median {ours:.3f} s of {args.repeat} runs "
        f"(first run {first:.3f} s)"
    )
    print(f"demandlib per building: {peer_time:.1f} s ({label})")
    print(
        f"speed-up: {peer_time / ours:.0f}x median, {peer_time / first:.0f}x first run "
        "(target >= 500x)"
    )
    print(
        f"max relative difference of annual sums: "
        f"{np.max(np.abs(our_sums - peer_sums) / peer_sums):.2e}"
    )


if __name__ == "__main__":
    main()
