"""Maps of the report drawn from the project's own layers (no tile server, no internet).

Every map stands on the project's base (streets, buildings, the planning area's outline, place
and street names: :mod:`heatplan.report.map_base`) and gets a north arrow (the working CRS is
projected, north up), a scale bar and the credit line below the frame. Colours, shading and
legend labels come from the one palette ``data/map_styles.csv`` that the web map and the QGIS
styles read too. The functions take public layers only: the sections pass what
:mod:`heatplan.publish` lets out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from heatplan.formats import german
from heatplan.plan import columns as col
from heatplan.reference.map_styles import colours, map_style
from heatplan.report.charts import WIDTH_IN, styled
from heatplan.report.map_areas import (
    Locators,
    area_colour,
    areas_maps,
    locator_map,
    year_groups,
)
from heatplan.report.map_base import (
    MapBase,
    MapImage,
    base_legend,
    draw_base,
    draw_lines,
    finish,
    map_figure,
    map_image,
    merged,
    planned_and_examined,
    polygons_path,
    put_legend,
    set_extent,
    simplified,
    span,
    style_row,
)

__all__ = [
    "Locators",
    "MapImage",
    "area_colour",
    "areas_maps",
    "heat_density_map",
    "line_density_map",
    "locator_map",
    "polygons_path",
    "potential_classes",
    "potentials_map",
    "year_groups",
]


def _lines_legend(pipes: gpd.GeoDataFrame | None, ax: Axes, label_de: str) -> list[Any]:
    if pipes is None or not len(pipes):
        return []
    colour = colours("network_status")["planned"]
    draw_lines(ax, pipes, color=colour, linewidth=1.0, zorder=5)
    return [Line2D([], [], color=colour, linewidth=1.2, label=label_de)]


def _base(base: MapBase | None, streets: gpd.GeoDataFrame | None, attribution: str) -> MapBase:
    return base if base is not None else MapBase(streets=streets, attribution=attribution)


def _class_text(low: float, high: float, unit: str, digits: int = 0) -> str:
    """'70–175 MWh/(ha·a)' or '≥ 1.050 MWh/(ha·a)' in German notation."""
    fmt = f"{{:,.{digits}f}}"
    if not np.isfinite(high):
        return german(f"≥ {fmt.format(low)} {unit}")
    return german(f"{fmt.format(low)}–{fmt.format(high)} {unit}")


@styled
def heat_density_map(
    blocks: gpd.GeoDataFrame,
    classes: pd.DataFrame,
    *,
    base: MapBase | None = None,
    streets: gpd.GeoDataFrame | None = None,
    pipes: gpd.GeoDataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    attribution: str = "",
) -> MapImage:
    """Blocks coloured by heat-density class [MWh/(ha·a)]; suppressed blocks hatched.

    With ``areas``, only pipes of planned networks are drawn (not those merely examined in
    areas that are no heat-network area).
    """
    base = _base(base, streets, attribution)
    size = span(blocks, base.streets)
    blocks = simplified(blocks, size)
    if areas is not None and pipes is not None:
        pipes = planned_and_examined(pipes, areas)[0]
    pipes = merged(simplified(pipes, size))
    assert blocks is not None
    fig = map_figure(WIDTH_IN * 0.88)
    ax = fig.add_subplot()
    draw_base(ax, base, size, on_top=True)
    style = map_style("heat_density")
    density = pd.to_numeric(blocks[col.HEAT_DENSITY_MWH_PER_HA_A], errors="coerce")
    handles: list[Any] = []
    for row in classes.itertuples(index=False):
        code = str(row[0])
        low, high = float(str(row.min_mwh_per_ha_a)), float(str(row.max_mwh_per_ha_a))
        fill, opacity = str(style.at[code, "fill"]), float(str(style.at[code, "opacity"]))
        part = blocks[(density >= low) & (density < high)]
        if len(part):
            part.plot(ax=ax, color=fill, alpha=opacity, edgecolor="white", linewidth=0.2, zorder=3)
        text = f"{_class_text(low, high, 'MWh/(ha·a)')}: {row.label_de}"
        handles.append(Patch(facecolor=fill, alpha=opacity, label=text))
    hidden = blocks[density.isna()]
    if len(hidden):
        handles.append(_suppressed(ax, hidden, style_row("heat_density", "suppressed")))
    handles += _lines_legend(pipes, ax, "Wärmenetz (Planung)")
    set_extent(ax, [blocks, base.boundary])
    put_legend(ax, handles + base_legend(base), "Wärmedichte je Baublock")
    finish(ax, base)
    return map_image(fig)


def _suppressed(ax: Axes, frame: gpd.GeoDataFrame, style: dict[str, str]) -> Patch:
    frame.plot(
        ax=ax,
        color=style["fill"],
        edgecolor=style["line"],
        hatch=style["hatch"],
        linewidth=0.2,
        zorder=3,
    )
    return Patch(
        facecolor=style["fill"],
        edgecolor=style["line"],
        hatch=style["hatch"],
        label=style["label_de"],
    )


@styled
def line_density_map(
    segments: gpd.GeoDataFrame,
    guide_kwh_per_m_a: float,
    *,
    base: MapBase | None = None,
    attribution: str = "",
) -> MapImage:
    """Street segments coloured by heat line density against the guide value [MWh/(m·a)]."""
    base = _base(base, None, attribution)
    size = span(segments)
    segments = simplified(segments, size)
    fig = map_figure(WIDTH_IN * 0.88)
    ax = fig.add_subplot()
    draw_base(ax, base, size)
    style = map_style("line_density")
    hidden_style = style_row("line_density", "suppressed")
    style = style[style["lower_bound"].notna()]
    density = pd.to_numeric(segments[col.LINE_DENSITY_KWH_PER_M_A], errors="coerce")
    steps = [*(style["lower_bound"].astype(float) * guide_kwh_per_m_a), np.inf]
    handles: list[Any] = []
    for i, (_, row) in enumerate(style.iterrows()):
        low, high = steps[i], steps[i + 1]
        part = segments[(density >= low) & (density < high)]
        if len(part):
            part.plot(ax=ax, color=row["fill"], linewidth=1.0 + 0.5 * i, zorder=3)
        text = _class_text(low / 1000, high / 1000, "MWh/(m·a)", 2)
        handles.append(Line2D([], [], color=row["fill"], lw=2, label=f"{text}: {row.label_de}"))
    hidden = segments[density.isna()]
    if len(hidden):
        grey, dots = hidden_style["fill"], cast(Any, hidden_style["hatch"])  # a line style
        hidden.plot(ax=ax, color=grey, linewidth=0.8, linestyle=dots, zorder=2)
        handles.append(Line2D([], [], color=grey, linestyle=dots, label=hidden_style["label_de"]))
    set_extent(ax, [segments, base.boundary])
    put_legend(ax, handles + base_legend(base), "Wärmeliniendichte je Straßenabschnitt")
    finish(ax, base)
    return map_image(fig)


def potential_classes(values: pd.Series, count: int = 5) -> list[float]:
    """Lower bounds of ``count`` classes: quantiles rounded to two significant digits, rising.

    The 20 % quantile of the five values below is 1 + 0.8 x (12 - 1) = 9.8, the 40 % one
    12 + 0.6 x 118 = 82.8 -> 83, then 638 -> 640 and 4,120 -> 4,100:

    >>> potential_classes(pd.Series([1.0, 12.0, 130.0, 1400.0, 15000.0]))
    [0.0, 9.8, 83.0, 640.0, 4100.0]
    """
    finite = values[np.isfinite(values)]
    if finite.empty:
        return [0.0]
    bounds = [0.0]
    for q in np.linspace(0, 1, count + 1)[1:-1]:
        value = float(finite.quantile(q))
        rounded = float(f"{value:.2g}") if value > 0 else 0.0
        if rounded > bounds[-1]:
            bounds.append(rounded)
    return bounds


@styled
def potentials_map(
    sites: gpd.GeoDataFrame | None,
    by_block: gpd.GeoDataFrame | None,
    kind_labels: Mapping[str, str],
    *,
    base: MapBase | None = None,
    outline: gpd.GeoDataFrame | None = None,
    attribution: str = "",
) -> MapImage:
    """Building-level potentials summed per block (classes with values) and sites by kind."""
    base = _base(base, None, attribution)
    size = span(outline, by_block, sites, base.boundary)
    by_block = simplified(by_block, size)
    fig = map_figure(WIDTH_IN * 0.88)
    ax = fig.add_subplot()
    draw_base(ax, base, size)
    handles: list[Any] = []
    if by_block is not None and len(by_block):
        handles += _block_potentials(ax, by_block)
    if sites is not None and len(sites):
        handles += _sites(ax, sites, kind_labels, size)
    set_extent(ax, [outline, by_block, sites, base.boundary])
    put_legend(ax, handles + base_legend(base), "Potenziale")
    finish(ax, base)
    return map_image(fig)


def _block_potentials(ax: Axes, by_block: gpd.GeoDataFrame) -> list[Any]:
    heat = pd.to_numeric(by_block["heat_mwh_per_a"], errors="coerce")
    total = by_block.assign(_heat=heat).dissolve(by=col.BLOCK_ID, aggfunc={"_heat": "max"})
    bounds = potential_classes(total["_heat"])
    palette = map_style("potential_block")["fill"].tolist()
    index = np.searchsorted(bounds, total["_heat"].fillna(-1).to_numpy(), side="right") - 1
    handles: list[Any] = [Patch(visible=False, label="größtes Gebäudepotenzial je Baublock")]
    for i, low in enumerate(bounds):
        colour = palette[min(i, len(palette) - 1)]
        part = total[index == i]
        if len(part):
            part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.1, zorder=3)
        high = bounds[i + 1] if i + 1 < len(bounds) else np.inf
        handles.append(Patch(facecolor=colour, label=_class_text(low, high, "MWh/a")))
    hidden = total[index < 0]
    if len(hidden):
        handles.append(_suppressed(ax, hidden, style_row("heat_density", "suppressed")))
    return handles


def _spread(points: gpd.GeoSeries, size_m: float) -> gpd.GeoSeries:
    """Points at the same place (e.g. regional estimates at the town centre) set side by side."""
    step = size_m * 0.02
    key = points.x.round(0).astype(str) + "|" + points.y.round(0).astype(str)
    rank = key.groupby(key).cumcount().to_numpy(float)
    return gpd.GeoSeries(
        gpd.points_from_xy(points.x + rank * step, points.y), index=points.index, crs=points.crs
    )


def _sites(
    ax: Axes, sites: gpd.GeoDataFrame, kind_labels: Mapping[str, str], size_m: float
) -> list[Any]:
    palette = colours("potential_kind")
    points = _spread(sites.geometry.representative_point(), size_m)
    handles: list[Any] = []
    for kind in sorted(sites["kind"].astype(str).unique()):
        colour = palette.get(kind, "#999999")
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
    return handles
