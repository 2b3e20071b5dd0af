"""Column mapping: rename the columns of an input file to heatplan's attribute names.

A mapping file (TOML or JSON) names columns and values explicitly::

    {"columns": {"Baujahr": "construction_year", "Nutzung": "use"},
     "values": {"use": {"EFH": "sfh"}},
     "unit": "m3", "carrier": "Erdgas", "decimal": ","}

``unit`` and ``carrier`` are the defaults of rows without one (a gas utility's extract names
neither: every row is gas in m³ or kWh); ``decimal`` states the file's decimal separator where
its numbers do not reveal it (every value written ``2.159``).

Without a mapping file (and for every column it does not name) automatic aliases apply: common
German, English and OpenStreetMap column names (``Baujahr``, ``year``, ``start_date``,
``building:levels``, ``addr:street`` ...). An explicit mapping always wins over an alias, and a
column that already carries the target name wins over an alias of it.

Use, carrier and heater-type values are also recognised by the German, English and OSM terms of
:mod:`heatplan.inputs.vocabulary` (``Erdgas`` -> ``natural_gas``, ``Gas-Therme`` -> ``boiler``),
ignoring case, blanks, hyphens and umlaut spellings.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from heatplan.errors import InputFileError
from heatplan.inputs.units import normalise_unit
from heatplan.inputs.vocabulary import term_key, translate, vocabulary_tables
from heatplan.plan import columns as col

#: Automatic column aliases, keyed by the lower-cased source column name.
ALIASES: dict[str, str] = {
    # identifiers
    "id": col.BUILDING_ID,
    "gebaeude_id": col.BUILDING_ID,
    "gebäude_id": col.BUILDING_ID,
    "gml_id": col.BUILDING_ID,
    "oi": col.BUILDING_ID,
    "building": col.USE,
    # construction year
    "baujahr": col.CONSTRUCTION_YEAR,
    "year_built": col.CONSTRUCTION_YEAR,
    "start_date": col.CONSTRUCTION_YEAR,
    "building:start_date": col.CONSTRUCTION_YEAR,
    "construction_date": col.CONSTRUCTION_YEAR,
    # storeys and height
    "building:levels": "floors",
    "levels": "floors",
    "geschosse": "floors",
    "anzahl_geschosse": "floors",
    "anzahlderoberirdischengeschosse": "floors",
    "storeys": "floors",
    "height": "height_m",
    "hoehe": "height_m",
    "höhe": "height_m",
    "building:height": "height_m",
    # use
    "nutzung": col.USE,
    "gebaeudetyp": col.USE,
    "gebäudetyp": col.USE,
    "building:use": col.USE,
    # areas
    "wohnflaeche": col.HEATED_AREA_M2,
    "wohnfläche": col.HEATED_AREA_M2,
    "nutzflaeche": col.HEATED_AREA_M2,
    "nutzfläche": col.HEATED_AREA_M2,
    "heated_area": col.HEATED_AREA_M2,
    "energiebezugsflaeche": col.HEATED_AREA_M2,
    # address
    "addr:street": "street",
    "strasse": "street",
    "straße": "street",
    "addr:housenumber": "house_number",
    "hausnummer": "house_number",
    "hausnr": "house_number",
    "housenumber": "house_number",
    "addr:postcode": "postcode",
    "plz": "postcode",
    "postleitzahl": "postcode",
    "adresse": "address",
    # consumption and heaters
    "wohnungen": "dwellings",
    "anzahl_wohnungen": "dwellings",
    "anzahl wohnungen": "dwellings",
    "wohneinheiten": "dwellings",
    "building:flats": "dwellings",
    "flats": "dwellings",
    "dwellings": "dwellings",
    "baualtersklasse": "age_class",
    "altersklasse": "age_class",
    "jahr": "year",
    "gradtagzahl": "hdd_kd",
    "gradtagszahl": "hdd_kd",
    "g20/15": "hdd_kd",
    "gtz": "hdd_kd",
    "degree_days": "hdd_kd",
    "hdd": "hdd_kd",
    "energietraeger": col.CARRIER,
    "energieträger": col.CARRIER,
    "brennstoff": col.CARRIER,
    "fuel": col.CARRIER,
    "verbrauch": "value",
    "jahresverbrauch": "value",
    "gasverbrauch": "value",
    "energieverbrauch": "value",
    "wärmeverbrauch": "value",
    "waermeverbrauch": "value",
    "verbrauchsjahr": "year",
    "abrechnungsjahr": "year",
    "hausnr.": "house_number",
    "hnr": "house_number",
    "str.": "street",
    "consumption": "value",
    "menge": "value",
    "einheit": "unit",
    "anlagentyp": "heater_type",
    "feuerstaette": "heater_type",
    "feuerstätte": "heater_type",
    "leistung_kw": "capacity_kw",
    "nennleistung": "capacity_kw",
    "nennwaermeleistung": "capacity_kw",
    "capacity": "capacity_kw",
    "einbaujahr": "install_year",
    "baujahr_anlage": "install_year",
    # lines (streets, networks)
    "highway": "road_class",
    "fclass": "road_class",
    "strassenklasse": "road_class",
    "straßenklasse": "road_class",
    "strassenname": "name",
    "straßenname": "name",
    "dn": "diameter_mm",
    "nennweite": "diameter_mm",
    "durchmesser_mm": "diameter_mm",
    "verlegejahr": col.CONSTRUCTION_YEAR,
}


@dataclass(frozen=True)
class ColumnMapping:
    """Explicit renames, value translations per target column, and a default unit."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    unit: str | None = None
    carrier: str | None = None
    #: Decimal separator of the file's numbers (``","`` German, ``"."``), when stated.
    decimal: str | None = None


def load_mapping(path: Path | None) -> ColumnMapping:
    """Read a mapping file (``.toml`` or ``.json``); ``None`` gives the empty mapping."""
    if path is None:
        return ColumnMapping()
    raw = _load_mapping_document(Path(path))
    columns, values, unit = raw.get("columns", {}), raw.get("values", {}), raw.get("unit")
    carrier, decimal = raw.get("carrier"), raw.get("decimal")
    if not _is_str_dict(columns):
        raise InputFileError(path, "'columns' must map source column names to attribute names")
    if not isinstance(values, dict) or not all(_is_str_dict(v) for v in values.values()):
        raise InputFileError(path, "'values' must map attribute names to {source: code} tables")
    if unit is not None and not isinstance(unit, str):
        raise InputFileError(path, "'unit' must be a string such as 'kWh' or 'm3'")
    if carrier is not None and not isinstance(carrier, str):
        raise InputFileError(path, "'carrier' must be a string such as 'Erdgas' or 'natural_gas'")
    if decimal not in (None, ",", "."):
        raise InputFileError(path, '\'decimal\' must be "," (German) or "." / Dezimalzeichen')
    return ColumnMapping(
        columns=dict(cast(dict[str, str], columns)),
        values={k: dict(v) for k, v in values.items()},
        unit=unit,
        carrier=carrier,
        decimal=cast(str | None, decimal),
    )


def _load_mapping_document(path: Path) -> dict[str, object]:
    if not path.is_file():
        raise InputFileError(path, "Zuordnungsdatei nicht gefunden / mapping file not found")
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        if path.suffix.lower() == ".json":
            document = json.loads(text)
            if isinstance(document, dict):
                return document
            raise InputFileError(path, "a JSON mapping must be an object")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(
            path, f"Zuordnungsdatei ungültig / mapping file is not valid: {exc}"
        ) from exc
    raise InputFileError(
        path,
        "unbekanntes Format der Zuordnung (.toml oder .json) / unknown mapping format; use "
        ".toml or .json",
    )


def _is_str_dict(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def rename_columns(
    frame: pd.DataFrame, mapping: ColumnMapping, targets: Collection[str]
) -> pd.DataFrame:
    """Rename columns to attribute names in ``targets``: explicit, then exact, then alias."""
    renames: dict[str, str] = {}
    taken: set[str] = set()
    for source, target in mapping.columns.items():
        if source in frame.columns and target not in taken:
            renames[source], taken = target, taken | {target}
    taken |= {c for c in frame.columns if c in targets and c not in renames}
    for column in frame.columns:
        alias = header_alias(column)
        free = column not in renames and column not in taken
        if free and alias is not None and alias in targets and alias not in taken:
            renames[column], taken = alias, taken | {alias}
    return frame.rename(columns=renames)


def unused_columns(frame: pd.DataFrame, targets: Collection[str]) -> tuple[str, ...]:
    """Columns of a mapped frame that are no attribute in ``targets`` (and no geometry)."""
    return tuple(str(c) for c in frame.columns if c not in targets and c != "geometry")


def unit_in_header(header: object) -> tuple[str, str | None]:
    """The header without a trailing unit, and the unit code (``None`` when it names none).

    >>> unit_in_header("Verbrauch [kWh/a]"), unit_in_header("Verbrauch in m³")
    (('Verbrauch', 'kWh'), ('Verbrauch', 'm3'))
    >>> unit_in_header("Verbrauch kWh (Hs)"), unit_in_header("Straße")
    (('Verbrauch', 'kWh_Hs'), ('Straße', None))
    """
    words = re.sub(r"([\[(])", r" \1", str(header)).split()
    for cut in range(1, len(words)):
        tail = [w.strip("[]") for w in words[cut:]]
        tail = tail[1:] if tail[0].lower() in ("in", "je", "pro") and len(tail) > 1 else tail
        unit = normalise_unit(" ".join(tail))
        if unit is not None:
            return " ".join(words[:cut]), unit
    return str(header).strip(), None


def header_alias(header: object) -> str | None:
    """Attribute name of an automatic alias, also for a header with a unit (``Verbrauch kWh``);
    case, blanks, punctuation and umlaut spellings are ignored (``Nennwärmeleistung``).

    >>> header_alias("Verbrauch [kWh]"), header_alias("Nennwärmeleistung"), header_alias("PLZ")
    ('value', 'capacity_kw', 'postcode')
    """
    aliases = _alias_keys()
    alias = aliases.get(term_key(header))
    return alias if alias is not None else aliases.get(term_key(unit_in_header(header)[0]))


@functools.cache
def _alias_keys() -> dict[str, str]:
    return {term_key(name): target for name, target in ALIASES.items()}


def translate_values(frame: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """Translate coded values: mapping ``values`` first, then the vocabulary tables of
    :mod:`heatplan.inputs.vocabulary` (German, English and OSM terms, spelling-insensitive)."""
    out = frame.copy()
    tables = vocabulary_tables()
    for column, given in mapping.values.items():  # the file's own mapping wins over the tables
        tables[column] = tables.get(column, {}) | {term_key(k): v for k, v in given.items()}
    for column, table in tables.items():
        if column in out.columns:
            out[column] = translate(out[column], table)
    return out


def apply_mapping(
    frame: pd.DataFrame, mapping: ColumnMapping, targets: Collection[str]
) -> pd.DataFrame:
    """Rename columns and translate values (see the module docstring for the order)."""
    return translate_values(rename_columns(frame, mapping, targets), mapping)
