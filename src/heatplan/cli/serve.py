"""``heatplan serve`` (the digital map), ``heatplan users`` (planner accounts) and
``heatplan comments`` (the comments on the draft plan, WPG § 13)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from heatplan.cli.app import HELP_MARKUP, JsonOpt, ProjectArg, app, user_errors
from heatplan.console import emit_json, err, out
from heatplan.errors import HeatplanError

users_app = typer.Typer(
    help="Planner accounts of the web workspace.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(users_app, name="users")
comments_app = typer.Typer(
    help="Comments on the draft plan taken by the web map (WPG § 13).", no_args_is_help=True
)
app.add_typer(comments_app, name="comments")
PASSWORD_ENV = "HEATPLAN_PASSWORD"


@app.command()
@user_errors
def serve(
    project_dir: ProjectArg,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    json_out: JsonOpt = False,
) -> None:
    """Serve the digital heat-plan map and the planners' workspace of a project."""
    import uvicorn

    from heatplan.web.app import bundle_missing, create_app

    missing = bundle_missing()
    if missing:
        raise HeatplanError(missing)
    application = create_app(project_dir)
    url = f"http://{host}:{port}/"
    if json_out:
        emit_json({"url": url, "project": str(project_dir), "openapi": f"{url}openapi.json"})
    else:
        out.print(f"heatplan map of {project_dir} on [bold]{url}[/bold] (Ctrl+C stops)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


def _password() -> str:
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    if not os.isatty(0):
        raise HeatplanError(f"no password: set {PASSWORD_ENV} or run the command in a terminal")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
@user_errors
def users_add(
    project_dir: ProjectArg,
    name: Annotated[str, typer.Argument(help="User name (one word).")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")] = "viewer",
    json_out: JsonOpt = False,
) -> None:
    """Add (or reset) an account; the password comes from a prompt or $HEATPLAN_PASSWORD."""
    from heatplan.project.config import load_config
    from heatplan.web.auth import add_user

    load_config(project_dir)
    result = add_user(project_dir, name, _password(), role)
    if json_out:
        emit_json(result)
    else:
        out.print(f"user {result['username']} ({result['role']}) saved")


@users_app.command("list")
@user_errors
def users_list(project_dir: ProjectArg, json_out: JsonOpt = False) -> None:
    """List the accounts (names and roles)."""
    from heatplan.web.auth import list_users

    users = list_users(project_dir)
    if json_out:
        emit_json({"users": users})
        return
    if not users:
        err.print("no accounts yet: `heatplan users add DIR NAME --role editor`")
    for user in users:
        out.print(f"{user['username']}\t{user['role']}\t{user['created_utc']}")


@comments_app.command("export")
@user_errors
def comments_export(
    project_dir: ProjectArg,
    out_path: Annotated[
        Path, typer.Option("--out", help="File to write: .csv or .xlsx (with names, e-mails).")
    ],
    json_out: JsonOpt = False,
) -> None:
    """Export every comment with its answer for the plan's record (personal data: not public)."""
    from heatplan.project.config import load_config
    from heatplan.steps.comments import export_comments

    load_config(project_dir)
    count = export_comments(project_dir, out_path)
    if json_out:
        emit_json({"comments": count, "path": str(out_path)})
    else:
        out.print(f"{count} comments written to {out_path}")
