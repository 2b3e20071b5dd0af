"""``heatplan import ...``: a town's data into a project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.markup import escape

from heatplan.cli.app import JsonOpt, MappingOpt, ProjectArg, import_app, user_errors
from heatplan.console import emit_json, err, out

if TYPE_CHECKING:
    from heatplan.inputs.registers import RegisterKind


ReplaceOpt = Annotated[
    bool, typer.Option("--replace", help="Replace the layer's stored rows by this file's rows.")
]
UpdateOpt = Annotated[
    bool, typer.Option("--update", help="Update the stored rows with the file's ids; add new.")
]
RepairOpt = Annotated[
    bool, typer.Option("--repair", help="Repair invalid geometries (shapely.make_valid).")
]


def _mode(replace: bool, update: bool) -> Literal["add", "replace", "update"]:
    if replace and update:
        raise typer.BadParameter("--replace or --update, not both / nicht beide")
    return "replace" if replace else "update" if update else "add"


def _report_import(result: Any, json_out: bool) -> None:
    data = result.to_dict()
    if json_out:
        emit_json(data)
    elif result.usable:
        changed = {"replace": "replaced", "update": "updated"}.get(data["mode"])
        done = f"; {data['replaced']} stored rows {changed}" if changed else ""
        out.print(
            f"{data['file']}: imported {data['imported']} into [bold]{data['layer']}[/bold]{done}"
        )
        if data.get("ignored_columns"):
            ignored = ", ".join(escape(str(c)) for c in data["ignored_columns"])
            out.print(f"ignored columns / nicht verwendete Spalten: {ignored}")
        if data["rejected"]:
            out.print(
                f"[yellow]{data['rejected']} rows rejected[/yellow] (run {data['run_id']}) — "
                f"`heatplan rejections DIR`, or table 'import_rejections' in the store"
            )
    if not result.usable:
        _failed(data["file"], data["report"])


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
    json_out: JsonOpt = False,
) -> None:
    """Import buildings (footprints or points) with use, year, storeys, area, address."""
    from heatplan.inputs.imports import import_buildings

    result = import_buildings(
        project_dir,
        file,
        mapping=mapping,
        layer=layer,
        crs=crs,
        repair=repair,
        mode=_mode(replace, update),
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

    result = import_alkis(project_dir, file, mapping=mapping, layer=layer, crs=crs)
    if not json_out:
        for code, count in result.unknown_codes.items():
            out.print(f"[yellow]Gebäudefunktion {code} unknown[/yellow] ({count}x): use unknown")
        if result.residential_untyped:
            untyped = result.residential_untyped
            out.print(f"{untyped} residential buildings of unknown type (ALKIS has no dwellings)")
    _report_import(result, json_out)


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

    result = import_lod2(project_dir, file, crs=crs)
    if json_out:
        emit_json(result.to_dict())
    elif result.usable:
        joined, added, roofs = result.joined, result.added, result.roof_surfaces
        out.print(f"{result.file}: {joined} joined, {added} added, {roofs} roof surfaces")
        if result.rejected:
            out.print(
                f"[yellow]{result.rejected} rows rejected[/yellow] (run {result.run_id}) — "
                "`heatplan rejections DIR`"
            )
    if not result.usable:
        _failed(result.file, result.report)


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
    decimal: Annotated[
        str | None, typer.Option(help="Decimal separator when the numbers do not tell: , or .")
    ] = None,
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
    json_out: JsonOpt = False,
) -> None:
    """Import a heater register (chimney-sweep data: type, carrier, kW, year)."""
    from heatplan.inputs.imports import import_heaters

    mode = _mode(replace, update)
    _report_import(
        import_heaters(project_dir, file, mapping=mapping, sheet=sheet, mode=mode), json_out
    )


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

    result = import_weather_year(project_dir, file, year=year)
    if json_out:
        emit_json(result)
    else:
        out.print(f"{year}: {result['hdd_kd']:.0f} K·d (G20/15) stored for weather correction")


@import_app.command("degree-days")
@user_errors
def import_degree_days_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: year, degree days G20/15 [K·d].")],
    mapping: MappingOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import annual degree days G20/15 (e.g. IWU Gradtagzahlen) for the weather correction."""
    from heatplan.steps.weather import import_degree_days

    result = import_degree_days(project_dir, file, mapping=mapping)
    if json_out:
        emit_json(result)
        return
    years = ", ".join(f"{y}: {kd:,.0f} K·d" for y, kd in result["years"].items())
    out.print(f"degree days stored for weather correction — {years or 'none'}")
    if result["rejected"] and result["imported"]:
        out.print(f"[yellow]{result['rejected']} rows rejected[/yellow] — `heatplan rejections`")
    if not result["imported"]:
        _failed(str(file), result["report"])


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


def _report_summary(data: dict[str, Any], json_out: bool, lines: list[str]) -> None:
    """Print a German-source import's summary (or its JSON); exit 1 when nothing was usable."""
    if json_out:
        emit_json(data)
    else:
        for line in lines:
            out.print(line, soft_wrap=True, markup=False)
        if data.get("rejected"):
            out.print(f"[yellow]{data['rejected']} rows rejected[/yellow] — `heatplan rejections`")
    if not data["usable"]:
        err.print(
            "[bold red]Fehler / error:[/bold red] keine Zeile importierbar, Projekt unverändert; "
            "abgelehnte Zeilen in import-rejections/ im Projektordner / no row could be "
            "imported, project unchanged; rejected rows in import-rejections/ in the project",
            soft_wrap=True,
        )
        raise typer.Exit(1)


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
    own (age_class_source = zensus_2022_grid).
    """
    from heatplan.inputs.zensus import import_zensus

    data = import_zensus(project_dir, files).to_dict()
    lines = [
        f"{data['cells']} cells into {data['layer']}; {data['buildings_in_cells']} of "
        f"{data['buildings']} buildings in a cell; age class estimated for "
        f"{data['age_class_estimated']}, heating type for {data['with_heating_system']}, "
        f"carrier for {data['with_carrier']}",
        *(f"{f}: columns not used: {', '.join(c)}" for f, c in data["unused_columns"].items()),
    ]
    _report_summary(data, json_out, lines)


@import_app.command("kehrbuch")
@user_errors
def import_kehrbuch_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="Kehrbuch extract (CSV or XLSX, German headers).")],
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a chimney-sweep register (Kehrbuch) with German terms into heaters.

    Columns: Straße, Hausnummer, PLZ (or Gebäude-ID), Feuerstättenart, Brennstoff,
    Nennwärmeleistung kW, Baujahr; terms mapped by data/kehrbuch_terms.csv.
    """
    from heatplan.inputs.kehrbuch import import_kehrbuch

    result, unused = import_kehrbuch(project_dir, file, sheet=sheet)
    data = {**result.to_dict(), "unused_columns": unused}
    lines = [f"{data['file']}: imported {data['imported']} into {data['layer']}"]
    if unused:
        lines.append(f"columns not used: {', '.join(unused)}")
    _report_summary(data, json_out, lines)


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

    data = import_mastr(project_dir, file, sheet=sheet).to_dict()
    kinds = ", ".join(f"{k} {n}" for k, n in data["by_kind"].items())
    lines = [
        f"{data['file']}: imported {data['imported']} units into {data['layer']} ({kinds}); "
        f"{data['without_point']} without coordinates; {data['matched_to_buildings']} matched "
        f"to buildings; existing PV on {data['buildings_with_pv']} buildings",
    ]
    if data["unused_columns"]:
        lines.append(f"columns not used: {', '.join(data['unused_columns'])}")
    _report_summary(data, json_out, lines)
