"""A national run: every municipality's plan on a Dask cluster, merged to GeoParquet (PostGIS).

:func:`run_national` maps :func:`heatplan.national.municipality.plan_municipality` over the
municipality keys of an input folder (GeoParquet partitioned by ``ags``) with
``dask.distributed``: a :class:`distributed.LocalCluster` of ``workers`` processes (one thread
each) on this machine, or the scheduler of a real cluster (``scheduler = "tcp://host:8786"`` in
the ``[cluster]`` table of a settings file, or ``--scheduler``). The workers must see the input
and output folders at the same paths (a shared file system on a real cluster). Largest
municipalities go first, so that one big town does not finish last.

Each worker writes its municipality's results as that key's partition of each output layer;
the output folder is made under a temporary name and renamed when every municipality is done,
so a failed run leaves no half-written results. Optionally the merged layers go to a project
store (GeoPackage or PostGIS, :func:`heatplan.project.store.open_store`) in one transaction.

With ``with_classify`` each municipality's areas are classified (WPG area types and
likelihoods) from what its partitions hold; the result counts, per input layer, the
municipalities that lacked it (:attr:`NationalResult.missing_inputs`), since the
classification then knows no gas network, no wastewater or waste heat, no LV grid check there.
"""

from __future__ import annotations

import logging
import shutil
import time
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from heatplan.errors import HeatplanError, InputFileError
from heatplan.national.municipality import MunicipalityResult, plan_municipality
from heatplan.national.partitions import layer_keys, partition_path, read_layer
from heatplan.project.config import ProjectConfig, validation_problems

__all__ = [
    "ClusterSettings",
    "NationalResult",
    "NationalRunError",
    "load_cluster_settings",
    "load_plan_settings",
    "run_national",
    "write_store",
]

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
#: The per-municipality summary written beside the layers.
SUMMARY_FILE = "municipal_results.parquet"
#: How often a run reports progress (every 1/20 of the municipalities).
PROGRESS_STEPS = 20
#: Layers written to a store by ``store_url`` (prefixed ``national_``).
STORE_LAYERS = ("municipalities", "public_municipalities", "public_grid_100m", "grid_100m")
#: Layers written to the store too where the run made them.
STORE_LAYERS_IF_MADE = ("areas",)
#: What a classification does without an input layer (the stages' behaviour, for the CLI).
MISSING_MEANS = {
    "consumption": "demand from the building typology only (no metered consumption)",
    "gas_networks": "no gas network known: the Eignungsprüfung (WPG § 14) and the reasons "
    "read 'kein Gasnetz'",
    "heat_networks": "no existing heat network known: every network is costed as a new one",
    "sewage_plants": "no sewage plant: networks start at the demand-weighted centre",
    "waste_heat": "no waste-heat potential near any area",
    "sewers": "no sewer heat potential",
    "exclusion_zones": "no exclusion zones: no heat pump is ruled out by a protection zone",
    "grid_supply_areas": "no LV grid check: heat pumps carry no grid reinforcement cost",
    "input_areas": "areas merged from blocks (no imported areas)",
    "barriers": "areas may be merged across rail lines, rivers and motorways",
}


class NationalRunError(HeatplanError):
    """A national run cannot start or a municipality failed (the message names it)."""


@dataclass(frozen=True)
class ClusterSettings:
    """The ``[cluster]`` table of a settings file.

    ``scheduler``: address of a running Dask scheduler (``tcp://host:8786``); empty: a local
    cluster of ``workers`` processes with ``threads_per_worker`` threads and ``memory_limit``
    per worker (Dask's syntax, ``"2GB"``; ``"auto"``: the machine's memory shared).
    """

    scheduler: str = ""
    workers: int = 2
    threads_per_worker: int = 1
    memory_limit: str = "auto"


def load_cluster_settings(path: Path | None) -> ClusterSettings:
    """The ``[cluster]`` table of TOML file ``path`` (defaults without a file)."""
    if path is None:
        return ClusterSettings()
    try:
        table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("cluster", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"not a readable TOML file: {exc}") from None
    known = set(ClusterSettings.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise InputFileError(path, f"[cluster] has unknown keys {unknown}; known: {sorted(known)}")
    try:
        settings = ClusterSettings(**table)
        if int(settings.workers) < 1 or int(settings.threads_per_worker) < 1:
            raise ValueError("workers and threads_per_worker must be at least 1")
    except (TypeError, ValueError) as exc:
        raise InputFileError(path, f"[cluster]: {exc}") from None
    return settings


def load_plan_settings(path: Path | None) -> ProjectConfig | None:
    """The plan settings of TOML file ``path`` for every municipality: its tables but
    ``[cluster]``, those of ``heatplan.toml`` (``[economics]``, ``[classify]`` …); None without
    a file or such tables. ``[municipality]`` is refused (each municipality is named by its
    key), and ``[project] crs`` is overridden by the CRS of each municipality's buildings.
    """
    if path is None:
        return None
    try:
        tables = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"not a readable TOML file: {exc}") from None
    tables.pop("cluster", None)
    if "municipality" in tables:
        raise InputFileError(
            path, "[municipality] is not for a national run: each municipality is its key"
        )
    if not tables:
        return None
    try:
        return ProjectConfig.model_validate({**tables, "municipality": {"name": "national"}})
    except ValidationError as exc:
        raise InputFileError(path, validation_problems(exc)) from None


@dataclass
class NationalResult:
    """What a national run did: sizes, time, throughput and each worker's peak memory."""

    municipalities: int
    buildings: int
    heat_demand_twh_per_a: float
    grid_cells: int
    public_grid_cells: int
    seconds: float
    buildings_per_second: float
    #: CPU time of all municipalities on the workers [s] (stable under a shared machine's load).
    cpu_seconds: float
    workers: int
    scheduler: str
    peak_rss_mb_per_worker: dict[str, float] = field(default_factory=dict)
    #: Supply areas made and areas classified (0 without ``with_areas``/``with_classify``).
    areas: int = 0
    classified_areas: int = 0
    #: Areas by type in the target year (classified runs).
    area_types: dict[str, int] = field(default_factory=dict)
    #: Per input layer, the municipalities without a partition of it.
    missing_inputs: dict[str, int] = field(default_factory=dict)
    output: str = ""
    store: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_national(
    input_dir: Path,
    out_dir: Path,
    *,
    settings: ClusterSettings | None = None,
    with_areas: bool = False,
    with_classify: bool = False,
    plan_settings: ProjectConfig | None = None,
    store_url: str | None = None,
    progress: Progress | None = None,
) -> NationalResult:
    """Plan every municipality of ``input_dir`` on a Dask cluster; results in ``out_dir``.

    Parameters
    ----------
    input_dir : Path
        Folder with ``buildings/ags=KEY/part-0.parquet`` (and optionally ``streets``,
        ``consumption``, ``heaters``, ``input_blocks`` likewise).
    out_dir : Path
        New folder for the results: one partitioned layer per result
        (:data:`heatplan.national.municipality.OUTPUT_LAYERS`) and ``municipal_results.parquet``.
    settings : ClusterSettings
        The cluster to use (default: a local cluster of 2 workers).
    with_areas : bool
        Also run the supply-areas stage per municipality.
    with_classify : bool
        Also the potentials and the classification of the areas (implies ``with_areas``):
        the ``areas`` layer carries area types and likelihoods.
    plan_settings : ProjectConfig, optional
        Plan settings of every municipality (:func:`load_plan_settings`); default: those of
        a new ``heatplan.toml``.
    store_url : str, optional
        A GeoPackage path or ``postgresql://`` URL that receives the merged layers
        (:data:`STORE_LAYERS`, and ``areas`` where made, prefixed ``national_``) in one
        transaction.
    """
    from distributed import Client, LocalCluster, as_completed

    settings = settings or ClusterSettings()
    keys = layer_keys(Path(input_dir) / "buildings")
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise NationalRunError(f"{out_dir}: the output folder exists and is not empty")
    partial = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    order = _largest_first(Path(input_dir), keys)
    say = progress or (lambda _: None)
    start = time.perf_counter()
    cluster = None
    if settings.scheduler:
        client = Client(settings.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=int(settings.workers),
            threads_per_worker=int(settings.threads_per_worker),
            processes=True,
            memory_limit=settings.memory_limit,
            dashboard_address=":0",  # a free port, never 8787 of another cluster
            silence_logs=logging.ERROR,  # the workers' shutdown notes are no user's concern
        )
        client = Client(cluster)
    results: list[MunicipalityResult] = []
    try:
        futures = client.map(
            plan_municipality,
            [str(input_dir)] * len(order),
            order,
            [str(partial)] * len(order),
            with_areas=with_areas,
            with_classify=with_classify,
            settings=plan_settings,
            pure=False,
        )
        failed: dict[str, str] = {}
        step = max(1, len(order) // PROGRESS_STEPS)
        key_of = {future.key: key for future, key in zip(futures, order, strict=True)}
        for future in as_completed(futures):
            key = key_of[future.key]
            if future.status == "error":
                failed[key] = f"{type(future.exception()).__name__}: {future.exception()}"
                continue
            results.append(future.result())
            if len(results) % step == 0 or len(results) == len(order):
                say(f"{len(results):,}/{len(order):,} municipalities planned")
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if failed:
        shutil.rmtree(partial, ignore_errors=True)
        first = ", ".join(f"{k}: {v}" for k, v in sorted(failed.items())[:3])
        raise NationalRunError(f"{len(failed)} municipalities failed ({first}); nothing written")
    seconds = time.perf_counter() - start
    table = pd.DataFrame([r.to_dict() for r in results]).sort_values("ags", ignore_index=True)
    table.to_parquet(partial / SUMMARY_FILE, index=False)
    shutil.rmtree(out_dir, ignore_errors=True)
    partial.rename(out_dir)
    result = _result(table, seconds, workers, settings.scheduler or "local", out_dir)
    if with_classify:
        result.area_types = _area_types(out_dir)
    if store_url:
        result.store = write_store(out_dir, store_url)
    return result


def write_store(out_dir: Path, url: str) -> str:
    """The merged layers of a national run written to a project store in one transaction."""
    from heatplan.project.store import META_TABLE, open_store

    made = [n for n in STORE_LAYERS_IF_MADE if (Path(out_dir) / n).is_dir()]
    layers = {name: read_layer(Path(out_dir) / name) for name in [*STORE_LAYERS, *made]}
    store = open_store(str(url))
    if not store.has(META_TABLE):
        crs = layers["municipalities"].crs
        store.create(crs=crs.to_string() if crs is not None else "EPSG:25832")
    with store.transaction(step="national run") as writer:
        for name, frame in layers.items():
            writer.write(f"national_{name}", frame)
    return str(store.location)


def _largest_first(input_dir: Path, keys: list[str]) -> list[str]:
    """The keys by file size of their buildings, largest first (a proxy for their work)."""
    size = {k: partition_path(input_dir / "buildings", k).stat().st_size for k in keys}
    return sorted(keys, key=lambda k: (-size[k], k))


def _result(
    table: pd.DataFrame, seconds: float, workers: int, scheduler: str, out_dir: Path
) -> NationalResult:
    buildings = int(table["buildings"].sum())
    peaks = table.groupby("worker")["peak_rss_mb"].max()
    return NationalResult(
        municipalities=len(table),
        buildings=buildings,
        heat_demand_twh_per_a=float(table["heat_demand_kwh_per_a"].sum()) / 1e9,
        grid_cells=int(table["grid_cells"].sum()),
        public_grid_cells=int(table["public_grid_cells"].sum()),
        seconds=seconds,
        buildings_per_second=buildings / seconds if seconds else float("nan"),
        cpu_seconds=float(table["cpu_seconds"].sum()),
        workers=workers,
        scheduler=scheduler,
        peak_rss_mb_per_worker={str(k): float(v) for k, v in peaks.items()},
        areas=int(table["areas"].sum()),
        classified_areas=int(table["classified_areas"].sum()),
        missing_inputs=_missing_counts(table["missing_inputs"]),
        output=str(out_dir),
    )


def _missing_counts(missing: pd.Series) -> dict[str, int]:
    """Per input layer, the municipalities whose ``missing_inputs`` name it."""
    names = missing.fillna("").str.split(";").explode()
    counts = names[names != ""].value_counts()
    return {str(name): int(counts[name]) for name in sorted(counts.index)}


def _area_types(out_dir: Path) -> dict[str, int]:
    """Classified areas by type in the target year (the last ``area_type_YEAR`` column)."""
    folder = Path(out_dir) / "areas"
    if not folder.is_dir():
        return {}
    found = read_layer(folder)
    years = sorted(c for c in found.columns if c.startswith("area_type_") and c[10:].isdigit())
    if not years:
        return {}
    counts = found[years[-1]].value_counts()
    return {str(k): int(v) for k, v in counts.sort_index().items()}
