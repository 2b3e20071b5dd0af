"""Heat networks of a pathway: generation mix per network and year, emissions, WPG checks.

Every supply area with buildings on district heat is one network. Generation = heat delivered
at the substations / (1 - loss share). Its renewable share follows the settings' path (default:
19.3 % in 2023 -> the WPG §§ 29-31 minimum 30 % 2030, 80 % 2040, 100 % 2045; a new network at
least the § 30 65 %) or a given ``network_mix`` (e.g. from a dispatch). The renewable part comes
from large heat pumps (electricity + ambient heat, catalogue COP) and biomass boilers, the rest
from gas boilers (catalogue efficiencies); emissions use the grid factor of the year on the
settings' grid path (:func:`heatplan.reference.emissions.grid_factor_g_per_kwh`) and the
carriers' GEG factors, both CO2e including upstream chains, so the network's factor of
delivered heat is on the same basis as every decentral carrier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.reference import carriers, table
from heatplan.reference.emissions import grid_factor_g_per_kwh
from heatplan.scenario.supply import catalogue_value

if TYPE_CHECKING:
    from heatplan.scenario.settings import ScenarioSettings

TARGETS = "wpg_network_targets.csv"
G_PER_T = 1e6
#: carriers of network heat, in the order of the generation columns
GENERATION = ("electricity", "ambient_heat", "wood", "natural_gas")


def required_share(years: np.ndarray, *, new_network: bool) -> np.ndarray:
    """Minimum renewable share of a network in each year (WPG §§ 29-31) [-].

    §§ 29 and 31 apply to every network, § 30 (and § 31 for new ones) to networks built from 2024.
    """
    targets = table(TARGETS)
    kinds = ("existing", "new") if new_network else ("existing",)
    rows = targets[targets["network"].isin(kinds)]
    applies = rows["from_year"].to_numpy(float)[None, :] <= years[:, None]
    shares = np.where(applies, rows["min_share"].to_numpy(float)[None, :], 0.0)
    return shares.max(axis=1)


def _path(years: np.ndarray, points: list[tuple[float, float]]) -> np.ndarray:
    known = np.array(points, dtype=float)
    order = np.argsort(known[:, 0])
    return np.interp(years, known[order, 0], known[order, 1])


def renewable_shares(
    keys: list[str],
    new: np.ndarray,
    years: np.ndarray,
    settings: ScenarioSettings,
    network_mix: pd.DataFrame | None,
) -> np.ndarray:
    """Renewable share of every network (rows) in every year [-]."""
    default = _path(years, list(settings.network_renewable_share))
    shares = np.tile(default, (len(keys), 1))
    for row, is_new in enumerate(new):
        if is_new:
            shares[row] = np.maximum(shares[row], required_share(years, new_network=True))
    if network_mix is None:
        return shares
    _check_mix(network_mix)
    for row, key in enumerate(keys):
        given = network_mix
        if col.AREA_ID in network_mix.columns:
            given = network_mix[network_mix[col.AREA_ID].astype(str) == key]
        if len(given):
            shares[row] = _path(
                years, list(zip(given["year"], given["renewable_share"], strict=True))
            )
    return shares


def _check_mix(mix: pd.DataFrame) -> None:
    missing = [c for c in ("year", "renewable_share") if c not in mix.columns]
    if missing:
        raise ValueError(f"network_mix: missing column(s) {', '.join(missing)}")
    share = pd.to_numeric(mix["renewable_share"], errors="coerce")
    if not share.between(0.0, 1.0).all():
        raise ValueError("network_mix.renewable_share must be shares in 0..1")


def balance(
    delivered_kwh: np.ndarray,
    keys: list[str],
    new: np.ndarray,
    years: np.ndarray,
    settings: ScenarioSettings,
    network_mix: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Generation, emissions and WPG check per network and year, and the district-heat factor.

    Parameters
    ----------
    delivered_kwh : array (networks, years)
        District heat delivered at the buildings' substations [kWh/a].

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        Long frame (area_id, year, ...) and the emission factor of delivered heat per network
        and year [g CO2e/kWh].
    """
    share = renewable_shares(keys, new, years, settings, network_mix)
    generated = delivered_kwh / (1.0 - settings.network_loss_share)
    biomass = settings.network_biomass_share_of_renewable
    cop = catalogue_value(settings.network_heat_pump_technology, "cop_annual", years)
    pump_heat = generated * share * (1.0 - biomass)
    electricity = pump_heat / cop[None, :]
    wood_heat = generated * share * biomass
    gas_heat = generated * (1.0 - share)
    wood_fuel = wood_heat / catalogue_value(
        settings.network_biomass_technology, "efficiency", years
    )
    gas_fuel = gas_heat / catalogue_value(settings.network_fossil_technology, "efficiency", years)
    factors = carriers()["co2_g_per_kwh"].astype(float)
    grid = np.asarray(
        grid_factor_g_per_kwh(years.astype(float), path=settings.grid_emission_path), dtype=float
    )
    co2_g = electricity * grid + wood_fuel * factors["wood"] + gas_fuel * factors["natural_gas"]
    heat_by = (electricity, pump_heat - electricity, wood_heat, gas_heat)
    frame = _frame(keys, new, years, delivered_kwh, generated, heat_by, share, co2_g)
    safe = np.where(delivered_kwh > 0, delivered_kwh, 1.0)
    factor = np.where(delivered_kwh > 0, co2_g / safe, 0.0)  # no building uses it otherwise
    return frame, factor


def _frame(
    keys: list[str],
    new: np.ndarray,
    years: np.ndarray,
    delivered: np.ndarray,
    generated: np.ndarray,
    heat_by: tuple[np.ndarray, ...],
    share: np.ndarray,
    co2_g: np.ndarray,
) -> pd.DataFrame:
    rows, cols = delivered.shape
    required = np.array([required_share(years, new_network=bool(n)) for n in new]).reshape(
        rows, cols
    )
    out = pd.DataFrame(
        {
            col.AREA_ID: np.repeat(keys, cols),
            "year": np.tile(years, rows),
            "network_kind": np.repeat(np.where(new, "new", "existing"), cols),
            "heat_delivered_kwh_per_a": delivered.ravel(),
            "heat_generated_kwh_per_a": generated.ravel(),
            "heat_loss_kwh_per_a": (generated - delivered).ravel(),
            "renewable_share": share.ravel(),
            "required_renewable_share": required.ravel(),
            col.CO2_T_PER_A: co2_g.ravel() / G_PER_T,
        }
    )
    for carrier, heat in zip(GENERATION, heat_by, strict=True):
        out[f"heat_{carrier}_kwh_per_a"] = heat.ravel()
    out["meets_wpg"] = (out["renewable_share"] >= out["required_renewable_share"] - 1e-9) | (
        out["heat_delivered_kwh_per_a"] <= 0
    )
    return out
