"""The base every report map stands on: the project's own streets, buildings and boundary.

No tiles and no downloads: the base is drawn from the project's layers (geometry only, street
names where the streets layer has them) so a reader recognises the town. Colours come from the
one map palette (``data/map_styles.csv``, :mod:`heatplan.reference.map_styles`).

Every map is rendered once as a PNG at print resolution (:data:`MAP_DPI`, :class:`MapImage`)
and embedded in the HTML as a data URI: the report stays one self-contained file, and the PDF
writer only places the image instead of re-drawing thousands of vector paths (issue 20: as SVG
the 50,000-building plan was a 94 MB HTML file and its PDF took 573 s). The legend's text goes
into the image's ``alt`` text, so the map's classes stay searchable and readable by a screen
reader.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from heatplan.formats import german
from heatplan.publish.layers import pipe_status
from heatplan.reference.map_styles import map_style
from heatplan.report.charts import figure, plain_graphics_context

__all__ = [
    "MAP_DPI",
    "MapBase",
    "MapImage",
    "base_legend",
    "draw_base",
    "draw_lines",
    "finish",
    "label",
    "map_figure",
    "map_image",
    "merged",
    "planned_and_examined",
    "polygons_path",
    "put_legend",
    "set_extent",
    "simplified",
    "span",
    "style_row",
]

NICE_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)
#: Geometries are simplified to this share of the map's larger side before drawing (keeps the
#: inline SVG small; 1/2000 of a 3 km town is 1.5 m, far below a printed line width).
SIMPLIFY_SHARE = 1 / 2000
#: Print resolution of every map image [dpi]: a 0.1 mm hairline (buildings' outlines) is still
#: 0.8 px wide, and 200 dpi lies between the 150 dpi that office printers render raster images
#: at and the 300 dpi of offset print (a full-width map is 1,300 px wide, about 0.2 MB as PNG).
MAP_DPI = 200
MM_PER_IN = 25.4
#: Colours of a map's PNG palette: the maps are flat fills and lines from the palette file
#: plus their anti-aliased edges; 256 chosen by Pillow's maximum-coverage quantiser move no
#: pixel by more than a step or two (the fast octree one turns white into 249/250/250).
PNG_COLOURS = 256
#: Street names: at most this many, the longest named streets first.
MAX_STREET_NAMES = 12


@dataclass(frozen=True)
class MapBase:
    """What every map draws under its theme (all public, geometry and names only)."""

    streets: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None
    boundary: gpd.GeoDataFrame | None = None
    #: legend text of the boundary (the municipality's, or the planning area's outline)
    boundary_label: str = ""
    #: place name written on the map (the municipality)
    place: str = ""
    attribution: str = ""


def base_colour(category: str, column: str = "fill") -> str:
    """Colour of a base category (``street``, ``building``, ``boundary``, ``label``)."""
    return str(map_style("base").loc[category, column])


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
    xs = [
        np.vstack([shapely.get_coordinates(line), [np.nan, np.nan]])
        for line in shapely.get_parts(frame.geometry.to_numpy())
    ]
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


def _halo() -> dict[str, Any]:
    """A light box behind a label (a stroke halo would turn the text into paths in the SVG)."""
    return {
        "boxstyle": "round,pad=0.15",
        "facecolor": base_colour("label", "line"),
        "edgecolor": "none",
        "alpha": 0.75,
    }


def label(ax: Axes, x: float, y: float, text: str, *, size: float = 7.0, **kw: Any) -> None:
    """Dark text on a light box (readable on any fill), kept as text in the SVG."""
    ax.text(
        x,
        y,
        text,
        ha=kw.pop("ha", "center"),
        va=kw.pop("va", "center"),
        fontsize=size,
        color=base_colour("label"),
        zorder=kw.pop("zorder", 8),
        bbox=_halo(),
        **kw,
    )


def draw_base(
    ax: Axes, base: MapBase, size_m: float, *, buildings: bool = True, on_top: bool = False
) -> None:
    """Buildings (one path; ``on_top``: over the theme's fills), streets, boundary, names."""
    if buildings and base.buildings is not None and len(base.buildings):
        _draw_buildings(ax, base.buildings, size_m, zorder=4.5 if on_top else 1.0)
    streets = simplified(base.streets, size_m)
    draw_lines(ax, merged(streets), color=base_colour("street"), linewidth=0.45, zorder=1.5)
    if base.boundary is not None and len(base.boundary):
        simplified(base.boundary, size_m).boundary.plot(  # type: ignore[union-attr]
            ax=ax, color=base_colour("boundary", "line"), linewidth=0.9, linestyle="-.", zorder=7
        )
    _street_names(ax, streets)


def polygons_path(geometries: Any) -> MplPath:
    """Every ring of every (multi)polygon in ``geometries`` as ONE matplotlib path.

    Built with shapely's array functions: a town's 20,000 buildings are one path instead of
    20,000 patches (geopandas' ``plot`` makes a Python object per polygon, issue 20). Holes
    are rings of the same path, as geopandas draws them. Add it with ``ax.add_artist``: the
    data limits of ``add_patch`` walk every vertex in Python.
    """
    rings = shapely.get_rings(shapely.get_parts(np.asarray(geometries, dtype=object)))
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    if not len(xy):
        return MplPath(np.zeros((0, 2)))
    codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(ring_of)) + 1]
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:] - 1, len(xy) - 1]] = MplPath.CLOSEPOLY
    return MplPath(xy, codes)


def _draw_buildings(ax: Axes, buildings: gpd.GeoDataFrame, size_m: float, zorder: float) -> None:
    polygons = buildings.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    fill, edge = base_colour("building"), base_colour("building", "line")
    if polygons.any():
        shown = simplified(buildings[polygons], size_m)
        assert shown is not None
        path = polygons_path(shown.geometry.to_numpy())
        patch = PathPatch(path, facecolor=fill, edgecolor=edge, linewidth=0.1, zorder=zorder)
        ax.add_artist(patch)  # not add_patch: its data limits walk every vertex in Python
    if (~polygons).any():
        points = buildings[~polygons].geometry.representative_point()
        ax.scatter(points.x, points.y, s=1.5, c=edge, linewidths=0, zorder=zorder, rasterized=True)


def _street_names(ax: Axes, streets: gpd.GeoDataFrame | None) -> None:
    """Names of the longest named streets, along their middle (only if the layer has names)."""
    if streets is None or "name" not in streets.columns:
        return
    named = streets[streets["name"].fillna("").astype(str).str.strip() != ""]
    if named.empty:
        return
    whole = named.dissolve(by="name")
    whole = whole.assign(_len=whole.geometry.length).nlargest(MAX_STREET_NAMES, "_len")
    for name, geom in zip(whole.index, whole.geometry, strict=True):
        line = shapely.line_merge(geom)
        parts = shapely.get_parts(line)
        longest = max(parts, key=lambda p: p.length)
        middle = longest.interpolate(0.5, normalized=True)
        ahead = longest.interpolate(min(longest.length, longest.project(middle) + 5.0))
        angle = float(np.degrees(np.arctan2(ahead.y - middle.y, ahead.x - middle.x)))
        angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
        label(ax, middle.x, middle.y, str(name), size=5.0, rotation=angle, style="italic")


def _place_name(ax: Axes, base: MapBase) -> None:
    if base.place:
        ax.text(
            0.02,
            0.98,
            base.place,
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=9,
            fontweight="bold",
            color=base_colour("label"),
            zorder=11,
            bbox=_halo(),
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
    text = german(f"{length / 1000:g} km") if length >= 1000 else f"{length} m"
    ax.text(left, bottom + 2 * height, "0", ha="center", va="bottom", fontsize=6, zorder=10)
    ax.text(
        left + length, bottom + 2 * height, text, ha="center", va="bottom", fontsize=6, zorder=10
    )


def _north_arrow(ax: Axes) -> None:
    """A black triangle pointing up with an N below (a plain polygon: an annotation arrow costs
    a layout pass per map)."""
    x, top, width, height = 0.96, 0.97, 0.012, 0.06
    ax.add_patch(
        Polygon(
            [(x - width, top - height), (x, top), (x + width, top - height), (x, top - height)],
            closed=True,
            transform=ax.transAxes,
            facecolor="black",
            edgecolor="black",
            linewidth=0.5,
            zorder=10,
        )
    )
    ax.text(
        x,
        top - height - 0.01,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=8,
        fontweight="bold",
        zorder=10,
    )


def finish(ax: Axes, base: MapBase, *, place: bool = True, credit: bool = True) -> None:
    """North up, scale bar bottom left, north arrow top right, place name top left and the
    credit line BELOW the map frame (it never overlaps the scale bar)."""
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.5)
        spine.set_color("#808080")
    _scale_bar(ax)
    _north_arrow(ax)
    if place:
        _place_name(ax, base)
    if credit and base.attribution:
        ax.text(
            1.0,
            -0.01,
            base.attribution,
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=5.5,
            color="#444444",
        )


def base_legend(base: MapBase) -> list[Any]:
    """Legend entries of the base layers the map shows."""
    out: list[Any] = []
    if base.buildings is not None and len(base.buildings):
        out.append(_building_handle(base.buildings))
    if base.streets is not None and len(base.streets):
        out.append(Line2D([], [], color=base_colour("street"), linewidth=0.8, label="Straßen"))
    if base.boundary is not None and len(base.boundary):
        out.append(
            Line2D(
                [],
                [],
                color=base_colour("boundary", "line"),
                linestyle="-.",
                linewidth=0.9,
                label=base.boundary_label or "Grenze",
            )
        )
    return out


def _building_handle(buildings: gpd.GeoDataFrame) -> Any:
    fill, edge = base_colour("building"), base_colour("building", "line")
    if buildings.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        return Patch(facecolor=fill, edgecolor=edge, label="Gebäude")
    return Line2D([], [], marker="o", ls="", ms=2.5, color=edge, label="Gebäude (Lage)")


def outline_of(frame: pd.DataFrame | None) -> gpd.GeoDataFrame | None:
    """The outer outline of ``frame``'s polygons (e.g. the planning area from its areas)."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return None
    whole = shapely.union_all(frame.geometry.buffer(0.5).to_numpy()).buffer(-0.5)
    return gpd.GeoDataFrame(geometry=[whole], crs=frame.crs)


def map_figure(height_in: float) -> Figure:
    """An empty map figure of the report's width (constrained layout)."""
    return figure(height_in)


@dataclass(frozen=True)
class MapImage:
    """One map as PNG at ``dpi``; its printed width is ``width_px / dpi`` inches.

    In a jinja2 template ``{{ image }}`` writes the ``<img>`` element (data URI, printed width
    in mm, the legend as ``alt`` text).
    """

    png: bytes
    width_px: int
    height_px: int
    dpi: int
    alt: str

    @property
    def width_mm(self) -> float:
        """Printed width [mm] (one pixel is 1/``dpi`` inch)."""
        return self.width_px / self.dpi * MM_PER_IN

    @property
    def height_mm(self) -> float:
        """Printed height [mm]."""
        return self.height_px / self.dpi * MM_PER_IN

    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI (the report is one self-contained HTML file)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def __html__(self) -> str:
        return (
            f'<img class="map" src="{self.data_uri()}" alt="{html.escape(self.alt)}" '
            f'width="{self.width_px}" height="{self.height_px}" '
            f'style="width: {self.width_mm:.1f}mm">'
        )

    def __str__(self) -> str:
        return self.__html__()


def _legend_text(fig: Figure) -> str:
    """The legends of ``fig`` as plain text: 'Title: entry; entry; ...'."""
    parts = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        title = legend.get_title().get_text()
        entries = "; ".join(t.get_text() for t in legend.get_texts() if t.get_text())
        parts.append(f"{title}: {entries}" if title else entries)
    return " ".join(parts)


def map_image(fig: Figure, *, alt: str = "", dpi: int = MAP_DPI, tight: bool = True) -> MapImage:
    """The map as one PNG at ``dpi``; ``tight``: cropped to what is drawn (legend below
    included), else the whole figure (its pixels then follow the axes' transform).

    ``alt``: text before the legend's text in the image's alternative text. The PNG has a
    palette of :data:`PNG_COLOURS` colours: a third of the size of an RGB PNG in the HTML;
    the PDF writer (WeasyPrint) expands it to RGB once more per image, which costs a fixed
    ~0.5 s for the few full-page maps (the per-area locators share one image).
    """
    from PIL import Image

    text = " ".join(t for t in (alt, _legend_text(fig)) if t)
    buffer = io.BytesIO()
    with plain_graphics_context():
        fig.savefig(
            buffer,
            format="png",
            dpi=dpi,
            bbox_inches="tight" if tight else None,
            facecolor="white",
            metadata={"Software": None},
            pil_kwargs={"compress_level": 0},  # read back at once and stored without alpha
        )
    with Image.open(buffer) as drawn:
        image = drawn.convert("RGB")
    out = io.BytesIO()
    image.quantize(PNG_COLOURS, method=Image.Quantize.MAXCOVERAGE).save(out, format="png")
    return MapImage(out.getvalue(), image.width, image.height, dpi, text)


def set_extent(ax: Axes, frames: Sequence[gpd.GeoDataFrame | None]) -> None:
    """The axes' limits: the frames' joint extent with a 4 % margin."""
    bounds = [f.total_bounds for f in frames if f is not None and len(f)]
    if not bounds:
        return
    b = np.array(bounds)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = 0.04 * max(x1 - x0, y1 - y0, 1.0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)


def put_legend(ax: Axes, handles: list[Any], title: str) -> None:
    """The legend below the map in two columns (the map keeps the full width)."""
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


def style_row(layer: str, category: str) -> dict[str, str]:
    """One palette row as text (fill, line, hatch, label_de ...)."""
    return {str(k): str(v) for k, v in map_style(layer).loc[category].items()}


def planned_and_examined(
    pipes: gpd.GeoDataFrame | None, areas: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """New pipes in network areas, and those examined in areas that are none (grey)."""
    if pipes is None or not len(pipes) or "existing" not in pipes.columns:
        return pipes, None
    status = pipe_status(pipes, areas)
    return pipes[status != "examined"], pipes[status == "examined"]
