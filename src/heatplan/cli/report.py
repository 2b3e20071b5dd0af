"""``heatplan report``: the plan report or a yearly implementation report (HTML, PDF)."""

from __future__ import annotations

from typing import Annotated

import typer

from heatplan.cli.app import JsonOpt, ProjectArg, app, input_errors
from heatplan.console import emit_json, out


@app.command()
@input_errors
def report(
    project_dir: ProjectArg,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Implementation report of this year (status at 31 Dec)."),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the PDF (WeasyPrint).")] = False,
    internal: Annotated[
        bool,
        typer.Option(
            "--internal",
            help="Planners' edition: also non-public measures and who is responsible "
            "(still nothing per building).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Write the plan report (or with --year the implementation report) under DIR/report/."""
    from heatplan.steps.report import run_report

    result = run_report(project_dir, year=year, pdf=pdf, public=not internal).to_dict()
    if json_out:
        emit_json(result)
        return
    out.print(f"{result['edition']} report: {result['html']}")
    if result["pdf"]:
        out.print(f"PDF ({result['pages']} pages): {result['pdf']}")
