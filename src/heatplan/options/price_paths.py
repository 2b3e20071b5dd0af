"""Household energy prices year by year: today's price plus the change of the CO2 price on fuels.

The national CO2 price on heating fuels (BEHG, fixed prices to 2025, a corridor in 2026) passes
into the household gas price with VAT; from the start of the EU ETS2 it follows one of three
paths (``data/co2_price_paths.csv``: low, central, high, each with its source). Household gas
also pays a network fee that grows as the network's gas volume falls
(:mod:`heatplan.options.tariffs`). A price path
enters a full-cost comparison as its levelised value over the observation period: the constant
price with the same present value (VDI 2067-1 demand-related annuity, the price-dynamic factor
replaced by the path itself). Electricity and wood carry no national CO2 price (power stations
are in the EU ETS, whose price is inside today's tariff; biogenic CO2 counts zero).

Examples
--------
>>> co2_price_eur_per_t("central", [2024, 2026, 2035, 2045]).tolist()
[45.0, 60.0, 150.0, 150.0]
>>> gas = household_price_eur_per_mwh("natural_gas_household_eur_per_mwh", [2025, 2035], "central")
>>> [round(float(p), 1) for p in gas]  # 2035: CO2 +22.8, network fee x 1/0.55 +21.4
[122.4, 166.7]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from heatplan.options import tariffs
from heatplan.reference import parameter, table

PATHS_FILE = "co2_price_paths.csv"
PRICES_FILE = "energy_prices.csv"
FACTORS_FILE = "co2_price_factors.csv"
ECONOMICS_FILE = "economic_parameters.csv"
#: The ETS2 paths after the statutory BEHG prices.
PATHS = ("low", "central", "high")
#: Carrier whose combustion CO2 is priced, for each household price of energy_prices.csv.
PRICED_CARRIER = {
    "natural_gas_household_eur_per_mwh": "natural_gas",
    "natural_gas_multifamily_eur_per_mwh": "natural_gas",
}
#: Household prices that hold the gas distribution network fee (gas_network_fees.csv).
GAS_NETWORK_FEE = ("natural_gas_household_eur_per_mwh", "natural_gas_multifamily_eur_per_mwh")


@cache
def _path_points(path: str) -> tuple[np.ndarray, np.ndarray]:
    if path not in PATHS:
        raise ValueError(f"CO2 price path {path!r}: choose {', '.join(PATHS)}")
    frame = table(PATHS_FILE)
    rows = frame[frame["path"].isin(["statutory", path])].sort_values("year")
    return rows["year"].to_numpy(float), rows["eur_per_t"].to_numpy(float)


def co2_price_eur_per_t(path: str, years: Sequence[float] | np.ndarray) -> np.ndarray:
    """CO2 price on heating fuels [EUR/t] in each year: 0 before 2021, the last value after."""
    known, price = _path_points(path)
    when = np.asarray(years, dtype=float)
    return np.where(when < known[0], 0.0, np.interp(when, known, price))


def household_price_eur_per_mwh(
    price_key: str,
    years: Sequence[float] | np.ndarray,
    path: str,
    gas_volume: tariffs.VolumePath | None = None,
) -> np.ndarray:
    """Household price [EUR/MWh, incl. VAT] of ``price_key`` (energy_prices.csv) in each year.

    Today's price holds the CO2 price of its price year; later years add the change of the
    CO2 price on the carrier (:func:`co2_surcharge_eur_per_mwh`) and, for household gas, the
    growth of the network fee as the gas volume falls along ``gas_volume`` (None: the data
    path; :func:`heatplan.options.tariffs.gas_fee_surcharge_eur_per_mwh`). Real terms of the
    price year.
    """
    prices = table(PRICES_FILE).set_index("parameter")
    base = float(prices["value"].astype(float)[price_key])
    base_year = float(prices["price_year"].astype(float)[price_key])
    carrier = PRICED_CARRIER.get(price_key, "")
    price = base + co2_surcharge_eur_per_mwh(carrier, years, path, base_year=base_year)
    if price_key in GAS_NETWORK_FEE:
        price = price + tariffs.gas_fee_surcharge_eur_per_mwh(years, gas_volume)
    return price


def levelised_price_eur_per_mwh(
    price_key: str,
    *,
    start_year: int,
    period_a: float,
    interest_rate: float,
    path: str,
    gas_volume: tariffs.VolumePath | None = None,
) -> float:
    """The constant price with the present value of the path over ``period_a`` years [EUR/MWh].

    Years ``start_year`` .. ``start_year + T - 1`` are discounted as years 1 .. T (VDI 2067-1).
    """
    years = np.arange(start_year, start_year + round(period_a))
    discount = (1.0 + interest_rate) ** -np.arange(1, len(years) + 1)
    prices = household_price_eur_per_mwh(price_key, years, path, gas_volume)
    return float(np.sum(prices * discount) / np.sum(discount))


def price_table(path: str, years: Sequence[int]) -> pd.DataFrame:
    """The household prices of the comparison per year [EUR/MWh] and the CO2 price [EUR/t]."""
    keys = table(PRICES_FILE)["parameter"].astype(str)
    frame = pd.DataFrame(
        {k: household_price_eur_per_mwh(k, years, path) for k in keys if "household" in k or
         "heat_pump" in k or "pellets" in k},
        index=pd.Index(list(years), name="year"),
    )  # fmt: skip
    frame["co2_eur_per_t"] = co2_price_eur_per_t(path, years)
    return frame


def co2_surcharge_eur_per_mwh(
    carrier: str, years: Sequence[float] | np.ndarray, path: str, *, base_year: float
) -> np.ndarray:
    """What the CO2 path adds to a household price of ``carrier`` [EUR/MWh incl. VAT] in each
    year against ``base_year`` (the price year of today's price); 0 for unpriced carriers."""
    factors = table(FACTORS_FILE).set_index("carrier")["co2_t_per_mwh"].astype(float)
    if carrier not in factors.index or carrier in ("biogas", "wood"):
        return np.zeros(len(np.asarray(years)))
    change = co2_price_eur_per_t(path, years) - co2_price_eur_per_t(path, [base_year])[0]
    return change * float(factors[carrier]) * (1.0 + parameter(ECONOMICS_FILE, "vat_rate"))
