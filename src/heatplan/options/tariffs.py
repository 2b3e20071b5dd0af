"""Price components the buildings' full cost leans on: the gas network fee as customers leave,
and the heat pump's electricity under § 14a EnWG.

**Gas network fee.** The network part of the household gas price (``gas_network_fees.csv``) is
the network's cost over the gas it carries; the cost is largely fixed, so the fee grows as the
volume falls: ``fee_t = fee_0 x (volume_0 / volume_t)^elasticity``, at most ``max_fee_factor``
times today's. The volume path is the plan's scenario where there is one, else the default path
``gas_network_volume_path.csv``. What the growth adds to the household price carries VAT.

**Heat-pump electricity** (``heat_pump_tariffs.csv``): since 2024 a new heat pump is a
controllable device under § 14a EnWG and its network fee is reduced by one of the modules of the
BNetzA Festlegung BK8-22/010-A:

- ``module_1``: on the household meter at the household price, less a flat annual reduction
  ``(80 EUR + 20 % x Arbeitspreis x 3.75 MWh) x (1 + VAT)`` spread over the heat pump's
  electricity (at most the network fee of that electricity: no reduction below zero);
- ``module_2``: on its own meter, the Arbeitspreis of the network fee reduced by 60 %:
  household price ``- 0.6 x Arbeitspreis x (1 + VAT)`` plus the second meter's yearly cost;
- ``module_3`` (from April 2025, with module 1): module 1 plus a time-variable Arbeitspreis;
  the heat pump's electricity in the low-load windows pays the low tariff;
- ``cheapest`` (default): the cheaper of modules 1 and 2 for each building, as an owner would
  choose (both are open to any new heat pump);
- ``heat_pump_tariff``: the published average heat-pump tariff of ``energy_prices.csv``.

Examples
--------
>>> round(module_1_reduction_eur_per_a(network_fee_energy_price_eur_per_mwh=96.4), 2)
152.3
>>> fee_factor([1.0, 0.5, 0.1], elasticity=1.0, max_factor=4.0).tolist()
[1.0, 2.0, 4.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from heatplan.reference import parameter, table

GAS_FEES_FILE = "gas_network_fees.csv"
VOLUME_FILE = "gas_network_volume_path.csv"
TARIFFS_FILE = "heat_pump_tariffs.csv"
PRICES_FILE = "energy_prices.csv"
ECONOMICS_FILE = "economic_parameters.csv"
#: The heat-pump tariff settings (``[economics] heat_pump_tariff``).
HEAT_PUMP_TARIFFS = ("cheapest", "module_1", "module_2", "module_3", "heat_pump_tariff")
#: German names of the settings, for reasons and the CLI.
HEAT_PUMP_TARIFF_DE = {
    "cheapest": "günstigeres Modul 1 oder 2 nach § 14a EnWG",
    "module_1": "§ 14a EnWG Modul 1 (pauschale Netzentgeltreduzierung)",
    "module_2": "§ 14a EnWG Modul 2 (60 % weniger Netzentgelt-Arbeitspreis, eigener Zähler)",
    "module_3": "§ 14a EnWG Modul 3 (zeitvariables Netzentgelt mit Modul 1)",
    "heat_pump_tariff": "Wärmepumpentarif (Durchschnitt)",
}
#: A volume path: ((year, share of today's gas volume), ...).
VolumePath = tuple[tuple[float, float], ...]


def vat_rate() -> float:
    """The VAT rate on household energy and installations [-] (UStG § 12 (1))."""
    return parameter(ECONOMICS_FILE, "vat_rate")


# --- gas network fee ---------------------------------------------------------------------------


def fee_factor(
    volume_share: Sequence[float] | np.ndarray, *, elasticity: float, max_factor: float
) -> np.ndarray:
    """Network fee relative to today's for a volume ``volume_share`` of today's [-].

    ``(1 / volume_share)^elasticity``, capped at ``max_factor`` (no gas left: the cap).
    """
    share = np.asarray(volume_share, dtype=float)
    safe = np.where(share > 0, share, 1.0)
    raw = np.where(share > 0, safe**-elasticity, np.inf)
    return np.minimum(raw, max_factor)


def default_volume_path() -> VolumePath:
    """The data path of the gas volume (share of the first year's) by year."""
    rows = table(VOLUME_FILE).sort_values("year")
    return tuple(zip(rows["year"].astype(float), rows["volume_share"].astype(float), strict=True))


def volume_share(years: Sequence[float] | np.ndarray, path: VolumePath | None = None) -> np.ndarray:
    """Gas volume in each year as a share of the fee's price year [-] (held beyond the path)."""
    points = path or default_volume_path()
    known = np.array([p[0] for p in points], dtype=float)
    share = np.array([p[1] for p in points], dtype=float)
    base_year = parameter_year(GAS_FEES_FILE, "household_network_fee_eur_per_mwh")
    base = float(np.interp(base_year, known, share))
    when = np.asarray(years, dtype=float)
    return np.interp(when, known, share) / (base if base > 0 else 1.0)


def parameter_year(name: str, key: str) -> float:
    """``price_year`` of row ``key`` of parameter table ``name``."""
    return float(table(name).set_index("parameter")["price_year"].astype(float)[key])


def gas_fee_surcharge_eur_per_mwh(
    years: Sequence[float] | np.ndarray, path: VolumePath | None = None, *, gross: bool = True
) -> np.ndarray:
    """What the growing network fee adds to today's household gas price [EUR/MWh] per year.

    ``fee_0 x (fee_factor - 1)``, with VAT when ``gross`` (the household price is gross).
    """
    fee = parameter(GAS_FEES_FILE, "household_network_fee_eur_per_mwh")
    factor = fee_factor(
        volume_share(years, path),
        elasticity=parameter(GAS_FEES_FILE, "fee_volume_elasticity"),
        max_factor=parameter(GAS_FEES_FILE, "max_fee_factor"),
    )
    return fee * (factor - 1.0) * ((1.0 + vat_rate()) if gross else 1.0)


# --- heat-pump electricity under § 14a EnWG ----------------------------------------------------


def module_1_reduction_eur_per_a(
    *,
    network_fee_energy_price_eur_per_mwh: float,
    base_eur_per_a: float | None = None,
    share: float | None = None,
    reference_mwh: float | None = None,
) -> float:
    """Flat yearly network-fee reduction of § 14a module 1 [EUR/a, without VAT].

    ``base + share x Arbeitspreis x reference consumption`` (BK8-22/010-A, Anlage 1).
    """
    base = (
        parameter(TARIFFS_FILE, "module_1_base_eur_per_a")
        if base_eur_per_a is None
        else base_eur_per_a
    )
    part = parameter(TARIFFS_FILE, "module_1_share") if share is None else share
    mwh = (
        parameter(TARIFFS_FILE, "module_1_reference_mwh")
        if reference_mwh is None
        else reference_mwh
    )
    return base + part * network_fee_energy_price_eur_per_mwh * mwh


def heat_pump_price_components(
    electricity_mwh_per_a: Sequence[float] | np.ndarray | float, *, tariff: str
) -> dict[str, np.ndarray]:
    """The heat pump's electricity price [EUR/MWh incl. VAT] and its parts, per building.

    Keys: ``household_eur_per_mwh`` (the price before § 14a), ``reduction_eur_per_mwh`` (what
    the module takes off, per MWh of the heat pump), ``meter_eur_per_mwh`` (module 2's second
    meter), ``price_eur_per_mwh`` (what the owner pays) and ``module`` (1, 2, 3; 0: none).
    """
    if tariff not in HEAT_PUMP_TARIFFS:
        raise ValueError(f"heat-pump tariff {tariff!r}: choose {', '.join(HEAT_PUMP_TARIFFS)}")
    use = np.atleast_1d(np.asarray(electricity_mwh_per_a, dtype=float))
    safe = np.where(use > 0, use, np.nan)
    zeros = np.zeros(len(use))
    if tariff == "heat_pump_tariff":
        price = np.full(len(use), parameter(PRICES_FILE, "electricity_heat_pump_eur_per_mwh"))
        return _parts(price, zeros, zeros, zeros)
    household = parameter(TARIFFS_FILE, "household_electricity_eur_per_mwh")
    energy_fee = parameter(TARIFFS_FILE, "network_fee_energy_price_eur_per_mwh")
    gross = 1.0 + vat_rate()
    flat = module_1_reduction_eur_per_a(network_fee_energy_price_eur_per_mwh=energy_fee)
    # never below zero: heatplan caps the flat reduction at the network fee of the heat pump's
    # own electricity (the household's share of the shared meter is not counted)
    one = np.minimum(flat * gross / safe, energy_fee * gross)
    two = np.full(
        len(use), parameter(TARIFFS_FILE, "module_2_energy_price_reduction") * energy_fee * gross
    )
    meter = parameter(TARIFFS_FILE, "module_2_meter_eur_per_a") / safe
    low = parameter(TARIFFS_FILE, "module_3_low_window_consumption_share") * energy_fee * gross
    three = one + low * (1.0 - parameter(TARIFFS_FILE, "module_3_low_price_share"))
    full = np.full(len(use), household)
    if tariff == "module_1":
        return _parts(full, one, zeros, np.ones(len(use)))
    if tariff == "module_2":
        return _parts(full, two, meter, np.full(len(use), 2.0))
    if tariff == "module_3":
        return _parts(full, three, zeros, np.full(len(use), 3.0))
    second = two - meter > one
    return _parts(
        full,
        np.where(second, two, one),
        np.where(second, meter, 0.0),
        np.where(second, 2.0, 1.0),
    )


def _parts(
    household: np.ndarray, reduction: np.ndarray, meter: np.ndarray, module: np.ndarray
) -> dict[str, np.ndarray]:
    reduction = np.nan_to_num(reduction, nan=0.0)
    meter = np.nan_to_num(meter, nan=0.0)
    return {
        "household_eur_per_mwh": household,
        "reduction_eur_per_mwh": reduction,
        "meter_eur_per_mwh": meter,
        "price_eur_per_mwh": household - reduction + meter,
        "module": module,
    }


def heat_pump_price_eur_per_mwh(
    electricity_mwh_per_a: Sequence[float] | np.ndarray | float, *, tariff: str
) -> np.ndarray:
    """What a heat pump pays per MWh of electricity [EUR/MWh incl. VAT], per building."""
    return heat_pump_price_components(electricity_mwh_per_a, tariff=tariff)["price_eur_per_mwh"]
