"""The plan itself: supply areas, their classification, the target scenario, exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatplan.cli.app import JsonOpt, ProjectArg, app, input_errors
from heatplan.cli.show import print_classification, print_outputs, print_scenario, print_steps
from heatplan.console import emit_json, fmt_energy, out, progress


@app.command()
@input_errors
def areas(
    project_dir: ProjectArg,
    target_count: Annotated[
        int | None, typer.Option(help="Number of supply areas to build.", min=1)
    ] = None,
    max_area_ha: Annotated[
        float | None, typer.Option(help="Largest area [ha] (default from area_parameters.csv).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Supply areas: the town's own (import areas) or merged from blocks; indicators; § 14."""
    from heatplan.steps.core import run_areas

    with progress(not json_out) as say:
        result = run_areas(
            project_dir, target_count=target_count, max_area_ha=max_area_ha, progress=say
        ).to_dict()
    if json_out:
        emit_json(result)
        return
    out.print(
        f"{result['areas']} supply areas ({result['source']}) from {result['blocks']} blocks: "
        f"{result['buildings']:,} buildings, {fmt_energy(result['heat_demand_mwh_per_a'] * 1000)}"
        f"; {result['shortened_procedure']} in the shortened procedure (WPG § 14)"
    )
    for message in result["messages"]:
        out.print(f"• {message}")


@app.command()
@input_errors
def classify(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """WPG area types and likelihoods for 2030/2035/2040 and the target year, with reasons."""
    from heatplan.steps.core import run_classify

    with progress(not json_out) as say:
        result = run_classify(project_dir, progress=say).to_dict()
    if json_out:
        emit_json(result)
    else:
        print_classification(result)


@app.command()
@input_errors
def scenario(
    project_dir: ProjectArg,
    variant: Annotated[
        list[str] | None,
        typer.Option(help="Variant (base, fast_renovation, hydrogen); repeat; default all."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Target scenario: yearly pathway to the target year and the Anlage-2 indicators."""
    from heatplan.steps.core import run_scenario

    with progress(not json_out) as say:
        result = run_scenario(project_dir, variants=variant, progress=say).to_dict()
    if json_out:
        emit_json(result)
    else:
        print_scenario(result)


@app.command()
@input_errors
def export(
    project_dir: ProjectArg,
    fmt: Annotated[
        str, typer.Option("--format", help="xwaermeplan (GML, XWärmeplan 0.9), xlsx or gpkg.")
    ] = "xwaermeplan",
    out_path: Annotated[
        Path | None, typer.Option("--out", help="File to write (default DIR/export/).")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language", help="de or en: language of the XLSX (default: [plan] language)."
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Export the plan's public edition (no building-level data; aggregates >= 5 buildings)."""
    from heatplan.steps.export import run_export

    result = run_export(project_dir, fmt, out_path, language=language)  # type: ignore[arg-type]
    if json_out:
        emit_json(result)
    else:
        out.print(f"{fmt}: wrote {result['path']}")
        for note in result.get("notes", []):
            out.print(f"• {note}")


@app.command("run")
@input_errors
def run_all(
    project_dir: ProjectArg,
    everything: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Then the report (HTML, PDF) and the three exports, in this one process "
            "(the exports on a second CPU).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Every step in order: inventory, potentials, areas, classify, scenario (--all: then the
    report and the exports)."""
    from heatplan.steps.plan import run_everything, run_plan

    # --all: no display thread, which would keep the disclosure audit in one process
    with progress(not json_out, animated=not everything) as say:
        run = run_everything if everything else run_plan
        steps = run(project_dir, progress=say)
    if json_out:
        emit_json(steps)
        return
    print_steps(steps)
    print_outputs(steps)
