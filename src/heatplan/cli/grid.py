"""The low-voltage grid under the heat pumps: ``heatplan import lv-grid``, ``heatplan grid
check``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from heatplan.cli.app import (
    JsonOpt,
    MappingOpt,
    ProjectArg,
    app,
    import_app,
    input_errors,
    user_errors,
)
from heatplan.console import emit_json, out, progress

grid_app = typer.Typer(
    help="The low-voltage grid: can it take the heat pumps (and cars)?", no_args_is_help=True
)
app.add_typer(grid_app, name="grid")


@import_app.command("lv-grid")
@user_errors
def import_lv_grid_cmd(
    project_dir: ProjectArg,
    file: Annotated[
        Path,
        typer.Argument(
            help="pandapower JSON net with bus coordinates, or the cables (GeoPackage with the "
            "layers lines, trafos, connections; Shapefile ...)."
        ),
    ],
    mapping: MappingOpt = None,
    trafos: Annotated[
        Path | None, typer.Option(help="Transformer points, when not a layer of FILE.")
    ] = None,
    connections: Annotated[
        Path | None, typer.Option(help="House-connection points, when not a layer of FILE.")
    ] = None,
    crs: Annotated[
        str | None, typer.Option(help="CRS of GIS files that declare none (EPSG:25832).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import the town's low-voltage grid (buses, cables, transformers, loads) as layers."""
    from heatplan.inputs.lv_grid import import_lv_grid

    data = import_lv_grid(
        project_dir, file, mapping=mapping, trafos=trafos, connections=connections, crs=crs
    )
    if json_out:
        emit_json(data)
        return
    out.print(
        f"{data['file']}: {data['lv_buses']} buses, {data['lv_lines']} cables, "
        f"{data['lv_trafos']} transformers, {data['lv_loads']} loads stored",
        soft_wrap=True,
    )


@grid_app.command("check")
@input_errors
def check(
    project_dir: ProjectArg,
    year: Annotated[
        int | None,
        typer.Option(help="Plan year whose heat-pump share is checked (default: target year)."),
    ] = None,
    hp_share: Annotated[
        float | None,
        typer.Option(help="Heat-pump share of buildings, 0-1 (instead of the plan year's)."),
    ] = None,
    ev_share: Annotated[
        float, typer.Option(help="Electric cars per household, 0-1 (charged in the evening).")
    ] = 0.0,
    controlled: Annotated[
        bool,
        typer.Option(
            "--controlled",
            help="§ 14a EnWG: every heat pump capped at the 4.2 kW the grid operator must leave.",
        ),
    ] = False,
    shift: Annotated[
        bool,
        typer.Option(
            "--shift",
            help="§ 14a EnWG control that shifts the heat held back above 4.2 kW into later "
            "hours (building mass/store, grid_parameters.csv) instead of cutting it; the "
            "output also shows the cut case.",
        ),
    ] = False,
    all_years: Annotated[
        bool,
        typer.Option(
            "--all-years",
            help="Check every snapshot year of the scenario (2030 ... 2045) in one call.",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Hourly power flow over the year: voltage, loading, hosting share and reinforcement
    cost per transformer area and supply area."""
    from heatplan.steps.grid import check_grid, check_grid_years

    if all_years and (year is not None or hp_share is not None):
        raise typer.BadParameter("--all-years checks the scenario's years: drop --year/--hp-share")
    with progress(not json_out) as say:
        say("LV power flow over every hour")
        if all_years:
            by_year = check_grid_years(
                project_dir, ev_share=ev_share, controlled=controlled, shift=shift
            )
        else:
            result = check_grid(
                project_dir, year=year, hp_share=hp_share, ev_share=ev_share,
                controlled=controlled, shift=shift,
            )  # fmt: skip
    if all_years:
        summaries = {str(y): r.summary() for y, r in by_year.items()}
        if json_out:
            emit_json({"years": summaries})
            return
        for year_text, summary in summaries.items():
            out.print(f"[bold]{year_text}[/bold]")
            print_check(summary)
        return
    if json_out:
        emit_json(result.summary())
    else:
        print_check(result.summary())


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def print_check(summary: dict[str, Any]) -> None:
    """Two tables: transformer areas and supply areas."""
    out.print(
        f"heat pumps in {_pct(summary['hp_share'])} of buildings, cars in "
        f"{_pct(summary['ev_share'])} of households; {summary['buildings_on_grid']} buildings on "
        f"the grid, {summary['buildings_off_grid']} off it; {summary['hours']} hours in "
        f"{summary['flow_seconds']:.1f} s",
        soft_wrap=True,
    )
    if summary["control_14a"] == "cut":
        out.print(
            f"§ 14a EnWG control: heat pumps capped, {_pct(summary['capped_share'])} of their "
            "electricity cut off in the capped hours (not shifted)",
            soft_wrap=True,
        )
    if summary["control_14a"] == "shift":
        out.print(
            "§ 14a EnWG control, shifting: the heat held back above the cap comes later; lost "
            f"{summary['shift_lost_share'] * 100:.2f} % of the heat pumps' electricity (cutting "
            f"would lose {summary['capped_share'] * 100:.2f} %)",
            soft_wrap=True,
        )
        print_cut_vs_shift(summary)
    for key, title in (("trafo_areas", "transformer area"), ("supply_areas", "supply area")):
        table = Table(title=title)
        for name in (
            "id",
            "min U [pu]",
            "max line [%]",
            "max trafo [%]",
            "hosting",
            "first limit",
            "cost [EUR]",
        ):
            table.add_column(name)
        for row in summary[key]:
            table.add_row(
                str(row.get("trafo_id", row.get("area_id"))),
                f"{row['vm_min_pu_plan']:.3f}",
                f"{row['line_max_percent_plan']:.0f}",
                f"{row['trafo_max_percent_plan']:.0f}",
                _pct(row["hosting_share"]),
                row["first_where"] or "none",
                f"{row['reinforcement_eur']:,.0f}",
            )
        out.print(table)


def print_cut_vs_shift(summary: dict[str, Any]) -> None:
    """Per transformer area the plan state with § 14a shifting next to cutting."""
    table = Table(title="§ 14a EnWG: cut vs shift (transformer areas)")
    for name in ("id", "min U cut/shift [pu]", "max line cut/shift [%]", "max trafo cut/shift [%]"):
        table.add_column(name)
    for row in summary["trafo_areas"]:
        table.add_row(
            str(row["trafo_id"]),
            f"{row['vm_min_pu_plan_cut']:.3f} / {row['vm_min_pu_plan']:.3f}",
            f"{row['line_max_percent_plan_cut']:.0f} / {row['line_max_percent_plan']:.0f}",
            f"{row['trafo_max_percent_plan_cut']:.0f} / {row['trafo_max_percent_plan']:.0f}",
        )
    out.print(table)
