"""A residential quarter described in TOML and its apartments' 15-minute electricity loads.

The TOML file (every field is checked; a mistake names the file, the section and the field)::

    [quarter]
    name = "Lobeda-West"
    lat = 50.89
    lon = 11.61
    year = 2025                        # calendar year of the loads (H0 profile / meter files)
    # weather_region = 4               # DWD TRY region; default: the region of lat/lon
    # pv_tilt = 30.0                   # roof PV tilt and azimuth [°] (180 = south)
    # pv_azimuth = 180.0

    [[building]]
    name = "Haus A"
    living_area_m2 = 3600.0
    apartments = 50
    rent_controlled_share = 0.5
    pv_kwp = 99.0                      # or roof_m2 = 600.0
    heat_demand_kwh_per_a = 250000.0   # or from the living area and the TABULA apartment block
    age_class = "2016-"                # of this age class (also sets the BDEW heat profile)
    # meter_dir = "meters/haus_a"      # one 15-minute CSV per apartment (sorted by name)

    [electricity]
    annual_kwh_per_apartment = 2000.0  # BDEW H0 profile, for buildings without meter_dir

    [tenant_power]
    participation_share = 0.6
    shared_key = "dynamic"             # or "consumption" or "area" (EnWG § 42b)
    # mieterstrom_price_share = 0.85   # of the basic-supply tariff; at most 0.90 (§ 42a Abs. 4)
    # shared_pv_price_eur_per_kwh = 0.27
    # basic_energy_eur_per_kwh = 0.40  # the local basic-supply tariff (else quarter_tariffs.csv)
    # basic_base_eur_per_a = 150.0

    [heat_pump]
    building_state = "new_build"       # heating curve (heat_pump_heating_curves.csv)
    # pv_self_use = true               # the heat pump uses the PV left after the tenants
    # funding_share = 0.30             # grant share of the investment (e.g. BEG EM)

    # [heating_today]
    # gas_price_eur_per_kwh = 0.117    # per kWh Hs incl. VAT (else energy_prices.csv)

    [heat_network]
    price_eur_per_mwh = 130.0          # the network's heat price (incl. VAT), or instead:
    # plan = "../schutterwald"         # a heatplan project directory (classified) ...
    # area = "A02"                     # ... and the area the quarter lies in
    # perspective = "owner"            # owner (default: what households pay, with VAT and BEW
    #                                  # funding) or economic (without): heatplan.plan.prices

    [rent]
    cold_rent_eur_per_m2_month = 6.5
    # heating_cost_today_eur_per_m2_month = 1.05   # today's heating and hot water, if known

    # [car_park]                       # the residents' electric cars (one charge point each)
    # cars = 40
    # charger_kw = 11.0
    # kwh_per_car_day = 7.0            # else KBA mean mileage x consumption (quarter_costs.csv)
    # arrive = "17:00"                 # the first cars plug in ...
    # arrive_latest = "20:00"          # ... the last ones (hourly groups in between)
    # depart = "07:00"                 # all leave the next morning
    # enwg_14a_module_2 = false        # controllable wall boxes, reduced grid fee (§ 14a EnWG)

A meter CSV is the German export :func:`heatplan.site.inputs.read_meter_rows` reads; it must hold
one full year of quarter hours of ``[quarter] year``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from heatplan.errors import HeatplanError
from heatplan.reference._files import cached_table

#: Quarter hours per hour.
STEPS_PER_H = 4
#: Allocation keys of the shared building supply (EnWG § 42b Abs. 1 Nr. 2, Abs. 4).
SHARED_KEYS = ("consumption", "area", "dynamic")
#: Heating curves of heat_pump_heating_curves.csv.
BUILDING_STATES = ("new_build", "renovated", "unrenovated")


if TYPE_CHECKING:
    from heatplan.quarter.car_park import CarPark


class QuarterInputError(HeatplanError):
    """A quarter file or meter file the study cannot use; the message names file and field."""


@dataclass(frozen=True)
class Building:
    """One residential building of the quarter."""

    name: str
    living_area_m2: float
    apartments: int
    rent_controlled_share: float
    pv_kwp: float
    heat_demand_kwh_per_a: float
    age_class: str  # TABULA / BDEW age class ("unknown": the German average building class)
    load_kw: np.ndarray  # (apartments, steps): mean power of each apartment and quarter hour


@dataclass(frozen=True)
class TenantPower:
    """The tenant-power set-up: who takes part and how the PV power is shared."""

    participation_share: float
    shared_key: str
    mieterstrom_price_share: float | None  # of the basic-supply tariff; None: the legal cap
    shared_pv_price_eur_per_kwh: float | None
    basic_energy_eur_per_kwh: float | None
    basic_base_eur_per_a: float | None


@dataclass(frozen=True)
class HeatSetup:
    """The heat options compared with today's gas boilers."""

    building_state: str
    pv_self_use: bool
    funding_share: float
    network_price_eur_per_mwh: float | None
    network_price_basis: str | None  # "given" or the plan and area it was read from
    gas_price_eur_per_kwh: float | None


@dataclass(frozen=True)
class Quarter:
    """A residential quarter: location, buildings with their apartments' loads, options, rents."""

    name: str
    lat: float
    lon: float
    weather_region: int | None
    pv_tilt_deg: float
    pv_azimuth_deg: float
    year: int
    buildings: tuple[Building, ...]
    tenant_power: TenantPower
    heat: HeatSetup
    cold_rent_eur_per_m2_month: float
    heating_cost_today_eur_per_m2_month: float | None
    car_park: CarPark | None = None


def _fail(file: Path, where: str, message: str) -> QuarterInputError:
    return QuarterInputError(f"{file}: {where}: {message}")


def _number(
    table: dict[str, Any],
    key: str,
    file: Path,
    section: str,
    *,
    default: float | None = None,
    low: float | None = 0.0,
    high: float | None = None,
) -> float:
    """``table[key]`` as a number within ``low``..``high``; ``default`` when absent (or error)."""
    if key not in table:
        if default is None:
            raise _fail(file, f"[{section}] {key}", "missing (a number is required)")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        hint = (
            " (a TOML number without quotes or thousands separators, e.g. 3250.5)"
            if isinstance(value, str)
            else ""
        )
        raise _fail(file, f"[{section}] {key}", f"a number is required, got {value!r}{hint}")
    if low is not None and value < low:
        raise _fail(file, f"[{section}] {key}", f"must be >= {low:g}, got {value!r}")
    if high is not None and value > high:
        raise _fail(file, f"[{section}] {key}", f"must be <= {high:g}, got {value!r}")
    return float(value)


def _optional(
    table: dict[str, Any], key: str, file: Path, section: str, **bounds: Any
) -> float | None:
    return _number(table, key, file, section, **bounds) if key in table else None


def _choice(
    table: dict[str, Any],
    key: str,
    file: Path,
    section: str,
    options: tuple[str, ...],
    default: str,
) -> str:
    value = str(table.get(key, default))
    if value not in options:
        raise _fail(file, f"[{section}] {key}", f"{value!r} is not one of {', '.join(options)}")
    return value


def steps_of_year(year: int) -> int:
    """Quarter hours of calendar ``year`` (35,040, or 35,136 in a leap year)."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (366 if leap else 365) * 24 * STEPS_PER_H


def specific_heat_demand_kwh_per_m2_a(age_class: str) -> float:
    """Space heating plus hot water of a TABULA apartment block of ``age_class`` [kWh/(m² a)]
    (tabula_residential.csv, IWU TABULA DE, Loga et al. 2015)."""
    frame = cached_table("tabula_residential.csv")
    rows = frame[(frame["use"] == "ab") & (frame["age_class"] == age_class)]
    if len(rows) != 1:
        classes = sorted(frame.loc[frame["use"] == "ab", "age_class"])
        raise ValueError(f"age_class {age_class!r} is not one of {', '.join(classes)}")
    row = rows.iloc[0]
    return float(row["space_heating_kwh_per_m2_a"] + row["hot_water_kwh_per_m2_a"])


def read_meter_folder(folder: Path, apartments: int, year: int) -> np.ndarray:
    """The 15-minute loads [kW] of one building's apartments, one CSV per apartment.

    Returns an array (apartments, quarter hours of ``year``); files are taken in name order.
    """
    from heatplan.site.inputs import read_meter_rows

    if not folder.is_dir():
        raise QuarterInputError(f"{folder}: meter folder not found")
    files = sorted(folder.glob("*.csv"))
    if len(files) != apartments:
        raise QuarterInputError(
            f"{folder}: {len(files)} meter CSV files for {apartments} apartments"
            " (one per apartment)"
        )
    steps = steps_of_year(year)
    loads = np.empty((apartments, steps))
    for i, path in enumerate(files):
        try:
            index, load_kw = read_meter_rows(path)
        except ValueError as error:  # SiteInputError: names the file, row and field
            raise QuarterInputError(str(error)) from None
        if len(index) != steps or index[0].year != year or index[0].dayofyear != 1:
            raise QuarterInputError(
                f"{path}: rows: one full year {year} from 01.01. 00:00 is required ({steps} rows); "
                f"found {len(index)} from {index[0]}"
            )
        if index[0].hour or index[0].minute:
            raise QuarterInputError(f"{path}: rows: the first row must be 01.01.{year} 00:00")
        loads[i] = load_kw
    return loads


def h0_loads_kw(annual_kwh: float, apartments: int, year: int) -> np.ndarray:
    """The BDEW H0 standard load profile (demandlib) of ``annual_kwh`` for each apartment [kW]."""
    from heatplan.site.inputs import bdew_profile_kw

    profile = bdew_profile_kw("H0", annual_kwh, year)
    return np.tile(profile, (apartments, 1))


def _building(
    item: Any, i: int, file: Path, data: dict[str, Any], year: int, m2_per_kwp: float
) -> Building:
    section = f"building {i + 1}"
    if not isinstance(item, dict):
        raise _fail(file, f"[[building]] {i + 1}", "a table is required")
    name = str(item.get("name", f"Gebäude {i + 1}"))
    area = _number(item, "living_area_m2", file, section)
    if area <= 0:
        raise _fail(file, f"[{section}] living_area_m2", f"must be positive, got {area:g}")
    apartments = _number(item, "apartments", file, section, low=1.0)
    if apartments != int(apartments):
        raise _fail(
            file, f"[{section}] apartments", f"a whole number is required, got {apartments}"
        )
    n = int(apartments)
    share = _number(item, "rent_controlled_share", file, section, default=0.0, high=1.0)
    if "pv_kwp" in item:
        pv_kwp = _number(item, "pv_kwp", file, section)
    else:
        pv_kwp = _number(item, "roof_m2", file, section, default=0.0) / m2_per_kwp
    specific = None
    if "age_class" in item:
        try:
            specific = specific_heat_demand_kwh_per_m2_a(str(item["age_class"]))
        except ValueError as error:
            raise _fail(file, f"[{section}] age_class", str(error)) from None
    if "heat_demand_kwh_per_a" in item:
        heat = _number(item, "heat_demand_kwh_per_a", file, section)
    elif specific is not None:
        heat = area * specific
    else:
        raise _fail(file, f"[{section}]", "give heat_demand_kwh_per_a or age_class")
    if "meter_dir" in item:
        loads = read_meter_folder((file.parent / str(item["meter_dir"])).resolve(), n, year)
    else:
        electricity = data.get("electricity", {})
        if "annual_kwh_per_apartment" not in electricity:
            raise _fail(
                file,
                "[electricity] annual_kwh_per_apartment",
                f"missing: give it (BDEW H0 profile) or meter_dir in [{section}]",
            )
        annual = _number(electricity, "annual_kwh_per_apartment", file, "electricity")
        if annual <= 0:
            raise _fail(file, "[electricity] annual_kwh_per_apartment", "must be positive")
        loads = h0_loads_kw(annual, n, year)
    age_class = str(item.get("age_class", "unknown"))
    return Building(name, area, n, share, pv_kwp, heat, age_class, loads)


def network_price_from_plan(project_dir: Path, area_id: str, perspective: str = "owner") -> float:
    """The full cost of network heat [EUR/MWh] of area ``area_id`` in a classified heatplan
    project in ``perspective`` (:func:`heatplan.plan.prices.area_network_price_eur_per_mwh`;
    default owner: what the quarter's households pay), used as the quarter's heat price."""
    from heatplan.plan import Plan
    from heatplan.plan.prices import AreaPriceError, area_network_price_eur_per_mwh

    plan = Plan.from_project(project_dir, frames=["areas"])
    try:
        return area_network_price_eur_per_mwh(plan, area_id, perspective)
    except AreaPriceError as error:
        raise QuarterInputError(f"{project_dir}: {error}") from None


def _network_price(table: dict[str, Any], file: Path) -> tuple[float | None, str | None]:
    if "plan" not in table:
        price = _optional(table, "price_eur_per_mwh", file, "heat_network")
        return price, None if price is None else "given in the quarter file"
    if "price_eur_per_mwh" in table:
        raise _fail(file, "[heat_network]", "give price_eur_per_mwh or plan and area, not both")
    if "area" not in table:
        raise _fail(file, "[heat_network] area", "missing (the plan's area the quarter lies in)")
    project = (file.parent / str(table["plan"])).resolve()
    if not (project / "heatplan.toml").is_file():
        raise _fail(file, "[heat_network] plan", f"{project} is not a heatplan project")
    from heatplan.plan.prices import DEFAULT_PERSPECTIVE, PERSPECTIVE_COLUMNS, price_basis

    area = str(table["area"])
    perspective = str(table.get("perspective", DEFAULT_PERSPECTIVE))
    if perspective not in PERSPECTIVE_COLUMNS:
        choose = ", ".join(PERSPECTIVE_COLUMNS)
        raise _fail(file, "[heat_network] perspective", f"{perspective!r}: choose {choose}")
    basis = price_basis(project.name, area, perspective)
    return network_price_from_plan(project, area, perspective), basis


def _clock_h(table: dict[str, Any], key: str, default: str, file: Path) -> float:
    """A time of day ``hh:mm`` of the ``[car_park]`` section [h]."""
    text = table.get(key, default)
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise _fail(file, f"[car_park] {key}", f"a time hh:mm is required, got {text!r}") from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise _fail(file, f"[car_park] {key}", f"a time hh:mm is required, got {text!r}")
    return hours + minutes / 60.0


def _flag(table: dict[str, Any], key: str, file: Path) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise _fail(file, f"[car_park] {key}", f"true or false is required, got {value!r}")
    return value


def _car_park(data: dict[str, Any], file: Path) -> CarPark | None:
    """The ``[car_park]`` section, or None without one."""
    table = data.get("car_park")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise _fail(file, "[car_park]", "a table is required")
    from heatplan.quarter.car_park import CarPark, default_kwh_per_car_day

    cars = _number(table, "cars", file, "car_park", low=1.0)
    if cars != int(cars):
        raise _fail(file, "[car_park] cars", f"a whole number is required, got {cars:g}")
    arrive = _clock_h(table, "arrive", "17:00", file)
    latest = _clock_h(table, "arrive_latest", "20:00", file)
    depart = _clock_h(table, "depart", "07:00", file)
    if latest < arrive:
        raise _fail(file, "[car_park] arrive_latest", "is before arrive (both on the same evening)")
    if depart >= arrive:
        raise _fail(file, "[car_park] depart", "must be in the morning, before arrive")
    charger_kw = _number(table, "charger_kw", file, "car_park", default=11.0, low=1.0, high=350.0)
    kwh = _number(
        table, "kwh_per_car_day", file, "car_park", default=default_kwh_per_car_day(), low=0.0
    )
    shortest_h = 24.0 + depart - latest
    if kwh > charger_kw * shortest_h:
        raise _fail(
            file,
            "[car_park] kwh_per_car_day",
            f"{kwh:g} kWh cannot be charged at {charger_kw:g} kW in {shortest_h:g} h",
        )
    return CarPark(
        cars=int(cars),
        charger_kw=charger_kw,
        kwh_per_car_day=kwh,
        arrive_h=arrive,
        arrive_latest_h=latest,
        depart_h=depart,
        enwg_14a_module_2=_flag(table, "enwg_14a_module_2", file),
    )


def read_quarter(path: Path) -> Quarter:
    """The :class:`Quarter` of a TOML file; every mistake is a :class:`QuarterInputError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise QuarterInputError(f"{path}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise QuarterInputError(f"{path}: not valid TOML: {error}") from error
    head = data.get("quarter")
    if not isinstance(head, dict):
        raise _fail(path, "[quarter]", "section missing")
    lat = _number(head, "lat", path, "quarter", low=None)
    lon = _number(head, "lon", path, "quarter", low=None)
    if not (47.0 <= lat <= 55.2 and 5.8 <= lon <= 15.1):
        raise _fail(path, "[quarter] lat/lon", f"({lat}, {lon}) is not in Germany")
    year = int(_number(head, "year", path, "quarter", default=2025.0, low=1990.0, high=2100.0))
    items = data.get("building")
    if not isinstance(items, list) or not items:
        raise _fail(path, "[[building]]", "at least one building is required")
    from heatplan.quarter.tariffs import cost

    m2_per_kwp = cost("pv_m2_per_kwp")
    buildings = tuple(
        _building(item, i, path, data, year, m2_per_kwp) for i, item in enumerate(items)
    )
    tp = data.get("tenant_power", {})
    tenant = TenantPower(
        participation_share=_number(
            tp, "participation_share", path, "tenant_power", default=1.0, high=1.0
        ),
        shared_key=_choice(tp, "shared_key", path, "tenant_power", SHARED_KEYS, "dynamic"),
        mieterstrom_price_share=_optional(
            tp, "mieterstrom_price_share", path, "tenant_power", high=1.0
        ),
        shared_pv_price_eur_per_kwh=_optional(
            tp, "shared_pv_price_eur_per_kwh", path, "tenant_power"
        ),
        basic_energy_eur_per_kwh=_optional(tp, "basic_energy_eur_per_kwh", path, "tenant_power"),
        basic_base_eur_per_a=_optional(tp, "basic_base_eur_per_a", path, "tenant_power"),
    )
    hp = data.get("heat_pump", {})
    network = data.get("heat_network", {})
    today = data.get("heating_today", {})
    network_price, network_basis = _network_price(network, path)
    heat = HeatSetup(
        building_state=_choice(
            hp, "building_state", path, "heat_pump", BUILDING_STATES, "new_build"
        ),
        pv_self_use=bool(hp.get("pv_self_use", True)),
        funding_share=_number(hp, "funding_share", path, "heat_pump", default=0.0, high=1.0),
        network_price_eur_per_mwh=network_price,
        network_price_basis=network_basis,
        gas_price_eur_per_kwh=_optional(today, "gas_price_eur_per_kwh", path, "heating_today"),
    )
    rent = data.get("rent", {})
    region = _optional(head, "weather_region", path, "quarter", low=1.0, high=15.0)
    if region is not None and region != int(region):
        raise _fail(path, "[quarter] weather_region", f"a DWD TRY region 1..15, got {region}")
    return Quarter(
        name=str(head.get("name", path.stem)),
        lat=lat,
        lon=lon,
        weather_region=None if region is None else int(region),
        pv_tilt_deg=_number(head, "pv_tilt", path, "quarter", default=30.0, high=90.0),
        pv_azimuth_deg=_number(head, "pv_azimuth", path, "quarter", default=180.0, high=360.0),
        year=year,
        buildings=buildings,
        tenant_power=tenant,
        heat=heat,
        cold_rent_eur_per_m2_month=_number(rent, "cold_rent_eur_per_m2_month", path, "rent"),
        heating_cost_today_eur_per_m2_month=_optional(
            rent, "heating_cost_today_eur_per_m2_month", path, "rent"
        ),
        car_park=_car_park(data, path),
    )
