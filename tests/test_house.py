"""House rules of the code base, checked on the source text.

``heatplan.tech`` is pure physics and economics (functions of arrays, as pvlib's core): it imports
nothing of heatplan outside ``heatplan.tech`` and reads no file. The reference values its models
use by default are read by :mod:`heatplan.reference` and passed in as arguments.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

TECH = Path(__file__).resolve().parents[1] / "src" / "heatplan" / "tech"
TECH_PACKAGE = "heatplan.tech"
#: Third-party packages ``heatplan.tech`` may import (besides the standard library).
ALLOWED_THIRD_PARTY = {"numpy", "pandas", "scipy", "CoolProp"}
#: Standard-library modules that exist to reach files, processes or the network.
IO_MODULES = {
    "csv",
    "glob",
    "http",
    "importlib.resources",
    "importlib_resources",
    "io",
    "json",
    "os",
    "pathlib",
    "pickle",
    "pkgutil",
    "shutil",
    "socket",
    "sqlite3",
    "subprocess",
    "tempfile",
    "urllib",
}
#: Calls (by function or method name) that read or write files.
IO_CALLS = {
    "open",
    "read_csv",
    "read_excel",
    "read_json",
    "read_parquet",
    "read_table",
    "read_text",
    "read_bytes",
    "to_csv",
    "loadtxt",
    "genfromtxt",
    "fromfile",
    "get_data",
    "files",
}


def _module_name(path: Path, root: Path) -> str:
    """Dotted name of the module at ``path`` of the package rooted at ``root`` (heatplan.tech)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([TECH_PACKAGE, *parts])


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module name of a (possibly relative) ``from ... import``."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) of every import; ``from a import b`` gives ``a.b`` and ``a``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _import_problem(name: str) -> str | None:
    top = name.split(".")[0]
    if top == "heatplan":
        inside = name == TECH_PACKAGE or name.startswith(TECH_PACKAGE + ".")
        return None if inside else f"imports {name} (outside {TECH_PACKAGE})"
    if any(name == io or name.startswith(io + ".") for io in IO_MODULES):
        return f"imports {name} (file or system access)"
    if top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY or top == "__future__":
        return None
    return f"imports {name} (allowed: the standard library, {sorted(ALLOWED_THIRD_PARTY)})"


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def violations(source: str, filename: str, module: str, is_package: bool = False) -> list[str]:
    """``file:line: problem`` for every forbidden import or file access in ``source``."""
    tree = ast.parse(source, filename=filename)
    problems: list[tuple[int, str]] = []
    for line, name in _imported(tree, module, is_package):
        problem = _import_problem(name)
        if problem:
            problems.append((line, problem))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node) in IO_CALLS:
            problems.append((node.lineno, f"calls {_called_name(node)}() (file access)"))
    return [f"{filename}:{line}: {problem}" for line, problem in sorted(problems)]


def _tech_modules() -> list[Path]:
    return sorted(TECH.rglob("*.py"))


def test_tech_modules_are_found() -> None:
    names = {path.name for path in _tech_modules()}
    assert {"__init__.py", "heatpump.py", "economics.py", "pipes.py"} <= names


@pytest.mark.parametrize("path", _tech_modules(), ids=lambda p: p.name)
def test_tech_imports_nothing_of_heatplan_outside_tech_and_reads_no_file(path: Path) -> None:
    shown = path.relative_to(TECH.parents[2])
    problems = violations(
        path.read_text(encoding="utf-8"),
        str(shown),
        _module_name(path, TECH),
        is_package=path.name == "__init__.py",
    )
    assert not problems, "heatplan.tech must stay pure:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from heatplan import reference\n", "x.py:1: imports heatplan.reference"),
        ("import heatplan.data\n", "x.py:1: imports heatplan.data"),
        ("from .. import errors\n", "x.py:1: imports heatplan.errors"),
        ("from ..reference import table\n", "x.py:1: imports heatplan.reference.table"),
        ("from importlib import resources\n", "x.py:1: imports importlib.resources"),
        ("import requests\n", "x.py:1: imports requests"),
        ("x = 1\nopen('a.csv')\n", "x.py:2: calls open()"),
        ("import pandas as pd\npd.read_csv('a.csv')\n", "x.py:2: calls read_csv()"),
        ("def f(p):\n    return p.open('rb')\n", "x.py:2: calls open()"),
    ],
)
def test_the_check_finds_each_kind_of_violation(source: str, expected: str) -> None:
    problems = violations(source, "x.py", "heatplan.tech.x")
    assert any(problem.startswith(expected) for problem in problems), problems


def test_the_check_allows_tech_science_and_the_standard_library() -> None:
    source = (
        "from __future__ import annotations\nimport math\nimport numpy as np\n"
        "from scipy import optimize\nfrom CoolProp.CoolProp import PropsSI\n"
        "from heatplan.tech._arrays import require\nfrom . import economics\n"
        "from .heatpump_base import reject\n"
    )
    assert violations(source, "x.py", "heatplan.tech.x") == []
