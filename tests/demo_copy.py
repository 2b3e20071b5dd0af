"""A private copy of the session's Schutterwald demo (fixture ``demo_built`` in conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_demo(built: tuple[Path, dict], target: Path) -> Path:
    """Copy the session's demo to ``target`` (a folder that does not exist yet)."""
    shutil.copytree(built[0], target)
    return target
