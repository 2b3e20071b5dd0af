"""The supply-area maps of the report: one map per snapshot year where the plan differs, and
the small locator map of each area's profile sheet.

Areas are coloured by their WPG type and shaded (paler, hatched) by the likelihood grade of the
year (WPG § 19 (2) with § 18 (2), (4)), labelled with their id and drawn on the project's base;
colours and shading come from ``data/map_styles.csv`` as in the web map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from heatplan.plan import columns as col
from heatplan.reference.map_styles import colours, map_style
from heatplan.report.charts import WIDTH_IN, styled, svg
from heatplan.report.map_base import (
    MapBase,
    base_legend,
    draw_base,
    draw_lines,
    finish,
    label,
    map_figure,
    map_svg,
    merged,
    planned_and_examined,
    put_legend,
    set_extent,
    simplified,
    span,
    style_row,
)

__all__ = [
    "LIKELIHOOD_TITLE",
    "area_colour",
    "areas_maps",
    "areas_year_map",
    "locator_map",
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
    planned, examined = (merged(simplified(f, size)) for f in planned_and_examined(pipes, areas))
    fig = map_figure(WIDTH_IN * 0.95)
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
    set_extent(ax, [shown, base.boundary])
    put_legend(ax, handles + base_legend(base), f"Versorgungsgebiete – {title or year}")
    finish(ax, base)
    return map_svg(fig)


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


@styled
def locator_map(
    areas: gpd.GeoDataFrame, area_id: str, colour: str | None = None, *, attribution: str = ""
) -> str:
    """Small map: all areas in outline with their ids, ``area_id`` filled in its type colour."""
    areas = simplified(areas, span(areas) * 4)
    fig = Figure(figsize=(2.4, 2.6))  # fixed axes: no layout pass (one locator per area)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    other = style_row("base", "locator_area")
    dense = int(shapely.get_num_coordinates(areas.geometry.to_numpy()).sum()) > LOCATOR_VECTOR_MAX
    areas.plot(
        ax=ax, color=other["fill"], edgecolor=other["line"], lw=0.3, zorder=2, rasterized=dense
    )
    chosen = areas[areas[col.AREA_ID].astype(str) == area_id]
    if len(chosen):
        chosen.plot(ax=ax, color=colour or "#cccccc", edgecolor="black", linewidth=0.8, zorder=3)
        point = chosen.geometry.representative_point().iloc[0]
        label(ax, point.x, point.y, area_id, size=7, fontweight="bold")
    set_extent(ax, [areas])
    finish(ax, MapBase(attribution=attribution), place=False)
    return svg(fig, tight=bool(attribution))
