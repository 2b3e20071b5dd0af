"""Benchmark: the profile sheets' locator maps, three ways, for a town of N areas (issue 20).

Every area's profile sheet in the plan report shows a small map of the town with the area
marked. Three ways to draw them, each timed to HTML (drawing) and to PDF (WeasyPrint):

- ``figure``: a new matplotlib figure per area, the whole town drawn again each time (the
  report's method before issue 20, here as PNG);
- ``blit``: the town drawn once, each area painted over a copy of it (Agg ``restore_region``)
  and saved as its own PNG (one image per area in the PDF);
- ``mark`` (the report's method): the town drawn once as ONE PNG, each area an SVG mark over it
  (:class:`heatplan.report.map_areas.Locators`).

Synthetic round areas on a lattice (scale benchmark only).

    python benchmarks/bench_locators.py [--areas 40 160]
"""

from __future__ import annotations

import argparse
import base64
import io
import logging
import time

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from PIL import Image

from heatplan.report.map_areas import LOCATOR_SIZE_IN, Locators
from heatplan.report.map_base import MAP_DPI, MapBase, finish, set_extent

COLOUR = "#b2182b"
#: The peers draw all N areas but encode only this many PNGs, scaled up to N (they are linear).
SAMPLE = 30


def town(n: int) -> gpd.GeoDataFrame:
    side = int(np.ceil(np.sqrt(n)))
    centres = [shapely.Point(300 * (i % side), 300 * (i // side)) for i in range(n)]
    return gpd.GeoDataFrame(
        {"area_id": [f"A{i:04d}" for i in range(n)]},
        geometry=[c.buffer(140) for c in centres],
        crs="EPSG:25832",
    )


def _png(canvas: FigureCanvasAgg) -> bytes:
    rgba = np.asarray(canvas.buffer_rgba())
    out = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    image.quantize(256, method=Image.Quantize.MAXCOVERAGE).save(out, format="png")
    return out.getvalue()


def _axes(areas: gpd.GeoDataFrame) -> tuple[Figure, FigureCanvasAgg, object]:
    fig = Figure(figsize=LOCATOR_SIZE_IN, dpi=MAP_DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    areas.plot(ax=ax, color="#f4f6f6", edgecolor="#999999", lw=0.3)
    set_extent(ax, [areas])
    finish(ax, MapBase(), place=False)
    return fig, canvas, ax


def by_figure(areas: gpd.GeoDataFrame, ids: list[str]) -> list[str]:
    out = []
    for area_id in ids:
        _fig, canvas, ax = _axes(areas)
        areas[areas["area_id"] == area_id].plot(ax=ax, color=COLOUR, edgecolor="black")
        canvas.draw()
        out.append(_img(_png(canvas)))
    return out


def by_blit(areas: gpd.GeoDataFrame, ids: list[str]) -> list[str]:
    fig, canvas, ax = _axes(areas)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    patch = PathPatch(Path(np.zeros((1, 2))), facecolor=COLOUR, edgecolor="black")
    ax.add_patch(patch)  # type: ignore[attr-defined]
    geometry = dict(zip(areas["area_id"], areas.geometry, strict=True))
    out = []
    for area_id in ids:
        canvas.restore_region(background)
        patch.set_path(Path(np.asarray(geometry[area_id].exterior.coords), closed=True))
        ax.draw_artist(patch)  # type: ignore[attr-defined]
        out.append(_img(_png(canvas)))
    return out


def _img(png: bytes) -> str:
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return f'<img src="{uri}" style="width: 61mm">'


def by_mark(areas: gpd.GeoDataFrame, ids: list[str]) -> tuple[list[str], str]:
    locators = Locators(areas)
    return [locators.locator(a, COLOUR).__html__() for a in ids], locators.css()


def pdf_seconds(items: list[str], css: str = "") -> float:
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html = f"<style>{css}</style>" + "".join(f"<div><p>Gebiet</p>{i}</div>" for i in items)
    start = time.perf_counter()
    weasyprint.HTML(string=html).write_pdf()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, nargs="+", default=[40, 160])
    args = parser.parse_args()
    print(f"{'areas':>6} {'method':<7} {'draw s':>8} {'PDF s':>8} {'total s':>8} {'vs mark':>8}")
    for n in args.areas:
        areas = town(n)
        ids = list(areas["area_id"])
        rows = {}
        start = time.perf_counter()
        items, css = by_mark(areas, ids)
        draw = time.perf_counter() - start
        rows["mark"] = (draw, pdf_seconds(items, css))
        sample = ids[:: max(1, n // SAMPLE)][:SAMPLE]
        for name, method in (("blit", by_blit), ("figure", by_figure)):
            start = time.perf_counter()
            items = method(areas, sample)
            draw = time.perf_counter() - start
            pdf = pdf_seconds(items)
            scale = n / len(sample)  # linear in the areas: scaled up from the sample
            rows[name] = (draw * scale, pdf * scale)
        base = sum(rows["mark"])
        for name, (draw, pdf) in rows.items():
            total = draw + pdf
            print(f"{n:>6} {name:<7} {draw:8.1f} {pdf:8.1f} {total:8.1f} {total / base:7.1f}x")
    print("(blit and figure: timed on a sample of the areas and scaled to all of them)")


if __name__ == "__main__":
    main()
