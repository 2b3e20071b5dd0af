"""Hourly electricity of each building for the grid check: heat pump, household, electric car.

- Heat pump: hourly heat demand (BDEW/SigLinDe profile of the building's class, scaled to its
  annual heat demand: :func:`heatplan.demand.profiles.hourly_profiles`) divided by the hourly
  COP of an air-source heat pump at the plan's outdoor temperature and the building's heating
  curve (Staffell 2012 regression, :func:`heatplan.tech.heatpump_building.cop_building`).
- Household: the BDEW H0 standard load profile (demandlib) scaled to ``household_kwh_per_a``
  per household (``dwellings``, else ``households_per_building``).
- Electric car (optional share of households): ``ev_kwh_per_a`` per car, charged evenly in an
  evening window (``grid_parameters.csv``).

Standard profiles are the mean of many customers (coincidence built in): right for a feeder
or a transformer with dozens of houses, too smooth for a single house connection.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heatplan.demand.profiles import hourly_profiles
from heatplan.options.decentral import BUILDING_STATES, building_state, design_temperature_c
from heatplan.plan import columns as col
from heatplan.reference import parameter
from heatplan.reference.heatpump import heat_pump_parameters, heating_curve, staffell_coefficients
from heatplan.tech.heatpump_building import cop_building

PARAMETERS = "grid_parameters.csv"


@dataclass(frozen=True)
class BuildingLoads:
    """Hourly loads of the buildings [kW] (hours x buildings) and the heat-pump order; EV
    share is of households (one car per household at share 1)."""

    heat_pump_kw: np.ndarray  # if every building had an air-source heat pump (float32)
    household_kw: np.ndarray  # one household's hourly load (hours)
    households: np.ndarray  # households of each building
    ev_kw_per_car: np.ndarray  # one car's hourly charging (hours)
    hp_rank: np.ndarray  # position of each building in the heat-pump order (0 = first)

    def total_kw(
        self,
        *,
        hp_share: float,
        ev_share: float,
        hp_cap_kw: float | None = None,
        shift: bool = False,
    ) -> np.ndarray:
        """Hourly load [kW] at a heat-pump share of buildings and an EV share of households;
        ``hp_cap_kw`` caps each building's heat pump (§ 14a EnWG control, :func:`cap_kw`):
        the energy above the cap is cut, or with ``shift`` made up later (:func:`shifted_kw`)."""
        with_hp = self.hp_rank < round(hp_share * self.hp_rank.size)
        if hp_cap_kw is None:
            heat_pump = self.heat_pump_kw
        elif shift:
            heat_pump = self.shifted(hp_cap_kw).load_kw
        else:
            heat_pump = np.minimum(self.heat_pump_kw, hp_cap_kw)
        total = heat_pump * with_hp[None, :].astype(np.float32)
        total += np.outer(self.household_kw, self.households).astype(np.float32)
        total += np.outer(self.ev_kw_per_car, self.households * ev_share).astype(np.float32)
        return total

    def shifted(self, cap_kw: float) -> Shifted:
        """Every building's heat pump under the cap with the held-back energy made up later
        (:func:`shifted_kw`, reserve ``shift_reserve_h`` hours of its own peak); computed once
        per cap."""
        cache = self.__dict__.setdefault("_shifted", {})
        if cap_kw not in cache:
            reserve_kwh = parameter(PARAMETERS, "shift_reserve_h") * self.heat_pump_kw.max(axis=0)
            cache[cap_kw] = shifted_kw(self.heat_pump_kw, cap_kw, reserve_kwh)
        return cache[cap_kw]


@dataclass(frozen=True)
class Shifted:
    """A capped heat pump with its held-back energy made up later: the hourly load [kW]
    (hours x buildings), per building the energy delivered later instead of being cut and
    the energy lost because the building's reserve was full [kWh]."""

    load_kw: np.ndarray
    shifted_kwh: np.ndarray
    lost_kwh: np.ndarray


def shifted_kw(heat_pump_kw: np.ndarray, cap_kw: float, reserve_kwh: np.ndarray) -> Shifted:
    """§ 14a EnWG control that shifts instead of cutting (hours x buildings, hourly steps).

    Each hour a building's heat pump draws what it needs plus what is still owed, up to
    ``cap_kw``; what it cannot draw is owed to the next hours (the building's mass and store
    hold the heat meanwhile), as long as the owed energy stays within ``reserve_kwh`` (per
    building) — beyond it the heat is lost (the rooms cool). Energy balance: load + lost +
    still owed at the end = demand.
    """
    demand = np.asarray(heat_pump_kw, dtype=np.float64)
    load = np.empty(demand.shape, dtype=np.float32)
    owed = np.zeros(demand.shape[1])
    held = np.zeros(demand.shape[1])  # above the cap: what cutting would lose
    lost = np.zeros(demand.shape[1])
    reserve = np.asarray(reserve_kwh, dtype=np.float64)
    for hour in range(demand.shape[0]):
        want = demand[hour] + owed
        run = np.minimum(want, cap_kw)
        owed = want - run
        over = np.maximum(owed - reserve, 0.0)
        lost += over
        owed -= over
        held += np.maximum(demand[hour] - cap_kw, 0.0)
        load[hour] = run
    lost += owed  # still owed when the year ends
    return Shifted(load, held - lost, lost)


def cap_kw(controlled: bool) -> float | None:
    """The § 14a EnWG floor as the cap of a controlled heat pump [kW], or None."""
    return parameter(PARAMETERS, "controlled_min_kw") if controlled else None


def households(buildings: pd.DataFrame) -> np.ndarray:
    """Households of each building: ``dwellings`` where given, else the default."""
    default = parameter(PARAMETERS, "households_per_building")
    if "dwellings" not in buildings.columns:
        return np.full(len(buildings), default)
    count = pd.to_numeric(buildings["dwellings"], errors="coerce")
    return count.where(count > 0, default).to_numpy(float)


def air_cop(temp_air_c: pd.Series, states: pd.Series) -> np.ndarray:
    """Hourly COP of an air-source heat pump per building state (hours x buildings) [-]."""
    defaults, design = heat_pump_parameters(), design_temperature_c(temp_air_c)
    by_state = {
        state: np.asarray(
            cop_building(
                temp_air_c.to_numpy(float),
                heating_curve=heating_curve(state),
                coefficients=staffell_coefficients("air"),
                temp_outdoor_design_c=design,
                temp_room_c=defaults.temp_room_c,
                temp_heating_limit_c=defaults.temp_heating_limit_c,
            ),
            dtype=float,
        )
        for state in BUILDING_STATES
    }
    table = np.column_stack([by_state[state] for state in BUILDING_STATES])
    column = np.asarray(pd.Index(BUILDING_STATES).get_indexer(pd.Index(states)), dtype=np.intp)
    return table[:, column]


def household_profile_kw(index: pd.DatetimeIndex, holidays: list[dt.date]) -> np.ndarray:
    """BDEW H0 of one household scaled to ``household_kwh_per_a``, hourly means [kW]."""
    import demandlib.bdew

    annual = parameter(PARAMETERS, "household_kwh_per_a")
    year = int(index[0].year)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slp = demandlib.bdew.ElecSlp(year, holidays={day: "holiday" for day in holidays})
        quarter = slp.get_scaled_power_profiles({"h0": annual})["h0"]
    hourly = quarter.groupby(quarter.index.floor("h")).mean()
    return hourly.reindex(index).ffill().bfill().to_numpy(float)


def ev_profile_kw(index: pd.DatetimeIndex) -> np.ndarray:
    """One car's hourly charging [kW]: the daily energy evenly in the evening window."""
    start, hours = (
        parameter(PARAMETERS, "ev_charge_start_h"),
        parameter(PARAMETERS, "ev_charge_hours"),
    )
    daily_kwh = parameter(PARAMETERS, "ev_kwh_per_a") / 365.0
    hour = np.asarray(index.hour)
    window = (hour - start) % 24 < hours
    return np.where(window, daily_kwh / hours, 0.0)


def hp_order(n: int) -> np.ndarray:
    """Fixed random position of each building in the heat-pump order (nested shares)."""
    rng = np.random.default_rng(int(parameter(PARAMETERS, "hp_order_seed")))
    rank = np.empty(n, dtype=int)
    rank[rng.permutation(n)] = np.arange(n)
    return rank


def building_loads(
    buildings: pd.DataFrame,
    temp_air_c: pd.Series,
    *,
    year: int,
    holidays: list[dt.date],
) -> BuildingLoads:
    """Hourly loads of ``buildings`` (columns heat_demand_kwh_per_a, profile_class,
    construction_year, optional dwellings) over the hours of ``temp_air_c`` [°C]."""
    heat = hourly_profiles(
        buildings[col.HEAT_DEMAND_KWH_PER_A],
        buildings[col.PROFILE_CLASS].fillna("unknown"),
        temp_air_c,
        year=year,
        holidays=holidays,
    ).to_numpy(float)
    states = building_state(buildings[col.CONSTRUCTION_YEAR])
    count = households(buildings)
    index = pd.DatetimeIndex(temp_air_c.index)
    return BuildingLoads(
        heat_pump_kw=(heat / air_cop(temp_air_c, states)).astype(np.float32),
        household_kw=household_profile_kw(index, holidays),
        households=count,
        ev_kw_per_car=ev_profile_kw(index),
        hp_rank=hp_order(len(buildings)),
    )


def reactive_factor() -> float:
    """Reactive per active power of the loads, tan(arccos(load_cos_phi)) [kvar/kW]."""
    return float(np.tan(np.arccos(parameter(PARAMETERS, "load_cos_phi"))))
