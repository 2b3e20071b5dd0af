"""The Schutterwald demo the web tests share: sample measures and a few addresses, built once.

Imported by the tests/test_web_*.py modules (tests/ is on sys.path, see conftest.py).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

from heatplan.demo.run import run_demo
from heatplan.project.store import GeoPackageStore
from heatplan.steps.measures import load_demo_catalogue

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

__all__ = ["PASSWORD", "STREET", "WEB_MARKS", "TestClient", "web_demo"]

#: Marks of the web test modules (slow; starlette's httpx notice is no failure).
WEB_MARKS = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]
#: The password the web tests give their accounts.
PASSWORD = "correct horse battery"
#: A few demo buildings get addresses (the Schutterwald register has none), to search them.
STREET = "Kirchstraße"


def web_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Schutterwald demo with the sample measures and some addresses, built once a session."""
    base = tmp_path_factory.getbasetemp() / "web-demo"
    ready = base / ".web-ready"
    if not ready.exists():
        shutil.rmtree(base, ignore_errors=True)
        built = os.environ.get("HEATPLAN_WEB_DEMO")  # a demo built before, to save a minute
        if built:
            shutil.copytree(built, base)
        else:
            run_demo(base)
        if not GeoPackageStore(base / "plan.gpkg").has("measures"):
            load_demo_catalogue(base)
        store = GeoPackageStore(base / "plan.gpkg")
        buildings = store.read("buildings")
        chosen = buildings.geometry.x.sort_values().index[:40]
        buildings["street"] = buildings["street"].astype(object)
        buildings["house_number"] = buildings["house_number"].astype(object)
        buildings["postcode"] = buildings["postcode"].astype(object)
        for number, index in enumerate(chosen, start=1):
            buildings.loc[index, ["street", "house_number", "postcode"]] = [
                STREET,
                str(number),
                "77746",
            ]
        with store.transaction(step="test addresses") as writer:
            writer.write("buildings", buildings)
        ready.write_text("ok", encoding="utf-8")
    return base
