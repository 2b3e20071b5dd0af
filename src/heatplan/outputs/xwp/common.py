"""What the XWärmeplan feature builders share: the code lists, the project content, ids.

heatplan's codes (carriers, sectors, potential kinds, heater types, uses, age classes, measure
types) become XWärmeplan 0.9 codes through ``data/xwp_codes.csv`` (one row per code with the
code list it comes from in the ``source`` column). :class:`PlanContent` carries the store
tables the export reads besides the areas; :class:`Context` the plan's ids and the notes the
builders leave for the export's result (what was skipped and why).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from heatplan.outputs.xwp.gml import DataType, Measure
from heatplan.reference import table

__all__ = [
    "LEGAL_BASES",
    "Context",
    "PlanContent",
    "PlanMetadata",
    "code",
    "energy_amount",
    "heater_code",
    "keyword_codes",
    "multi",
    "mwh",
    "number",
]

CODES_FILE = "xwp_codes.csv"
KWH_PER_MWH = 1000.0
#: Unit of the energy measures of XWärmeplan 0.9 (``uom`` of WP_EnergieTraegerMenge etc.).
MWH_PER_A = "MWh/a"


LEGAL_BASES = {"1000": "WPG", "2000": "Landesgesetz", "3000": "Kommunalrichtlinie"}


@dataclass(frozen=True)
class PlanMetadata:
    """What ``WP_Plan`` needs beyond the areas (all required by XWärmeplan 0.9 unless noted).

    ``regional_key`` is the Amtlicher Regionalschlüssel (12 digits) or the Gemeindeschlüssel
    (AGS, 8 digits); ``legal_basis`` a ``WP_GesetzlicheGrundlage`` code (1000 WPG, 2000 state
    law, 3000 Kommunalrichtlinie); ``start_decision_date`` the decision to draw up the plan
    (WPG § 13), ``adoption_date`` the council's decision on the plan.
    """

    name: str
    municipality: str
    regional_key: str
    description: str
    base_year: int
    start_decision_date: date
    adoption_date: date
    target_year: int = 2045
    legal_basis: str = "1000"
    producer: str = "heatplan"

    def __post_init__(self) -> None:
        for attribute in ("name", "municipality", "description"):
            if not str(getattr(self, attribute)).strip():
                raise ValueError(f"plan metadata: {attribute} is empty")
        key = str(self.regional_key)
        if not (key.isdigit() and len(key) in (8, 12)):
            raise ValueError(
                f"plan metadata: regional_key {key!r} is neither a 12-digit Regionalschlüssel "
                "nor an 8-digit Gemeindeschlüssel (heatplan.toml [municipality] key)"
            )
        if self.legal_basis not in LEGAL_BASES:
            raise ValueError(
                f"plan metadata: legal_basis {self.legal_basis!r} is not one of {LEGAL_BASES}"
            )


@dataclass(frozen=True)
class PlanContent:
    """Store tables the XWärmeplan export reads besides ``areas`` (each optional).

    ``buildings`` is building-level: it is only counted (residential vs other buildings,
    buildings per block and carrier for the WPG § 10 cell rules), never written.
    """

    scenario_indicators: pd.DataFrame | None = None
    totals: pd.DataFrame | None = None
    buildings: pd.DataFrame | None = None
    blocks: pd.DataFrame | None = None
    street_segments: pd.DataFrame | None = None
    potentials: pd.DataFrame | None = None
    measures: pd.DataFrame | None = None
    gas_network: bool | None = None
    heat_network: bool | None = None
    sewers: bool | None = None
    #: the audited public release (:func:`heatplan.publish.layers.public_layers` over every
    #: layer of the project); None: made here from the tables above
    release: dict[str, pd.DataFrame] | None = None


@dataclass
class Context:
    """Ids of the plan and its area, a uid factory, and notes for the export result."""

    uid: Callable[..., str]
    plan_uid: str
    bereich_uid: str
    notes: list[str] = field(default_factory=list)


@cache
def _codes() -> pd.DataFrame:
    return table(CODES_FILE, as_text=True)


@cache
def _lookup(field_name: str) -> dict[str, str]:  # read-only: callers never change it
    rows = _codes()[_codes()["field"] == field_name]
    return dict(zip(rows["heatplan_code"], rows["xwp_code"], strict=True))


def code(field_name: str, value: Any) -> str | None:
    """XWärmeplan code of heatplan code ``value`` of ``field_name`` (None: none fits)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = "unknown"
    return _lookup(field_name).get(str(value))


def heater_code(heater_type: Any, carrier: Any) -> str:
    """``WP_WaermeErzeugerTyp`` of a heater type and carrier (most specific row wins)."""
    codes = _lookup("heater")
    heater = str(heater_type) if isinstance(heater_type, str) else "unknown"
    fuel = str(carrier) if isinstance(carrier, str) else "unknown"
    for key in (f"{heater}:{fuel}", f"{heater}:*", f"*:{fuel}", "*:*"):
        if key in codes:
            return codes[key]
    raise AssertionError("xwp_codes.csv lacks the heater row *:*")  # pragma: no cover


def keyword_codes(field_name: str, text: Any, limit: int) -> list[str]:
    """Codes whose keyword pattern occurs in free ``text`` (in file order, at most ``limit``)."""
    if not isinstance(text, str) or not text.strip():
        return []
    found: list[str] = []
    for pattern, xwp in _lookup(field_name).items():
        if re.search(pattern, text, flags=re.IGNORECASE) and xwp not in found:
            found.append(xwp)
    return found[:limit]


def number(value: Any) -> float | None:
    """A finite float, or None for missing / NaN / text."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def mwh(value: float, uom: str = MWH_PER_A) -> Measure:
    """An energy measure [MWh/a] as XWärmeplan writes it."""
    return Measure(float(value), uom)


def energy_amount(traeger: str, value_mwh: float) -> DataType:
    """``WP_EnergieTraegerMenge``: carrier code and energy [MWh/a]."""
    return DataType("WP_EnergieTraegerMenge", {"traeger": traeger, "energieMenge": mwh(value_mwh)})


def multi(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """The multi-geometry XWärmeplan asks for (points, lines, polygons); None if empty."""
    if geometry is None or geometry.is_empty:
        return None
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    if isinstance(geometry, LineString):
        return MultiLineString([geometry])
    if isinstance(geometry, Point):
        return MultiPoint([geometry])
    if isinstance(geometry, MultiPolygon | MultiLineString | MultiPoint):
        return geometry
    return None
