"""Energy concepts for a company site: ``heatplan site plan SITE.toml``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatplan.cli.app import JsonOpt, app, input_errors
from heatplan.console import emit_json, out
from heatplan.formats import german

site_app = typer.Typer(
    help="Company sites: PV, battery and peak shaving sized on German tariffs.",
    no_args_is_help=True,
)
app.add_typer(site_app, name="site")


@site_app.command("plan")
@input_errors
def plan_cmd(
    file: Annotated[Path, typer.Argument(help="Site TOML file ([site], [load], [pv], ...).")],
    json_out: JsonOpt = False,
) -> None:
    """Size PV and battery for a site over a year in 15-minute steps (one LP, HiGHS)."""
    from heatplan.site.inputs import read_site
    from heatplan.site.study import study
    from heatplan.site.tariffs import site_costs

    costs = site_costs()
    result = study(read_site(file, m2_per_kwp=costs.pv_m2_per_kwp), costs=costs)
    if json_out:
        emit_json(result)
        return
    sizes = result["sizes"]
    lines = [
        f"{result['site']}: PV {sizes['pv_kwp']:,.1f} kWp, Batterie {sizes['battery_kwh']:,.1f} kWh"
        f" / {sizes['battery_kw']:,.1f} kW, Investition {result['investment_eur']:,.0f} EUR",
        f"Jahreskosten vorher {result['annual_cost_before_eur_per_a']:,.0f} EUR/a, nachher "
        f"{result['annual_cost_after_eur_per_a']:,.0f} EUR/a, Einsparung "
        f"{result['savings_eur_per_a']:,.0f} EUR/a",
        f"Spitze {result['peak_before_kw']:,.1f} -> {result['peak_after_kw']:,.1f} kW, "
        f"Autarkie {result['self_sufficiency']:.1%}, CO2 {result['co2_before_t_per_a']:,.1f} -> "
        f"{result['co2_after_t_per_a']:,.1f} t/a",
    ]
    for line in lines:
        out.print(german(line), soft_wrap=True)
