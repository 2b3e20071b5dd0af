"""The supply-area maps of the report: one map per snapshot year where the plan differs, and
the small locator map of each area's profile sheet.

Areas are coloured by their WPG type and shaded (paler, hatched) by the likelihood grade of the
year (WPG § 19 (2) with § 18 (2), (4)), labelled with their id and drawn on the project's base;
colours and shading come from ``data/map_styles.csv`` as in the web map.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
from matplotlib.transforms import Transform

from heatplan.plan import columns as col
from heatplan.reference.map_styles import colours, map_style
from heatplan.report.charts import STYLE, WIDTH_IN, styled
from heatplan.report.map_base import (
    MAP_DPI,
    MapBase,
    MapImage,
    base_colour,
    base_legend,
    draw_base,
    draw_lines,
    finish,
    label,
    map_figure,
    map_image,
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
    "LOCATOR_SIZE_IN",
    "Locator",
    "Locators",
    "area_colour",
    "areas_maps",
    "areas_year_map",
    "locator_map",
    "year_groups",
]

#: Figure size of a locator map [in] (printed 61 mm wide beside the profile's table).
LOCATOR_SIZE_IN = (2.4, 2.6)
#: Diameter of the ring around an area too small to see on its locator [pt] ...
RING_PT = 14.0
#: ... drawn when the area's larger side is less than this share of the ring.
SMALL_SHARE = 0.5
#: The area's id stands this far above its point [pt] ...
LABEL_OFFSET_PT = 4.0
#: ... in this font size [pt].
LABEL_PT = 7.0
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

    Each item: ``title``, ``years`` and ``image`` (:class:`MapImage`).
    """
    base = base or MapBase()
    out = []
    for group in year_groups(areas, years):
        title = _years_title(group)
        image = areas_year_map(areas, group[0], labels, base=base, pipes=pipes, title=title)
        out.append({"title": title, "years": group, "image": image})
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
) -> MapImage:
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
    return map_image(fig)


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


@dataclass(frozen=True)
class Locator:
    """One area's locator: the town's base image (drawn once, shown through the CSS class
    ``locator`` of :meth:`Locators.css`) under an SVG that marks the area and its id."""

    area_id: str
    #: the ``<svg>`` mark in the base image's pixel coordinates
    mark: str
    base: MapImage

    def __html__(self) -> str:
        alt = html.escape(f"Lage von Gebiet {self.area_id} im Planungsgebiet")
        return f'<div class="locator" role="img" aria-label="{alt}">{self.mark}</div>'

    def __str__(self) -> str:
        return self.__html__()


def _rings(geometry: Any) -> list[np.ndarray]:
    """Exterior and holes of every part of a (multi)polygon as coordinate arrays."""
    return [
        np.asarray(ring.coords)[:, :2]
        for part in shapely.get_parts(geometry)
        for ring in [part.exterior, *part.interiors]
    ]


def _svg_path(rings: list[np.ndarray]) -> str:
    """SVG path data of pixel rings (one decimal)."""
    return " ".join(
        "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in ring[:-1]) + " Z"
        for ring in rings
        if len(ring) > 2
    )


class Locators:
    """The locator maps of one town's areas: the town drawn ONCE as a PNG at print resolution,
    each area marked by a small SVG over it.

    Every locator shows all areas in outline at the same extent (the town) with the scale bar
    and north arrow (:attr:`base`, embedded once in the report through :meth:`css`); the mark
    of an area is its outline filled in its type colour, its id just above it and, where the
    area is too small to see at the town's extent, a ring around it. A town with hundreds of
    areas costs one drawing, one image in the PDF and a few hundred bytes per area.
    """

    def __init__(self, areas: gpd.GeoDataFrame, *, dpi: int = MAP_DPI) -> None:
        shown = simplified(areas, span(areas) * 4)
        assert shown is not None
        with mpl_style():
            fig = Figure(figsize=LOCATOR_SIZE_IN, dpi=dpi)  # fixed axes: no layout pass
            ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
            other = style_row("base", "locator_area")
            shown.plot(ax=ax, color=other["fill"], edgecolor=other["line"], lw=0.3, zorder=2)
            set_extent(ax, [shown])
            finish(ax, MapBase(), place=False)
            self.base = map_image(fig, dpi=dpi, tight=False, alt="Lage der Gebiete")
            self._to_display: Transform = ax.transData.frozen()  # type: ignore[assignment]
        self.dpi = dpi
        self._rings = {
            str(a): [self._pixels(r) for r in _rings(g)]
            for a, g in zip(shown[col.AREA_ID], shown.geometry, strict=True)
        }
        points = shown.geometry.representative_point()
        self._points = {
            str(a): self._pixels(np.array([[p.x, p.y]]))[0]
            for a, p in zip(shown[col.AREA_ID], points, strict=True)
        }

    def _pixels(self, xy_m: np.ndarray) -> np.ndarray:
        """Map coordinates [m] -> (column, row) pixels of :attr:`base` (rows from the top)."""
        display = self._to_display.transform(xy_m)
        return np.column_stack([display[:, 0], self.base.height_px - display[:, 1]])

    def pixel(self, x_m: float, y_m: float) -> tuple[int, int]:
        """(column, row) of the map point (``x_m``, ``y_m``) in :attr:`base`."""
        column, row = self._pixels(np.array([[x_m, y_m]]))[0]
        return int(column), int(row)

    def css(self) -> str:
        """The CSS of the ``locator`` class: the base image once for every locator."""
        return (
            f".locator {{ width: {self.base.width_mm:.2f}mm; "
            f"height: {self.base.height_mm:.2f}mm; "
            f"background: url({self.base.data_uri()}) no-repeat; background-size: 100% 100%; }}"
        )

    def mark_path(self, area_id: str) -> list[np.ndarray]:
        """The pixel rings of ``area_id``'s outline on :attr:`base` (empty if unknown)."""
        return self._rings.get(area_id, [])

    def locator(self, area_id: str, colour: str | None = None) -> Locator:
        """The locator of ``area_id``, filled in ``colour`` (grey if None)."""
        px = self.dpi / 72  # pixels per point
        width, height = self.base.width_px, self.base.height_px
        parts = []
        rings = self.mark_path(area_id)
        if rings:
            parts.append(
                f'<path d="{_svg_path(rings)}" fill="{colour or "#cccccc"}" '
                f'fill-rule="evenodd" stroke="black" stroke-width="{0.8 * px:.1f}"/>'
            )
            x, y = self._points[area_id]
            (x0, y0), (x1, y1) = np.vstack(rings).min(axis=0), np.vstack(rings).max(axis=0)
            if max(x1 - x0, y1 - y0) < RING_PT * SMALL_SHARE * px:
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RING_PT / 2 * px:.1f}" '
                    f'fill="none" stroke="black" stroke-width="{px:.1f}"/>'
                )
            parts.append(self._label(area_id, x, y, width))
        return Locator(
            area_id=area_id,
            mark=(
                f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
                f'width="100%" height="100%">{"".join(parts)}</svg>'
            ),
            base=self.base,
        )

    def _label(self, area_id: str, x: float, y: float, width: int) -> str:
        """The id above the area's point (below it at the top edge), kept inside the image,
        dark on a white halo (drawn twice: halo stroke, then the text)."""
        px = self.dpi / 72
        size = LABEL_PT * px
        half = 0.33 * size * len(area_id)  # DejaVu Sans Bold: ~0.66 em per character
        x = min(max(x, half + 2), width - half - 2)
        above = y - LABEL_OFFSET_PT * px
        y = above if above - size > 0 else y + LABEL_OFFSET_PT * px + size
        text = html.escape(area_id)
        font = (
            f'x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-family="DejaVu Sans" '
            f'font-weight="bold" font-size="{size:.1f}"'
        )
        ink = base_colour("label")
        return (
            f'<text {font} fill="white" stroke="white" stroke-width="{1.5 * px:.1f}" '
            f'stroke-linejoin="round">{text}</text><text {font} fill="{ink}">{text}</text>'
        )


def mpl_style() -> Any:
    """The report's matplotlib style as a context manager."""
    return mpl.rc_context(STYLE)


def locator_map(areas: gpd.GeoDataFrame, area_id: str, colour: str | None = None) -> Locator:
    """Small map: all areas in outline, ``area_id`` filled in its type colour with its id
    (one locator; for every area of a town use one :class:`Locators`)."""
    return Locators(areas).locator(area_id, colour)
