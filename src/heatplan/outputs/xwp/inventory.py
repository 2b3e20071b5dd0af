"""``WP_BestandsanalyseAggregiert``: the municipal inventory totals (WPG Anlage 2 I).

From the inventory's ``totals`` table after the same WPG § 10 suppression as the XLSX export
(:func:`heatplan.publish.tables.inventory_table`: carrier x sector cells under 5 buildings,
heater cells under 3, and what differencing would reveal): final energy by carrier (with the
published sector cells) and by sector, grid-bound heat by carrier, decentral heat generators by
type and carrier (house substations of heat networks included), buildings and network
connections, whether gas and heat networks exist. Suppressed carrier and heater cells are
summed into ``9999 Sonstiges`` (together they cover enough buildings), suppressed sector cells
are left out. The sewer network is described in words (``WP_AbwasserNetz.text``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd

from heatplan.areas.reference import carriers_table
from heatplan.outputs.xwp.common import (
    KWH_PER_MWH,
    Context,
    PlanContent,
    code,
    heater_code,
    mwh,
    number,
)
from heatplan.outputs.xwp.gml import DataType, Feature, Measure, Ref, Value
from heatplan.outputs.xwp.indicators import (
    SECTOR_ATTRIBUTES,
    buildings_on_networks,
    carrier_consumption,
    nonresidential_count,
    sector_consumption,
)
from heatplan.plan import columns as col
from heatplan.publish import MIN_BUILDINGS_HEATER
from heatplan.publish.tables import inventory_table

__all__ = ["inventory_feature"]

ALL = "all"
OTHER = "9999"
SUBSTATION = "3000"  # WP_WaermeErzeugerTyp Hausübergabestation
DISTRICT_HEAT = "8200"  # WP_EnergieTraeger leitungsgebundene Wärme


def _rows(table: pd.DataFrame, indicator: str, **dims: str | None) -> pd.DataFrame:
    """Rows of one indicator; a dimension given as None must differ from 'all'."""
    rows = table[table["indicator"] == indicator]
    for dim, value in dims.items():
        rows = rows[rows[dim] != ALL] if value is None else rows[rows[dim] == value]
    return rows


def _final_energy(public: pd.DataFrame, raw: pd.DataFrame) -> tuple[list[Value], list[Value]]:
    """By carrier (published sector cells inside) and by sector [MWh/a]."""
    by_carrier = _rows(public, "final_energy", carrier=None, sector=ALL, heater_type=ALL)
    cells: dict[tuple[str, str], float] = {}
    hidden = 0.0
    for index, carrier, value in zip(
        by_carrier.index, by_carrier[col.CARRIER], by_carrier["Wert"], strict=True
    ):
        if pd.isna(value):  # suppressed: its true value goes into 9999 with the others
            hidden += (number(raw.at[index, "value"]) or 0.0) / KWH_PER_MWH
        elif value > 0:
            cells[(ALL, carrier)] = float(value) / KWH_PER_MWH  # sector 'all': no attribute
    carriers = carrier_consumption(cells)
    sector_cells = _rows(public, "final_energy", carrier=None, sector=None, heater_type=ALL)
    carriers = _with_sectors(carriers, sector_cells)
    if hidden > 0:
        carriers.append(
            DataType(
                "WP_EnergieTraegerVerbrauch", {"traeger": OTHER, "verbrauchGesamt": mwh(hidden)}
            )
        )
    sectors = _rows(public, "final_energy", carrier=ALL, sector=None, heater_type=ALL)
    shown = sectors[sectors["Wert"].notna() & (sectors["Wert"] > 0)]
    by_sector = {
        s: float(v) / KWH_PER_MWH for s, v in zip(shown["sector"], shown["Wert"], strict=True)
    }
    return _merge_other(carriers), sector_consumption(by_sector)


def _with_sectors(carriers: list[Value], cells: pd.DataFrame) -> list[Value]:
    """Add the sector attributes of a carrier where all its cells of that sector are public."""
    sums: dict[tuple[str, str], float] = defaultdict(float)
    blocked: set[tuple[str, str]] = set()
    for carrier, sector, value in zip(
        cells[col.CARRIER], cells["sector"], cells["Wert"], strict=True
    ):
        key = (str(code("carrier", carrier) or OTHER), str(code("sector", sector)))
        if pd.isna(value):
            blocked.add(key)
        else:
            sums[key] += float(value) / KWH_PER_MWH
    out: list[Value] = []
    for item in carriers:
        assert isinstance(item, DataType)
        traeger = str(item.props["traeger"])
        props: dict[str, Value] = {"traeger": traeger}
        for sector_code, attribute in SECTOR_ATTRIBUTES.items():
            key = (traeger, sector_code)
            if key in sums and key not in blocked and sums[key] > 0:
                props[attribute] = mwh(sums[key])
        props["verbrauchGesamt"] = item.props["verbrauchGesamt"]
        out.append(DataType(item.name, props))
    return out


def _value(measure: Value) -> float:
    return measure.value if isinstance(measure, Measure) else 0.0


def _merge_other(carriers: list[Value]) -> list[Value]:
    """One 9999 entry (the unknown carrier plus the suppressed ones), sector details dropped."""
    others = [c for c in carriers if isinstance(c, DataType) and c.props["traeger"] == OTHER]
    if len(others) < 2:
        return carriers
    total = sum(_value(c.props["verbrauchGesamt"]) for c in others)
    rest = [c for c in carriers if c not in others]
    merged = DataType(
        "WP_EnergieTraegerVerbrauch", {"traeger": OTHER, "verbrauchGesamt": mwh(total)}
    )
    return [*rest, merged]


def _grid_bound(public: pd.DataFrame) -> list[Value]:
    rows = _rows(public, "grid_bound_heat", carrier=None)
    shown = rows[rows["Wert"].notna()]
    amounts: dict[str, float] = defaultdict(float)
    for carrier, value in zip(shown[col.CARRIER], shown["Wert"], strict=True):
        amounts[str(code("carrier", carrier) or OTHER)] += float(value) / KWH_PER_MWH
    if not amounts:
        amounts[DISTRICT_HEAT] = 0.0  # no heat network: required 1..*, the true value is 0
    return [
        DataType("WP_EnergieTraegerVerbrauch", {"traeger": k, "verbrauchGesamt": mwh(v)})
        for k, v in sorted(amounts.items())
    ]


def _generators(public: pd.DataFrame, raw: pd.DataFrame, substations: int) -> list[Value]:
    cells = _rows(public, "decentral_generators", carrier=None, heater_type=None)
    counts: dict[str, float] = defaultdict(float)
    for index, carrier, heater, value in cells[[col.CARRIER, "heater_type", "Wert"]].itertuples():
        key = OTHER if pd.isna(value) else heater_code(heater, carrier)
        counts[key] += number(raw.at[index, "value"]) or 0.0  # suppressed: true count -> 9999
    if substations >= MIN_BUILDINGS_HEATER:
        counts[SUBSTATION] += substations
    return [
        DataType("WP_WaermeerzeugerEnergietraeger", {"heizung": k, "anzahl": round(v)})
        for k, v in sorted(counts.items(), key=lambda kv: int(kv[0]))
        if v > 0
    ]


def _network_buildings(buildings: pd.DataFrame | None) -> tuple[int, int, int]:
    """Buildings in all, heated from the gas network, from heat networks [count]."""
    if buildings is None or col.CARRIER not in buildings.columns:
        return 0, 0, 0
    network = buildings[col.CARRIER].map(carriers_table()["network"])
    return len(buildings), int(network.eq("gas").sum()), int(network.eq("heat").sum())


def inventory_feature(content: PlanContent, ctx: Context, *, stichtag: date) -> Feature | None:
    """The ``WP_BestandsanalyseAggregiert`` of the municipality, or None (with a note)."""
    if content.totals is None or content.totals.empty:
        ctx.notes.append("WP_BestandsanalyseAggregiert: no totals; run `heatplan inventory`")
        return None
    raw = content.totals.reset_index(drop=True).astype({col.CARRIER: str, "sector": str})
    raw = raw.astype({"heater_type": str})
    released = (content.release or {}).get("inventory")
    public = inventory_table(raw, content.buildings, released=released)
    total, gas, heat = _network_buildings(content.buildings)
    if any(0 < n < MIN_BUILDINGS_HEATER for n in (gas, heat)):
        ctx.notes.append(
            "WP_BestandsanalyseAggregiert: left out, network connections of fewer than "
            f"{MIN_BUILDINGS_HEATER} buildings (WPG § 10 Abs. 2)"
        )
        return None
    carriers, sectors = _final_energy(public, raw)
    generators = _generators(public, raw, heat)
    if not carriers or not sectors or not generators:
        ctx.notes.append("WP_BestandsanalyseAggregiert: left out, no published final energy")
        return None
    sewers = "im Projekt erfasst (Register sewers)" if content.sewers else "nicht erfasst"
    props: dict[str, Value] = {
        "stichtag": stichtag,
        "eevGesamtNachEnergieTraeger": carriers,
        "eevGesamtNachEnergieSektor": sectors,
        "eevLeitungsgebWaermeNachEnergieTraeger": _grid_bound(public),
        "waermerzeugerMitEnergietraeger": generators,
        "gebaeudeNetzanschluss": buildings_on_networks(
            total, nonresidential_count(content.buildings), gas, heat
        ),
    }
    if content.gas_network is not None:
        props["gasnetzVorhanden"] = bool(content.gas_network)
    if content.heat_network is not None:
        props["waermenetzVorhanden"] = bool(content.heat_network)
    props["abwassernetz"] = DataType(
        "WP_AbwasserNetz",
        {"text": f"Abwassernetz: {sewers}; Abwasserpotenziale siehe WP_PotenzialWaermeNutzung"},
    )
    props["gehoertZuPlan"] = Ref(ctx.plan_uid)
    return Feature("WP_BestandsanalyseAggregiert", ctx.uid("inventory"), props)
