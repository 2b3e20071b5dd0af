"""Measures catalogue and plan versions: ``heatplan measures ...`` and ``heatplan version ...``."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from heatplan.cli.app import HELP_MARKUP, JsonOpt, ProjectArg, app, user_errors
from heatplan.console import emit_json, err, out
from heatplan.errors import HeatplanError

measures_app = typer.Typer(
    help="Measures of the implementation strategy (WPG § 20): catalogue, progress, XLSX.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(measures_app, name="measures")
version_app = typer.Typer(
    help="Plan versions: freeze the adopted plan, compare versions for the update.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(version_app, name="version")

MeasureArg = Annotated[str, typer.Argument(help="Measure number, e.g. M01.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="FIELD=VALUE, repeatable (e.g. --set cost_eur=120000 --set area_ids='A01;A02'). "
        "Fields: see `heatplan measures fields`.",
    ),
]
AuthorOpt = Annotated[str | None, typer.Option(help="Who makes the change (default: login).")]
StepsOpt = Annotated[
    Path | None, typer.Option(help="JSON file with the steps: [{title, due_date, done_date}].")
]


def _author(given: str | None) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _pairs(items: list[str] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise HeatplanError(f"--set {item!r}: write FIELD=VALUE")
        fields[name.strip()] = value
    return fields


def _steps(path: Path | None) -> list[dict[str, Any]] | None:
    if path is None:
        return None
    try:
        steps = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise HeatplanError(f"{path}: not a readable JSON list of steps ({exc})") from None
    if not isinstance(steps, list):
        raise HeatplanError(f"{path}: expected a JSON list of steps")
    return steps


def _print_measure(measure: dict[str, Any]) -> None:
    table = Table(title=f"{measure['measure_id']} {measure['title']}", show_header=False)
    for key, value in measure.items():
        if key in ("steps", "progress", "latest_progress"):
            continue
        table.add_row(key, ";".join(value) if isinstance(value, list) else str(value))
    out.print(table)
    for step in measure.get("steps", []):
        done = f" (done {step['done_date']})" if step.get("done_date") else ""
        out.print(f"  {step['step_no']}. {step['title']} — due {step['due_date']}{done}")


@measures_app.command("add")
@user_errors
def add(
    project_dir: ProjectArg,
    title: Annotated[str, typer.Option(help="Short title.")],
    measure_type: Annotated[
        str, typer.Option("--type", help="Type code or German label (data/measure_types.csv).")
    ] = "other",
    measure_id: Annotated[
        str | None, typer.Option("--id", help="Number (default: next Mnn).")
    ] = None,
    fields: SetOpt = None,
    steps: StepsOpt = None,
    author: AuthorOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a measure to the catalogue (revision 1)."""
    from heatplan.steps.measures import add_measure

    data = {"title": title, "measure_type": measure_type, **_pairs(fields)}
    if measure_id:
        data["measure_id"] = measure_id
    if (given := _steps(steps)) is not None:
        data["steps"] = given
    result = add_measure(project_dir, data, author=_author(author))
    if json_out:
        emit_json(result)
    else:
        out.print(f"added {result['measure_id']} (revision {result['revision']})")


@measures_app.command("update")
@user_errors
def update(
    project_dir: ProjectArg,
    measure_id: MeasureArg,
    fields: SetOpt = None,
    steps: StepsOpt = None,
    revision: Annotated[
        int | None,
        typer.Option(help="The revision you edited; a newer stored one is a conflict."),
    ] = None,
    author: AuthorOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Change fields of a measure (optimistic locking: --revision N)."""
    from heatplan.steps.measures import get_measure, update_measure

    changes = _pairs(fields)
    if (given := _steps(steps)) is not None:
        changes["steps"] = given
    if not changes:
        raise HeatplanError("nothing to change: give --set FIELD=VALUE or --steps FILE")
    note = None
    if revision is None:
        revision = int(get_measure(project_dir, measure_id)["revision"])
        note = f"no --revision given: updating the current revision {revision}"
        err.print(f"[yellow]note:[/yellow] {escape(note)}", soft_wrap=True)
    result = update_measure(
        project_dir, measure_id, changes, expected_revision=revision, author=_author(author)
    )
    if json_out:
        emit_json({**result, "notes": [note] if note else []})
    else:
        out.print(f"updated {measure_id}: revision {result['revision']}")


def _number(option: str, text: str | None) -> float | None:
    """A number option read by :mod:`heatplan.formats`: ``3,5`` and ``3.5``; ``1.500`` (a
    thousands or a decimal point?) is refused, never guessed."""
    from heatplan.formats import FormatProblem, parse_decimal

    if text is None or not text.strip():
        return None
    try:
        return parse_decimal(text, None)
    except FormatProblem as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


@measures_app.command("progress")
@user_errors
def progress_cmd(
    project_dir: ProjectArg,
    measure_id: MeasureArg,
    entry_date: Annotated[
        str | None,
        typer.Option("--date", help="Date reported on, DD.MM.YYYY or YYYY-MM-DD (default today)."),
    ] = None,
    status: Annotated[str | None, typer.Option(help="Status at that date.")] = None,
    network_km: Annotated[
        str | None, typer.Option(help="Network built so far [km] (3,5 or 3.5).")
    ] = None,
    buildings_connected: Annotated[
        str | None, typer.Option(help="Buildings connected so far.")
    ] = None,
    heat_mwh_per_a: Annotated[str | None, typer.Option(help="Heat [MWh/a].")] = None,
    co2_t_per_a: Annotated[str | None, typer.Option(help="GHG reduction [t CO2e/a].")] = None,
    comment: Annotated[str, typer.Option(help="Free text.")] = "",
    author: AuthorOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Append a progress entry (earlier entries are never changed)."""
    from heatplan.steps.measures import add_progress

    given = {
        "entry_date": entry_date,
        "status": status,
        "network_km": _number("--network-km", network_km),
        "buildings_connected": _number("--buildings-connected", buildings_connected),
        "heat_mwh_per_a": _number("--heat-mwh-per-a", heat_mwh_per_a),
        "co2_t_per_a": _number("--co2-t-per-a", co2_t_per_a),
        "comment": comment,
    }
    entry = {k: v for k, v in given.items() if v not in (None, "")}
    result = add_progress(project_dir, measure_id, entry, author=_author(author))
    if json_out:
        emit_json(result)
    else:
        out.print(f"progress entry {result['entry_id']} for {measure_id} ({result['entry_date']})")


@measures_app.command("list")
@user_errors
def list_cmd(
    project_dir: ProjectArg,
    public: Annotated[bool, typer.Option(help="Only public measures, no staff names.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """The catalogue: one line per measure with status and latest progress."""
    from heatplan.steps.measures import list_measures

    items = list_measures(project_dir, public=public)
    if json_out:
        emit_json({"measures": items})
        return
    table = Table(title=f"{len(items)} measures")
    for column in ("Nr.", "title", "type", "status", "completion", "cost EUR", "latest", "rev"):
        table.add_column(column, no_wrap=column != "title")
    for m in items:
        latest = m["latest_progress"]
        table.add_row(
            m["measure_id"],
            m["title"],
            m["measure_type"],
            m["status"],
            str(m["completion_date"] or ""),
            f"{m['cost_eur']:,.0f}" if m["cost_eur"] is not None else "",
            str(latest["entry_date"]) if latest else "",
            str(m["revision"]),
        )
    out.print(table)


@measures_app.command("show")
@user_errors
def show(project_dir: ProjectArg, measure_id: MeasureArg, json_out: JsonOpt = False) -> None:
    """One measure with its steps and full progress history."""
    from heatplan.steps.measures import get_measure

    result = get_measure(project_dir, measure_id)
    if json_out:
        emit_json(result)
        return
    _print_measure(result)
    for entry in result["progress"]:
        out.print(
            f"  [{entry['entry_id']}] {entry['entry_date']} {entry['author']}: "
            f"{entry['status'] or ''} {entry['comment']}"
        )


@measures_app.command("import")
@user_errors
def import_cmd(
    project_dir: ProjectArg,
    xlsx: Annotated[Path, typer.Argument(help="Catalogue workbook (.xlsx).")],
    author: AuthorOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a catalogue workbook: every row or none (bad rows named with sheet and row)."""
    from heatplan.steps.measures import import_catalogue

    result = import_catalogue(project_dir, xlsx, author=_author(author))
    if json_out:
        emit_json(result)
        return
    out.print(
        f"{result['measures_added']} measures added, {result['measures_updated']} updated, "
        f"{result['measures_unchanged']} unchanged; {result['progress_appended']} progress "
        "entries appended"
    )
    for note in result["notes"]:
        out.print(f"[dim]• {note}[/dim]")


@measures_app.command("export")
@user_errors
def export_cmd(
    project_dir: ProjectArg,
    xlsx: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx).")],
    public: Annotated[bool, typer.Option(help="Only public measures, no staff names.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Export the catalogue (Maßnahmen, Schritte, Fortschritt) for Excel."""
    from heatplan.steps.measures import export_catalogue

    result = export_catalogue(project_dir, xlsx, public=public)
    if json_out:
        emit_json(result)
    else:
        out.print(f"{result['measures']} measures -> {result['path']}")


@measures_app.command("kpis")
@user_errors
def kpis(
    project_dir: ProjectArg,
    year: Annotated[int, typer.Option(help="Report year.")],
    variant: Annotated[str | None, typer.Option(help="Scenario variant (default first).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Implementation KPIs: computed from the project, reported, planned, scenario pathway."""
    from heatplan.steps.measures import computed_kpis

    result = computed_kpis(project_dir, year, variant=variant)
    if json_out:
        emit_json(result)
        return
    table = Table(title=f"KPIs {year} (pathway: {result['variant']})")
    columns = ("computed", "reported", "planned_by_measures", "pathway", "gap_to_pathway")
    for column in ("KPI", "unit", "computed", "reported", "planned", "pathway", "gap"):
        table.add_column(column)
    for row in result["kpis"].values():
        cells = [f"{row[c]:,.1f}" if row[c] is not None else "–" for c in columns]
        table.add_row(row["label_de"], row["unit"], *cells)
    out.print(table)
    designed = result["kpis"]["network_km"].get("designed")
    if designed is not None:
        out.print(f"designed networks (heatplan network design, not built): {designed:,.1f} km")
    for note in result["notes"]:
        out.print(f"[dim]• {note}[/dim]")


@measures_app.command("fields")
@user_errors
def fields_cmd(json_out: JsonOpt = False) -> None:
    """The fields of a measure, with units, and the measure types."""
    from heatplan.measures.schema import MEASURE_FIELDS, measure_types

    rows = [
        {"field": f.name, "header_de": f.header, "type": f.dtype, "description": f.description}
        for f in MEASURE_FIELDS
    ]
    types = measure_types()["label_de"].to_dict()
    if json_out:
        emit_json({"fields": rows, "measure_types": types})
        return
    for row in rows:
        out.print(f"{row['field']:<28} {row['header_de']:<28} {row['description']}")
    out.print("types: " + ", ".join(f"{k} ({v})" for k, v in types.items()))


# --- versions ------------------------------------------------------------------------------
@version_app.command("freeze")
@user_errors
def freeze_cmd(
    project_dir: ProjectArg,
    label: Annotated[str, typer.Option(help="Unique label, e.g. 2025-adopted.")],
    note: Annotated[str, typer.Option(help="What this version is.")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Store an immutable snapshot of areas, indicators and measures."""
    from heatplan.steps.versions import freeze

    result = freeze(project_dir, label, note)
    if json_out:
        emit_json(result)
    else:
        out.print(
            f"froze {label}: {result['areas']} areas, {result['indicators']} indicator rows, "
            f"{result['measures']} measures"
        )


@version_app.command("list")
@user_errors
def list_versions_cmd(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """The frozen plan versions."""
    from heatplan.steps.versions import list_versions

    result = list_versions(project_dir)
    if json_out:
        emit_json({"versions": result})
        return
    table = Table(title="Plan versions")
    for column in ("label", "frozen (UTC)", "areas", "indicators", "measures", "note"):
        table.add_column(column)
    for v in result:
        row = (v["label"], v["frozen_utc"], v["areas"], v["indicators"], v["measures"], v["note"])
        table.add_row(*[str(x) for x in row])
    out.print(table)


@version_app.command("diff")
@user_errors
def diff_cmd(
    project_dir: ProjectArg,
    a: Annotated[str, typer.Argument(help="Older version label.")],
    b: Annotated[str, typer.Argument(help="Newer version label, or 'current'.")] = "current",
    json_out: JsonOpt = False,
) -> None:
    """What changed between two versions: area types and likelihoods, indicators, measures."""
    from heatplan.steps.versions import diff

    result = diff(project_dir, a, b)
    if json_out:
        emit_json(result)
        return
    _print_diff(result)


def _print_diff(result: dict[str, Any]) -> None:
    out.print(f"[bold]{result['a']} -> {result['b']}[/bold]: {result['summary']}")
    for change in result["areas"]["changed"][:50]:
        out.print(
            f"  area {change['area_id']} {change['field']}: {change['from']} -> {change['to']}"
        )
    for kind in ("added", "removed"):
        if result["areas"][kind]:
            out.print(f"  areas {kind}: {', '.join(result['areas'][kind])}")
    for row in result["indicators"][:30]:
        out.print(
            f"  {row['variant']} {row['year']} {row['indicator']}/{row['key']}: "
            f"{row['a']} -> {row['b']} ({row['unit']})"
        )
    for kind in ("added", "dropped"):
        for m in result["measures"][kind]:
            out.print(f"  measure {kind}: {m['measure_id']} {m['title']}")
    for m in result["measures"]["changed"]:
        out.print(f"  measure changed: {m['measure_id']} ({', '.join(m['fields'])})")
