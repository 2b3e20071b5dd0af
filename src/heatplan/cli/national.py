"""The national layer: ``heatplan national stock|run|tiles`` (many municipalities on a cluster)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatplan.cli.app import HELP_MARKUP, JsonOpt, app, input_errors
from heatplan.console import emit_json, out, progress

national_app = typer.Typer(
    help="Many municipalities at once: a synthetic stock, a run on a Dask cluster, map tiles.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(national_app, name="national")


@national_app.command("stock")
@input_errors
def stock_cmd(
    folder: Annotated[Path, typer.Argument(help="New folder for the partitioned GeoParquet.")],
    buildings: Annotated[
        int, typer.Option("--buildings", help="Residential buildings (100000, 1000000, 5000000).")
    ] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    json_out: JsonOpt = False,
) -> None:
    """Write a synthetic national stock (benchmarks only), partitioned by municipality key."""
    from heatplan.national.run import NationalRunError
    from heatplan.national.stock import write_stock

    if folder.exists() and any(folder.iterdir()):
        raise NationalRunError(f"{folder}: the folder exists and is not empty")
    summary = write_stock(folder, buildings, seed)
    if json_out:
        emit_json(summary.__dict__)
        return
    out.print(
        f"{summary.buildings:,} buildings in {summary.municipalities:,} municipalities of "
        f"{summary.states} states -> {summary.folder}"
    )


@national_app.command("run")
@input_errors
def run_cmd(
    input_dir: Annotated[
        Path, typer.Argument(help="Folder with buildings/ags=KEY/part-0.parquet (and streets …).")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="New folder for the results.")],
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local worker processes (default 2).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="TOML file with a [cluster] table; its other tables ([economics], [classify] "
            "… as in heatplan.toml) apply to every municipality.",
        ),
    ] = None,
    with_areas: Annotated[
        bool, typer.Option("--areas/--no-areas", help="Also build supply areas per municipality.")
    ] = False,
    with_classify: Annotated[
        bool,
        typer.Option(
            "--classify/--no-classify",
            help="Also potentials and the classification of the areas (implies --areas).",
        ),
    ] = False,
    store: Annotated[
        str | None,
        typer.Option("--store", help="GeoPackage path or postgresql:// URL for the merged layers."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Plan every municipality (inventory, 100 m grid, blocks; areas, classes) on a Dask cluster."""
    from dataclasses import replace

    from heatplan.national.run import (
        MISSING_MEANS,
        load_cluster_settings,
        load_plan_settings,
        run_national,
    )

    settings = load_cluster_settings(settings_file)
    plan_settings = load_plan_settings(settings_file)
    if workers is not None:
        if workers < 1:
            raise ValueError(f"--workers must be at least 1, got {workers}")
        settings = replace(settings, workers=workers)
    if scheduler:
        settings = replace(settings, scheduler=scheduler)
    with progress(not json_out) as say:
        result = run_national(
            input_dir,
            out_dir,
            settings=settings,
            with_areas=with_areas,
            with_classify=with_classify,
            plan_settings=plan_settings,
            store_url=store,
            progress=say,
        )
    if json_out:
        emit_json(result.to_dict())
        return
    peak = max(result.peak_rss_mb_per_worker.values(), default=float("nan"))
    out.print(
        f"{result.municipalities:,} municipalities, {result.buildings:,} buildings, "
        f"{result.heat_demand_twh_per_a:,.2f} TWh/a in {result.seconds:,.1f} s "
        f"({result.buildings_per_second:,.0f} buildings/s, {result.workers} workers, "
        f"peak {peak:,.0f} MB per worker) -> {result.output}"
    )
    if not with_classify:
        return
    types = ", ".join(f"{n:,} {t}" for t, n in result.area_types.items()) or "none"
    out.print(f"{result.classified_areas:,} areas classified (target year: {types})")
    for name, count in result.missing_inputs.items():
        if name in MISSING_MEANS:
            out.print(
                f"  without {name} in {count:,} of {result.municipalities:,} municipalities: "
                f"{MISSING_MEANS[name]}"
            )


@national_app.command("tiles")
@input_errors
def tiles_cmd(
    run_dir: Annotated[Path, typer.Argument(help="The output folder of `heatplan national run`.")],
    pmtiles: Annotated[Path, typer.Option("--out", help="The PMTiles file to write.")],
    max_zoom: Annotated[
        int, typer.Option("--max-zoom", help="Deepest zoom level (a map overzooms beyond).")
    ] = 13,
    json_out: JsonOpt = False,
) -> None:
    """Build the national heat map (released aggregates only) as one PMTiles file."""
    from heatplan.national.tiles import build_pmtiles

    summary = build_pmtiles(run_dir, pmtiles, max_zoom=max_zoom)
    if json_out:
        emit_json(summary.to_dict())
        return
    out.print(
        f"{summary.tiles:,} tiles, largest {summary.largest_tile_bytes / 1000:,.0f} kB, "
        f"{summary.file_bytes / 1e6:,.1f} MB -> {summary.path}"
    )
