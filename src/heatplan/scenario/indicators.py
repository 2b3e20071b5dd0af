"""The seven target-scenario indicators of WPG Anlage 2 (section II) for the snapshot years.

Per year: (1) final energy by sector and carrier [MWh/a]; (2) greenhouse-gas emissions
[t CO2e/a]; (3) grid-bound heat (network generation) by carrier [MWh/a] with shares [-];
(4) share of grid-bound heat (district heat delivered) in the total final energy for heat [-];
(5) number and share of buildings on a heat network; (6) final energy through the gas network
by carrier (natural gas, hydrogen, biomethane) [MWh/a]; (7) number and share of buildings on a
gas network. Each indicator is ``{"label_de", "unit", "values": {key: value}}`` plus
``"shares": {key: share}`` where the law asks for shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from heatplan.plan import columns as col
from heatplan.scenario.network import GENERATION
from heatplan.scenario.pathway import Pathway

INDICATOR_YEARS = (2030, 2035, 2040, 2045)
KWH_PER_MWH = 1000.0
LABELS_DE = {
    "final_energy": "Endenergieverbrauch nach Endenergiesektoren und Energieträgern",
    "ghg_emissions": "Treibhausgasemissionen",
    "grid_bound_heat_by_carrier": (
        "Endenergieverbrauch leitungsgebundener Wärme nach Energieträgern"
    ),
    "grid_bound_heat_share": "Anteil leitungsgebundener Wärme am Endenergieverbrauch für Wärme",
    "heat_network_buildings": "Gebäude mit Anschluss an ein Wärmenetz",
    "gas_network_final_energy": "Endenergieverbrauch aus dem Gasnetz nach Energieträgern",
    "gas_network_buildings": "Gebäude mit Anschluss an ein Gasnetz",
}
#: carrier code -> key of indicator (6)
GAS_KEYS = {"natural_gas": "natural_gas", "hydrogen": "hydrogen", "biogas": "biomethane"}
HEAT_NETWORK_CARRIERS = ("district_heat", "waste_heat")


def _indicator(name: str, unit: str, values: dict[str, float], **extra: Any) -> dict[str, Any]:
    return {"label_de": LABELS_DE[name], "unit": unit, "values": values, **extra}


def _shares(values: dict[str, float], total: float) -> dict[str, float]:
    return {key: (value / total if total > 0 else 0.0) for key, value in values.items()}


def _final_energy(energy: pd.DataFrame) -> dict[str, Any]:
    sums = energy.groupby(["sector", col.CARRIER])[col.FINAL_ENERGY_KWH_PER_A].sum() / KWH_PER_MWH
    keys = [f"{sector}|{carrier}" for sector, carrier in sums.index.to_list()]
    values = {key: float(v) for key, v in zip(keys, sums.to_numpy(), strict=True) if v > 0}
    values["total"] = float(sums.sum())
    return _indicator("final_energy", "MWh/a", values)


def _ghg(energy: pd.DataFrame) -> dict[str, Any]:
    sums = energy.groupby("sector")[col.CO2_T_PER_A].sum()
    values = {str(sector): float(v) for sector, v in sums.items()}
    values["total"] = float(sums.sum())
    return _indicator("ghg_emissions", "t CO2e/a", values)


def _grid_bound(network: pd.DataFrame) -> dict[str, Any]:
    heat = {c: float(network[f"heat_{c}_kwh_per_a"].sum()) / KWH_PER_MWH for c in GENERATION}
    total = sum(heat.values())
    renewable = total - heat["natural_gas"]
    failing = sorted(network.loc[~network["meets_wpg"], col.AREA_ID].astype(str))
    shares = _shares(heat, total)
    shares["renewable"] = renewable / total if total > 0 else 0.0
    checks = {
        "networks": len(network),
        "meeting_wpg": int(network["meets_wpg"].sum()),
        "failing": failing,
    }
    return _indicator(
        "grid_bound_heat_by_carrier",
        "MWh/a",
        {**heat, "total": total},
        shares=shares,
        wpg_checks=checks,
    )


def _grid_share(energy: pd.DataFrame) -> dict[str, Any]:
    total = float(energy[col.FINAL_ENERGY_KWH_PER_A].sum())
    grid = float(
        energy.loc[
            energy[col.CARRIER].isin(HEAT_NETWORK_CARRIERS), col.FINAL_ENERGY_KWH_PER_A
        ].sum()
    )
    return _indicator(
        "grid_bound_heat_share", "-", {"grid_bound_heat": grid / total if total else 0.0}
    )


def _buildings(name: str, connected: int, total: int) -> dict[str, Any]:
    values = {"buildings": float(connected), "all_buildings": float(total)}
    return _indicator(
        name, "buildings", values, shares={"buildings": connected / total if total else 0.0}
    )


def _gas(energy: pd.DataFrame) -> dict[str, Any]:
    sums = energy.groupby(col.CARRIER)[col.FINAL_ENERGY_KWH_PER_A].sum() / KWH_PER_MWH
    values = {key: float(sums.get(code, 0.0)) for code, key in GAS_KEYS.items()}
    values["total"] = sum(values.values())
    return _indicator("gas_network_final_energy", "MWh/a", values)


def _one_year(result: Pathway, year: int) -> dict[str, Any]:
    energy = result.energy[result.energy["year"] == year]
    row = result.stock.set_index("year").loc[year]
    total = int(row["buildings"])
    return {
        "final_energy": _final_energy(energy),
        "ghg_emissions": _ghg(energy),
        "grid_bound_heat_by_carrier": _grid_bound(result.network[result.network["year"] == year]),
        "grid_bound_heat_share": _grid_share(energy),
        "heat_network_buildings": _buildings(
            "heat_network_buildings", int(row["buildings_heat_network"]), total
        ),
        "gas_network_final_energy": _gas(energy),
        "gas_network_buildings": _buildings(
            "gas_network_buildings", int(row["buildings_gas_network"]), total
        ),
    }


def anlage2_indicators(
    result: Pathway, years: Iterable[int] = INDICATOR_YEARS
) -> dict[str, dict[str, Any]]:
    """The seven Anlage-2 indicators of ``result`` for each of ``years``, keyed by year as text."""
    chosen = [int(y) for y in years]
    outside = [y for y in chosen if y not in set(result.years.tolist())]
    if outside:
        raise ValueError(
            f"years {outside} are outside the pathway {result.years[0]}..{result.years[-1]}"
        )
    return {str(year): _one_year(result, year) for year in chosen}


def indicator_table(
    indicators: dict[str, dict[str, Any]], *, variant: str = "base"
) -> pd.DataFrame:
    """Long table (variant, year, indicator, key, value, unit); shares have key ``share:<key>``."""
    rows = []
    for year, block in indicators.items():
        for name, indicator in block.items():
            for key, value in indicator["values"].items():
                rows.append((variant, int(year), name, key, float(value), indicator["unit"]))
            for key, value in indicator.get("shares", {}).items():
                rows.append((variant, int(year), name, f"share:{key}", float(value), "-"))
    return pd.DataFrame(rows, columns=["variant", "year", "indicator", "key", "value", "unit"])
