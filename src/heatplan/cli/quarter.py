"""Energy concepts for a residential quarter: ``heatplan quarter study QUARTER.toml``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from heatplan.cli.app import HELP_MARKUP, JsonOpt, app, input_errors
from heatplan.console import emit_json, out
from heatplan.errors import HeatplanError

quarter_app = typer.Typer(
    help="Residential quarters: tenant power (EnWG § 42a/§ 42b), heat options, warm rent.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(quarter_app, name="quarter")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _eur(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _lines(summary: dict[str, Any]) -> list[str]:
    power = summary["tenant_power"]
    lines = [
        f"{summary['quarter']}: {summary['buildings']} buildings, {summary['apartments']} "
        f"apartments, PV {power['pv_kwp']:,.1f} kWp ({power['pv_kwh_per_a']:,.0f} kWh/a)",
    ]
    for key, label in (
        ("mieterstrom", "Mieterstrom (§ 42a)"),
        ("shared_supply", "Shared supply (§ 42b)"),
    ):
        c = power[key]
        lines.append(
            f"{label}: {c['participants']} participants, self-consumption "
            f"{_share(c['self_consumption'])}, self-sufficiency {_share(c['self_sufficiency'])}, "
            f"tenant saving {_eur(c['tenant_saving_eur_per_a'])} EUR/a, operator net "
            f"{_eur(c['operator_net_eur_per_a'])} EUR/a"
        )
    for name, o in summary["heat"]["options"].items():
        spf = o["seasonal_performance_factor"]
        lines.append(
            f"Heat {name}: {o['capacity_kw']:,.0f} kW, investment {o['investment_eur']:,.0f} EUR, "
            f"annual cost {o['annual_cost_eur_per_a']:,.0f} EUR/a"
            + (
                ""
                if spf is None
                else f", SPF {spf:.2f}, PV used {o['pv_used_kwh_per_a']:,.0f} kWh/a"
            )
        )
    lines.append(
        f"PV used in the quarter (tenants and heat pump): "
        f"{_share(summary['pv_self_consumption_with_heat_pump'])}"
    )
    rc = summary["rent_controlled"]
    for name, r in rc["concepts"].items():
        lines.append(
            f"Warm rent {name} (rent-controlled flats): {r['warm_rent_eur_per_m2_month']:.2f} "
            f"EUR/m² month = cold {r['cold_rent_eur_per_m2_month']:.2f} + levy "
            f"{r['levy_eur_per_m2_month']:.2f} + heating {r['heating_eur_per_m2_month']:.2f}"
        )
    for name, d in rc["electricity_saving_eur_per_m2_month"].items():
        text = "- (fewer than 5 apartments)" if d is None else f"{d['mean']:.2f} EUR/m² month"
        lines.append(f"Electricity saving {name} (rent-controlled flats, mean): {text}")
    return [*lines, *_car_park_lines(summary), *_risk_lines(summary)]


def _car_park_lines(summary: dict[str, Any]) -> list[str]:
    if "car_park" not in summary:
        return []
    park = summary["car_park"]
    if park is None:
        return ["Car park: - (fewer than 5 cars)"]
    lines = [
        f"Car park: {park['cars']} cars at {park['charger_kw']:g} kW, "
        f"{park['uncontrolled']['energy_kwh_per_a']:,.0f} kWh/a, charge points "
        f"{_eur(park['charge_points_investment_eur'])} EUR"
    ]
    for name in ("uncontrolled", "smart"):
        c = park[name]
        lines.append(
            f"Charging {name}: peak {c['peak_kw']:,.0f} kW, PV {_share(c['pv_share'])}, "
            f"electricity {_eur(c['electricity_cost_eur_per_a'])} EUR/a, "
            f"{c['cost_eur_per_kwh_incl_vat']:.3f} EUR/kWh incl. VAT and charge points"
        )
    return lines


def _risk_lines(summary: dict[str, Any]) -> list[str]:
    risk = summary.get("price_risk")
    if risk is None:
        return []
    lines = []
    for name, o in risk["options"].items():
        c, w = o["annual_cost_eur_per_a"], o["warm_rent_eur_per_m2_month"]
        cheaper = o.get("probability_cheaper_than_today")
        lines.append(
            f"Price risk {name} ({risk['samples']:,} paths, P10/median/P90): annual cost "
            f"{c['p10']:,.0f}/{c['median']:,.0f}/{c['p90']:,.0f} EUR/a, warm rent "
            f"{w['p10']:.2f}/{w['median']:.2f}/{w['p90']:.2f} EUR/m² month"
            + ("" if cheaper is None else f"; cheaper than gas today in {cheaper:.0%} of the paths")
        )
    return [*lines, f"({risk['note']})"]


@quarter_app.command("study")
@input_errors
def study_cmd(
    file: Annotated[Path, typer.Argument(help="Quarter TOML file ([quarter], [[building]], ...).")],
    json_out: JsonOpt = False,
    internal_csv: Annotated[
        Path | None,
        typer.Option(
            "--internal-csv",
            help="Also write the per-apartment table (personal meter data: internal only, "
            "never for publication).",
        ),
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            "--pdf",
            help="Also write the customer PDF (German; quarter totals and groups of at least "
            "five apartments only).",
        ),
    ] = None,
) -> None:
    """Tenant power, heat options and the warm rent of the rent-controlled flats of a quarter.

    The printed and --json result shows quarter totals and distributions over at least five
    apartments only.
    """
    from heatplan.quarter.inputs import read_quarter
    from heatplan.quarter.study import study

    if pdf is not None and not pdf.parent.is_dir():  # before the study, not after it
        raise HeatplanError(f"{pdf}: cannot write the PDF: folder {pdf.parent} does not exist")
    result = study(read_quarter(file))
    if internal_csv is not None:
        try:
            result.apartments.to_csv(internal_csv, index=False)
        except OSError as error:
            raise HeatplanError(f"{internal_csv}: cannot write: {error}") from None
    pages = None if pdf is None else _write_pdf(file, result.summary, pdf)
    if json_out:
        emit_json(result.summary)
        return
    for line in _lines(result.summary):
        out.print(line, soft_wrap=True, markup=False)
    if pages is not None:
        out.print(f"PDF written: {pdf} ({pages} pages)", soft_wrap=True, markup=False)


def _write_pdf(file: Path, summary: dict[str, Any], pdf: Path) -> int:
    """Write the customer PDF of a study's public summary; its number of pages."""
    from heatplan.quarter.report import data_basis, quarter_pdf

    try:
        return quarter_pdf(summary, data_basis(file), pdf)
    except OSError as error:
        raise HeatplanError(f"{pdf}: cannot write the PDF: {error}") from None
