"""The customer PDF of a quarter study (German): tenant power (Mieterstrom against § 42b), heat
options with their price risk, the warm rent of the rent-controlled flats, tariffs with sources.

Built from the study's public summary only (never the per-apartment table): every figure is a
quarter total or a distribution the privacy rule allows (:mod:`heatplan.quarter.privacy`), and it
is formatted from the summary with :func:`heatplan.report.fmt.number`, as in the JSON.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.i18n import label, unit_of
from heatplan.quarter.privacy import MIN_APARTMENTS
from heatplan.report.fmt import DASH, Table, number, percent
from heatplan.site.report import assumptions_table, spread_chart

FILES = ("quarter_tariffs.csv", "quarter_costs.csv", "quarter_rent_rules.csv")
#: The rows of energy_prices.csv the quarter study uses, and the price risk parameters.
EXTRA_ROWS = {
    "energy_prices.csv": (
        "natural_gas_multifamily_eur_per_mwh",
        "electricity_heat_pump_eur_per_mwh",
    ),
    "price_risk_parameters.csv": None,
}
CONCEPTS = ("mieterstrom", "shared_supply")
CONCEPT_ROWS = (
    ("participants", 0),
    ("tenant_pv_kwh_per_a", 0),
    ("feed_in_kwh_per_a", 0),
    ("self_consumption", 1),
    ("self_sufficiency", 1),
    ("operator_revenue_eur_per_a", 0),
    ("operator_cost_eur_per_a", 0),
    ("operator_net_eur_per_a", 0),
    ("tenant_saving_eur_per_a", 0),
)


def _value(code: str, value: Any, digits: int) -> str:
    return (
        percent(value, digits) if unit_of("tenant_concept", code) == "%" else number(value, digits)
    )


def tenant_power_table(summary: dict[str, Any]) -> Table:
    """Mieterstrom against the shared building supply, quarter figures side by side."""
    power = summary["tenant_power"]
    rows = []
    for code, digits in CONCEPT_ROWS:
        unit = unit_of("tenant_concept", code)
        rows.append(
            [
                label("tenant_concept", code),
                *(_value(code, power[c][code], digits) for c in CONCEPTS),
                "" if unit == "%" else unit,
            ]
        )
    for key in ("mean", "median"):
        cells = []
        for c in CONCEPTS:
            d = power[c]["saving_per_participant_eur_per_a"]
            cells.append(DASH if d is None or key not in d else number(d[key]))
        rows.append([label("tenant_concept", f"saving_{key}"), *cells, "€/a"])
    return Table(
        ["Kennzahl", *(label("tenant_concept", c) for c in CONCEPTS), "Einheit"],
        rows,
        [False, True, True, False],
    )


def heat_table(summary: dict[str, Any]) -> Table:
    """The heat options: size, investment, annual cost with its price spread, tenant costs."""
    options = summary["heat"]["options"]
    risk = summary.get("price_risk", {}).get("options", {})
    rows = []
    for name, o in options.items():
        r = risk.get(name, {})
        spread = r.get("annual_cost_eur_per_a")
        cheaper = r.get("probability_cheaper_than_today")
        rows.append(
            [
                label("heat_option", name),
                number(o["capacity_kw"]),
                number(o["investment_eur"]),
                number(o["annual_cost_eur_per_a"]),
                DASH if spread is None else f"{number(spread['p10'])} bis {number(spread['p90'])}",
                DASH if cheaper is None else percent(cheaper),
                number(o["tenant_heating_cost_eur_per_a"]),
                number(o["seasonal_performance_factor"], 2),
            ]
        )
    return Table(
        [
            "Wärmeversorgung",
            "Leistung [kW]",
            "Investition [€]",
            "Jährliche Kosten [€/a]",
            "Preisrisiko P10–P90 [€/a]",
            "Günstiger als Gas heute",
            "Heizkosten der Mieter [€/a]",
            "Jahresarbeitszahl",
        ],
        rows,
        [False, True, True, True, True, True, True, True],
    )


def rent_table(summary: dict[str, Any]) -> Table:
    """Warm rent per m² and month of the rent-controlled flats per heat option and its spread."""
    rc = summary["rent_controlled"]
    risk = summary.get("price_risk", {}).get("options", {})
    rows = []
    for name, r in rc["concepts"].items():
        spread = risk.get(name, {}).get("warm_rent_eur_per_m2_month")
        rows.append(
            [
                label("heat_option", name),
                number(r["cold_rent_eur_per_m2_month"], 2),
                number(r["levy_eur_per_m2_month"], 2),
                number(r["heating_eur_per_m2_month"], 2),
                number(r["warm_rent_eur_per_m2_month"], 2),
                DASH
                if spread is None
                else f"{number(spread['p10'], 2)} bis {number(spread['p90'], 2)}",
            ]
        )
    return Table(
        [
            "Wärmeversorgung",
            "Kaltmiete",
            "Modernisierungsumlage",
            "Heiz- und Warmwasserkosten",
            "Warmmiete",
            "Warmmiete P10–P90",
        ],
        rows,
        [False, True, True, True, True, True],
        note="Alle Werte in € je m² Wohnfläche und Monat.",
    )


def car_park_table(summary: dict[str, Any]) -> Table | None:
    """Charging in the car park, uncontrolled against smart (None: no car park or too few cars
    to show)."""
    park = summary.get("car_park")
    if not park:
        return None
    ways = ("uncontrolled", "smart")
    rows = [
        ["Ladeenergie", *(number(park[w]["energy_kwh_per_a"]) for w in ways), "kWh/a"],
        ["davon PV-Strom", *(percent(park[w]["pv_share"], 1) for w in ways), ""],
        ["Spitzenlast", *(number(park[w]["peak_kw"], 1) for w in ways), "kW"],
        ["Stromkosten", *(number(park[w]["electricity_cost_eur_per_a"]) for w in ways), "€/a"],
        [
            "Kosten je kWh mit Ladepunkten (brutto)",
            *(number(park[w]["cost_eur_per_kwh_incl_vat"], 3) for w in ways),
            "€/kWh",
        ],
    ]
    return Table(
        ["Kennzahl", "Ungesteuertes Laden", "Gesteuertes Laden", "Einheit"],
        rows,
        [False, True, True, False],
        caption=(
            f"{number(park['cars'])} Autos an Ladepunkten mit {number(park['charger_kw'], 0)} kW; "
            f"Investition in die Ladepunkte {number(park['charge_points_investment_eur'])} €"
        ),
    )


def saving_lines(summary: dict[str, Any]) -> list[str]:
    """The tenant-electricity saving of the rent-controlled flats (group means only)."""
    lines = []
    for concept, d in summary["rent_controlled"]["electricity_saving_eur_per_m2_month"].items():
        text = (
            f"nicht ausgewiesen (weniger als {MIN_APARTMENTS} Wohnungen in der Gruppe oder im Rest)"
            if d is None
            else f"{number(d['mean'], 2)} € je m² und Monat im Mittel über "
            f"{number(d['apartments'])} Wohnungen"
        )
        lines.append(f"{label('tenant_concept', concept)}: {text}")
    return lines


def rent_chart(summary: dict[str, Any]) -> str:
    """Stacked warm rent per heat option [€/(m² month)]."""
    from heatplan.report import charts

    concepts = summary["rent_controlled"]["concepts"]
    frame = pd.DataFrame(
        {
            "cold": [r["cold_rent_eur_per_m2_month"] for r in concepts.values()],
            "levy": [r["levy_eur_per_m2_month"] for r in concepts.values()],
            "heating": [r["heating_eur_per_m2_month"] for r in concepts.values()],
        },
        index=["\n".join(textwrap.wrap(label("heat_option", name), 22)) for name in concepts],
    )
    names = {"cold": "Kaltmiete", "levy": "Modernisierungsumlage", "heating": "Heizkosten"}
    return charts.stacked(
        frame, unit="€/(m² Monat)", title="Warmmiete der preisgebundenen Wohnungen", labels=names
    )


def data_basis(file: Path) -> list[str]:
    """What the quarter study rests on, from the quarter file (German)."""
    with file.open("rb") as handle:
        data = tomllib.load(handle)
    per_apartment = data.get("electricity", {}).get("annual_kwh_per_apartment")
    lines = [
        "Stromverbrauch der Wohnungen: "
        + (
            f"BDEW-Standardlastprofil H0 (demandlib), {number(per_apartment)} kWh je Wohnung "
            "und Jahr – keine Messdaten"
            if per_apartment is not None
            else "Zählerdaten je Wohnung (nur intern ausgewertet, nicht in diesem Bericht)"
        ),
        "Wärmebedarf: Angaben je Gebäude, Verlauf nach dem BDEW/SigLinDe-Profil für "
        "Mehrfamilienhäuser; PV-Ertrag und Außentemperatur: Testreferenzjahr des Deutschen "
        "Wetterdienstes",
        *(
            [
                f"Laden im Parkhaus: {number(park.get('cars'))} Autos der Bewohner, Ankunft ab "
                f"{park.get('arrive', '–')} Uhr"
                + (f" (spätestens {park['arrive_latest']} Uhr)" if "arrive_latest" in park else "")
                + f", Abfahrt {park.get('depart', '–')} Uhr; "
                "Fahrleistung und Verbrauch nach veröffentlichten Mittelwerten"
            ]
            if (park := data.get("car_park"))
            else []
        ),
        "Tarife, Kosten und Mietrecht: veröffentlichte Werte und Annahmen mit Quelle "
        "(Abschnitt „Tarife und Annahmen“); ein Beispiel ist aus veröffentlichten Kennzahlen und "
        "Standardlastprofilen erstellt",
    ]
    return lines


def assumptions(car_park: bool = False) -> Table:
    """The quarter's tariff, cost and rent rows and the used rows of the other tables (with a
    car park the business tariff its charging pays, site_tariffs.csv)."""
    table = assumptions_table(FILES, "Tarife, Kosten und Mietrecht")
    for file, names in EXTRA_ROWS.items():
        table.rows += assumptions_table((file,), "", only=names).rows
    if car_park:
        table.rows += assumptions_table(("site_tariffs.csv",), "", frozenset({"ev"})).rows
    return table


def context(summary: dict[str, Any], basis: list[str]) -> dict[str, Any]:
    """Everything the template ``quarter_study.html`` shows (public summary only)."""
    from heatplan import __version__

    power = summary["tenant_power"]
    facts = Table(
        ["Kennzahl", "Wert", "Einheit"],
        [
            ["Gebäude", number(summary["buildings"]), ""],
            ["Wohnungen", number(summary["apartments"]), ""],
            ["Wohnfläche", number(summary["living_area_m2"]), "m²"],
            ["Photovoltaik", number(power["pv_kwp"], 1), "kWp"],
            ["PV-Erzeugung", number(power["pv_kwh_per_a"]), "kWh/a"],
            ["Stromverbrauch der Wohnungen", number(power["electricity_kwh_per_a"]), "kWh/a"],
            ["Wärmebedarf", number(summary["heat"]["demand_kwh_per_a"]), "kWh/a"],
            [
                "PV-Strom im Quartier genutzt (Mieter und Wärmepumpe)",
                percent(summary["pv_self_consumption_with_heat_pump"], 1),
                "",
            ],
        ],
        [False, True, False],
    )
    risk = summary.get("price_risk")
    return {
        "cover": {
            "title": "Konzeptstudie",
            "subtitle": "Energieversorgung des Wohnquartiers",
            "name": summary["quarter"],
            "created": dt.date.today().strftime("%d.%m.%Y"),
            "version": __version__,
            "basis": basis,
        },
        "min_apartments": MIN_APARTMENTS,
        "facts": facts,
        "tenant_power": tenant_power_table(summary),
        "shared_key": label("shared_key", summary["tenant_power"]["shared_key"]),
        "heat": heat_table(summary),
        "rents": rent_table(summary),
        "rent_apartments": number(summary["rent_controlled"]["apartments"]),
        "savings": saving_lines(summary),
        "rent_chart": rent_chart(summary),
        "car_park": car_park_table(summary),
        "car_park_missing": "car_park" in summary and not summary["car_park"],
        "risk_chart": (
            spread_chart(
                [
                    (label("heat_option", name), o["annual_cost_eur_per_a"])
                    for name, o in risk["options"].items()
                ],
                unit="€/a",
                title="Preisrisiko der jährlichen Kosten",
            )
            if risk
            else ""
        ),
        "risk_samples": number(risk["samples"]) if risk else DASH,
        "assumptions": assumptions(bool(summary.get("car_park"))),
    }


def quarter_pdf(summary: dict[str, Any], basis: list[str], path: Path) -> int:
    """Write the customer PDF of a quarter study to ``path``; returns its number of pages."""
    from heatplan.report.render import render_html, write_pdf

    html = render_html("quarter_study.html", context(summary, basis))
    return write_pdf(html, path, base_url=path.parent)
