"""Maps of the report drawn from the project's own layers (no tile server, no internet).

Every map stands on the project's base (streets, buildings, the planning area's outline, place
and street names: :mod:`heatplan.report.map_base`) and gets a north arrow (the working CRS is
projected, north up), a scale bar and the credit line below the frame. Colours, shading and
legend labels come from the one palette ``data/map_styles.csv`` that the web map and the QGIS
styles read too. The functions take public layers only: the sections pass what
:mod:`heatplan.publish` lets out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from heatplan.formats import german
from heatplan.plan import columns as col
from heatplan.publish.layers import pipe_status
from heatplan.reference.map_styles import colours, map_style
from heatplan.report.charts import WIDTH_IN, figure, styled, svg
from heatplan.report.map_base import (
    RASTER_DPI,
    MapBase,
    base_legend,
    draw_base,
    draw_lines,
    finish,
    label,
    merged,
    simplified,
    span,
)

__all__ = [
    "area_colour",
    "areas_maps",
    "heat_density_map",
    "line_density_map",
    "locator_map",
    "potential_classes",
    "potentials_map",
    "year_groups",
]

#: Above this many vertices the locator's background (every area) is one raster image: its SVG
#: then stays the same size however many areas the town has (one locator per area, issue 20).
LOCATOR_VECTOR_MAX = 10_000
#: Legend title of the likelihood shading (WPG § 19 (2) with § 18 (2), (4)).
LIKELIHOOD_TITLE = "Eignung (Wahrscheinlichkeit, § 19 Abs. 2 WPG)"


def area_colour(kind: str) -> str:
    """Fill colour of WPG area type ``kind`` (grey for a code the palette does not know)."""
    return colours("area_type").get(kind, "#cccccc")


def _map_figure(height_in: float) -> Figure:
    return figure(height_in)


def _svg(fig: Figure) -> str:
    """The map as SVG; rasterised layers (buildings) at :data:`RASTER_DPI`, text as text."""
    with mpl.rc_context({"savefig.dpi": RASTER_DPI}):
        return svg(fig)


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
            bbox_to_anchor=(0.0, -0.04),
            ncols=2,
            frameon=False,
            fontsize=6.5,
            title_fontsize=7,
            alignment="left",
        )


def _lines_legend(pipes: gpd.GeoDataFrame | None, ax: Axes, label_de: str) -> list[Any]:
    if pipes is None or not len(pipes):
        return []
    colour = colours("network_status")["planned"]
    draw_lines(ax, pipes, color=colour, linewidth=1.0, zorder=5)
    return [Line2D([], [], color=colour, linewidth=1.2, label=label_de)]


def _base(base: MapBase | None, streets: gpd.GeoDataFrame | None, attribution: str) -> MapBase:
    return base if base is not None else MapBase(streets=streets, attribution=attribution)


def _number(value: float) -> str:
    return german(f"{value:,.0f}")


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
) -> str:
    """Blocks coloured by heat-density class [MWh/(ha·a)]; suppressed blocks hatched.

    With ``areas``, only pipes of planned networks are drawn (not those merely examined in
    areas that are no heat-network area).
    """
    base = _base(base, streets, attribution)
    size = span(blocks, base.streets)
    blocks = simplified(blocks, size)
    if areas is not None and pipes is not None:
        pipes = _planned_and_examined(pipes, areas)[0]
    pipes = merged(simplified(pipes, size))
    assert blocks is not None
    fig = _map_figure(WIDTH_IN * 0.88)
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
        handles.append(_suppressed(ax, hidden, _row("heat_density", "suppressed")))
    handles += _lines_legend(pipes, ax, "Wärmenetz (Planung)")
    _extent(ax, [blocks, base.boundary])
    _legend(ax, handles + base_legend(base), "Wärmedichte je Baublock")
    finish(ax, base)
    return _svg(fig)


def _row(layer: str, category: str) -> dict[str, str]:
    """One palette row as text (fill, line, hatch, label_de ...)."""
    return {str(k): str(v) for k, v in map_style(layer).loc[category].items()}


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
) -> str:
    """Street segments coloured by heat line density against the guide value [MWh/(m·a)]."""
    base = _base(base, None, attribution)
    size = span(segments)
    segments = simplified(segments, size)
    fig = _map_figure(WIDTH_IN * 0.88)
    ax = fig.add_subplot()
    draw_base(ax, base, size)
    style = map_style("line_density")
    hidden_style = _row("line_density", "suppressed")
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
    _extent(ax, [segments, base.boundary])
    _legend(ax, handles + base_legend(base), "Wärmeliniendichte je Straßenabschnitt")
    finish(ax, base)
    return _svg(fig)


def year_groups(areas: pd.DataFrame, years: Sequence[int]) -> list[list[int]]:
    """Consecutive snapshot years whose area types and likelihoods are the same, grouped.

    >>> f = pd.DataFrame({"area_type_2030": ["a"], "likelihood_2030": ["x"],
    ...                   "area_type_2035": ["a"], "likelihood_2035": ["y"],
    ...                   "area_type_2040": ["a"], "likelihood_2040": ["y"]})
    >>> year_groups(f, [2030, 2035, 2040])
    [[2030], [2035, 2040]]
    """
    groups: list[list[int]] = []
    previous: list[Any] | None = None
    for year in years:
        state = [_column(areas, f"{kind}_{year}").tolist() for kind in ("area_type", "likelihood")]
        if state == previous:
            groups[-1].append(year)
        else:
            groups.append([year])
        previous = state
    return groups


def _column(areas: pd.DataFrame, name: str) -> pd.Series:
    return areas.get(name, pd.Series("", index=areas.index)).fillna("").astype(str)


def _years_title(years: Sequence[int]) -> str:
    if len(years) == 1:
        return f"Stichjahr {years[0]}"
    listed = ", ".join(str(y) for y in years[:-1]) + f" und {years[-1]}"
    return f"Stichjahre {listed} (gleiche Einteilung)"


def areas_maps(
    areas: gpd.GeoDataFrame,
    years: Sequence[int],
    labels: Mapping[str, str],
    *,
    base: MapBase | None = None,
    pipes: gpd.GeoDataFrame | None = None,
) -> list[dict[str, Any]]:
    """One map per snapshot year where the plan differs (identical consecutive years share one).

    Each item: ``title``, ``years`` and ``svg``.
    """
    base = base or MapBase()
    out = []
    for group in year_groups(areas, years):
        title = _years_title(group)
        svg_text = areas_year_map(areas, group[0], labels, base=base, pipes=pipes, title=title)
        out.append({"title": title, "years": group, "svg": svg_text})
    return out


@styled
def areas_year_map(
    areas: gpd.GeoDataFrame,
    year: int,
    labels: Mapping[str, str],
    *,
    base: MapBase,
    pipes: gpd.GeoDataFrame | None = None,
    title: str = "",
) -> str:
    """Areas of ``year``: colour by WPG type, shading/hatch by likelihood, id labels, base."""
    size = span(areas, base.boundary)
    shown = simplified(areas, size)
    assert shown is not None
    planned, examined = (merged(simplified(f, size)) for f in _planned_and_examined(pipes, areas))
    fig = _map_figure(WIDTH_IN * 0.95)
    ax = fig.add_subplot()
    draw_base(ax, base, size, on_top=True)
    kinds = _column(shown, f"area_type_{year}")
    grades = _column(shown, f"likelihood_{year}")
    _draw_areas(ax, shown, kinds, grades)
    for area_id, point in zip(
        shown[col.AREA_ID], shown.geometry.representative_point(), strict=True
    ):
        label(ax, point.x, point.y, str(area_id), size=7.5, fontweight="bold", zorder=9)
    status = colours("network_status")
    draw_lines(ax, planned, color=status["planned"], linewidth=1.0, zorder=6)
    draw_lines(ax, examined, color=status["examined"], linewidth=0.8, zorder=6, linestyle="--")
    handles = _area_handles(kinds, grades, labels)
    if planned is not None and len(planned):
        handles.append(Line2D([], [], color=status["planned"], label="Wärmenetz (Planung)"))
    if examined is not None and len(examined):
        handles.append(
            Line2D(
                [],
                [],
                color=status["examined"],
                ls="--",
                label=_label("network_status", "examined"),
            )
        )
    _extent(ax, [shown, base.boundary])
    _legend(ax, handles + base_legend(base), f"Versorgungsgebiete – {title or year}")
    finish(ax, base)
    return _svg(fig)


def _label(layer: str, category: str) -> str:
    return str(map_style(layer).loc[category, "label_de"])


def _draw_areas(ax: Axes, areas: gpd.GeoDataFrame, kinds: pd.Series, grades: pd.Series) -> None:
    types, shading = map_style("area_type"), map_style("likelihood")
    edge = str(map_style("base").loc["area_outline", "line"])
    for (kind, grade), part in areas.groupby([kinds, grades], sort=False):
        fill = types["fill"].get(kind, "#cccccc")
        line = types["line"].get(kind, "#555555")
        opacity = float(shading["opacity"].get(grade, 1.0)) * float(types["opacity"].get(kind, 1.0))
        hatch = str(shading["hatch"].get(grade, "")) or None
        part.plot(
            ax=ax,
            facecolor=to_rgba(fill, opacity),
            edgecolor=edge,
            hatch=hatch,
            hatchcolor=line,
            lw=1.2,
            zorder=3,
        )


def _area_handles(kinds: pd.Series, grades: pd.Series, labels: Mapping[str, str]) -> list[Any]:
    """Types present (full colour), then the four likelihood grades on the main type's colour."""
    types, shading = map_style("area_type"), map_style("likelihood")
    present = [k for k in types.index if k in set(kinds)]
    handles: list[Any] = [
        Patch(
            facecolor=types.loc[k, "fill"], edgecolor=types.loc[k, "line"], label=labels.get(k, k)
        )
        for k in present
    ]
    main = kinds.mode().iloc[0] if len(kinds) else "dezentral"
    fill, line = types["fill"].get(main, "#cccccc"), types["line"].get(main, "#555555")
    handles.append(Patch(visible=False, label=LIKELIHOOD_TITLE))
    for grade, row in shading.iterrows():
        mark = "" if grade in set(grades) else " (kommt nicht vor)"
        handles.append(
            Patch(
                facecolor=to_rgba(fill, float(row["opacity"])),
                edgecolor=line,
                hatch=str(row["hatch"]) or None,
                hatchcolor=line,
                label=f"{row['label_de']}{mark}",
            )
        )
    return handles


def _planned_and_examined(
    pipes: gpd.GeoDataFrame | None, areas: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """New pipes in network areas, and those examined in areas that are none (grey)."""
    if pipes is None or not len(pipes) or "existing" not in pipes.columns:
        return pipes, None
    status = pipe_status(pipes, areas)
    return pipes[status != "examined"], pipes[status == "examined"]


def potential_classes(values: pd.Series, count: int = 5) -> list[float]:
    """Lower bounds of ``count`` classes: quantiles rounded to two significant digits, rising.

    >>> potential_classes(pd.Series([1.0, 12.0, 130.0, 1400.0, 15000.0]))
    [0.0, 12.0, 130.0, 1400.0, 15000.0]
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
) -> str:
    """Building-level potentials summed per block (classes with values) and sites by kind."""
    base = _base(base, None, attribution)
    size = span(outline, by_block, sites, base.boundary)
    by_block = simplified(by_block, size)
    fig = _map_figure(WIDTH_IN * 0.88)
    ax = fig.add_subplot()
    draw_base(ax, base, size)
    handles: list[Any] = []
    if by_block is not None and len(by_block):
        handles += _block_potentials(ax, by_block)
    if sites is not None and len(sites):
        handles += _sites(ax, sites, kind_labels, size)
    _extent(ax, [outline, by_block, sites, base.boundary])
    _legend(ax, handles + base_legend(base), "Potenziale")
    finish(ax, base)
    return _svg(fig)


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
        handles.append(_suppressed(ax, hidden, _row("heat_density", "suppressed")))
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


@styled
def locator_map(
    areas: gpd.GeoDataFrame, area_id: str, colour: str | None = None, *, attribution: str = ""
) -> str:
    """Small map: all areas in outline with their ids, ``area_id`` filled in its type colour."""
    areas = simplified(areas, span(areas) * 4)
    fig = Figure(figsize=(2.4, 2.6))  # fixed axes: no layout pass (one locator per area)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    other = _row("base", "locator_area")
    dense = int(shapely.get_num_coordinates(areas.geometry.to_numpy()).sum()) > LOCATOR_VECTOR_MAX
    areas.plot(
        ax=ax, color=other["fill"], edgecolor=other["line"], lw=0.3, zorder=2, rasterized=dense
    )
    chosen = areas[areas[col.AREA_ID].astype(str) == area_id]
    if len(chosen):
        chosen.plot(ax=ax, color=colour or "#cccccc", edgecolor="black", linewidth=0.8, zorder=3)
        point = chosen.geometry.representative_point().iloc[0]
        label(ax, point.x, point.y, area_id, size=7, fontweight="bold")
    _extent(ax, [areas])
    finish(ax, MapBase(attribution=attribution), place=False)
    return svg(fig, tight=bool(attribution))
