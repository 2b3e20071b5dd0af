"""``heatplan calc ...``: a utility engineer's question answered in one line (no project)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from heatplan.cli.app import JsonOpt, calc_app, input_errors
from heatplan.console import emit_json, out


def _show(result: dict[str, Any], json_out: bool, lines: list[str]) -> None:
    if json_out:
        emit_json(result)
        return
    for line in lines:
        out.print(line)
    for message in result.get("messages", []):
        out.print(f"[yellow]•[/yellow] {message}")


@calc_app.command("heat-pump")
@input_errors
def heat_pump(
    source_in_c: Annotated[float, typer.Option(help="Source stream in [°C].")],
    source_out_c: Annotated[float, typer.Option(help="Source stream out [°C].")],
    sink_in_c: Annotated[float, typer.Option(help="Return of the heated stream [°C].")],
    sink_out_c: Annotated[float, typer.Option(help="Supply of the heated stream [°C].")],
    efficiency: Annotated[
        float | None,
        typer.Option(help="Lorenz efficiency [-] (default: fit to operating plants, data)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """COP of a large heat pump from its stream temperatures (Lorenz cycle)."""
    from heatplan.reference.heatpump import heat_pump_parameters, jesper_parameter_sets
    from heatplan.tech.heatpump import heat_pump_study

    result = heat_pump_study(
        source_in_c=source_in_c,
        source_out_c=source_out_c,
        sink_in_c=sink_in_c,
        sink_out_c=sink_out_c,
        parameters=heat_pump_parameters(),
        jesper_sets=jesper_parameter_sets(),
        efficiency=efficiency,
    )
    _show(result, json_out, [f"COP {result['cop']:.2f} (lift {result['temp_lift_k']:.0f} K)"])


@calc_app.command("wastewater")
@input_errors
def wastewater(
    flow_m3_per_day: Annotated[float, typer.Option(help="Mean effluent flow [m³/d].")],
    temp_c: Annotated[float, typer.Option(help="Lowest effluent temperature [°C].")],
    max_cooling_k: Annotated[float, typer.Option(help="Allowed cooling of the effluent [K].")],
    supply_temp_c: Annotated[float, typer.Option(help="Network supply temperature [°C].")],
    return_temp_c: Annotated[float | None, typer.Option(help="Network return [°C].")] = None,
    requested_heat_mwh_per_a: Annotated[
        float | None, typer.Option(help="Heat the project wants [MWh/a].")
    ] = None,
    requested_capacity_kw: Annotated[
        float | None, typer.Option(help="Heat-pump capacity the project wants [kW].")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Heat from treated sewage-plant effluent with a large heat pump, hour by hour."""
    from heatplan.potentials.wastewater import wastewater_study

    result = wastewater_study(
        flow_m3_per_day=flow_m3_per_day,
        temp_c=temp_c,
        max_cooling_k=max_cooling_k,
        supply_temp_c=supply_temp_c,
        return_temp_c=return_temp_c,
        requested_heat_mwh_per_a=requested_heat_mwh_per_a,
        requested_capacity_kw=requested_capacity_kw,
    )
    verdict = "feasible" if result["feasible"] else "[bold red]not feasible[/bold red]"
    _show(
        result,
        json_out,
        [
            f"source heat {result['source_heat_kw']:,.0f} kW, heat-pump output "
            f"{result['heat_output_kw']:,.0f} kW at COP {result['cop']:.2f}",
            f"{result['heat_mwh_per_a']:,.0f} MWh/a — {verdict}",
        ],
    )


@calc_app.command("biomass")
@input_errors
def biomass(
    green_cuttings_t_per_a: Annotated[float, typer.Option(help="Green cuttings [t/a].")] = 0.0,
    wood_waste_t_per_a: Annotated[float, typer.Option(help="Wood waste [t/a].")] = 0.0,
    biowaste_t_per_a: Annotated[float, typer.Option(help="Biowaste [t/a].")] = 0.0,
    sludge_t_dm_per_a: Annotated[float, typer.Option(help="Sewage sludge [t dry matter/a].")] = 0.0,
    json_out: JsonOpt = False,
) -> None:
    """Biogas CHP and pyrolysis from residues: heat, power and biochar (the Kahla case)."""
    from heatplan.potentials.biomass import biomass_study

    result = biomass_study(
        green_cuttings_t_per_a=green_cuttings_t_per_a,
        wood_waste_t_per_a=wood_waste_t_per_a,
        biowaste_t_per_a=biowaste_t_per_a,
        sludge_t_dm_per_a=sludge_t_dm_per_a,
    )
    _show(
        result,
        json_out,
        [
            f"heat {result['heat_mwh_per_a']:,.0f} MWh/a, power {result['power_mwh_per_a']:,.0f} "
            f"MWh/a, biochar {result['biochar_t_per_a']:,.0f} t/a"
        ],
    )


@calc_app.command("pv")
@input_errors
def pv(
    kwp: Annotated[float, typer.Option(help="Installed peak power [kWp].")],
    tilt: Annotated[float, typer.Option(help="Module tilt [°].")],
    azimuth: Annotated[float, typer.Option(help="Module azimuth, 180 = south [°].")],
    lat: Annotated[float, typer.Option(help="Latitude [°].")],
    lon: Annotated[float, typer.Option(help="Longitude [°].")],
    json_out: JsonOpt = False,
) -> None:
    """PV yield with the DWD test reference year of the location's region (pvlib)."""
    from heatplan.potentials.solar import pv_study

    result = pv_study(kwp=kwp, tilt=tilt, azimuth=azimuth, lat=lat, lon=lon)
    _show(
        result,
        json_out,
        [f"{result['yield_kwh_per_kwp']:,.0f} kWh/kWp·a, {result['annual_kwh']:,.0f} kWh/a"],
    )


@calc_app.command("decentral")
@input_errors
def decentral(
    heat_mwh_per_a: Annotated[float, typer.Option(help="Heat demand of the building [MWh/a].")],
    peak_kw: Annotated[float, typer.Option(help="Peak heat load of the building [kW].")],
    construction_year: Annotated[
        float | None, typer.Option(help="Construction year (heating curve; unknown: old).")
    ] = None,
    weather_region: Annotated[
        int, typer.Option(help="DWD TRY 2010 region 1..15 (SPF of the heat pumps).")
    ] = 12,
    year: Annotated[int, typer.Option(help="Price and catalogue year.")] = 2025,
    no_funding: Annotated[bool, typer.Option("--no-funding", help="Without BEG funding.")] = False,
    catalogue: Annotated[
        bool,
        typer.Option("--catalogue", help="Technology catalogue (DEA) instead of German prices."),
    ] = False,
    heat_pump_tariff: Annotated[
        str,
        typer.Option(
            "--heat-pump-tariff",
            help="Heat-pump electricity under § 14a EnWG: cheapest (of modules 1 and 2), "
            "module_1, module_2, module_3 or heat_pump_tariff (published average).",
        ),
    ] = "cheapest",
    json_out: JsonOpt = False,
) -> None:
    """Full cost of each decentral option for one building, with the sources of every figure."""
    import pandas as pd

    from heatplan.demand.climate import try_temperature
    from heatplan.options.decentral import Economics
    from heatplan.options.one_building import option_costs

    economics = Economics.defaults(
        year=year,
        cost_source="technology_catalogue" if catalogue else "installed_cost_de",
        heat_pump_tariff=heat_pump_tariff,
    )
    options = option_costs(
        heat_mwh_per_a,
        peak_kw,
        temp_air_c=pd.Series(try_temperature(weather_region)),
        economics=economics,
        construction_year=construction_year,
        with_funding=not no_funding,
    )
    result = {
        "heat_mwh_per_a": heat_mwh_per_a,
        "peak_kw": peak_kw,
        "weather_region": weather_region,
        "funding": not no_funding,
        "options": [o.to_dict() for o in options],
    }
    lines = [
        f"{o.label}: {o.investment_eur:,.0f} EUR ({o.price_year}), Förderung "
        f"{o.grant_eur:,.0f} EUR, Effizienz {o.efficiency:.2f}, "
        f"Vollkosten {o.lcoh_eur_per_mwh:,.0f} EUR/MWh (volkswirtschaftlich "
        f"{o.lcoh_economic_eur_per_mwh:,.0f}), "
        f"Energiepreis {o.energy_price_eur_per_mwh:,.0f} EUR/MWh"
        for o in options
    ]
    _show(result, json_out, lines)
