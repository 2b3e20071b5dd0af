"""The one map palette (``data/map_styles.csv``): report maps, web map and QGIS styles read it.

Each row styles one category of one map layer: fill and line colour (sRGB hex), opacity [-],
a hatch pattern (matplotlib notation), an optional lower class bound (unit in the row) and the
German and English legend label.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from heatplan.reference import table

__all__ = ["STYLE_COLUMNS", "colours", "map_style"]

STYLE_COLUMNS = ("fill", "line", "opacity", "hatch", "lower_bound", "label_de", "label_en")


def map_style(layer: str) -> pd.DataFrame:
    """The style rows of ``layer`` (e.g. ``'area_type'``), indexed by category, in file order.

    A copy of the rows read once per process: a report of a large town asks for a style some
    thousand times (every map label's colour), 3 ms each when the table was filtered anew.
    """
    return _map_style(layer).copy()


@cache
def _map_style(layer: str) -> pd.DataFrame:
    frame = table("map_styles.csv", as_text=True)
    rows = frame[frame["layer"] == layer].set_index("category")
    if rows.empty:
        raise KeyError(f"map_styles.csv has no rows for layer {layer!r}")
    out = rows.loc[:, list(STYLE_COLUMNS)].copy()
    out["opacity"] = pd.to_numeric(out["opacity"], errors="coerce").fillna(1.0)
    out["lower_bound"] = pd.to_numeric(out["lower_bound"], errors="coerce")
    return out


def colours(layer: str, column: str = "fill") -> dict[str, str]:
    """Category -> colour (``'fill'`` or ``'line'``) of ``layer``."""
    return {str(k): str(v) for k, v in map_style(layer)[column].items()}
