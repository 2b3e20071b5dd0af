"""``heatplan import lv-grid``: a town's low-voltage grid from a pandapower JSON file.

The net's LV buses, cables (without those behind open switches), transformers and loads
become the layers ``lv_buses``, ``lv_lines``, ``lv_trafos``, ``lv_loads``
(:mod:`heatplan.grid.model`), in the project CRS; a new import replaces them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from heatplan.errors import HeatplanError
from heatplan.grid.model import LvGrid, from_pandapower
from heatplan.inputs.common import open_project


def read_pandapower_json(file: Path):
    """The pandapower net of ``file``; a clear error when it is not one."""
    import pandapower as pp

    if not Path(file).is_file():
        raise HeatplanError(f"{file}: file not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = pp.from_json(str(file))
    except Exception as exc:  # pandapower raises many kinds for a file that is no net
        raise HeatplanError(f"{file}: not a pandapower JSON net ({exc})") from None
    if "geo" not in net.bus.columns or net.bus["geo"].isna().any():
        raise HeatplanError(
            f"{file}: every bus needs coordinates (pandapower column bus.geo, GeoJSON)"
        )
    if net.trafo.empty:
        raise HeatplanError(f"{file}: the net has no transformer feeding the LV grid")
    return net


def import_lv_grid(project_dir: Path, file: Path) -> dict[str, int | str]:
    """Store the LV grid of a pandapower JSON file in the project; counts per layer."""
    config, store = open_project(project_dir)
    grid: LvGrid = from_pandapower(read_pandapower_json(Path(file)), crs=config.project.crs)
    with store.transaction(step="import lv-grid") as writer:
        for name, frame in grid.frames().items():
            writer.write(name, frame, mode="replace")
    counts = {name: len(frame) for name, frame in grid.frames().items()}
    # like every import's summary: rows taken (the buses) and rejected (none: a net is whole)
    return {"file": str(file), "imported": counts["lv_buses"], "rejected": 0, **counts}
