"""How the CLI shows the plan's stage summaries on the terminal (rich tables)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from heatplan.console import fmt_energy, out


def print_inventory(result: dict[str, Any]) -> None:
    table = Table(title="Inventory (Bestandsanalyse)", show_header=False)
    table.add_row("buildings", f"{result['buildings']:,}")
    for method, count in result["buildings_by_method"].items():
        table.add_row(f"  demand {method}", f"{count:,}")
    table.add_row("heat demand", fmt_energy(result["heat_demand_kwh_per_a"]))
    for carrier, kwh in result["final_energy_kwh_per_a"].items():
        table.add_row(f"  final energy {carrier}", fmt_energy(kwh))
    unknown = result["buildings_without_carrier"]
    note = f" (carrier unknown for {unknown:,} buildings)" if unknown else ""
    table.add_row("CO2e", f"{result['co2_t_per_a']:,.0f} t/a{note}")
    unmatched = sum(result.get("unmatched_rows", {}).values())
    if unmatched:
        table.add_row("input rows matching no building", f"{unmatched:,} (consumption, heaters)")
    table.add_row("blocks", f"{result['blocks']:,} ({result['blocks_source']})")
    table.add_row(
        "street segments", f"{result['street_segments']:,} ({result['street_length_km']:.1f} km)"
    )
    table.add_row("100 m grid cells", f"{result['grid_cells']:,}")
    table.add_row("weather (DWD TRY 2010 region)", str(result["weather_region"]))
    out.print(table)
    out.print(f"layers {', '.join(result['layers'])} in {result['store']}")


def print_potentials(result: dict[str, Any]) -> None:
    table = Table(title="Potentials (Potenzialanalyse)", show_header=False)
    for kind, mwh in result["heat_mwh_per_a"].items():
        if mwh > 0:
            table.add_row(f"heat {kind}", fmt_energy(mwh * 1000))
    for kind, mwh in result["power_mwh_per_a"].items():
        table.add_row(f"power {kind}", fmt_energy(mwh * 1000))
    out.print(table)
    for message in result["messages"]:
        out.print(f"[dim]• {message}[/dim]")


def print_classification(result: dict[str, Any]) -> None:
    target = result["target_year"]
    table = Table(title=f"Supply areas, target year {target}")
    for column in ("area", "type", "likelihood", "reason"):
        table.add_column(column, overflow="fold")
    for area in result["areas_detail"]:
        table.add_row(
            area["area_id"],
            area["area_type"],
            area["likelihood"].replace("_", " "),
            area["explanation"],
        )
    out.print(table)


def print_scenario(result: dict[str, Any]) -> None:
    indicators = result["indicators"]
    years = list(indicators)
    table = Table(title=f"Target scenario ({result['variant']}), WPG Anlage 2")
    table.add_column("indicator")
    for year in years:
        table.add_column(year, justify="right")
    rows = (
        ("final energy", "final_energy", "total", "MWh/a"),
        ("GHG", "ghg_emissions", "total", "t CO2e/a"),
        ("grid-bound heat", "grid_bound_heat_by_carrier", "total", "MWh/a"),
        ("share grid-bound heat", "grid_bound_heat_share", "grid_bound_heat", "-"),
        ("buildings on heat network", "heat_network_buildings", "buildings", ""),
        ("gas-network energy", "gas_network_final_energy", "total", "MWh/a"),
        ("buildings on gas network", "gas_network_buildings", "buildings", ""),
    )
    for label, key, value, unit in rows:
        cells = [
            _cell(indicators[y].get(key, {}).get("values", {}).get(value), unit) for y in years
        ]
        table.add_row(label, *cells)
    out.print(table)
    for name, costs in result["costs"].items():
        out.print(
            f"  {name}: cumulative CO2e {costs['cumulative_co2_t']:,.0f} t, energy cost "
            f"{costs['energy_cost_eur'] / 1e6:,.1f} MEUR"
        )
    for note in result["notes"]:
        out.print(f"• {note}")


def print_steps(steps: dict[str, Any]) -> None:
    """The summaries of ``heatplan run`` (or the demo's plan steps), as far as they ran."""
    if "inventory" in steps:
        print_inventory(steps["inventory"])
    if "potentials" in steps:
        print_potentials(steps["potentials"])
    if "classify" in steps:
        print_classification(steps["classify"])
    if "scenario" in steps:
        print_scenario(steps["scenario"])
    if "stopped" in steps:
        out.print(f"[yellow]{steps['stopped']['step']}: {steps['stopped']['reason']}[/yellow]")


def print_outputs(steps: dict[str, Any]) -> None:
    """The exports and the report written by ``heatplan run --all`` (or the demo), if any."""
    for fmt, written in steps.get("export", {}).items():
        out.print(f"export {fmt}: {written['path']}")
    if "report" in steps:
        report = steps["report"]
        pages = f", {report['pages']} pages" if report.get("pages") else ""
        out.print(
            f"report: {report['html']}"
            + (f" and {report['pdf']}{pages}" if report.get("pdf") else "")
        )


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "-":
        return f"{value:.0%}"
    return f"{value:,.0f}"
