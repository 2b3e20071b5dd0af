"""ANIKA (Jena): heat from the central sewage plant's effluent, from the published figures alone.

Published (project figures of Stadtwerke Energie Jena-Pößneck; no primary document traced):
plant for 210,000 population equivalents, ~14,000 m³/day average, treated effluent >= 12 °C all
year; planned ~20 MW large heat pump (+ 4 MW power-to-heat and storage), stated potential
120 GWh/a. Nothing else is assumed here but heatplan's sourced
defaults (data/wastewater_*.csv): 5 K cooling, 80/50 °C network, Lorenz efficiency 0.55.

Run:  .venv/bin/python examples/anika/anika.py
"""

from __future__ import annotations

from heatplan.potentials.wastewater import (
    effluent_heat_pump,
    synthesise_flow_m3_per_h,
    synthesise_temp_c,
    wastewater_study,
)
from heatplan.potentials.water_heat import parameter

FLOW_M3_PER_DAY = 14_000.0  # published average
POPULATION_EQUIVALENTS = 210_000.0  # published plant size
TEMP_MIN_C = 12.0  # published: treated effluent >= 12 °C all year
SUPPLY_TEMP_C = 80.0
MAX_COOLING_K = 5.0
PUBLISHED_CAPACITY_KW = 20_000.0
PUBLISHED_HEAT_MWH_PER_A = 120_000.0


def hourly_effluent() -> None:
    flow = synthesise_flow_m3_per_h(flow_m3_per_day=FLOW_M3_PER_DAY)
    temp = synthesise_temp_c(temp_min_c=TEMP_MIN_C)
    hourly = effluent_heat_pump(
        flow, temp, max_cooling_k=MAX_COOLING_K, supply_temp_c=SUPPLY_TEMP_C
    )
    print("Hourly effluent synthesised (seasonal 12-20 °C), a Tuesday in February:")
    day = hourly.loc["2025-02-11"]
    for stamp, row in day.iloc[::3].iterrows():
        print(
            f"  {stamp:%H:%M}  {row['flow_m3_per_h']:6.0f} m³/h  {row['temp_c']:5.1f} °C  "
            f"source {row['source_heat_kw']:6,.0f} kW  COP {row['cop']:.2f}  "
            f"heat {row['heat_output_kw']:6,.0f} kW"
        )
    monthly = hourly.resample("MS").mean()
    print("\nMonthly means:")
    for stamp, row in monthly.iterrows():
        print(
            f"  {stamp:%b}  {row['temp_c']:5.1f} °C  COP {row['cop']:.2f}  "
            f"heat {row['heat_output_kw']:6,.0f} kW  electricity {row['electricity_kw']:6,.0f} kW"
        )


def study(label: str, **extra: object) -> dict[str, object]:
    result = wastewater_study(
        flow_m3_per_day=FLOW_M3_PER_DAY,
        temp_c=TEMP_MIN_C,
        max_cooling_k=MAX_COOLING_K,
        supply_temp_c=SUPPLY_TEMP_C,
        requested_capacity_kw=PUBLISHED_CAPACITY_KW,
        requested_heat_mwh_per_a=PUBLISHED_HEAT_MWH_PER_A,
        **extra,  # type: ignore[arg-type]
    )
    print(f"\n{label}")
    print(
        f"  source heat {result['source_heat_kw']:,.0f} kW, heat-pump output "
        f"{result['heat_output_kw']:,.0f} kW on average ({result['heat_output_min_kw']:,.0f}-"
        f"{result['heat_output_max_kw']:,.0f} kW by hour), seasonal COP {result['cop']:.2f}"
    )
    print(
        f"  {result['potential_heat_mwh_per_a']:,.0f} MWh/a of heat for "
        f"{result['electricity_mwh_per_a']:,.0f} MWh/a of electricity; a 20 MW heat pump on "
        f"this effluent alone would run {result['full_load_hours']:,.0f} full-load hours"
    )
    print(f"  published 20 MW / 120 GWh/a feasible from this effluent: {result['feasible']}")
    for message in result["messages"]:  # type: ignore[attr-defined]
        print(f"  - {message}")
    return result


def main() -> None:
    print(__doc__.split("Run:")[0])
    estimated = POPULATION_EQUIVALENTS * parameter("specific_flow_l_per_pe_d") / 1000
    print(
        f"Cross-check: {POPULATION_EQUIVALENTS:,.0f} PE x "
        f"{parameter('specific_flow_l_per_pe_d'):g} l/(PE·d) would be {estimated:,.0f} m³/d; "
        f"the published {FLOW_M3_PER_DAY:,.0f} m³/d is "
        f"{FLOW_M3_PER_DAY / POPULATION_EQUIVALENTS * 1000:.0f} l per design PE and day "
        "(design PE include industry and reserve), so the published flow is used.\n"
    )
    hourly_effluent()
    study("Effluent held at 12 °C all year (conservative):")
    study("Effluent as an annual sinusoid 12-20 °C:", seasonal=True)


if __name__ == "__main__":
    main()
