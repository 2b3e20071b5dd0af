"""Energy concepts for a company site: ``heatplan site study SITE.toml`` (``site plan`` is a
hidden alias of the first release)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from heatplan.cli.app import JsonOpt, app, input_errors
from heatplan.console import emit_json, out
from heatplan.errors import HeatplanError

site_app = typer.Typer(
    help="Company sites: PV, battery, heat, cold and EV charging sized on German tariffs.",
    no_args_is_help=True,
)
app.add_typer(site_app, name="site")


@site_app.command("study")
@input_errors
def study_cmd(
    file: Annotated[Path, typer.Argument(help="Site TOML file ([site], [load], [pv], ...).")],
    json_out: JsonOpt = False,
    solver: Annotated[
        str,
        typer.Option(
            help="HiGHS method: simplex (dual, devex), simplex-steepest, primal, ipm,"
            " ipm-no-crossover, choose."
        ),
    ] = "simplex",
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Solve the single quarter-hour LP (slow for a year) instead of sizing on"
            " 4-hour blocks (hourly if the gap exceeds 1 %) and dispatching the quarter hours"
            " with those sizes.",
        ),
    ] = False,
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", help="Also write the customer PDF (German) to this file."),
    ] = None,
) -> None:
    """Size PV, battery, heat pump, store, boiler, network connection and chiller for a site
    over a year in 15-minute steps (HiGHS; two stages, or one LP with --exact)."""
    _study(file, json_out, solver, exact, pdf)


def _study(
    file: Path,
    json_out: bool,
    solver: str = "simplex",
    exact: bool = False,
    pdf: Path | None = None,
) -> None:
    from heatplan.site.inputs import read_site
    from heatplan.site.study import study
    from heatplan.site.tariffs import site_costs

    if pdf is not None and not pdf.parent.is_dir():  # before the study, not after it
        raise HeatplanError(f"{pdf}: cannot write the PDF: folder {pdf.parent} does not exist")
    costs = site_costs()
    result = study(
        read_site(file, m2_per_kwp=costs.pv_m2_per_kwp),
        costs=costs,
        solver=solver,
        exact=exact,
        keep_series=pdf is not None,
    )
    pages = None if pdf is None else _write_pdf(file, result, pdf)
    if json_out:
        emit_json(result)
        return
    for line in [*summary_lines(result), *risk_lines(result)]:
        out.print(line, soft_wrap=True, markup=False)
    if pages is not None:
        out.print(f"PDF written: {pdf} ({pages} pages)", soft_wrap=True, markup=False)


def _write_pdf(file: Path, result: dict[str, Any], pdf: Path) -> int:
    """Write the customer PDF of ``result`` (its series are taken out of it); its pages."""
    from heatplan.site.report import data_basis, site_pdf

    series = result.pop("series")
    try:
        return site_pdf(result, series, data_basis(file), pdf)
    except OSError as error:
        raise HeatplanError(f"{pdf}: cannot write the PDF: {error}") from None


@site_app.command("plan", hidden=True)
@input_errors
def plan_cmd(
    file: Annotated[Path, typer.Argument(help="Site TOML file ([site], [load], [pv], ...).")],
    json_out: JsonOpt = False,
) -> None:
    """Alias of ``site study`` (the first release's name)."""
    _study(file, json_out)


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The English summary of a site study (the CLI speaks English, numbers included)."""
    sizes = result["sizes"]
    labels = {
        "pv_kwp": ("PV", "kWp"),
        "battery_kwh": ("battery", "kWh"),
        "battery_kw": ("battery power", "kW"),
        "heat_pump_kw": ("heat pump", "kW"),
        "store_kwh": ("heat store", "kWh"),
        "boiler_kw": ("gas boiler", "kW"),
        "network_kw": ("heat network connection", "kW"),
        "chiller_kw": ("chiller", "kW"),
    }
    built = ", ".join(
        f"{name} {sizes[key]:,.1f} {unit}" for key, (name, unit) in labels.items() if key in sizes
    )
    payback = result["simple_payback_a"]
    solver = result["solver"]
    if "upper_bound_eur_per_a" in solver:
        word = "gap" if solver["sizing_is_lower_bound"] else "difference to the sizing stage"
        quality = f"{word} {solver.get('gap', solver.get('difference')):.2%}"
    else:
        quality = f"gap {solver['mip_gap']:g}"
    stages = f" ({solver['stages']})" if "stages" in solver else ""
    return [
        f"{result['site']}: {built}",
        f"Investment {result['investment_eur']:,.0f} EUR, annual cost before "
        f"{result['annual_cost_before_eur_per_a']:,.0f} EUR/a, after "
        f"{result['annual_cost_after_eur_per_a']:,.0f} EUR/a, savings "
        f"{result['savings_eur_per_a']:,.0f} EUR/a, payback "
        + ("-" if payback is None else f"{payback:,.1f} a"),
        f"Peak {result['peak_before_kw']:,.1f} -> {result['peak_after_kw']:,.1f} kW, "
        f"self-sufficiency {result['self_sufficiency']:.1%}, self-consumption "
        + ("-" if result["self_consumption"] is None else f"{result['self_consumption']:.1%}")
        + f", CO2 {result['co2_before_t_per_a']:,.1f} -> {result['co2_after_t_per_a']:,.1f} t/a",
        f"Solver {solver['method']}{stages}: {', '.join(solver['status'])}, solve "
        f"{sum(solver['solve_time_s']):,.1f} s, {quality}",
        *_basis_lines(result),
    ]


def _basis_lines(result: dict[str, Any]) -> list[str]:
    """Where the network price came from and the § 19 (2) StromNEV check, if the study had them."""
    lines = []
    if result.get("network_price_basis"):
        lines.append(f"Heat network price: {result['network_price_basis']}")
    atypical = result.get("atypical_grid_use")
    if atypical:
        lines.append(
            f"Atypical grid use (§ 19 (2) StromNEV, {atypical['voltage_level']}): "
            + ("met" if atypical["met"] else "not met")
            + f", annual peak {atypical['annual_peak_kw']:,.1f} kW, window peak "
            f"{atypical['window_peak_kw']:,.1f} kW, saving {atypical['saving_eur_per_a']:,.0f} "
            f"EUR/a ({atypical['reason']})"
        )
    return lines


def risk_lines(result: dict[str, Any]) -> list[str]:
    """The price-risk line of a site study (none for a result without one)."""
    risk = result.get("price_risk")
    if risk is None:
        return []
    b, a = risk["before_eur_per_a"], risk["after_eur_per_a"]
    return [
        f"Price risk ({risk['samples']:,} paths, P10/median/P90): before "
        f"{b['p10']:,.0f}/{b['median']:,.0f}/{b['p90']:,.0f} EUR/a, after "
        f"{a['p10']:,.0f}/{a['median']:,.0f}/{a['p90']:,.0f} EUR/a; saves money in "
        f"{risk['probability_saving']:.0%} of the paths ({risk['note']})"
    ]
