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


def _report_import(result: Any, json_out: bool) -> None:
    data = result.to_dict()
    if json_out:
        emit_json(data)
    else:
        out.print(f"{data['file']}: imported {data['imported']} into [bold]{data['layer']}[/bold]")
        if data.get("ignored_columns"):
            ignored = ", ".join(escape(str(c)) for c in data["ignored_columns"])
            out.print(f"ignored columns / nicht verwendete Spalten: {ignored}")
        if data["rejected"]:
            out.print(
                f"[yellow]{data['rejected']} rows rejected[/yellow] — see table "
                f"'import_rejections' in the store, or `heatplan rejections DIR`"
            )
    if not result.usable:
        err.print("[bold red]error:[/bold red] no row of the file could be imported")
        raise typer.Exit(1)


@import_app.command("buildings")
@user_errors
def import_buildings_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="GeoPackage, GeoJSON, Shapefile, GeoParquet, OSM.")],
    mapping: MappingOpt = None,
    layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import buildings (footprints or points) with use, year, storeys, area, address."""
    from heatplan.inputs.imports import import_buildings

    _report_import(
        import_buildings(project_dir, file, mapping=mapping, layer=layer, crs=crs), json_out
    )


@import_app.command("consumption")
@user_errors
def import_consumption_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX of metered consumption.")],
    mapping: MappingOpt = None,
    unit: Annotated[str | None, typer.Option(help="Unit when the file has no unit column.")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet.")] = None,
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

    result = import_consumption(
        project_dir, file, mapping=mapping, unit=unit, sheet=sheet, carrier=carrier, decimal=decimal
    )
    _report_import(result, json_out)


@import_app.command("heaters")
@user_errors
def import_heaters_cmd(
    project_dir: ProjectArg,
    file: Annotated[Path, typer.Argument(help="CSV or XLSX heater register.")],
    mapping: MappingOpt = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a heater register (chimney-sweep data: type, carrier, kW, year)."""
    from heatplan.inputs.imports import import_heaters

    _report_import(import_heaters(project_dir, file, mapping=mapping, sheet=sheet), json_out)


#: Importer of a vector file: (project_dir, file, mapping, layer, crs) -> import result.
VectorImporter = Callable[[Path, Path, Path | None, str | None, str | None], Any]


def _vector_command(name: str, importer: VectorImporter, file_help: str, doc: str) -> None:
    """Register ``heatplan import NAME`` for a vector file with mapping, layer and CRS options."""

    @user_errors
    def command(
        project_dir: ProjectArg,
        file: Path,
        mapping: MappingOpt = None,
        layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
        crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
        json_out: JsonOpt = False,
    ) -> None:
        _report_import(importer(project_dir, file, mapping, layer, crs), json_out)

    command.__doc__ = doc
    # the file's help differs per command: an evaluated annotation, not a string to resolve
    command.__annotations__["file"] = Annotated[Path, typer.Argument(help=file_help)]
    import_app.command(name.replace("_", "-"))(command)


def _lines(kind: Literal["streets", "heat_network", "gas_network"]) -> VectorImporter:
    def run(project: Path, file: Path, mapping: Any, layer: Any, crs: Any) -> Any:
        from heatplan.inputs.imports import import_lines

        return import_lines(project, file, kind=kind, mapping=mapping, layer=layer, crs=crs)

    return run


def _polygons(kind: Literal["blocks", "areas"]) -> VectorImporter:
    def run(project: Path, file: Path, mapping: Any, layer: Any, crs: Any) -> Any:
        from heatplan.inputs.imports import import_polygons

        return import_polygons(project, file, kind=kind, mapping=mapping, layer=layer, crs=crs)

    return run


def _barriers(project: Path, file: Path, mapping: Any, layer: Any, crs: Any) -> Any:
    from heatplan.inputs.imports import import_barriers

    return import_barriers(project, file, mapping=mapping, layer=layer, crs=crs)


def _register(kind: RegisterKind) -> VectorImporter:
    def run(project: Path, file: Path, mapping: Any, layer: Any, crs: Any) -> Any:
        from heatplan.inputs.registers import import_register

        return import_register(
            project,
            file,
            kind=kind,
            mapping=mapping,
            layer=layer,
            crs=crs,
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
    if result["rejected"]:
        out.print(f"[yellow]{result['rejected']} rows rejected[/yellow] — `heatplan rejections`")
    if not result["imported"]:
        raise typer.Exit(1)


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
