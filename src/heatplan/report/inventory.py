"""Section 1 (Bestandsanalyse) of the plan report.

Everything comes from :class:`~heatplan.report.inputs.ReportInputs`, i.e. from aggregates that
went through :mod:`heatplan.publish`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from heatplan.areas.reference import carriers_table, density_classes, line_density_guide_kwh_per_m_a
from heatplan.outputs.tables import NO_DATA_DE
from heatplan.plan import columns as col
from heatplan.report import charts, maps
from heatplan.report.fmt import Table, label_de, labels_de, number, percent, table
from heatplan.report.inputs import ReportInputs

__all__ = ["KIND_DE", "inventory_section", "key_figures"]

KWH_PER_MWH = 1000.0
CARRIERS_DE: dict[str, str] = {str(k): str(v) for k, v in carriers_table()["label_de"].items()}
#: Potential kinds (heatplan.potentials) -> German label.
KIND_DE = labels_de("potential_kind")


def _total(inventory: pd.DataFrame, indicator: str) -> float | None:
    rows = inventory[
        (inventory["indicator"] == indicator)
        & (inventory[col.CARRIER] == "all")
        & (inventory["sector"] == "all")
        & (inventory["heater_type"] == "all")
    ]
    return float(rows["Wert"].iloc[0]) if len(rows) and pd.notna(rows["Wert"].iloc[0]) else None


def key_figures(inputs: ReportInputs) -> dict[str, Any]:
    """The municipal totals [MWh/a, t/a, -] (None where the inventory has none)."""
    inventory = inputs.inventory
    if inventory is None:
        return {}
    mwh = {k: _total(inventory, k) for k in ("heat_demand", "final_energy", "grid_bound_heat")}
    return {
        "buildings": _total(inventory, "buildings"),
        "heat_demand_mwh_per_a": None
        if mwh["heat_demand"] is None
        else mwh["heat_demand"] / KWH_PER_MWH,
        "final_energy_mwh_per_a": None
        if mwh["final_energy"] is None
        else mwh["final_energy"] / KWH_PER_MWH,
        "co2_t_per_a": _total(inventory, "co2e"),
        "renewable_share": _total(inventory, "renewable_share"),
        "grid_bound_heat_mwh_per_a": None
        if mwh["grid_bound_heat"] is None
        else mwh["grid_bound_heat"] / KWH_PER_MWH,
    }


def _key_table(figures: dict[str, Any], existing_km: dict[str, float | None]) -> Table:
    rows = [
        ("Gebäude", number(figures.get("buildings")), "Anzahl"),
        ("Wärmebedarf", number(figures.get("heat_demand_mwh_per_a")), "MWh/a"),
        ("Endenergieverbrauch Wärme", number(figures.get("final_energy_mwh_per_a")), "MWh/a"),
        ("Treibhausgasemissionen", number(figures.get("co2_t_per_a")), "t CO2e/a"),
        (
            "Anteil erneuerbarer Energien und Abwärme",
            percent(figures.get("renewable_share"), 1),
            "",
        ),
        ("Leitungsgebundene Wärme", number(figures.get("grid_bound_heat_mwh_per_a")), "MWh/a"),
    ]
    rows += [
        (f"Bestehendes {name} (Leitungslänge)", number(km, 1), "km")
        if km is not None
        else (f"Bestehendes {name} ({NO_DATA_DE})", "–", "km")
        for name, km in existing_km.items()
    ]
    return Table(["Kennzahl", "Wert", "Einheit"], [list(r) for r in rows], [False, True, False])


def _energy_table(inventory: pd.DataFrame) -> Table:
    rows = inventory[
        inventory["indicator"].isin(["final_energy", "co2e"]) & (inventory["heater_type"] == "all")
    ]
    mwh = rows["Wert"].where(rows["indicator"] != "final_energy", rows["Wert"] / KWH_PER_MWH)
    frame = pd.DataFrame(
        {
            "Indikator": rows["Indikator"],
            "Energieträger": rows["Energieträger"],
            "Sektor": rows["Sektor"],
            "Wert": mwh.astype(float),
            "Einheit": rows["Einheit"].replace({"kWh/a": "MWh/a", "t/a": "t CO2e/a"}),
            "Hinweis": rows["Hinweis"].where(rows["Hinweis"].notna(), ""),
        }
    )
    return table(frame, {"Wert": 0}, caption="Endenergie und THG-Emissionen (Anlage 2 I WPG)")


def _generators_table(inventory: pd.DataFrame) -> Table | None:
    """Decentral heat generators by type and carrier (Anlage 2 I WPG), suppressed as released."""
    rows = inventory[
        (inventory["indicator"] == "decentral_generators")
        & (inventory[col.CARRIER] != "all")
        & (inventory["heater_type"] != "all")
    ]
    if rows.empty:
        return None
    frame = pd.DataFrame(
        {
            "Erzeugertyp": rows["Erzeugertyp"],
            "Energieträger": rows["Energieträger"],
            "Anzahl": pd.to_numeric(rows["Wert"], errors="coerce"),
            "Hinweis": rows["Hinweis"].where(rows["Hinweis"].notna(), ""),
        }
    )
    return table(
        frame, {"Anzahl": 0}, caption="Dezentrale Wärmeerzeuger nach Art und Energieträger"
    )


def _by_carrier(inventory: pd.DataFrame) -> str | None:
    rows = inventory[
        (inventory["indicator"] == "final_energy")
        & (inventory[col.CARRIER] != "all")
        & (inventory["sector"] == "all")
        & (inventory["heater_type"] == "all")
        & inventory["Wert"].notna()
    ]
    if rows.empty or not (rows["Wert"] > 0).any():
        return None
    return charts.bars(
        list(rows["Energieträger"]),
        list(rows["Wert"] / KWH_PER_MWH),
        unit="MWh/a",
        keys=list(rows[col.CARRIER]),
        title="Endenergieverbrauch Wärme nach Energieträger",
    )


def _stock_charts(stock: pd.DataFrame) -> list[str]:
    out = []
    for feature, title in (
        ("Baualtersklasse", "Gebäude nach Baualtersklasse"),
        ("Nutzung", "Gebäude nach Nutzung"),
    ):
        rows = stock[stock["Merkmal"] == feature]
        if len(rows) > 1 or (len(rows) == 1 and str(rows["Wert"].iloc[0]) != "unknown"):
            out.append(
                charts.bars(
                    [str(v) for v in rows["Wert"]],
                    list(rows["Gebäude"]),
                    unit="Gebäude",
                    title=title,
                )
            )
    return out


def inventory_section(inputs: ReportInputs, *, attribution: str) -> dict[str, Any]:
    """Section 1: key figures, stock, energy and GHG, density maps, existing networks."""
    section: dict[str, Any] = {"figures": key_figures(inputs), "charts": [], "maps": []}
    section["key_table"] = _key_table(section["figures"], inputs.existing_km)
    if inputs.inventory is not None:
        section["energy_table"] = _energy_table(inputs.inventory)
        section["generators_table"] = _generators_table(inputs.inventory)
        section["charts"].append(_by_carrier(inputs.inventory))
    if inputs.stock is not None and len(inputs.stock):
        stock = inputs.stock.fillna({"Hinweis": ""}).replace({"Wert": {"unknown": "unbekannt"}})
        section["stock_table"] = table(stock, 0)
        section["charts"] += _stock_charts(inputs.stock)
    blocks, segments = inputs.layer("blocks"), inputs.layer("street_segments")
    pipes = inputs.layer("network_pipes")
    if blocks is not None and len(blocks):
        section["maps"].append(
            {
                "title": "Wärmedichte je Baublock",
                "image": maps.heat_density_map(
                    blocks,
                    density_classes(),
                    base=inputs.map_base(attribution),
                    pipes=pipes,
                    areas=inputs.layer("areas"),
                ),
            }
        )
    if segments is not None and len(segments):
        section["maps"].append(
            {
                "title": "Wärmeliniendichte je Straßenabschnitt",
                "image": maps.line_density_map(
                    segments, line_density_guide_kwh_per_m_a(), base=inputs.map_base(attribution)
                ),
            }
        )
    section["charts"] = [c for c in section["charts"] if c]
    section["networks_table"] = _networks_table(inputs.layer("networks"))
    return section


def _networks_table(networks: pd.DataFrame | None) -> Table | None:
    if networks is None or networks.empty:
        return None
    columns = {
        "network_id": "Netz",
        "buildings_connected": "Angeschlossene Gebäude",
        "trench_length_m": "Trasse [m]",
        "heat_delivered_mwh_per_a": "Wärmeabgabe [MWh/a]",
        "loss_share": "Verlust­anteil [-]",
        "lcoh_eur_per_mwh": "Wärme­kosten [EUR/MWh]",
    }
    frame = networks[[c for c in columns if c in networks.columns]].rename(columns=columns)
    if "Netz" in frame.columns:
        frame["Netz"] = frame["Netz"].map(lambda v: label_de("network", v))
    return table(frame, {"Verlust­anteil [-]": 2}, caption="Untersuchte Wärmenetze (Planung)")
