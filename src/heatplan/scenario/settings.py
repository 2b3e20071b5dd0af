"""Scenario settings with sourced defaults, and the named variants.

Every default comes from ``data/scenario_parameters.csv`` (plus the heat-pump seasonal
performance factors of ``heater_types.csv`` and the household prices of ``energy_prices.csv``);
a variant (``data/scenario_variants.csv``) overrides some of them (see
:mod:`heatplan.scenario.variants`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from heatplan.reference import heater_types, parameter, table
from heatplan.reference.emissions import GRID_PATHS

#: Household price of each carrier the bills use: carrier -> parameter of energy_prices.csv.
HOUSEHOLD_PRICES = {
    "natural_gas": "natural_gas_household_eur_per_mwh",
    "electricity": "electricity_heat_pump_eur_per_mwh",
    "wood": "wood_pellets_eur_per_mwh",
}
PARAMETERS = "scenario_parameters.csv"
VARIANTS_FILE = "scenario_variants.csv"
PRICES = "energy_prices.csv"
DEPTHS = ("usual", "advanced")


def _text(name: str) -> str:
    frame = table(PARAMETERS, as_text=True).set_index("parameter")
    return str(frame.loc[name, "value"])


def _value(name: str) -> float:
    return parameter(PARAMETERS, name)


def _prefixed(prefix: str) -> dict[str, float]:
    frame = table(PARAMETERS, as_text=True)
    rows = frame[frame["parameter"].str.startswith(prefix)]
    return {
        p.removeprefix(prefix): float(v)
        for p, v in zip(rows["parameter"], rows["value"], strict=True)
    }


def _prices() -> dict[str, float]:
    prices = {carrier: parameter(PRICES, key) for carrier, key in HOUSEHOLD_PRICES.items()}
    for key, value in _prefixed("price_").items():
        prices[key.removesuffix("_eur_per_mwh")] = value
    return prices


def _years(prefix: str) -> tuple[tuple[int, float], ...]:
    return tuple(sorted((int(year), value) for year, value in _prefixed(prefix).items()))


@dataclass(frozen=True)
class ScenarioSettings:
    """Assumptions of one target-scenario pathway (years [a], shares [-], rates [1/a])."""

    base_year: int
    target_year: int
    renovation_rate_start: float
    renovation_rate_end: float
    renovation_ramp_end_year: int
    renovation_depth: str
    renovation_cost_eur_per_m2: float
    lifetime_a: Mapping[str, float]
    overdue_spread_a: int
    geg65_from_year: int
    fossil_end_year: int
    gas_blend_installed_from: int
    gas_blend_shares: tuple[tuple[int, float], ...]
    max_wait_a: int
    renewable_share_before_geg: float
    decentral_biomass_share: float
    heat_pump_air_share: float
    spf_air: float
    spf_ground: float
    connection_share_max: float
    network_buildout_a: int
    network_loss_share: float
    network_renewable_share: tuple[tuple[int, float], ...]
    network_biomass_share_of_renewable: float
    network_heat_pump_technology: str
    network_fossil_technology: str
    network_biomass_technology: str
    new_boiler_technology: str
    biomass_boiler_technology: str
    hydrogen_network: bool
    hydrogen_from_year: int
    hydrogen_min_gas_share: float
    hydrogen_electrolysis_technology: str
    hydrogen_renewable_max_g_per_kwh: float
    unknown_carrier: str
    prices_eur_per_mwh: Mapping[str, float] = field(default_factory=dict)
    #: CO2 price path of household fuels (options.price_paths.PATHS); None: today's prices.
    co2_price_path: str | None = "central"
    #: Grid emission path (reference.emissions.GRID_PATHS): grid factor of each year.
    grid_emission_path: str = "projection"
    #: Emission factor of hydrogen [g CO2e/kWh incl. upstream], e.g. a supplier's certified
    #: factor; None: electrolysis with the grid path's electricity of each year
    #: (:func:`heatplan.scenario.pathway.hydrogen_factor_g_per_kwh`).
    hydrogen_co2_g_per_kwh: float | None = None

    def __post_init__(self) -> None:
        if not self.base_year < self.target_year:
            raise ValueError(
                f"base_year {self.base_year} must be before target_year {self.target_year}"
            )
        if self.renovation_depth not in DEPTHS:
            raise ValueError(
                f"renovation_depth must be one of {DEPTHS}, not {self.renovation_depth!r}"
            )
        for name in (
            "renovation_rate_start",
            "renovation_rate_end",
            "renewable_share_before_geg",
            "decentral_biomass_share",
            "heat_pump_air_share",
            "connection_share_max",
            "network_loss_share",
            "network_biomass_share_of_renewable",
            "hydrogen_min_gas_share",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0 or (name == "network_loss_share" and value >= 1.0):
                raise ValueError(f"{name} must be a share in 0..1 (losses below 1), got {value}")
        for name, points in (
            ("network_renewable_share", self.network_renewable_share),
            ("gas_blend_shares", self.gas_blend_shares),
        ):
            if not points or any(not 0.0 <= share <= 1.0 for _, share in points):
                raise ValueError(f"{name} needs (year, share) points with shares in 0..1: {points}")
        if self.grid_emission_path not in GRID_PATHS:
            raise ValueError(
                f"grid_emission_path {self.grid_emission_path!r}: choose {', '.join(GRID_PATHS)}"
            )
        if min(self.spf_air, self.spf_ground, self.network_buildout_a) <= 0:
            raise ValueError("spf_air, spf_ground and network_buildout_a must be > 0")
        h2 = self.hydrogen_co2_g_per_kwh
        if h2 is not None and not (np.isfinite(h2) and h2 >= 0.0):
            raise ValueError(f"hydrogen_co2_g_per_kwh must be a factor >= 0 g/kWh, got {h2}")

    @classmethod
    def defaults(cls, **overrides: Any) -> ScenarioSettings:
        """Settings from the data files; keyword arguments replace single values."""
        lifetimes = _prefixed("lifetime_a_")
        spf = heater_types()["efficiency"].astype(float)
        values: dict[str, Any] = {
            "base_year": int(_value("base_year")),
            "target_year": int(_value("target_year")),
            "renovation_rate_start": _value("renovation_rate_today"),
            "renovation_rate_end": _value("renovation_rate_today"),
            "renovation_ramp_end_year": int(_value("renovation_rate_target_year")),
            "renovation_depth": _text("renovation_depth"),
            "renovation_cost_eur_per_m2": _value("renovation_cost_eur_per_m2"),
            "lifetime_a": lifetimes,
            "gas_blend_shares": _years("gas_blend_share_"),
            "network_renewable_share": _years("network_renewable_share_"),
            "spf_air": float(spf["heat_pump_air"]),
            "spf_ground": float(spf["heat_pump_ground"]),
            "hydrogen_network": False,
            "prices_eur_per_mwh": _prices(),
        }
        for name in ("overdue_spread_a", "geg65_from_year", "fossil_end_year", "max_wait_a"):
            values[name] = int(_value(name))
        for name in ("gas_blend_installed_from", "network_buildout_a", "hydrogen_from_year"):
            values[name] = int(_value(name))
        for name in (
            "renewable_share_before_geg",
            "decentral_biomass_share",
            "heat_pump_air_share",
            "connection_share_max",
            "network_loss_share",
            "network_biomass_share_of_renewable",
            "hydrogen_min_gas_share",
            "hydrogen_renewable_max_g_per_kwh",
        ):
            values[name] = _value(name)
        for name in (
            "network_heat_pump_technology",
            "network_fossil_technology",
            "network_biomass_technology",
            "new_boiler_technology",
            "biomass_boiler_technology",
            "hydrogen_electrolysis_technology",
            "unknown_carrier",
        ):
            values[name] = _text(name)
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown scenario setting(s): {', '.join(sorted(unknown))}")
        values.update(overrides)
        return cls(**values)


def variant_names() -> tuple[str, ...]:
    """The named variants of ``scenario_variants.csv`` in file order."""
    return tuple(dict.fromkeys(table(VARIANTS_FILE, as_text=True)["variant"]))


def variant_settings(name: str, **overrides: Any) -> ScenarioSettings:
    """Settings of the named variant (``base``, ``fast_renovation``, ``hydrogen``)."""
    frame = table(VARIANTS_FILE, as_text=True)
    rows = frame[frame["variant"] == name]
    if rows.empty:
        raise ValueError(f"unknown scenario variant {name!r}; known: {', '.join(variant_names())}")
    values: dict[str, Any] = {}
    for key, text in zip(rows["parameter"], rows["value"], strict=True):
        values[key] = bool(float(text)) if key == "hydrogen_network" else float(text)
    values.update(overrides)
    return ScenarioSettings.defaults(**values)
