"""A wheel of heatplan carries the web map's front end (setup.py runs the npm build); the lock
(constraints-py311.txt for pip, uv.lock for uv) pins every dependency within pyproject's ranges."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from ci import required

ROOT = Path(__file__).parent.parent


@required(None if shutil.which("npm") else "npm not found", "apt-get install npm")
def test_the_wheel_has_the_map_and_no_front_end_sources(tmp_path: Path) -> None:
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns(
        ".venv", "node_modules", "dist", "build", ".git", "*.gpkg", "__pycache__", ".*_cache",
        "demo-out",
    )  # fmt: skip
    shutil.copytree(ROOT, source, ignore=ignore)  # a clean tree: the build must bundle itself
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "-w",
        str(tmp_path),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True, text=True)
    (wheel,) = tmp_path.glob("heatplan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("main.js", "maplibre-gl-worker.mjs", "swagger/swagger-ui-bundle.js"):
        assert f"heatplan/web/static/dist/{needed}" in names, needed
    assert "heatplan/web/static/index.html" in names
    assert "heatplan/data/carriers.csv" in names
    assert "heatplan/i18n/locale/en/LC_MESSAGES/heatplan.po" in names  # compiled when first used
    assert not [n for n in names if "/frontend/" in n]


# --- the lock: constraints-py311.txt (pip) and uv.lock (uv) hold the same versions -------------

PYTHONS = ("3.11", "3.12", "3.13")  # pyproject's requires-python, each checked below


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _declared() -> list[tuple[Requirement, str]]:
    """heatplan's own requirements, each with its extra ("" for the dependencies)."""
    project = _pyproject()["project"]
    declared = [(Requirement(r), "") for r in project["dependencies"]]
    for extra, requirements in project["optional-dependencies"].items():
        declared += [(Requirement(r), extra) for r in requirements]
    return declared


def _pins(python: str) -> dict[str, Version]:
    """The constraints file that scripts/bootstrap.sh takes for this Python (as it chooses)."""
    path = ROOT / f"constraints-py{python.replace('.', '')}.txt"
    if not path.is_file():
        path = ROOT / "constraints-py311.txt"
    pins: dict[str, Version] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier  # each line one exact pin
            assert spec.operator == "==" and not requirement.marker, line
            name = canonicalize_name(requirement.name)
            assert name not in pins, f"{name} pinned twice in {path.name}"
            pins[name] = Version(spec.version)
    return pins


def _locked(python: str) -> dict[str, Version]:
    """What `uv sync --frozen --all-extras` installs from uv.lock on CPython `python`, Linux."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages: dict[str, list[dict[str, Any]]] = {}
    for package in lock["package"]:
        packages.setdefault(package["name"], []).append(package)
    env = {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
    }

    def wanted(dep: dict[str, Any]) -> bool:
        return "marker" not in dep or Marker(dep["marker"]).evaluate(env)

    def package_of(dep: dict[str, Any]) -> dict[str, Any]:
        (match,) = [
            p
            for p in packages[dep["name"]]
            if "version" not in dep or p["version"] == dep["version"]
        ]
        return match

    (root,) = packages["heatplan"]
    todo = [
        *root.get("dependencies", []),
        *(d for ds in root.get("optional-dependencies", {}).values() for d in ds),
    ]
    found: dict[str, Version] = {}
    done: set[tuple[str, str]] = set()
    while todo:
        dep = todo.pop()
        if not wanted(dep):
            continue
        package = package_of(dep)
        version = Version(package["version"])
        assert found.setdefault(dep["name"], version) == version, f"two {dep['name']}"
        for extra in ["", *dep.get("extra", [])]:
            if (dep["name"], extra) not in done:
                done.add((dep["name"], extra))
                optional = package.get("optional-dependencies", {})
                todo += optional.get(extra, []) if extra else package.get("dependencies", [])
    return found


@pytest.mark.parametrize("python", PYTHONS)
def test_every_declared_dependency_is_pinned_within_its_range(python: str) -> None:
    pins = _pins(python)
    for requirement, _ in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} has no pin for Python {python}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement}: pinned {pins[name]} for Python {python}"
        )


@pytest.mark.parametrize("python", PYTHONS)
def test_uv_lock_installs_the_pinned_versions(python: str) -> None:
    assert _locked(python) == _pins(python)


def test_uv_lock_is_resolved_from_this_pyproject() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    project = _pyproject()["project"]
    assert SpecifierSet(lock["requires-python"]) == SpecifierSet(project["requires-python"])
    for python in PYTHONS:
        assert Version(python) in SpecifierSet(project["requires-python"]), python
    (root,) = [p for p in lock["package"] if p["name"] == "heatplan"]
    in_lock = {
        (d["name"], SpecifierSet(d.get("specifier", "")), d.get("marker", ""))
        for d in root["metadata"]["requires-dist"]
    }
    declared = {
        (canonicalize_name(r.name), r.specifier, f"extra == '{extra}'" if extra else "")
        for r, extra in _declared()
    }
    assert in_lock == declared, "uv.lock is stale: run `uv lock`"
