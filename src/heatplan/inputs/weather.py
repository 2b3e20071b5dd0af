"""Weather input: a town's measured hourly temperature (CSV or DWD station file) for the
weather correction of metered years. The reference climate (DWD TRY 2010) is packaged reference
data: :mod:`heatplan.reference.weather`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from heatplan.formats import FormatProblem, detect_decimal, parse_decimal
from heatplan.inputs.readers import decode_text, sniff_separator
from heatplan.inputs.vocabulary import term_key
from heatplan.reference.weather import TRY_NOMINAL_YEAR, hourly_index, read_try

#: Header spellings of the two columns (compared by :func:`term_key`, a unit suffix removed).
_HEADERS = {
    "timestamp": "timestamp",
    "zeitstempel": "timestamp",
    "datumuhrzeit": "timestamp",
    "datumzeit": "timestamp",
    "zeit": "timestamp",
    "datum": "timestamp",
    "tempairc": "temp_air_c",
    "temperatur": "temp_air_c",
    "lufttemperatur": "temp_air_c",
    "temperature": "temp_air_c",
}
_GERMAN_STAMP = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(.*)$")


def _header(name: object) -> str:
    key = term_key(re.sub(r"\s*[\[(].*[\])]\s*$", "", str(name)))
    return _HEADERS.get(key, str(name))


STAMP_PROBLEM = "kein gültiger Zeitstempel / not a valid timestamp"
VALUE_PROBLEM = "kein gültiger Wert / not a valid value"


def _iso(text: object) -> object:
    """``dd.mm.yyyy HH:MM`` as ``yyyy-mm-dd HH:MM``; other texts unchanged."""
    match = _GERMAN_STAMP.match(str(text).strip())
    if match is None:
        return text
    day, month, year, rest = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}{rest}"


def _numbers(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers of the texts in the file's notation, and the problem of each bad text (or None):
    ``1.500`` where no text tells the notation is refused (:mod:`heatplan.formats`)."""
    decimal = detect_decimal(texts)

    def one(text: object) -> tuple[float, str | None]:
        if not isinstance(text, str):
            return np.nan, "leer / empty"
        try:
            return parse_decimal(text, decimal), None
        except FormatProblem as exc:
            return np.nan, str(exc)

    pairs = [one(t) for t in texts]
    values = pd.Series([v for v, _ in pairs], index=texts.index, dtype=float)
    return values, pd.Series([p for _, p in pairs], index=texts.index, dtype=object)


def _csv_temperature(path: Path) -> pd.Series:
    """Hourly temperatures of a CSV: ``;`` or ``,`` separated, decimal point or comma, ISO or
    German (``01.03.2021 13:00``) timestamps; headers ``timestamp``/``Zeitstempel``/``Datum``
    and ``temp_air_c``/``Temperatur [°C]``."""
    text = decode_text(path)
    frame = pd.read_csv(io.StringIO(text), sep=sniff_separator(text), dtype=str)
    frame.columns = [_header(c) for c in frame.columns]
    missing = {"timestamp", "temp_air_c"} - set(frame.columns)
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {sorted(missing)}; expected header 'timestamp,temp_air_c'"
            " (or Zeitstempel;Temperatur)"
        )
    stamps = pd.to_datetime(frame["timestamp"].map(_iso), errors="coerce", format="ISO8601")
    temps, problems = _numbers(frame["temp_air_c"])
    invalid_stamp = pd.Series(STAMP_PROBLEM, index=frame.index, dtype=object)
    for field, values, why in (
        ("timestamp", stamps, invalid_stamp),
        ("temp_air_c", temps, problems),
    ):
        bad = values.isna()
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            row = first + 2  # 1-based, after the header
            reason = why.iloc[first] or VALUE_PROBLEM
            raise ValueError(
                f"{path}: Zeile {row}, Feld {field} / row {row}, field {field}: "
                f"{frame[field].iloc[first]!r}: {reason}"
            )
    series = pd.Series(temps.to_numpy(float), index=pd.DatetimeIndex(stamps), name="temp_air_c")
    if series.index.has_duplicates:
        first = series.index[series.index.duplicated()][0]
        raise ValueError(f"{path}: duplicate timestamp {first}")
    return series.sort_index()


def read_hourly_temperature(path: str | Path) -> pd.Series:
    """Hourly air temperature [°C] from a user CSV (``timestamp,temp_air_c``) or a TRY ``.dat``.

    A TRY is indexed by the hours of its nominal year 2010. Errors name the file, row and field.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: file not found")
    if path.suffix.lower() == ".dat":
        temps = read_try(path)["temp_air_c"].to_numpy()
        return pd.Series(temps, index=hourly_index(TRY_NOMINAL_YEAR), name="temp_air_c")
    return _csv_temperature(path)
