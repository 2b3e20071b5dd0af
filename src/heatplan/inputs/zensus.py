"""Zensus 2022 100 m grid attributes as a prior for buildings that have no data of their own.

The statistical offices publish the census 2022 grid as one CSV per attribute (separator ``;``,
German number format), keyed by ``GITTER_ID_100m`` (``CRS3035RES100mN2689100E4337000``: the
lower-left corner of the cell in ETRS89-LAEA, EPSG:3035) with the cell centre in ``x_mp_100m``
/ ``y_mp_100m`` and one count of buildings with dwellings per category. Read here: construction
year in Mikrozensus classes, the prevailing heating type and the heating's energy carrier;
the categories and what they map to are ``data/zensus_2022_categories.csv``.

Rules:

* A suppressed count (``–`` or ``.``) is unknown, not zero: it is left out of the modal class
  and of the shares.
* Each building gets the cell it lies in (representative point, :func:`grid_100m`). The cell's
  modal category (the unique largest known count; a tie gives none) and its carrier shares go
  to columns named ``zensus_*`` — attributes of the cell, never of the building.
* ``age_class`` is filled from the cell's modal class only where the building has no year of
  construction and no age class of its own; ``age_class_source`` says ``given``,
  ``zensus_2022_grid`` (estimated) or ``unknown``. Building data is never overwritten.
* The carrier shares are the prior of the inventory's carrier breakdown for residential
  buildings without a meter or heater of their own (:mod:`heatplan.demand.carrier_prior`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.areas.grid import grid_100m
from heatplan.errors import InputFileError
from heatplan.formats import FormatProblem, parse_decimal
from heatplan.inputs import validate as v
from heatplan.inputs.common import (
    REJECTIONS_TABLE,
    ImportResult,
    new_run_id,
    open_project,
    record_run,
    stamp_rejections,
    write_report,
)
from heatplan.inputs.readers import read_table
from heatplan.inputs.result import rejection_records
from heatplan.plan import columns as col

ID_COLUMN = "GITTER_ID_100m"
PRIOR_SOURCE = "zensus_2022_grid"
CELLS_LAYER = "zensus_cells"
CELL_SIZE_M = 100
#: Destatis signs for a count that is not given (unknown, never read as zero).
SUPPRESSED = frozenset({"–", "—", "-", ".", "/", "x", "…"})
#: Columns of the published files that are not categories (cell centre, totals, notes).
META_COLUMNS = ("x_mp_100m", "y_mp_100m", "werterlaeuternde_zeichen")
_CELL_CODE = re.compile(r"^CRS3035RES100mN(\d+)E(\d+)$")
ATTRIBUTES = ("age", "heating_system", "carrier")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ZensusImportResult:
    """Outcome of ``heatplan import zensus``: cells read, rows rejected, buildings given a prior."""

    files: list[str]
    cells: int
    rejected: int
    buildings: int
    buildings_in_cells: int
    age_class_estimated: int
    with_heating_system: int
    with_carrier: int
    #: Per file: the columns it has that the import did not use.
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    layer: str = CELLS_LAYER
    rejections_table: str = REJECTIONS_TABLE
    run_id: str = ""
    #: The CSV a failed import wrote its rejections to (the store was not touched).
    report: str | None = None
    first_rejections: tuple[dict[str, Any], ...] = ()

    @property
    def usable(self) -> bool:
        """False when no cell of the files could be read."""
        return self.cells > 0

    def summary(self) -> ImportResult:
        """The common summary: cells imported, buildings given a prior updated."""
        details = {
            k: v
            for k, v in asdict(self).items()
            if k not in ("ignored_columns", "layer", "rejections_table", "run_id", "report")
            and k not in ("rejected", "first_rejections")
        }
        note = (
            f"{self.cells} cells; {self.buildings_in_cells} of {self.buildings} buildings in a "
            f"cell; age class estimated for {self.age_class_estimated}, heating type for "
            f"{self.with_heating_system}, carrier shares for {self.with_carrier}"
        )
        return ImportResult(
            imported=self.cells,
            rejected=self.rejected,
            layer=self.layer,
            file=", ".join(self.files),
            run_id=self.run_id,
            mode="replace",
            report=self.report,
            ignored_columns=tuple(
                f"{Path(f).name}: {c}" for f, cs in self.ignored_columns.items() for c in cs
            ),
            updated=self.buildings_in_cells,
            notes=(note,),
            details=details,
            first_rejections=self.first_rejections,
        )

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` document (the keys of every import)."""
        return self.summary().to_dict()


def categories() -> pd.DataFrame:
    """Category columns of the Zensus files: ``column``, ``attribute``, ``label_de``, ``code``."""
    return v.load_reference("zensus_2022_categories.csv")


# --- reading ---------------------------------------------------------------------------------
def read_zensus(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Cells of one Zensus 2022 grid CSV: (counts, rejections, unused columns).

    ``counts`` is indexed by the cell code and has one float column per recognised category
    (NaN: suppressed); ``rejections`` has ``file``, ``row``, ``field``, ``value``, ``reason``.
    """
    path = Path(path)
    raw = read_table(path)
    names = {str(c).strip().lower(): c for c in raw.columns}
    if ID_COLUMN.lower() not in names:
        raise InputFileError(
            path,
            f"Spalte {ID_COLUMN} fehlt — keine Zensus-2022-Gitterdatei / column {ID_COLUMN} "
            f"missing: not a Zensus 2022 grid file (columns: {', '.join(map(str, raw.columns))})",
        )
    known = {c.lower(): c for c in categories()["column"]}
    used = {names[k]: known[k] for k in names if k in known}
    if not used:
        raise InputFileError(
            path,
            "keine bekannte Merkmalsspalte (Baujahr, Heizungsart, Energieträger) / no known "
            "category column (construction year, heating type, carrier); see "
            "data/zensus_2022_categories.csv",
        )
    unused = [
        str(c)
        for k, c in names.items()
        if k not in known
        and k != ID_COLUMN.lower()
        and k not in META_COLUMNS
        and not k.startswith("insgesamt")
    ]
    checks = v.RowChecks(raw, file=path.name, rows=pd.Series(np.arange(1, len(raw) + 1)))
    north, east = _cell_corners(checks, names[ID_COLUMN.lower()])
    _check_centre(checks, names.get("x_mp_100m"), east)
    _check_centre(checks, names.get("y_mp_100m"), north)
    counts = pd.DataFrame(
        {target: _counts(checks, source) for source, target in used.items()}, index=raw.index
    )
    ids = raw[names[ID_COLUMN.lower()]].astype(str).str.strip()
    checks.reject(
        ids.duplicated() & ~checks.bad,
        names[ID_COLUMN.lower()],
        _de_en("Gitterzelle doppelt in der Datei", "grid cell repeated in the file"),
    )
    valid, rejections = checks.result()
    return counts.loc[valid.index].set_index(ids.loc[valid.index]), rejections, unused


def _de_en(german: str, english: str) -> str:
    return f"{german} / {english}"


def _cell_corners(checks: v.RowChecks, name: str) -> tuple[pd.Series, pd.Series]:
    """Northing and easting [m] of each cell's lower-left corner from its code."""
    parts = checks.frame[name].astype(str).str.strip().str.extract(_CELL_CODE)
    north, east = (pd.to_numeric(parts[i], errors="coerce") for i in (0, 1))
    bad = north.isna() | (north % CELL_SIZE_M != 0) | (east % CELL_SIZE_M != 0)
    checks.reject(
        bad,
        name,
        _de_en(
            "kein Code einer 100-m-Gitterzelle (CRS3035RES100mN…E…, Vielfache von 100 m)",
            "not a 100 m grid cell code (CRS3035RES100mN…E…, multiples of 100 m)",
        ),
    )
    return north.where(~bad), east.where(~bad)


def _check_centre(checks: v.RowChecks, name: str | None, corner: pd.Series) -> None:
    """Reject rows whose cell centre column disagrees with the cell code."""
    if name is None:
        return
    centre = pd.Series([german_number(x) for x in checks.frame[name]], dtype=object)
    centre = pd.to_numeric(centre.set_axis(checks.frame.index), errors="coerce")
    wrong = corner.notna() & (centre - (corner + CELL_SIZE_M / 2)).abs().gt(0.5)
    checks.reject(
        wrong | (corner.notna() & centre.isna()),
        name,
        _de_en(
            "Zellmittelpunkt passt nicht zum Code in GITTER_ID_100m",
            "cell centre does not match the code in GITTER_ID_100m",
        ),
    )


def german_number(value: object) -> float | None:
    """A number of a Zensus file, read in its German notation by :mod:`heatplan.formats`
    (``1.234`` is 1234, ``4337050,0`` 4337050.0); NaN when empty, None when no number.

    >>> german_number("1.234"), german_number("4337050,0"), german_number("zwölf") is None
    (1234.0, 4337050.0, True)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    if not str(value).strip():
        return np.nan
    try:
        return parse_decimal(str(value), ",")
    except FormatProblem:
        return None


def _counts(checks: v.RowChecks, name: str) -> pd.Series:
    """Counts of a category column: German numbers; suppressed signs -> NaN; bad -> rejected."""
    text = checks.frame[name].map(lambda x: None if pd.isna(x) else str(x).strip())
    suppressed = text.isna() | text.isin(SUPPRESSED) | text.eq("")
    parsed = [np.nan if s else german_number(t) for t, s in zip(text, suppressed, strict=True)]
    not_number = pd.Series([p is None for p in parsed], index=text.index)
    numbers = pd.Series([np.nan if p is None else p for p in parsed], index=text.index, dtype=float)
    checks.reject(
        not_number,
        name,
        _de_en(
            "keine Zahl (erlaubt: ganze Zahl, '–' oder '.' für gesperrt)",
            "not a number (allowed: whole number, '–' or '.' for suppressed)",
        ),
    )
    checks.reject(
        (numbers < 0) | ((numbers % 1 != 0) & numbers.notna()),
        name,
        _de_en("keine ganze Anzahl ≥ 0", "not a whole count >= 0"),
    )
    return numbers


def read_zensus_files(
    paths: Sequence[Path],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]]]:
    """Cells of several Zensus files joined by cell code (one attribute per file, any order)."""
    frames: list[pd.DataFrame] = []
    rejections: list[pd.DataFrame] = []
    unused: dict[str, list[str]] = {}
    for path in paths:
        counts, rejected, extra = read_zensus(path)
        clash = [c for c in counts.columns for f in frames if c in f.columns]
        if clash:
            raise InputFileError(
                path,
                _de_en(
                    f"Spalten {', '.join(clash)} schon in einer anderen Datei",
                    f"columns {', '.join(clash)} already given by another file",
                ),
            )
        frames.append(counts)
        rejections.append(rejected)
        unused[Path(path).name] = extra
    cells = pd.concat(frames, axis=1, join="outer") if frames else pd.DataFrame()
    return cells, pd.concat(rejections, ignore_index=True), unused


# --- priors (pure) ---------------------------------------------------------------------------
def cell_priors(cells: pd.DataFrame) -> pd.DataFrame:
    """Per cell: modal age class (Zensus label and TABULA code), heating type, carrier, shares.

    Columns of the attributes the cells have: ``zensus_age_class`` (e.g. ``1949-1978``),
    ``age_class_prior`` (TABULA class of ``data/zensus_2022_categories.csv``),
    ``zensus_heating_system`` (``central``, ``floor`` ...), ``zensus_carrier`` (carrier code or
    ``none``) and ``zensus_carrier_shares`` (JSON: code -> share of the known counts).
    """
    table = categories().set_index("column")
    out = pd.DataFrame(index=cells.index)
    for attribute in ATTRIBUTES:
        names = [c for c in table.index[table["attribute"] == attribute] if c in cells.columns]
        if not names:
            continue
        modal = modal_category(cells[names])
        if attribute == "age":
            out["zensus_age_class"] = modal.map(table["label_de"])
            out["age_class_prior"] = modal.map(table["code"])
        else:
            out[f"zensus_{attribute}"] = modal.map(table["code"])
        if attribute == "carrier":
            out["zensus_carrier_shares"] = carrier_shares(cells[names], table["code"])
    return out


def modal_category(counts: pd.DataFrame) -> pd.Series:
    """Column of the unique largest known count per row; None for a tie, zeros or no count.

    >>> modal_category(pd.DataFrame({"a": [3, 2, None], "b": [1, 2, None]})).tolist()
    ['a', None, None]
    """
    values = counts.to_numpy(dtype=float)
    filled = np.where(np.isnan(values), -1.0, values)
    top = filled.max(axis=1, initial=-1.0)
    unique = (filled == top[:, None]).sum(axis=1) == 1
    pick = (
        np.asarray(counts.columns, dtype=object)[filled.argmax(axis=1)]
        if len(counts.columns)
        else None
    )
    return pd.Series(np.where(unique & (top > 0), pick, None), index=counts.index, dtype=object)


def carrier_shares(counts: pd.DataFrame, codes: pd.Series) -> pd.Series:
    """JSON text ``{carrier: share}`` of the known counts (suppressed categories left out)."""
    known = counts.sum(axis=1, min_count=1)
    shares = counts.div(known.where(known > 0), axis=0).round(3)
    return pd.Series(
        [
            _shares_json(dict(zip(counts.columns, row, strict=True)), codes)
            for row in shares.itertuples(index=False, name=None)
        ],
        index=counts.index,
        dtype=object,
    ).where(known > 0)


def _shares_json(row: dict[str, float], codes: pd.Series) -> str:
    return json.dumps({str(codes[c]): float(s) for c, s in row.items() if not np.isnan(s)})


def building_priors(buildings: gpd.GeoDataFrame, cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """``buildings`` with the priors of the cells they lie in; building data never overwritten.

    Only the attributes ``cells`` has are touched (a later file of another attribute keeps the
    earlier ones). ``age_class`` is filled where the building has neither a year of
    construction nor an age class of its own (a class an earlier Zensus import estimated counts
    as none); ``age_class_source`` is ``given``, ``zensus_2022_grid`` or ``unknown``.
    """
    out = buildings.copy()
    grid_id, _ = grid_100m(out, cell_size_m=CELL_SIZE_M)
    priors = cell_priors(cells).reindex(grid_id.to_numpy()).set_axis(out.index)
    out["zensus_grid_id"] = grid_id.where(grid_id.isin(cells.index))
    for name in priors.columns.drop("age_class_prior", errors="ignore"):
        out[name] = priors[name]
    if "age_class_prior" in priors.columns:
        out = _age_prior(out, priors["age_class_prior"])
    return out


def _age_prior(out: gpd.GeoDataFrame, prior: pd.Series) -> gpd.GeoDataFrame:
    year = pd.to_numeric(out.get(col.CONSTRUCTION_YEAR), errors="coerce")
    year = year if isinstance(year, pd.Series) else pd.Series(np.nan, index=out.index)
    age = out.get("age_class", pd.Series(UNKNOWN, index=out.index)).fillna(UNKNOWN)
    source = out.get("age_class_source", pd.Series(None, index=out.index, dtype=object))
    estimated_before = source.eq(PRIOR_SOURCE)
    given = year.notna() | (age.ne(UNKNOWN) & ~estimated_before)
    fill = ~given & prior.notna()
    out["age_class"] = age.where(given, prior.where(fill, UNKNOWN))
    out["age_class_source"] = np.select(
        [given, fill], ["given", PRIOR_SOURCE], default=UNKNOWN
    ).astype(object)
    return out


# --- the import ------------------------------------------------------------------------------
def import_zensus(project_dir: Path, files: Sequence[Path]) -> ZensusImportResult:
    """Import Zensus 2022 grid CSVs: layer ``zensus_cells`` and priors on ``buildings``.

    One transaction: the cells of ``files`` replace the layer ``zensus_cells`` (square cells in
    the project CRS with their counts), the buildings get the priors of
    :func:`building_priors`, and bad rows go to ``import_rejections``. The buildings must be
    imported first.
    """
    config, store = open_project(project_dir)
    paths = [Path(f) for f in files]
    cells, rejections, unused = read_zensus_files(paths)
    if not store.has("buildings"):
        raise InputFileError(
            paths[0],
            _de_en(
                "das Projekt hat noch keine Gebäude — zuerst `heatplan import buildings`",
                "the project has no buildings yet — run `heatplan import buildings` first",
            ),
        )
    buildings = building_priors(store.read("buildings"), cells)
    layer = cells_layer(cells, crs=config.project.crs)
    run_id = new_run_id()
    stamped = stamp_rejections(rejections, target=CELLS_LAYER, run_id=run_id)
    if cells.empty:  # a failed import leaves the store as it was; its report goes beside it
        report = write_report(stamped, file=paths[0], run_id=run_id, folder=Path(project_dir))
        result = _result(paths, cells, rejections, buildings, unused)
        return replace(result, run_id=run_id, report=None if report is None else str(report))
    with store.transaction(step="import zensus") as writer:
        writer.write(CELLS_LAYER, layer, mode="replace")
        writer.write("buildings", buildings, mode="replace")
        record_run(
            writer, stamped, target=CELLS_LAYER, run_id=run_id, file=paths[0],
            mode="replace", imported=len(cells),
        )  # fmt: skip
    return replace(_result(paths, cells, rejections, buildings, unused), run_id=run_id)


def cells_layer(cells: pd.DataFrame, *, crs: str) -> gpd.GeoDataFrame:
    """The cells as 100 m squares (EPSG:3035) moved to ``crs``, with their counts and priors."""
    corners = cells.index.to_series().str.extract(_CELL_CODE).astype("int64")
    north, east = corners[0].to_numpy(), corners[1].to_numpy()
    squares = shapely.box(east, north, east + CELL_SIZE_M, north + CELL_SIZE_M)
    frame = pd.concat(
        [cells, cell_priors(cells).drop(columns="age_class_prior", errors="ignore")], axis=1
    )
    frame = frame.rename_axis("zensus_grid_id").reset_index()
    return gpd.GeoDataFrame(frame, geometry=squares, crs="EPSG:3035").to_crs(crs)


def _result(
    paths: list[Path],
    cells: pd.DataFrame,
    rejections: pd.DataFrame,
    buildings: pd.DataFrame,
    unused: dict[str, list[str]],
) -> ZensusImportResult:
    def count(name: str) -> int:
        return int(buildings[name].notna().sum()) if name in buildings.columns else 0

    source = buildings.get("age_class_source", pd.Series(dtype=object))
    return ZensusImportResult(
        files=[str(p) for p in paths],
        cells=len(cells),
        rejected=int(rejections[["file", "row"]].drop_duplicates().shape[0]),
        buildings=len(buildings),
        buildings_in_cells=count("zensus_grid_id"),
        age_class_estimated=int(source.eq(PRIOR_SOURCE).sum()),
        with_heating_system=count("zensus_heating_system"),
        with_carrier=count("zensus_carrier"),
        ignored_columns={k: u for k, u in unused.items() if u},
        first_rejections=rejection_records(rejections),
    )
