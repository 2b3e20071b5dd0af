"""What a heating system costs a German building owner, installed: equipment at manufacturers'
list prices, the installer's margin on it, drilling where needed, and installation.

The cost functions are those Moritz, Czock & Ruhnau (2024, EWI Working Paper 05/2024) fitted to
the 2023 price lists of four German manufacturers and to real offers of five German installers
(EUR of 2023): ``data/decentral_costs_de.csv``, one row per component with its source. The
quantities each function takes (heat-pump electric input, heating rod, store volumes) follow the
paper's sizing from the building's peak heat load (``data/decentral_parameters.csv``, group
``installed_cost``). A pellet boiler is not in that data set: its cost stays the technology
catalogue's (Danish Energy Agency), said so where it is used.

Examples
--------
>>> cost = installed_cost("air_hp", 8.0)
>>> round(cost.investment_eur, -2), cost.price_year
(39900.0, 2023)
>>> round(cost.components_eur["installation"], -2), round(cost.components_eur["heat_pump"], -2)
(16400.0, 12200.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from heatplan.reference import parameter_group, table

COSTS_FILE = "decentral_costs_de.csv"
PARAMETERS_FILE = "decentral_parameters.csv"
#: The options with German installed costs (the pellet boiler has none in the source).
OPTIONS = ("air_hp", "ground_hp", "gas")
#: Options the source has no installed cost for, and what that means for the comparison.
MISSING = {
    "biomass": "no German installed cost in the source (Moritz et al. 2024 price pellet boilers "
    "not): the technology catalogue's Danish cost is used and is likely far too low for a "
    "German installation; the town's comparison uses heat pumps only by default",
}
#: Component kinds the installer's margin applies to.
MARGIN_KINDS = ("equipment",)


@dataclass(frozen=True)
class InstalledCost:
    """One building's installed system: investment by component [EUR] and upkeep [EUR/a]."""

    option: str
    heat_load_kw: float
    components_eur: dict[str, float]
    investment_eur: float
    fixed_om_eur_per_a: float
    price_year: int
    sources: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__) | {"sources": list(self.sources)}


@cache
def _parameters() -> dict[str, float]:
    return parameter_group(PARAMETERS_FILE, "installed_cost")


@cache
def _rows(option: str) -> pd.DataFrame:
    rows = table(COSTS_FILE)
    chosen = rows[rows["option"] == option]
    if chosen.empty:
        raise ValueError(f"no German installed cost for {option!r}; options: {', '.join(OPTIONS)}")
    return chosen.reset_index(drop=True)


def sizing_quantities(option: str, heat_load_kw: np.ndarray) -> dict[str, np.ndarray]:
    """The quantities the cost functions take, from the peak heat load [kW] (Moritz et al.).

    ``heat_kw`` is the load; ``heat_pump_kw_el`` the heat pump's electric input at the
    bivalent point; ``heating_rod_kw``; ``hot_water_l`` (40 l per occupant, occupants from the
    heated area a 50 W/m² load gives, 30 m² each); ``buffer_l`` (20 l per kW).
    """
    p = _parameters()
    load = np.asarray(heat_load_kw, dtype=float)
    occupants = load * 1000.0 / p["heat_load_w_per_m2"] / p["area_per_occupant_m2"]
    rod_share = p.get(f"{option}_heating_rod_share", 0.0)
    return {
        "heat_kw": load,
        "heat_pump_kw_el": load * p["heat_pump_share_of_load"] / p["design_cop"],
        "heating_rod_kw": load * rod_share,
        "hot_water_l": occupants * p["hot_water_store_l_per_occupant"],
        "buffer_l": load * p["buffer_store_l_per_kw"],
    }


def _component_eur(row: pd.Series, quantity: np.ndarray, load: np.ndarray) -> np.ndarray:
    a, b = float(row["a"]), float(row["b"])
    cost = a * np.power(quantity, b) if row["form"] == "power" else a * quantity + b
    low = 0.0 if pd.isna(row["min_kw"]) else float(row["min_kw"])
    high = np.inf if pd.isna(row["max_kw"]) else float(row["max_kw"])
    inside = (load >= low) & (load < high)
    return np.where(inside & (load > 0), cost, 0.0)


def component_costs_eur(option: str, heat_load_kw: np.ndarray) -> dict[str, np.ndarray]:
    """Investment per component [EUR of 2023] for each load, the margin as its own component."""
    load = np.asarray(heat_load_kw, dtype=float)
    quantities = sizing_quantities(option, load)
    parts: dict[str, np.ndarray] = {}
    margin = np.zeros_like(load)
    for _, row in _rows(option).iterrows():
        cost = _component_eur(row, quantities[str(row["basis"])], load)
        parts[str(row["component"])] = parts.get(str(row["component"]), 0.0) + cost
        if row["kind"] in MARGIN_KINDS:
            margin = margin + cost * _parameters()["contribution_margin"]
    parts["contribution_margin"] = margin
    return parts


def fixed_om_eur_per_a(option: str, heat_load_kw: np.ndarray, parts: dict) -> np.ndarray:
    """Yearly maintenance [EUR/a]: per kW of load for the generator, a share of the borehole."""
    p = _parameters()
    load = np.asarray(heat_load_kw, dtype=float)
    per_kw = p["gas_boiler_maintenance_eur_per_kw_a" if option == "gas" else
               "heat_pump_maintenance_eur_per_kw_a"]  # fmt: skip
    borehole = parts.get("borehole", 0.0) * p["borehole_maintenance_share_per_a"]
    return load * per_kw + borehole


def installed_investment_eur(
    option: str, heat_load_kw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Investment [EUR of 2023] and fixed O&M [EUR/a] of ``option`` for each peak load [kW]."""
    parts = component_costs_eur(option, heat_load_kw)
    investment = np.sum(list(parts.values()), axis=0)
    return investment, fixed_om_eur_per_a(option, heat_load_kw, parts)


def installed_cost(option: str, heat_load_kw: float) -> InstalledCost:
    """The installed cost of ``option`` for one building of peak load ``heat_load_kw`` [kW]."""
    load = np.array([float(heat_load_kw)])
    parts = component_costs_eur(option, load)
    rows = _rows(option)
    return InstalledCost(
        option=option,
        heat_load_kw=float(heat_load_kw),
        components_eur={k: float(v[0]) for k, v in parts.items()},
        investment_eur=float(np.sum([v[0] for v in parts.values()])),
        fixed_om_eur_per_a=float(fixed_om_eur_per_a(option, load, parts)[0]),
        price_year=int(rows["price_year"].iloc[0]),
        sources=tuple(dict.fromkeys(rows["source"].astype(str))),
    )
