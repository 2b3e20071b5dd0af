"""The pipeline commands: init, inventory, profiles, info, rejections, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from heatplan.cli.app import JsonOpt, ProjectArg, app, user_errors
from heatplan.cli.show import print_inventory, print_outputs, print_potentials, print_steps
from heatplan.console import emit_json, fmt_energy, out, progress
from heatplan.errors import HeatplanError


@app.command()
@user_errors
def init(
    project_dir: ProjectArg,
    name: Annotated[str, typer.Option(help="Municipality name.")] = "",
    key: Annotated[str, typer.Option(help="Amtlicher Gemeindeschlüssel (8 digits).")] = "",
    crs: Annotated[str, typer.Option(help="Working CRS.")] = "EPSG:25832",
    store: Annotated[
        str,
        typer.Option(
            help="Project store: a GeoPackage file in the project, or a PostgreSQL/PostGIS URL "
            "postgresql://USER@HOST:PORT/DB[?schema=NAME] (password via PGPASSWORD/.pgpass)."
        ),
    ] = "plan.gpkg",
    json_out: JsonOpt = False,
) -> None:
    """Create a project: heatplan.toml and its store (plan.gpkg, or PostgreSQL with --store)."""
    from heatplan.project.create import create_project
    from heatplan.project.store import open_store

    config = create_project(
        project_dir, name=name or project_dir.resolve().name, key=key, crs=crs, store=store
    )
    result = {
        "project": str(project_dir),
        "config": config.model_dump(mode="json"),
        "store": open_store(config.store_url(project_dir)).location,  # never the password
    }
    if json_out:
        emit_json(result)
    else:
        out.print(f"Created project [bold]{config.municipality.name}[/bold] in {project_dir}")
        out.print(f"  settings: {project_dir / 'heatplan.toml'}\n  store:    {result['store']}")


@app.command()
@user_errors
def inventory(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """Bestandsanalyse: demand, carriers, CO2e per building; blocks, segments, grid, totals."""
    from heatplan.steps.core import run_inventory

    with progress(not json_out) as say:
        result = run_inventory(project_dir, progress=say).to_dict()
    if json_out:
        emit_json(result)
    else:
        print_inventory(result)


@app.command()
@user_errors
def potentials(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """Potenzialanalyse: roofs, decentral heat pumps, sewage plants, sewers, waste heat, biomass."""
    from heatplan.steps.core import run_potentials

    with progress(not json_out) as say:
        result = run_potentials(project_dir, progress=say).to_dict()
    if json_out:
        emit_json(result)
    else:
        print_potentials(result)


@app.command()
@user_errors
def rejections(
    project_dir: ProjectArg,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 30,
    all_runs: Annotated[
        bool, typer.Option("--all", help="Rejections of every import, not only the last.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Show the rows the last import rejected (file, row, field, reason); --all: every import."""
    from heatplan.steps.status import last_import_run, read_rejections

    table = read_rejections(project_dir, all_runs=all_runs)
    last = None if all_runs else last_import_run(project_dir)
    if json_out:
        run = None if last is None else {k: str(v) for k, v in last.items()}
        doc = {"rejected": len(table), "last_run": run, "rows": table.to_dict(orient="records")}
        emit_json(doc)
        return
    which = "of every import" if all_runs else "of the last import"
    if last is not None:
        which += f" (run {last['run_id']}: {last['file']} into {last['target']})"
    out.print(
        f"{len(table)} rejected rows {which}" + ("" if all_runs else "; --all for every import")
    )
    view = Table(*[str(c) for c in table.columns])
    for row in table.head(limit).itertuples(index=False):
        view.add_row(*[str(v) for v in row])
    out.print(view)


@app.command()
@user_errors
def info(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """What the project holds: settings, layers with row counts, steps run."""
    from heatplan.steps.status import project_info, release_line

    result = project_info(project_dir)
    if json_out:
        emit_json(result)
        return
    out.print(f"[bold]{result['municipality']}[/bold] — {result['store']}")
    for name, rows in result["layers"].items():
        out.print(f"  {name:<20} {rows:>8,} rows")
    out.print(release_line(result["release"]))


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


def _print_plan(steps: dict[str, Any]) -> None:
    """The plan steps of the demo, as far as they ran."""
    from heatplan.cli.network import print_design

    print_steps({k: v for k, v in steps.items() if k in ("classify", "scenario")})
    if "network" in steps:
        print_design(steps["network"])
    if "stopped" in steps:
        out.print(f"[yellow]{steps['stopped']['step']}: {steps['stopped']['reason']}[/yellow]")
    if "measures" in steps:
        m = steps["measures"]
        out.print(
            f"measures: {m['measures']} (sample catalogue), {m['steps']} steps, "
            f"{m['progress']} progress entries — `heatplan measures list`"
        )
    print_outputs(steps)


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
    print_potentials(result["steps"]["potentials"])
    _print_plan(result["steps"])
    imports = result["steps"]["import"]
    rejected = sum(step["rejected"] for step in imports.values() if isinstance(step, dict))
    if rejected:
        out.print(
            f"{rejected:,} input rows rejected — `heatplan rejections {out_dir} --all` says why"
        )
    out.print(f"Project: {out_dir}  (open {out_dir / 'plan.gpkg'} in QGIS)")
    out.print(f"Web map: heatplan serve {out_dir}  (then open http://127.0.0.1:8000/)")
