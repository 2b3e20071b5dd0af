"""The basis of the full-cost comparison (§ 18 WPG): every assumption the area decision rests on.

One row per assumption, with the value the plan used (read from the project's settings and the
reference data it computed with) and where it comes from, so a council or the state's review
can follow each area's reason back to its inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatplan.classify import uncertainty
from heatplan.classify.rules import weight
from heatplan.network.economics import economics_of
from heatplan.network.generation import n1_reserve_on
from heatplan.options import price_paths
from heatplan.project.config import ProjectConfig
from heatplan.reference import parameter, table
from heatplan.reference.catalogue import funding
from heatplan.reference.emissions import grid_factor_g_per_kwh
from heatplan.report.fmt import Table, label_de, number, percent

__all__ = ["basis_table"]

ROWS = "report_basis.csv"
GAS_FEES = "gas_network_fees.csv"
#: Years the CO2 price and the grid factor are shown for.
SHOWN_YEARS = (2030, 2040, 2045)


def _money(config: ProjectConfig) -> str:
    econ = economics_of(config)
    return (
        f"{percent(econ.interest_rate, 1)} real pro Jahr, {number(econ.observation_period_a)} "
        f"Jahre, Preisstand {config.project.price_year}"
    )


def _co2_price(config: ProjectConfig) -> str:
    path = config.economics.co2_price_path
    if path is None:
        return "kein Pfad: heutige Preise mit jährlicher Preisänderung"
    prices = price_paths.co2_price_eur_per_t(path, np.asarray(SHOWN_YEARS, float))
    shown = ", ".join(f"{y}: {number(p)} EUR/t" for y, p in zip(SHOWN_YEARS, prices, strict=True))
    return f"Pfad {label_de('co2_price_path', path)} ({shown})"


def _gas_fee() -> str:
    fee = parameter(GAS_FEES, "household_network_fee_eur_per_mwh")
    cap = parameter(GAS_FEES, "max_fee_factor")
    return (
        f"{number(fee, 1)} EUR/MWh netto heute; steigt, wenn weniger Gas durch das Netz fließt, "
        f"höchstens auf das {number(cap)}-fache"
    )


def _beg(config: ProjectConfig) -> str:
    if not config.economics.with_funding:
        return "ausgeschaltet ([economics] with_funding = false)"
    base = funding("BEG_EM", "heating_base")
    bonus = funding("BEG_EM", "heat_pump_efficiency_bonus")
    eligible = funding("BEG_EM", "heating_eligible_cost_first_dwelling")
    return (
        f"{percent(base)} der förderfähigen Kosten (bis {number(eligible)} EUR für die erste "
        f"Wohnung), Erdwärmepumpe {percent(base + bonus)} mit Effizienzbonus; einmal gezahlt"
    )


def _bew(config: ProjectConfig) -> str:
    if not config.economics.with_funding:
        return "ausgeschaltet ([economics] with_funding = false)"
    grant = funding("BEW", "module_2_network_investment")
    share = funding("BEW", "new_network_min_renewable_waste_heat_share")
    return (
        f"Modul 2: {percent(grant)} der Investition, nur ab {percent(share)} erneuerbarer Wärme "
        "und Abwärme; Modul 4 für Wärmepumpen und Solarthermie; höchstens bis zur "
        "Wirtschaftlichkeitslücke gegenüber der dezentralen Alternative"
    )


def _grid_factor(config: ProjectConfig) -> str:
    path = config.emissions.grid_path
    factors = grid_factor_g_per_kwh(np.asarray(SHOWN_YEARS, float), path=path)
    shown = ", ".join(f"{y}: {number(f)} g/kWh" for y, f in zip(SHOWN_YEARS, factors, strict=True))
    return f"{label_de('grid_path', path)} ({shown})"


def _weights(config: ProjectConfig) -> str:
    params = config.classify
    return (
        f"Kosten {number(weight('weight_cost', params), 2)}, Treibhausgase "
        f"{number(weight('weight_ghg', params), 2)}, Versorgungssicherheit "
        f"{number(weight('weight_supply_security', params), 2)}"
    )


def _uncertainty() -> str:
    values = uncertainty.parameters()
    return (
        f"{number(values['samples'])} Kosten- und Preispfade; Investition Wärmenetz "
        f"{number(values['network_capex_low'], 2)}–{number(values['network_capex_high'], 2)}-fach, "
        f"dezentral {number(values['decentral_capex_low'], 2)}–"
        f"{number(values['decentral_capex_high'], 2)}-fach, Anschlussquote ab "
        f"{percent(values['connection_share_low'])}, Strompreis als Zufallspfad; sehr "
        "wahrscheinlich ab "
        f"{percent(values['probability_very_likely'])}, wahrscheinlich ab "
        f"{percent(values['probability_likely'])} (Wärmenetz besser), entsprechend für dezentral"
    )


def _grid(areas: pd.DataFrame | None) -> str:
    column = "grid_reinforcement_eur_per_mwh"
    if areas is None or column not in areas or pd.to_numeric(areas[column]).isna().all():
        return "nicht geprüft: keine Netzprüfung im Projekt"
    return "enthalten: Verstärkungskosten je Gebiet auf den dezentralen Vollkosten"


def _values(config: ProjectConfig, areas: pd.DataFrame | None) -> dict[str, str]:
    money = config.economics
    return {
        "perspective": label_de("cost_perspective_basis", money.perspective),
        "money": _money(config),
        "decentral_cost": label_de("decentral_costs", money.decentral_costs),
        "plant_catalogue": label_de("plant_catalogue", money.plant_catalogue),
        "co2_price": _co2_price(config),
        "gas_fee": _gas_fee(),
        "heat_pump_tariff": label_de("heat_pump_tariff", money.heat_pump_tariff),
        "beg": _beg(config),
        "bew": _bew(config),
        "n1": "eingeplant" if n1_reserve_on(config) else "nicht eingeplant",
        "grid_factor": _grid_factor(config),
        "weights": _weights(config),
        "uncertainty": _uncertainty(),
        "grid": _grid(areas),
    }


def basis_table(config: ProjectConfig, areas: pd.DataFrame | None = None) -> Table:
    """The assumptions of the area comparison as a report table (Annahme, Wert, Quelle)."""
    rows = table(ROWS, as_text=True)
    values = _values(config, areas)
    missing = set(rows["key"]) ^ set(values)
    if missing:
        raise KeyError(f"{ROWS} and the report's basis disagree on: {sorted(missing)}")
    body: list[list[str]] = [
        [str(r.label_de), values[str(r.key)], str(r.source)] for r in rows.itertuples()
    ]
    return Table(
        columns=["Annahme", "Wert in diesem Plan", "Quelle"],
        rows=body,
        numeric=[False, False, False],
    )
