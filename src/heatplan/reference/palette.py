"""The one map palette of heatplan (``data/map_palette.csv``): report maps, web map and the
GeoPackage's QGIS styles colour the same code the same way.

Each row is one legend entry: ``group`` (``area_type``, ``likelihood``, ``heat_density``,
``potential_kind``, ``network_status``, ``existing_network``, ``line_density``, ``base``), the
code ``value``, its ``colour`` (``#rrggbb``) and German and English labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from heatplan.reference._files import cached_table

__all__ = ["PALETTE_FILE", "LegendEntry", "colours", "legend"]

PALETTE_FILE = "map_palette.csv"


@dataclass(frozen=True)
class LegendEntry:
    """One coloured code of a map legend."""

    value: str
    colour: str
    label_de: str
    label_en: str


def legend(group: str) -> list[LegendEntry]:
    """The entries of ``group`` in the file's order; KeyError naming the groups otherwise."""
    table = cached_table(PALETTE_FILE, True)
    rows = table[table["group"] == group]
    if rows.empty:
        groups = ", ".join(dict.fromkeys(table["group"]))
        raise KeyError(f"{PALETTE_FILE} has no group {group!r}; groups: {groups}")
    return [
        LegendEntry(str(r.value), str(r.colour), str(r.label_de), str(r.label_en))
        for r in rows.itertuples(index=False)
    ]


def colours(group: str) -> dict[str, str]:
    """``{code: '#rrggbb'}`` of ``group``."""
    return {entry.value: entry.colour for entry in legend(group)}
