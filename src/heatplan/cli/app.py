"""The Typer application, its sub-command groups, shared options and error handling."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.logging import RichHandler
from rich.markup import escape

from heatplan import __version__
from heatplan.console import emit_json, err, out
from heatplan.errors import HeatplanError

#: Help texts are plain text, not rich markup: markup would eat a unit in brackets
#: (``[kWh/a]``, ``[kW]``) and show every flag as ``--pdf <bool>``; click prints units and
#: flags (``--pdf``, ``--total / --no-total``) as written. Every Typer of the CLI takes this.
HELP_MARKUP = None

app = typer.Typer(
    help="heatplan — municipal heat planning from the building stock to the plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=HELP_MARKUP,
)
import_app = typer.Typer(
    help="Import a town's data into a project (bad rows go to a report).",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(import_app, name="import")
calc_app = typer.Typer(
    help="Quick studies: one engineering question, one line (no project needed).",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(calc_app, name="calc")

F = TypeVar("F", bound=Callable[..., Any])
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
ProjectArg = Annotated[Path, typer.Argument(help="Project directory (holds heatplan.toml).")]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", help="Column mapping file (TOML or JSON).")
]


def user_errors(func: F, *, also: tuple[type[Exception], ...] = ()) -> F:
    """Turn heatplan's user-facing errors (and ``also``) into a message and exit status 1."""

    caught: tuple[type[Exception], ...] = (HeatplanError, *also)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except caught as exc:
            if kwargs.get("json_out"):
                emit_json({"error": str(exc)})
            # unwrapped (a path or "row 101" must not break at 80 columns), brackets kept
            err.print(f"[bold red]error:[/bold red] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def input_errors(func: F) -> F:
    """:func:`user_errors` that also reports impossible model inputs (``ValueError``)."""
    return user_errors(func, also=(ValueError,))


def _show_version(value: bool) -> None:
    if value:
        out.print(f"heatplan {__version__}")
        raise typer.Exit(0)


#: heatplan's log records on stderr, above the progress spinner (added once per process).
_LOG_HANDLER = RichHandler(console=err, show_time=False, show_path=False, markup=False)


def configure_logging(verbose: bool) -> None:
    """Show heatplan's log records on stderr: warnings, and each step's stages when ``verbose``.

    Only the ``heatplan`` logger is set (other libraries keep their own level); stdout, where
    ``--json`` writes, stays untouched.
    """
    logger = logging.getLogger("heatplan")
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    if _LOG_HANDLER not in logger.handlers:
        logger.addHandler(_LOG_HANDLER)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Show the version.", callback=_show_version, is_eager=True),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each step's stages on stderr.")
    ] = False,
) -> None:
    """heatplan — municipal heat planning from the building stock to the plan."""
    configure_logging(verbose)
