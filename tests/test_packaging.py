"""A wheel of heatplan carries the web map's front end (setup.py runs the npm build)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

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
    assert not [n for n in names if "/frontend/" in n]
