"""From the WPG § 18 (1) criteria to area types and likelihood grades, with the reason spelled out.

Pure functions of one area's figures (:class:`AreaFigures`); weights and thresholds are data
(``classification_parameters.csv``, overridable per project in ``[classify]`` of heatplan.toml
and passed in as ``params``). The four criteria of § 18 (1) enter explicitly:

- full cost over the lifetime: relative advantage of the network's LCOH over the best decentral
  option, ``(decentral - network) / decentral``;
- cumulative GHG to the target year: ``(decentral - network) / max(network, decentral)``;
- supply security: the share of the peak load the network's generation covers with its largest
  unit out (N-1, capped at 1) minus the decentral option's score (one generator per building);
- realisation risk: a new network is one grade less likely in the first snapshot year, and an
  area where too many demands are unknown is a Prüfgebiet.

The first three are weighted into one score (:func:`score`) on the scale of the cost advantage;
a criterion that cannot be computed counts as neutral and the reason says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from heatplan.classify import uncertainty
from heatplan.formats import german
from heatplan.i18n import labels_of
from heatplan.reference import parameter

PARAMETERS = "classification_parameters.csv"
GRADES = (
    "sehr_wahrscheinlich_geeignet",
    "wahrscheinlich_geeignet",
    "wahrscheinlich_ungeeignet",
    "sehr_wahrscheinlich_ungeeignet",
)
#: Area types (WPG § 18, XWärmeplan versorgungsart) in the order of the law.
TYPES = (
    "waermenetz_verdichtung",
    "waermenetz_ausbau",
    "waermenetz_neubau",
    "wasserstoffnetz",
    "dezentral",
    "pruefgebiet",
)
DECENTRAL_OPTIONS = ("air_hp", "ground_hp", "biomass")
COST_PERSPECTIVES = ("owner", "economic")
# German and English labels from the one vocabulary, data/labels.csv (heatplan.i18n)
GRADE_DE = labels_of("grade", GRADES, "de")
GRADE_EN = labels_of("grade", GRADES, "en")
TYPE_DE = labels_of("area_type", TYPES, "de")
TYPE_EN = labels_of("area_type", TYPES, "en")
OPTION_DE = labels_of("decentral_option", DECENTRAL_OPTIONS, "de")
OPTION_EN = labels_of("decentral_option", DECENTRAL_OPTIONS, "en")
#: The perspective of a full-cost comparison in the reason (German, English), by its name.
PERSPECTIVE_DE = labels_of("cost_perspective", COST_PERSPECTIVES, "de")
PERSPECTIVE_EN = labels_of("cost_perspective", COST_PERSPECTIVES, "en")


@dataclass(frozen=True)
class AreaFigures:
    """What the decision of one area rests on (money in EUR/MWh, distances in m)."""

    area_id: str
    shortened: bool
    shortened_reason: str
    network_lcoh_eur_per_mwh: float
    decentral_lcoh_eur_per_mwh: float
    best_decentral: str
    line_density_kwh_per_m_a: float
    heat_network_in_area_m: float
    distance_to_heat_network_m: float
    unknown_demand_share: float
    ghg_network_t: float
    ghg_decentral_t: float
    nearby_potential: str = ""
    buildings_with_demand: int = 0
    network_n1_coverage: float = math.nan
    #: Share of the Monte Carlo's cost and price paths in which the network scores better
    #: (:mod:`heatplan.classify.uncertainty`); NaN: not computed (grades from the score).
    network_better_probability: float = math.nan
    paths: int = 0
    #: The uncertain inputs the probability depends on most (uncertainty.INPUTS_DE keys).
    drivers: tuple[str, ...] = ()
    #: Whose full cost the figures above are (``owner`` or ``economic``), and the other
    #: perspective's network and decentral full cost [EUR/MWh] (NaN: not computed).
    perspective: str = "owner"
    other_network_lcoh_eur_per_mwh: float = math.nan
    other_decentral_lcoh_eur_per_mwh: float = math.nan
    #: Share of the network's BEW funding left by the cap at the funding gap (BEW Nr. 5): 1 not
    #: capped, between 0 and 1 cut so the heat price equals the decentral full cost, 0 none
    #: because the network is cheaper without it.
    funding_gap_factor: float = 1.0
    #: ``shortened_reason`` in English (the areas' ``eignung_reason_en``, heatplan.areas.eignung).
    shortened_reason_en: str = ""


Params = Mapping[str, float] | None


def weight(name: str, params: Params = None) -> float:
    """A classification parameter: the project's override, else classification_parameters.csv."""
    if params and name in params:
        return float(params[name])
    return parameter(PARAMETERS, name)


def grade(advantage: float, params: Params = None) -> str:
    """Likelihood grade from a weighted relative advantage (:func:`score`) of an option."""
    if math.isnan(advantage):
        return GRADES[2]
    if advantage > weight("advantage_very_likely", params):
        return GRADES[0]
    if advantage >= weight("advantage_likely", params):
        return GRADES[1]
    if advantage >= -weight("advantage_very_likely", params):
        return GRADES[2]
    return GRADES[3]


def probability_grade(probability: float) -> str:
    """Grade from the probability that the option scores better (IPCC likelihood bands).

    >= very likely: very likely suitable; >= likely: likely; the band 'about as likely as not'
    (unlikely .. likely) splits at 50 %; <= very unlikely: very likely unsuitable.
    """
    p = uncertainty.parameters()
    if probability >= p["probability_very_likely"]:
        return GRADES[0]
    if probability >= p["probability_likely"]:
        return GRADES[1]
    if probability > p["probability_unlikely"]:
        return GRADES[1] if probability >= 0.5 else GRADES[2]
    if probability > p["probability_very_unlikely"]:
        return GRADES[2]
    return GRADES[3]


def _has_probability(figures: AreaFigures) -> bool:
    return not math.isnan(figures.network_better_probability)


def undecided(figures: AreaFigures, params: Params = None) -> bool:
    """Neither option clearly better: a Prüfgebiet (probability band, else the score band)."""
    if _has_probability(figures):
        p = uncertainty.parameters()
        chance = figures.network_better_probability
        return p["probability_unlikely"] < chance < p["probability_likely"]
    return abs(score(figures, params)) <= weight("pruef_band", params)


def step_down(value: str, steps: int = 1) -> str:
    """A grade ``steps`` less likely (never below the last)."""
    return GRADES[min(GRADES.index(value) + steps, len(GRADES) - 1)]


def network_possible(figures: AreaFigures, params: Params = None) -> bool:
    """Whether the area has a network option at all (enough buildings, a routed network)."""
    enough = figures.buildings_with_demand >= weight("min_network_buildings", params)
    return enough and not math.isnan(figures.network_lcoh_eur_per_mwh)


def advantage(figures: AreaFigures, params: Params = None) -> float:
    """Relative full-cost advantage of the network over the best decentral option [-]."""
    decentral = figures.decentral_lcoh_eur_per_mwh
    if not decentral or math.isnan(decentral) or not network_possible(figures, params):
        return math.nan
    return (decentral - figures.network_lcoh_eur_per_mwh) / decentral


def ghg_advantage(figures: AreaFigures) -> float:
    """Relative advantage of the network in cumulative GHG to the target year [-1..1]."""
    network, decentral = figures.ghg_network_t, figures.ghg_decentral_t
    larger = max(network, decentral)
    if math.isnan(network) or math.isnan(decentral) or larger <= 0:
        return math.nan
    return (decentral - network) / larger


def security_advantage(figures: AreaFigures, params: Params = None) -> float:
    """Network supply security (N-1 coverage, capped at 1) minus the decentral score [-]."""
    coverage = figures.network_n1_coverage
    if math.isnan(coverage):
        return math.nan
    return min(max(coverage, 0.0), 1.0) - weight("decentral_supply_security", params)


def criteria(figures: AreaFigures, params: Params = None) -> dict[str, float]:
    """The network's advantage per WPG § 18 (1) criterion (NaN: not computable) [-]."""
    return {
        "cost": advantage(figures, params),
        "ghg": ghg_advantage(figures),
        "supply_security": security_advantage(figures, params),
    }


def score(figures: AreaFigures, params: Params = None) -> float:
    """Weighted advantage of the network over decentral supply [-] (NaN without a cost).

    ``weight_cost * cost + weight_ghg * ghg + weight_supply_security * security``; a criterion
    that cannot be computed counts as 0 (neutral).
    """
    parts = criteria(figures, params)
    if math.isnan(parts["cost"]):
        return math.nan
    return weighted(parts, params)


def weighted(parts: Mapping[str, float], params: Params = None) -> float:
    """Sum of ``weight_<criterion> x advantage`` over ``parts``; NaN counts as 0 (neutral)."""
    return sum(
        weight(f"weight_{name}", params) * (0.0 if math.isnan(value) else value)
        for name, value in parts.items()
    )


def network_grade(figures: AreaFigures, params: Params = None) -> str:
    """Grade of a heat network in the target year.

    From the probability of the Monte Carlo where there is one: it compares the network laid
    out on the same streets the line density is measured on, so the line density counts once,
    in its cost. Without it (no network costed), the score's grade, one less where the line
    density stays below the guide.
    """
    if figures.shortened or not network_possible(figures, params):
        return GRADES[3]
    if _has_probability(figures):
        return probability_grade(figures.network_better_probability)
    value = grade(score(figures, params), params)
    density = figures.line_density_kwh_per_m_a
    if math.isnan(density) or density < weight("line_density_guide_kwh_per_m_a", params):
        value = step_down(value)
    return value


def network_subtype(figures: AreaFigures, params: Params = None) -> str:
    if figures.heat_network_in_area_m > 0:
        return "waermenetz_verdichtung"
    if figures.distance_to_heat_network_m <= weight("extension_distance_m", params):
        return "waermenetz_ausbau"
    return "waermenetz_neubau"


def area_type(figures: AreaFigures, params: Params = None) -> str:
    """The expected supply type in the target year."""
    if figures.shortened or _no_demand(figures):
        return "dezentral"
    if figures.unknown_demand_share > weight("max_unknown_demand_share", params):
        return "pruefgebiet"
    if math.isnan(figures.decentral_lcoh_eur_per_mwh):
        return "pruefgebiet"
    if not network_possible(figures, params):
        return "dezentral"
    if undecided(figures, params):
        return "pruefgebiet"
    if network_grade(figures, params) in GRADES[:2]:
        return network_subtype(figures, params)
    return "dezentral"


def yearly(figures: AreaFigures, years: list[int], params: Params = None) -> dict[str, str]:
    """``area_type_<year>`` and ``likelihood_<year>`` for the snapshot years and target year.

    A new network cannot be built everywhere at once: in the first snapshot year its
    likelihood is one grade lower (realisation risk, WPG § 18 (1) Nr. 2).
    """
    kind = area_type(figures, params)
    base = _likelihood(figures, kind, params)
    out: dict[str, str] = {}
    for number, year in enumerate(sorted(years)):
        first_year_risk = kind == "waermenetz_neubau" and number == 0
        out[f"area_type_{year}"] = kind
        out[f"likelihood_{year}"] = step_down(base) if first_year_risk else base
    return out


def _likelihood(figures: AreaFigures, kind: str, params: Params = None) -> str:
    if kind.startswith("waermenetz"):
        return network_grade(figures, params)
    if kind == "dezentral":
        return _decentral_grade(figures, params)
    return GRADES[1]  # Prüfgebiet: either supply may suit; the review decides


def _no_demand(figures: AreaFigures) -> bool:
    """An area without heated buildings (and none of unknown demand) needs no supply."""
    return figures.buildings_with_demand == 0 and figures.unknown_demand_share == 0


def _decentral_grade(figures: AreaFigures, params: Params = None) -> str:
    if figures.shortened or not network_possible(figures, params):
        return GRADES[0]
    if _has_probability(figures):
        return probability_grade(1.0 - figures.network_better_probability)
    return grade(-score(figures, params), params)


def suitability(figures: AreaFigures, params: Params = None) -> dict[str, str]:
    """The three grades the XWärmeplan target-year area needs (network, hydrogen, decentral)."""
    decentral = _decentral_grade(figures, params)
    return {
        "eignung_waermenetz": network_grade(figures, params),
        # no hydrogen supply is planned for the building sector by default (see explanation)
        "eignung_wasserstoff": GRADES[3],
        "eignung_dezentral": decentral,
    }


def _number(value: float, spec: str) -> str:
    """A number for the reason text; '-' where it is unknown (no network option, no data)."""
    return "-" if value is None or math.isnan(value) else format(value, spec)


def _zahl(value: float, spec: str) -> str:
    """:func:`_number` in German notation (1.234,5)."""
    return german(_number(value, spec))


def _security_text(figures: AreaFigures) -> tuple[str, str]:
    coverage = figures.network_n1_coverage
    if math.isnan(coverage):
        return "Versorgungssicherheit (n-1): -", "supply security N-1 -"
    share = f"{min(coverage, 9.99) * 100:.0f} %"
    return (
        f"Versorgungssicherheit (n-1): {share} der Spitzenlast",
        f"supply security N-1 {share} of peak load",
    )


def explanation(
    figures: AreaFigures, kind: str, likelihood: str, params: Params = None
) -> tuple[str, str]:
    """The reason in plain German and English."""
    if _no_demand(figures):
        return (
            f"Keine beheizten Gebäude im Gebiet. Ergebnis: {TYPE_DE[kind]}, "
            f"{GRADE_DE[likelihood]}.",
            f"No heated buildings in the area -> {TYPE_EN[kind]}, {GRADE_EN[likelihood]}",
        )
    if figures.shortened:
        de = (
            f"Verkürzte Untersuchung nach § 14 WPG ({figures.shortened_reason}). "
            f"Ergebnis: {TYPE_DE[kind]}, {GRADE_DE[likelihood]}."
        )
        reason_en = f" ({figures.shortened_reason_en})" if figures.shortened_reason_en else ""
        en = (
            f"Shortened procedure under WPG § 14{reason_en} -> "
            f"{TYPE_EN[kind]}, {GRADE_EN[likelihood]}"
        )
        return de, en
    density = _number(figures.line_density_kwh_per_m_a / 1000.0, ".1f")
    costs = (
        f"{_number(figures.network_lcoh_eur_per_mwh, '.0f')} vs "
        f"{_number(figures.decentral_lcoh_eur_per_mwh, '.0f')} EUR/MWh"
    )
    ghg_network = _number(figures.ghg_network_t, ",.0f")
    ghg = f"{ghg_network} vs {_number(figures.ghg_decentral_t, ',.0f')} t CO2e"
    security_de, security_en = _security_text(figures)
    weighted = _number(round(score(figures, params), 2) + 0.0, "+.2f")  # no "-0.00"
    potential = f", {figures.nearby_potential}" if figures.nearby_potential else ""
    potential_de = f" {figures.nearby_potential}." if figures.nearby_potential else ""
    chance_de, chance_en = _chance_text(figures)
    other_de, other_en = _other_perspective_text(figures)
    option_de = OPTION_DE.get(figures.best_decentral, figures.best_decentral)
    de = (
        f"Wärmeliniendichte {german(density)} MWh/(m·a). Vollkosten: Wärmenetz "
        f"{_zahl(figures.network_lcoh_eur_per_mwh, '.0f')} EUR/MWh, dezentral "
        f"{_zahl(figures.decentral_lcoh_eur_per_mwh, '.0f')} EUR/MWh ({option_de}){other_de}. "
        f"{_gap_text(figures.funding_gap_factor)[0]}"
        f"Treibhausgase bis zum Zieljahr: Wärmenetz {_zahl(figures.ghg_network_t, ',.0f')} t, "
        f"dezentral {_zahl(figures.ghg_decentral_t, ',.0f')} t CO2e. {security_de}. "
        f"Gewichtete Bewertung nach § 18 WPG (von -1 dezentral bis +1 Wärmenetz): "
        f"{german(weighted)}.{chance_de}{potential_de} "
        f"Ergebnis: {TYPE_DE[kind]}, {GRADE_DE[likelihood]}."
    )
    en = (
        f"line density {density} MWh/(m·a), full cost network {costs} decentral "
        f"({OPTION_EN.get(figures.best_decentral, figures.best_decentral)}){other_en}, "
        f"{_gap_text(figures.funding_gap_factor)[1]}"
        f"GHG to the target year {ghg}, {security_en}, § 18 score {weighted}{chance_en}"
        f"{potential} -> {TYPE_EN[kind]}, {GRADE_EN[likelihood]}"
    )
    return de, en


def _gap_text(factor: float) -> tuple[str, str]:
    """Why the network's full cost equals the alternative's (BEW cut at the funding gap) or
    carries no BEW at all (no gap); '' when the funding was not cut."""
    if not factor < 1.0:
        return "", ""
    if factor <= 0.0:
        return (
            "Keine BEW-Förderung: das Wärmenetz ist ohne Förderung günstiger als die dezentrale "
            "Alternative (keine Wirtschaftlichkeitslücke, BEW Nr. 5). ",
            "no BEW funding (no funding gap: the network is cheaper without it), ",
        )
    return (
        "Die BEW-Förderung ist auf die Wirtschaftlichkeitslücke begrenzt (BEW Nr. 5): der "
        "Wärmepreis des Netzes erreicht die Vollkosten der dezentralen Alternative. ",
        "BEW funding capped at the funding gap (heat price = decentral full cost), ",
    )


def _cheaper(network: float, decentral: float) -> str:
    """Which full cost is lower ('network', 'decentral'; '' when one is unknown)."""
    if math.isnan(network) or math.isnan(decentral):
        return ""
    return "network" if network < decentral else "decentral"


def _other_perspective_text(figures: AreaFigures) -> tuple[str, str]:
    """' (volkswirtschaftlich: Wärmenetz günstiger, 95 vs 110 EUR/MWh)' where the other
    perspective ranks the two full costs the other way; '' where it agrees or is unknown."""
    other_network = figures.other_network_lcoh_eur_per_mwh
    other_decentral = figures.other_decentral_lcoh_eur_per_mwh
    mine = _cheaper(figures.network_lcoh_eur_per_mwh, figures.decentral_lcoh_eur_per_mwh)
    theirs = _cheaper(other_network, other_decentral)
    if not mine or not theirs or mine == theirs:
        return "", ""
    other = "economic" if figures.perspective == "owner" else "owner"
    costs = f"{other_network:.0f} vs {other_decentral:.0f} EUR/MWh"
    costs_de = f"Wärmenetz {other_network:.0f} EUR/MWh, dezentral {other_decentral:.0f} EUR/MWh"
    winner_de = "Wärmenetz" if theirs == "network" else "dezentral"
    winner_en = "network" if theirs == "network" else "decentral"
    return (
        f" ({PERSPECTIVE_DE[other]}: {winner_de} günstiger, {costs_de})",
        f" ({PERSPECTIVE_EN[other]}: {winner_en} cheaper, {costs})",
    )


def _chance_text(figures: AreaFigures) -> tuple[str, str]:
    """', Wärmenetz besser in 83 % von 1.000 Kosten- und Preispfaden' (German numbers)."""
    if not _has_probability(figures):
        return "", ""
    share = f"{figures.network_better_probability * 100:.0f} %"
    paths_de = german(f"{figures.paths:,}")
    names_de = ", ".join(uncertainty.INPUTS_DE[d] for d in figures.drivers)
    names_en = ", ".join(d.replace("_", " ") for d in figures.drivers)
    return (
        f" Wärmenetz besser in {share} von {paths_de} Kosten- und Preispfaden"
        + (f" (am stärksten abhängig von: {names_de})" if names_de else "")
        + ".",
        f", network better in {share} of {figures.paths:,} cost and price paths"
        + (f" (most sensitive to: {names_en})" if names_en else ""),
    )


def classify(figures: AreaFigures, years: list[int], params: Params = None) -> dict[str, object]:
    """All classification columns of one area."""
    columns: dict[str, object] = dict(yearly(figures, years, params))
    target = max(years)
    kind = str(columns[f"area_type_{target}"])
    columns.update({f"{k}_{target}": v for k, v in suitability(figures, params).items()})
    de, en = explanation(figures, kind, str(columns[f"likelihood_{target}"]), params)
    parts = criteria(figures, params)
    columns.update(
        {
            "criterion_cost": parts["cost"],
            "criterion_ghg": parts["ghg"],
            "criterion_supply_security": parts["supply_security"],
            "criteria_score": score(figures, params),
            "network_n1_coverage": figures.network_n1_coverage,
            "network_better_probability": figures.network_better_probability,
            "network_probability_drivers": ", ".join(
                uncertainty.INPUTS_DE[d] for d in figures.drivers
            ),
            "network_lcoh_eur_per_mwh": figures.network_lcoh_eur_per_mwh,
            "decentral_lcoh_eur_per_mwh": figures.decentral_lcoh_eur_per_mwh,
            "best_decentral": figures.best_decentral,
            "ghg_network_to_target_t": figures.ghg_network_t,
            "ghg_decentral_to_target_t": figures.ghg_decentral_t,
            "explanation": de,
            "explanation_en": en,
        }
    )
    return columns
