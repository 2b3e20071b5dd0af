"""The exact disclosure test of a large town: null-space sketch against the dense factorisation.

The public edition's audit (``heatplan.publish.audit``) asks which groups of one to three atoms
(buildings that lie in the same released figures) have a sum that a combination of released
figures gives away. The peer is the dense method: an eigendecomposition of the component's Gram
matrix, O(figures^3). The sketch projects random vectors on the null space by conjugate
gradients (``heatplan.publish.nullspace``). Both run on the first round of every family of
figures of a seeded synthetic town (``benchmarks/synthetic_town.py``; synthetic data, allowed
for benchmarks only), side by side; the table prints both times, the ratio, and whether they
found the same groups.

    python benchmarks/bench_audit.py [--sizes 5000 20000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from heatplan.plan import Plan
from heatplan.publish import audit
from heatplan.publish import layers as layers_module
from heatplan.publish.figures import BuildingIndex
from heatplan.publish.figures import families as released_figures
from heatplan.publish.release import ReleaseAudit
from heatplan.steps import core
from heatplan.steps.export import EXPORT_FRAMES, _frames
from synthetic_town import make_project


def families_of(folder: Path) -> list[tuple[str, object, np.ndarray, np.ndarray, int]]:
    """The figures of each family of the town's public edition before any audit suppression."""
    for step in ("inventory", "potentials", "areas", "classify", "scenario"):
        getattr(core, f"run_{step}")(folder)
    frames = _frames(Plan.from_project(folder, frames=EXPORT_FRAMES))
    original = layers_module.audit_release
    layers_module.audit_release = lambda out, frames, **_: (out, ReleaseAudit())  # type: ignore[assignment]
    try:
        layers, _ = layers_module._public_layers(frames, 0.1)
    finally:
        layers_module.audit_release = original
    out = []
    for family in released_figures(layers, frames, BuildingIndex(frames["buildings"])):
        matrix = family.matrix(list(range(len(family.cells))))
        out.append((family.name, matrix, family.values, family.owners, family.minimum))
    return out


def timed(limit: int, args: tuple, minimum: int) -> tuple[float, set[tuple[int, ...]]]:
    audit.DENSE_LIMIT = limit
    start = time.perf_counter()
    found = audit.audit_sums(*args, minimum=minimum, protection_share=0.1, intervals=False)
    return time.perf_counter() - start, {d.atoms for d in found.disclosures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000])
    args = parser.parse_args()
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    default = audit.DENSE_LIMIT
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            folder = Path(tmp) / f"town-{n}"
            make_project(folder, n)
            for name, matrix, values, owners, minimum in families_of(folder):
                system = (matrix, values, owners)
                dense_s, dense = timed(10**9, system, minimum)
                sketch_s, sketch = timed(default, system, minimum)
                rows.append((n, name, matrix.shape, dense_s, sketch_s, len(dense), dense == sketch))
                print(f"  {n:,} {name}: dense {dense_s:.1f} s, sketch {sketch_s:.1f} s", flush=True)
    audit.DENSE_LIMIT = default
    print(f"\n{'buildings':>9} {'family':<13} {'figures x items':>16} {'dense s':>8} "
          f"{'sketch s':>8} {'ratio':>6} {'groups':>6} same")  # fmt: skip
    for n, name, shape, dense_s, sketch_s, groups, same in rows:
        print(f"{n:>9,} {name:<13} {shape[0]:>7,} x {shape[1]:>6,} {dense_s:8.1f} "
              f"{sketch_s:8.1f} {dense_s / sketch_s:5.1f}x {groups:6,} {same}")  # fmt: skip
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
