"""``WP_ZielszenarioIndikatoren``: the target-scenario indicators (WPG Anlage 2 III) per year.

From the store table ``scenario_indicators`` (``heatplan scenario``; columns variant, year,
indicator, key, value, unit; :func:`heatplan.scenario.indicators.indicator_table`) of the plan's
variant — the first one in the table, the one ``heatplan scenario`` reports — one feature for
each of 2030, 2035, 2040 and 2045 (``WP_Betrachtungszeitpunkt``):

- final energy by carrier with the sectors (``WP_EnergieTraegerVerbrauch``) and by sector
  (``WP_SektorVerbrauch``) from ``final_energy`` (keys ``<sector>|<carrier>``);
- grid-bound heat by carrier (``WP_EnergieTraegerMenge``) from ``grid_bound_heat_by_carrier``
  and its share of the final energy [vH] from ``grid_bound_heat_share``;
- final energy from the gas network by carrier from ``gas_network_final_energy``;
- buildings, and buildings on gas and heat networks (``WP_GebaeudeNetzanschluss``);
- the target year's demand for green methane (the biomethane of the gas network) [MWh].

XWärmeplan 0.9 has no attribute for the greenhouse-gas emissions (it leaves them to the
emission factors): they go into one ``WP_TextAbschnitt`` of the plan, per year.
Everything here is a municipal total over all buildings: nothing to suppress.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any

import pandas as pd

from heatplan.formats import german
from heatplan.i18n import MissingLabel, label
from heatplan.outputs.xwp.common import Context, code, energy_amount, mwh, number
from heatplan.outputs.xwp.gml import DataType, Feature, Measure, Ref, Value

__all__ = ["NONRESIDENTIAL_SECTORS", "YEAR_CODES", "plan_variant", "scenario_features"]

#: Year -> XWärmeplan 0.9 code list ``WP_Betrachtungszeitpunkt``.
YEAR_CODES = {2030: "1000", 2035: "2000", 2040: "3000", 2045: "4000"}
#: ``WP_Sektor`` code -> attribute of ``WP_EnergieTraegerVerbrauch`` (model order).
SECTOR_ATTRIBUTES = {
    "1000": "verbrauchSektorIndustrie",
    "2000": "verbrauchSektorGHD",
    "3000": "verbrauchSektorHaushalte",
    "4000": "verbrauchSektorLiegenschaften",
}
#: Sectors whose buildings count as non-residential (the rest, unknown too, as residential:
#: the same assumption as the sector code list, data/xwp_codes.csv).
NONRESIDENTIAL_SECTORS = ("commerce", "industry", "public")
#: Key of indicator ``gas_network_final_energy`` -> heatplan carrier.
GAS_CARRIERS = {"natural_gas": "natural_gas", "hydrogen": "hydrogen", "biomethane": "biogas"}
REQUIRED = ("variant", "year", "indicator", "key", "value")


def plan_variant(table: pd.DataFrame) -> str:
    """The variant the plan reports: the first of the table (``heatplan scenario`` order)."""
    return str(table["variant"].iloc[0])


def _values(rows: pd.DataFrame, indicator: str) -> dict[str, float]:
    part = rows[rows["indicator"] == indicator]
    return {str(k): float(v) for k, v in zip(part["key"], part["value"], strict=True)}


def carrier_consumption(cells: dict[tuple[str, str], float]) -> list[Value]:
    """``WP_EnergieTraegerVerbrauch`` per carrier code from (sector, carrier) -> MWh/a cells.

    Cells of heatplan codes that share one XWärmeplan code are added up; a sector attribute is
    written only where the carrier has energy in that sector.
    """
    by_code: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (sector, carrier), value in cells.items():
        traeger = code("carrier", carrier) or code("carrier", "unknown")
        by_code[str(traeger)][str(code("sector", sector))] += value
    out: list[Value] = []
    for traeger in sorted(by_code, key=int):
        sectors = by_code[traeger]
        props: dict[str, Value] = {"traeger": traeger}
        for sector_code, attribute in SECTOR_ATTRIBUTES.items():
            if sector_code in sectors:
                props[attribute] = mwh(sectors[sector_code])
        props["verbrauchGesamt"] = mwh(sum(sectors.values()))
        out.append(DataType("WP_EnergieTraegerVerbrauch", props))
    return out


def sector_consumption(by_sector: dict[str, float]) -> list[Value]:
    """``WP_SektorVerbrauch`` per sector code from heatplan sector -> MWh/a."""
    by_code: dict[str, float] = defaultdict(float)
    for sector, value in by_sector.items():
        by_code[str(code("sector", sector))] += value
    return [
        DataType("WP_SektorVerbrauch", {"sektor": sector, "verbrauch": mwh(value)})
        for sector, value in sorted(by_code.items())
    ]


def amounts(by_carrier: dict[str, float]) -> list[Value]:
    """``WP_EnergieTraegerMenge`` per carrier code (heatplan carrier -> MWh/a; zeros left out)."""
    by_code: dict[str, float] = defaultdict(float)
    for carrier, value in by_carrier.items():
        if value > 0:
            by_code[str(code("carrier", carrier) or code("carrier", "unknown"))] += value
    return [energy_amount(traeger, value) for traeger, value in sorted(by_code.items())]


def buildings_on_networks(total: int, nonresidential: int, gas: int, heat: int) -> DataType:
    """``WP_GebaeudeNetzanschluss``: residential and other buildings, gas and heat connections."""
    other = min(max(int(nonresidential), 0), int(total))
    return DataType(
        "WP_GebaeudeNetzanschluss",
        {
            "wohngebaeude": int(total) - other,
            "nichtwohngebaeude": other,
            "gebaeudeGasAnschluss": int(gas),
            "gebaeudeWaermenetzAnschluss": int(heat),
        },
    )


def _final_cells(values: dict[str, float]) -> dict[tuple[str, str], float]:
    cells = {}
    for key, value in values.items():
        if "|" in key and value > 0:
            sector, carrier = key.split("|", 1)
            cells[(sector, carrier)] = value
    return cells


def _by_sector(cells: dict[tuple[str, str], float]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for (sector, _), value in cells.items():
        out[sector] += value
    return out


def _year_feature(
    rows: pd.DataFrame, year: int, ctx: Context, nonresidential: int, green_methane: float
) -> Feature | None:
    cells = _final_cells(_values(rows, "final_energy"))
    if not cells:
        ctx.notes.append(f"WP_ZielszenarioIndikatoren {year}: no final energy in the scenario")
        return None
    grid = _values(rows, "grid_bound_heat_by_carrier")
    gas = _values(rows, "gas_network_final_energy")
    heat_buildings = _values(rows, "heat_network_buildings")
    gas_buildings = _values(rows, "gas_network_buildings")
    share = number(_values(rows, "grid_bound_heat_share").get("grid_bound_heat")) or 0.0
    props: dict[str, Value] = {
        "betrachtungszeitpunkt": YEAR_CODES[year],
        "eevGesamtNachEnergieTraeger": carrier_consumption(cells),
        "eevGesamtNachEnergieSektor": sector_consumption(_by_sector(cells)),
    }
    grid_amounts = amounts({k: v for k, v in grid.items() if k != "total" and ":" not in k})
    if grid_amounts:
        props["eevLeitungsgebWaermeNachEnergieTraeger"] = grid_amounts
    props["anteilLeitungsgebWaermeversorgung"] = Measure(100.0 * share, "vH")
    gas_amounts = amounts({GAS_CARRIERS[k]: v for k, v in gas.items() if k in GAS_CARRIERS})
    if gas_amounts:
        props["eevGasnetzNachEnergieTraeger"] = gas_amounts
    props["gebaeudeNetzanschluss"] = buildings_on_networks(
        int(gas_buildings.get("all_buildings", heat_buildings.get("all_buildings", 0.0))),
        nonresidential,
        int(gas_buildings.get("buildings", 0.0)),
        int(heat_buildings.get("buildings", 0.0)),
    )
    props["bedarfGruenesMethanZieljahr"] = Measure(float(green_methane), "MWh")
    props["gehoertZuPlan"] = Ref(ctx.plan_uid)
    return Feature("WP_ZielszenarioIndikatoren", ctx.uid("scenario", str(year)), props)


def _ghg_text(rows: pd.DataFrame, variant: str, ctx: Context) -> Feature | None:
    name = variant
    with contextlib.suppress(MissingLabel):
        name = label("variant", variant)
    lines = [f"Treibhausgasemissionen der Wärmeversorgung im Zielszenario ({name}):"]
    for year in YEAR_CODES:
        total = _values(rows[rows["year"] == year], "ghg_emissions").get("total")
        if total is not None:
            lines.append(f"{year}: {german(f'{total:,.1f}')} t CO2e/a")
    if len(lines) == 1:
        return None
    props: dict[str, Value] = {
        "title": "Zielszenario: Treibhausgasemissionen",
        "text": "\n".join(lines),
        "gehoertZuPlan": Ref(ctx.plan_uid),
    }
    return Feature("WP_TextAbschnitt", ctx.uid("scenario", "ghg"), props)


def scenario_features(
    table: pd.DataFrame, ctx: Context, *, nonresidential: int = 0, target_year: int = 2045
) -> list[Feature]:
    """One ``WP_ZielszenarioIndikatoren`` per year of :data:`YEAR_CODES`, and the GHG text.

    Parameters
    ----------
    table : DataFrame
        The store table ``scenario_indicators``.
    ctx : Context
        Ids of the plan; notes are added for years without data.
    nonresidential : int
        Buildings of the inventory in a non-residential sector [count] (the scenario keeps the
        building stock, so the split holds for every year).
    target_year : int
        Year whose biomethane is the demand for green methane (``bedarfGruenesMethanZieljahr``).

    Raises
    ------
    ValueError
        If a column is missing.
    """
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"scenario_indicators: columns {missing} missing; run `heatplan scenario`")
    if table.empty:
        return []
    variant = plan_variant(table)
    rows = table[table["variant"].astype(str) == variant]
    others = sorted(set(table["variant"].astype(str)) - {variant})
    if others:
        ctx.notes.append(
            f"WP_ZielszenarioIndikatoren: variant {variant!r} (the first of the scenario); "
            f"not written: {', '.join(others)}"
        )
    target = rows[rows["year"] == target_year]
    green = _values(target, "gas_network_final_energy").get("biomethane", 0.0)
    features: list[Feature] = []
    for year in YEAR_CODES:
        year_rows = rows[rows["year"] == year]
        if year_rows.empty:
            ctx.notes.append(f"WP_ZielszenarioIndikatoren {year}: year not in the scenario")
            continue
        feature = _year_feature(year_rows, year, ctx, nonresidential, green)
        if feature is not None:
            features.append(feature)
    text = _ghg_text(rows, variant, ctx)
    return [*features, *([text] if text is not None else [])]


def nonresidential_count(buildings: Any) -> int:
    """Buildings in a non-residential sector (:data:`NONRESIDENTIAL_SECTORS`) [count]."""
    if buildings is None or "sector" not in getattr(buildings, "columns", ()):
        return 0
    return int(buildings["sector"].isin(NONRESIDENTIAL_SECTORS).sum())
