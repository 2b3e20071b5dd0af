"""The released tables with German labels, as the XLSX workbook, the report and XWärmeplan
show them (WPG Anlage 2 I and II; § 10 Abs. 2).

:func:`inventory_table` labels the municipal totals of
:func:`heatplan.publish.inventory.released_inventory`; :func:`buildings_table` counts buildings
and heated area by use and age class; :func:`potentials_table` sums the potentials by carrier
and kind. Every value over fewer buildings than WPG § 10 Abs. 2 allows is suppressed, with
secondary suppression against differencing, and carries the notice why in ``Hinweis``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from heatplan.areas.reference import UNKNOWN, carriers_table, heater_types_table, with_unknown
from heatplan.i18n import labels_of
from heatplan.plan import columns as col
from heatplan.publish.inventory import ALL, released_inventory
from heatplan.publish.rules import flags, notices, smaller_part, suppression_mask

__all__ = [
    "INDICATORS_DE",
    "SECTORS_DE",
    "buildings_table",
    "inventory_table",
    "potentials_table",
]

#: Labels of the inventory's indicators and sectors, from the one vocabulary (data/labels.csv).
INDICATORS_DE = labels_of(
    "indicator",
    (
        "final_energy",
        "co2e",
        "renewable_share",
        "grid_bound_heat",
        "decentral_generators",
        "buildings",
        "buildings_without_demand",
        "heat_demand",
    ),
)
SECTORS_DE = labels_of("sector", ("households", "commerce", "industry", "public", UNKNOWN, ALL))


def inventory_table(
    totals: pd.DataFrame,
    buildings: pd.DataFrame | None,
    *,
    released: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The released municipal totals with German labels: one row per totals row, ``Wert`` NaN
    and ``Hinweis`` why where suppressed.

    ``released``: the table as the audited release has it (``inventory`` of
    :func:`heatplan.publish.layers.public_layers`); None: the table's own rules only
    (:func:`heatplan.publish.inventory.released_inventory`).
    """
    return _labelled(released if released is not None else released_inventory(totals, buildings))


def _labelled(out: pd.DataFrame) -> pd.DataFrame:
    carriers = carriers_table()["label_de"].to_dict() | {ALL: "alle"}
    heaters = heater_types_table()["label_de"].to_dict() | {ALL: "alle", UNKNOWN: "unbekannt"}
    return pd.DataFrame(
        {
            "Indikator": out["indicator"].map(INDICATORS_DE).fillna(out["indicator"]),
            "Energieträger": out[col.CARRIER].map(carriers).fillna(out[col.CARRIER]),
            "Sektor": out["sector"].map(SECTORS_DE).fillna(out["sector"]),
            "Erzeugertyp": out["heater_type"].map(heaters).fillna(out["heater_type"]),
            "Wert": out["value"],
            "Einheit": out["unit"],
            "Hinweis": out.get("note", pd.Series(index=out.index, dtype=object)),
            "indicator": out["indicator"],
            col.CARRIER: out[col.CARRIER],
            "sector": out["sector"],
            "heater_type": out["heater_type"],
        }
    )


def buildings_table(buildings: pd.DataFrame) -> pd.DataFrame:
    """Buildings and heated area [m²] by use and by age class (no consumption).

    Heat demand is left out on purpose: by use it would cut across the carrier x sector cells
    of the inventory and let suppressed cells be estimated by differencing.
    """
    parts = []
    for column, label in ((col.USE, "Nutzung"), ("age_class", "Baualtersklasse")):
        if column not in buildings.columns:
            continue
        frame = buildings.assign(_key=with_unknown(buildings[column]))
        grouped = frame.groupby("_key")
        table = pd.DataFrame(
            {
                "Merkmal": label,
                "Wert": grouped.size().index,
                "Gebäude": grouped.size().to_numpy(),
                "Beheizte Fläche [m²]": _sum(grouped, col.HEATED_AREA_M2),
            }
        )
        mask = suppression_mask(table["Gebäude"], [pd.Series(label, index=table.index)])
        table.loc[mask.to_numpy(), "Beheizte Fläche [m²]"] = np.nan
        table["Hinweis"] = notices(mask)
        parts.append(table)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _sum(grouped: Any, column: str) -> np.ndarray:
    if column not in grouped.obj.columns:
        return np.full(grouped.ngroups, np.nan)
    return np.asarray(grouped[column].sum(min_count=1).to_numpy(float))


def potentials_table(potentials: pd.DataFrame) -> pd.DataFrame:
    """Potentials by carrier and kind; building-level kinds only over >= 5 buildings.

    ``Wärme`` and ``Strom`` [MWh/a] and ``Leistung`` [kW] count only potentials not excluded.
    """
    empty = pd.Series(None, index=potentials.index, dtype=object)
    frame = potentials.assign(
        _ok=~flags(potentials.get("excluded", empty)),
        _building=potentials.get(col.BUILDING_ID, empty),
    )
    rows = []
    for (carrier, kind), group in frame.groupby([col.CARRIER, "kind"], sort=True):
        ok = group[group["_ok"]]
        rows.append(
            {
                "Energieträger": carriers_table()["label_de"].get(carrier, carrier),
                "Art": kind,
                "Anzahl": len(group),
                "Gebäude": int(group["_building"].nunique()),
                "davon ausgeschlossen": int((~group["_ok"]).sum()),
                "Wärme [MWh/a]": _total(ok, "heat_mwh_per_a"),
                "Strom [MWh/a]": _total(ok, "power_mwh_per_a"),
                "Leistung [kW]": _total(ok, "capacity_kw"),
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    per_building = pd.Series("buildings", index=table.index).where(table["Gebäude"] > 0)
    counts = smaller_part(
        table["Gebäude"], table["davon ausgeschlossen"].where(table["Gebäude"] > 0, 0)
    )
    mask = suppression_mask(counts, [per_building])
    table.loc[mask.to_numpy(), ["Wärme [MWh/a]", "Strom [MWh/a]", "Leistung [kW]"]] = np.nan
    table["Hinweis"] = notices(mask)
    return table


def _total(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].sum()) if column in frame.columns else np.nan
