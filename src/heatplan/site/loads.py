"""Heat, cold and EV charging of a site: loads, COP and EER per quarter hour, charging sessions.

The TOML sections (all optional)::

    [heat]
    annual_kwh = 300000          # BDEW commercial heat profile (demandlib, TRY air temperature)
    profile = "GHD"              # demandlib shlp_type (GHD, GMK, GBD, ...); or meter_csv = ...
    supply_c = 55                # heating circuit (default: site_costs.csv)
    return_c = 40
    heat_pump = true             # options the LP may choose
    store = true
    boiler = true
    network_price_eur_per_mwh = 95     # a heat network's price, or the plan's area:
    # plan = "../mytown"   area = "3"  (areas.network_lcoh_owner_eur_per_mwh; perspective =
    # "economic" reads network_lcoh_economic_eur_per_mwh, heatplan.plan.prices)

    [cold]
    annual_kwh = 150000          # process cold following production hours (BDEW G1 shape)
    profile = "G1"               # or "flat", or meter_csv = ...

    [ev]
    sessions_csv = "sessions.csv"   # Ankunft;Abfahrt;kWh;Ladepunkt (German local time)
    charger_kw = 11
    # or a fleet: vans = 8, kwh_per_day = 35, arrive = "17:00", depart = "07:00"
    enwg_14a_module_2 = true        # § 14a EnWG module 2 for the chargers and the heat pump

The COP of the heat pump is the Lorenz COP of :func:`heatplan.tech.heatpump.cop_lorenz` with the
TRY air as source; the chiller's EER is the same cycle run backwards (EER = COP - efficiency).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heatplan.site.inputs import STEPS_PER_H, SiteInputError, read_meter_csv
from heatplan.site.tariffs import HeatCosts
from heatplan.tech.heatpump import cop_lorenz

#: Columns of a charging-session CSV.
SESSION_COLUMNS = ("Ankunft", "Abfahrt", "kWh", "Ladepunkt")


@dataclass(frozen=True)
class HeatInputs:
    """Heat and cold loads [kW per quarter hour] and what the site may build."""

    heat_kw: np.ndarray
    cold_kw: np.ndarray
    supply_c: float
    return_c: float
    heat_pump_allowed: bool
    store_allowed: bool
    boiler_allowed: bool
    network_eur_per_kwh: float | None
    network_source: str


@dataclass(frozen=True)
class EvInputs:
    """Charging sessions as step indices of the year, energy [kWh] and charger power [kW]."""

    start: np.ndarray
    end: np.ndarray
    energy_kwh: np.ndarray
    power_kw: np.ndarray
    enwg_14a_module_2: bool


def _fail(file: Path, where: str, message: str) -> SiteInputError:
    return SiteInputError(f"{file}: {where}: {message}")


def _quarter_hours(hourly: np.ndarray, steps: int) -> np.ndarray:
    """An hourly series held for its four quarter hours (a leap year repeats 28 February)."""
    if steps == 366 * 96 and hourly.size == 8760:
        day = 58 * 24
        hourly = np.concatenate([hourly[: day + 24], hourly[day : day + 24], hourly[day + 24 :]])
    return np.repeat(hourly, STEPS_PER_H)[:steps]


def try_air_temperature_c(region: int) -> np.ndarray:
    """Hourly air temperature of the DWD test reference year of ``region`` [°C] (8,760 h)."""
    from heatplan.reference.weather import read_try, try_path

    return read_try(try_path(region))["temp_air_c"].to_numpy(float)


def heat_pump_cop(air_c: np.ndarray, supply_c: float, return_c: float, costs: HeatCosts) -> Any:
    """COP of an air-source heat pump per step: Lorenz COP (tech.heatpump) with the outdoor
    air cooled by ``heat_pump_source_cooling_k`` as the source."""
    return cop_lorenz(
        return_c,
        supply_c,
        air_c,
        air_c - costs.heat_pump_source_cooling_k,
        efficiency=costs.heat_pump_lorenz_efficiency,
    )


def chiller_eer(air_c: np.ndarray, supply_c: float, return_c: float, costs: HeatCosts) -> Any:
    """EER of an air-cooled chiller per step: the Lorenz cycle between the chilled water
    (``return_c`` -> ``supply_c``) and the condenser air (at least
    ``chiller_min_condensing_air_c``, warmed by ``chiller_condenser_air_rise_k``).

    Cooling = heating - work, so EER = eta x (T_lm,source / (T_lm,sink - T_lm,source)) =
    COP_Lorenz(eta) - eta.
    """
    air_in = np.maximum(air_c, costs.chiller_min_condensing_air_c)
    eta = costs.chiller_lorenz_efficiency
    return (
        cop_lorenz(
            air_in, air_in + costs.chiller_condenser_air_rise_k, return_c, supply_c, efficiency=eta
        )
        - eta
    )


def _flag(table: dict[str, Any], key: str, file: Path, section: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _fail(file, f"[{section}] {key}", f"true or false is required, got {value!r}")
    return value


def _positive(table: dict[str, Any], key: str, file: Path, section: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _fail(file, f"[{section}] {key}", f"a non-negative number is required, got {value!r}")
    return float(value)


def _series(
    table: dict[str, Any], file: Path, section: str, steps: int, year: int, air_c: np.ndarray
) -> np.ndarray:
    """A load [kW per step] from ``meter_csv`` or ``annual_kwh`` with a ``profile``."""
    if "meter_csv" in table:
        load, meter_year = read_meter_csv((file.parent / str(table["meter_csv"])).resolve())
        if load.size != steps:
            raise _fail(
                file, f"[{section}] meter_csv", f"year {meter_year} does not match the site"
            )
        return load
    annual = _positive(table, "annual_kwh", file, section)
    profile = str(table.get("profile", "GHD" if section == "heat" else "G1"))
    if section == "heat":
        return _quarter_hours(_bdew_heat_kw(profile, annual, year, air_c, file), steps)
    if profile.lower() == "flat":
        return np.full(steps, annual / (steps / STEPS_PER_H))
    from heatplan.site.inputs import BDEW_PROFILES, bdew_profile_kw

    if profile.upper() not in BDEW_PROFILES:
        raise _fail(file, f"[{section}] profile", f"{profile!r}: choose flat or a BDEW profile")
    return bdew_profile_kw(profile, annual, year)[:steps]


def _bdew_heat_kw(profile: str, annual_kwh: float, year: int, air_c: np.ndarray, file: Path) -> Any:
    """Hourly heat load [kW] of a BDEW/SigLinDe commercial profile (demandlib) with TRY air."""
    from demandlib import bdew

    index = pd.date_range(f"{year}-01-01", periods=8760, freq="h")
    try:
        building = bdew.HeatBuilding(
            index,
            temperature=pd.Series(air_c, index=index),
            shlp_type=profile.upper(),
            building_class=0,
            wind_class=0,
            ww_incl=True,
            annual_heat_demand=annual_kwh,
            name=profile.upper(),
        )
        hourly = building.get_bdew_profile().to_numpy(float)
    except (KeyError, ValueError) as error:
        raise _fail(file, "[heat] profile", f"{profile!r} is no demandlib heat profile") from error
    return hourly * annual_kwh / hourly.sum()


def network_price(table: dict[str, Any], file: Path) -> tuple[float | None, str]:
    """The heat network's price [EUR/kWh] from the TOML or from the plan's area, and whence."""
    if "network_price_eur_per_mwh" in table:
        price = _positive(table, "network_price_eur_per_mwh", file, "heat")
        return price / 1000.0, "[heat] network_price_eur_per_mwh"
    if "plan" not in table:
        return None, "no heat network"
    from heatplan.plan import Plan
    from heatplan.plan.prices import (
        DEFAULT_PERSPECTIVE,
        AreaPriceError,
        area_network_price_eur_per_mwh,
        price_basis,
    )

    plan_dir = (file.parent / str(table["plan"])).resolve()
    area = str(table.get("area", ""))
    perspective = str(table.get("perspective", DEFAULT_PERSPECTIVE))
    try:
        plan = Plan.from_project(plan_dir, frames=["areas"])
    except Exception as error:  # any store problem is a bad plan path for this user
        raise _fail(file, "[heat] plan", f"cannot read the plan's areas: {error}") from None
    try:
        price = area_network_price_eur_per_mwh(plan, area, perspective)
    except AreaPriceError as error:
        where = "[heat] perspective" if "perspective" in str(error) else "[heat] area"
        raise _fail(file, where, f"{error} ({plan_dir})") from None
    basis = price_basis(plan_dir.name, area, perspective)
    if perspective == "owner":  # a company deducts the input VAT (UStG § 15): it pays net
        from heatplan.options.tariffs import vat_rate

        price /= 1.0 + vat_rate()
        basis += "; net of VAT for a company (input tax deducted, UStG § 15 Abs. 1)"
    return price / 1000.0, basis


def read_heat(
    data: dict[str, Any], file: Path, steps: int, year: int, air_c: np.ndarray, costs: HeatCosts
) -> HeatInputs | None:
    """The heat and cold of a site TOML, or None when it has neither section."""
    heat, cold = data.get("heat", {}), data.get("cold", {})
    if not heat and not cold:
        return None
    heat_kw = _series(heat, file, "heat", steps, year, air_c) if heat else np.zeros(steps)
    cold_kw = _series(cold, file, "cold", steps, year, air_c) if cold else np.zeros(steps)
    price, source = network_price(heat, file)
    return HeatInputs(
        heat_kw=heat_kw,
        cold_kw=cold_kw,
        supply_c=float(heat.get("supply_c", costs.heat_sink_supply_c)),
        return_c=float(heat.get("return_c", costs.heat_sink_return_c)),
        heat_pump_allowed=_flag(heat, "heat_pump", file, "heat", True),
        store_allowed=_flag(heat, "store", file, "heat", True),
        boiler_allowed=_flag(heat, "boiler", file, "heat", True),
        network_eur_per_kwh=price,
        network_source=source,
    )


def _local_step(text: str, year: int, file: Path, row: int, field: str) -> int:
    """Quarter-hour index of a German local time ``dd.mm.yyyy hh:mm`` (rounded down)."""
    stamp = pd.to_datetime(text.strip(), format="%d.%m.%Y %H:%M", errors="coerce")
    if pd.isna(stamp) or stamp.year != year:
        raise _fail(file, f"row {row}, field {field!r}", f"not a time dd.mm.{year} hh:mm: {text!r}")
    minutes = (stamp - pd.Timestamp(year=year, month=1, day=1)).total_seconds() / 60.0
    return int(minutes // 15)


def read_sessions(path: Path, year: int, charger_kw: float) -> EvInputs:
    """Charging sessions from ``Ankunft;Abfahrt;kWh;Ladepunkt`` (times as dd.mm.yyyy hh:mm)."""
    try:
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise SiteInputError(f"{path}: cannot read the sessions CSV: {error}") from error
    missing = [c for c in SESSION_COLUMNS if c not in frame.columns]
    if missing:
        raise _fail(path, "header", f"columns {missing} missing; found {list(frame.columns)}")
    start, end, energy = [], [], []
    busy: dict[str, list[tuple[int, int, int]]] = {}
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        first = _local_step(str(row.Ankunft), year, path, i, "Ankunft")
        last = _local_step(str(row.Abfahrt), year, path, i, "Abfahrt")
        try:
            kwh = float(str(row.kWh).replace(".", "").replace(",", "."))
        except ValueError:
            raise _fail(path, f"row {i}, field 'kWh'", f"not a number: {row.kWh!r}") from None
        if last <= first:
            raise _fail(path, f"row {i}, field 'Abfahrt'", "departure is not after arrival")
        if kwh < 0 or kwh > charger_kw * (last - first) / STEPS_PER_H:
            raise _fail(
                path,
                f"row {i}, field 'kWh'",
                f"{kwh:g} kWh cannot be charged at {charger_kw:g} kW in the session",
            )
        for other_first, other_last, other_row in busy.get(str(row.Ladepunkt), []):
            if first < other_last and other_first < last:
                raise _fail(
                    path,
                    f"row {i}, field 'Ladepunkt'",
                    f"charge point {row.Ladepunkt!r} is already in use by row {other_row}",
                )
        busy.setdefault(str(row.Ladepunkt), []).append((first, last, i))
        start.append(first)
        end.append(last)
        energy.append(kwh)
    return EvInputs(
        start=np.asarray(start, int),
        end=np.asarray(end, int),
        energy_kwh=np.asarray(energy),
        power_kw=np.full(len(start), charger_kw),
        enwg_14a_module_2=False,
    )


def fleet_sessions(
    *, vans: int, kwh_per_day: float, arrive_h: float, depart_h: float, year: int, steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nightly sessions of a van fleet on working days (Mon-Fri): each van plugs in at
    ``arrive_h`` and leaves at ``depart_h`` the next morning (or the Monday after a Friday)."""
    days = pd.date_range(f"{year}-01-01", periods=steps // 96, freq="D")
    working = np.flatnonzero(days.dayofweek < 5)
    start = working * 96 + int(arrive_h * STEPS_PER_H)
    gap_days = np.where(days.dayofweek[working] == 4, 3, 1)
    end = (working + gap_days) * 96 + int(depart_h * STEPS_PER_H)
    end = np.minimum(end, steps + int(depart_h * STEPS_PER_H))
    start, end = np.repeat(start, vans), np.repeat(end, vans)
    return start, end, np.full(start.size, kwh_per_day)


def _hour(text: object, file: Path, key: str) -> float:
    try:
        hours, minutes = str(text).split(":")
        return int(hours) + int(minutes) / 60.0
    except ValueError:
        raise _fail(file, f"[ev] {key}", f"a time hh:mm is required, got {text!r}") from None


def read_ev(
    data: dict[str, Any], file: Path, year: int, steps: int, costs: HeatCosts
) -> EvInputs | None:
    """The charging sessions of a site TOML, or None without an ``[ev]`` section."""
    table = data.get("ev", {})
    if not table:
        return None
    charger_kw = _positive(table, "charger_kw", file, "ev")
    module_2 = _flag(table, "enwg_14a_module_2", file, "ev", False)
    if "sessions_csv" in table:
        sessions = read_sessions(
            (file.parent / str(table["sessions_csv"])).resolve(), year, charger_kw
        )
        return EvInputs(
            sessions.start, sessions.end, sessions.energy_kwh, sessions.power_kw, module_2
        )
    if "vans" not in table:
        raise _fail(file, "[ev]", "give sessions_csv, or vans, kwh_per_day, arrive and depart")
    vans = int(_positive(table, "vans", file, "ev"))
    start, end, battery_kwh = fleet_sessions(
        vans=vans,
        kwh_per_day=_positive(table, "kwh_per_day", file, "ev"),
        arrive_h=_hour(table.get("arrive", "17:00"), file, "arrive"),
        depart_h=_hour(table.get("depart", "07:00"), file, "depart"),
        year=year,
        steps=steps,
    )
    energy = battery_kwh / costs.ev_charging_efficiency
    if (energy > charger_kw * (end - start) / STEPS_PER_H).any():
        raise _fail(file, "[ev] kwh_per_day", "more than the charger delivers between the times")
    return EvInputs(start, end, energy, np.full(start.size, charger_kw), module_2)
