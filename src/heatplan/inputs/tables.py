"""Table imports: metered consumption and heater registers (CSV or XLSX) into attribute tables.

Rows name their building by ``building_id`` or by address (an ``address`` text, or ``street`` +
``house_number`` [+ ``postcode``]), stored as the normalised key of
:func:`heatplan.inputs.addresses.address_keys`. The building need not exist yet: the inventory
matches rows to buildings and reports the rows that match none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from heatplan.errors import InputFileError
from heatplan.inputs import validate as v
from heatplan.inputs.addresses import ADDRESS_PARTS, address_keys
from heatplan.inputs.common import (
    ImportMode,
    ImportResult,
    check_mode,
    commit_import,
    decimal_option,
    id_key,
    open_project,
    row_ids,
    row_numbers,
    schema_frame,
    stored_for_mode,
    stored_rows,
    text_or_none,
)
from heatplan.inputs.mapping import (
    ColumnMapping,
    load_mapping,
    rename_columns,
    translate_values,
    unit_in_header,
)
from heatplan.inputs.readers import read_table
from heatplan.inputs.units import known_units, kwh_per_unit, normalise_unit
from heatplan.inputs.vocabulary import carrier_terms, heater_implications, translate
from heatplan.plan import columns as col

CONSUMPTION_REQUIRED = (col.CARRIER, "value")
HEATER_REQUIRED = ("heater_type", col.CARRIER)
_CONSUMPTION_KEY = [col.BUILDING_ID, "address", "year", col.CARRIER]


# --- consumption -----------------------------------------------------------------------------
def import_consumption(
    project_dir: Path,
    file: Path,
    *,
    mapping: Path | None = None,
    unit: str | None = None,
    sheet: str | int | None = None,
    mode: ImportMode = "add",
    carrier: str | None = None,
    decimal: str | None = None,
) -> ImportResult:
    """Import metered consumption per building (or address) and year into ``consumption``.

    Parameters
    ----------
    project_dir : Path
        Project directory (holds ``heatplan.toml``).
    file : Path
        CSV (separator sniffed, decimal comma allowed) or XLSX with ``building_id`` or an
        address, ``year`` (empty: a weather-normalised annual value), ``carrier``, ``value`` and
        ``unit``.
    mapping : Path, optional
        Column mapping file (TOML or JSON); its ``unit`` is used where the file gives none.
    unit : str, optional
        Unit of rows without one (``kWh``, ``MWh``, ``GWh``, ``kWh_Hs``, ``m3``, ``l``,
        ``kg``); wins over the mapping's ``unit``.
    sheet : str or int, optional
        XLSX sheet (default: the first).
    mode : {"add", "replace", "update"}
        ``add`` rejects rows whose (building, year, carrier) is stored; ``replace`` replaces
        the whole table; ``update`` overwrites the stored rows of the same key.
    carrier : str, optional
        Carrier of rows without one (a code or a German term: ``Erdgas``); wins over the
        mapping's ``carrier``. A gas utility's extract names no carrier.
    decimal : str, optional
        The file's decimal separator (``","`` or ``"."``) where its numbers do not reveal it;
        wins over the mapping's ``decimal``.

    A unit in the value's header (``Verbrauch kWh``, ``Verbrauch [m³]``) is the unit of rows
    without one; ``unit`` must then agree with it. Numbers follow the file's convention
    (:func:`heatplan.inputs.validate.check_numbers`): ``45.000`` is 45000 in a file that writes
    ``3,5``. Columns the import does not use are listed in ``ignored_columns``.

    Returns
    -------
    ImportResult
        Rows imported and rejected. Stored per row: the value in its unit and
        ``final_energy_kwh`` [kWh, net calorific value] from ``data/units.csv`` (energy units)
        or ``data/unit_conversions.csv`` (volume and mass units per carrier).
    """
    file, store, cmap = Path(file), open_project(project_dir)[1], load_mapping(mapping)
    rows = read_mapped(file, sheet, cmap, "consumption")
    default = _default_unit(file, unit or cmap.unit)
    frame = _fill_unit(rows.frame, _header_unit(file, rows.value_unit, default, given=unit))
    frame = _fill_carrier(frame, carrier or cmap.carrier)
    check_mode(mode)
    stored = _consumption_keys(stored_rows(store, "consumption", _CONSUMPTION_KEY))
    out, rejections = consumption_frame(
        frame,
        file=file,
        stored_keys=set(stored) if mode == "add" else set(),
        decimal=decimal_option(file, decimal or cmap.decimal),
    )
    result = commit_import(
        store,
        target="consumption",
        file=file,
        frame=out,
        rejections=rejections,
        mode=mode,
        key=_consumption_keys,
        report_dir=Path(project_dir),
    )
    return replace(result, ignored_columns=rows.ignored)


def consumption_frame(
    frame: pd.DataFrame,
    *,
    file: Path,
    stored_keys: set[str] | None = None,
    decimal: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``consumption`` frame of a plan from rows in memory, and the rejected rows.

    ``frame`` has the columns of ``attributes.csv`` (table ``consumption``: building id or
    address parts, year, carrier, value, unit); ``file`` names the source (it is not read);
    rows whose key is in ``stored_keys`` are rejected as duplicates; ``decimal`` is the file's
    stated decimal separator (else detected). No store, no file.
    """
    checks = v.RowChecks(_keyed(frame), file=file.name, rows=row_numbers(frame))
    _check_owner(checks)
    _check_carrier_given(checks)  # the required carrier, with the hint to --carrier
    v.check_required(checks, tuple(c for c in CONSUMPTION_REQUIRED if c != col.CARRIER))
    v.check_codes(checks, col.CARRIER, _codes("carriers.csv", col.CARRIER))
    v.check_numbers(checks, "consumption", decimal=decimal)
    v.check_years(checks, ("year",))
    _check_units(checks)
    _check_duplicate_keys(checks, _consumption_keys(checks.frame), stored_keys or set())
    valid, rejections = checks.result()
    return schema_frame(valid, "consumption", file=file), rejections


def _check_carrier_given(checks: v.RowChecks) -> None:
    frame = checks.frame
    given = frame[col.CARRIER].map(text_or_none) if col.CARRIER in frame.columns else None
    missing = pd.Series(True, index=frame.index) if given is None else given.isna()
    checks.reject(
        missing,
        col.CARRIER,
        "Energieträger fehlt (Spalte carrier, --carrier Erdgas oder 'carrier' der Zuordnung) / "
        "missing carrier (add a carrier column, or give --carrier or the mapping's 'carrier')",
    )
    if given is None:
        checks.frame[col.CARRIER] = None


def _default_unit(file: Path, unit: str | None) -> str | None:
    if unit is None or not unit.strip():
        return None
    code = normalise_unit(unit)
    if code is None:
        raise InputFileError(
            file,
            f"unbekannte Einheit {unit!r} (--unit oder 'unit' der Zuordnung) / unknown default "
            f"unit {unit!r} (--unit or the mapping's 'unit'); use one of "
            f"{', '.join(known_units())}",
        )
    return code


def _header_unit(
    file: Path, header: str | None, default: str | None, *, given: str | None
) -> str | None:
    """The unit of rows without one: the value header's unit, else the default."""
    if header is not None and default is not None and header != default:
        raise InputFileError(
            file,
            f"Einheit im Spaltenkopf ({header}) widerspricht --unit/Zuordnung ({default}) / the "
            f"value header's unit ({header}) contradicts the default unit ({default}"
            f"{' from --unit' if given else ' from the mapping'}); drop one",
        )
    return header or default


def _fill_carrier(frame: pd.DataFrame, default: str | None) -> pd.DataFrame:
    """Rows without a carrier get ``default`` (a code or a term, translated here)."""
    if default is None or not default.strip():
        return frame
    code = translate(pd.Series([default]), carrier_terms()).iloc[0]
    given = frame[col.CARRIER].map(text_or_none) if col.CARRIER in frame.columns else None
    return frame.assign(**{col.CARRIER: code if given is None else given.fillna(code)})


def _fill_unit(frame: pd.DataFrame, default: str | None) -> pd.DataFrame:
    given = frame["unit"].map(text_or_none) if "unit" in frame.columns else None
    if given is None:
        return frame.assign(unit=default)
    return frame.assign(unit=given.fillna(default) if default else given)


def _check_units(checks: v.RowChecks) -> None:
    """Reject missing, unknown and unconvertible units; set ``final_energy_kwh`` [kWh]."""
    frame = checks.frame
    given = frame["unit"].notna()
    checks.reject(
        ~given,
        "unit",
        "Einheit fehlt (Spalte unit, --unit oder 'unit' der Zuordnung) / missing unit (add a unit "
        "column, or give --unit or the mapping's 'unit')",
    )
    code = frame["unit"].map(normalise_unit)
    known = ", ".join(known_units())
    checks.reject(
        given & code.isna(), "unit", f"unbekannte Einheit / unknown unit (known: {known})"
    )
    frame["unit"] = code.where(code.notna(), frame["unit"])
    factor = kwh_per_unit(frame[col.CARRIER].astype(str), frame["unit"].astype(str))
    convertible = code.notna() & frame[col.CARRIER].isin(_codes("carriers.csv", col.CARRIER))
    pair = "unit '" + frame["unit"].astype(str) + "' for carrier '" + frame[col.CARRIER].astype(str)
    reason = (
        "keine Umrechnung in data/unit_conversions.csv (kWh oder MWh angeben) / no conversion "
        "from " + pair + "' in data/unit_conversions.csv (give kWh or MWh)"
    )
    checks.reject(convertible & factor.isna(), "unit", reason)
    frame["final_energy_kwh"] = pd.to_numeric(frame["value"], errors="coerce") * factor


def _consumption_keys(frame: pd.DataFrame) -> pd.Series:
    """``building|year|carrier`` per row (building: ``id:<building_id>`` else ``address:...``)."""
    owner = frame[col.BUILDING_ID].map(text_or_none)
    owner = ("id:" + owner).fillna("address:" + frame["address"].map(text_or_none).fillna(""))
    year = pd.to_numeric(
        frame.get("year", pd.Series(None, index=frame.index, dtype=float)), errors="coerce"
    )
    year_text = year.map(lambda y: "" if pd.isna(y) else f"{y:.0f}")
    return owner + "|" + year_text + "|" + frame[col.CARRIER].astype(str)


def _check_duplicate_keys(checks: v.RowChecks, keys: pd.Series, stored: set[str]) -> None:
    """Reject repeated (building, year, carrier) among the rows not rejected yet."""
    fresh = ~checks.bad
    first = checks.rows[fresh].groupby(keys[fresh]).transform("min")
    in_file = keys[fresh].duplicated().reindex(keys.index, fill_value=False)
    first_row = first.reindex(keys.index).fillna(0).astype(int).astype(str)
    _reject_by_owner(
        checks,
        in_file,
        "doppelt (Gebäude, Jahr und Energieträger wie Zeile "
        + first_row
        + ") / duplicate (same building, year and carrier as row "
        + first_row
        + ")",
    )
    _reject_by_owner(
        checks,
        fresh & ~in_file & keys.isin(stored),
        "schon importiert (Gebäude, Jahr und Energieträger gespeichert; --update aktualisiert, "
        "--replace ersetzt die Tabelle) / already imported (same building, year and carrier is "
        "stored; import with --update to update them, or --replace to replace the table)",
    )


def _reject_by_owner(checks: v.RowChecks, mask: pd.Series, reason: str | pd.Series) -> None:
    has_id = checks.frame[col.BUILDING_ID].notna()
    checks.reject(mask & has_id, col.BUILDING_ID, reason)
    checks.reject(mask & ~has_id, "address", reason)


# --- heaters ---------------------------------------------------------------------------------
def import_heaters(
    project_dir: Path,
    file: Path,
    *,
    mapping: Path | None = None,
    sheet: str | int | None = None,
    mode: ImportMode = "add",
    decimal: str | None = None,
) -> ImportResult:
    """Import a heater register (chimney-sweep data) into ``heaters``.

    Parameters
    ----------
    project_dir : Path
        Project directory (holds ``heatplan.toml``).
    file : Path
        CSV or XLSX with ``building_id`` or an address, ``heater_type`` (codes of
        ``data/heater_types.csv`` or their German labels), ``carrier``, ``capacity_kw`` [kW]
        and ``install_year``. ``heater_id`` comes from a ``heater_id`` (or ``id``) column, else
        ``<file stem>-<row>``.
    mapping : Path, optional
        Column mapping file (TOML or JSON).
    sheet : str or int, optional
        XLSX sheet (default: the first).
    mode : {"add", "replace", "update"}
        ``add``, ``replace`` the table, or ``update`` by ``heater_id``.
    decimal : str, optional
        The file's decimal separator (``","`` or ``"."``) where its numbers do not reveal it;
        wins over the mapping's ``decimal``.

    Returns
    -------
    ImportResult
        Rows imported and rejected.
    """
    file, store, cmap = Path(file), open_project(project_dir)[1], load_mapping(mapping)
    rows = read_mapped(file, sheet, cmap, "heaters", own_id="heater_id")
    frame = rows.frame
    frame["heater_id"] = row_ids(frame, "heater_id", file)
    stored = stored_rows(store, "heaters", ["heater_id"])["heater_id"]
    checks = v.RowChecks(frame, file=file.name, rows=row_numbers(frame))
    _check_owner(checks)
    v.check_required(checks, HEATER_REQUIRED)
    v.check_codes(checks, "heater_type", _codes("heater_types.csv", "heater_type"))
    v.check_codes(checks, col.CARRIER, _codes("carriers.csv", col.CARRIER))
    v.check_numbers(checks, "heaters", decimal=decimal_option(file, decimal or cmap.decimal))
    v.check_years(checks, ("install_year",))
    v.check_duplicates(checks, "heater_id", stored_for_mode(stored, mode))
    valid, rejections = checks.result()
    out = schema_frame(valid, "heaters", file=file)
    result = commit_import(
        store,
        target="heaters",
        file=file,
        frame=out,
        rejections=rejections,
        mode=mode,
        key=id_key("heater_id"),
        report_dir=Path(project_dir),
    )
    return replace(result, ignored_columns=rows.ignored)


def _heater_terms(frame: pd.DataFrame) -> pd.DataFrame:
    """Carrier named by the heater term (``Gas-Therme``: gas) where the row gives none; the
    flag ``heater_type_estimated`` where the term names no type (``Wärmepumpe``)."""
    if "heater_type" not in frame.columns:
        return frame
    implied = heater_implications(frame["heater_type"])
    given = frame[col.CARRIER].map(text_or_none) if col.CARRIER in frame.columns else None
    carrier = implied[col.CARRIER] if given is None else given.fillna(implied[col.CARRIER])
    flag = implied["heater_type_estimated"]
    return frame.assign(**{col.CARRIER: carrier, "heater_type_estimated": flag})


# --- shared ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MappedRows:
    """Rows of a table file renamed to a table's attributes, and what the renaming found."""

    frame: pd.DataFrame
    #: Source columns the import does not use (reported, never silently dropped).
    ignored: tuple[str, ...]
    #: Unit named in the header of the column taken as ``value`` (``Verbrauch kWh``).
    value_unit: str | None


def read_mapped(
    file: Path,
    sheet: str | int | None,
    cmap: ColumnMapping,
    table: str,
    *,
    own_id: str | None = None,
) -> MappedRows:
    """Rows of a table file renamed to ``table``'s attributes, ids cleaned, address keyed.

    With ``own_id``, a column named ``id`` is taken as that id (a register's row id) unless the
    mapping names it or the file has an ``own_id`` column.
    """
    raw = read_table(file, sheet=sheet)
    if own_id is not None:
        raw = _own_id_column(raw, cmap, own_id)
    targets = {*v.attributes(table)["name"], *ADDRESS_PARTS}
    renamed = rename_columns(raw, cmap, targets)
    mapped = translate_values(_heater_terms(renamed) if table == "heaters" else renamed, cmap)
    pairs = list(zip(raw.columns, renamed.columns, strict=True))
    ignored = tuple(str(src) for src, name in pairs if name not in targets)
    units = [unit_in_header(src)[1] for src, name in pairs if name == "value" and src != name]
    return MappedRows(_keyed(mapped), ignored, units[0] if units else None)


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its building ids cleaned and its address key (``address``)."""
    frame = frame.copy()
    frame[col.BUILDING_ID] = (
        frame[col.BUILDING_ID].map(text_or_none) if col.BUILDING_ID in frame.columns else None
    )
    frame["address"] = address_keys(frame)
    return frame


def _own_id_column(raw: pd.DataFrame, cmap: ColumnMapping, own_id: str) -> pd.DataFrame:
    ids = [c for c in raw.columns if str(c).strip().lower() == "id" and c not in cmap.columns]
    if own_id in raw.columns or own_id in cmap.columns.values() or not ids:
        return raw
    return raw.rename(columns={ids[0]: own_id})


def _check_owner(checks: v.RowChecks) -> None:
    missing = checks.frame[col.BUILDING_ID].isna() & checks.frame["address"].isna()
    checks.reject(
        missing,
        col.BUILDING_ID,
        "Gebäude-ID und Adresse fehlen (Gebäude-ID, Adresse oder Straße + Hausnummer [+ PLZ]) / "
        "missing both building_id and address (give a building id, an address, or street + "
        "house_number [+ postcode])",
    )


def _codes(reference: str, column: str) -> set[str]:
    return set(v.load_reference(reference)[column])
