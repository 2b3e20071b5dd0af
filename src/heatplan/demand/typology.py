"""Heat demand of buildings without metering: TABULA typology and non-residential benchmarks.

Residential (sfh, th, mfh, ab): IWU TABULA DE heating need q_h_nd and hot-water need q_w_nd of
the existing state per construction-age class [1]_ (``data/tabula_residential.csv``).
Non-residential: TEK Heizung x size factor and TEK Warmwasser of the 2021 comparison values for
non-residential buildings [2]_ (``data/nonresidential_benchmarks.csv``). These are final-energy
comparison values per net floor area, used here as heat demand (they overstate useful heat by
the generator losses). Unknown use, age class or area gives NaN and method ``unknown``.

References
----------
.. [1] Loga et al. (2015): Deutsche Wohngebäudetypologie (TABULA), IWU. Key ``Loga2015``.
.. [2] BMWi/BMI (2021): Bekanntmachung der Regeln für Energieverbrauchswerte und der
   Vergleichswerte im Nichtwohngebäudebestand, 15.04.2021. Key ``BMWi2021NWG``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from heatplan.plan import columns as col
from heatplan.reference import parameter, table

RESIDENTIAL_USES = ("sfh", "th", "mfh", "ab")
UNKNOWN = "unknown"


def _param(name: str, key: str) -> float:
    return parameter(name, key)


def age_classes() -> pd.DataFrame:
    """TABULA construction-age classes with year bounds and BDEW building class."""
    return table("age_classes.csv")


def age_class_for_year(year: ArrayLike | pd.Series) -> np.ndarray | pd.Series | str:
    """TABULA construction-age class label of construction years [a]; NaN -> 'unknown'.

    Examples
    --------
    >>> age_class_for_year(1965)
    '1958-1968'
    >>> [str(c) for c in age_class_for_year([1850, None, 2020])]
    ['-1859', 'unknown', '2016-']
    """
    classes = age_classes().dropna(subset=["tabula_class"])
    upper = classes["year_to"].fillna(np.inf).to_numpy(float)
    labels = np.append(classes["age_class"].to_numpy(str), UNKNOWN)
    values = pd.to_numeric(
        pd.Series(np.atleast_1d(np.asarray(year, dtype=object))), errors="coerce"
    ).to_numpy(float)
    index = np.searchsorted(upper, values, side="left")
    index[np.isnan(values)] = len(labels) - 1
    result = labels[index]
    if isinstance(year, pd.Series):
        return pd.Series(result, index=year.index, name="age_class")
    return str(result[0]) if np.ndim(year) == 0 else result


def estimate_heated_area_m2(
    footprint_area_m2: ArrayLike, floors: ArrayLike, height_m: ArrayLike
) -> np.ndarray | pd.Series | float:
    """Heated floor area A_N [m²] from the gross volume V_e = footprint x height (GEG/EnEV).

    Parameters
    ----------
    footprint_area_m2 : numeric
        Footprint of the building polygon [m²].
    floors : numeric
        Full storeys above ground [-]; used for the height when ``height_m`` is missing and for
        the storey height h_G = height / floors.
    height_m : numeric
        Building height [m]; NaN when unknown.

    Returns
    -------
    numeric
        A_N = 0.32 1/m x V_e for storey heights 2.5-3.0 m, otherwise (1/h_G - 0.04 1/m) x V_e
        (EnEV 2014 Anlage 1 Nr. 1.3.3); NaN when footprint or both height and floors are
        unknown (never invented). Storey height 2.75 m when only floors are known.

    Examples
    --------
    >>> float(estimate_heated_area_m2(100.0, 2, np.nan))
    176.0
    """
    footprint = np.asarray(footprint_area_m2, dtype=float)
    storeys = np.asarray(floors, dtype=float)
    given = np.asarray(height_m, dtype=float)
    storey_m = _param("heated_area.csv", "storey_height_m")
    height = np.where(np.isnan(given), storeys * storey_m, given)
    storey_height = np.where(storeys > 0, height / np.where(storeys > 0, storeys, 1), storey_m)
    ratio = _an_per_ve_per_m(storey_height)
    area = np.where((footprint > 0) & (height > 0), footprint * height * ratio, np.nan)
    if isinstance(footprint_area_m2, pd.Series):
        return pd.Series(area, index=footprint_area_m2.index, name=col.HEATED_AREA_M2)
    return float(area) if area.ndim == 0 else area


def _an_per_ve_per_m(storey_height_m: np.ndarray) -> np.ndarray:
    low = _param("heated_area.csv", "storey_height_min_m")
    high = _param("heated_area.csv", "storey_height_max_m")
    inside = (storey_height_m >= low) & (storey_height_m <= high)
    outside = 1.0 / storey_height_m - _param("heated_area.csv", "an_correction_per_m")
    return np.where(inside, _param("heated_area.csv", "an_per_ve_per_m"), outside)


def nonresidential_size_factor(net_floor_area_m2: ArrayLike) -> np.ndarray:
    """Size factor f [-] on TEK Heizung: f = 4.53 A^-0.215 + 0.27, A clipped to 500..50,000 m².

    Examples
    --------
    >>> round(float(nonresidential_size_factor(100.0)), 2)
    1.46
    """
    get = lambda p: _param("nonresidential_size_factor.csv", p)  # noqa: E731
    area = np.clip(
        np.asarray(net_floor_area_m2, dtype=float), get("area_min_m2"), get("area_max_m2")
    )
    return np.asarray(get("a") * area ** get("b") + get("c"))


def _specific_residential(use: np.ndarray, age: np.ndarray) -> pd.DataFrame:
    tabula = table("tabula_residential.csv").set_index([col.USE, "age_class"])
    keys = pd.MultiIndex.from_arrays([use, age])
    return tabula.reindex(keys)[["space_heating_kwh_per_m2_a", "hot_water_kwh_per_m2_a"]]


def _specific_nonresidential(use: np.ndarray, area: np.ndarray) -> pd.DataFrame:
    bench = table("nonresidential_benchmarks.csv").set_index("category")
    found = bench.reindex(use)[["space_heating_kwh_per_m2_a", "hot_water_kwh_per_m2_a"]]
    found["space_heating_kwh_per_m2_a"] *= nonresidential_size_factor(area)
    return found


def typology_heat_demand(
    use: ArrayLike | pd.Series,
    age_class: ArrayLike | pd.Series,
    heated_area_m2: ArrayLike | pd.Series,
) -> pd.DataFrame:
    """Annual useful heat demand from typology (residential) or benchmarks (non-residential).

    Parameters
    ----------
    use : array of str
        sfh | th | mfh | ab | non-residential category of nonresidential_benchmarks.csv | unknown.
    age_class : array of str
        TABULA construction-age class label or 'unknown' (only used for residential).
    heated_area_m2 : numeric
        Heated floor area A_N (residential) or net floor area NGF (non-residential) [m²].

    Returns
    -------
    pandas.DataFrame
        space_heating_kwh_per_a, hot_water_kwh_per_a, heat_demand_kwh_per_a [kWh/a] and
        demand_method ('typology' | 'benchmark' | 'unknown'); index of ``use`` if a Series.
    """
    uses = np.asarray(use, dtype=object).astype(str)
    ages = np.asarray(age_class, dtype=object).astype(str)
    area = np.asarray(heated_area_m2, dtype=float)
    residential = np.isin(uses, RESIDENTIAL_USES)
    res = _specific_residential(uses, ages).to_numpy(float)
    non = _specific_nonresidential(uses, area).to_numpy(float)
    specific = np.where(residential[:, None], res, non)
    known = ~np.isnan(specific).any(axis=1) & (area >= 0)
    demand = np.where(known[:, None], specific * area[:, None], np.nan)
    method = np.where(~known, UNKNOWN, np.where(residential, "typology", "benchmark"))
    index = use.index if isinstance(use, pd.Series) else None
    return pd.DataFrame(
        {
            "space_heating_kwh_per_a": demand[:, 0],
            "hot_water_kwh_per_a": demand[:, 1],
            col.HEAT_DEMAND_KWH_PER_A: demand.sum(axis=1),
            "demand_method": method,
        },
        index=index,
    )


def use_from_osm(building: ArrayLike | pd.Series) -> np.ndarray:
    """heatplan use of OpenStreetMap ``building=`` values (data/uses.csv); others -> 'unknown'."""
    mapping = table("uses.csv").set_index("osm_building")[col.USE]
    values = pd.Series(np.asarray(building, dtype=object)).str.strip().str.lower()
    return values.map(mapping).fillna(UNKNOWN).to_numpy(str)
