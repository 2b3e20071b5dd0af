"""The plan itself: supply areas, their classification, the target scenario, exports."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from heatplan.cli.app import JsonOpt, ProjectArg, app, input_errors
from heatplan.console import emit_json, out, progress


@app.command()
@input_errors
def classify(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """WPG area types and likelihoods for 2030/2035/2040 and the target year, with reasons."""
    from heatplan.steps.classify import run_classify

    with progress(not json_out) as say:
        result = run_classify(project_dir, progress=say)
    if json_out:
        emit_json(result)
    else:
        print_classification(result)


def print_classification(result: dict[str, Any]) -> None:
    target = result["target_year"]
    table = Table(title=f"Supply areas, target year {target}")
    for column in ("area", "type", "likelihood", "reason"):
        table.add_column(column, overflow="fold")
    for area in result["areas_detail"]:
        table.add_row(
            area["area_id"],
            area["area_type"],
            area["likelihood"].replace("_", " "),
            area["explanation"],
        )
    out.print(table)
