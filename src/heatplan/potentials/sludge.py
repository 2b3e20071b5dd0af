"""Sewage sludge: thermal drying and pyrolysis to heat and a biochar (soil improver).

Dewatered sludge (``sludge.ds_dewatered`` dry solids) is dried to ``sludge.ds_dried``; the
evaporated water costs ``sludge.drying_heat_kwh_per_kg_water``. The dried sludge is pyrolysed:
the pyrolysis gas carries the energy of the dry matter minus that of the char and is burnt with
heat recovery (same balance as wood, :func:`heatplan.tech.pyrolysis.pyrolysis_balance`).
Net heat = pyrolysis heat - drying heat; it is negative when drying needs more than the
pyrolysis gives. Defaults: data/biomass_parameters.csv (group ``sludge``, ``biochar``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from heatplan.tech.pyrolysis import KG_PER_T, co2_stored_t, pyrolysis_balance


def evaporated_water_t(
    dry_matter_t: ArrayLike, ds_before: ArrayLike, ds_after: ArrayLike
) -> np.ndarray:
    """Water to evaporate when drying from ``ds_before`` to ``ds_after`` dry solids [t].

    water = DM x (1/ds_before - 1/ds_after), dry-solids contents as mass fractions [kg/kg].

    Examples
    --------
    >>> round(float(evaporated_water_t(1.0, 0.25, 0.95)), 4)
    2.9474
    """
    dm = np.asarray(dry_matter_t, dtype=float)
    before = np.asarray(ds_before, dtype=float)
    after = np.asarray(ds_after, dtype=float)
    if (dm < 0).any():
        raise ValueError("dry matter must not be negative")
    if ((before <= 0) | (after > 1) | (after < before)).any():
        raise ValueError("dry-solids contents must satisfy 0 < ds_before <= ds_after <= 1")
    return dm * (1.0 / before - 1.0 / after)


def drying_heat_kwh(water_t: ArrayLike, *, heat_kwh_per_kg_water: float) -> np.ndarray:
    """Heat demand of a thermal dryer [kWh] for ``water_t`` tonnes of evaporated water.

    Examples
    --------
    >>> float(drying_heat_kwh(2.0, heat_kwh_per_kg_water=0.9))
    1800.0
    """
    return np.asarray(water_t, dtype=float) * KG_PER_T * heat_kwh_per_kg_water


def sludge_stream(dry_matter_t: float, parameters: dict[str, dict[str, float]]) -> dict:
    """Drying and pyrolysis balance of ``dry_matter_t`` [t DM/a] of sewage sludge.

    ``parameters`` maps the groups of data/biomass_parameters.csv to their values. Returns
    MWh/a and t/a figures of the stream plus messages.
    """

    sludge, pyro, char = parameters["sludge"], parameters["pyrolysis"], parameters["biochar"]
    water = float(evaporated_water_t(dry_matter_t, sludge["ds_dewatered"], sludge["ds_dried"]))
    drying_kwh = float(
        drying_heat_kwh(water, heat_kwh_per_kg_water=sludge["drying_heat_kwh_per_kg_water"])
    )
    dried_t = dry_matter_t / sludge["ds_dried"]
    balance = pyrolysis_balance(
        dried_t,
        moisture_share=1.0 - sludge["ds_dried"],
        lhv_dry_mj_per_kg=sludge["lhv_dry_mj_per_kg"],
        biochar_yield_dry=sludge["biochar_yield_dry"],
        biochar_lhv_mj_per_kg=sludge["biochar_lhv_mj_per_kg"],
        heat_recovery_efficiency=pyro["heat_recovery_efficiency"],
        latent_heat_mj_per_kg=pyro["latent_heat_water_mj_per_kg"],
    )
    pyrolysis_kwh = max(float(balance["heat_kwh"]), 0.0)
    biochar = float(balance["biochar_t"])
    net_kwh = pyrolysis_kwh - drying_kwh
    messages = []
    if dry_matter_t > 0:
        messages.append(
            "sewage-sludge char: check fertiliser and sewage-sludge law (DüMV, AbfKlärV, "
            "phosphorus recovery) before using it as a soil improver"
        )
    if net_kwh < 0:
        messages.append(
            f"sludge drying needs {-net_kwh / 1000:.0f} MWh/a more heat than the sludge "
            "pyrolysis gives; cover it from other heat (e.g. the biogas CHP or waste heat)"
        )
    return {
        "dry_matter_t": dry_matter_t,
        "dewatered_mass_t": dry_matter_t / sludge["ds_dewatered"],
        "dried_mass_t": dried_t,
        "water_evaporated_t": water,
        "drying_heat_mwh": drying_kwh / 1000.0,
        "pyrolysis_heat_mwh": pyrolysis_kwh / 1000.0,
        "heat_mwh": net_kwh / 1000.0,
        "biochar_t": biochar,
        "co2_stored_t": float(
            co2_stored_t(
                biochar,
                carbon_fraction=char["sludge_carbon_fraction"],
                permanence_factor=char["permanence_factor"],
                co2_per_carbon=char["co2_per_carbon"],
            )
        ),
        "messages": messages,
    }
