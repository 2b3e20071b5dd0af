"""The heat price of an area's network as a customer study reads it from a classified plan.

The classification stores an area network's full cost of heat in two perspectives
(:mod:`heatplan.plan.columns`): ``owner`` (what a connected owner pays: with VAT and BEW
funding) and ``economic`` (without VAT and funding). Customer studies (``heatplan site`` and
``heatplan quarter``) read it through :func:`area_network_price_eur_per_mwh` and default to the
owner perspective, the price a customer pays.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from heatplan.errors import HeatplanError
from heatplan.plan.columns import (
    NETWORK_LCOH_ECONOMIC_EUR_PER_MWH,
    NETWORK_LCOH_OWNER_EUR_PER_MWH,
)

if TYPE_CHECKING:
    from heatplan.plan.model import Plan

Perspective = Literal["owner", "economic"]
#: The areas column of each perspective.
PERSPECTIVE_COLUMNS: dict[str, str] = {
    "owner": NETWORK_LCOH_OWNER_EUR_PER_MWH,
    "economic": NETWORK_LCOH_ECONOMIC_EUR_PER_MWH,
}
#: What customer studies read unless told otherwise (what a customer pays).
DEFAULT_PERSPECTIVE: Perspective = "owner"


class AreaPriceError(HeatplanError):
    """The plan has no network price for the area in the asked perspective."""


def area_network_price_eur_per_mwh(
    plan: Plan, area_id: str, perspective: str = DEFAULT_PERSPECTIVE
) -> float:
    """Full cost of network heat of area ``area_id`` [EUR/MWh] in ``perspective``.

    Raises :class:`AreaPriceError` for an unknown perspective, a plan without classified
    areas, an unknown area or an area without a network (NaN)."""
    if perspective not in PERSPECTIVE_COLUMNS:
        raise AreaPriceError(
            f"perspective {perspective!r}: choose {', '.join(PERSPECTIVE_COLUMNS)}"
        )
    column = PERSPECTIVE_COLUMNS[perspective]
    areas = plan.get("areas")
    if areas is None or column not in areas.columns:
        raise AreaPriceError(f"the plan has no {column} yet (run its classify step)")
    rows = areas[areas["area_id"].astype(str) == str(area_id)]
    if rows.empty:
        known = ", ".join(sorted(areas["area_id"].astype(str)))
        raise AreaPriceError(f"no area {area_id!r}; areas: {known}")
    price = float(rows[column].iloc[0])
    if not math.isfinite(price):
        raise AreaPriceError(f"area {area_id!r} has no network price (no network was laid out)")
    return price


def price_basis(plan_name: str, area_id: str, perspective: str) -> str:
    """The sentence a study's output gives for the price it used."""
    return (
        f"plan {plan_name}, area {area_id}: {PERSPECTIVE_COLUMNS[perspective]}"
        f" ({perspective} perspective"
        + (
            ", what a customer pays: with VAT and BEW funding)"
            if perspective == "owner"
            else ": without VAT and funding)"
        )
    )
