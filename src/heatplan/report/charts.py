"""Charts of the report as inline SVG (matplotlib, no pyplot state, DejaVu Sans, no web fonts).

Every function takes plain labels and numbers (already public: the sections decide what may be
shown) and returns one ``<svg>`` element as text. Text stays text in the SVG (searchable in the
HTML and the PDF).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from functools import wraps
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.figure import Figure

from heatplan.report.fmt import number

__all__ = [
    "bars",
    "figure",
    "lines",
    "plain_graphics_context",
    "plan_vs_actual",
    "stacked",
    "status_bars",
    "svg",
]

#: Chart style: DejaVu Sans (ships with matplotlib), text kept as text, stable element ids.
STYLE: Any = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "svg.fonttype": "none",
    "svg.hashsalt": "heatplan",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
}
WIDTH_IN = 6.6  # A4 text width (170 mm) minus a margin
#: Colours of energy carriers and measure states (fallback: matplotlib's tab20).
COLOURS = {
    "natural_gas": "#8c8c8c",
    "heating_oil": "#5a4a3a",
    "lpg": "#b0a090",
    "coal": "#303030",
    "district_heat": "#c0392b",
    "waste_heat": "#e67e22",
    "electricity": "#2e86c1",
    "ambient_heat": "#48c9b0",
    "solar_thermal": "#f4d03f",
    "wood": "#7d5a2c",
    "biomass": "#7d5a2c",
    "biogas": "#58a55c",
    "biomethane": "#58a55c",
    "hydrogen": "#8e44ad",
    "unknown": "#d5d8dc",
    "planned": "#aab7b8",
    "in_progress": "#2e86c1",
    "completed": "#27ae60",
    "delayed": "#e67e22",
    "cancelled": "#7f8c8d",
}
F = TypeVar("F", bound=Callable[..., Any])


def styled(func: F) -> F:
    """Run a chart function inside the report's matplotlib style."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def colour(key: str, index: int) -> Any:
    """Colour of a carrier/status code, else the ``index``-th of tab20."""
    return COLOURS.get(key, mpl.colormaps["tab20"](index % 20))


def _new_gc(_renderer: Any) -> GraphicsContextBase:
    return GraphicsContextBase()


@contextlib.contextmanager
def plain_graphics_context() -> Iterator[None]:
    """Draw with matplotlib's own graphics context.

    Importing ``pandapipes.plotting`` (the Schutterwald demo reads its network with pandapipes)
    replaces ``RendererBase.new_gc`` process-wide by one whose cap style is a plain string,
    which breaks SVG output (``'str' object has no attribute 'name'``). The original is put
    back for the drawing and the replacement restored afterwards.
    """
    current = RendererBase.new_gc
    RendererBase.new_gc = _new_gc  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        RendererBase.new_gc = current  # type: ignore[method-assign]


def svg(fig: Figure, *, tight: bool = True) -> str:
    """The figure as one ``<svg>`` element (no XML prolog).

    ``tight`` crops to the drawn content (legends outside the axes); it draws the figure twice.
    """
    buffer = io.StringIO()
    with plain_graphics_context():
        fig.savefig(
            buffer, format="svg", bbox_inches="tight" if tight else None, metadata={"Date": None}
        )
    text = buffer.getvalue()
    start = text.find("<svg")
    element = text[start:]
    return re.sub(r"<!--.*?-->", "", element, flags=re.DOTALL).strip()


def figure(height_in: float, width_in: float = WIDTH_IN) -> Figure:
    """An empty figure of the report's width with constrained layout."""
    return Figure(figsize=(width_in, height_in), layout="constrained")


def _unit_axis(ax: Any, unit: str, *, horizontal: bool = False) -> None:
    formatter = mpl.ticker.FuncFormatter(lambda v, _pos: number(v))
    axis = ax.xaxis if horizontal else ax.yaxis
    axis.set_major_formatter(formatter)
    (ax.set_xlabel if horizontal else ax.set_ylabel)(unit)


@styled
def bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str,
    title: str = "",
    keys: Sequence[str] | None = None,
) -> str:
    """Horizontal bars, one per label (``keys``: carrier codes for the colours)."""
    fig = figure(0.6 + 0.28 * max(len(labels), 1))
    ax = fig.add_subplot()
    codes = list(keys) if keys is not None else [""] * len(labels)
    positions = np.arange(len(labels))[::-1]
    ax.barh(
        positions,
        np.nan_to_num(np.asarray(values, dtype=float)),
        color=[colour(k, i) if k else "#2e86c1" for i, k in enumerate(codes)],
    )
    ax.set_yticks(positions, labels=list(labels))
    _unit_axis(ax, unit, horizontal=True)
    ax.set_title(title, loc="left")
    return svg(fig)


@styled
def stacked(frame: pd.DataFrame, *, unit: str, title: str = "", labels: dict[str, str]) -> str:
    """Stacked columns: one column per row of ``frame`` (index: x labels), stacks = columns.

    ``labels`` maps a column (carrier code) to its legend text.
    """
    fig = figure(3.2)
    ax = fig.add_subplot()
    bottom = np.zeros(len(frame))
    x = np.arange(len(frame))
    for i, column in enumerate(frame.columns):
        values = np.nan_to_num(frame[column].to_numpy(dtype=float))
        ax.bar(
            x,
            values,
            bottom=bottom,
            color=colour(str(column), i),
            width=0.6,
            label=labels.get(str(column), str(column)),
        )
        bottom += values
    ax.set_xticks(x, labels=[str(i) for i in frame.index])
    _unit_axis(ax, unit)
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return svg(fig)


@styled
def lines(frame: pd.DataFrame, *, unit: str, title: str = "") -> str:
    """One line with markers per column over the index (years)."""
    fig = figure(2.8)
    ax = fig.add_subplot()
    for i, column in enumerate(frame.columns):
        series = frame[column].dropna()
        ax.plot(
            series.index,
            series.to_numpy(dtype=float),
            marker="o",
            label=str(column),
            color=mpl.colormaps["tab10"](i % 10),
        )
    ax.set_xticks(list(frame.index))
    ax.set_ylim(bottom=0)
    _unit_axis(ax, unit)
    ax.set_title(title, loc="left")
    if len(frame.columns) > 1:
        ax.legend(frameon=False)
    return svg(fig)


@styled
def status_bars(counts: dict[str, int], labels: dict[str, str], *, title: str = "") -> str:
    """Number of measures per status (all states, also those with none)."""
    fig = figure(1.8)
    ax = fig.add_subplot()
    codes = list(labels)
    values = [counts.get(code, 0) for code in codes]
    positions = np.arange(len(codes))[::-1]
    ax.barh(positions, values, color=[colour(c, i) for i, c in enumerate(codes)])
    ax.set_yticks(positions, labels=[labels[c] for c in codes])
    for y, value in zip(positions, values, strict=True):
        ax.text(value, y, f" {value}", va="center")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("Maßnahmen")
    ax.set_title(title, loc="left")
    return svg(fig)


@styled
def plan_vs_actual(
    rows: Sequence[tuple[str, float, float, str, str]],
    *,
    title: str = "",
    colours: dict[str, str],
) -> str:
    """Small multiples: per indicator (label, plan, actual, unit, grade) a pair of bars.

    The plan bar is grey, the actual bar has the colour of its grade in ``colours`` (worse
    than plan: red, on plan: green), so a bar is never green while it misses its plan.
    """
    fig = figure(2.2)
    axes = fig.subplots(1, max(len(rows), 1), squeeze=False)[0]
    for ax, (label, plan, actual, unit, grade) in zip(axes, rows, strict=False):
        ax.bar(
            [0, 1],
            [np.nan_to_num(plan), np.nan_to_num(actual)],
            color=["#aab7b8", colours.get(grade, "#7f8c8d")],
            width=0.6,
        )
        ax.set_xticks([0, 1], labels=["Plan", "Ist"])
        ax.set_title(label, fontsize=8, loc="left")
        _unit_axis(ax, unit)
    if title:
        fig.suptitle(title, x=0.0, ha="left", fontsize=9.5, fontweight="bold")
    return svg(fig)
