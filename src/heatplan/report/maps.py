"""Maps of the report drawn from the project's own layers (no tile server, no internet).

Every map gets a north arrow (the working CRS is projected, north up), a scale bar and the data
attribution. The functions take public layers only: the sections pass what
:mod:`heatplan.publish` lets out.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from heatplan.plan import columns as col
from heatplan.publish.layers import pipe_status
from heatplan.report.charts import WIDTH_IN, figure, styled, svg

__all__ = [
    "AREA_COLOURS",
    "areas_map",
    "heat_density_map",
    "line_density_map",
    "locator_map",
    "potentials_map",
]

#: WPG area types (classify codes) -> map colour.
AREA_COLOURS = {
    "waermenetz_verdichtung": "#922b21",
    "waermenetz_ausbau": "#cb4335",
    "waermenetz_neubau": "#f0a04b",
    "wasserstoffnetz": "#f7dc6f",
    "dezentral": "#5dade2",
    "pruefgebiet": "#bfc9ca",
}
SUPPRESSED = "#eeeeee"
NICE_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)


#: Geometries are simplified to this share of the map's larger side before drawing (keeps the
#: inline SVG small; 1/2000 of a 3 km town is 1.5 m, far below a printed line width).
SIMPLIFY_SHARE = 1 / 2000


def simplified(frame: gpd.GeoDataFrame | None, span_m: float) -> gpd.GeoDataFrame | None:
    """``frame`` with geometries simplified for drawing at a map span of ``span_m`` [m]."""
    if frame is None or not len(frame):
        return frame
    out = frame.copy()
    out["geometry"] = frame.geometry.simplify(span_m * SIMPLIFY_SHARE, preserve_topology=True)
    return out


def merged(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The lines of ``frame`` merged where they meet (fewer, longer lines)."""
    if frame is None or not len(frame):
        return frame
    lines = shapely.line_merge(frame.geometry.union_all())
    return gpd.GeoDataFrame(geometry=[lines], crs=frame.crs)


def draw_lines(ax: Axes, frame: gpd.GeoDataFrame | None, **style: Any) -> None:
    """All lines of ``frame`` as ONE matplotlib line (one SVG path, parts split by NaN)."""
    if frame is None or not len(frame):
        return
    xs: list[np.ndarray] = []
    for line in shapely.get_parts(frame.geometry.to_numpy()):
        xs.append(np.vstack([shapely.get_coordinates(line), [np.nan, np.nan]]))
    if xs:
        xy = np.vstack(xs)
        ax.plot(xy[:, 0], xy[:, 1], solid_capstyle="round", **style)


def span(*frames: gpd.GeoDataFrame | None) -> float:
    """The larger side of the frames' joint extent [m]."""
    bounds = np.array([f.total_bounds for f in frames if f is not None and len(f)])
    if not len(bounds):
        return 1.0
    return float(
        max(bounds[:, 2].max() - bounds[:, 0].min(), bounds[:, 3].max() - bounds[:, 1].min(), 1.0)
    )


def _scale_bar(ax: Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5.0
    length = max((n for n in NICE_M if n <= target), default=NICE_M[0])
    left, bottom, height = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0), 0.012 * (y1 - y0)
    for i in range(2):
        ax.add_patch(
            Rectangle(
                (left + i * length / 2, bottom),
                length / 2,
                height,
                facecolor="black" if i == 0 else "white",
                edgecolor="black",
                linewidth=0.5,
                zorder=10,
            )
        )
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    ax.text(
        left + length / 2,
        bottom + 2 * height,
        text,
        ha="center",
        va="bottom",
        fontsize=6.5,
        zorder=10,
    )


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.96, 0.97),
        xytext=(0.96, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=8,
        fontweight="bold",
        zorder=10,
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
    )


def _finish(ax: Axes, attribution: str) -> None:
    ax.set_aspect("equal")
    ax.set_axis_off()
    _scale_bar(ax)
    _north_arrow(ax)
    if attribution:
        ax.text(
            0.99,
            0.005,
            attribution,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=5.5,
            color="#444444",
            zorder=10,
            bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1},
        )


def _background(
    ax: Axes, streets: gpd.GeoDataFrame | None, outline: gpd.GeoDataFrame | None
) -> None:
    if outline is not None and len(outline):
        outline.boundary.plot(ax=ax, color="#7f8c8d", linewidth=0.5, zorder=2)
    draw_lines(ax, streets, color="#b3b6b7", linewidth=0.4, zorder=1)


def _extent(ax: Axes, frames: Sequence[gpd.GeoDataFrame | None]) -> None:
    bounds = [f.total_bounds for f in frames if f is not None and len(f)]
    if not bounds:
        return
    b = np.array(bounds)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = 0.04 * max(x1 - x0, y1 - y0, 1.0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)


def _legend(ax: Axes, handles: list[Any], title: str) -> None:
    if handles:
        ax.legend(
            handles=handles,
            title=title,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
            fontsize=7,
            title_fontsize=7.5,
        )


def _lines_legend(pipes: gpd.GeoDataFrame | None, ax: Axes, label: str) -> list[Any]:
    if pipes is None or not len(pipes):
        return []
    draw_lines(ax, pipes, color="#c0392b", linewidth=1.0, zorder=5)
    return [Line2D([], [], color="#c0392b", linewidth=1.2, label=label)]


@styled
def heat_density_map(
    blocks: gpd.GeoDataFrame,
    classes: pd.DataFrame,
    *,
    streets: gpd.GeoDataFrame | None = None,
    pipes: gpd.GeoDataFrame | None = None,
    attribution: str = "",
) -> str:
    """Blocks coloured by heat-density class [MWh/(ha·a)]; suppressed blocks hatched."""
    size = span(blocks, streets)
    blocks = simplified(blocks, size)
    streets, pipes = (merged(simplified(f, size)) for f in (streets, pipes))
    assert blocks is not None
    fig = figure(WIDTH_IN * 0.72)
    ax = fig.add_subplot()
    _background(ax, streets, None)
    density = pd.to_numeric(blocks[col.HEAT_DENSITY_MWH_PER_HA_A], errors="coerce")
    upper = classes["max_mwh_per_ha_a"].astype(float).to_numpy()
    cmap = mpl.colormaps["YlOrRd"]
    handles: list[Any] = []
    for i, row in enumerate(classes.itertuples(index=False)):
        low, high = float(str(row.min_mwh_per_ha_a)), float(str(row.max_mwh_per_ha_a))
        color = cmap(0.15 + 0.85 * i / max(len(upper) - 1, 1))
        part = blocks[(density >= low) & (density < high)]
        if len(part):
            part.plot(ax=ax, color=color, edgecolor="white", linewidth=0.2, zorder=3)
        bound = f"≥ {low:,.0f}" if np.isinf(high) else f"{low:,.0f}–{high:,.0f}"
        handles.append(Patch(facecolor=color, label=f"{bound}: {row.label_de}"))
    hidden = blocks[density.isna()]
    if len(hidden):
        hidden.plot(
            ax=ax, color=SUPPRESSED, edgecolor="#999999", hatch="////", linewidth=0.2, zorder=3
        )
        handles.append(Patch(facecolor=SUPPRESSED, hatch="////", label="unterdrückt / ohne Bedarf"))
    handles += _lines_legend(pipes, ax, "Wärmenetz (Planung)")
    _extent(ax, [blocks, streets])
    _legend(ax, handles, "Wärmedichte [MWh/(ha·a)]")
    _finish(ax, attribution)
    return svg(fig)


@styled
def line_density_map(
    segments: gpd.GeoDataFrame, guide_kwh_per_m_a: float, *, attribution: str = ""
) -> str:
    """Street segments coloured by heat line density against the guide value [kWh/(m·a)]."""
    segments = simplified(segments, span(segments))
    fig = figure(WIDTH_IN * 0.72)
    ax = fig.add_subplot()
    density = pd.to_numeric(segments[col.LINE_DENSITY_KWH_PER_M_A], errors="coerce")
    steps = [0.0, guide_kwh_per_m_a / 2, guide_kwh_per_m_a, 2 * guide_kwh_per_m_a, np.inf]
    cmap = mpl.colormaps["viridis_r"]
    handles: list[Any] = []
    for i, (low, high) in enumerate(itertools.pairwise(steps)):
        color = cmap(0.1 + 0.8 * i / 3)
        part = segments[(density >= low) & (density < high)]
        if len(part):
            part.plot(ax=ax, color=color, linewidth=1.2 + 0.5 * i, zorder=3)
        text = f"≥ {low / 1000:,.2f}" if np.isinf(high) else f"{low / 1000:,.2f}–{high / 1000:,.2f}"
        handles.append(Line2D([], [], color=color, linewidth=2, label=text.replace(".", ",")))
    hidden = segments[density.isna()]
    if len(hidden):
        hidden.plot(ax=ax, color="#bbbbbb", linewidth=0.8, linestyle=":", zorder=2)
        handles.append(
            Line2D([], [], color="#bbbbbb", linestyle=":", label="unterdrückt / ohne Bedarf")
        )
    _extent(ax, [segments])
    _legend(ax, handles, "Wärmeliniendichte [MWh/(m·a)]")
    _finish(ax, attribution)
    return svg(fig)


@styled
def areas_map(
    areas: gpd.GeoDataFrame,
    years: Sequence[int],
    labels: Mapping[str, str],
    *,
    streets: gpd.GeoDataFrame | None = None,
    pipes: gpd.GeoDataFrame | None = None,
    attribution: str = "",
) -> str:
    """One panel per snapshot year: areas coloured by WPG type, one legend for all."""
    size = span(areas) * 2  # half-width panels
    areas = simplified(areas, size)
    planned, examined = _planned_and_examined(pipes, areas)
    streets, planned, examined = (merged(simplified(f, size)) for f in (streets, planned, examined))
    cols = 2 if len(years) > 1 else 1
    rows = int(np.ceil(len(years) / cols))
    fig = figure(WIDTH_IN * 0.5 * rows + 0.9)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    present: set[str] = set()
    for ax, year in zip(axes, years, strict=False):
        _background(ax, streets, None)
        kinds = areas[f"area_type_{year}"].astype(str)
        for kind, colour in AREA_COLOURS.items():
            part = areas[kinds == kind]
            if len(part):
                part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.4, zorder=3)
                present.add(kind)
        areas.boundary.plot(ax=ax, color="#555555", linewidth=0.3, zorder=4)
        draw_lines(ax, planned, color="#641e16", linewidth=0.7, zorder=5)
        draw_lines(ax, examined, color="#7f7f7f", linewidth=0.6, zorder=5, linestyle="--")
        ax.set_title(str(year), loc="left")
        _extent(ax, [areas])
        _finish(ax, attribution if ax is axes[len(years) - 1] else "")
    for ax in axes[len(years) :]:
        ax.set_axis_off()
    handles: list[Any] = [
        Patch(facecolor=c, label=labels.get(k, k)) for k, c in AREA_COLOURS.items() if k in present
    ]
    if planned is not None and len(planned):
        handles.append(Line2D([], [], color="#641e16", label="Wärmenetz (Planung)"))
    if examined is not None and len(examined):
        handles.append(
            Line2D(
                [],
                [],
                color="#7f7f7f",
                linestyle="--",
                label="geprüfte Netzvariante (kein Wärmenetzgebiet)",
            )
        )
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=7)
    return svg(fig)


def _planned_and_examined(
    pipes: gpd.GeoDataFrame | None, areas: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """New pipes in network areas, and those examined in areas that are none (grey)."""
    if pipes is None or not len(pipes) or "existing" not in pipes.columns:
        return pipes, None
    status = pipe_status(pipes, areas)
    return pipes[status != "examined"], pipes[status == "examined"]


@styled
def potentials_map(
    sites: gpd.GeoDataFrame | None,
    by_block: gpd.GeoDataFrame | None,
    kind_labels: Mapping[str, str],
    *,
    outline: gpd.GeoDataFrame | None = None,
    attribution: str = "",
) -> str:
    """Building-level potentials summed per block (shaded) and sites (points) by kind."""
    size = span(outline, by_block, sites)
    outline, by_block = simplified(outline, size), simplified(by_block, size)
    fig = figure(WIDTH_IN * 0.72)
    ax = fig.add_subplot()
    _background(ax, None, outline)
    handles: list[Any] = []
    if by_block is not None and len(by_block):
        heat = pd.to_numeric(by_block["heat_mwh_per_a"], errors="coerce")
        total = by_block.assign(_heat=heat).dissolve(by=col.BLOCK_ID, aggfunc={"_heat": "max"})
        total.plot(
            ax=ax,
            column="_heat",
            cmap="Greens",
            linewidth=0.1,
            edgecolor="white",
            zorder=3,
            missing_kwds={"color": SUPPRESSED},
        )
        handles.append(
            Patch(
                facecolor=mpl.colormaps["Greens"](0.7),
                label="größtes Gebäudepotenzial je Baublock (heller: kleiner)",
            )
        )
    if sites is not None and len(sites):
        points = sites.geometry.representative_point()
        for i, kind in enumerate(sorted(sites["kind"].astype(str).unique())):
            colour = mpl.colormaps["tab10"](i % 10)
            mask = (sites["kind"].astype(str) == kind).to_numpy()
            gpd.GeoSeries(points[mask], crs=sites.crs).plot(
                ax=ax, color=colour, markersize=22, edgecolor="black", zorder=6
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    color=colour,
                    markeredgecolor="black",
                    label=kind_labels.get(kind, kind),
                )
            )
    _extent(ax, [outline, by_block, sites])
    _legend(ax, handles, "Potenziale")
    _finish(ax, attribution)
    return svg(fig)


@styled
def locator_map(
    areas: gpd.GeoDataFrame, area_id: str, colour: str, *, attribution: str = ""
) -> str:
    """Small map: all areas in outline, ``area_id`` filled in ``colour``."""
    areas = simplified(areas, span(areas) * 4)
    fig = figure(2.4, 2.6)
    ax = fig.add_subplot()
    areas.plot(ax=ax, color="#f4f6f6", edgecolor="#999999", linewidth=0.3, zorder=2)
    chosen = areas[areas[col.AREA_ID].astype(str) == area_id]
    if len(chosen):
        chosen.plot(ax=ax, color=colour, edgecolor="black", linewidth=0.8, zorder=3)
    _extent(ax, [areas])
    _finish(ax, attribution)
    return svg(fig)
