"""Industrial waste heat from an imported register (WPG Anlage 1: companies' waste heat).

A register lists per source the company, its location, the temperature level, the thermal
capacity and the hours per year the heat is available. The annual potential is
capacity x hours; a source hotter than the network supply temperature can feed in directly,
a colder one needs a heat pump.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: Hours of a non-leap year: the most ``hours_per_a`` a source can be available.
HOURS_PER_YEAR = 8760

#: Accepted column names (lower case) -> heatplan name. German register headers included.
COLUMN_ALIASES = {
    "company": "company",
    "unternehmen": "company",
    "betrieb": "company",
    "temperature_c": "temperature_c",
    "temperatur": "temperature_c",
    "temperature": "temperature_c",
    "capacity_kw": "capacity_kw",
    "leistung_kw": "capacity_kw",
    "leistung": "capacity_kw",
    "hours_per_a": "hours_per_a",
    "betriebsstunden": "hours_per_a",
    "stunden_pro_jahr": "hours_per_a",
    "hours": "hours_per_a",
}
REQUIRED = ["company", "temperature_c", "capacity_kw", "hours_per_a"]


def waste_heat_mwh_per_a(capacity_kw: ArrayLike, hours_per_a: ArrayLike) -> np.ndarray:
    """Annual waste heat = capacity x full-load hours / 1000 [MWh/a].

    Examples
    --------
    >>> float(waste_heat_mwh_per_a(500.0, 4000.0))
    2000.0
    """
    return np.asarray(capacity_kw, dtype=float) * np.asarray(hours_per_a, dtype=float) / 1000.0


def _normalise(register: pd.DataFrame) -> pd.DataFrame:
    renamed: dict[object, str] = {}
    for column in register.columns:
        target = COLUMN_ALIASES.get(str(column).strip().lower())
        if target is not None and target not in renamed.values():
            renamed[column] = target
    frame = register.rename(columns=renamed)
    missing = [name for name in REQUIRED if name not in frame.columns]
    if missing:
        raise ValueError(
            f"waste-heat register: missing column(s) {missing}; expected "
            "company, temperature_c [°C], capacity_kw [kW], hours_per_a [h/a] "
            "(German headers Unternehmen, Temperatur, Leistung_kW, Betriebsstunden work too)"
        )
    return frame


def _numeric(frame: pd.DataFrame, field: str, low: float, high: float) -> pd.Series:
    values = pd.to_numeric(frame[field], errors="coerce")
    bad = values.isna() | (values < low) | (values > high)
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"waste-heat register row {position + 1}, field {field}: "
            f"{frame[field].iloc[position]!r} is not a number in [{low:g}, {high:g}]"
        )
    return values.astype(float)


def waste_heat_potentials(
    register: pd.DataFrame, *, temp_supply_c: float | None = None
) -> pd.DataFrame:
    """Annual potential of each waste-heat source of a register.

    Parameters
    ----------
    register : DataFrame or GeoDataFrame
        Columns company, temperature_c [°C], capacity_kw [kW], hours_per_a [h/a] (aliases in
        ``COLUMN_ALIASES``); further columns such as a location or geometry are kept.
    temp_supply_c : float, optional
        Network supply temperature [°C]; with it, ``direct_use`` tells whether a source can
        feed in without a heat pump.

    Returns
    -------
    DataFrame
        The register with heat_mwh_per_a [MWh/a] and, with ``temp_supply_c``, direct_use.

    Raises
    ------
    ValueError
        For a missing column or a value that is not a number, negative, or more than 8760 h/a;
        the message names row (1-based) and field.
    """
    frame = _normalise(register).copy()
    frame["temperature_c"] = _numeric(frame, "temperature_c", -50.0, 1500.0)
    frame["capacity_kw"] = _numeric(frame, "capacity_kw", 0.0, np.inf)
    frame["hours_per_a"] = _numeric(frame, "hours_per_a", 0.0, HOURS_PER_YEAR)
    frame["heat_mwh_per_a"] = waste_heat_mwh_per_a(frame["capacity_kw"], frame["hours_per_a"])
    if temp_supply_c is not None:
        frame["direct_use"] = frame["temperature_c"] >= float(temp_supply_c)
    return frame
