"""Every command's ``--help`` shows the units of its options and its booleans as flags.

Rich markup read ``[kWh/a]`` or ``[m³/d]`` as a style tag and dropped it, and showed every flag
as ``--pdf <bool>``. The help is walked over the whole command tree (as click builds it from
Typer), so a new command is checked without being listed here. Whitespace is compared
normalised: click wraps help at the terminal width (80 columns in CI), never inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
import typer
from typer.testing import CliRunner

from heatplan.cli import app

runner = CliRunner()
#: A unit in brackets as the help texts write it: ``[kWh/a]``, ``[°C]``, ``[t dry matter/a]``.
UNIT = re.compile(r"\[[^\[\]]+\]")


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple]:
    """(path, command) of every leaf command (Typer vendors click: duck-typed)."""
    if hasattr(group, "commands"):
        for name, command in group.commands.items():
            yield from _commands(command, (*path, name))
    else:
        yield path, group


COMMANDS = list(_commands(typer.main.get_command(app)))


def _boolean(param: Any) -> bool:
    annotation = param.type_descriptor.annotation
    return bool in (annotation, *get_args(annotation))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_tree_has_the_commands_the_issue_names() -> None:
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"report", "export", "calc heat-pump", "calc wastewater", "import buildings"} <= paths


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_shows_units_and_flags(path: tuple[str, ...], command: Any) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    assert "<bool>" not in shown
    for param in command.params:
        for unit in UNIT.findall(getattr(param, "help", None) or ""):
            assert _flat(unit) in shown, f"{unit} of {param.name} missing from the help"
        if param.param_type_name == "option" and _boolean(param):
            assert param.is_flag, f"--{param.name} takes a value: make it a flag"
            assert f"{param.opts[0]} " in shown + " "


def test_units_of_the_issue_are_shown() -> None:
    wastewater = _flat(runner.invoke(app, ["calc", "wastewater", "--help"]).output)
    assert "[m³/d]" in wastewater and "[MWh/a]" in wastewater and "[kW]" in wastewater
    report = _flat(runner.invoke(app, ["report", "--help"]).output)
    assert "--pdf Also write the PDF" in report  # a flag: no value between name and help


def test_export_refuses_an_unknown_language(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path), "--format", "xlsx", "--language", "fr"])
    assert result.exit_code == 1
    assert "--language 'fr': choose de or en" in _flat(result.output)
