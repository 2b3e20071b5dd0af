"""The fact sheet of a place: what the plan means there in the selected year, in plain words.

German with English beside it: the area's supply type and likelihood grade in words, what a
house owner can expect (a heat network planned or not, the decentral options by name, dates of
the measures), a reason from the area's released figures (no internal scores), the years, the
options and funding. Counts are the released aggregates of the area (at least 5 buildings).
The option costs are the released medians of
:func:`heatplan.publish.costs.option_cost_table` over at least 5 buildings of the same kind (same
area, use and age class; else wider groups) — nothing is computed here from building rows.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from heatplan.formats import german
from heatplan.measures.schema import STATUSES
from heatplan.plan import columns as col
from heatplan.publish.costs import SCOPE_KEYS
from heatplan.reference import table
from heatplan.web.public_data import (
    GRADE_DE,
    GRADE_EN,
    OPTIONS,
    TYPE_DE,
    TYPE_EN,
    UNPRICED_OPTIONS,
    PublicData,
    area_ids_of,
    funding,
)

HEADINGS = {
    "year": ("Jahr", "Year"),
    "expect": ("Was heißt das für Eigentümer?", "What does it mean for owners?"),
    "measures": ("Geplante Maßnahmen hier", "Measures planned here"),
    "area_type": ("Voraussichtliche Versorgung", "Expected supply"),
    "likelihood": ("Eignung", "Suitability"),
    "reason": ("Begründung", "Reason"),
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
        "gleiche Nutzung und Baualtersklasse, im Gebiet",
        "same use and age class, in the area",
    ),
    "area_use": ("gleiche Nutzung, im Gebiet", "same use, in the area"),
    "area": ("im Gebiet", "in the area"),
    "town_use_age": (
        "gleiche Nutzung und Baualtersklasse, in der Gemeinde",
        "same kind, in the town",
    ),
    "town": ("in der Gemeinde", "in the town"),
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


#: likelihood grade -> how sure the plan is, as a sentence part (de, en)
GRADE_WORDS = {
    "sehr_wahrscheinlich_geeignet": ("sehr wahrscheinlich geeignet", "very likely suitable"),
    "wahrscheinlich_geeignet": ("wahrscheinlich geeignet", "likely suitable"),
    "wahrscheinlich_ungeeignet": (
        "eher ungeeignet; die Einteilung kann sich noch ändern",
        "rather unsuitable; the classification may still change",
    ),
    "sehr_wahrscheinlich_ungeeignet": (
        "sehr wahrscheinlich ungeeignet; die Einteilung wird noch geprüft",
        "very likely unsuitable; the classification is still being reviewed",
    ),
}
#: decentral options an owner may choose, in the order the fact sheet names them
DECENTRAL = ("air_hp", "ground_hp", "biomass")


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
        label = str(year) if year != data.target_year else f"{year} (Zieljahr)"
        rows.append(
            {
                "year": year,
                "label": {"de": label, "en": label.replace("Zieljahr", "target year")},
                "area_type": {"de": TYPE_DE.get(kind, "–"), "en": TYPE_EN.get(kind, "–")},
                "likelihood": {"de": GRADE_DE.get(grade, "–"), "en": GRADE_EN.get(grade, "–")},
                "code": kind,
                "grade": grade,
            }
        )
    return rows


def _number(value: Any, spec: str = ",.0f") -> str | None:
    """A released figure in German notation (None when missing)."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return german(f"{float(number):{spec}}") if pd.notna(number) else None


def _date_de(value: Any) -> str:
    text = str(value or "")[:10]
    parts = text.split("-")
    return f"{parts[2]}.{parts[1]}.{parts[0]}" if len(parts) == 3 else text


def _area_name(area: pd.Series | None, area_id: str) -> str:
    name = str(area.get("name") or "") if area is not None else ""
    return name or (f"Gebiet {area_id}" if area_id else "")


def _summary(place: pd.Series, area: pd.Series | None, year: dict[str, Any]) -> dict[str, str]:
    """Where the place is and what the plan says for it in the selected year."""
    area_id = str(area.get(col.AREA_ID)) if area is not None else ""
    if area is None or not year["code"]:
        return {
            "de": f"Für {place['label']} liegt keine Gebietseinteilung vor.",
            "en": f"No area classification covers {place['label']}.",
        }
    name = _area_name(area, area_id)
    where_de = name if place["kind"] == "area" else f"{place['label']} liegt im {name}. Es"
    where_en = (
        f"{place['label']} (area {area_id})" if place["kind"] != "area" else f"area {area_id}"
    )
    grade_de, grade_en = GRADE_WORDS.get(year["grade"], ("–", "–"))
    return {
        "de": f"{where_de} ist im Jahr {year['label']['de']} voraussichtlich ein "
        f"{year['area_type']['de']}. Die Planung hält das für {grade_de}.",
        "en": f"In {year['label']['en']}, {where_en} is expected to be classified as "
        f"{year['area_type']['en']}. The plan rates this {grade_en}.",
    }


def _measures_of(data: PublicData, area_id: str) -> list[dict[str, Any]]:
    return [m for m in data.measures if area_id and area_id in area_ids_of(m)]


def _measure_items(measures: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The public measures of the area: title, status and planned completion in words."""
    out = []
    for measure in measures:
        status = str(measure.get("status") or "")
        end = measure.get("completion_date")
        when_de = f", Abschluss geplant {_date_de(end)}" if end else ""
        when_en = f", completion planned {str(end)[:10]}" if end else ""
        out.append(
            {
                "de": f"{measure.get('title')} ({STATUSES.get(status, status)}{when_de})",
                "en": f"{measure.get('title')} ({status.replace('_', ' ')}{when_en})",
            }
        )
    return out


def _expectation(years: list[dict[str, Any]], chosen: dict[str, Any]) -> dict[str, str]:
    """What a house owner can expect: a network or not (from when), the options by name."""
    network_years = [y["year"] for y in years if y["code"] in NETWORK_TYPES]
    names_de = ", ".join(OPTIONS[k][1] for k in DECENTRAL)
    names_en = ", ".join(OPTIONS[k][2] for k in DECENTRAL)
    if chosen["code"] in NETWORK_TYPES:
        de = (
            f"Ein Wärmenetz ist hier ab etwa {network_years[0]} vorgesehen. Bis dahin kann Ihre "
            "Heizung bleiben, wie sie ist; vor einem Heizungstausch lohnt eine Anfrage beim "
            f"Netzbetreiber. Ohne Anschluss kommen auch in Frage: {names_de}."
        )
        en = (
            f"A heat network is planned here from about {network_years[0]}. Until then your "
            "heating can stay as it is; before replacing it, ask the network operator. Without "
            f"a connection, these also work: {names_en}."
        )
    else:
        later = [y for y in network_years if y > chosen["year"]]
        de = (
            f"Bis {chosen['year']} ist hier kein Wärmenetz vorgesehen: die Wärme wird im "
            f"Gebäude selbst erzeugt, zum Beispiel mit {names_de}. Ein Wechsel ist möglich, "
            "sobald die alte Heizung ersetzt werden muss."
        )
        en = (
            f"No heat network is planned here up to {chosen['year']}: heat is produced in the "
            f"building itself, e.g. with an {names_en}. You can switch whenever the old heating "
            "system needs replacing."
        )
        if later:
            de += f" Ab etwa {later[0]} ist ein Wärmenetz vorgesehen."
            en += f" A heat network is planned from about {later[0]}."
    return {"de": de, "en": en}


def _density_class(code: Any) -> tuple[str, str]:
    classes = table("heat_density_classes.csv", as_text=True).set_index("class")
    if str(code) not in classes.index:
        return "", ""
    row = classes.loc[str(code)]
    return str(row["label_de"]), str(row["label_en"])


def plain_reason(area: pd.Series | None) -> dict[str, str]:
    """Why, from the area's released figures: buildings, heat density, full costs."""
    if area is None:
        return {
            "de": "Für diesen Ort liegt keine Gebietseinteilung vor.",
            "en": "No area classification covers this place.",
        }
    buildings = _number(area.get("buildings"))
    density = _number(area.get(col.HEAT_DENSITY_MWH_PER_HA_A))
    de, en = [], []
    if buildings:
        de.append(f"Im Gebiet stehen {buildings} Gebäude.")
        en.append(f"The area has {buildings.replace('.', ',')} buildings.")
    if density:
        class_de, class_en = _density_class(area.get("heat_density_class"))
        de.append(f"Sie brauchen zusammen {density} MWh Wärme je Hektar und Jahr ({class_de}).")
        en.append(f"Together they need {density.replace('.', ',')} MWh of heat per hectare and "
                  f"year ({class_en}).")  # fmt: skip
    network = _number(area.get("network_lcoh_eur_per_mwh"))
    decentral = _number(area.get("decentral_lcoh_eur_per_mwh"))
    best = str(area.get("best_decentral") or "")
    if network and decentral and best in OPTIONS:
        de.append(
            f"Über die Lebensdauer gerechnet kostet Wärme hier etwa {network} € je "
            f"Megawattstunde aus einem Wärmenetz und {decentral} € mit der günstigsten Heizung "
            f"im Haus ({OPTIONS[best][1]})."
        )
        en.append(
            f"Over the lifetime, heat costs about {network} EUR/MWh from a heat network and "
            f"{decentral} EUR/MWh with the cheapest heating in the house ({OPTIONS[best][2]})."
        )
    if not de:
        return {"de": SUPPRESSED_NOTE["de"], "en": SUPPRESSED_NOTE["en"]}
    return {"de": " ".join(de), "en": " ".join(en)}


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
            if key in group.index and pd.notna(group.get(key)):
                cost = round(float(group[key]))
                out.append({"option": key, "label": {"de": de, "en": en}, "cost_eur_per_mwh": cost})
        unpriced_de = "".join(f" {de}." for de, _ in UNPRICED_OPTIONS.values())
        unpriced_en = "".join(f" {en}." for _, en in UNPRICED_OPTIONS.values())
        note = {
            "de": f"Vollkosten in € je MWh Wärme über die Lebensdauer: Median über {n} Gebäude "
            f"mit gerechnetem Kostenvergleich ({scope['de']}).{unpriced_de}",
            "en": f"Full cost in EUR per MWh of heat over the lifetime: median over {n} buildings "
            f"with a cost comparison ({scope['en']}).{unpriced_en}",
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


def _chosen(years: list[dict[str, Any]], year: int | None) -> dict[str, Any]:
    """The row of the selected year (the target year when none or an unknown year is asked)."""
    return next((y for y in years if y["year"] == year), years[-1])


def factsheet(data: PublicData, place: pd.Series, year: int | None = None) -> dict[str, Any]:
    """The fact sheet of one place of the search index for ``year`` (no building figures)."""
    area = _area_row(data, place.get(col.AREA_ID))
    area_id = str(place.get(col.AREA_ID)) if area is not None else ""
    years = _years(data, area)
    chosen = _chosen(years, year)
    network = any(y["code"] in NETWORK_TYPES for y in years)
    return {
        "place": str(place["label"]),
        "kind": str(place["kind"]),
        col.AREA_ID: area_id,
        "area_name": _area_name(area, area_id),
        "year": chosen["year"],
        "summary": _summary(place, area, chosen),
        "expect": _expectation(years, chosen),
        "measures": _measure_items(_measures_of(data, area_id)),
        "years": [{k: v for k, v in y.items() if k != "grade"} for y in years],
        "reason": plain_reason(area),
        "options": _options(data, area, place),
        "funding": _funding(network),
        "headings": {key: _pair(key) for key in HEADINGS},
    }
