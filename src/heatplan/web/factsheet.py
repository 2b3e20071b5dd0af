"""The fact sheet of a place: what the plan means there in the selected year, in plain words.

German with English beside it (``{"de": ..., "en": ...}``; the map switches): every text is
a German message marked with :func:`tr` and translated by the gettext catalogue of
:mod:`heatplan.i18n`, every code is labelled from the one vocabulary. The area's supply type
and likelihood grade in words, what a house owner can expect (a heat network planned or not,
the decentral options by name, dates of the measures), a reason from the area's released
figures (no internal scores), the years, the options and funding. Counts are the released
aggregates of the area (at least 5 buildings). The option costs are the released medians of
:func:`heatplan.publish.costs.option_cost_table` over at least 5 buildings of the same kind (same
area, use and age class; else wider groups) — nothing is computed here from building rows.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from heatplan.i18n import (
    LANGUAGES,
    MissingLabel,
    format_date,
    format_number,
    format_percent,
    label,
)
from heatplan.plan import columns as col
from heatplan.publish.costs import SCOPE_KEYS
from heatplan.web.labels import Texts, Value, code_domain, tr
from heatplan.web.public_data import (
    OPTIONS,
    UNPRICED_OPTIONS,
    PublicData,
    area_ids_of,
    funding,
)


def _each(make: Any) -> Texts:
    """``{language: make(language)}``: a value written in each language's notation."""
    return {lang: str(make(lang)) for lang in LANGUAGES}


def _same(text: str) -> Texts:
    """The same text in every language (a name, a number without notation)."""
    return dict.fromkeys(LANGUAGES, text)


def code_texts(code: Any) -> Texts:
    """The label of a code in every language, from the one vocabulary (``–`` for none)."""
    try:
        domain = code_domain(str(code))
    except KeyError:
        return {lang: "–" for lang in LANGUAGES}
    return _each(lambda lang: label(domain, str(code), lang))


HEADINGS = {
    "year": tr("Jahr"),
    "expect": tr("Was heißt das für Eigentümer?"),
    "measures": tr("Geplante Maßnahmen hier"),
    "area_type": tr("Voraussichtliche Versorgung"),
    "likelihood": tr("Eignung"),
    "reason": tr("Begründung"),
    "options": tr("Vollkostenvergleich der Heizungsoptionen"),
    "funding": tr("Förderprogramme"),
    "profile": tr("Gebietssteckbrief öffnen"),
}
NETWORK_TYPES = ("waermenetz_verdichtung", "waermenetz_ausbau", "waermenetz_neubau")
FUNDING_TEXT = {
    "heating_base": tr("Grundförderung für eine neue klimafreundliche Heizung"),
    "heating_climate_speed_bonus": tr(
        "Klimageschwindigkeits-Bonus (Tausch einer alten fossilen Heizung, "
        "selbstnutzende Eigentümer)"
    ),
    "heating_income_bonus": tr(
        "Einkommens-Bonus (zu versteuerndes Haushaltseinkommen bis 40.000 €)"
    ),
    "heat_pump_efficiency_bonus": tr(
        "Effizienz-Bonus für Wärmepumpen mit Erdreich, Wasser oder Abwasser"
    ),
    "heating_max_total": tr("höchstens insgesamt"),
    "envelope_base": tr("Dämmung und Fenster"),
    "module_2_network_investment": tr("Bau und Ausbau von Wärmenetzen (für Netzbetreiber)"),
}
SCOPES = {
    "area_use_age": tr("gleiche Nutzung und Baualtersklasse, im Gebiet"),
    "area_use": tr("gleiche Nutzung, im Gebiet"),
    "area": tr("im Gebiet"),
    "town_use_age": tr("gleiche Nutzung und Baualtersklasse, in der Gemeinde"),
    "town": tr("in der Gemeinde"),
}
AREA_NOTE = tr("Mittlere Vollkosten im Gebiet (€/MWh Wärme über die Lebensdauer).")
SUPPRESSED_NOTE = tr(
    "Für dieses Gebiet werden aus Datenschutzgründen keine Kosten gezeigt (weniger als 5 Gebäude)."
)
PROGRAMME = {"BEG_EM": "BEG Einzelmaßnahmen", "BEW": "BEW"}


#: likelihood grade -> how sure the plan is, as a sentence part
GRADE_WORDS = {
    "sehr_wahrscheinlich_geeignet": tr("sehr wahrscheinlich geeignet"),
    "wahrscheinlich_geeignet": tr("wahrscheinlich geeignet"),
    "wahrscheinlich_ungeeignet": tr("eher ungeeignet; die Einteilung kann sich noch ändern"),
    "sehr_wahrscheinlich_ungeeignet": tr(
        "sehr wahrscheinlich ungeeignet; die Einteilung wird noch geprüft"
    ),
}
#: decentral options an owner may choose, in the order the fact sheet names them
DECENTRAL = ("air_hp", "ground_hp", "biomass")


def _pair(key: str) -> Texts:
    return HEADINGS[key]


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
        text = (
            _same(str(year))
            if year != data.target_year
            else tr("{year} (Zieljahr)", year=str(year))
        )
        rows.append(
            {
                "year": year,
                "label": text,
                "area_type": code_texts(kind),
                "likelihood": code_texts(grade),
                "code": kind,
                "grade": grade,
            }
        )
    return rows


def _number(value: Any) -> Texts | None:
    """A released figure, rounded to whole units, in each language's notation (None if
    missing)."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if pd.isna(number):
        return None
    return _each(lambda lang: format_number(float(number), 0, lang))


def _date(value: Any) -> Texts:
    """An ISO date (``2027-03-01``) in each language's notation; the text as it is otherwise."""
    text = str(value or "")[:10]
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return _same(text)
    return _each(lambda lang: format_date(day, lang))


def _area_name(area: pd.Series | None, area_id: str) -> Texts:
    """The area's name; the generated German name ``Gebiet A03 (street)`` is translated."""
    name = str(area.get("name") or "") if area is not None else ""
    if not area_id:
        return _same(name)
    generated = tr("Gebiet {area_id}", area_id=area_id)
    if not name or name.startswith(generated["de"]):
        rest = name.removeprefix(generated["de"])
        return {lang: text + rest for lang, text in generated.items()}
    return _same(name)


def _summary(place: pd.Series, area: pd.Series | None, year: dict[str, Any]) -> Texts:
    """Where the place is and what the plan says for it in the selected year."""
    area_id = str(area.get(col.AREA_ID)) if area is not None else ""
    where = str(place["label"])
    if area is None or not year["code"]:
        return tr("Für {place} liegt keine Gebietseinteilung vor.", place=where)
    values: dict[str, Value] = {
        "name": _area_name(area, area_id),
        "year": year["label"],
        "area_type": year["area_type"],
        "grade": GRADE_WORDS.get(year["grade"], _same("–")),
    }
    if place["kind"] == "area":
        return tr(
            "{name} ist im Jahr {year} voraussichtlich ein {area_type}. "
            "Die Planung hält das für {grade}.",
            **values,
        )
    return tr(
        "{place} liegt im {name}. Es ist im Jahr {year} voraussichtlich ein {area_type}. "
        "Die Planung hält das für {grade}.",
        place=where,
        **values,
    )


def _measures_of(data: PublicData, area_id: str) -> list[dict[str, Any]]:
    return [m for m in data.measures if area_id and area_id in area_ids_of(m)]


def _status(code: str) -> Texts:
    """A measure's status in words (the code itself when the vocabulary lacks it)."""
    try:
        return _each(lambda lang: label("measure_status", code, lang))
    except MissingLabel:
        return _same(code)


def _measure_items(measures: list[dict[str, Any]]) -> list[Texts]:
    """The public measures of the area: title, status and planned completion in words."""
    out = []
    for measure in measures:
        title = str(measure.get("title"))
        status = _status(str(measure.get("status") or ""))
        end = measure.get("completion_date")
        out.append(
            tr(
                "{title} ({status}, Abschluss geplant {date})",
                title=title,
                status=status,
                date=_date(end),
            )
            if end
            else {lang: f"{title} ({status[lang]})" for lang in LANGUAGES}
        )
    return out


def _either(codes: tuple[str, ...]) -> Texts:
    """The labels of ``codes`` as a list ending in 'or': ``A, B oder C``."""
    names = [code_texts(c) for c in codes]
    if len(names) < 2:
        return names[0] if names else _same("")
    head = _each(lambda lang: ", ".join(n[lang] for n in names[:-1]))
    return tr("{options} oder {last}", options=head, last=names[-1])


def _expectation(years: list[dict[str, Any]], chosen: dict[str, Any]) -> Texts:
    """What a house owner can expect: a network or not (from when), the options by name."""
    network_years = [y["year"] for y in years if y["code"] in NETWORK_TYPES]
    options = _either(DECENTRAL)
    if chosen["code"] in NETWORK_TYPES:
        return tr(
            "Ein Wärmenetz ist hier ab etwa {year} vorgesehen. Bis dahin kann Ihre Heizung "
            "bleiben, wie sie ist; vor einem Heizungstausch lohnt eine Anfrage beim "
            "Netzbetreiber. Ohne Anschluss kommen auch in Frage: {options}.",
            year=str(network_years[0]),
            options=options,
        )
    text = tr(
        "Bis {year} ist hier kein Wärmenetz vorgesehen: die Wärme wird im Gebäude selbst "
        "erzeugt, zum Beispiel mit {options}. Ein Wechsel ist möglich, sobald die alte Heizung "
        "ersetzt werden muss.",
        year=str(chosen["year"]),
        options=options,
    )
    later = [y for y in network_years if y > chosen["year"]]
    if later:
        more = tr("Ab etwa {year} ist ein Wärmenetz vorgesehen.", year=str(later[0]))
        text = _each(lambda lang: f"{text[lang]} {more[lang]}")
    return text


def plain_reason(area: pd.Series | None) -> Texts:
    """Why, from the area's released figures: buildings, heat density, full costs."""
    if area is None:
        return tr("Für diesen Ort liegt keine Gebietseinteilung vor.")
    buildings = _number(area.get("buildings"))
    density = _number(area.get(col.HEAT_DENSITY_MWH_PER_HA_A))
    parts: list[Texts] = []
    if buildings:
        parts.append(tr("Im Gebiet stehen {buildings} Gebäude.", buildings=buildings))
    if density:
        klass = code_texts(area.get("heat_density_class"))
        parts.append(
            tr(
                "Sie brauchen zusammen {density} MWh Wärme je Hektar und Jahr ({density_class}).",
                density=density,
                density_class=klass,
            )
            if klass["de"] != "–"
            else tr(
                "Sie brauchen zusammen {density} MWh Wärme je Hektar und Jahr.", density=density
            )
        )
    network = _number(area.get("network_lcoh_eur_per_mwh"))
    decentral = _number(area.get("decentral_lcoh_eur_per_mwh"))
    best = str(area.get("best_decentral") or "")
    if network and decentral and best in OPTIONS:
        parts.append(
            tr(
                "Über die Lebensdauer gerechnet kostet Wärme hier etwa {network} € je "
                "Megawattstunde aus einem Wärmenetz und {decentral} € mit der günstigsten "
                "Heizung im Haus ({option}).",
                network=network,
                decentral=decentral,
                option=code_texts(best),
            )
        )
    if not parts:
        return dict(SUPPRESSED_NOTE)
    return _each(lambda lang: " ".join(p[lang] for p in parts))


def _group(data: PublicData, area_id: str, use: Any, age: Any) -> tuple[pd.Series | None, Texts]:
    """The released cost medians of the narrowest group of buildings like this place."""
    table = data.option_costs
    wanted = {col.AREA_ID: str(area_id), col.USE: str(use), "age_class": str(age)}
    for scope, words in SCOPES.items():
        rows = table[table["scope"] == scope]
        for column in SCOPE_KEYS[scope]:
            rows = rows[rows[column].astype(str) == wanted[column]]
        if len(rows):
            return rows.iloc[0], words
    return None, _same("")


def _unpriced() -> Texts:
    """Why an option has no cost: one sentence per option without German market prices."""
    notes = [
        tr(
            "{option}: ohne Kostenangabe, die Kostenquelle hat dafür keine deutschen Marktpreise",
            option=code_texts(key),
        )
        for key in UNPRICED_OPTIONS
    ]
    return _each(lambda lang: "".join(f" {n[lang]}." for n in notes))


def _group_options(group: pd.Series, scope: Texts) -> dict[str, Any]:
    """The released cost medians of the place's group, one row per priced option."""
    rows = [
        {
            "option": key,
            "label": code_texts(key),
            "cost_eur_per_mwh": round(float(group[key])),
        }
        for key in OPTIONS
        if key in group.index and pd.notna(group.get(key))
    ]
    buildings = int(group["buildings"])
    note = tr(
        "Vollkosten in € je MWh Wärme über die Lebensdauer: Median über {buildings} Gebäude "
        "mit gerechnetem Kostenvergleich ({scope}).{unpriced}",
        buildings=_each(lambda lang: format_number(buildings, 0, lang)),
        scope=scope,
        unpriced=_unpriced(),
    )
    return {"rows": rows, "note": note}


def _options(data: PublicData, area: pd.Series | None, place: pd.Series) -> dict[str, Any]:
    area_id = str(place.get(col.AREA_ID))
    group, scope = _group(data, area_id, place.get(col.USE), place.get("age_class"))
    if group is not None:
        return _group_options(group, scope)
    out = []
    for key, column in (
        ("network", "network_lcoh_eur_per_mwh"),
        ("best_decentral", "decentral_lcoh_eur_per_mwh"),
    ):
        value = pd.to_numeric(
            pd.Series([area.get(column) if area is not None else None]), errors="coerce"
        ).iloc[0]
        if pd.notna(value):
            best = str(area.get("best_decentral")) if area is not None else ""
            text = (
                code_texts("network")
                if key == "network"
                else tr("Beste dezentrale Option ({option})", option=code_texts(best))
            )
            out.append({"option": key, "label": text, "cost_eur_per_mwh": round(float(value))})
    note = AREA_NOTE if out else SUPPRESSED_NOTE
    return {"rows": out, "note": dict(note)}


def _funding(network: bool) -> list[Texts]:
    table = funding()
    out = []
    for row in table.itertuples(index=False):
        text = FUNDING_TEXT.get(str(row.measure))
        if text is None or str(row.parameter) not in ("funding_share", "max_funding_share"):
            continue
        if str(row.programme) == "BEW" and not network:
            continue
        share = float(str(row.value))
        name = PROGRAMME.get(str(row.programme), str(row.programme))
        out.append(
            {lang: f"{name}: {text[lang]}: {format_percent(share, 0, lang)}" for lang in LANGUAGES}
        )
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
