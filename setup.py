"""Build hook: a wheel of heatplan carries the web map's front end (bundled from npm).

``pyproject.toml`` holds the package's metadata; this file only makes ``build_py`` run
``scripts/build_frontend.sh`` (npm ci + esbuild, idempotent) before the package data is
collected, so that ``pip install`` of a source tree or an sdist gives a ``heatplan serve``
with its map. Without npm the wheel is built without the map, and ``heatplan serve`` says how
to build it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
SCRIPT = ROOT / "scripts" / "build_frontend.sh"


class BuildWithFrontend(build_py):
    def run(self) -> None:
        if SCRIPT.is_file() and shutil.which("npm") and shutil.which("bash"):
            subprocess.run(["bash", str(SCRIPT)], check=True)
        elif not (ROOT / "src/heatplan/web/static/dist/main.js").is_file():
            print("heatplan: npm not found, the wheel has no web map front end", file=sys.stderr)
        super().run()


setup(cmdclass={"build_py": BuildWithFrontend})
