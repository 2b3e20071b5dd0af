"""Target-scenario pathway (WPG § 17) from the base year to the target year in yearly steps.

Pure: frames in, frames out, vectorised over buildings x years. Each year every building has
a useful heat demand (renovation, :mod:`heatplan.scenario.stock`), a supply system, carrier and
efficiency (heater replacement and the areas' target supply, :mod:`heatplan.scenario.supply`)
and so a final energy = heat / efficiency; district heat comes from its area's network, whose
generation mix and emissions follow :mod:`heatplan.scenario.network`. Emissions: carriers'
GEG factors (``carriers.csv``), grid electricity with the factor of its year on the settings'
grid path (:func:`heatplan.reference.emissions.grid_factor_g_per_kwh`), hydrogen as made from
that electricity by electrolysis (:func:`hydrogen_factor_g_per_kwh`), district heat with its
network's factor; all on one basis, CO2 equivalents including upstream chains. A carrier
without a factor is an error, never a zero. In the base year every building is as the
inventory says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from heatplan.plan import columns as col
from heatplan.reference.emissions import grid_factor_g_per_kwh
from heatplan.scenario import network as net
from heatplan.scenario import stock, supply

if TYPE_CHECKING:
    from heatplan.scenario.settings import ScenarioSettings

G_PER_T = 1e6
GAS_CARRIERS = ("natural_gas", "biogas", "hydrogen")


@dataclass(frozen=True)
class Pathway:
    """A computed pathway. Building x year tables are indexed by ``building_id``.

    Attributes
    ----------
    years : numpy.ndarray  Years of the pathway, base to target year [a].
    buildings : DataFrame  Checked inputs plus ``year_1``/``system_1``, ``year_2``/``system_2``
        (the changes of supply, inf / 'keep' if none) and ``reach_year`` of the network.
    carrier, heat_kwh, final_energy_kwh : DataFrame  Main carrier, useful heat [kWh/a] and
        final energy [kWh/a] of every building (rows) in every year (columns).
    energy : DataFrame  year, sector, carrier, final_energy_kwh_per_a, co2_t_per_a, buildings
        (biomethane blended into gas is its own carrier ``biogas``; buildings counts main carrier).
    stock : DataFrame  Per year: buildings, heat demand, renovation rate and renovated share,
        renovated area [m²], buildings on a heat network / gas network, changed supply.
    network : DataFrame  Per network (area) and year: heat delivered / generated / lost, heat by
        carrier, renewable share, WPG minimum, ``meets_wpg``, CO2 [t/a].
    notes : tuple of str  Assumptions the run had to make (e.g. buildings with assumed carrier).
    """

    years: np.ndarray
    buildings: pd.DataFrame
    carrier: pd.DataFrame
    heat_kwh: pd.DataFrame
    final_energy_kwh: pd.DataFrame
    energy: pd.DataFrame
    stock: pd.DataFrame
    network: pd.DataFrame
    notes: tuple[str, ...]
    settings: ScenarioSettings


def _gas_share(frame: pd.DataFrame, area_index: np.ndarray, areas: int) -> np.ndarray:
    heat = frame[col.HEAT_DEMAND_KWH_PER_A].to_numpy(float)
    gas = np.where(frame[col.CARRIER].eq("natural_gas"), heat, 0.0)
    total = np.bincount(area_index, heat, minlength=areas)
    return np.bincount(area_index, gas, minlength=areas) / np.where(total > 0, total, 1.0)


def hydrogen_factor_g_per_kwh(years: np.ndarray, settings: ScenarioSettings) -> np.ndarray:
    """Emission factor of hydrogen in each year [g CO2e/kWh of H2 on the net calorific value].

    The settings' ``hydrogen_co2_g_per_kwh`` where given (e.g. a supplier's certified factor);
    otherwise electrolysis with grid electricity: the grid factor of the year on the settings'
    grid path / the electrolyser efficiency of the catalogue (``hydrogen_electrolysis_technology``,
    Danish Energy Agency '86 AEC 100 MW'), both incl. upstream chains as ``carriers.csv``.
    Compression, transport, storage and leakage are not counted.

    Examples
    --------
    >>> from heatplan.scenario.settings import ScenarioSettings
    >>> round(float(hydrogen_factor_g_per_kwh(np.array([2040]), ScenarioSettings.defaults())[0]), 1)
    49.0
    """
    chosen = np.asarray(years, dtype=float)
    if settings.hydrogen_co2_g_per_kwh is not None:
        return np.full(chosen.shape, float(settings.hydrogen_co2_g_per_kwh))
    grid = np.asarray(grid_factor_g_per_kwh(chosen, path=settings.grid_emission_path), dtype=float)
    efficiency = supply.catalogue_value(
        settings.hydrogen_electrolysis_technology, "efficiency", chosen
    )
    return grid / efficiency


def _co2_factor(
    carrier: np.ndarray,
    table: pd.DataFrame,
    years: np.ndarray,
    district: np.ndarray,
    area_index: np.ndarray,
    settings: ScenarioSettings,
) -> np.ndarray:
    """Emission factor of each building's carrier in each year [g CO2e/kWh incl. upstream].

    Raises ValueError for a carrier without a factor (carriers.csv's ``unknown``, a code not in
    the table): its emissions are not known, and a NaN would be summed as zero.
    """
    fixed = table["co2_g_per_kwh"].astype(float)
    codes, flat = np.unique(carrier.astype(str), return_inverse=True)
    factor = fixed.reindex(codes).to_numpy(float)[flat].reshape(carrier.shape)
    grid = np.asarray(
        grid_factor_g_per_kwh(years.astype(float), path=settings.grid_emission_path), dtype=float
    )
    factor = np.where(carrier == "electricity", grid[None, :], factor)
    if (carrier == "hydrogen").any():
        hydrogen = hydrogen_factor_g_per_kwh(years, settings)
        factor = np.where(carrier == "hydrogen", hydrogen[None, :], factor)
    factor = np.where(carrier == "district_heat", district[area_index], factor)
    missing = sorted(set(carrier[np.isnan(factor)].tolist()))
    if missing:
        raise ValueError(
            f"no emission factor for carrier(s) {', '.join(missing)} (carriers.csv "
            "co2_g_per_kwh is empty or the code is unknown): set unknown_carrier to a carrier "
            "with a factor or give these buildings their carrier"
        )
    return factor


def _energy(
    frame: pd.DataFrame,
    years: np.ndarray,
    carrier: np.ndarray,
    final: np.ndarray,
    factor: np.ndarray,
    blend: np.ndarray,
    biogas_factor: float,
) -> pd.DataFrame:
    """Final energy and CO2 by year, sector and carrier (biomethane split off gas)."""
    rows, cols = final.shape
    gas_part = np.where(carrier == "natural_gas", blend, 0.0)
    main = final * (1.0 - gas_part)
    long = pd.DataFrame(
        {
            "year": np.tile(years, rows * 2),
            "sector": np.tile(np.repeat(frame["sector"].to_numpy(), cols), 2),
            col.CARRIER: np.concatenate([carrier.ravel(), np.full(rows * cols, "biogas")]),
            col.FINAL_ENERGY_KWH_PER_A: np.concatenate([main.ravel(), (final - main).ravel()]),
            col.CO2_T_PER_A: np.concatenate(
                [(main * factor).ravel(), ((final - main) * biogas_factor).ravel()]
            )
            / G_PER_T,
            "buildings": np.concatenate([np.ones(rows * cols), np.zeros(rows * cols)]),
        }
    )
    long = long[(long["buildings"] > 0) | (long[col.FINAL_ENERGY_KWH_PER_A] > 0)]
    return long.groupby(["year", "sector", col.CARRIER], as_index=False).sum()


def _stock(
    frame: pd.DataFrame,
    years: np.ndarray,
    heat: np.ndarray,
    carrier: np.ndarray,
    system: np.ndarray,
    share: np.ndarray,
    settings: ScenarioSettings,
) -> pd.DataFrame:
    table = stock.carrier_table(settings)
    heat_net = np.isin(carrier, table.index[table["network"] == "heat"])
    gas_net = np.isin(carrier, GAS_CARRIERS)
    known = frame[col.HEATED_AREA_M2].dropna()
    area = float(known.sum()) if len(known) else np.nan
    added = np.diff(np.concatenate([[0.0], share]))
    return pd.DataFrame(
        {
            "year": years,
            "buildings": len(frame),
            col.HEAT_DEMAND_KWH_PER_A: heat.sum(axis=0),
            "renovation_rate": stock.renovation_rates(years, settings),
            "renovated_share": share,
            "renovated_area_m2": added * area,
            "buildings_heat_network": heat_net.sum(axis=0),
            "buildings_gas_network": gas_net.sum(axis=0),
            "buildings_changed_supply": (system != supply.KEEP).sum(axis=0),
        }
    )


def _notes(frame: pd.DataFrame, settings: ScenarioSettings) -> tuple[str, ...]:
    assumed = int(frame["carrier_assumed"].sum())
    no_area = int(frame[col.HEATED_AREA_M2].isna().sum())
    estimated = int(frame["heated_area_estimated"].sum())
    outside = int(frame[col.AREA_ID].eq(stock.NO_AREA).sum())
    notes = []
    if assumed:
        notes.append(
            f"{assumed} buildings without a known carrier taken as {settings.unknown_carrier}"
        )
    if estimated:
        notes.append(
            f"{estimated} buildings without heated_area_m2: estimated from their space heating "
            "and the TABULA specific demand of their class (renovated area and cost)"
        )
    if no_area:
        notes.append(
            f"{no_area} buildings without heated_area_m2 and space heating: not in the "
            "renovated area and cost"
        )
    if outside:
        notes.append(f"{outside} buildings outside every supply area: supplied decentrally")
    return tuple(notes)


def _hydrogen_note(
    carrier: np.ndarray, years: np.ndarray, settings: ScenarioSettings
) -> tuple[str, ...]:
    """The factor hydrogen was counted with, where any building uses it, and the years in
    which that factor lies above what renewable hydrogen may emit under EU law."""
    used = (carrier == "hydrogen").any(axis=0)
    if not used.any():
        return ()
    first, last = int(years[used][0]), int(years[-1])
    factor = hydrogen_factor_g_per_kwh(np.array([first, last]), settings)
    how = (
        "the given hydrogen_co2_g_per_kwh"
        if settings.hydrogen_co2_g_per_kwh is not None
        else f"electrolysis with the '{settings.grid_emission_path}' grid electricity; "
        "compression, transport and imports not counted"
    )
    notes = [
        f"hydrogen counted at {factor[0]:.1f} g CO2e/kWh in {first} and {factor[1]:.1f} g in "
        f"{last} ({how})"
    ]
    limit = settings.hydrogen_renewable_max_g_per_kwh
    above = years[used][hydrogen_factor_g_per_kwh(years[used], settings) > limit]
    if len(above):
        notes.append(
            f"hydrogen in {int(above[0])}-{int(above[-1])} is above the {limit:.1f} g CO2e/kWh "
            "renewable hydrogen may emit (RED II Art. 25 (2)): it is not green hydrogen; convert "
            "later (hydrogen_from_year) or give a supplier's certified factor"
        )
    return tuple(notes)


def pathway(
    buildings: pd.DataFrame,
    areas: pd.DataFrame,
    settings: ScenarioSettings,
    *,
    network_mix: pd.DataFrame | None = None,
) -> Pathway:
    """Yearly pathway of a building stock to the target year.

    Parameters
    ----------
    buildings : DataFrame
        One row per building: ``building_id``, ``area_id``, ``sector``, ``carrier`` (carriers.csv
        code; 'unknown' takes ``settings.unknown_carrier``), ``heat_demand_kwh_per_a``,
        ``space_heating_kwh_per_a``, ``hot_water_kwh_per_a`` [kWh/a], ``age_class`` (TABULA),
        ``heater_type`` (heater_types.csv); optional ``use`` (sfh/th/mfh/ab/...),
        ``heater_install_year`` [a], ``final_energy_kwh_per_a`` [kWh/a] (sets the base-year
        efficiency) and ``heated_area_m2`` [m²] (renovation cost; estimated where missing,
        :mod:`heatplan.scenario.heated_area`).
    areas : DataFrame
        ``area_id`` and ``area_type_2030`` .. ``area_type_2045`` (AREAS-INTERFACE codes).
    settings : ScenarioSettings
        Assumptions (:func:`heatplan.scenario.variants.variant_settings`).
    network_mix : DataFrame, optional
        ``year``, ``renewable_share`` [-] and optionally ``area_id``: network renewable shares
        to use instead of the settings' path (e.g. from a dispatch); interpolated linearly.
    """
    years = np.arange(settings.base_year, settings.target_year + 1)
    frame = stock.prepare_buildings(buildings, settings)
    area_table = stock.prepare_areas(areas, frame[col.AREA_ID])
    keys = list(area_table.index)
    area_index = pd.Index(keys).get_indexer(frame[col.AREA_ID])
    types = stock.types_by_year(area_table, years)
    heat, share = stock.space_heating_matrix(frame, years, settings)
    start, kind = supply.network_start(types, years, settings.base_year)
    reach = supply.reach_year(frame, area_index, start, kind, settings)
    conversion = supply.hydrogen_year(
        types, years, _gas_share(frame, area_index, len(keys)), settings
    )
    change = supply.events(frame, reach, conversion[area_index], settings)
    system, carrier, efficiency = supply.system_matrices(
        frame, change, conversion[area_index], years, settings
    )
    final = heat / efficiency
    delivered = np.zeros((len(keys), len(years)))
    np.add.at(delivered, area_index, np.where(carrier == "district_heat", final, 0.0))
    has_network = (delivered > 0).any(axis=1)
    networks, district = net.balance(
        delivered, keys, kind == "waermenetz_neubau", years, settings, network_mix
    )
    table = stock.carrier_table(settings)
    factor = _co2_factor(carrier, table, years, district, area_index, settings)
    blend = supply.blend_share(frame, change, system, years, settings)
    biogas = float(table["co2_g_per_kwh"].astype(float)["biogas"])
    energy = _energy(frame, years, carrier, final, factor, blend, biogas)
    index = pd.Index(frame[col.BUILDING_ID], name=col.BUILDING_ID)
    columns = pd.Index(years, name="year")
    details = pd.concat([frame.assign(reach_year=reach), change], axis=1)
    for column in ("reach_year", "year_1", "year_2"):
        details[column] = details[column].where(np.isfinite(details[column]))
    details["system_1"] = [supply.SYSTEMS[c] for c in details["system_1"]]
    details["system_2"] = [supply.SYSTEMS[c] for c in details["system_2"]]
    notes = _notes(frame, settings) + _hydrogen_note(carrier, years, settings)
    return Pathway(
        years=years,
        buildings=details,
        carrier=pd.DataFrame(carrier, index=index, columns=columns),
        heat_kwh=pd.DataFrame(heat, index=index, columns=columns),
        final_energy_kwh=pd.DataFrame(final, index=index, columns=columns),
        energy=energy,
        stock=_stock(frame, years, heat, carrier, system, share, settings),
        network=networks[np.repeat(has_network, len(years))].reset_index(drop=True),
        notes=notes,
        settings=settings,
    )
