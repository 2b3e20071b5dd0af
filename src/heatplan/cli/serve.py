"""``heatplan serve`` (the digital map) and ``heatplan users`` (planner accounts)."""

from __future__ import annotations

import os
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
