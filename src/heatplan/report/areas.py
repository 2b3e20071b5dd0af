"""Section 4 (Versorgungsgebiete): maps per snapshot year, the area table, one profile per area.

The profile sheets show what the XLSX profile sheets show (their rows come from
:mod:`heatplan.outputs.tables`, so both stay the same); areas under the WPG § 10 minimum
carry the suppression notice instead of figures.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan.classify.rules import GRADE_DE, TYPE_DE
from heatplan.outputs.tables import (
    AREA_INDICATORS,
    area_grades,
    area_indicators,
    area_types,
    area_years,
)
from heatplan.plan import columns as col
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION, SUPPRESSED_NOTICE
from heatplan.report import maps
from heatplan.report.fmt import DASH, Table, labels_de, number, percent, table
from heatplan.report.map_base import MapBase

__all__ = ["areas_section"]

#: Long texts shown below the profile table, not in it.
TEXTS = ("eignung_reason", "saving_reason", "network_probability_drivers")
#: Codes of the cheapest decentral option (heatplan.options) -> German.
DECENTRAL_DE = labels_de("decentral_option")
WORDS_DE = {**labels_de("word"), **DECENTRAL_DE}
#: Indicators shown as percent (shares [-]).
SHARES = (
    "share_residential",
    "share_large_consumers",
    "share_gas",
    "saving_potential_share",
    "network_better_probability",
)
DIGITS = {col.HEAT_DENSITY_MWH_PER_HA_A: 1, "area_ha": 1}


def _label(labels: dict[str, str], value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return DASH
    return labels.get(str(value), str(value))


def _overview(areas: pd.DataFrame, target: int) -> Table:
    frame = pd.DataFrame(
        {
            "Gebiet": areas[col.AREA_ID].astype(str),
            "Gebäude": areas["buildings"],
            "Wärmebedarf [MWh/a]": areas.get(col.HEAT_DEMAND_MWH_PER_A),
            f"Versorgungsart {target}": areas[f"area_type_{target}"].map(
                lambda v: _label(TYPE_DE, v)
            ),
            "Wahrscheinlichkeit": areas.get(
                f"likelihood_{target}", pd.Series(index=areas.index)
            ).map(lambda v: _label(GRADE_DE, v)),
            "Verfahren (§ 14)": _flags(areas, "eignung_shortened").map(
                {True: "verkürzt", False: "vollständig"}
            ),
            "Einsparpotenzial (§ 18 Abs. 5)": _saving_cells(areas),
        }
    )
    return table(
        frame,
        0,
        caption=f"Voraussichtliche Wärmeversorgungsgebiete im Zieljahr {target}",
        note="Die Begründung jedes Gebiets (Kosten, Treibhausgase, Versorgungssicherheit, "
        "Wahrscheinlichkeit) steht in seinem Gebietssteckbrief.",
    )


def _flags(areas: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column as True/False (missing, e.g. suppressed or not computed: False)."""
    values = areas.get(column, pd.Series(False, index=areas.index))
    return values.map(lambda v: False if pd.isna(v) else bool(v))


def _saving_cells(areas: pd.DataFrame) -> pd.Series:
    """'erhöht: 1.234 MWh/a (35 %)' for marked areas, 'nein' else, a dash where suppressed."""
    marked = areas.get("saving_potential_increased", pd.Series(None, index=areas.index))
    potential = areas.get("saving_potential_mwh_per_a", pd.Series(None, index=areas.index))
    share = areas.get("saving_potential_share", pd.Series(None, index=areas.index))
    cells = []
    for flag, mwh, part in zip(marked, potential, share, strict=True):
        if flag is None or pd.isna(flag):
            cells.append(DASH)
        elif bool(flag):
            cells.append(f"erhöht: {number(mwh)} MWh/a ({percent(part)})")
        else:
            cells.append("nein")
    return pd.Series(cells, index=areas.index)


def _indicator_rows(row: pd.Series) -> Table:
    frame = area_indicators(row)
    cells = []
    for (column, _), record in zip(
        _indicator_columns(row), frame.itertuples(index=False), strict=True
    ):
        value = record.Wert
        if column in TEXTS:
            continue
        if isinstance(value, bool) or str(value) in WORDS_DE:
            text = WORDS_DE.get(str(value), str(value))
        elif column in SHARES:
            text = percent(value, 0)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = number(value, DIGITS.get(column, 0))
        else:
            text = (
                DASH
                if value is None or (isinstance(value, float) and pd.isna(value))
                else str(value)
            )
        unit = "" if column in SHARES else str(record.Einheit)
        cells.append([str(record.Kennzahl), text, unit])
    return Table(["Kennzahl", "Wert", "Einheit"], cells, [False, True, False])


def _indicator_columns(row: pd.Series) -> list[tuple[str, Any]]:
    return [(c, v) for c, v in AREA_INDICATORS.items() if c in row.index]


def _profile(
    row: pd.Series,
    years: list[int],
    suppressed: bool,
    locators: maps.Locators,
    grid_line: str = "",
) -> dict[str, Any]:
    target = years[-1]
    area_id = str(row[col.AREA_ID])
    name = str(row.get("name") or "").strip()
    kind = str(row.get(f"area_type_{target}"))
    return {
        col.AREA_ID: area_id,
        "title": f"Gebiet {area_id}"
        + (f" – {name}" if name and not name.endswith(area_id) else ""),
        "suppressed": suppressed,
        "notice": SUPPRESSED_NOTICE.format(n=MIN_BUILDINGS_CONSUMPTION) if suppressed else "",
        "indicators": _indicator_rows(row),
        "types": table(area_types(row, years).fillna(DASH), None),
        "grades": table(area_grades(row, target).fillna(DASH), None),
        "target_year": target,
        "explanation": str(row.get("explanation") or ""),
        "eignung_reason": str(row.get("eignung_reason") or ""),
        "saving_reason": str(row.get("saving_reason") or ""),
        "grid_line": "" if suppressed else grid_line,
        # small locator: the attribution stands on the section's maps and the sources page
        "map": locators.locator(area_id, maps.area_colour(kind)),
    }


def areas_section(
    areas: gpd.GeoDataFrame | None,
    *,
    suppressed: set[str],
    streets: gpd.GeoDataFrame | None,
    pipes: gpd.GeoDataFrame | None,
    attribution: str,
    base: MapBase | None = None,
    grid_lines: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Section 4 from the public ``areas`` layer (None or unclassified: a note);
    ``grid_lines``: the LV grid line of each area's profile (:mod:`heatplan.report.grid`)."""
    if areas is None or areas.empty or not any(c.startswith("area_type_") for c in areas.columns):
        return {"empty": True}
    years = area_years(areas)
    plain = pd.DataFrame(areas).drop(columns="geometry")
    locators = maps.Locators(areas)  # the town drawn once for every profile's locator
    counts = plain[f"area_type_{years[-1]}"].map(lambda v: _label(TYPE_DE, v)).value_counts()
    return {
        "empty": False,
        "years": years,
        "maps": maps.areas_maps(
            areas,
            years,
            TYPE_DE,
            base=base or MapBase(streets=streets, attribution=attribution),
            pipes=pipes,
        ),
        "table": _overview(plain, years[-1]),
        "counts": Table(
            ["Versorgungsart", "Gebiete"],
            [[str(k), str(int(v))] for k, v in counts.items()],
            [False, True],
        ),
        "profiles": [
            _profile(
                row,
                years,
                str(row[col.AREA_ID]) in suppressed,
                locators,
                (grid_lines or {}).get(str(row[col.AREA_ID]), ""),
            )
            for _, row in plain.iterrows()
        ],
        "suppressed_count": len(suppressed),
        "locator_css": locators.css(),
    }
