"""The ``heatplan`` command line: a thin face over the Python API.

Every command takes ``--json`` and then prints one JSON document on stdout. User mistakes end in
a one-line message and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.table import Table

from heatplan import __version__
from heatplan.console import emit_json, err, fmt_energy, out, progress
from heatplan.errors import HeatplanError

app = typer.Typer(
    help="heatplan — municipal heat planning from the building stock to the plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(
    help="Import a town's data into a project (bad rows go to a report).", no_args_is_help=True
)
app.add_typer(import_app, name="import")

F = TypeVar("F", bound=Callable[..., Any])
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
ProjectArg = Annotated[Path, typer.Argument(help="Project directory (holds heatplan.toml).")]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", help="Column mapping file (TOML or JSON).")
]


def user_errors(func: F) -> F:
    """Turn heatplan's user-facing errors into a message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HeatplanError as exc:
            if kwargs.get("json_out"):
                emit_json({"error": str(exc)})
            err.print(f"[bold red]error:[/bold red] {exc}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
) -> None:
    if version:
        out.print(f"heatplan {__version__}")
        raise typer.Exit(0)


@app.command()
@user_errors
def init(
    project_dir: ProjectArg,
    name: Annotated[str, typer.Option(help="Municipality name.")] = "",
    key: Annotated[str, typer.Option(help="Amtlicher Gemeindeschlüssel (8 digits).")] = "",
    crs: Annotated[str, typer.Option(help="Working CRS.")] = "EPSG:25832",
    json_out: JsonOpt = False,
) -> None:
    """Create a project: heatplan.toml and the embedded store plan.gpkg."""
    from heatplan.project.create import create_project

    config = create_project(project_dir, name=name or project_dir.resolve().name, key=key, crs=crs)
    result = {
        "project": str(project_dir),
        "config": config.model_dump(mode="json"),
        "store": config.store_url(project_dir),
    }
    if json_out:
        emit_json(result)
    else:
        out.print(f"Created project [bold]{config.municipality.name}[/bold] in {project_dir}")
        out.print(f"  settings: {project_dir / 'heatplan.toml'}\n  store:    {result['store']}")


def _report_import(result: Any, json_out: bool) -> None:
    data = result.to_dict()
    if json_out:
        emit_json(data)
    else:
        out.print(f"{data['file']}: imported {data['imported']} into [bold]{data['layer']}[/bold]")
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
    from heatplan.io.imports import import_buildings

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
    json_out: JsonOpt = False,
) -> None:
    """Import metered gas/heat/oil/electricity per building or address and year."""
    from heatplan.io.imports import import_consumption

    _report_import(
        import_consumption(project_dir, file, mapping=mapping, unit=unit, sheet=sheet), json_out
    )


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
    from heatplan.io.imports import import_heaters

    _report_import(import_heaters(project_dir, file, mapping=mapping, sheet=sheet), json_out)


def _line_command(kind: Literal["streets", "heat_network", "gas_network"], doc: str) -> None:
    @user_errors
    def command(
        project_dir: ProjectArg,
        file: Annotated[Path, typer.Argument(help="Line file (GeoPackage, GeoJSON, ..., OSM).")],
        mapping: MappingOpt = None,
        layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
        crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
        json_out: JsonOpt = False,
    ) -> None:
        from heatplan.io.imports import import_lines

        _report_import(
            import_lines(project_dir, file, kind=kind, mapping=mapping, layer=layer, crs=crs),
            json_out,
        )

    command.__doc__ = doc
    import_app.command(kind.replace("_", "-"))(command)


def _polygon_command(kind: Literal["blocks", "areas"], doc: str) -> None:
    @user_errors
    def command(
        project_dir: ProjectArg,
        file: Annotated[Path, typer.Argument(help="Polygon file.")],
        mapping: MappingOpt = None,
        layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
        crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none.")] = None,
        json_out: JsonOpt = False,
    ) -> None:
        from heatplan.io.imports import import_polygons

        _report_import(
            import_polygons(project_dir, file, kind=kind, mapping=mapping, layer=layer, crs=crs),
            json_out,
        )

    command.__doc__ = doc
    import_app.command(kind)(command)


_line_command("streets", "Import the street network (lines; OSM highways from .osm/.pbf).")
_line_command("heat_network", "Import existing heat-network lines.")
_line_command("gas_network", "Import existing gas-network lines.")
_polygon_command("blocks", "Import pre-drawn building blocks (used instead of derived ones).")
_polygon_command("areas", "Import the town's own pre-drawn areas.")


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


@app.command()
@user_errors
def inventory(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """Bestandsanalyse: demand, carriers, CO2e per building; blocks, segments, grid, totals."""
    from heatplan.steps.inventory import run_inventory

    with progress(not json_out) as say:
        result = run_inventory(project_dir, progress=say).to_dict()
    if json_out:
        emit_json(result)
    else:
        print_inventory(result)


def print_inventory(result: dict[str, Any]) -> None:
    table = Table(title="Inventory (Bestandsanalyse)", show_header=False)
    table.add_row("buildings", f"{result['buildings']:,}")
    for method, count in result["buildings_by_method"].items():
        table.add_row(f"  demand {method}", f"{count:,}")
    table.add_row("heat demand", fmt_energy(result["heat_demand_kwh_per_a"]))
    for carrier, kwh in result["final_energy_kwh_per_a"].items():
        table.add_row(f"  final energy {carrier}", fmt_energy(kwh))
    unknown = result["buildings_without_carrier"]
    note = f" (carrier unknown for {unknown:,} buildings)" if unknown else ""
    table.add_row("CO2e", f"{result['co2_t_per_a']:,.0f} t/a{note}")
    unmatched = sum(result.get("unmatched_rows", {}).values())
    if unmatched:
        table.add_row("input rows matching no building", f"{unmatched:,} (consumption, heaters)")
    table.add_row("blocks", f"{result['blocks']:,} ({result['blocks_source']})")
    table.add_row(
        "street segments", f"{result['street_segments']:,} ({result['street_length_km']:.1f} km)"
    )
    table.add_row("100 m grid cells", f"{result['grid_cells']:,}")
    table.add_row("weather (DWD TRY 2010 region)", str(result["weather_region"]))
    out.print(table)
    out.print(f"layers {', '.join(result['layers'])} in {result['store']}")


@app.command()
@user_errors
def rejections(
    project_dir: ProjectArg,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 30,
    json_out: JsonOpt = False,
) -> None:
    """Show the rows that imports rejected (file, row, field, reason)."""
    from heatplan.steps.status import read_rejections

    table = read_rejections(project_dir)
    if json_out:
        emit_json({"rejected": len(table), "rows": table.to_dict(orient="records")})
        return
    out.print(f"{len(table)} rejected rows")
    view = Table(*[str(c) for c in table.columns])
    for row in table.head(limit).itertuples(index=False):
        view.add_row(*[str(v) for v in row])
    out.print(view)


@app.command()
@user_errors
def info(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """What the project holds: settings, layers with row counts, steps run."""
    from heatplan.steps.status import project_info

    result = project_info(project_dir)
    if json_out:
        emit_json(result)
        return
    out.print(f"[bold]{result['municipality']}[/bold] — {result['store']}")
    for name, rows in result["layers"].items():
        out.print(f"  {name:<20} {rows:>8,} rows")


@app.command()
@user_errors
def profiles(
    project_dir: ProjectArg,
    out_file: Annotated[Path, typer.Option("--out", help="Output .csv or .parquet.")],
    building: Annotated[list[str] | None, typer.Option(help="Building id (repeatable).")] = None,
    block: Annotated[str | None, typer.Option(help="All buildings of a block.")] = None,
    segment: Annotated[str | None, typer.Option(help="All buildings of a street segment.")] = None,
    total: Annotated[bool, typer.Option(help="Write only the summed profile.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Hourly heat profiles (BDEW/SigLinDe via demandlib) for a set of buildings."""
    from heatplan.steps.profiles import write_profiles

    result = write_profiles(
        project_dir, out_file, buildings=building, block=block, segment=segment, total=total
    )
    if json_out:
        emit_json(result)
    else:
        out.print(
            f"{result['buildings']} buildings, peak {result['peak_load_kw']:,.0f} kW, "
            f"{fmt_energy(result['heat_demand_kwh_per_a'])} -> {out_file}"
        )


@app.command()
@user_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo project.")] = Path(
        "demo-out"
    ),
    case: Annotated[str, typer.Option(help="schutterwald or melaten.")] = "schutterwald",
    force: Annotated[bool, typer.Option(help="Rebuild an existing demo project.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Build the plan for a real municipality from data that ships with registry packages."""
    from heatplan.demo.run import run_demo

    if case not in ("schutterwald", "melaten"):
        raise HeatplanError(f"unknown case {case!r}: choose schutterwald or melaten")
    with progress(not json_out) as say:
        result = run_demo(out_dir, case=case, force=force, progress=say)  # type: ignore[arg-type]
    if json_out:
        emit_json(result)
        return
    out.print(f"[bold]heatplan demo — {case}[/bold]")
    print_inventory(result["steps"]["inventory"])
    imports = result["steps"]["import"]
    rejected = sum(step["rejected"] for step in imports.values() if isinstance(step, dict))
    if rejected:
        out.print(f"{rejected:,} input rows rejected — `heatplan rejections {out_dir}` says why")
    out.print(f"Project: {out_dir}  (open {out_dir / 'plan.gpkg'} in QGIS)")
