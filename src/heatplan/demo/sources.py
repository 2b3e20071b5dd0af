"""Real input data that registry packages ship, located or fetched offline-safe.

- Schutterwald (Baden): pandapipes' ``gas_net_schutterwald_1bar.json`` — 1,506 houses with
  measured annual gas demand and 101 km of real gas pipes (Kisse et al. 2020, Energies 13:4052).
  Its streets come from pandapower's ``lv_schutterwald`` (same study, same houses: 62 km of LV
  cable minus 29 km of house-connection cables and side-by-side duplicates, 31.5 km;
  :mod:`heatplan.demo.lv_streets`).
- RWTH Campus Melaten (Aachen): ``campus_melaten.osm`` from the uesgraphs wheel (OpenStreetMap
  contributors, ODbL). uesgraphs pins an old pandapipes, so it is never installed: the one file is
  taken from its wheel, downloaded from the package index with pip into a cache folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

from heatplan.errors import HeatplanError

UESGRAPHS_WHEEL = "uesgraphs==2.2.2"
MELATEN_MEMBER = "uesgraphs/data/campus_melaten.osm"
OSM_ATTRIBUTION = (
    "© OpenStreetMap contributors, ODbL 1.0 (via uesgraphs 2.2.2, RWTH Aachen E.ON ERC)"
)


def cache_dir() -> Path:
    """Folder for fetched data: ``$HEATPLAN_CACHE`` or ``~/.cache/heatplan``."""
    root = os.environ.get("HEATPLAN_CACHE") or Path.home() / ".cache" / "heatplan"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def schutterwald_json() -> Path:
    """Path of the Schutterwald gas network file that pandapipes ships."""
    files = resources.files("pandapipes") / "networks" / "network_files"
    path = Path(str(files / "gas_net_schutterwald_1bar.json"))
    if not path.is_file():
        raise HeatplanError(f"{path} missing: reinstall pandapipes==0.16.0")
    return path


def melaten_osm() -> Path:
    """Path of ``campus_melaten.osm``, taken from the uesgraphs wheel on first use."""
    target = cache_dir() / "campus_melaten.osm"
    if target.is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _download_wheel(Path(tmp))
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(MELATEN_MEMBER)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def _download_wheel(folder: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "-q",
        "-d",
        str(folder),
        UESGRAPHS_WHEEL,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheels = sorted(folder.glob("uesgraphs-*.whl"))
    if done.returncode != 0 or not wheels:
        raise HeatplanError(
            f"could not fetch the Melaten OSM extract from the {UESGRAPHS_WHEEL} wheel "
            f"(pip download said: {done.stderr.strip()[-300:]}); put campus_melaten.osm into "
            f"{cache_dir()} by hand"
        )
    return wheels[0]
