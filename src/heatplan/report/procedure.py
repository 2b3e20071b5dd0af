"""The report's first section: which WPG procedure applies and why, and the method's rules.

- Standard procedure (§§ 13-20 WPG) or the simplified procedure a Land may provide for
  municipalities with fewer than 10,000 inhabitants (§ 4 (3) Satz 1, § 22 WPG), from
  heatplan.toml ``[plan] procedure`` and ``[municipality] inhabitants``;
- the Eignungsprüfung and the areas on the shortened path (§ 14 WPG), one row per area;
- the areas with an increased energy-saving potential (§ 18 (5) WPG), one row per area.

Every text is German; each rule names its paragraph.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from heatplan.areas.eignung import thresholds as eignung_thresholds
from heatplan.plan import columns as col
from heatplan.project.config import ProjectConfig
from heatplan.reference import parameter
from heatplan.report.fmt import DASH, Table, number, percent
from heatplan.scenario import saving

__all__ = ["procedure_section"]

PARAMETERS = "wpg_procedures.csv"
NAMES = {
    "standard": "Regelverfahren (§§ 13 bis 20 WPG)",
    "simplified": "Vereinfachtes Verfahren (§ 22 WPG)",
}


def _limit() -> float:
    return parameter(PARAMETERS, "simplified_procedure_inhabitants_below")


def _why(config: ProjectConfig) -> str:
    people = config.municipality.inhabitants
    limit = number(_limit())
    town = config.municipality.name
    if people is None:
        count = f"Die Einwohnerzahl von {town} ist im Projekt nicht angegeben"
    else:
        count = f"{town} hat {number(people)} Einwohner"
    if config.plan.procedure == "simplified":
        return (
            f"{count}, weniger als {limit}: Für solche Gemeindegebiete können die Länder ein "
            "vereinfachtes Verfahren vorsehen (§ 4 Abs. 3 Satz 1, § 22 WPG). Die Einzelheiten "
            "regelt das Landesrecht; dieser Plan wendet den unten genannten Mindestumfang an."
        )
    if people is not None and people < _limit():
        return (
            f"{count}, weniger als {limit}; ein vereinfachtes Verfahren nach § 22 WPG wäre "
            "möglich, soweit das Land es vorsieht, ist aber nicht gewählt "
            '(heatplan.toml [plan] procedure = "simplified").'
        )
    if people is not None:
        return f"{count}; das vereinfachte Verfahren nach § 22 WPG gilt erst unter {limit}."
    return f"{count}; es gilt das Regelverfahren."


def _eignung_rule(config: ProjectConfig) -> str:
    limits = eignung_thresholds()
    hydrogen = (
        "ein Gasnetz im Gebiet schließt sie nicht aus, weil für die Gebäudewärme keine "
        "Wasserstoffversorgung über das Gasverteilnetz absehbar ist (§ 14 Abs. 3 Nr. 2)"
        if not config.plan.hydrogen_in_prospect()
        else "ein Gasnetz im Gebiet hält es im vollständigen Verfahren (§ 14 Abs. 3 Nr. 1)"
    )
    return (
        "Eignungsprüfung (§ 14 WPG): Ein Teilgebiet ist sehr wahrscheinlich weder für ein "
        "Wärmenetz noch für ein Wasserstoffnetz geeignet, wenn kein Wärmenetz besteht, kein "
        "Abwasser- oder Abwärmepotenzial näher als "
        f"{number(limits.reach_m)} m liegt, die Wärmedichte unter "
        f"{number(limits.heat_density_mwh_per_ha_a)} MWh/(ha·a) und die Wärmeliniendichte unter "
        f"{number(limits.line_density_kwh_per_m_a)} kWh/(m·a) liegt (§ 14 Abs. 2); {hydrogen}. "
        "Solche Teilgebiete folgen der verkürzten Wärmeplanung (§ 14 Abs. 4) und werden als "
        "Gebiete für die dezentrale Wärmeversorgung dargestellt: für sie wird kein Wärmenetz "
        "ausgelegt, gekostet oder im Einsatz berechnet."
    )


def _saving_rule(config: ProjectConfig) -> str:
    limits = saving.thresholds(config.plan.saving_share_min, config.plan.saving_density_vs_town_min)
    return (
        "Gebiete mit erhöhtem Energieeinsparpotenzial (§ 18 Abs. 5 WPG): Einsparpotenzial ist "
        "die Raumwärme, die jedes Gebäude bei einer Sanierung nach dem TABULA-Paket seiner "
        "Gebäudeart und Baualtersklasse einspart (IWU, Loga et al. 2015; unbekannte "
        "Baualtersklasse: Mittel aller Klassen). Ein Gebiet ist gekennzeichnet, wenn das "
        f"Potenzial mindestens {percent(limits.share_min)} seines Wärmebedarfs beträgt und je "
        f"Hektar mindestens das {number(limits.density_vs_town_min, 2)}-fache des Mittels der "
        "Gemeinde erreicht (Planungsentscheidung, keine gesetzliche Schwelle). Die Kennzeichnung "
        "ändert Versorgungsart und Eignungsstufe nicht."
    )


def _rules(config: ProjectConfig) -> list[str]:
    rules = [_eignung_rule(config), _saving_rule(config)]
    if config.plan.procedure != "simplified":
        return rules
    return [
        "Umfang (§ 22 WPG, § 13 Abs. 1 WPG): Alle Schritte werden durchgeführt – "
        "Eignungsprüfung, Bestands- und Potenzialanalyse, Zielszenario, Einteilung in "
        "voraussichtliche Wärmeversorgungsgebiete für die Stichjahre und das Zieljahr, "
        "Umsetzungsstrategie; die Darstellungen nach Anlage 2 WPG bleiben vollständig.",
        *rules,
        "Beteiligung (§ 7 WPG): Den Kreis der zu Beteiligenden kann das Land im vereinfachten "
        "Verfahren abweichend bestimmen (§ 22 WPG). heatplan bildet die Beteiligung nicht ab; "
        "die Gemeinde führt sie nach dem Landesrecht durch.",
        "Landesrecht: Ob und wie das Land das vereinfachte Verfahren ausgestaltet (in "
        "Baden-Württemberg das Klimaschutz- und Klimawandelanpassungsgesetz KlimaG BW), ist "
        "hier nicht offline geprüft; vor dem Beschluss mit der Landesregelung abgleichen.",
    ]


def _flag(value: Any) -> bool:
    return bool(value) if not pd.isna(value) else False


def _shortened(areas: pd.DataFrame) -> Table:
    rows = [
        [str(row[col.AREA_ID]), str(row.get("eignung_reason") or DASH)]
        for _, row in areas.iterrows()
        if _flag(row.get("eignung_shortened", False))
    ]
    return Table(
        ["Gebiet", "Begründung der Eignungsprüfung"],
        rows,
        [False, False],
        caption="Teilgebiete der verkürzten Wärmeplanung (§ 14 Abs. 4 WPG)",
    )


def _marked(areas: pd.DataFrame) -> Table:
    rows = [
        [
            str(row[col.AREA_ID]),
            number(row.get(saving.POTENTIAL_MWH_PER_A)),
            percent(row.get(saving.SHARE)),
            number(row.get(saving.DENSITY)),
        ]
        for _, row in areas.iterrows()
        if _flag(row.get(saving.MARKED, False))
    ]
    return Table(
        ["Gebiet", "Einsparpotenzial [MWh/a]", "Anteil am Wärmebedarf", "je Hektar [MWh/(ha·a)]"],
        rows,
        [False, True, True, True],
        caption="Gebiete mit erhöhtem Energieeinsparpotenzial (§ 18 Abs. 5 WPG)",
    )


def procedure_section(config: ProjectConfig, areas: pd.DataFrame | None) -> dict[str, Any]:
    """The procedure, why it applies, its rules, and the areas each rule marks."""
    frame = pd.DataFrame() if areas is None else pd.DataFrame(areas)
    has_areas = not frame.empty and col.AREA_ID in frame.columns
    return {
        "name": NAMES[config.plan.procedure],
        "why": _why(config),
        "rules": _rules(config),
        "has_areas": has_areas,
        "shortened": _shortened(frame) if has_areas else None,
        "marked": _marked(frame) if has_areas else None,
    }
