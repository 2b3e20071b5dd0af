"""ANIKA generation for a Jena-Nord-like industrial load: 20 MW effluent heat pump, 4 MW
power-to-heat, a tank and a gas peak boiler, hour by hour (HiGHS).

Published (project figures of Stadtwerke Energie Jena-Pößneck; no primary document traced):
~14,000 m³/d treated effluent >= 12 °C; ~20 MW large heat pump, 4 MW power-to-heat, heat
storage; companies in Jena-Nord. The load is NOT published: this example assumes 35 GWh/a of
space heat of commercial and industrial buildings (BDEW profiles GMK metal/vehicle, GHA trade,
GKO offices: 20/7.5/7.5 GWh/a) plus 15 GWh/a of flat process heat, on the DWD test reference
year of Jena's region. Replace it with the companies' metered loads.

Run:  .venv/bin/python examples/anika/dispatch.py
"""

from __future__ import annotations

import pandas as pd

from heatplan.demand.profiles import class_profiles, german_holidays
from heatplan.potentials.solar import _region_for
from heatplan.steps.dispatch import Source, dispatch_study
from heatplan.steps.profiles import temperature_for_year
from heatplan.steps.weather import try_temperature

YEAR = 2025
JENA_LAT, JENA_LON = 50.93, 11.59
SPACE_HEAT_MWH = {"GMK_bc00_w0": 20_000.0, "GHA_bc00_w0": 7_500.0, "GKO_bc00_w0": 7_500.0}
PROCESS_HEAT_MWH = 15_000.0  # assumed, flat over the year
ANIKA_SIZES_KW = {"heat_pump": 20_000.0, "electrode_boiler": 4_000.0}


def industrial_load(temperature: pd.Series) -> pd.Series:
    """Hourly heat demand of the assumed Jena-Nord customers [kW]."""
    profiles = class_profiles(
        list(SPACE_HEAT_MWH), temperature, holidays=german_holidays(YEAR, "TH")
    )
    space = sum(profiles[name] * mwh * 1000.0 for name, mwh in SPACE_HEAT_MWH.items())
    process = PROCESS_HEAT_MWH * 1000.0 / len(temperature)
    return (space + process).rename("demand_kw")


def main() -> None:
    print(__doc__.split("Run:")[0])
    temperature = temperature_for_year(try_temperature(_region_for(JENA_LAT, JENA_LON)), YEAR)
    demand = industrial_load(temperature)
    print(f"load: {demand.sum() / 1e3:,.0f} MWh/a, peak {demand.max() / 1e3:,.1f} MW\n")
    effluent = Source("wastewater", flow_m3_per_day=14_000.0, temp_min_c=12.0, max_cooling_k=5.0)
    for label, sizes in (
        ("ANIKA sizes (20 MW HP, 4 MW PtH)", ANIKA_SIZES_KW),
        ("sized by the LP", {}),
    ):
        study = dispatch_study(
            demand,
            temperature,
            source=effluent,
            supply_temp_c=80.0,
            return_temp_c=50.0,
            year=YEAR,
            sizes=sizes,
            scenarios=True,
            samples=1000,
        )
        result = study.to_dict()
        print(label)
        for name, unit in result["generators"].items():
            print(
                f"  {name:17s} {unit['capacity_kw'] / 1e3:6.1f} MW  "
                f"{unit['heat_mwh_per_a']:9,.0f} MWh/a  {unit['full_load_hours']:6,.0f} h"
            )
        for name, kwh in result["storage_kwh"].items():
            print(f"  {name:17s} {kwh / 1e3:6.1f} MWh")
        print(
            f"  LCOH {result['lcoh_eur_per_mwh']:.1f} EUR/MWh vs gas boilers "
            f"{result['reference_gas_boiler_lcoh_eur_per_mwh']:.1f}; renewable "
            f"{result['renewable_share']:.0%}; CO2e {result['co2_t_per_a']:,.0f} t/a"
        )
        mc = result["monte_carlo"]
        p = mc["percentiles"]
        print(
            "  price paths: network p5/p50/p95 "
            + "/".join(f"{v:.0f}" for v in p["lcoh_eur_per_mwh"].values())
            + " EUR/MWh, gas "
            + "/".join(f"{v:.0f}" for v in p["reference_lcoh_eur_per_mwh"].values())
            + f"; network cheaper in {mc['probability_network_cheaper']:.0%} of paths\n"
        )


if __name__ == "__main__":
    main()
