"""The building stock of a pathway: checked inputs, supply-area type per year, renovation.

Renovation is a stock model in expected values: a yearly rate r_t of the not-yet-renovated
stock gives the renovated share S_t = 1 - prod(1 - r_k) of every building, whose space heating
falls to ``factor`` x its value when renovated; ``factor`` is the TABULA ratio q_h_nd(refurbished)
/ q_h_nd(existing) of its use and age class (``data/tabula_refurbishment.csv``, IWU TABULA DE,
Loga et al. 2015), the mean of the residential types for other uses and the mean of all classes
for an unknown age class. Hot water does not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.reference import carriers, heater_types, parameter, table
from heatplan.scenario.heated_area import estimate_heated_area

if TYPE_CHECKING:
    from heatplan.scenario.settings import ScenarioSettings

SNAPSHOT_YEARS = (2030, 2035, 2040, 2045)
NETWORK_TYPES = ("waermenetz_verdichtung", "waermenetz_ausbau", "waermenetz_neubau")
AREA_TYPES = (*NETWORK_TYPES, "wasserstoffnetz", "dezentral", "pruefgebiet")
REQUIRED = (
    col.BUILDING_ID,
    col.AREA_ID,
    "sector",
    col.CARRIER,
    col.HEAT_DEMAND_KWH_PER_A,
    "space_heating_kwh_per_a",
    "hot_water_kwh_per_a",
    "age_class",
    "heater_type",
)
NO_AREA = ""
UNKNOWN = "unknown"
REFURBISHMENT = "tabula_refurbishment.csv"
#: tolerance of the check space heating + hot water = heat demand [-]
SPLIT_RTOL = 1e-6


def carrier_table(settings: ScenarioSettings) -> pd.DataFrame:
    """carriers.csv plus a ``hydrogen`` row (gas network, renewable).

    The hydrogen row's ``co2_g_per_kwh`` is NaN: its factor depends on the year
    (:func:`heatplan.scenario.pathway.hydrogen_factor_g_per_kwh`), as grid electricity's and
    district heat's do.
    """
    frame = carriers()[["co2_g_per_kwh", "renewable", "network", "default_efficiency"]].copy()
    hydrogen = pd.DataFrame(
        {
            "co2_g_per_kwh": [np.nan],
            "renewable": [True],
            "network": ["gas"],
            "default_efficiency": [np.nan],
        },
        index=pd.Index(["hydrogen"], name=frame.index.name),
    )
    return pd.concat([frame, hydrogen])


def _fail(name: str, mask: pd.Series, ids: pd.Series, rule: str) -> None:
    if bool(mask.any()):
        first = ", ".join(ids[mask].astype(str).head(5))
        raise ValueError(f"buildings.{name}: {int(mask.sum())} rows {rule} (first: {first})")


def _column(frame: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(default, index=frame.index)
    column: pd.Series = frame[name]
    return column.where(column.notna(), default)


def _split(frame: pd.DataFrame, ids: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    heat = pd.to_numeric(frame[col.HEAT_DEMAND_KWH_PER_A], errors="coerce")
    _fail(col.HEAT_DEMAND_KWH_PER_A, ~(heat >= 0), ids, "have no demand or a negative one")
    space = pd.to_numeric(frame["space_heating_kwh_per_a"], errors="coerce")
    water = pd.to_numeric(frame["hot_water_kwh_per_a"], errors="coerce")
    share = parameter("demand_defaults.csv", "hot_water_share_unknown_use")
    water = water.fillna(heat - space).fillna(heat * share)
    space = space.fillna(heat - water)
    wrong = (space < 0) | (water < 0) | ((space + water - heat).abs() > SPLIT_RTOL * heat + 1e-6)
    _fail("space_heating_kwh_per_a", wrong, ids, "do not add up with hot water to the demand")
    return heat, space, water


def _base_efficiency(frame: pd.DataFrame, carrier: pd.Series, heat: pd.Series) -> pd.Series:
    """Final energy / heat of the inventory where known, else the heater's or carrier's."""
    final = pd.to_numeric(_column(frame, col.FINAL_ENERGY_KWH_PER_A, np.nan), errors="coerce")
    measured = (heat / final).where((final > 0) & (heat > 0))
    by_type = frame["heater_type"].map(heater_types()["efficiency"]).astype(float)
    by_carrier = carrier.map(carriers()["default_efficiency"]).astype(float)
    return measured.fillna(by_type).fillna(by_carrier).fillna(1.0)


def prepare_buildings(buildings: pd.DataFrame, settings: ScenarioSettings) -> pd.DataFrame:
    """Checked building inputs with every column the pathway uses (see :func:`pathway`)."""
    missing = [c for c in REQUIRED if c not in buildings.columns]
    if missing:
        raise ValueError(f"buildings: missing column(s) {', '.join(missing)}")
    frame = buildings.reset_index(drop=True)
    ids = frame[col.BUILDING_ID].astype(str)
    _fail(
        col.BUILDING_ID,
        frame[col.BUILDING_ID].isna() | ids.duplicated(),
        ids,
        "are empty or repeated",
    )
    heat, space, water = _split(frame, ids)
    raw = frame[col.CARRIER].where(frame[col.CARRIER].notna(), UNKNOWN).astype(str)
    assumed = raw.eq(UNKNOWN)
    carrier = raw.where(~assumed, settings.unknown_carrier)
    _fail(
        col.CARRIER,
        ~carrier.isin(carrier_table(settings).index),
        ids,
        "have an unknown carrier code",
    )
    heater = _column(frame, "heater_type", UNKNOWN).astype(str)
    _fail(
        "heater_type", ~heater.isin([*heater_types().index, UNKNOWN]), ids, "have an unknown code"
    )
    installed = pd.to_numeric(_column(frame, "heater_install_year", np.nan), errors="coerce")
    _fail("heater_install_year", installed > settings.base_year, ids, "lie after base_year")
    out = pd.DataFrame(
        {
            col.BUILDING_ID: ids,
            col.AREA_ID: _column(frame, col.AREA_ID, NO_AREA).astype(str),
            "sector": _column(frame, "sector", UNKNOWN).astype(str),
            col.USE: _column(frame, col.USE, "any").astype(str),
            "age_class": _column(frame, "age_class", UNKNOWN).astype(str),
            "heater_type": heater,
            col.CARRIER: carrier,
            "carrier_assumed": assumed,
            "heater_install_year": installed,
            col.HEAT_DEMAND_KWH_PER_A: heat,
            "space_heating_kwh_per_a": space,
            "hot_water_kwh_per_a": water,
            col.HEATED_AREA_M2: pd.to_numeric(_column(frame, col.HEATED_AREA_M2, np.nan)),
        }
    )
    out["efficiency"] = _base_efficiency(frame.assign(heater_type=heater), carrier, heat)
    out[col.HEATED_AREA_M2], out["heated_area_estimated"] = estimate_heated_area(out)
    return out


def prepare_areas(areas: pd.DataFrame, area_ids: pd.Series) -> pd.DataFrame:
    """Areas indexed by ``area_id`` with one type column per snapshot year, plus the no-area row."""
    columns = [f"area_type_{year}" for year in SNAPSHOT_YEARS]
    missing = [c for c in (col.AREA_ID, *columns) if c not in areas.columns]
    if missing:
        raise ValueError(f"areas: missing column(s) {', '.join(missing)}")
    frame = areas.assign(area_id=areas[col.AREA_ID].astype(str)).set_index(col.AREA_ID)[columns]
    if frame.index.duplicated().any():
        raise ValueError(
            f"areas.area_id repeated: {sorted(set(frame.index[frame.index.duplicated()]))}"
        )
    for column in columns:
        bad = sorted(set(frame[column].astype(str)) - set(AREA_TYPES))
        if bad:
            raise ValueError(f"areas.{column}: unknown area type(s) {bad}; known: {AREA_TYPES}")
    unknown = sorted(set(area_ids) - set(frame.index) - {NO_AREA})
    if unknown:
        raise ValueError(
            f"buildings.area_id: {len(unknown)} ids not in areas (first: {unknown[:5]})"
        )
    frame.loc[NO_AREA] = "dezentral"
    return frame


def types_by_year(areas: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """Area type of every area (rows of ``areas``) in every year [object (areas, years)].

    A year takes the type of the first snapshot year at or after it (the type an area is to have
    by that year); years after the last snapshot keep the last.
    """
    column = np.minimum(
        np.searchsorted(SNAPSHOT_YEARS, years, side="left"), len(SNAPSHOT_YEARS) - 1
    )
    return areas.to_numpy(dtype=object)[:, column]


def renovation_rates(years: np.ndarray, settings: ScenarioSettings) -> np.ndarray:
    """Yearly renovation rate [1/a]: linear from start to end rate by the ramp year; 0 in the
    base year (the inventory state)."""
    span = max(settings.renovation_ramp_end_year - settings.base_year, 1)
    progress = np.clip((years - settings.base_year) / span, 0.0, 1.0)
    start, end = settings.renovation_rate_start, settings.renovation_rate_end
    rates = start + (end - start) * progress
    return np.where(years > settings.base_year, rates, 0.0)


def renovated_share(years: np.ndarray, settings: ScenarioSettings) -> np.ndarray:
    """Share of the stock renovated by the end of each year [-], S_t = 1 - prod(1 - r_k)."""
    return 1.0 - np.cumprod(1.0 - renovation_rates(years, settings))


def refurbishment_factor(use: pd.Series, age_class: pd.Series, depth: str) -> np.ndarray:
    """Space-heating factor after renovation [-] per building (TABULA, see module docstring)."""
    rows = table(REFURBISHMENT)
    factors = rows[rows["variant"] == depth].set_index([col.USE, "age_class"])[
        "space_heating_factor"
    ]
    exact = factors.reindex(pd.MultiIndex.from_arrays([use, age_class])).to_numpy(float)
    by_age = factors.xs("any", level=col.USE).reindex(age_class).to_numpy(float)
    overall = float(factors[("any", UNKNOWN)])
    return np.where(np.isnan(exact), np.where(np.isnan(by_age), overall, by_age), exact)


def space_heating_matrix(
    frame: pd.DataFrame, years: np.ndarray, settings: ScenarioSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Useful heat [kWh/a] of every building (rows) in every year (columns), and S_t."""
    share = renovated_share(years, settings)
    factor = refurbishment_factor(frame[col.USE], frame["age_class"], settings.renovation_depth)
    space = frame["space_heating_kwh_per_a"].to_numpy(float)[:, None]
    water = frame["hot_water_kwh_per_a"].to_numpy(float)[:, None]
    heat = space * (1.0 - share[None, :] * (1.0 - factor[:, None])) + water
    return heat, share
