"""Units of metered quantities: spelling variants and conversion to final energy [kWh, Hi].

``data/units.csv`` lists the units heatplan understands; energy units carry their factor to kWh
and their calorific basis (``net``: taken as Hi; ``gross``: Hs, divided by ``hs_hi_ratio`` of
``data/carriers.csv``). Volume and mass units are converted per carrier with
``data/unit_conversions.csv``; a carrier/unit pair not listed there has no conversion.
``data/unit_aliases.csv`` maps spellings (``m³``, ``m^3``, ``cbm``, ``Liter``, ``kWh (Hs)``) to
the unit codes; case, blanks, ``_ ^ ( ) .`` and the superscript ``³`` are ignored when matching.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from heatplan.inputs.validate import load_reference
from heatplan.plan import columns as col

_IGNORED = re.compile(r"[\s_^().]")


def unit_key(text: object) -> str:
    """Spelling-insensitive key of a unit text.

    >>> unit_key(" m³ "), unit_key("kWh (Hs)"), unit_key("M^3")
    ('m3', 'kwhhs', 'm3')
    """
    return _IGNORED.sub("", str(text).lower().replace("³", "3"))


@functools.cache
def _aliases() -> dict[str, str]:
    aliases = load_reference("unit_aliases.csv")
    table = {unit_key(u): u for u in load_reference("units.csv")["unit"]}
    table |= {unit_key(a): u for a, u in zip(aliases["alias"], aliases["unit"], strict=True)}
    return table


def known_units() -> list[str]:
    """Unit codes of ``data/units.csv`` (``kWh``, ``MWh``, ``m3``, ``l`` ...)."""
    return list(load_reference("units.csv")["unit"])


def normalise_unit(text: object) -> str | None:
    """The unit code of a spelling; ``None`` when empty or not a known unit.

    >>> normalise_unit("m³"), normalise_unit("cbm"), normalise_unit("Liter"), normalise_unit("kwh")
    ('m3', 'm3', 'l', 'kWh')
    >>> normalise_unit("furlong") is None
    True
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    return _aliases().get(unit_key(text))


def kwh_per_unit(carrier: pd.Series, unit: pd.Series) -> pd.Series:
    """Final energy per unit of a metered quantity, net calorific value basis [kWh/unit].

    Parameters
    ----------
    carrier : Series of str
        Carrier codes of ``data/carriers.csv``.
    unit : Series of str
        Unit codes of ``data/units.csv`` (use :func:`normalise_unit` first).

    Returns
    -------
    Series of float
        kWh (Hi) per unit [kWh/unit], indexed like ``unit``; NaN where no conversion is known
        (unknown unit, or a volume/mass unit not listed for the carrier).

    >>> kwh_per_unit(pd.Series(["natural_gas", "heating_oil", "district_heat"]),
    ...              pd.Series(["m3", "l", "MWh"])).tolist()
    [9.5, 10.0, 1000.0]
    """
    units = load_reference("units.csv").set_index("unit")
    ratio = load_reference("carriers.csv").set_index(col.CARRIER)["hs_hi_ratio"]
    energy = pd.to_numeric(unit.map(units["kwh_per_unit"]), errors="coerce")
    gross = unit.map(units["calorific_basis"]).eq("gross")
    energy = energy.where(~gross, energy / pd.to_numeric(carrier.map(ratio), errors="coerce"))
    conversions = load_reference("unit_conversions.csv")
    factors = pd.Series(
        pd.to_numeric(conversions["kwh_hi_per_unit"]).to_numpy(),
        index=conversions[col.CARRIER] + "|" + conversions["unit"],
    )
    per_carrier = (carrier.astype(str) + "|" + unit.astype(str)).map(factors)
    return energy.fillna(per_carrier).astype("float64")
