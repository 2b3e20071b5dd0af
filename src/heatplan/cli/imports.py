"""``heatplan import ...``: a town's data into a project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.markup import escape

from heatplan.cli.app import JsonOpt, MappingOpt, ProjectArg, import_app, user_errors
from heatplan.console import emit_json, err, out
from heatplan.errors import InputFileError
from heatplan.inputs.result import ImportOutcome, ImportResult

if TYPE_CHECKING:
    from heatplan.inputs.registers import RegisterKind


ReplaceOpt = Annotated[
    bool, typer.Option("--replace", help="Replace the layer's stored rows by this file's rows.")
]
UpdateOpt = Annotated[
    bool, typer.Option("--update", help="Update the stored rows with the file's ids; add new.")
]
DecimalOpt = Annotated[
    str | None,
    typer.Option(
        help="Decimal separator of the file's numbers where they do not tell (every value like "
        "2.159): ',' German (45.000 is 45000) or '.'; wins over the mapping's 'decimal'."
    ),
]
RepairOpt = Annotated[
    bool, typer.Option("--repair", help="Repair invalid geometries (shapely.make_valid).")
]


def _mode(replace: bool, update: bool) -> Literal["add", "replace", "update"]:
    if replace and update:
        raise typer.BadParameter("--replace or --update, not both / nicht beide")
    return "replace" if replace else "update" if update else "add"


#: Suffixes the OSM readers take (``heatplan.inputs.readers.OSM_SUFFIXES``); they say for
#: themselves that such a file is missing.
OSM_SUFFIXES = (".osm", ".pbf")


def missing_file_first(project_dir: Path, file: Path, mapping: Path | None) -> None:
    """Say that a vector input file is missing before importing the importer (GeoPandas,
    pandas: seconds of start-up).

    The importer checks the project (config, store, its ``heatplan_meta``), then the mapping
    file, then reads the file; this raises its missing-file error only where all of those
    pass, so the message is the one the importer gives (``heatplan.inputs.readers``).
    """
    from heatplan.project import gpkg_peek
    from heatplan.project.config import load_config
    from heatplan.project.store_base import META_TABLE

    store = Path(load_config(project_dir).store_url(Path(project_dir)))
    if "://" in str(store) or not store.is_file() or Path(file).is_file():
        return
    if mapping is not None and not Path(mapping).is_file():
        return
    if Path(file).suffix.lower() in OSM_SUFFIXES:
        return
    if META_TABLE in gpkg_peek.layer_names(store):
        raise InputFileError(Path(file), "Datei nicht gefunden / file not found")


def _report_import(outcome: ImportOutcome, json_out: bool) -> None:
    """The one summary of every import (or its ``--json`` document); exit 1 when nothing was
    usable (the store is then unchanged)."""
    result = outcome.summary()
    if json_out:
        emit_json(result.to_dict())
    else:
        _print_summary(result)
    if not result.usable:
        _failed(result.file, result.report)


def _print_summary(result: ImportResult) -> None:
    if result.usable:
        counts = [f"{result.file}: imported {result.imported} into {result.layer}"]
        counts += [f"{result.updated} stored rows updated"] if result.updated else []
        counts += [f"{result.replaced} stored rows replaced"] if result.replaced else []
        out.print("; ".join(counts), markup=False)
    for note in result.notes:
        out.print(note, markup=False)
    if result.ignored_columns:
        ignored = ", ".join(str(c) for c in result.ignored_columns)
        out.print(f"nicht verwendete Spalten / ignored columns: {ignored}", markup=False)
    if result.rejected:
        run = f" (run {result.run_id})" if result.run_id else ""
        out.print(
            f"[yellow]{result.rejected} rows rejected[/yellow]{escape(run)} — "
            "`heatplan rejections DIR`, or table 'import_rejections' in the store"
        )
    for row in result.first_rejections:
        out.print(
            f"  {row.get('file')}, Zeile/row {row.get('row')}, Feld/field {row.get('field')}: "
            f"{row.get('reason')}",
            markup=False,
        )


def _failed(file: str, report: str | None) -> None:
    """A failed import: the store is unchanged; where its rejections went. Exit 1."""
    where = f"; abgelehnte Zeilen / rejected rows: {report}" if report else ""
    err.print(
        f"[bold red]Fehler / error:[/bold red] {file}: keine Zeile importierbar, Projekt "
        f"unverändert / no row could be imported, project unchanged{where}",
        soft_wrap=True,
    )
    raise typer.Exit(1)


@import_app.command("buildings")
@user_errors
def import_buildings_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="GeoPackage, GeoJSON, Shapefile, GeoParquet, OSM.")],
    mapping: MappingOpt = None,
    layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
    replace: ReplaceOpt = False,
    update: UpdateOpt = False,
    repair: RepairOpt = False,
    decimal: DecimalOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import buildings (footprints or points) with use, year, storeys, area, address."""
    mode = _mode(replace, update)
    missing_file_first(project_dir, file, mapping)
    from heatplan.inputs.imports import import_buildings

    result = import_buildings(
        project_dir,
        file,
        mapping=mapping,
        layer=layer,
        crs=crs,
        repair=repair,
        mode=mode,
        decimal=decimal,
    )
    _report_import(result, json_out)


@import_app.command("alkis")
@user_errors
def import_alkis_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="ALKIS AX_Gebaeude: GeoPackage, SHP or NAS XML.")],
    mapping: MappingOpt = None,
    layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import ALKIS buildings: Gebäudefunktion codes to uses, storeys, roof form, address."""
    from heatplan.inputs.alkis import import_alkis

    _report_import(import_alkis(project_dir, file, mapping=mapping, layer=layer, crs=crs), json_out)


@import_app.command("lod2")
@user_errors
def import_lod2_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="LoD2 CityGML 1.0/2.0 file (.gml, .xml).")],
    crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import LoD2 CityGML buildings (height, storeys, roofs, footprint) joined by id or overlap."""
    from heatplan.inputs.lod2 import import_lod2

    _report_import(import_lod2(project_dir, file, crs=crs), json_out)


@import_app.command("consumption")
@user_errors
def import_consumption_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX of metered consumption.")],
    mapping: MappingOpt = None,
    unit: Annotated[str | None, typer.Option(help="Unit when the file has no unit column.")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet.")] = None,
    replace: ReplaceOpt = False,
    update: UpdateOpt = False,
    carrier: Annotated[
        str | None, typer.Option(help="Carrier of rows without one (Erdgas, natural_gas ...).")
    ] = None,
    decimal: DecimalOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import metered gas/heat/oil/electricity per building or address and year."""
    from heatplan.inputs.imports import import_consumption

    mode = _mode(replace, update)
    result = import_consumption(
        project_dir,
        file,
        mapping=mapping,
        unit=unit,
        sheet=sheet,
        mode=mode,
        carrier=carrier,
        decimal=decimal,
    )
    _report_import(result, json_out)


@import_app.command("heaters")
@user_errors
def import_heaters_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX heater register.")],
    mapping: MappingOpt = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet.")] = None,
    replace: ReplaceOpt = False,
    update: UpdateOpt = False,
    decimal: DecimalOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a heater register (chimney-sweep data: type, carrier, kW, year)."""
    from heatplan.inputs.imports import import_heaters

    mode = _mode(replace, update)
    result = import_heaters(
        project_dir, file, mapping=mapping, sheet=sheet, mode=mode, decimal=decimal
    )
    _report_import(result, json_out)


#: Importer of a vector file: (project_dir, file, mapping, layer, crs, *, repair, mode) -> result.
VectorImporter = Callable[..., Any]


def _vector_command(name: str, importer: VectorImporter, file_help: str, doc: str) -> None:
    """Register ``heatplan import NAME`` for a vector file with mapping, layer and CRS options."""

    @user_errors
    def command(
        project_dir: ProjectArg,
        file: Path,
        mapping: MappingOpt = None,
        layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
        crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
        replace: ReplaceOpt = False,
        update: UpdateOpt = False,
        repair: RepairOpt = False,
        json_out: JsonOpt = False,
    ) -> None:
        mode = _mode(replace, update)
        missing_file_first(project_dir, file, mapping)
        result = importer(project_dir, file, mapping, layer, crs, repair=repair, mode=mode)
        _report_import(result, json_out)

    command.__doc__ = doc
    # the file's help differs per command: an evaluated annotation, not a string to resolve
    command.__annotations__["file"] = Annotated[Path, typer.Argument(help=file_help)]
    import_app.command(name.replace("_", "-"))(command)


def _lines(kind: Literal["streets", "heat_network", "gas_network"]) -> VectorImporter:
    def run(project: Path, file: Path, mapping: Any, layer: Any, crs: Any, **opts: Any) -> Any:
        from heatplan.inputs.imports import import_lines

        return import_lines(project, file, kind=kind, mapping=mapping, layer=layer, crs=crs, **opts)

    return run


def _polygons(kind: Literal["blocks", "areas"]) -> VectorImporter:
    def run(project: Path, file: Path, mapping: Any, layer: Any, crs: Any, **opts: Any) -> Any:
        from heatplan.inputs.imports import import_polygons

        return import_polygons(
            project, file, kind=kind, mapping=mapping, layer=layer, crs=crs, **opts
        )

    return run


def _barriers(project: Path, file: Path, mapping: Any, layer: Any, crs: Any, **opts: Any) -> Any:
    from heatplan.inputs.imports import import_barriers

    return import_barriers(project, file, mapping=mapping, layer=layer, crs=crs, **opts)


def _register(kind: RegisterKind) -> VectorImporter:
    def run(project: Path, file: Path, mapping: Any, layer: Any, crs: Any, **opts: Any) -> Any:
        from heatplan.inputs.registers import import_register

        return import_register(
            project,
            file,
            kind=kind,
            mapping=mapping,
            layer=layer,
            crs=crs,
            **opts,
        )

    return run


LINE_FILE = "Line file (GeoPackage, GeoJSON, ..., OSM)."
_vector_command(
    "streets",
    _lines("streets"),
    LINE_FILE,
    "Import the street network (lines; OSM highways from .osm/.pbf).",
)
_vector_command(
    "heat_network", _lines("heat_network"), LINE_FILE, "Import existing heat-network lines."
)
_vector_command(
    "gas_network", _lines("gas_network"), LINE_FILE, "Import existing gas-network lines."
)
_vector_command(
    "blocks",
    _polygons("blocks"),
    "Polygon file.",
    "Import pre-drawn building blocks (used instead of derived ones).",
)
_vector_command(
    "areas", _polygons("areas"), "Polygon file.", "Import the town's own pre-drawn areas."
)

_vector_command(
    "barriers",
    _barriers,
    "Line or polygon file (GeoPackage, GeoJSON, ..., OSM).",
    "Import barriers no supply area crosses: rail, rivers, canals, motorways (lines or "
    "polygons; column kind = rail | water | road | other; OSM: railway=rail/light_rail, "
    "waterway=river/canal, natural=water, highway=motorway/trunk).",
)


@import_app.command("weather")
@user_errors
def import_weather_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="Hourly temperature CSV (timestamp,temp_air_c).")],
    year: Annotated[int, typer.Option(help="Metering year the file describes.")],
    json_out: JsonOpt = False,
) -> None:
    """Import a real year's hourly temperatures for the weather correction of consumption."""
    from heatplan.steps.weather import import_weather_year

    stored = import_weather_year(project_dir, file, year=year)
    note = f"{year}: {stored['hdd_kd']:.0f} K·d (G20/15) stored for weather correction"
    result = ImportResult(
        imported=1,
        rejected=0,
        layer="weather_years",
        file=str(file),
        mode="update",
        notes=(note,),
        details=dict(stored),
    )
    _report_import(result, json_out)


@import_app.command("degree-days")
@user_errors
def import_degree_days_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: year, degree days G20/15 [K·d].")],
    mapping: MappingOpt = None,
    decimal: DecimalOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import annual degree days G20/15 (e.g. IWU Gradtagzahlen) for the weather correction."""
    from heatplan.steps.weather import import_degree_days

    stored = import_degree_days(project_dir, file, mapping=mapping, decimal=decimal)
    years = ", ".join(f"{y}: {kd:,.0f} K·d" for y, kd in stored["years"].items())
    result = ImportResult(
        imported=stored["imported"],
        rejected=stored["rejected"],
        layer="weather_years",
        file=str(file),
        run_id=stored["run_id"],
        mode="update",
        report=stored["report"],
        ignored_columns=tuple(stored["ignored_columns"]),
        first_rejections=tuple(stored["first_rejections"]),
        notes=(f"degree days stored for weather correction — {years or 'none'}",),
        details={"years": stored["years"]},
    )
    _report_import(result, json_out)


REGISTER_FILE = "Vector file (GeoPackage, GeoJSON, ...)."
REGISTERS: tuple[tuple[RegisterKind, str], ...] = (
    (
        "sewage_plants",
        "Import sewage plants (points/sites: population equivalents, flow m³/d, lowest °C).",
    ),
    ("sewers", "Import sewers (lines: diameter_mm, dry_weather_flow_l_per_s)."),
    ("waste_heat", "Import industrial waste-heat sources (temp_c, capacity_kw, hours_per_a)."),
    (
        "exclusion_zones",
        "Import exclusion zones (polygons; excludes = ground_probes | open_field_solar | all).",
    ),
)
for _kind, _doc in REGISTERS:
    _vector_command(_kind, _register(_kind), REGISTER_FILE, _doc)


@import_app.command("zensus")
@user_errors
def import_zensus_cmd(
    project_dir: ProjectArg,
    files: Annotated[list[Path], typer.Argument(help="Zensus 2022 100 m grid CSVs (Destatis).")],
    json_out: JsonOpt = False,
) -> None:
    """Join Zensus 2022 100 m grid attributes to buildings as a flagged prior.

    Construction-year class, heating type and carrier shares of each building's cell go to
    zensus_* columns; age_class is filled only where the building has no year or class of its
    own (age_class_source = zensus_2022_grid). The inventory spreads a residential building
    without meter or heater over its cell's carrier shares, in separate estimated rows
    (carrier_source = zensus_2022_grid).
    """
    from heatplan.inputs.zensus import import_zensus

    _report_import(import_zensus(project_dir, files), json_out)


@import_app.command("kehrbuch")
@user_errors
def import_kehrbuch_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="Kehrbuch extract (CSV or XLSX, German headers).")],
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet.")] = None,
    decimal: DecimalOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a chimney-sweep register (Kehrbuch) with German terms into heaters.

    Columns: Straße, Hausnummer, PLZ (or Gebäude-ID), Feuerstättenart, Brennstoff,
    Nennwärmeleistung kW, Baujahr; terms mapped by data/kehrbuch_terms.csv.
    """
    from heatplan.inputs.kehrbuch import import_kehrbuch

    _report_import(import_kehrbuch(project_dir, file, sheet=sheet, decimal=decimal), json_out)


@import_app.command("mastr")
@user_errors
def import_mastr_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="MaStR unit export (CSV or XLSX, German).")],
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a Marktstammdatenregister unit export (PV, CHP, storage) into plants.

    Existing PV per building: the footprint containing the unit, else the nearest within
    data/mastr_parameters.csv's distance, else the same address.
    """
    from heatplan.inputs.mastr import import_mastr

    _report_import(import_mastr(project_dir, file, sheet=sheet), json_out)
