"""The fact sheet of a place: its area's supply type per year, the reason, timeline, options.

Plain German with English beside it. The option costs are the released medians of
:func:`heatplan.publish.costs.option_cost_table` over at least 5 buildings of the same kind (same
area, use and age class; else wider groups) — nothing is computed here from building rows.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from heatplan.plan import columns as col
from heatplan.publish.costs import SCOPE_KEYS
from heatplan.web.public_data import (
    GRADE_DE,
    GRADE_EN,
    OPTIONS,
    TYPE_DE,
    TYPE_EN,
    PublicData,
    funding,
)

HEADINGS = {
    "year": ("Jahr", "Year"),
    "area_type": ("Voraussichtliche Versorgung", "Expected supply"),
    "likelihood": ("Eignung", "Suitability"),
    "reason": ("Begründung", "Reason"),
    "timeline": ("Zeitplan", "Timeline"),
    "options": ("Vollkostenvergleich der Heizungsoptionen", "Full-cost comparison of the options"),
    "funding": ("Förderprogramme", "Funding programmes"),
    "profile": ("Gebietssteckbrief öffnen", "Open the area profile"),
}
NETWORK_TYPES = ("waermenetz_verdichtung", "waermenetz_ausbau", "waermenetz_neubau")
FUNDING_TEXT = {
    "heating_base": (
        "Grundförderung für eine neue klimafreundliche Heizung",
        "base grant for a new climate-friendly heating system",
    ),
    "heating_climate_speed_bonus": (
        "Klimageschwindigkeits-Bonus (Tausch einer alten fossilen Heizung, "
        "selbstnutzende Eigentümer)",
        "climate-speed bonus (replacing an old fossil heater, owner-occupiers)",
    ),
    "heating_income_bonus": (
        "Einkommens-Bonus (zu versteuerndes Haushaltseinkommen bis 40.000 €)",
        "income bonus (taxable household income up to EUR 40,000)",
    ),
    "heat_pump_efficiency_bonus": (
        "Effizienz-Bonus für Wärmepumpen mit Erdreich, Wasser oder Abwasser",
        "efficiency bonus for ground, water or wastewater heat pumps",
    ),
    "heating_max_total": ("höchstens insgesamt", "at most in total"),
    "envelope_base": ("Dämmung und Fenster", "insulation and windows"),
    "module_2_network_investment": (
        "Bau und Ausbau von Wärmenetzen (für Netzbetreiber)",
        "building and extending heat networks (for operators)",
    ),
}
SCOPES = {
    "area_use_age": (
        "Gebäude gleicher Nutzung und Baualtersklasse im Gebiet",
        "buildings of the same use and age class in the area",
    ),
    "area_use": ("Gebäude gleicher Nutzung im Gebiet", "buildings of the same use in the area"),
    "area": ("alle Gebäude im Gebiet", "all buildings in the area"),
    "town_use_age": (
        "Gebäude gleicher Art in der Gemeinde",
        "buildings of the same kind in the town",
    ),
    "town": ("alle Gebäude der Gemeinde", "all buildings in the town"),
}
AREA_NOTE = {
    "de": "Mittlere Vollkosten im Gebiet (€/MWh Wärme über die Lebensdauer).",
    "en": "Average full cost in the area (EUR per MWh of heat over the lifetime).",
}
SUPPRESSED_NOTE = {
    "de": "Für dieses Gebiet werden aus Datenschutzgründen keine Kosten gezeigt "
    "(weniger als 5 Gebäude).",
    "en": "No costs are shown for this area for data protection (fewer than 5 buildings).",
}
PROGRAMME = {"BEG_EM": "BEG Einzelmaßnahmen", "BEW": "BEW"}


def _pair(key: str) -> dict[str, str]:
    de, en = HEADINGS[key]
    return {"de": de, "en": en}


def _area_row(data: PublicData, area_id: Any) -> pd.Series | None:
    areas = data.areas
    if area_id is None or (isinstance(area_id, float) and math.isnan(area_id)):
        return None
    match = areas[areas[col.AREA_ID].astype(str) == str(area_id)]
    return match.iloc[0] if len(match) else None


def _years(data: PublicData, area: pd.Series | None) -> list[dict[str, Any]]:
    rows = []
    for year in data.years:
        kind = str(area.get(f"area_type_{year}")) if area is not None else ""
        grade = str(area.get(f"likelihood_{year}")) if area is not None else ""
        label = str(year) if year != data.target_year else f"{year} (Zieljahr / target)"
        rows.append(
            {
                "year": year,
                "label": {"de": label, "en": label.replace("Zieljahr / target", "target year")},
                "area_type": {"de": TYPE_DE.get(kind, "–"), "en": TYPE_EN.get(kind, "–")},
                "likelihood": {"de": GRADE_DE.get(grade, "–"), "en": GRADE_EN.get(grade, "–")},
                "code": kind,
            }
        )
    return rows


def _text(area: pd.Series | None, column: str) -> str:
    if area is None:
        return ""
    value = area.get(column)
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _timeline(data: PublicData, years: list[dict[str, Any]], area_id: str) -> dict[str, str]:
    network_years = [y["year"] for y in years if y["code"] in NETWORK_TYPES]
    if network_years:
        de = (
            f"Ein Wärmenetz ist hier ab etwa {network_years[0]} vorgesehen. Bis dahin bleibt "
            "Ihre Heizung, wie sie ist; beim Heizungstausch lohnt sich eine Anfrage beim "
            "Netzbetreiber."
        )
        en = (
            f"A heat network is planned here from about {network_years[0]}. Until then your "
            "heating stays as it is; when you replace it, ask the network operator first."
        )
    else:
        de = (
            "Hier ist kein Wärmenetz vorgesehen: die Wärme wird im Gebäude selbst erzeugt. Ein "
            "Heizungstausch ist möglich, sobald die alte Heizung ersetzt werden muss."
        )
        en = (
            "No heat network is planned here: heat is produced in the building itself. You can "
            "switch whenever the old heating system needs replacing."
        )
    steps = [
        m for m in data.measures if area_id and area_id in str(m.get("area_ids") or "").split(";")
    ]
    for measure in steps[:5]:
        when = measure.get("completion_date") or measure.get("start_date") or ""
        de += f" Maßnahme {measure.get('measure_id')}: {measure.get('title')} ({when})."
        en += f" Measure {measure.get('measure_id')}: {measure.get('title')} ({when})."
    return {"de": de, "en": en}


def _group(
    data: PublicData, area_id: str, use: Any, age: Any
) -> tuple[pd.Series | None, dict[str, str]]:
    """The released cost medians of the narrowest group of buildings like this place."""
    table = data.option_costs
    wanted = {col.AREA_ID: str(area_id), col.USE: str(use), "age_class": str(age)}
    for scope, (de, en) in SCOPES.items():
        rows = table[table["scope"] == scope]
        for column in SCOPE_KEYS[scope]:
            rows = rows[rows[column].astype(str) == wanted[column]]
        if len(rows):
            return rows.iloc[0], {"de": de, "en": en}
    return None, {"de": "", "en": ""}


def _options(data: PublicData, area: pd.Series | None, place: pd.Series) -> dict[str, Any]:
    area_id = str(place.get(col.AREA_ID))
    group, scope = _group(data, area_id, place.get(col.USE), place.get("age_class"))
    out = []
    if group is not None:
        n = int(group["buildings"])
        for key, (_, de, en) in OPTIONS.items():
            if pd.notna(group.get(key)):
                cost = round(float(group[key]))
                out.append({"option": key, "label": {"de": de, "en": en}, "cost_eur_per_mwh": cost})
        note = {
            "de": f"Vollkosten in €/MWh Wärme über die Lebensdauer, Median über {n} Gebäude "
            f"({scope['de']}).",
            "en": f"Full cost in EUR per MWh of heat over the lifetime, median over {n} buildings "
            f"({scope['en']}).",
        }
        return {"rows": out, "note": note}
    for key, column in (
        ("network", "network_lcoh_eur_per_mwh"),
        ("best_decentral", "decentral_lcoh_eur_per_mwh"),
    ):
        value = pd.to_numeric(
            pd.Series([area.get(column) if area is not None else None]), errors="coerce"
        ).iloc[0]
        if pd.notna(value):
            best = str(area.get("best_decentral")) if area is not None else ""
            de, en = (
                (OPTIONS["network"][1], OPTIONS["network"][2])
                if key == "network"
                else (
                    f"Beste dezentrale Option ({OPTIONS.get(best, ('', best, best))[1]})",
                    f"best decentral option ({OPTIONS.get(best, ('', best, best))[2]})",
                )
            )
            out.append(
                {
                    "option": key,
                    "label": {"de": de, "en": en},
                    "cost_eur_per_mwh": round(float(value)),
                }
            )
    note = AREA_NOTE if out else SUPPRESSED_NOTE
    return {"rows": out, "note": note}


def _funding(network: bool) -> list[dict[str, str]]:
    table = funding()
    out = []
    for row in table.itertuples(index=False):
        text = FUNDING_TEXT.get(str(row.measure))
        if text is None or str(row.parameter) not in ("funding_share", "max_funding_share"):
            continue
        if str(row.programme) == "BEW" and not network:
            continue
        share = f"{float(str(row.value)) * 100:.0f} %"
        name = PROGRAMME.get(str(row.programme), str(row.programme))
        out.append({"de": f"{name}: {text[0]}: {share}", "en": f"{name}: {text[1]}: {share}"})
    return out


def factsheet(data: PublicData, place: pd.Series) -> dict[str, Any]:
    """The fact sheet of one place of the search index (no building figures in it)."""
    area = _area_row(data, place.get(col.AREA_ID))
    area_id = str(place.get(col.AREA_ID)) if area is not None else ""
    years = _years(data, area)
    reason_de = _text(area, "explanation") or "Für diesen Ort liegt keine Gebietseinteilung vor."
    reason_en = _text(area, "explanation_en") or "No area classification covers this place."
    first = years[0]
    summary = {
        "de": f"{place['label']} liegt im Gebiet {area_id or '–'}: {first['area_type']['de']} "
        f"({first['likelihood']['de']}) im Jahr {first['year']}.",
        "en": f"{place['label']} lies in area {area_id or '–'}: {first['area_type']['en']} "
        f"({first['likelihood']['en']}) in {first['year']}.",
    }
    network = any(y["code"] in NETWORK_TYPES for y in years)
    return {
        "place": str(place["label"]),
        "kind": str(place["kind"]),
        col.AREA_ID: area_id,
        "summary": summary,
        "years": [{k: v for k, v in y.items() if k != "code"} | {"code": y["code"]} for y in years],
        "reason": {"de": reason_de, "en": reason_en},
        "timeline": _timeline(data, years, area_id),
        "options": _options(data, area, place),
        "funding": _funding(network),
        "headings": {key: _pair(key) for key in HEADINGS},
    }
