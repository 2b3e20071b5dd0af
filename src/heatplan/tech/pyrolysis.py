"""Pyrolysis of biomass and sewage sludge: mass and heat balance with combustion of the
pyrolysis gas, and the CO2 that biochar carbon keeps in the soil (IPCC Tier 1 permanence after
100 years [1]_). Pure functions of numbers and arrays; the feedstock parameters are inputs.

References
----------
.. [1] IPCC (2019): 2019 Refinement to the 2006 IPCC Guidelines for National Greenhouse Gas
   Inventories, Vol. 4, Ch. 2, Appendix 4 (biochar). BibTeX ``IPCC2019Biochar``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Kilograms per tonne.
KG_PER_T = 1000.0
#: Megajoules per kilowatt-hour (SI: 1 kWh = 3.6 MJ).
MJ_PER_KWH = 3.6


def pyrolysis_balance(
    fresh_mass_t: ArrayLike,
    *,
    moisture_share: float,
    lhv_dry_mj_per_kg: float,
    biochar_yield_dry: float,
    biochar_lhv_mj_per_kg: float,
    heat_recovery_efficiency: float,
    latent_heat_mj_per_kg: float,
) -> dict[str, np.ndarray]:
    """Mass and heat balance of pyrolysis with combustion of the pyrolysis gas.

    DM = m (1 - w); char = y DM; the gas and vapours carry
    E_gas = DM H_dm - char H_char; the moisture m w evaporates (h_v at 25 °C, the reference
    of the net calorific value); useful heat = eta (E_gas - m w h_v). Reaction enthalpy and the
    sensible heat of the hot char are inside the recovery efficiency.

    Parameters
    ----------
    fresh_mass_t : numeric
        Feedstock as received [t].
    moisture_share : float
        Water content, wet basis [kg/kg].
    lhv_dry_mj_per_kg : float
        Net calorific value of the dry matter [MJ/kg DM].
    biochar_yield_dry : float
        Biochar per dry matter [kg/kg DM].
    biochar_lhv_mj_per_kg : float
        Net calorific value of the biochar [MJ/kg].
    heat_recovery_efficiency : float
        Share of the gas energy delivered as useful heat [-].
    latent_heat_mj_per_kg : float
        Enthalpy of vaporisation of water [MJ/kg].

    Returns
    -------
    dict
        dry_matter_t, water_t, biochar_t [t] and heat_kwh [kWh] (negative when the
        feedstock is too wet to sustain itself).

    Examples
    --------
    >>> b = pyrolysis_balance(1.0, moisture_share=0.2, lhv_dry_mj_per_kg=18.5,
    ...     biochar_yield_dry=0.3, biochar_lhv_mj_per_kg=30.0, heat_recovery_efficiency=0.8,
    ...     latent_heat_mj_per_kg=2.442)
    >>> round(float(b["biochar_t"]), 3), round(float(b["heat_kwh"]), 1)
    (0.24, 1580.4)
    """
    mass = np.asarray(fresh_mass_t, dtype=float)
    dry = mass * (1.0 - moisture_share)
    water = mass * moisture_share
    char = dry * biochar_yield_dry
    gas_mj = KG_PER_T * (dry * lhv_dry_mj_per_kg - char * biochar_lhv_mj_per_kg)
    evaporation_mj = KG_PER_T * water * latent_heat_mj_per_kg
    heat_kwh = heat_recovery_efficiency * (gas_mj - evaporation_mj) / MJ_PER_KWH
    return {"dry_matter_t": dry, "water_t": water, "biochar_t": char, "heat_kwh": heat_kwh}


def co2_stored_t(
    biochar_t: ArrayLike, *, carbon_fraction: float, permanence_factor: float, co2_per_carbon: float
) -> np.ndarray:
    """CO2 removed by biochar carbon that stays in the soil for 100 years [t CO2].

    CO2 = char x F_C x F_perm x 44/12 (IPCC 2019 Refinement, Vol. 4 Ch. 2 Appendix 4).

    Examples
    --------
    >>> round(float(co2_stored_t(1.0, carbon_fraction=0.77, permanence_factor=0.8,
    ...                          co2_per_carbon=3.664)), 4)
    2.257
    """
    return np.asarray(biochar_t, dtype=float) * carbon_fraction * permanence_factor * co2_per_carbon
