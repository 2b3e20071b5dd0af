"""Row validation of imported data, built from the attribute schema ``data/attributes.csv``.

Validation never drops a row silently: a row with a problem is *rejected* with one record per
problem (``file``, ``row``, ``field``, ``value``, ``reason``) and is not imported; the rows without
problems are imported. File-level problems (no CRS and no ``--crs``; coordinates that do not fit
the CRS at all) raise :class:`~heatplan.errors.InputFileError` instead, with a suggested CRS.
"""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from heatplan.errors import InputFileError
from heatplan.formats import FormatProblem, detect_decimal, parse_date, parse_decimal
from heatplan.reference import table

REJECTION_COLUMNS = ["file", "row", "field", "value", "reason"]
#: Smallest plausible year of construction or metering (earlier values are typos).
MIN_PLAUSIBLE_YEAR = 1000
#: CRSs in common use for German municipal data, tried when a file's coordinates do not fit.
CANDIDATE_CRS = (
    "EPSG:25832",
    "EPSG:25833",
    "EPSG:4647",
    "EPSG:5650",
    "EPSG:31466",
    "EPSG:31467",
    "EPSG:31468",
    "EPSG:31469",
    "EPSG:4326",
    "EPSG:3857",
)
#: Margin around a CRS's area of use still counted as plausible [degrees].
AREA_MARGIN_DEG = 3.0
RESIDENTIAL_USES = ("sfh", "th", "mfh", "ab")
#: Columns whose values may also be German, English or OSM terms (heatplan.inputs.vocabulary).
VOCABULARY_COLUMNS = ("use", "carrier", "heater_type")


def load_reference(name: str) -> pd.DataFrame:
    """A reference table of ``heatplan/data`` as text (``carriers.csv``, ``attributes.csv`` ...)."""
    return table(name, as_text=True)


def attributes(table: str) -> pd.DataFrame:
    """Rows of ``attributes.csv`` for one table (``buildings``, ``consumption``, ``heaters``)."""
    frame = load_reference("attributes.csv")
    return frame[frame["table"] == table].reset_index(drop=True)


def valid_uses() -> set[str]:
    """Building ``use`` codes: TABULA residential types, ``unknown`` and, once the demand room
    ships ``nonresidential_benchmarks.csv``, the categories in its first column."""
    uses = {*RESIDENTIAL_USES, "unknown"}
    try:
        benchmarks = load_reference("nonresidential_benchmarks.csv")
    except FileNotFoundError:
        return uses
    return uses | set(benchmarks.iloc[:, 0])


class RowChecks:
    """Rejections collected for one input frame; rows with any rejection are not imported."""

    def __init__(self, frame: pd.DataFrame, *, file: str, rows: pd.Series) -> None:
        self.frame = frame.copy()
        self.file = file
        self.rows = rows
        self.bad = pd.Series(False, index=frame.index)
        self._records: list[dict[str, object]] = []

    def reject(self, mask: pd.Series, field: str, reason: str | pd.Series) -> None:
        """Reject the rows where ``mask`` is true, for ``field`` with ``reason``."""
        mask = mask.fillna(False).astype(bool)
        for index in mask.index[mask]:
            value = self.frame.at[index, field] if field in self.frame.columns else None
            text = reason if isinstance(reason, str) else str(reason.at[index])
            self._records.append(
                {
                    "file": self.file,
                    "row": int(self.rows.loc[index]),
                    "field": field,
                    "value": _text(value),
                    "reason": text,
                }
            )
        self.bad |= mask

    def result(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(valid rows, rejections) — rejections ordered by row."""
        rejections = pd.DataFrame(self._records, columns=REJECTION_COLUMNS)
        rejections = rejections.sort_values("row", kind="stable").reset_index(drop=True)
        return self.frame[~self.bad], rejections


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, shapely.Geometry):
        return value.wkt[:200]
    return str(value)


# --- numbers ---------------------------------------------------------------------------------
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(value: object, decimal: str | None = None) -> float | None:
    """A number from a cell: decimal point or German decimal comma, thousands separators allowed.

    ``decimal`` is the column's decimal separator (see :func:`decimal_separator`); without it,
    the last of ``.`` and ``,`` is taken as the decimal separator. Empty -> NaN; text that is
    not a number -> ``None``.

    >>> parse_number("1.234,5"), parse_number("12,5"), parse_number("1,234.5"), parse_number(7)
    (1234.5, 12.5, 1234.5, 7.0)
    >>> parse_number("1.500", decimal=","), parse_number("1.500", decimal=".")
    (1500.0, 1.5)
    >>> parse_number("zwölf") is None
    True
    """
    if value is None or isinstance(value, bool):
        return np.nan if value is None else None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = _compact(value)
    if not text:
        return np.nan
    if decimal is None:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
    thousands = "." if decimal == "," else ","
    text = text.replace(thousands, "").replace(decimal, ".")
    return float(text) if _NUMBER.match(text) else None


def _compact(value: object) -> str:
    return str(value).strip().replace(" ", "").replace("\u00a0", "")


#: '1.500' or '1,500' alone cannot tell a thousands separator from a decimal separator.
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")


def _vote(text: str) -> str | None:
    """The decimal separator a single text reveals, or None when it reveals none."""
    if "." in text and "," in text:
        return "," if text.rfind(",") > text.rfind(".") else "."
    for sep, other in ((".", ","), (",", ".")):
        if sep in text:
            if text.count(sep) > 1:
                return other  # repeated: thousands separator
            return None if _AMBIGUOUS.match(text) else sep
    return None


def decimal_separator(values: pd.Series) -> str | None:
    """The decimal separator the texts of a column reveal ('.' or ','), None if none does.

    >>> decimal_separator(pd.Series(["1.500", "12,5"])), decimal_separator(pd.Series(["1.500"]))
    (',', None)
    """
    texts = [_compact(v) for v in values if isinstance(v, str)]
    votes = pd.Series([_vote(t) for t in texts], dtype=object).dropna().value_counts()
    return None if votes.empty else str(votes.index[0])


def check_numbers(checks: RowChecks, table: str, *, decimal: str | None = None) -> None:
    """Parse every numeric attribute present; reject non-numbers, negatives, fractional ints,
    and texts like '1.500' whose separator neither the column nor the file makes unambiguous.

    The convention (decimal comma or point) is ``decimal`` when the user states it (mapping
    ``decimal = ","``), else the column's own (:func:`decimal_separator`), else the file's: the
    one most number texts of the file's numeric columns reveal, so that ``45.000`` in a file
    that writes ``3,5`` is forty-five thousand.
    """
    schema = attributes(table)
    numeric = [
        n
        for n, d in zip(schema["name"], schema["dtype"], strict=True)
        if d in ("int", "float") and n in checks.frame.columns
    ]
    amounts = [n for n in numeric if not n.endswith("year")]
    file_decimal = detect_decimal(v for n in amounts for v in checks.frame[n])
    for name in numeric:
        column = checks.frame[name]
        if name.endswith("year"):
            parsed = [parse_year(v) for v in column]
            bad = pd.Series(
                [
                    None
                    if p is not None
                    else "keine Jahreszahl oder kein gültiges Datum (TT.MM.JJJJ) / not a number "
                    "(year) or not a valid date (dd.mm.yyyy)"
                    for p in parsed
                ]
            )
        else:
            parsed, bad = _parse_column(
                column, decimal or decimal_separator(column) or file_decimal
            )
        checks.reject(
            pd.Series(bad.notna().to_numpy(), index=column.index),
            name,
            pd.Series(bad.to_numpy(), index=column.index),
        )
        numbers = pd.Series(
            [np.nan if v is None else v for v in parsed], index=checks.frame.index, dtype="float64"
        )
        checks.reject(numbers < 0, name, "negativer Wert / negative value")
        if dtype_of(schema, name) == "int":
            checks.reject(
                (numbers % 1 != 0) & numbers.notna(), name, "keine ganze Zahl / not a whole number"
            )
        checks.frame[name] = numbers


def dtype_of(schema: pd.DataFrame, name: str) -> str:
    """The schema dtype of attribute ``name``."""
    return str(schema.loc[schema["name"] == name, "dtype"].iloc[0])


def _parse_column(column: pd.Series, decimal: str | None) -> tuple[list[float | None], pd.Series]:
    """Numbers of a column in the convention ``decimal``, and the problem per cell (or None)."""
    parsed: list[float | None] = []
    problems: list[str | None] = []
    for value in column:
        if isinstance(value, str) and _compact(value):
            try:
                parsed.append(parse_decimal(value, decimal))
                problems.append(None)
            except FormatProblem as exc:
                parsed.append(None)
                problems.append(str(exc))
        else:
            number = parse_number(value)
            parsed.append(number)
            problems.append(None if number is not None else "keine Zahl / not a number")
    return parsed, pd.Series(problems, dtype=object)


_YEAR = re.compile(r"(?<!\d)(\d{3,4})(?!\d)")
#: A text shaped like a date (dd.mm.yyyy or yyyy-mm-dd): read as a date, never by its digits.
_DATE_SHAPED = re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{1,2}-\d{1,2})$")


def parse_year(value: object) -> float | None:
    """A year from a number or a date text (``1965``, ``01.05.1965``, ``1965-05-01``,
    ``~1965``, ``1960..1970`` gives the first year). Empty -> NaN; text without a year, and a
    date that does not exist (``31.02.1965``, read by :func:`heatplan.formats.parse_date`), ->
    ``None``.

    >>> parse_year("1965-05-01"), parse_year("01.05.1965"), parse_year("~1900")
    (1965.0, 1965.0, 1900.0)
    >>> parse_year(1972.0), parse_year("31.02.1965")
    (1972.0, None)
    """
    number = parse_number(value)
    if number is not None:
        return number
    if _DATE_SHAPED.match(str(value).strip()):
        try:
            return float(parse_date(str(value)).year)
        except FormatProblem:
            return None
    match = _YEAR.search(str(value))
    return float(match.group(1)) if match else None


def check_years(checks: RowChecks, columns: tuple[str, ...]) -> None:
    """Reject years after the current year or before :data:`MIN_PLAUSIBLE_YEAR`."""
    this_year = date.today().year
    for name in columns:
        if name in checks.frame.columns:
            years = pd.to_numeric(checks.frame[name], errors="coerce")
            checks.reject(
                years > this_year,
                name,
                f"Jahr in der Zukunft (nach {this_year}) / year in the future (after {this_year})",
            )
            checks.reject(
                years < MIN_PLAUSIBLE_YEAR,
                name,
                f"unplausibles Jahr (vor {MIN_PLAUSIBLE_YEAR}) / implausible year (before "
                f"{MIN_PLAUSIBLE_YEAR})",
            )


def check_positive(checks: RowChecks, name: str) -> None:
    """Reject values <= 0 (e.g. ``floors``: a building has at least one storey)."""
    if name in checks.frame.columns:
        values = pd.to_numeric(checks.frame[name], errors="coerce")
        checks.reject(values <= 0, name, "muss größer als 0 sein / must be greater than 0")


def check_required(checks: RowChecks, names: tuple[str, ...]) -> None:
    """Reject rows with an empty required field."""
    for name in names:
        if name not in checks.frame.columns:
            checks.frame[name] = None
        empty = checks.frame[name].map(
            lambda v: v is None or (isinstance(v, float) and np.isnan(v)) or v == ""
        )
        checks.reject(empty, name, "Pflichtwert fehlt / missing required value")


def check_codes(checks: RowChecks, name: str, valid: set[str]) -> None:
    """Reject values not in ``valid`` (empty values are left to :func:`check_required`)."""
    if name not in checks.frame.columns:
        return
    values = checks.frame[name]
    unknown = values.notna() & (values.astype(str) != "") & ~values.isin(valid)
    terms = ", or a term of its vocabulary table" if name in VOCABULARY_COLUMNS else ""
    checks.reject(
        unknown,
        name,
        f"unbekannter Wert für {name} / unknown {name} (valid: {', '.join(sorted(valid))}{terms})",
    )


def check_duplicates(checks: RowChecks, name: str, stored: pd.Series) -> None:
    """Reject repeated ids within the file (the first stays) and ids already stored."""
    ids = checks.frame[name].astype(str)
    first_row = checks.rows.groupby(ids).transform("min")
    checks.reject(
        ids.duplicated(),
        name,
        "Kennung doppelt in der Datei (zuerst in Zeile "
        + first_row.astype(str)
        + ") / duplicate id in the file (first in row "
        + first_row.astype(str)
        + ")",
    )
    checks.reject(
        ids.isin(set(stored.astype(str))) & ~ids.duplicated(),
        name,
        "Kennung schon importiert (--update aktualisiert, --replace ersetzt die Ebene) / id "
        "already imported (import with --update to update stored ids, or --replace to "
        "replace the layer)",
    )


# --- geometry --------------------------------------------------------------------------------
def check_geometry(checks: RowChecks, types: tuple[str, ...], *, repair: bool = False) -> None:
    """Reject empty, invalid (unless ``repair``: then ``shapely.make_valid``) and wrong-type
    geometries."""
    geometry = gpd.GeoSeries(checks.frame["geometry"])
    empty = geometry.isna() | geometry.is_empty
    checks.reject(empty, "geometry", "leere Geometrie / empty geometry")
    invalid = ~empty & ~geometry.is_valid
    if repair:
        fixed = shapely.make_valid(geometry[invalid].to_numpy())
        checks.frame.loc[invalid, "geometry"] = gpd.GeoSeries(fixed, index=geometry[invalid].index)
    else:
        reasons = pd.Series(shapely.is_valid_reason(geometry.to_numpy()), index=geometry.index)
        checks.reject(
            invalid,
            "geometry",
            "ungültige Geometrie / invalid geometry: "
            + reasons
            + " (fix it, or import with --repair: shapely.make_valid)",
        )
    kinds = gpd.GeoSeries(checks.frame["geometry"]).geom_type
    checks.reject(
        ~empty & ~kinds.isin(types),
        "geometry",
        f"Geometrietyp hier nicht erlaubt / geometry type not allowed here (allowed: "
        f"{', '.join(types)})",
    )


def resolve_crs(frame: gpd.GeoDataFrame, path: object, crs: str | None) -> gpd.GeoDataFrame:
    """The frame with its CRS: the file's, or ``crs`` when the file declares none."""
    if frame.crs is None and crs is None:
        raise InputFileError(
            path,
            f"die Datei nennt kein Koordinatensystem (--crs EPSG:...) / the file declares no CRS; "
            f"give it explicitly (--crs EPSG:...){_suggestion(frame)}",
        )
    if frame.crs is None:
        return frame.set_crs(crs)
    if crs is not None and CRS.from_user_input(crs) != frame.crs:
        raise InputFileError(
            path,
            f"the file declares {frame.crs.to_string()} but --crs {crs} "
            "was given; drop --crs or fix the file's CRS",
        )
    return frame


def plausible_bounds(crs: CRS) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of the CRS's area of use plus :data:`AREA_MARGIN_DEG`."""
    area = crs.area_of_use
    if area is None:
        return (-np.inf, -np.inf, np.inf, np.inf)
    west, south = max(area.west - AREA_MARGIN_DEG, -180), max(area.south - AREA_MARGIN_DEG, -85)
    east, north = min(area.east + AREA_MARGIN_DEG, 180), min(area.north + AREA_MARGIN_DEG, 85)
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return transformer.transform_bounds(west, south, east, north)


def outside_crs(geometry: gpd.GeoSeries, crs: CRS) -> pd.Series:
    """True for geometries whose bounds lie outside the CRS's plausible range."""
    minx, miny, maxx, maxy = plausible_bounds(crs)
    bounds = geometry.bounds
    return ~(
        (bounds.minx >= minx)
        & (bounds.maxx <= maxx)
        & (bounds.miny >= miny)
        & (bounds.maxy <= maxy)
    ) & ~(geometry.isna() | geometry.is_empty)


def check_coordinates(frame: gpd.GeoDataFrame, path: object) -> None:
    """Raise when most coordinates do not fit the frame's CRS, naming CRSs that would fit."""
    outside = outside_crs(frame.geometry, frame.crs)
    if outside.mean() > 0.5:
        raise InputFileError(
            path,
            f"Koordinaten passen nicht zum Koordinatensystem / coordinates do not fit the CRS "
            f"{frame.crs.to_string()} (e.g. "
            f"{_sample_xy(frame)}){_suggestion(frame)}",
        )


def _suggestion(frame: gpd.GeoDataFrame) -> str:
    fitting = [c for c in CANDIDATE_CRS if not _fits(frame, CRS.from_user_input(c))]
    fits = [c for c in CANDIDATE_CRS if c not in fitting]
    return f"; the coordinates fit {', '.join(fits)}" if fits else ""


def _fits(frame: gpd.GeoDataFrame, crs: CRS) -> bool:
    area = crs.area_of_use
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    minx, miny, maxx, maxy = transformer.transform_bounds(*area.bounds) if area else (0, 0, 0, 0)
    x, y = _median_xy(frame)
    return bool(minx <= x <= maxx and miny <= y <= maxy)


def _median_xy(frame: gpd.GeoDataFrame) -> tuple[float, float]:
    bounds = frame.geometry.bounds.dropna()
    return float(bounds.minx.median()), float(bounds.miny.median())


def _sample_xy(frame: gpd.GeoDataFrame) -> str:
    x, y = _median_xy(frame)
    return f"x={x:.6g}, y={y:.6g}"
