"""Eignungsprüfung (WPG §14): areas very unlikely to suit a heat or a hydrogen network.

§14 (2): an area is very unlikely to suit a heat network when (Nr. 1) no heat network exists in it
and there is no concrete indication of a usable renewable or waste-heat potential, and (Nr. 2) its
settlement structure and heat demand make a future network uneconomic. heatplan reads Nr. 1 as
"no heat-network line in the area and no wastewater or waste-heat potential within reach" and
Nr. 2 as "heat density below the KEA-BW threshold of network potential and line density far below
the guide value" (thresholds in data/area_parameters.csv).

§14 (3) Nr. 1: very unlikely to suit a hydrogen network when no gas network exists in the area
(and no concrete indication of decentral hydrogen). Nr. 2 (a gas network exists but hydrogen would
be uneconomic) needs an economic judgement: by default it is left to the classification; a project
that states no hydrogen for building heat is in prospect (``hydrogen_prospect=False``, heatplan.toml
``[plan] hydrogen_prospect``, the default of the simplified procedure) meets it in every area with
a gas network - the classification grades hydrogen "sehr wahrscheinlich ungeeignet" everywhere on
the same premise.

§14 (4): an area unsuitable for both may go through the shortened procedure and is shown as an
area for decentral supply. ``eignung_reason`` says why, or why not (German;
``eignung_reason_en`` in English).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from heatplan.formats import german
from heatplan.plan import columns as col
from heatplan.reference import parameter

__all__ = ["EignungThresholds", "eignung", "thresholds"]

PARAMETERS = "area_parameters.csv"
#: One criterion: (met, German text, English text).
Finding = tuple[bool, str, str]


@dataclass(frozen=True)
class EignungThresholds:
    """Thresholds of the §14 test (data/area_parameters.csv).

    Attributes
    ----------
    heat_density_mwh_per_ha_a : float
        Below this heat density no network potential [MWh/(ha·a)].
    line_density_kwh_per_m_a : float
        Below this line density "far below the guide" [kWh/(m·a)].
    reach_m : float
        A network potential this close is a concrete indication [m].
    """

    heat_density_mwh_per_ha_a: float
    line_density_kwh_per_m_a: float
    reach_m: float


def thresholds() -> EignungThresholds:
    """The default thresholds of data/area_parameters.csv."""
    return EignungThresholds(
        heat_density_mwh_per_ha_a=parameter(PARAMETERS, "eignung_heat_density_max_mwh_per_ha_a"),
        line_density_kwh_per_m_a=parameter(PARAMETERS, "eignung_line_density_max_kwh_per_m_a"),
        reach_m=parameter(PARAMETERS, "eignung_potential_reach_m"),
    )


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def _below(value: float, limit: float, names: tuple[str, str], unit: str) -> Finding:
    """``value < limit`` with the comparison in words; NaN is unknown and never below."""
    if math.isnan(value):
        return False, f"{names[0]} unbekannt", f"{names[1]} unknown"
    sign = "<" if value < limit else ">="
    figures = f"{value:,.0f} {sign} {limit:,.0f} {unit}"
    return value < limit, f"{names[0]} {german(figures)}", f"{names[1]} {figures}"


def _heat_findings(row: pd.Series, limits: EignungThresholds) -> list[Finding]:
    """(criterion met, German text, English text) of §14 (2) for one area."""
    network = _number(row.get("heat_network_m"))
    distance = _number(row.get("nearest_potential_m"))
    near = not math.isnan(distance) and distance <= limits.reach_m
    kind = str(row.get("nearest_potential_kind") or "")
    findings = [
        _below(
            _number(row.get(col.HEAT_DENSITY_MWH_PER_HA_A)),
            limits.heat_density_mwh_per_ha_a,
            ("Wärmedichte", "heat density"),
            "MWh/(ha·a)",
        ),
        _below(
            _number(row.get(col.LINE_DENSITY_KWH_PER_M_A)),
            limits.line_density_kwh_per_m_a,
            ("Liniendichte", "line density"),
            "kWh/(m·a)",
        ),
    ]
    if network > 0:
        findings.append(
            (
                False,
                f"Wärmenetz im Gebiet ({german(f'{network:,.0f}')} m)",
                f"heat network ({network:,.0f} m)",
            )
        )
    else:
        findings.append((True, "kein Wärmenetz bekannt", "no heat network known"))
    if near:
        findings.append(
            (
                False,
                f"Potenzial {kind} in {german(f'{distance:,.0f}')} m",
                f"{kind} {distance:,.0f} m away",
            )
        )
    else:
        findings.append((True, "kein Netzpotenzial in Reichweite", "no network potential in reach"))
    return findings


def _gas_finding(row: pd.Series, hydrogen_prospect: bool = True) -> Finding:
    """(criterion met, German, English) of §14 (3) Nr. 1 (or Nr. 2) for one area."""
    gas = _number(row.get("gas_network_m"))
    if gas > 0 and not hydrogen_prospect:
        return (
            True,
            f"Gasnetz im Gebiet ({german(f'{gas:,.0f}')} m), Wasserstoff für Gebäudewärme "
            "nicht absehbar "
            "(§ 14 Abs. 3 Nr. 2)",
            f"gas network in the area ({gas:,.0f} m), no hydrogen for building heat in prospect "
            "(§ 14 (3) Nr. 2)",
        )
    if gas > 0:
        return (
            False,
            f"Gasnetz im Gebiet ({german(f'{gas:,.0f}')} m)",
            f"gas network in the area ({gas:,.0f} m)",
        )
    return True, "kein Gasnetz bekannt", "no gas network known"


def _judge(
    row: pd.Series, limits: EignungThresholds, hydrogen_prospect: bool = True
) -> tuple[bool, str, str]:
    findings = [*_heat_findings(row, limits), _gas_finding(row, hydrogen_prospect)]
    shortened = all(met for met, _, _ in findings)
    shown = findings if shortened else [f for f in findings if not f[0]]
    de = "; ".join(text for _, text, _ in shown)
    en = "; ".join(text for _, _, text in shown)
    if shortened:
        return True, f"§ 14 WPG: {de}", f"WPG § 14: {en}"
    return False, f"nicht verkürzt: {de}", f"not shortened: {en}"


def eignung(
    areas: pd.DataFrame, limits: EignungThresholds | None = None, *, hydrogen_prospect: bool = True
) -> pd.DataFrame:
    """Eignungsprüfung of every area (WPG §14).

    Parameters
    ----------
    areas : DataFrame
        ``heat_density_mwh_per_ha_a`` [MWh/(ha·a)], ``line_density_kwh_per_m_a`` [kWh/(m·a)],
        ``heat_network_m`` and ``gas_network_m`` [m] (NaN: the project has no such layer,
        read as "no network known"), ``nearest_potential_m`` [m] and
        ``nearest_potential_kind`` (from :func:`heatplan.areas.supply_indicators.area_indicators`).
    limits : EignungThresholds, optional
        Default: :func:`thresholds`.
    hydrogen_prospect : bool
        False: no hydrogen for building heat is in prospect, so an area with a gas network meets
        § 14 (3) Nr. 2 (default True: a gas network keeps the area in the full procedure).

    Returns
    -------
    DataFrame
        ``eignung_shortened`` (bool), ``eignung_reason`` (German) and ``eignung_reason_en``,
        indexed like ``areas``. An unknown line density never counts as "far below the guide":
        the shortened procedure is optional, so missing data keeps an area in the full one.

    Examples
    --------
    >>> rural = pd.DataFrame({"heat_density_mwh_per_ha_a": [40.0], "line_density_kwh_per_m_a":
    ...     [300.0], "heat_network_m": [0.0], "gas_network_m": [0.0], "nearest_potential_m":
    ...     [float("nan")], "nearest_potential_kind": [None]})
    >>> eignung(rural)["eignung_shortened"].tolist()
    [True]
    """
    limits = limits or thresholds()
    judged = [_judge(row, limits, hydrogen_prospect) for _, row in areas.iterrows()]
    return pd.DataFrame(
        {
            "eignung_shortened": pd.Series([j[0] for j in judged], dtype=bool).to_numpy(),
            "eignung_reason": [j[1] for j in judged],
            "eignung_reason_en": [j[2] for j in judged],
        },
        index=areas.index,
    )
