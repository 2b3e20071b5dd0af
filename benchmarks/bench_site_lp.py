"""Time the site LP over a full year in 15-minute steps (35,040 steps, ~210,000 columns).

    PYTHONPATH=src python benchmarks/bench_site_lp.py [--solver simplex|ipm] [--steps N]

A BDEW G1 load of 250,000 kWh/a, the TRY PV yield of Jena (region of 50.94 N, 11.59 E), PV up to
120 kWp, a battery, the from-2,500-h grid tariff of site_tariffs.csv. Prints the build and solve
times, the status and the sizes. No second modelling layer (oemof-solph) is compared yet.
"""

from __future__ import annotations

import argparse
import time

from heatplan.site.inputs import Site, bdew_profile_kw
from heatplan.site.optimize import optimize
from heatplan.site.study import pv_kw_per_kwp
from heatplan.site.tariffs import grid_tariff, site_costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solver", default="simplex", choices=["simplex", "ipm", "choose"])
    parser.add_argument("--steps", type=int, default=35_040)
    args = parser.parse_args()
    load = bdew_profile_kw("G1", 250_000.0, 2025)[: args.steps]
    site = Site("bench", 50.94, 11.59, None, load, 120.0, 30.0, 180.0, True, "up_to_100_kwp", 2025)
    start = time.perf_counter()
    pv = pv_kw_per_kwp(site, load.size)
    print(f"PV yield (pvlib, TRY): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    result = optimize(
        load, pv, grid_tariff("from_2500_h"), site_costs(), max_pv_kwp=120.0,
        battery_allowed=True, solver=args.solver,
    )  # fmt: skip
    total = time.perf_counter() - start
    print(f"steps {load.size}: build + solve {total:.1f} s, HiGHS {result.solve_time_s:.1f} s, "
          f"status {result.status}, sizes {result.sizes}")  # fmt: skip


if __name__ == "__main__":
    main()
