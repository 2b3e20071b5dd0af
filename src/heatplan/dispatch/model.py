"""The generation portfolio of a heat network for the hourly dispatch: units, prices, demand.

All powers are in kW (thermal unless the name says ``_kw_el``), energies in kWh per time step of
one hour, prices in EUR/MWh of the energy bought (fuels on the net calorific value Hi, the basis
of the efficiencies and of ``carriers.csv``), money in EUR of the price year of the inputs.

A unit whose capacity is ``None`` is sized by the linear program; its annualised cost per kW
(capital annuity plus fixed O&M, see :func:`heatplan.tech.economics.annual_cost_eur_per_a`)
is then part of the objective. Series (COP, source limit, prices) are numbers per hour of the
demand series; a scalar is used for every hour.

Checks (named ``ValueError`` messages): negative or missing demand, an efficiency above its
physical bound, a COP below 1, a series whose length differs from the demand's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heatplan.reference import carriers
from heatplan.reference.emissions import DEFAULT_GRID_PATH

#: Heat-pump sources the WPG counts as renewable (environmental heat) or as unavoidable waste heat.
HEAT_PUMP_SOURCES = ("wastewater", "river", "lake", "ground", "air", "waste_heat")


def _hs_hi_ratio(carrier: str) -> float:
    table = carriers()
    if carrier not in table.index:
        raise ValueError(f"carrier {carrier!r} is unknown; carriers.csv has {list(table.index)}")
    return float(table["hs_hi_ratio"].astype(float)[carrier])


def _fraction(name: str, value: float, upper: float = 1.0) -> float:
    if not (0.0 < float(value) <= upper):
        raise ValueError(f"{name} must be in (0, {upper:g}]; got {value!r}")
    return float(value)


def _nonnegative(name: str, value: float | None) -> None:
    if value is not None and not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")


def hourly(name: str, values: Any, hours: int) -> np.ndarray:
    """``values`` as a float array of ``hours`` entries; a scalar is repeated.

    Raises ValueError naming ``name`` if the length differs or a value is missing.
    """
    array = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, float)
    if array.ndim == 0:
        array = np.full(hours, float(array))
    if array.shape != (hours,):
        raise ValueError(f"{name} has {array.size} values; the demand series has {hours} hours")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has missing or infinite values at hours {_bad(array)}")
    return array


def _bad(array: np.ndarray) -> list[int]:
    return np.flatnonzero(~np.isfinite(array))[:5].tolist()


@dataclass(frozen=True)
class HeatPump:
    """Large heat pump on an environmental or waste-heat source (wastewater, river, ...).

    ``cop`` [-] per hour; ``source_limit_kw`` is the heat the source can give per hour [kW]
    (e.g. effluent flow x 1.164 kWh/(m³ K) x usable cooling): the heat delivered is at most
    source / (1 - 1/COP). ``capacity_kw`` None sizes the unit.
    """

    name: str
    cop: Any
    capacity_kw: float | None
    source_limit_kw: Any = None
    source: str = "wastewater"
    annualised_cost_eur_per_kw_a: float = 0.0
    variable_om_eur_per_mwh: float = 0.0

    def __post_init__(self) -> None:
        _nonnegative(f"{self.name}.capacity_kw", self.capacity_kw)
        _nonnegative(f"{self.name}.annualised_cost_eur_per_kw_a", self.annualised_cost_eur_per_kw_a)
        if self.source not in HEAT_PUMP_SOURCES:
            raise ValueError(f"{self.name}.source must be one of {HEAT_PUMP_SOURCES}")


@dataclass(frozen=True)
class PowerToHeat:
    """Electrode or resistance boiler: heat = efficiency x electricity."""

    name: str
    capacity_kw: float | None
    efficiency: float = 0.99
    annualised_cost_eur_per_kw_a: float = 0.0
    variable_om_eur_per_mwh: float = 0.0

    def __post_init__(self) -> None:
        _fraction(f"{self.name}.efficiency", self.efficiency)
        _nonnegative(f"{self.name}.capacity_kw", self.capacity_kw)


@dataclass(frozen=True)
class Boiler:
    """Heat-only boiler burning ``carrier`` (natural_gas, biogas, wood, ...).

    ``efficiency`` is on the net calorific value Hi; it may exceed 1 for condensing boilers up to
    the carrier's Hs/Hi ratio (``carriers.csv``), never beyond.
    """

    name: str
    carrier: str
    efficiency: float
    capacity_kw: float | None
    annualised_cost_eur_per_kw_a: float = 0.0
    variable_om_eur_per_mwh: float = 0.0

    def __post_init__(self) -> None:
        _fraction(f"{self.name}.efficiency", self.efficiency, _hs_hi_ratio(self.carrier))
        _nonnegative(f"{self.name}.capacity_kw", self.capacity_kw)


@dataclass(frozen=True)
class Chp:
    """Combined heat and power plant, sized by its heat output; the power is sold.

    Per kWh of heat it burns 1/efficiency_thermal kWh of fuel and sells
    efficiency_electric/efficiency_thermal kWh of electricity at ``power_price_eur_per_mwh``
    (the revenue per MWh sold, e.g. day-ahead price plus any CHP bonus; scalar or hourly).
    """

    name: str
    carrier: str
    efficiency_electric: float
    efficiency_thermal: float
    capacity_kw: float | None
    power_price_eur_per_mwh: Any
    annualised_cost_eur_per_kw_a: float = 0.0
    variable_om_eur_per_mwh: float = 0.0

    def __post_init__(self) -> None:
        _fraction(f"{self.name}.efficiency_electric", self.efficiency_electric)
        _fraction(f"{self.name}.efficiency_thermal", self.efficiency_thermal)
        total = self.efficiency_electric + self.efficiency_thermal
        _fraction(
            f"{self.name}.efficiency_electric + efficiency_thermal",
            total,
            _hs_hi_ratio(self.carrier),
        )
        _nonnegative(f"{self.name}.capacity_kw", self.capacity_kw)


@dataclass(frozen=True)
class Storage:
    """Hot-water heat store: level(t) = level(t-1) (1 - loss) + eta_c charge - discharge / eta_d.

    The level at the end of the period equals the level before its first hour (cyclic).
    ``capacity_kwh`` None sizes the store.
    """

    name: str
    capacity_kwh: float | None
    charge_kw: float
    discharge_kw: float
    loss_per_h: float = 0.0
    efficiency_charge: float = 1.0
    efficiency_discharge: float = 1.0
    annualised_cost_eur_per_kwh_a: float = 0.0

    def __post_init__(self) -> None:
        _nonnegative(f"{self.name}.capacity_kwh", self.capacity_kwh)
        _nonnegative(f"{self.name}.charge_kw", self.charge_kw)
        _nonnegative(f"{self.name}.discharge_kw", self.discharge_kw)
        if not 0.0 <= self.loss_per_h < 1.0:
            raise ValueError(f"{self.name}.loss_per_h must be in [0, 1); got {self.loss_per_h!r}")
        _fraction(f"{self.name}.efficiency_charge", self.efficiency_charge)
        _fraction(f"{self.name}.efficiency_discharge", self.efficiency_discharge)


@dataclass(frozen=True)
class Prices:
    """Energy prices: electricity per hour, fuels per carrier (scalar or hourly), CO2 price.

    ``co2_eur_per_t`` applies to the fossil CO2 of the fuels burnt (BEHG / EU ETS); biogenic
    carriers are not priced. Grid electricity carries its CO2 cost inside its price.
    """

    electricity_eur_per_mwh: Any
    fuel_eur_per_mwh: Mapping[str, Any] = field(default_factory=dict)
    co2_eur_per_t: float = 0.0

    def __post_init__(self) -> None:
        _nonnegative("co2_eur_per_t", self.co2_eur_per_t)


Unit = HeatPump | PowerToHeat | Boiler | Chp


@dataclass(frozen=True)
class Portfolio:
    """Demand series, units and prices of one dispatch problem.

    ``demand_kw`` is best a Series with an hourly DatetimeIndex (messages then name the hour).
    ``year`` chooses the grid electricity emission factor on grid path ``grid_emission_path``
    (:data:`heatplan.reference.emissions.GRID_PATHS`; year None: GEG factor of carriers.csv).
    """

    demand_kw: Any
    prices: Prices
    heat_pumps: Sequence[HeatPump] = ()
    power_to_heat: Sequence[PowerToHeat] = ()
    boilers: Sequence[Boiler] = ()
    chps: Sequence[Chp] = ()
    storages: Sequence[Storage] = ()
    year: int | None = None
    min_renewable_share: float = 0.0
    grid_emission_path: str = DEFAULT_GRID_PATH

    def __post_init__(self) -> None:
        demand = np.asarray(self.demand_kw, float)
        if demand.ndim != 1 or demand.size == 0:
            raise ValueError("demand_kw must be a non-empty series of hourly values [kW]")
        if not np.all(np.isfinite(demand)):
            raise ValueError(f"demand_kw has missing values at hours {_bad(demand)}")
        if np.any(demand < 0):
            hour = int(np.argmin(demand))
            raise ValueError(f"demand_kw must be >= 0; got {demand[hour]:g} kW at hour {hour}")
        if not 0.0 <= self.min_renewable_share <= 1.0:
            raise ValueError(
                f"min_renewable_share must be in [0, 1]; got {self.min_renewable_share!r}"
            )
        names = [unit.name for unit in self.units] + [store.name for store in self.storages]
        if len(set(names)) != len(names):
            raise ValueError(f"unit names must be unique; got {names}")
        if not self.units:
            raise ValueError(
                "the portfolio has no generator (heat pump, power-to-heat, boiler, CHP)"
            )
        self._check_series()

    def _check_series(self) -> None:
        hours = self.hours
        hourly("prices.electricity_eur_per_mwh", self.prices.electricity_eur_per_mwh, hours)
        for pump in self.heat_pumps:
            if np.any(hourly(f"{pump.name}.cop", pump.cop, hours) < 1.0):
                raise ValueError(f"{pump.name}.cop must be >= 1 in every hour")
            if pump.source_limit_kw is not None:
                limit = hourly(f"{pump.name}.source_limit_kw", pump.source_limit_kw, hours)
                if np.any(limit < 0):
                    raise ValueError(f"{pump.name}.source_limit_kw must be >= 0")
        fired: list[Boiler | Chp] = [*self.boilers, *self.chps]
        for unit in fired:
            if unit.carrier not in self.prices.fuel_eur_per_mwh:
                raise ValueError(f"{unit.name}: prices.fuel_eur_per_mwh has no {unit.carrier!r}")
            hourly(f"fuel price {unit.carrier}", self.prices.fuel_eur_per_mwh[unit.carrier], hours)
        for chp in self.chps:
            hourly(f"{chp.name}.power_price_eur_per_mwh", chp.power_price_eur_per_mwh, hours)

    @property
    def hours(self) -> int:
        """Number of hourly time steps."""
        return int(np.asarray(self.demand_kw).size)

    @property
    def units(self) -> list[Unit]:
        """Generators in LP column order: heat pumps, power-to-heat, boilers, CHP."""
        return [*self.heat_pumps, *self.power_to_heat, *self.boilers, *self.chps]

    @property
    def index(self) -> pd.Index:
        """The hourly index of the demand (a RangeIndex if it was given as an array)."""
        if isinstance(self.demand_kw, pd.Series):
            return self.demand_kw.index
        return pd.RangeIndex(self.hours, name="hour")

    def demand(self) -> np.ndarray:
        """Demand as a float array [kW]."""
        return np.asarray(self.demand_kw, float)


def hour_label(index: pd.Index, hour: int) -> str:
    """A readable name of time step ``hour``: '2025-01-14 08:00' or 'hour 13'."""
    if isinstance(index, pd.DatetimeIndex):
        return f"hour {index[hour]:%Y-%m-%d %H:%M}"
    return f"hour {hour}"
