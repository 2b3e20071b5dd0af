"""The customer PDF of a site study (German): cover, result table, charts, tariffs with sources,
solver method; rendered with the plan report's machinery (:mod:`heatplan.report.render`,
templates and CSS of ``report/templates``, :mod:`heatplan.report.fmt` numbers, labels of
``data/labels.csv``).

Every figure is formatted from the study's result (the JSON of ``heatplan site study --json``)
with :func:`heatplan.report.fmt.number`, so the PDF and the JSON show the same numbers.
WeasyPrint and matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heatplan.i18n import label, unit_of
from heatplan.report.fmt import DASH, Table, number, percent

TARIFF_FILE = "site_tariffs.csv"
COST_FILE = "site_costs.csv"
RISK_FILE = "price_risk_parameters.csv"
STEPS_PER_H = 4
#: Monday of the second full week of January and of July: the typical weeks of the charts.
WEEK_MONTHS = (1, 7)
#: A series never above this [kW] is left out of a week chart (and its legend).
SHOWN_KW = 1e-3
#: Points drawn of a load duration curve (its first is the peak).
DURATION_POINTS = 600
WEEKDAYS_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
MONTHS_DE = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
#: Units of the data tables in German (the tables keep English notes in brackets).
UNIT_WORDS_DE = {
    "EUR": "€",
    "(net of VAT)": "(netto)",
    "(incl. VAT)": "(brutto)",
    " heat": " Wärme",
    " cold": " Kälte",
    "month": "Monat",
    "Hi": "Hi",
}
#: Citations kept from a data row's source text: laws with §, standards, named publications.
CITATION = re.compile(
    r"(?:§ ?\d+[a-z]?(?: (?:Abs\.|\()\s?\d+\)?)?(?: (?:Nr\.|Satz) \d+)? (?:EnWG|EEG|StromNEV))"
    r"|(?:(?:EEG 2023|EnWG|StromNEV|StromStG|KAV|KWKG|BGB|BEHG|GEG 2024|AVBFernwärmeV|BetrKV|"
    r"HeizkostenV|UStG|MsbG)(?: (?:§|Anlage) ?\d+[a-z]?(?: (?:Abs\. \d+|\(\d+\)))?"
    r"(?: (?:Nr\.|Satz) \d+)?)?)"
    r"|(?:VDI \d+(?:-\d+)? \(\d{4}\)|DIN EN \d+(?:-\d+)?|DVGW Arbeitsblatt [A-Z] \d+ \(\d{4}\))"
    r"|(?:Destatis|Fraunhofer ISE|BDEW-Strompreisanalyse \d{4}|Bundesnetzagentur|"
    r"BNetzA Festlegung BK8-22/010-A|netztransparenz\.de|Danish Energy Agency|KWW Technikkatalog|"
    r"Moritz, Czock & Ruhnau \(2024\)|Dixit & Pindyck \(1994\)|Stromgestehungskosten erneuerbarer "
    r"Energien \([A-Za-z]+ \d{4}\))"
)


#: English month names in citations and their German names.
MONTHS_EN_DE = {
    "January": "Januar", "February": "Februar", "March": "März", "April": "April", "May": "Mai",
    "June": "Juni", "July": "Juli", "August": "August", "September": "September",
    "October": "Oktober", "November": "November", "December": "Dezember",
}  # fmt: skip


def _months_de(text: str) -> str:
    for english, german in MONTHS_EN_DE.items():
        text = re.sub(rf"\b{english}\b", german, text)
    return text


def unit_de(unit: str) -> str:
    """A data table's unit in German notation (``EUR/MWh (net of VAT)`` -> ``€/MWh (netto)``)."""
    text = str(unit)
    for english, german in UNIT_WORDS_DE.items():
        text = text.replace(english, german)
    return "–" if text in ("1", "-") else text


def source_de(source: str, file: str, row: int) -> str:
    """The citations of a data row's source, marked where it is an assumption or unverified,
    and the row it comes from (the full wording stays in the data table)."""
    found = list(dict.fromkeys(_months_de(m.group(0).strip()) for m in CITATION.finditer(source)))
    parts = []
    if "heatplan assumption" in source or "heatplan choice" in source:
        parts.append("Annahme heatplan")
    if found:
        parts.append("; ".join(found))
    if "not verified offline" in source:
        parts.append("offline nicht geprüft")
    parts.append(f"Zeile {row} in {file}")
    return ", ".join(parts)


def assumptions_table(
    files: tuple[str, ...],
    caption: str,
    sections: frozenset[str] | None = None,
    *,
    only: tuple[str, ...] | None = None,
) -> Table:
    """The rows of the data tables ``files`` (those of the site's ``sections`` where given):
    German name, case, value, unit, year, source; ``only``: just these parameters."""
    from heatplan.reference import table

    rows = []
    for file in files:
        frame = table(file, as_text=True)
        year_column = "year" if "year" in frame.columns else "price_year"
        for at, r in enumerate(frame.to_dict("records"), start=2):
            if sections is not None and not shown_row(r["parameter"], sections):
                continue
            if only is not None and r["parameter"] not in only:
                continue
            case = r.get("case", "any") or "any"
            value = float(r["value"])
            digits = (
                0 if value.is_integer() and abs(value) >= 10 else (4 if abs(value) < 0.1 else 2)
            )
            rows.append(
                [
                    parameter_de(r["parameter"]),
                    label("tariff_case", case) if _has("tariff_case", case) else case,
                    number(value, digits),
                    unit_de(r["unit"]),
                    str(r.get(year_column, "") or DASH),
                    source_de(r["source"], file, at),
                ]
            )
    return Table(
        ["Größe", "Fall", "Wert", "Einheit", "Stand", "Quelle"],
        rows,
        [False, False, True, False, False, False],
        caption=caption,
    )


def parameter_de(code: str) -> str:
    """The German name of a data row (labels.csv ``site_parameter`` or ``quarter_parameter``);
    a row without one keeps its code (tests/test_site_report.py asks for a label for each)."""
    for domain in ("site_parameter", "quarter_parameter"):
        if _has(domain, code):
            return label(domain, code)
    return code


def _has(domain: str, code: str) -> bool:
    from heatplan.i18n import MissingLabel

    try:
        label(domain, code)
    except (MissingLabel, KeyError):
        return False
    return True


def _figure_row(code: str, value: Any, digits: int) -> list[str]:
    unit = unit_of("site_figure", code)
    text = percent(value, digits) if unit == "%" else number(value, digits)
    return [label("site_figure", code), text, "" if unit == "%" else unit]


def _spread_text(spread: dict[str, float]) -> str:
    return f"{number(spread['p10'])} bis {number(spread['p90'])}"


def result_table(result: dict[str, Any]) -> Table:
    """The result in one table: sizes (PV and what is built), investment, costs, savings,
    payback, shares, CO2, peaks, price risk (every number as :func:`number` writes the JSON)."""
    rows = [
        [label("site_size", code), number(value, 1), unit_of("site_size", code)]
        for code, value in result["sizes"].items()
        if _has("site_size", code) and (value > 0 or code == "pv_kwp")
    ]
    for code, digits in (
        ("investment_eur", 0),
        ("annual_cost_before_eur_per_a", 0),
        ("annual_cost_after_eur_per_a", 0),
        ("savings_eur_per_a", 0),
        ("simple_payback_a", 1),
        ("self_sufficiency", 1),
        ("self_consumption", 1),
        ("co2_before_t_per_a", 1),
        ("co2_after_t_per_a", 1),
        ("peak_before_kw", 1),
        ("peak_after_kw", 1),
        ("peak_reduction_kw", 1),
    ):
        rows.append(_figure_row(code, result.get(code), digits))
    risk = result.get("price_risk")
    if risk is not None:
        for code, key in (
            ("risk_before", "before_eur_per_a"),
            ("risk_after", "after_eur_per_a"),
            ("risk_savings", "savings_eur_per_a"),
        ):
            rows.append([label("site_figure", code), _spread_text(risk[key]), "€/a"])
        rows.append(_figure_row("probability_saving", risk["probability_saving"], 0))
    return Table(["Kennzahl", "Wert", "Einheit"], rows, [False, True, False])


@dataclass(frozen=True)
class Method:
    """The solver figures of the PDF (German text)."""

    rows: Table
    note: str


def method_table(result: dict[str, Any]) -> Method:
    """Solver, stages, solve time and the distance to the lower bound."""
    s = result["solver"]
    two_stage = "upper_bound_eur_per_a" in s
    total_s = sum(s.get("sizing_solve_time_s", [])) + sum(s["solve_time_s"])
    rows = [
        ["Löser", "HiGHS (lineares Programm), Verfahren: " + _method_de(s["method"])],
        [
            "Vorgehen",
            "zweistufig: Auslegung der Anlagen auf Stundenmitteln, Einsatz in Viertelstunden"
            if two_stage
            else "ein lineares Programm in Viertelstunden",
        ],
        ["Zeitschritte", number(s["steps"])],
        ["Lösungszeit", f"{number(total_s, 1)} s"],
    ]
    if two_stage:
        gap = s.get("gap", s.get("difference"))
        name = (
            "Abstand zur unteren Schranke"
            if s["sizing_is_lower_bound"]
            else "Abweichung von der Auslegungsstufe"
        )
        rows += [
            [name, percent(gap, 2)],
            ["Untere Schranke (Auslegung)", f"{number(s['sizing_objective_eur_per_a'])} €/a"],
            ["Obere Schranke (Einsatz)", f"{number(s['upper_bound_eur_per_a'])} €/a"],
        ]
    else:
        rows.append(["Abstand zur unteren Schranke", percent(s["mip_gap"], 2)])
    note = (
        "Die untere Schranke ist das Optimum der Auslegung auf Stundenmitteln; die obere die "
        "Kosten des Viertelstunden-Einsatzes mit diesen Größen. Das wahre Optimum liegt dazwischen."
        if two_stage
        else ""
    )
    return Method(Table(["Angabe", "Wert"], rows, [False, False]), note)


def _method_de(method: str) -> str:
    return {
        "simplex": "duales Simplexverfahren",
        "simplex-steepest": "duales Simplexverfahren (steilste Kante)",
        "primal": "primales Simplexverfahren",
        "ipm": "Innere-Punkte-Verfahren",
        "ipm-no-crossover": "Innere-Punkte-Verfahren ohne Crossover",
    }.get(method, "automatische Wahl")


@dataclass(frozen=True)
class Basis:
    """What a study rests on (German lines for the cover) and the sections of its site file."""

    lines: list[str]
    sections: frozenset[str]


#: site_costs.csv rows shown for a site file section (by parameter prefix); PV and battery always.
COST_GROUPS = {
    "heat": ("heat_pump_", "heat_sink_", "store_", "boiler_", "network_connection_"),
    "cold": ("chiller_", "cold_"),
    "ev": ("ev_",),
}
#: site_tariffs.csv and price_risk_parameters.csv rows that only matter with a section.
TARIFF_GROUPS = {"heat": ("gas_price_", "network_heat_"), "ev": ("controllable_",)}


def data_basis(file: Path) -> Basis:
    """What the study's loads and weather rest on, from the site file (German)."""
    with file.open("rb") as handle:
        data = tomllib.load(handle)
    return Basis(_basis_lines(data), frozenset(data))


def shown_row(parameter: str, sections: frozenset[str]) -> bool:
    """Whether a data row concerns the site (its heat, cold and EV rows only where it has them)."""
    for groups in (COST_GROUPS, TARIFF_GROUPS):
        for section, prefixes in groups.items():
            if parameter.startswith(prefixes):
                return section in sections or (
                    parameter.startswith("controllable_") and "heat" in sections
                )
    return True


def _basis_lines(data: dict[str, Any]) -> list[str]:
    load = data.get("load", {})
    lines = []
    if "profile" in load:
        lines.append(
            f"Stromlast: BDEW-Standardlastprofil {load['profile']} (demandlib), skaliert auf "
            f"{number(load.get('annual_kwh'))} kWh im Jahr – keine Messdaten des Betriebs"
        )
    else:
        lines.append("Stromlast: Viertelstunden-Lastgang aus den Zählerdaten des Betriebs")
    for section, name in (("heat", "Wärmelast"), ("cold", "Kältelast")):
        part = data.get(section, {})
        if "profile" in part:
            lines.append(
                f"{name}: Standardlastprofil {part['profile']}, "
                f"{number(part.get('annual_kwh'))} kWh im Jahr"
            )
    ev = data.get("ev", {})
    if "sessions_csv" in ev:
        lines.append("Laden der Fahrzeuge: Ladevorgänge aus der Liste der Ladepunkte")
    elif ev:
        lines.append(
            f"Laden der Fahrzeuge: Fuhrpark von {number(ev.get('vans'))} Fahrzeugen, je "
            f"{number(ev.get('kwh_per_day'))} kWh am Tag, angeschlossen von "
            f"{ev.get('arrive', '17:00')} bis {ev.get('depart', '07:00')} Uhr"
        )
    lines.append("PV-Ertrag und Außentemperatur: Testreferenzjahr des Deutschen Wetterdienstes")
    lines.append(
        "Tarife und Kosten: veröffentlichte Werte und Annahmen mit Quelle (Abschnitt „Tarife und "
        "Annahmen“); ein Beispiel ist aus veröffentlichten Kennzahlen und "
        "Standardlastprofilen erstellt"
    )
    return lines


# ------------------------------------------------------------------------------ charts
def _week_start(year: int, month: int) -> int:
    """Quarter-hour index of the Monday of the second full week of ``month``."""
    first = dt.date(year, month, 1)
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7 + 7)
    return (monday - dt.date(year, 1, 1)).days * 24 * STEPS_PER_H


def _axis_numbers(ax: Any, unit: str) -> None:
    import matplotlib as mpl

    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _pos: number(v)))
    ax.set_ylabel(unit)


#: The stacks (series, colour) and the line of each week chart, by chart.
WEEK_STACKS = {
    "electricity": (
        (("pv_on_site_kw", "#f4d03f"), ("discharge_kw", "#48c9b0"), ("import_kw", "#2e86c1")),
        "import_before_kw",
    ),
    "heat": (
        (
            ("heat_pump_heat_kw", "#48c9b0"),
            ("boiler_heat_kw", "#8c8c8c"),
            ("network_heat_kw", "#c0392b"),
            ("store_out_kw", "#f5b041"),
        ),
        "heat_load_kw",
    ),
}


WEEK_TITLES = {"electricity": "Strom", "heat": "Wärme"}


def week_chart(series: dict[str, np.ndarray], year: int, kind: str = "electricity") -> str:
    """A winter and a summer week (hourly means): how the electricity (``kind``) or the heat
    is met after, against the import before or the heat load."""
    from heatplan.report import charts

    series = {**series, "pv_on_site_kw": (series["pv_used_kw"] - series["export_kw"]).clip(0)}
    stacks, line = WEEK_STACKS[kind]
    stacks = tuple(
        (name, colour)
        for name, colour in stacks
        if name in series and float(np.max(series[name], initial=0.0)) > SHOWN_KW
    )
    width = 7 * 24 * STEPS_PER_H

    @charts.styled
    def draw() -> str:
        fig = charts.figure(3.7)
        axes = fig.subplots(2, 1, sharey=True)
        hours = np.arange(width // STEPS_PER_H) + 0.5
        for ax, month, title in zip(
            axes, WEEK_MONTHS, ("typische Winterwoche", "typische Sommerwoche"), strict=True
        ):
            title = f"{WEEK_TITLES[kind]}: {title}"
            start = _week_start(year, month)

            def hourly(name: str, start: int = start) -> np.ndarray:
                values = np.asarray(series[name][start : start + width])
                return values.reshape(-1, STEPS_PER_H).mean(1)

            ax.stackplot(
                hours,
                [hourly(name) for name, _ in stacks],
                colors=[colour for _, colour in stacks],
                labels=[label("site_chart", name) for name, _ in stacks],
                linewidth=0,
            )
            ax.plot(
                hours, hourly(line), color="#7b241c", linewidth=0.8, label=label("site_chart", line)
            )
            ax.set_xticks(np.arange(7) * 24 + 12, labels=list(WEEKDAYS_DE))
            ax.set_xlim(0, 7 * 24)
            ax.set_title(title, loc="left")
            _axis_numbers(ax, "kW")
        axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return charts.svg(fig)

    return draw()


def monthly_chart(series: dict[str, np.ndarray], year: int) -> str:
    """Grid import before and after, PV generation and feed-in per month [MWh]."""
    from heatplan.report import charts

    index = pd.date_range(f"{year}-01-01", periods=series["load_kw"].size, freq="15min")
    frame = pd.DataFrame(
        {
            "import_before_kw": series["import_before_kw"],
            "import_kw": series["import_kw"],
            "pv_yield_kw": series["pv_yield_kw"],
            "export_kw": series["export_kw"],
        },
        index=index,
    )
    monthly = frame.groupby(index.month).sum() / STEPS_PER_H / 1000.0
    colours = {"import_before_kw": "#7b241c", "import_kw": "#2e86c1", "pv_yield_kw": "#f4d03f"}

    @charts.styled
    def draw() -> str:
        fig = charts.figure(2.1)
        ax = fig.add_subplot()
        x = np.arange(12)
        for i, column in enumerate(monthly.columns):
            ax.bar(
                x + (i - 1.5) * 0.2,
                monthly[column].to_numpy(),
                width=0.2,
                color=colours.get(column, "#aab7b8"),
                label=label("site_chart", column),
            )
        ax.set_xticks(x, labels=list(MONTHS_DE))
        _axis_numbers(ax, "MWh")
        ax.set_title("Energiebilanz je Monat", loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return charts.svg(fig)

    return draw()


def duration_chart(series: dict[str, np.ndarray]) -> str:
    """Grid import sorted from the highest quarter hour, before and after [kW over hours]."""
    import matplotlib as mpl

    from heatplan.report import charts

    @charts.styled
    def draw() -> str:
        fig = charts.figure(2.1)
        ax = fig.add_subplot()
        for key, colour in (("import_before", "#7b241c"), ("import", "#2e86c1")):
            values = np.sort(series[f"{key}_kw"])[::-1]
            at = np.unique(np.linspace(0, values.size - 1, DURATION_POINTS).round().astype(int))
            ax.plot(
                at / STEPS_PER_H,
                values[at],
                color=colour,
                label=label("site_chart", f"{key}_kw"),
            )
        ax.set_xlim(0, series["load_kw"].size / STEPS_PER_H)
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _pos: number(v)))
        ax.set_xlabel("Stunden im Jahr")
        _axis_numbers(ax, "kW")
        ax.set_title("Jahresdauerlinie des Netzbezugs", loc="left")
        ax.legend(frameon=False)
        return charts.svg(fig)

    return draw()


def spread_chart(rows: list[tuple[str, dict[str, float]]], *, unit: str, title: str) -> str:
    """Per row a bar from P10 to P90 with the median marked (the price risk of a cost); the
    axis in thousands of ``unit``."""
    import matplotlib as mpl

    from heatplan.report import charts

    @charts.styled
    def draw() -> str:
        fig = charts.figure(1.2 + 0.4 * len(rows))
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]
        low = np.array([r["p10"] for _, r in rows]) / 1000.0
        high = np.array([r["p90"] for _, r in rows]) / 1000.0
        median = np.array([r["median"] for _, r in rows]) / 1000.0
        ax.barh(y, high - low, left=low, height=0.5, color="#aed6f1", label="P10 bis P90")
        ax.plot(median, y, "|", color="#1b4f72", markersize=16, markeredgewidth=2, label="Median")
        ax.set_yticks(y, labels=[name for name, _ in rows])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(0, float(high.max()) * 1.05)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(6))
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _pos: number(v)))
        ax.set_xlabel(f"Tausend {unit}")
        ax.set_title(title, loc="left")
        ax.legend(loc="lower right", frameon=False, fontsize=7.5)
        return charts.svg(fig)

    return draw()


# ------------------------------------------------------------------------------ document
def context(result: dict[str, Any], series: dict[str, np.ndarray], basis: Basis) -> dict[str, Any]:
    """Everything the template ``site_study.html`` shows."""
    from heatplan import __version__

    risk = result.get("price_risk")
    return {
        "cover": {
            "title": "Konzeptstudie",
            "subtitle": "Energieversorgung des Standorts",
            "name": result["site"],
            "created": dt.date.today().strftime("%d.%m.%Y"),
            "version": __version__,
            "year": result["year"],
            "basis": basis.lines,
        },
        "result": result_table(result),
        "sizes": result["sizes"],
        "cases": {
            "before": label("tariff_case", result["grid_fee_case_before"]),
            "after": label("tariff_case", result["grid_fee_case_after"]),
        },
        "risk": risk,
        "risk_samples": number(risk["samples"]) if risk else DASH,
        "charts": {
            "weeks": week_chart(series, int(result["year"])),
            "heat_weeks": (
                week_chart(series, int(result["year"]), "heat") if "heat_load_kw" in series else ""
            ),
            "months": monthly_chart(series, int(result["year"])),
            "duration": duration_chart(series),
            "risk": (
                spread_chart(
                    [
                        ("Jährliche Kosten vorher", risk["before_eur_per_a"]),
                        ("Jährliche Kosten nachher", risk["after_eur_per_a"]),
                    ],
                    unit="€/a",
                    title="Preisrisiko der jährlichen Kosten",
                )
                if risk
                else ""
            ),
        },
        "assumptions": assumptions_table(
            (TARIFF_FILE, COST_FILE, RISK_FILE),
            "Tarife, Kosten und Annahmen",
            basis.sections | ({"heat"} if "network_kw" in result["sizes"] else set()),
        ),
        "method": method_table(result),
    }


def site_pdf(
    result: dict[str, Any], series: dict[str, np.ndarray], basis: Basis, path: Path
) -> int:
    """Write the customer PDF of a site study to ``path``; returns its number of pages."""
    from heatplan.report.render import render_html, write_pdf

    html = render_html("site_study.html", context(result, series, basis))
    return write_pdf(html, path, base_url=path.parent)
