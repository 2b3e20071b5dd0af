"""Heater replacement and the supply a building moves to, per building and year.

Rules (all settings sourced in ``data/scenario_parameters.csv``):

- A heater is replaced at the end of its technical lifetime (by heater type). Unknown age: the
  replacements are spread evenly over one lifetime (year base+1+floor(q x lifetime), q an
  equidistributed number per building); heaters already past their life are spread over
  ``overdue_spread_a`` years. Fossil heaters still running in ``fossil_end_year`` are replaced
  then (GEG § 72 (4)).
- Only fossil and direct-electric heaters (electricity without a heat-pump heater type) change
  supply; renewable heaters and district heat are renewed like for like.
- At replacement: a building its area's network reaches connects; if the network reaches it
  within ``max_wait_a`` (GEG § 71j) it keeps the old heater until then; in a hydrogen area (only
  with ``hydrogen_network``) it gets a hydrogen-ready boiler (natural gas until the area's
  conversion year, hydrogen from then on); before ``geg65_from_year`` a share
  ``renewable_share_before_geg`` goes renewable and the rest like for like; otherwise (GEG § 71
  65 % rule) a heat pump (air / ground) or a biomass boiler.
- A network reaches the buildings of its area largest demand first: a densification area at
  once, an extension or new-network area over ``network_buildout_a`` years, up to
  ``connection_share_max`` of its buildings.

Which buildings take which share is decided by equidistributed numbers (Weyl sequences over the
buildings sorted by id), so the counts match the shares and a run is reproducible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.reference import catalogue, heater_types
from heatplan.scenario.stock import NETWORK_TYPES

if TYPE_CHECKING:
    from heatplan.scenario.settings import ScenarioSettings

KEEP, LIKE, DISTRICT, HYDROGEN, HP_AIR, HP_GROUND, BIOMASS = range(7)
SYSTEMS = (
    "keep",
    "like_for_like",
    "district_heat",
    "hydrogen_ready",
    "heat_pump_air",
    "heat_pump_ground",
    "biomass",
)
FOSSIL = ("natural_gas", "lpg", "heating_oil", "hard_coal", "lignite")
HEAT_PUMPS = ("heat_pump_air", "heat_pump_ground")
#: irrational steps of the Weyl sequences, one per decision
STEPS = {
    "age": np.sqrt(2.0) - 1.0,
    "market": (np.sqrt(5.0) - 1.0) / 2.0,
    "choice": np.sqrt(3.0) - 1.0,
}


def quantiles(building_id: pd.Series, purpose: str) -> np.ndarray:
    """Equidistributed numbers in [0, 1) per building: frac((rank + 1) x step)."""
    rank = building_id.rank(method="first").to_numpy(float) - 1.0
    return np.mod((rank + 1.0) * STEPS[purpose], 1.0)


def lifetime(heater_type: pd.Series, settings: ScenarioSettings) -> np.ndarray:
    """Technical lifetime [a] of each building's heater type."""
    default = settings.lifetime_a["default"]
    return heater_type.map(lambda t: settings.lifetime_a.get(t, default)).to_numpy(float)


def first_due_year(frame: pd.DataFrame, settings: ScenarioSettings) -> np.ndarray:
    """Year of the first heater replacement after the base year [a]."""
    life = lifetime(frame["heater_type"], settings)
    q = quantiles(frame[col.BUILDING_ID], "age")
    installed = frame["heater_install_year"].to_numpy(float)
    due = installed + life
    base = settings.base_year
    due = np.where(due <= base, base + 1 + np.floor(q * settings.overdue_spread_a), due)
    return np.where(np.isnan(installed), base + 1 + np.floor(q * life), due)


def network_start(
    types: np.ndarray, years: np.ndarray, base_year: int
) -> tuple[np.ndarray, np.ndarray]:
    """First year after the base year each area is a network area (inf: never), and its type."""
    later = years > base_year
    is_network = np.isin(types, NETWORK_TYPES) & later[None, :]
    first = np.argmax(is_network, axis=1)
    found = is_network.any(axis=1)
    start = np.where(found, years[first].astype(float), np.inf)
    kind = np.where(found, types[np.arange(len(types)), first], "")
    return start, kind


def reach_year(
    frame: pd.DataFrame,
    area_index: np.ndarray,
    start: np.ndarray,
    kind: np.ndarray,
    settings: ScenarioSettings,
) -> np.ndarray:
    """Year from which each building's area network can connect it [a] (inf: never)."""
    order = frame.assign(_area=area_index, _heat=-frame[col.HEAT_DEMAND_KWH_PER_A])
    order = order.sort_values(["_area", "_heat", col.BUILDING_ID], kind="stable")
    rank = order.groupby("_area").cumcount().reindex(frame.index).to_numpy(float)
    count = np.bincount(area_index)[area_index].astype(float)
    fraction = (rank + 1.0) / count
    first = start[area_index]
    ramp = first - 1.0 + np.ceil(settings.network_buildout_a * fraction - 1e-9)
    year = np.where(kind[area_index] == "waermenetz_verdichtung", first, np.maximum(ramp, first))
    within = fraction <= settings.connection_share_max + 1e-9
    return np.where(within & np.isfinite(first), year, np.inf)


def hydrogen_year(
    types: np.ndarray, years: np.ndarray, gas_share: np.ndarray, settings: ScenarioSettings
) -> np.ndarray:
    """Year each area's gas network is converted to hydrogen [a] (inf: never).

    An area qualifies by its type in the target year: ``wasserstoffnetz``, or decentral /
    Prüfgebiet with at least ``hydrogen_min_gas_share`` of its demand on gas today; it converts
    in the first year it qualifies, not before ``hydrogen_from_year``.
    """
    if not settings.hydrogen_network:
        return np.full(len(types), np.inf)
    gassy = (gas_share >= settings.hydrogen_min_gas_share)[:, None]
    eligible = (types == "wasserstoffnetz") | (np.isin(types, ("dezentral", "pruefgebiet")) & gassy)
    eligible &= (years > settings.base_year)[None, :] & eligible[:, -1:]
    first = np.where(eligible.any(axis=1), years[np.argmax(eligible, axis=1)].astype(float), np.inf)
    year = np.maximum(first, settings.hydrogen_from_year)
    return np.where(year <= settings.target_year, year, np.inf)


def _decentral(q: np.ndarray, settings: ScenarioSettings) -> np.ndarray:
    biomass = settings.decentral_biomass_share
    air = (q - biomass) / max(1.0 - biomass, 1e-12) < settings.heat_pump_air_share
    return np.where(q < biomass, BIOMASS, np.where(air, HP_AIR, HP_GROUND))


def decide(
    when: np.ndarray,
    reach: np.ndarray,
    conversion: np.ndarray,
    frame: pd.DataFrame,
    settings: ScenarioSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """New system code and the year it starts for a replacement due in ``when``."""
    connect = reach <= when
    with np.errstate(invalid="ignore"):
        later = np.where(np.isfinite(reach) & np.isfinite(when), reach - when, np.inf)
    wait = ~connect & (later <= settings.max_wait_a) & (reach <= settings.target_year)
    market = quantiles(frame[col.BUILDING_ID], "market") < settings.renewable_share_before_geg
    choice = _decentral(quantiles(frame[col.BUILDING_ID], "choice"), settings)
    like = (when < settings.geg65_from_year) & ~market
    system = np.select(
        [connect | wait, np.isfinite(conversion), like], [DISTRICT, HYDROGEN, LIKE], choice
    )
    return system, np.where(wait, reach, when)


def events(
    frame: pd.DataFrame, reach: np.ndarray, conversion: np.ndarray, settings: ScenarioSettings
) -> pd.DataFrame:
    """Per building: first and second change (year [a], system code); inf / keep if none."""
    carrier = frame[col.CARRIER].to_numpy(str)
    fossil = np.isin(carrier, FOSSIL)
    direct = (carrier == "electricity") & ~frame["heater_type"].isin(HEAT_PUMPS).to_numpy()
    converted = np.isfinite(conversion) & (carrier == "natural_gas")
    due = first_due_year(frame, settings)
    due = np.where(fossil & ~converted, np.minimum(due, settings.fossil_end_year), due)
    active = (fossil | direct) & (due <= settings.target_year)
    system1, year1 = decide(due, reach, conversion, frame, settings)
    system1, year1 = np.where(active, system1, KEEP), np.where(active, year1, np.inf)
    again = year1 + settings.lifetime_a.get("condensing_boiler", settings.lifetime_a["default"])
    again = np.where(fossil, np.minimum(again, settings.fossil_end_year), again)
    second = (system1 == LIKE) & (again <= settings.target_year)
    system2, year2 = decide(again, reach, conversion, frame, settings)
    return pd.DataFrame(
        {
            "year_1": year1,
            "system_1": system1,
            "year_2": np.where(second, year2, np.inf),
            "system_2": np.where(second, system2, KEEP),
        },
        index=frame.index,
    )


def catalogue_value(technology: str, parameter: str, years: np.ndarray) -> np.ndarray:
    """Catalogue ``parameter`` of ``technology`` in each year: linear between the catalogue years
    that give it, the first / last value held outside them."""
    rows = catalogue.catalogue()
    rows = rows[(rows["technology"] == technology) & (rows["parameter"] == parameter)]
    if rows.empty:
        raise ValueError(f"technology_catalogue.csv has no {parameter!r} for {technology!r}")
    rows = rows.sort_values("year")
    known = rows["year"].to_numpy(float)
    return np.interp(np.asarray(years, dtype=float), known, rows["value"].to_numpy(float))


def system_matrices(
    frame: pd.DataFrame,
    change: pd.DataFrame,
    conversion: np.ndarray,
    years: np.ndarray,
    settings: ScenarioSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """System code, carrier and efficiency [-] of every building (rows) in every year."""
    after1 = years[None, :] >= change["year_1"].to_numpy()[:, None]
    after2 = years[None, :] >= change["year_2"].to_numpy()[:, None]
    system = np.where(after2, change["system_2"].to_numpy()[:, None], KEEP)
    system = np.where(after1 & ~after2, change["system_1"].to_numpy()[:, None], system)
    installed = np.where(
        after2, change["year_2"].to_numpy()[:, None], change["year_1"].to_numpy()[:, None]
    )
    installed = np.where(np.isfinite(installed), installed, settings.base_year).astype(int)
    boiler = catalogue_value(settings.new_boiler_technology, "efficiency", installed.ravel())
    pellets = catalogue_value(settings.biomass_boiler_technology, "efficiency", installed.ravel())
    base_carrier = frame[col.CARRIER].to_numpy(str)[:, None]
    hydrogen = years[None, :] >= conversion[:, None]
    carrier = np.select(
        [system == KEEP, system == LIKE, system == DISTRICT, system == HYDROGEN, system == BIOMASS],
        [
            base_carrier,
            base_carrier,
            "district_heat",
            np.where(hydrogen, "hydrogen", "natural_gas"),
            "wood",
        ],
        "electricity",
    ).astype(object)
    carrier = np.where((carrier == "natural_gas") & hydrogen, "hydrogen", carrier)
    substation = float(heater_types()["efficiency"].astype(float)["substation"])
    fuel = np.isin(base_carrier, FOSSIL)  # like for like: a new boiler; direct electric: as before
    efficiency = np.select(
        [
            (system == KEEP) | ((system == LIKE) & ~fuel),
            np.isin(system, (LIKE, HYDROGEN)),
            system == DISTRICT,
            system == BIOMASS,
            system == HP_AIR,
        ],
        [
            frame["efficiency"].to_numpy(float)[:, None],
            boiler.reshape(system.shape),
            substation,
            pellets.reshape(system.shape),
            settings.spf_air,
        ],
        settings.spf_ground,
    )
    return system, carrier, efficiency


def blend_share(
    frame: pd.DataFrame,
    change: pd.DataFrame,
    system: np.ndarray,
    years: np.ndarray,
    settings: ScenarioSettings,
) -> np.ndarray:
    """Biomethane share of the gas of each building and year [-] (GEG § 71 (9) heaters)."""
    low, high = settings.gas_blend_installed_from, settings.geg65_from_year
    installed = frame["heater_install_year"].to_numpy(float)
    old = ((installed >= low) & (installed < high))[:, None] & (system == KEEP)
    like_year = np.where(
        years[None, :] >= change["year_2"].to_numpy()[:, None],
        change["year_2"].to_numpy()[:, None],
        change["year_1"].to_numpy()[:, None],
    )
    new = (system == LIKE) & (like_year >= low) & (like_year < high)
    points = np.array(settings.gas_blend_shares, dtype=float)
    step = np.searchsorted(points[:, 0], years, side="right") - 1
    share = np.where(step >= 0, points[np.maximum(step, 0), 1], 0.0)
    gas = frame[col.CARRIER].eq("natural_gas").to_numpy()[:, None]
    return np.where((old | new) & gas, share[None, :], 0.0)
