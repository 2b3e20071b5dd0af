"""Heat networks and their generation: network design, dispatch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from heatplan.cli.app import HELP_MARKUP, JsonOpt, ProjectArg, app, input_errors
from heatplan.console import emit_json, fmt_energy, out, progress

network_app = typer.Typer(
    help="Heat networks: route, size, verify and cost.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(network_app, name="network")


@network_app.command("design")
@input_errors
def design(
    project_dir: ProjectArg,
    area: Annotated[str | None, typer.Option(help="Supply area id (areas / input_areas).")] = None,
    block: Annotated[
        list[str] | None, typer.Option(help="Building block id; repeat for several.")
    ] = None,
    buildings: Annotated[
        Path | None, typer.Option(help="CSV with a column building_id.", exists=False)
    ] = None,
    above_guide: Annotated[
        bool, typer.Option(help="Buildings on street segments above the line-density guide.")
    ] = False,
    source: Annotated[
        str | None, typer.Option(help="Heat source 'x,y' in the project CRS [m].")
    ] = None,
    network_id: Annotated[str | None, typer.Option("--id", help="Network id to store.")] = None,
    year: Annotated[
        int | None, typer.Option(help="Cost and WPG year (default price year).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Route, size, verify (pandapipes), dispatch and cost a network; store its layers."""
    from heatplan.steps.network import design_network

    with progress(not json_out) as say:
        result = design_network(
            project_dir,
            network_id=network_id,
            area=area,
            blocks=block,
            buildings_file=buildings,
            above_guide=above_guide,
            source=source,
            year=year,
            progress=say,
        )
    if json_out:
        emit_json(result.summary)
    else:
        print_design(result.summary)


def _n1_text(generation: dict[str, Any]) -> str:
    """The plant's n-1 coverage and its reserve boiler, in words."""
    coverage = f"{generation['n1_coverage']:.0%} of the peak with the largest unit out"
    if generation["reserve_kw"] <= 0:
        return coverage
    return (
        f"{coverage}; reserve boiler {generation['reserve_kw'] / 1000:,.1f} MW "
        f"({generation['reserve_cost_eur_per_a']:,.0f} EUR/a)"
    )


def print_design(result: dict[str, Any]) -> None:
    table = Table(title=f"Heat network {result['network_id']}", show_header=False)
    table.add_row("selection", f"{result['selection']} (source: {result['source']})")
    table.add_row(
        "buildings connected",
        f"{result['buildings_connected']:,} of {result['buildings_selected']:,}"
        f" ({result['buildings_unconnected']:,} unreachable)",
    )
    table.add_row("trench length", f"{result['trench_length_m'] / 1000:,.2f} km")
    table.add_row("heat delivered", fmt_energy(result["heat_delivered_mwh_per_a"] * 1000))
    table.add_row(
        "heat losses",
        f"{fmt_energy(result['heat_loss_mwh_per_a'] * 1000)} ({result['loss_share']:.1%})",
    )
    table.add_row("line density", f"{result['line_density_kwh_per_m_a']:,.0f} kWh/(m·a)")
    table.add_row("investment (pipes, substations)", f"{result['investment_eur']:,.0f} EUR")
    table.add_row("hydraulic check", "ok" if result["hydraulic_ok"] else "VIOLATIONS")
    gen = result["generation"]
    table.add_row(
        "generation",
        ", ".join(
            [f"{k} {v / 1000:,.1f} MW" for k, v in gen["capacity_kw"].items() if v > 0]
            + [f"{k} {v / 1000:,.1f} MWh" for k, v in gen["storage_kwh"].items() if v > 0]
        ),
    )
    table.add_row(
        "renewable share",
        f"{gen['renewable_share']:.0%} (WPG needs {gen['min_renewable_share']:.0%})",
    )
    table.add_row("CO2e", f"{gen['co2_t_per_a']:,.0f} t/a")
    table.add_row("supply security (n-1)", _n1_text(gen))
    table.add_row(
        "LCOH (distribution + generation)",
        f"{result['lcoh_eur_per_mwh']:,.0f} EUR/MWh ({result['lcoh_distribution_eur_per_mwh']:,.0f}"
        f" + {result['lcoh_generation_eur_per_mwh']:,.0f})",
    )
    table.add_row(
        "BEW funding",
        "; ".join(m["reason"] for m in result["funding"]["modules"])
        + f" (Modul 2 grant {result['funding_share']:.0%})",
    )
    out.print(table)
    for row in result.get("ramp", []):
        out.print(
            f"  {row['year']}: {row['connection_share']:.0%} connected ({row['buildings']:,} "
            f"buildings), {fmt_energy(row['heat_delivered_mwh_per_a'] * 1000)}, "
            f"LCOH {row['lcoh_eur_per_mwh']:,.0f} EUR/MWh"
        )
    for message in result["violations"][:10]:
        out.print(f"[yellow]- {message}[/yellow]")


@app.command("dispatch")
@input_errors
def dispatch(
    project_dir: ProjectArg,
    network: Annotated[str, typer.Option(help="Network id from `heatplan network design`.")],
    source: Annotated[
        str, typer.Option(help="Heat-pump source: air, wastewater or river.")
    ] = "air",
    series: Annotated[
        Path | None,
        typer.Option(
            help="Measured hourly source CSV: timestamp,flow_m3_per_h,temp_c (wastewater) or "
            "timestamp,flow_m3_per_s,temp_c (river), one row per hour of the year."
        ),
    ] = None,
    flow_m3_per_day: Annotated[
        float | None, typer.Option(help="Sewage-plant effluent, mean [m³/d].")
    ] = None,
    temp_c: Annotated[float | None, typer.Option(help="Effluent minimum temperature [°C].")] = None,
    max_cooling_k: Annotated[float, typer.Option(help="Allowed effluent cooling [K].")] = 5.0,
    heat_pump_kw: Annotated[
        float | None, typer.Option(help="Fixed heat-pump size [kW]; empty: sized.")
    ] = None,
    power_to_heat_kw: Annotated[
        float | None, typer.Option(help="Fixed power-to-heat size [kW]; empty: sized.")
    ] = None,
    min_renewable_share: Annotated[
        float | None, typer.Option(help="Renewable share to meet [-]; default: WPG for the year.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year (prices, grid CO2e, WPG target).")] = None,
    scenarios: Annotated[bool, typer.Option(help="Re-dispatch under each price scenario.")] = False,
    monte_carlo: Annotated[
        int, typer.Option(help="Price paths for the cost spread (0: none).")
    ] = 0,
    biomass: Annotated[
        bool, typer.Option(help="Offer a wood-chip boiler (sized by the LP) to the portfolio.")
    ] = False,
    biogas_chp_fuel_eur_per_mwh: Annotated[
        float | None,
        typer.Option(
            help="Offer a biogas CHP (sized by the LP) burning biogas at this cost [EUR/MWh], "
            "e.g. the production cost of a plant on green cuttings and biowaste."
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Size and dispatch the generation of a designed network hour by hour (HiGHS)."""
    from heatplan.steps.dispatch import Source, run_dispatch

    sizes = {
        name: value
        for name, value in (("heat_pump", heat_pump_kw), ("electrode_boiler", power_to_heat_kw))
        if value is not None
    }
    with progress(not json_out) as say:
        say("dispatch (HiGHS)")
        study = run_dispatch(
            project_dir,
            network,
            source=Source(source, flow_m3_per_day, temp_c, max_cooling_k),
            series_file=series,
            year=year,
            min_renewable_share=min_renewable_share,
            sizes=sizes,
            scenarios=scenarios,
            samples=monte_carlo,
            biomass=biomass,
            biogas_price_eur_per_mwh=biogas_chp_fuel_eur_per_mwh,
        )
    result = study.to_dict()
    if json_out:
        emit_json(result)
    else:
        print_dispatch(result)


def print_dispatch(result: dict[str, Any]) -> None:
    table = Table(title="Generation dispatch")
    for column in ("unit", "size", "heat", "full-load hours"):
        table.add_column(column)
    for name, unit in result["generators"].items():
        table.add_row(
            name,
            f"{unit['capacity_kw'] / 1000:,.1f} MW",
            fmt_energy(unit["heat_mwh_per_a"] * 1000),
            f"{unit['full_load_hours']:,.0f} h",
        )
    for name, kwh in result["storage_kwh"].items():
        table.add_row(name, f"{kwh / 1000:,.1f} MWh", "", "")
    out.print(table)
    out.print(
        f"LCOH {result['lcoh_eur_per_mwh']:,.1f} EUR/MWh (gas boilers in the buildings: "
        f"{result['reference_gas_boiler_lcoh_eur_per_mwh']:,.1f}); CO2e "
        f"{result['co2_t_per_a']:,.0f} t/a; renewable {result['renewable_share']:.0%}"
    )
    out.print(f"Supply security (n-1): {_n1_text(result)}")
    for check in result["wpg"]:
        mark = "ok" if check["passed"] else "NOT MET"
        out.print(f"  {check['paragraph']}: >= {check['min_share']:.0%} {mark}")
    for row in result.get("scenarios", []):
        out.print(
            f"  prices {row['scenario']}: {row['lcoh_eur_per_mwh']:,.1f} EUR/MWh vs gas "
            f"{row['reference_lcoh_eur_per_mwh']:,.1f}"
        )
    if "monte_carlo" in result:
        mc = result["monte_carlo"]
        out.print(
            f"  P(network cheaper than gas boilers) = {mc['probability_network_cheaper']:.0%}"
        )
