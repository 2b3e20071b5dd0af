"""``heatplan import alkis``: ALKIS buildings (AX_Gebaeude) from a state's shape/GeoPackage extract.

The states hand out ALKIS as NAS (XML) or as shape/GeoPackage extracts of the object type
AX_Gebaeude. NAS (``.xml``, ``.nas``) is read by :mod:`heatplan.inputs.nas` (the bundled GDAL
has no NAS driver); NAS gives no address text (its addresses are references to other objects).

Columns (case-insensitive; shape exports truncate names to 10 characters):

- ``gebaeudefunktion`` (also ``gfk``, ``funktion``): the AX_Gebaeudefunktion code, plain
  (``1010``), with the object type (``31001_1010``) or as its German label (``Wohnhaus``); it
  gives ``use`` through ``data/alkis_gebaeudefunktion.csv``. A code the table does not know
  stays ``unknown`` and is reported with its count. Residential codes that do not tell the
  house type (1000 Wohngebäude, 1010 Wohnhaus, mixed use with dwellings) give ``residential``:
  ALKIS has no dwelling count, so the buildings import splits them into SFH/MFH by heated area
  (:func:`heatplan.inputs.vocabulary.split_residential`), flagged ``use_estimated``; they are
  counted as ``residential_untyped`` and the code stays in ``alkis_function``. Unheated
  buildings (garages, barns, sheds) are
  rejected, as OSM's are.
- ``anzahlDerOberirdischenGeschosse`` (``anzahlDerO``, ``aog``): ``floors``;
- ``dachform`` (``dachf``): AX_Dachform -> ``roof_type`` flat/pitched (``roof_forms.csv``);
- ``baujahr``, ``gml_id``/``oid`` (-> ``building_id``), ``lagebezeichnung`` ("Hauptstraße 12")
  or street and house number columns for the address.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from heatplan.inputs import validate as v
from heatplan.inputs.common import ImportResult, commit_import, open_project, stored_rows
from heatplan.inputs.imports import buildings_frame
from heatplan.inputs.mapping import apply_mapping, load_mapping
from heatplan.inputs.nas import is_nas, read_nas
from heatplan.inputs.readers import read_vector
from heatplan.inputs.vocabulary import RESIDENTIAL
from heatplan.plan import columns as col
from heatplan.reference import table

#: ALKIS column names (lower case, also as truncated by shape exports) -> heatplan names.
ALKIS_COLUMNS = {
    "gebaeudefunktion": "alkis_function",
    "gebaeudefu": "alkis_function",
    "gfk": "alkis_function",
    "funktion": "alkis_function",
    "anzahlderoberirdischengeschosse": "floors",
    "anzahldero": "floors",
    "aog": "floors",
    "dachform": "roof_form",
    "dachf": "roof_form",
    "lagebezeichnung": "lagebezeichnung",
    "lagebezeic": "lagebezeichnung",
}
_ADDRESS = re.compile(
    r"^\s*(?P<street>.*?\D)\s+(?P<number>\d+\s*[a-zA-Z]?(?:\s*-\s*\d+\s*[a-zA-Z]?)?)\s*$"
)


@dataclass(frozen=True)
class AlkisResult(ImportResult):
    """An ALKIS import: the counts of every import, plus codes the table does not know."""

    unknown_codes: dict[str, int] = field(default_factory=dict)
    residential_untyped: int = 0

    def summary(self) -> ImportResult:
        """The common summary; unknown codes and untyped residential buildings as notes."""
        notes = [
            f"Gebäudefunktion {c} unknown ({n}x): use unknown"
            for c, n in self.unknown_codes.items()
        ]
        if self.residential_untyped:
            notes.append(
                f"{self.residential_untyped} residential buildings of unknown type (ALKIS has "
                "no dwellings)"
            )
        details = {
            "unknown_codes": self.unknown_codes,
            "residential_untyped": self.residential_untyped,
        }
        base = {f.name: getattr(self, f.name) for f in fields(ImportResult)}
        return ImportResult(**{**base, "notes": (*self.notes, *notes), "details": details})


def function_table() -> pd.DataFrame:
    """``alkis_gebaeudefunktion.csv`` indexed by code (text)."""
    return table("alkis_gebaeudefunktion.csv", as_text=True).set_index("code")


def function_code(value: object) -> str | None:
    """The 4-digit Gebäudefunktion code of a cell (``31001_1010``, ``1010``, ``1010.0`` or the
    German label ``Wohnhaus``); the text itself when it is none of these; ``None`` when empty.

    >>> function_code("31001_1010"), function_code(2020.0), function_code("Wohnhaus")
    ('1010', '2020', '1010')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None
    text = str(value).strip()
    found = re.fullmatch(r"(?:\d{5}_)?(\d{4})(?:\.0+)?", text)
    if found:
        return found.group(1)
    labels = function_table()
    by_label = {str(label).lower(): str(code) for code, label in labels["label_de"].items()}
    return by_label.get(text.lower(), text)


def use_of(code: str | None) -> str | None:
    """heatplan ``use`` of a code (``residential`` for untyped residential, which the buildings
    import splits into SFH/MFH and flags); ``None`` if not listed."""
    if code is None:
        return None
    uses = function_table()["use"]
    if code not in uses.index:
        return None
    use = str(uses[code])
    if use == RESIDENTIAL:  # untyped residential: split by the stated rule on import, flagged
        return RESIDENTIAL
    return use if use in v.valid_uses() else "unknown"


def import_alkis(
    project_dir: Path,
    file: Path,
    *,
    mapping: Path | None = None,
    layer: str | None = None,
    crs: str | None = None,
) -> AlkisResult:
    """Import ALKIS AX_Gebaeude footprints into ``buildings`` (one store transaction)."""
    file, config, store, cmap = Path(file), *open_project(project_dir), load_mapping(mapping)
    source = read_nas(file) if is_nas(file) else read_vector(file, layer=layer)
    frame = v.resolve_crs(source, file, crs)
    v.check_coordinates(frame, file)
    frame = _alkis_columns(frame)
    targets = [*v.attributes("buildings")["name"], "osm_building"]
    frame = gpd.GeoDataFrame(apply_mapping(frame, cmap, targets), geometry="geometry")
    raw = frame.get("alkis_function", pd.Series(None, index=frame.index))
    codes = _each_distinct(raw, function_code)
    frame["alkis_function"] = codes
    uses = _each_distinct(codes, use_of)
    given_use = frame[col.USE] if col.USE in frame.columns else pd.Series(None, index=frame.index)
    frame[col.USE] = given_use.where(given_use.notna(), uses.where(uses != "unheated"))
    # rejected as OSM's unheated buildings are, the reason then named in ALKIS terms
    frame["osm_building"] = pd.Series(None, index=frame.index, dtype=object).mask(
        uses.eq("unheated"), "shed"
    )
    if "floors" in frame.columns:
        frame["floors_source"] = frame["floors"].map(lambda x: None if pd.isna(x) else "given")
    if "roof_form" in frame.columns:
        forms = table("roof_forms.csv", as_text=True).set_index("code")["roof_type"]
        roof = frame["roof_form"].map(function_code).map(forms)
        frame["roof_type"] = roof.where(roof != "unknown")
    stored = stored_rows(store, "buildings", [col.BUILDING_ID])[col.BUILDING_ID]
    buildings, rejections = buildings_frame(
        frame, file=file, crs=config.project.crs, stored_ids=stored, decimal=cmap.decimal
    )
    rejections = _unheated_reason(rejections, codes)
    result = commit_import(
        store,
        target="buildings",
        file=file,
        frame=buildings,
        rejections=rejections,
        report_dir=Path(project_dir),  # a failed import leaves the store as it was
    )
    unknown = Counter(c for c, u in zip(codes, uses, strict=True) if c is not None and u is None)
    raw_uses = function_table()["use"]
    untyped = int(buildings["alkis_function"].map(raw_uses).eq("residential").sum())
    return AlkisResult(
        **asdict(result), unknown_codes=dict(sorted(unknown.items())), residential_untyped=untyped
    )


def _each_distinct(values: pd.Series, func: Callable[[Any], str | None]) -> pd.Series:
    """``func`` of each value, computed once per distinct value (a town has few codes)."""
    distinct = {value: func(value) for value in values.dropna().unique()}
    return values.map(lambda x: None if pd.isna(x) else distinct[x]).astype(object)


def _alkis_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """ALKIS attribute names renamed; ``lagebezeichnung`` split into street and house number."""
    names = {c: str(c).lower() for c in frame.columns}
    renames = {c: ALKIS_COLUMNS[n] for c, n in names.items() if n in ALKIS_COLUMNS}
    out = frame.rename(columns=renames)
    if "lagebezeichnung" in out.columns:
        parts = out["lagebezeichnung"].astype("string").str.extract(_ADDRESS)
        if "street" not in out.columns:
            out["street"] = parts["street"].str.strip()
        if "house_number" not in out.columns:
            out["house_number"] = parts["number"].str.replace(" ", "")
    return out


def _unheated_reason(rejections: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Rejections of unheated buildings named by their ALKIS code, in English and German."""
    out = rejections.copy()
    unheated = out["field"].eq("osm_building")
    code = out["row"].map(lambda row: codes.iloc[int(row) - 1])
    out.loc[unheated, "field"] = "gebaeudefunktion"
    out.loc[unheated, "value"] = code[unheated]
    out.loc[unheated, "reason"] = (
        "unbeheiztes Gebäude (ALKIS-Gebäudefunktion, alkis_gebaeudefunktion.csv) / "
        "unheated building (ALKIS Gebäudefunktion, alkis_gebaeudefunktion.csv)"
    )
    return out
