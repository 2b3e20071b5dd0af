"""Marktstammdatenregister (MaStR) unit exports into a ``plants`` layer; existing PV per building.

Read: the CSV (or XLSX) of the register's public unit overview ("Erweiterte öffentliche
Einheitenübersicht": separator ``;``, German headers, decimal commas, dates ``dd.mm.yyyy``); the
field names of the register's bulk export (``EinheitMastrNummer``, ``Bruttoleistung`` ...) are
accepted as headers too. Kept per unit: ``plant_id``, ``kind`` (``pv``, ``storage``, ``chp``,
``combustion`` ... from ``data/mastr_terms.csv``; a fuel unit is ``chp`` when the row names a
KWK-Anlage or a thermal output), ``carrier``, status, capacities [kW, kWh], commissioning date
and year, address and the point (WGS84 -> project CRS).

Small units of private owners are published without coordinates and street: they are kept
without geometry and without building. A unit with a point goes to the building whose footprint
contains it, else the nearest footprint within ``max_match_distance_m``
(``data/mastr_parameters.csv``); a unit without a point to the building of the same address.
Buildings get ``pv_existing_kw`` (net rated power of the PV units in operation matched to them,
ground-mounted units left out)
and ``pv_existing_source = "mastr"``; a building no unit matches keeps it empty (unknown: a unit
may lack a point), never 0. Each import replaces the layer ``plants`` (an export is a snapshot).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan import formats
from heatplan.errors import InputFileError
from heatplan.formats import FormatProblem, parse_decimal, revealed_decimal
from heatplan.inputs import validate as v
from heatplan.inputs.addresses import address_keys
from heatplan.inputs.common import (
    REJECTIONS_TABLE,
    ImportResult,
    new_run_id,
    open_project,
    record_run,
    row_numbers,
    stamp_rejections,
    text_or_none,
    write_report,
)
from heatplan.inputs.readers import read_table
from heatplan.inputs.result import rejection_records
from heatplan.plan import columns as col
from heatplan.reference import parameter

LAYER = "plants"
IN_OPERATION = "in betrieb"
#: 'Lage der Einheit' of a ground-mounted unit: placed, never counted as a building's PV.
GROUND_MOUNTED = "freifläche"
#: Header of the web export or field of the bulk export -> heatplan column.
HEADERS = {
    "MaStR-Nr. der Einheit": "plant_id",
    "EinheitMastrNummer": "plant_id",
    "Anzeige-Name der Einheit": "name",
    "NameStromerzeugungseinheit": "name",
    "Betriebs-Status": "status_de",
    "EinheitBetriebsstatus": "status_de",
    "Energieträger": "energietraeger_de",
    "Energietraeger": "energietraeger_de",
    "Bruttoleistung der Einheit": "gross_capacity_kw",
    "Bruttoleistung": "gross_capacity_kw",
    "Nettonennleistung der Einheit": "net_capacity_kw",
    "Nettonennleistung": "net_capacity_kw",
    "Inbetriebnahmedatum der Einheit": "commissioning_date",
    "Inbetriebnahmedatum": "commissioning_date",
    "Koordinate: Breitengrad (WGS84)": "lat",
    "Breitengrad": "lat",
    "Koordinate: Längengrad (WGS84)": "lon",
    "Laengengrad": "lon",
    "Postleitzahl": "postcode",
    "Ort": "town",
    "Straße": "street",
    "Strasse": "street",
    "Hausnummer": "house_number",
    "Lage der Einheit": "location_de",
    "Lage": "location_de",
    "MaStR-Nr. der KWK-Anlage": "chp_id",
    "KwkMastrNummer": "chp_id",
    "Thermische Nutzleistung in kW": "thermal_capacity_kw",
    "ThermischeNutzleistung": "thermal_capacity_kw",
    "Nutzbare Speicherkapazität in kWh": "storage_capacity_kwh",
    "NutzbareSpeicherkapazitaet": "storage_capacity_kwh",
}
NUMBERS = ("gross_capacity_kw", "net_capacity_kw", "thermal_capacity_kw", "storage_capacity_kwh")
#: The time of day some exports append to a date (``01.03.2021 00:00:00``).
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
#: Plausible WGS84 range of German coordinates [degrees], with a margin (lat, lon).
GERMANY_LAT, GERMANY_LON = (47.0, 55.5), (5.5, 15.5)


@dataclass(frozen=True)
class MastrImportResult:
    """Outcome of ``heatplan import mastr``."""

    file: str
    imported: int
    rejected: int
    by_kind: dict[str, int]
    without_point: int
    matched_to_buildings: int
    buildings_with_pv: int
    pv_in_operation_kw: float
    #: Columns of the file the import did not use.
    ignored_columns: list[str] = field(default_factory=list)
    layer: str = LAYER
    rejections_table: str = REJECTIONS_TABLE
    run_id: str = ""
    #: The CSV a failed import wrote its rejections to (the store was not touched).
    report: str | None = None
    first_rejections: tuple[dict[str, Any], ...] = ()

    @property
    def usable(self) -> bool:
        """False when no unit of the file could be imported."""
        return self.imported > 0

    def summary(self) -> ImportResult:
        """The common summary of every import (:mod:`heatplan.inputs.result`)."""
        base = (
            *("file", "imported", "rejected", "ignored_columns", "layer", "rejections_table"),
            *("run_id", "report", "first_rejections"),
        )
        details = {k: v for k, v in asdict(self).items() if k not in base}
        kinds = ", ".join(f"{k} {n}" for k, n in self.by_kind.items())
        note = (
            f"units: {kinds}; {self.without_point} without coordinates; "
            f"{self.matched_to_buildings} matched to buildings; existing PV on "
            f"{self.buildings_with_pv} buildings"
        )
        return ImportResult(
            imported=self.imported,
            rejected=self.rejected,
            layer=self.layer,
            file=self.file,
            run_id=self.run_id,
            mode="replace",
            report=self.report,
            ignored_columns=tuple(self.ignored_columns),
            notes=(note,),
            details=details,
            first_rejections=self.first_rejections,
        )

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` document (the keys of every import)."""
        return self.summary().to_dict()


def _de_en(german: str, english: str) -> str:
    return f"{german} / {english}"


# --- reading ---------------------------------------------------------------------------------
def read_mastr(path: Path, *, sheet: str | int | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Rows of a MaStR export with heatplan's column names, and the columns not used."""
    raw = read_table(Path(path), sheet=sheet)
    lookup = {k.lower(): t for k, t in HEADERS.items()}
    renames = {c: lookup[str(c).strip().lower()] for c in raw.columns if str(c).lower() in lookup}
    frame = raw.rename(columns=renames)
    missing = [n for n in ("plant_id", "energietraeger_de") if n not in frame.columns]
    if missing:
        raise InputFileError(
            path,
            _de_en(
                "keine MaStR-Einheitenliste: Spalten 'MaStR-Nr. der Einheit' und 'Energieträger'"
                " nötig",
                "not a MaStR unit export: columns 'MaStR-Nr. der Einheit' and 'Energieträger' "
                f"needed (missing: {', '.join(missing)})",
            ),
        )
    unused = [str(c) for c in raw.columns if c not in renames]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame.attrs["headers"] = {target: str(source) for source, target in renames.items()}
    return frame, unused


def german_number(value: object) -> float | None:
    """A number in German notation; NaN when empty, None when not German notation.

    >>> german_number("1.234,5"), german_number("9,84"), german_number("30")
    (1234.5, 9.84, 30.0)
    >>> german_number("9.84") is None  # a decimal point: refused, never read as 984
    True
    """
    text = text_or_none(value)
    if text is None:
        return np.nan
    if revealed_decimal(text) == ".":  # the export is German: '9.84' is a typo, not 9.84 or 984
        return None
    try:
        return parse_decimal(text, ",")  # heatplan.formats: one reading of German numbers
    except FormatProblem:
        return None


def parse_date(value: object) -> pd.Timestamp | None:
    """``dd.mm.yyyy`` (or ISO ``yyyy-mm-dd``); NaT when empty, None when not a date.

    >>> parse_date("01.03.2021").date().isoformat(), parse_date("31.02.2021")
    ('2021-03-01', None)
    """
    text = text_or_none(value)
    if text is None:
        return pd.Timestamp("NaT")
    day, _, time = text.partition(" ")
    if time and not _TIME.match(time):
        return None
    try:
        return pd.Timestamp(formats.parse_date(day))  # heatplan.formats: dd.mm.yyyy or ISO
    except FormatProblem:
        return None


def plants_frame(
    frame: pd.DataFrame, *, file: Path, crs: str
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The ``plants`` rows of a MaStR frame (project CRS) and the rejected rows."""
    checks = v.RowChecks(frame, file=file.name, rows=row_numbers(frame))
    _check_ids(checks)
    _check_kind(checks)
    for name in NUMBERS:
        _check_german(checks, name)
    _check_date(checks)
    lat, lon = _check_coordinates(checks)
    valid, rejections = checks.result()
    rejections["field"] = rejections["field"].replace(frame.attrs.get("headers", {}))
    out = valid.reindex(columns=[*dict.fromkeys(HEADERS.values())]).drop(columns=["lat", "lon"])
    out["address"] = address_keys(out)
    out["in_operation"] = out["status_de"].map(lambda s: str(s).strip().lower() == IN_OPERATION)
    out["commissioning_year"] = pd.to_datetime(out["commissioning_date"]).dt.year
    out["commissioning_date"] = pd.to_datetime(out["commissioning_date"]).dt.strftime("%Y-%m-%d")
    out["kind"], out[col.CARRIER] = valid["kind"], valid[col.CARRIER]
    out["source_file"], out["source_row"] = file.name, checks.rows[valid.index]
    points = gpd.GeoSeries(
        gpd.points_from_xy(lon[valid.index], lat[valid.index]), index=valid.index, crs="EPSG:4326"
    )
    points = points.where(lat[valid.index].notna(), None)
    return gpd.GeoDataFrame(out, geometry=points, crs="EPSG:4326").to_crs(crs), rejections


def _check_ids(checks: v.RowChecks) -> None:
    ids = checks.frame["plant_id"].map(text_or_none)
    checks.frame["plant_id"] = ids
    checks.reject(ids.isna(), "plant_id", _de_en("MaStR-Nummer fehlt", "MaStR number missing"))
    checks.reject(
        ids.notna() & ids.duplicated(),
        "plant_id",
        _de_en("MaStR-Nummer doppelt in der Datei", "MaStR number repeated in the file"),
    )


def _check_kind(checks: v.RowChecks) -> None:
    table = v.load_reference("mastr_terms.csv")
    table.index = table["energietraeger"].str.lower()
    term = checks.frame["energietraeger_de"].map(text_or_none).str.lower()
    kind = term.map(table["kind"])
    checks.reject(
        kind.isna(),
        "energietraeger_de",
        _de_en(
            "unbekannter Energieträger (data/mastr_terms.csv)",
            "unknown energy carrier term (data/mastr_terms.csv)",
        ),
    )
    frame = checks.frame
    chp = frame.get("chp_id", pd.Series(None, index=frame.index)).map(text_or_none).notna()
    thermal = frame.get("thermal_capacity_kw", pd.Series(None, index=frame.index))
    chp |= thermal.map(lambda x: (german_number(x) or 0) > 0)
    frame["kind"] = kind.where(~(kind.eq("combustion") & chp), "chp")
    frame[col.CARRIER] = term.map(table["carrier"]).replace("", None)


def _check_german(checks: v.RowChecks, name: str) -> None:
    if name not in checks.frame.columns:
        return
    values = [german_number(x) for x in checks.frame[name]]
    bad = pd.Series([p is None for p in values], index=checks.frame.index)
    parsed = pd.Series(values, index=checks.frame.index, dtype=object)
    checks.reject(
        bad,
        name,
        _de_en(
            "keine Zahl in deutscher Schreibweise (1.234,5)",
            "not a number in German notation (1.234,5)",
        ),
    )
    numbers = pd.to_numeric(parsed.where(~bad), errors="coerce")
    checks.reject(numbers < 0, name, _de_en("negativer Wert", "negative value"))
    checks.frame[name] = numbers


def _check_date(checks: v.RowChecks) -> None:
    if "commissioning_date" not in checks.frame.columns:
        return
    values = [parse_date(x) for x in checks.frame["commissioning_date"]]
    bad = pd.Series([p is None for p in values], index=checks.frame.index)
    parsed = pd.Series(values, index=checks.frame.index, dtype=object)
    checks.reject(
        bad,
        "commissioning_date",
        _de_en("kein Datum TT.MM.JJJJ", "not a date dd.mm.yyyy"),
    )
    checks.frame["commissioning_date"] = pd.to_datetime(parsed.where(~bad), errors="coerce")


def _check_coordinates(checks: v.RowChecks) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude [°]; a decimal comma or point (coordinates have no thousands)."""
    result = []
    for name, (low, high) in (("lat", GERMANY_LAT), ("lon", GERMANY_LON)):
        column = checks.frame.get(name, pd.Series(None, index=checks.frame.index))
        text = column.map(text_or_none)
        value = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        checks.reject(
            text.notna() & ~value.between(low, high),
            name,
            _de_en(
                f"keine Koordinate in Deutschland ({low}–{high}°)",
                f"not a coordinate in Germany ({low}–{high}°)",
            ),
        )
        result.append(value)
    lat, lon = result
    one = lat.isna() ^ lon.isna()
    checks.reject(one, "lat", _de_en("nur eine Koordinate", "only one of the two coordinates"))
    return lat, lon


# --- buildings -------------------------------------------------------------------------------
def match_plants(
    plants: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, *, max_distance_m: float
) -> pd.DataFrame:
    """Per plant: ``building_id`` and ``building_match`` (contains, nearest, address, or none).

    ``max_distance_m`` [m] limits the nearest footprint of a point outside every footprint.
    An address that several buildings share matches none of them.
    """
    out = pd.DataFrame({col.BUILDING_ID: None, "building_match": None}, index=plants.index)
    located = plants[plants.geometry.notna() & ~plants.geometry.is_empty]
    shapes = buildings[[col.BUILDING_ID, "geometry"]]
    inside = gpd.sjoin(located[["geometry"]], shapes, predicate="within", how="inner")
    inside = inside[~inside.index.duplicated()]
    out.loc[inside.index, col.BUILDING_ID] = inside[col.BUILDING_ID]
    out.loc[inside.index, "building_match"] = "contains"
    rest = located.drop(index=inside.index)
    near = gpd.sjoin_nearest(rest[["geometry"]], shapes, max_distance=max_distance_m)
    near = near[~near.index.duplicated()]
    out.loc[near.index, col.BUILDING_ID] = near[col.BUILDING_ID]
    out.loc[near.index, "building_match"] = "nearest"
    keys = buildings["address"] if "address" in buildings.columns else address_keys(buildings)
    unique = keys.dropna()[~keys.dropna().duplicated(keep=False)]
    by_address = pd.Series(buildings.loc[unique.index, col.BUILDING_ID].to_numpy(), index=unique)
    loose = plants.index.difference(located.index)
    found = plants.loc[loose, "address"].map(by_address).dropna()
    out.loc[found.index, col.BUILDING_ID] = found
    out.loc[found.index, "building_match"] = "address"
    return out


def existing_pv(plants: pd.DataFrame, buildings: pd.DataFrame) -> pd.DataFrame:
    """``buildings`` with ``pv_existing_kw`` (net rated power of PV in operation) [kW].

    Ground-mounted units (``Lage der Einheit`` = Freifläche) keep their building match but do
    not count as the building's PV.
    """
    power = plants["net_capacity_kw"].fillna(plants["gross_capacity_kw"])
    ground = plants["location_de"].map(text_or_none).str.lower().str.startswith(GROUND_MOUNTED)
    pv = plants["kind"].eq("pv") & plants["in_operation"] & plants[col.BUILDING_ID].notna()
    pv &= ~ground.fillna(False).astype(bool)
    total = power[pv].groupby(plants.loc[pv, col.BUILDING_ID]).sum(min_count=1)
    out = buildings.copy()
    out["pv_existing_kw"] = out[col.BUILDING_ID].map(total).astype(float)
    out["pv_existing_source"] = pd.Series("mastr", index=out.index, dtype=object).where(
        out["pv_existing_kw"].notna()
    )
    return out


# --- the import ------------------------------------------------------------------------------
def import_mastr(
    project_dir: Path, file: Path, *, sheet: str | int | None = None
) -> MastrImportResult:
    """Import a MaStR unit export: layer ``plants`` replaced, existing PV on ``buildings``."""
    file = Path(file)
    config, store = open_project(project_dir)
    frame, unused = read_mastr(file, sheet=sheet)
    plants, rejections = plants_frame(frame, file=file, crs=config.project.crs)
    buildings = store.read("buildings") if store.has("buildings") else None
    if buildings is not None:
        limit = parameter("mastr_parameters.csv", "max_match_distance_m")
        plants = plants.join(match_plants(plants, buildings, max_distance_m=limit))
        buildings = existing_pv(plants, buildings)
    run_id = new_run_id()
    stamped = stamp_rejections(rejections, target=LAYER, run_id=run_id)
    if plants.empty:  # a failed import leaves the store as it was; its report goes beside it
        report = write_report(stamped, file=file, run_id=run_id, folder=Path(project_dir))
        result = _result(file, plants, rejections, buildings, unused)
        return replace(result, run_id=run_id, report=None if report is None else str(report))
    with store.transaction(step="import mastr") as writer:
        writer.write(LAYER, plants, mode="replace")
        if buildings is not None:
            writer.write("buildings", buildings, mode="replace")
        record_run(
            writer, stamped, target=LAYER, run_id=run_id, file=file, mode="replace",
            imported=len(plants),
        )  # fmt: skip
    return replace(_result(file, plants, rejections, buildings, unused), run_id=run_id)


def _result(
    file: Path,
    plants: gpd.GeoDataFrame,
    rejections: pd.DataFrame,
    buildings: pd.DataFrame | None,
    unused: list[str],
) -> MastrImportResult:
    pv = plants["kind"].eq("pv") & plants["in_operation"]
    with_pv = 0 if buildings is None else int(buildings["pv_existing_kw"].notna().sum())
    matched = plants.get(col.BUILDING_ID, pd.Series(dtype=object)).notna().sum()
    return MastrImportResult(
        file=str(file),
        imported=len(plants),
        rejected=int(rejections["row"].nunique()),
        by_kind={str(k): int(n) for k, n in plants["kind"].value_counts().items()},
        without_point=int(plants.geometry.isna().sum()),
        matched_to_buildings=int(matched),
        buildings_with_pv=with_pv,
        pv_in_operation_kw=float(plants.loc[pv, "net_capacity_kw"].sum()),
        ignored_columns=unused,
        first_rejections=rejection_records(rejections),
    )
