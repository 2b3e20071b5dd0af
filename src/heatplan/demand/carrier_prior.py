"""The Zensus 2022 cell's carrier shares as a prior in the inventory's carrier breakdown.

``heatplan import zensus`` gives each building the carrier shares of its 100 m cell
(``zensus_carrier_shares``: JSON ``{carrier: share}`` of the buildings with dwellings by the
energy carrier of their heating). A residential building with neither metered consumption nor a
registered heater has no carrier of its own; the inventory then distributes its modelled
demand over the cell's carriers as *expected values* — shares, never a random draw:

* final energy of carrier c [kWh/a] = heat demand x share_c / default efficiency_c
  (``data/carriers.csv``), its CO2e with the carrier's factor;
* expected decentral generators = ``zensus_prior_generators_per_building``
  (``data/demand_defaults.csv``) x share_c, of the heater type that carrier and the cell's
  prevailing heating type (``zensus_heating_system``) imply by ``data/zensus_heater_types.csv``
  (district heat: substation, stoves: stove, other fuels: boiler ...).

The building's own columns are not changed (its ``carrier`` stays ``unknown``, its final energy
empty); it is flagged ``carrier_source = zensus_2022_grid`` and only the breakdown
(:func:`carrier_breakdown`, the municipal totals) uses the prior, in rows that say so. A
category 'no carrier' (``none``) is left out and the shares of the carriers are renormalised:
a building with a heat demand is heated.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.reference import carriers, table

#: ``carrier_source`` of a building whose carrier breakdown is the Zensus cell's shares.
PRIOR_SOURCE = "zensus_2022_grid"
#: Column of the cell's carrier shares on ``buildings`` (written by ``import zensus``).
SHARES_COLUMN = "zensus_carrier_shares"
#: Column of the cell's prevailing heating type on ``buildings`` (written by ``import zensus``).
HEATING_COLUMN = "zensus_heating_system"
ANY = "*"
RESIDENTIAL_USES = ("sfh", "th", "mfh", "ab")
UNKNOWN = "unknown"
_KWH_PER_T = 1e6  # kWh x g/kWh -> t
#: Columns of the breakdown, one row per building and carrier.
BREAKDOWN_COLUMNS = [
    col.BUILDING_ID,
    col.CARRIER,
    "share",
    "sector",
    "heater_type",
    col.FINAL_ENERGY_KWH_PER_A,
    col.CO2_T_PER_A,
    "generators",
    col.CARRIER_SOURCE,
]


def prior_shares(shares: pd.Series) -> pd.DataFrame:
    """Carrier shares per building from the cells' JSON texts, renormalised over heating carriers.

    Returns a frame indexed like ``shares`` with one column per carrier code of
    ``data/carriers.csv`` (``unknown`` and Zensus' ``none`` left out); rows sum to 1, or are
    all NaN where the text is missing, not JSON or names no heating carrier.

    >>> shares = prior_shares(pd.Series(['{"natural_gas": 0.5, "wood": 0.25, "none": 0.25}', None]))
    >>> shares.loc[0, ["natural_gas", "wood"]].round(3).tolist(), bool(shares.loc[1].isna().all())
    ([0.667, 0.333], True)
    """
    codes = [c for c in carriers().index if c != UNKNOWN]
    rows = [_parsed(text) for text in shares]
    frame = pd.DataFrame(rows, index=shares.index, columns=codes, dtype=float)
    total = frame.sum(axis=1, min_count=1)
    return frame.div(total.where(total > 0), axis=0).fillna(0.0).where(total > 0)


def _parsed(text: object) -> dict[str, float]:
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def carrier_sources(
    buildings: pd.DataFrame, *, measured: pd.Series, registered: pd.Series
) -> pd.Series:
    """``measured``, ``register``, ``zensus_2022_grid`` or ``unknown`` per building.

    ``measured`` and ``registered`` are boolean Series aligned with ``buildings``: the carrier
    comes from metered consumption, or the building has a heater in the register. The prior
    applies to residential buildings without either whose cell has carrier shares.
    """
    shares = buildings.get(SHARES_COLUMN, pd.Series(None, index=buildings.index))
    has_prior = prior_shares(shares).notna().any(axis=1)
    residential = buildings[col.USE].isin(RESIDENTIAL_USES)
    prior = has_prior & residential & ~measured & ~registered
    source = np.select(
        [measured.to_numpy(), registered.to_numpy(), prior.to_numpy()],
        ["measured", "register", PRIOR_SOURCE],
        default=UNKNOWN,
    )
    return pd.Series(source, index=buildings.index, dtype=object)


def carrier_breakdown(buildings: pd.DataFrame) -> pd.DataFrame:
    """One row per building and carrier: its own carrier, or the prior's carriers by share.

    Parameters
    ----------
    buildings : DataFrame
        The inventory's buildings: ``building_id``, ``carrier``, ``carrier_source``,
        ``sector``, ``heater_type``, ``heat_demand_kwh_per_a`` [kWh/a],
        ``final_energy_kwh_per_a`` [kWh/a], ``co2_t_per_a`` [t/a], ``generators`` [count] and
        ``zensus_carrier_shares`` (JSON) where imported.

    Returns
    -------
    DataFrame
        :data:`BREAKDOWN_COLUMNS`. A building without the prior gives one row (share 1, its own
        values); one with ``carrier_source = zensus_2022_grid`` one row per carrier of its cell:
        final energy = heat demand x share / default efficiency [kWh/a], CO2e [t/a], expected
        generators = ``zensus_prior_generators_per_building`` x share, heater type unknown.
    """
    source = buildings.get(col.CARRIER_SOURCE, pd.Series(UNKNOWN, index=buildings.index))
    prior = source.eq(PRIOR_SOURCE).to_numpy()
    own = buildings.loc[~prior].assign(share=1.0, **{col.CARRIER_SOURCE: source[~prior]})
    own = own.reindex(columns=BREAKDOWN_COLUMNS)
    if not prior.any():
        return own.reset_index(drop=True)
    return pd.concat([own, _prior_rows(buildings.loc[prior])], ignore_index=True)


def _prior_rows(buildings: pd.DataFrame) -> pd.DataFrame:
    """The prior buildings' rows, one per carrier with a share > 0."""
    shares = prior_shares(buildings[SHARES_COLUMN]).set_axis(buildings[col.BUILDING_ID].to_numpy())
    wide = shares.rename_axis(col.BUILDING_ID).reset_index()
    long = wide.melt(id_vars=col.BUILDING_ID, var_name=col.CARRIER, value_name="share")
    long = long[long["share"] > 0].reset_index(drop=True)
    info = buildings.set_index(col.BUILDING_ID)
    heat = long[col.BUILDING_ID].map(info[col.HEAT_DEMAND_KWH_PER_A]).astype(float)
    table_ = carriers()
    efficiency = long[col.CARRIER].map(table_["default_efficiency"]).astype(float)
    factor = long[col.CARRIER].map(table_["co2_g_per_kwh"]).astype(float)
    final = heat * long["share"] / efficiency
    per_building = float(_default("zensus_prior_generators_per_building"))
    out = long.copy()
    out["sector"] = long[col.BUILDING_ID].map(info["sector"])
    heating = long[col.BUILDING_ID].map(info.get(HEATING_COLUMN, pd.Series(dtype=object)))
    out["heater_type"] = prior_heater_types(long[col.CARRIER], heating)
    out[col.FINAL_ENERGY_KWH_PER_A] = final
    out[col.CO2_T_PER_A] = final * factor / _KWH_PER_T
    out["generators"] = per_building * long["share"]
    out[col.CARRIER_SOURCE] = PRIOR_SOURCE
    return out[BREAKDOWN_COLUMNS]


def prior_heater_types(carrier: pd.Series, heating_system: pd.Series) -> pd.Series:
    """The heater type a carrier implies in a cell of a prevailing heating type.

    Rules of ``data/zensus_heater_types.csv``, the most specific first: (carrier, heating
    type), (carrier, any), (any, heating type), (any, any); ``unknown`` where none applies.

    >>> prior_heater_types(pd.Series(["district_heat", "wood", "natural_gas"]),
    ...                    pd.Series(["stoves", "stoves", None])).tolist()
    ['substation', 'stove', 'boiler']
    """
    rules = table("zensus_heater_types.csv", as_text=True)
    lookup = {(c, h): t for c, h, t in rules[["carrier", "heating_system", "heater_type"]].values}
    heating = [h if isinstance(h, str) else None for h in heating_system]
    found = [
        next(
            (lookup[key] for key in ((c, h), (c, ANY), (ANY, h), (ANY, ANY)) if key in lookup),
            UNKNOWN,
        )
        for c, h in zip(carrier, heating, strict=True)
    ]
    return pd.Series(found, index=carrier.index, dtype=object)


def _default(parameter: str) -> str:
    frame = table("demand_defaults.csv").set_index("parameter")
    return str(frame.loc[parameter, "value"])
