"""The plan PDF on one core and on two (issue 20): ``write_pdf`` of a report HTML with its annex
cut to N sheets, in one process (``HEATPLAN_WORKERS=1``) and with the second annex part in a
forked process (``HEATPLAN_WORKERS=2``), side by side with the ratio.

Each run is a fresh interpreter (as a CLI call), the two settings taking turns so that both meet
the same machine load (printed: the one-minute load average before each pair). The annex is cut
to its first N sheets, and the split threshold is set below N, so the rows show from how many
sheets on the second process pays (:data:`heatplan.report.pdf_parts.MIN_SPLIT_SHEETS`).

    python benchmarks/bench_pdf_parts.py REPORT/plan.html [--sheets 5 10 20 40 0] [--repeat 2]

``0`` sheets: the whole annex. A town's report HTML comes from ``bench_city.py --child
report_html FOLDER`` on ``synthetic_town.make_project`` (synthetic data: a scale benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
WIDTHS = (6, 5, 10, 11, 6, 5)
#: The child: cut the annex, render, print seconds and pages.
CHILD = """
import json, sys, time
from pathlib import Path
import heatplan.report.pdf_parts as parts
from heatplan.report.render import write_pdf
html_path, out, sheets = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
html = html_path.read_text("utf-8")
annex = parts.split(html)
if sheets:
    cut = html.index(parts.SHEET)
    for _ in range(sheets):
        cut = html.find(parts.SHEET, cut + 1)
        if cut < 0:
            break
    if cut > 0:
        html = html[:cut] + html[html.index(parts.ANNEX_END):]
parts.MIN_SPLIT_SHEETS = 2
start = time.perf_counter()
pages = write_pdf(html, out, base_url=html_path.parent)
print(json.dumps({"seconds": time.perf_counter() - start, "pages": pages}))
"""


def run(html: Path, sheets: int, workers: int, out: Path) -> dict[str, float]:
    """One render in a fresh interpreter."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "OMP_NUM_THREADS": "1",
        "HEATPLAN_WORKERS": str(workers),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(html), str(out), str(sheets)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("--sheets", type=int, nargs="+", default=[5, 10, 20, 40, 0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    header = ("sheets", "pages", "1 core [s]", "2 cores [s]", "ratio", "load")
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, WIDTHS, strict=True)))
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as folder:
        for sheets in args.sheets:
            one, two, loads, pages = [], [], [], 0
            for _ in range(args.repeat):
                loads.append(os.getloadavg()[0])
                first = run(args.html, sheets, 1, Path(folder) / "one.pdf")
                second = run(args.html, sheets, 2, Path(folder) / "two.pdf")
                one.append(first["seconds"])
                two.append(second["seconds"])
                pages = int(first["pages"])
                same = (Path(folder) / "one.pdf").read_bytes() == (
                    Path(folder) / "two.pdf"
                ).read_bytes()
                if not same:
                    print("    the two files differ", flush=True)
            a, b = statistics.median(one), statistics.median(two)
            label = sheets or "all"
            print(
                f"{label:>6} {pages:>5} {a:>10.2f} {b:>11.2f} {b / a:>6.2f} {max(loads):>5.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
