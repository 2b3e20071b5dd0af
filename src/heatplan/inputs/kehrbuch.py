"""Chimney-sweep register (Kehrbuch, Feuerstättenbescheid extracts) into ``heaters``.

There is no single official file format. Accepted: CSV or XLSX, one row per Feuerstätte, with
these German headers (case and spaces ignored; the alternatives in brackets):

=========================================  =====================================================
``Straße`` (``Strasse``)                   street of the building
``Hausnummer`` (``Hausnr.``, ``Hausnr``)    house number (``6 a`` and ``6a`` are one)
``PLZ`` (``Postleitzahl``)                  postcode (optional)
``Feuerstättenart`` (``Art der             e.g. ``Gas-Brennwertkessel``, ``Kachelofen``
Feuerstätte``, ``Feuerstätte``)
``Brennstoff``                             e.g. ``Erdgas E``, ``Heizöl EL``, ``Scheitholz``
``Nennwärmeleistung kW``                    rated heat output [kW], decimal comma allowed
(``Nennwärmeleistung``, ``Nennleistung kW``)
``Baujahr`` (``Errichtungsjahr``)           year of installation (``1998`` or ``01.03.1998``)
``Gebäude-ID`` (``building_id``)            optional: the building's id in the project
``Feuerstätten-Nr.`` (``heater_id``)        optional: the heater's id, else ``<file>-<row>``
=========================================  =====================================================

The terms of ``Feuerstättenart`` and ``Brennstoff`` become heatplan's ``heater_type`` and
``carrier`` through ``data/kehrbuch_terms.csv`` (1. BImSchV categories); the heater codes
themselves are accepted too. A term the table does not know, a fuel that contradicts the
Feuerstättenart and a missing Feuerstättenart are rejected naming file, row and column; a fuel
that is not given and not implied stays ``unknown``. The original terms are kept
(``heater_term_de``, ``fuel_term_de``). Other columns are reported as not used.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from heatplan.errors import InputFileError
from heatplan.inputs import validate as v
from heatplan.inputs.addresses import address_keys
from heatplan.inputs.common import (
    ImportResult,
    commit_import,
    decimal_option,
    open_project,
    row_ids,
    row_numbers,
    schema_frame,
    stored_rows,
    text_or_none,
)
from heatplan.inputs.readers import read_table
from heatplan.plan import columns as col

#: Header (lower case, no spaces) -> heatplan column. The term columns keep German names.
HEADERS = {
    "straße": "street",
    "strasse": "street",
    "hausnummer": "house_number",
    "hausnr.": "house_number",
    "hausnr": "house_number",
    "plz": "postcode",
    "postleitzahl": "postcode",
    "feuerstättenart": "Feuerstättenart",
    "artderfeuerstätte": "Feuerstättenart",
    "feuerstätte": "Feuerstättenart",
    "brennstoff": "Brennstoff",
    "nennwärmeleistungkw": "capacity_kw",
    "nennwärmeleistung": "capacity_kw",
    "nennwärmeleistung(kw)": "capacity_kw",
    "nennleistungkw": "capacity_kw",
    "baujahr": "install_year",
    "errichtungsjahr": "install_year",
    "gebäude-id": col.BUILDING_ID,
    "building_id": col.BUILDING_ID,
    "feuerstätten-nr.": "heater_id",
    "feuerstätten-nr": "heater_id",
    "heater_id": "heater_id",
    "ort": "town",
}
TYPE_FIELD, FUEL_FIELD = "Feuerstättenart", "Brennstoff"


def terms() -> pd.DataFrame:
    """``data/kehrbuch_terms.csv``: field, term, heater_type, carrier (empty: not implied)."""
    frame = v.load_reference("kehrbuch_terms.csv")
    return frame.assign(key=frame["term"].map(term_key))


def term_key(text: object) -> str | None:
    """A term as matched: lower case, single spaces, dashes as ``-``.

    >>> term_key("  Gas–Brennwertkessel "), term_key("Heizöl  EL")
    ('gas-brennwertkessel', 'heizöl el')
    """
    value = text_or_none(text)
    if value is None:
        return None
    return " ".join(value.lower().replace("–", "-").replace("—", "-").split())


def read_kehrbuch(path: Path, *, sheet: str | int | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Rows of a Kehrbuch extract with heatplan's column names, and the columns not used."""
    raw = read_table(Path(path), sheet=sheet)
    renames = {c: HEADERS[str(c).lower().replace(" ", "")] for c in raw.columns if _known(c)}
    unused = [str(c) for c in raw.columns if not _known(c)]
    frame = raw.rename(columns=renames)
    if TYPE_FIELD not in frame.columns:
        raise InputFileError(
            path,
            "Spalte 'Feuerstättenart' fehlt / column 'Feuerstättenart' (heater type) missing; "
            f"columns: {', '.join(map(str, raw.columns))}",
        )
    return frame.drop(columns=["town"], errors="ignore"), unused


def _known(column: object) -> bool:
    return str(column).lower().replace(" ", "") in HEADERS


def heaters_from_kehrbuch(
    frame: pd.DataFrame,
    *,
    file: Path,
    stored_ids: pd.Series | None = None,
    decimal: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``heaters`` rows of a Kehrbuch frame, and the rejected rows (no store, no file).

    ``decimal``: the file's decimal separator where its numbers do not reveal it."""
    frame = frame.copy()
    for name in (col.BUILDING_ID, "street", "house_number", "postcode"):
        if name in frame.columns:
            frame[name] = frame[name].map(text_or_none)
    frame["address"] = address_keys(frame)
    frame["heater_id"] = row_ids(frame, "heater_id", file)
    checks = v.RowChecks(frame, file=file.name, rows=row_numbers(frame))
    _check_owner(checks)
    _map_terms(checks)
    v.check_numbers(checks, "heaters", decimal=decimal)
    v.check_years(checks, ("install_year",))
    v.check_duplicates(
        checks, "heater_id", stored_ids if stored_ids is not None else pd.Series(dtype=object)
    )
    valid, rejections = checks.result()
    out = schema_frame(valid, "heaters", file=file)
    out["heater_term_de"] = valid[TYPE_FIELD].map(text_or_none)
    out["fuel_term_de"] = valid.get(FUEL_FIELD, pd.Series(None, index=valid.index)).map(
        text_or_none
    )
    return out, rejections


def _check_owner(checks: v.RowChecks) -> None:
    frame = checks.frame
    owner = frame[col.BUILDING_ID] if col.BUILDING_ID in frame.columns else None
    missing = frame["address"].isna() if owner is None else frame["address"].isna() & owner.isna()
    checks.reject(
        missing,
        "address",
        "Adresse fehlt (Straße und Hausnummer) / missing address (Straße and Hausnummer)",
    )


def _map_terms(checks: v.RowChecks) -> None:
    """Set ``heater_type`` and ``carrier`` from the German terms; reject unknown and clashes."""
    frame, table = checks.frame, terms()
    kinds = table[table["field"] == "feuerstaettenart"].set_index("key")
    fuels = table[table["field"] == "brennstoff"].set_index("key")
    codes = set(v.load_reference("heater_types.csv")["heater_type"])
    carriers = set(v.load_reference("carriers.csv")[col.CARRIER])
    kind = frame[TYPE_FIELD].map(term_key)
    fuel = (
        frame[FUEL_FIELD].map(term_key) if FUEL_FIELD in frame.columns else kind.map(lambda _: None)
    )
    heater = kind.map(kinds["heater_type"]).where(~kind.isin(codes), kind)
    implied = kind.map(kinds["carrier"]).replace("", None)
    given = fuel.map(fuels["carrier"]).where(~fuel.isin(carriers), fuel)
    checks.reject(kind.isna(), TYPE_FIELD, "Feuerstättenart fehlt / heater type missing")
    checks.reject(
        kind.notna() & heater.isna(),
        TYPE_FIELD,
        "unbekannte Feuerstättenart (data/kehrbuch_terms.csv ergänzen) / unknown heater type "
        "term (add it to data/kehrbuch_terms.csv)",
    )
    checks.reject(
        fuel.notna() & given.isna(),
        FUEL_FIELD,
        "unbekannter Brennstoff (data/kehrbuch_terms.csv ergänzen) / unknown fuel term "
        "(add it to data/kehrbuch_terms.csv)",
    )
    clash = given.notna() & implied.notna() & given.ne(implied)
    checks.reject(
        clash,
        FUEL_FIELD,
        "Brennstoff passt nicht zur Feuerstättenart / fuel contradicts the heater type ("
        + frame[TYPE_FIELD].astype(str)
        + " → "
        + implied.astype(str)
        + ")",
    )
    frame["heater_type"] = heater
    frame[col.CARRIER] = given.fillna(implied).fillna("unknown")


def import_kehrbuch(
    project_dir: Path, file: Path, *, sheet: str | int | None = None, decimal: str | None = None
) -> ImportResult:
    """Import a Kehrbuch extract into ``heaters``; columns of the file not used are listed in
    ``ignored_columns``; ``decimal`` states the file's decimal separator (``","``)."""
    file, store = Path(file), open_project(project_dir)[1]
    frame, unused = read_kehrbuch(file, sheet=sheet)
    stored = stored_rows(store, "heaters", ["heater_id"])["heater_id"]
    out, rejections = heaters_from_kehrbuch(
        frame, file=file, stored_ids=stored, decimal=decimal_option(file, decimal)
    )
    result = commit_import(
        store,
        target="heaters",
        file=file,
        frame=out,
        rejections=rejections,
        report_dir=Path(project_dir),  # a failed import leaves the store as it was
    )
    return replace(result, ignored_columns=tuple(unused))
