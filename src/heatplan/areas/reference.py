"""Reference tables and column helpers shared by the area indicators and municipal totals."""

from __future__ import annotations

from functools import cache

import pandas as pd

from heatplan.plan import columns as col
from heatplan.reference import carriers, heater_types, table

__all__ = [
    "UNKNOWN",
    "carriers_table",
    "check_columns",
    "checked_codes",
    "density_classes",
    "heater_types_table",
    "line_density_guide_kwh_per_m_a",
    "with_unknown",
]

#: Code of a missing carrier, heater type, use, age class or sector.
UNKNOWN = "unknown"


@cache
def carriers_table() -> pd.DataFrame:
    """Energy carriers (data/carriers.csv), indexed by ``carrier``."""
    return carriers()


@cache
def heater_types_table() -> pd.DataFrame:
    """Heater types (data/heater_types.csv), indexed by ``heater_type``."""
    return heater_types()


@cache
def density_classes() -> pd.DataFrame:
    """KEA-BW heat density classes (data/heat_density_classes.csv)."""
    return table("heat_density_classes.csv")


@cache
def line_density_guide_kwh_per_m_a() -> float:
    """Guide value of the heat line density (data/line_density_guide.csv) [kWh/(m·a)]."""
    guide = table("line_density_guide.csv").set_index("indicator")
    values: pd.Series[float] = guide["value"].astype(float)
    return float(values["line_density_guide"])


def check_columns(buildings: pd.DataFrame, needed: list[str]) -> None:
    """Raise a clear error if ``buildings`` lacks one of the ``needed`` columns."""
    missing = [column for column in needed if column not in buildings.columns]
    if missing:
        raise ValueError(f"buildings lack the columns {missing}; add them or assign areas first")


def with_unknown(values: pd.Series) -> pd.Series:
    """Values as str with ``'unknown'`` for missing ones."""
    return values.astype(object).where(values.notna(), UNKNOWN).astype(str)


def checked_codes(values: pd.Series, column: str) -> pd.Series:
    """Codes of ``column`` ('carrier' or 'heater_type') with 'unknown' for missing ones.

    Raises
    ------
    ValueError
        If a value is neither a code of the reference table nor missing.
    """
    known = {col.CARRIER: carriers_table, "heater_type": heater_types_table}[column]()
    codes = with_unknown(values)
    invalid = sorted(set(codes) - set(known.index) - {UNKNOWN})
    if invalid:
        raise ValueError(
            f"{column} values {invalid} are not codes of data/{column}s.csv; map them first"
        )
    return codes
