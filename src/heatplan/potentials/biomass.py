"""Biomass: biogas CHP from green cuttings and biowaste, pyrolysis of woody biomass to heat and
biochar, and sewage sludge (drying + pyrolysis, :mod:`heatplan.potentials.sludge`).

The routes follow the combined pyrolysis + biogas plant of Kahla (presented at the conference
"Innovative Small and Medium Sized Cities", Brussels, 11-12 June 2025): the herbaceous part of
green cuttings and the biowaste go to the digester, the woody part of green cuttings and wood
waste to pyrolysis. Biochar carbon applied to soils counts as a carbon sink
with the IPCC Tier 1 permanence after 100 years [1]_.

Every default is in data/biomass_parameters.csv with unit and source; several are order-of-
magnitude values (see the source column) that a plan should replace with local data.

References
----------
.. [1] IPCC (2019): 2019 Refinement to the 2006 IPCC Guidelines for National Greenhouse Gas
   Inventories, Vol. 4, Ch. 2, Appendix 4 (biochar). BibTeX ``IPCC2019Biochar``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from heatplan.potentials.sludge import sludge_stream
from heatplan.reference import table
from heatplan.tech.pyrolysis import co2_stored_t, pyrolysis_balance


def parameters() -> dict[str, dict[str, float]]:
    """Values of data/biomass_parameters.csv as ``{group: {parameter: value}}``."""
    frame = table("biomass_parameters.csv")
    result: dict[str, dict[str, float]] = {}
    for group, name, value in zip(frame["group"], frame["parameter"], frame["value"], strict=True):
        result.setdefault(str(group), {})[str(name)] = float(value)
    return result


# --------------------------------------------------------------------------- pure functions
def methane_energy_kwh(
    fresh_mass_t: ArrayLike,
    *,
    biogas_m3_per_t: float,
    methane_share: float,
    methane_kwh_per_m3: float,
) -> np.ndarray:
    """Energy of the methane from a digested substrate [kWh] (net calorific value).

    Examples
    --------
    >>> float(methane_energy_kwh(1.0, biogas_m3_per_t=100.0, methane_share=0.6,
    ...                          methane_kwh_per_m3=10.0))
    600.0
    """
    return (
        np.asarray(fresh_mass_t, dtype=float)
        * biogas_m3_per_t
        * methane_share
        * (methane_kwh_per_m3)
    )


def chp_output_kwh(
    fuel_kwh: ArrayLike, *, eta_el: float, eta_th: float, digester_heat_share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Power, net heat and digester heat of a biogas CHP [kWh].

    power = eta_el x fuel; gross heat = eta_th x fuel; the digester takes
    ``digester_heat_share`` of the gross heat; net heat = gross heat - digester heat.

    Examples
    --------
    >>> [float(v) for v in chp_output_kwh(1000.0, eta_el=0.4, eta_th=0.45,
    ...                                   digester_heat_share=0.2)]
    [400.0, 360.0, 90.0]
    """
    fuel = np.asarray(fuel_kwh, dtype=float)
    gross = fuel * eta_th
    own = gross * digester_heat_share
    return fuel * eta_el, gross - own, own


# --------------------------------------------------------------------------- study
def _check_mass(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def _biogas_stream(grass_t: float, biowaste_t: float, p: dict[str, dict[str, float]]) -> dict:
    gas, chp = p["biogas"], p["chp"]
    biogas_m3 = (
        grass_t * gas["grass_biogas_m3_per_t"] + biowaste_t * gas["biowaste_biogas_m3_per_t"]
    )
    methane_m3 = biogas_m3 * gas["methane_share"]
    fuel_kwh = methane_m3 * gas["methane_kwh_per_m3"]
    power, heat, own = chp_output_kwh(
        fuel_kwh,
        eta_el=chp["eta_el"],
        eta_th=chp["eta_th"],
        digester_heat_share=chp["digester_heat_share"],
    )
    return {
        "green_cuttings_herbaceous_t": grass_t,
        "biowaste_t": biowaste_t,
        "biogas_m3": biogas_m3,
        "methane_m3": methane_m3,
        "fuel_mwh": fuel_kwh / 1000.0,
        "power_mwh": float(power) / 1000.0,
        "digester_heat_mwh": float(own) / 1000.0,
        "heat_mwh": float(heat) / 1000.0,
    }


def _pyrolysis_stream(woody_t: float, wood_t: float, p: dict[str, dict[str, float]]) -> dict:
    pyro, char = p["pyrolysis"], p["biochar"]
    common = {
        "lhv_dry_mj_per_kg": pyro["wood_lhv_dry_mj_per_kg"],
        "biochar_yield_dry": pyro["biochar_yield_dry"],
        "biochar_lhv_mj_per_kg": pyro["biochar_lhv_mj_per_kg"],
        "heat_recovery_efficiency": pyro["heat_recovery_efficiency"],
        "latent_heat_mj_per_kg": pyro["latent_heat_water_mj_per_kg"],
    }
    parts = [
        pyrolysis_balance(
            woody_t, moisture_share=p["green_cuttings"]["woody_moisture_share"], **common
        ),
        pyrolysis_balance(wood_t, moisture_share=p["wood_waste"]["moisture_share"], **common),
    ]
    biochar = sum(float(part["biochar_t"]) for part in parts)
    return {
        "green_cuttings_woody_t": woody_t,
        "wood_waste_t": wood_t,
        "dry_matter_t": sum(float(part["dry_matter_t"]) for part in parts),
        "biochar_t": biochar,
        "heat_mwh": sum(max(float(part["heat_kwh"]), 0.0) for part in parts) / 1000.0,
        "co2_stored_t": float(
            co2_stored_t(
                biochar,
                carbon_fraction=char["wood_carbon_fraction"],
                permanence_factor=char["permanence_factor"],
                co2_per_carbon=char["co2_per_carbon"],
            )
        ),
    }


def biomass_study(
    *,
    green_cuttings_t_per_a: float = 0,
    wood_waste_t_per_a: float = 0,
    biowaste_t_per_a: float = 0,
    sludge_t_dm_per_a: float = 0,
    green_cuttings_woody_share: float | None = None,
) -> dict:
    """Heat, power and biochar from a municipality's biomass and sewage sludge.

    Parameters
    ----------
    green_cuttings_t_per_a : float
        Green cuttings, fresh mass [t/a]; the woody share goes to pyrolysis, the rest to the
        digester.
    wood_waste_t_per_a : float
        Wood waste as received [t/a], to pyrolysis.
    biowaste_t_per_a : float
        Separately collected biowaste, fresh mass [t/a], to the digester.
    sludge_t_dm_per_a : float
        Sewage sludge dry matter [t DM/a], dried and pyrolysed.
    green_cuttings_woody_share : float, optional
        Woody share of the green cuttings [t/t]; default from data/biomass_parameters.csv.

    Returns
    -------
    dict
        heat_mwh_per_a (net of digester heat and sludge drying; negative when drying needs
        outside heat), power_mwh_per_a, biochar_t_per_a, co2_stored_t_per_a (biochar carbon
        remaining after 100 years), streams (biogas, pyrolysis, sludge breakdown), inputs and
        messages. All values per year.

    Raises
    ------
    ValueError
        For a negative or non-finite mass, or a woody share outside 0..1.
    """
    inputs = {
        "green_cuttings_t_per_a": _check_mass("green_cuttings_t_per_a", green_cuttings_t_per_a),
        "wood_waste_t_per_a": _check_mass("wood_waste_t_per_a", wood_waste_t_per_a),
        "biowaste_t_per_a": _check_mass("biowaste_t_per_a", biowaste_t_per_a),
        "sludge_t_dm_per_a": _check_mass("sludge_t_dm_per_a", sludge_t_dm_per_a),
    }
    p = parameters()
    woody_share = (
        p["green_cuttings"]["woody_share"]
        if green_cuttings_woody_share is None
        else float(green_cuttings_woody_share)
    )
    if not 0.0 <= woody_share <= 1.0:
        raise ValueError(f"green_cuttings_woody_share must lie in [0, 1], got {woody_share!r}")
    inputs["green_cuttings_woody_share"] = woody_share
    cuttings = inputs["green_cuttings_t_per_a"]
    biogas = _biogas_stream(cuttings * (1.0 - woody_share), inputs["biowaste_t_per_a"], p)
    pyrolysis = _pyrolysis_stream(cuttings * woody_share, inputs["wood_waste_t_per_a"], p)
    sludge = sludge_stream(inputs["sludge_t_dm_per_a"], p)
    messages = list(sludge.pop("messages"))
    streams = {
        name: {key: round(float(value), 3) for key, value in stream.items()}
        for name, stream in (("biogas", biogas), ("pyrolysis", pyrolysis), ("sludge", sludge))
    }
    if not any(inputs[name] for name in inputs if name.endswith("_per_a")):
        messages.append("no biomass given: all results are zero")
    messages.append(
        "defaults are order-of-magnitude literature values (data/biomass_parameters.csv); "
        "replace them with the analysis of the local feedstock"
    )
    return {
        "heat_mwh_per_a": round(
            float(biogas["heat_mwh"] + pyrolysis["heat_mwh"] + sludge["heat_mwh"]), 3
        ),
        "power_mwh_per_a": round(float(biogas["power_mwh"]), 3),
        "biochar_t_per_a": round(float(pyrolysis["biochar_t"] + sludge["biochar_t"]), 3),
        "co2_stored_t_per_a": round(float(pyrolysis["co2_stored_t"] + sludge["co2_stored_t"]), 3),
        "streams": streams,
        "inputs": inputs,
        "messages": messages,
    }
