"""The customer PDF of a site study (``heatplan site study FILE --pdf OUT``): German only, the
same figures as the JSON, the solver's time and gap, every data row with its source."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.report.fmt import number, percent
from heatplan.site.report import source_de, unit_de
from report_text import english_words, pdf_text

DATA = Path(__file__).parent / "data" / "site"


@dataclass(frozen=True)
class Run:
    result: dict[str, object]
    text: str
    pages: int


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The sample site without a battery (PV only: a fast LP), with --json and --pdf at once."""
    folder = tmp_path_factory.mktemp("site_pdf")
    toml = (DATA / "site_sample.toml").read_text(encoding="utf-8")
    site = folder / "site.toml"
    site.write_text(toml.replace("allowed = true", "allowed = false"), encoding="utf-8")
    pdf = folder / "konzept.pdf"
    done = CliRunner().invoke(app, ["site", "study", str(site), "--json", "--pdf", str(pdf)])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)  # --pdf keeps the JSON clean
    text = pdf_text(pdf)
    found = re.search(r"Seite \d+ von (\d+)", text)
    return Run(result, text, int(found.group(1)) if found else 0)


def test_the_json_keeps_its_form_and_gains_the_price_risk(run: Run) -> None:
    assert "series" not in run.result
    risk = run.result["price_risk"]
    assert isinstance(risk, dict) and risk["samples"] == 1000
    assert run.pages >= 3


def test_the_pdf_is_german_only(run: Run) -> None:
    assert english_words(run.text) == []
    for german in ("Konzeptstudie", "Datengrundlage", "Jährliche Kosten vorher", "Einsparung",
                   "Lösungszeit", "Abstand zur unteren Schranke", "Strom: typische Winterwoche",
                   "Jahresdauerlinie", "Energiebilanz je Monat", "Preisrisiko"):  # fmt: skip
        assert german in run.text, german
    assert "keine Messdaten des Betriebs" in run.text  # the data basis is labelled


def test_the_pdf_shows_the_json_figures(run: Run) -> None:
    r = run.result
    solver = r["solver"]
    assert isinstance(solver, dict)
    risk = r["price_risk"]
    assert isinstance(risk, dict)
    figures = [
        number(r["investment_eur"]),
        number(r["annual_cost_before_eur_per_a"]),
        number(r["annual_cost_after_eur_per_a"]),
        number(r["savings_eur_per_a"]),
        number(r["sizes"]["pv_kwp"], 1),  # type: ignore[index]
        percent(r["self_sufficiency"], 1),
        number(r["peak_before_kw"], 1),
        number(risk["after_eur_per_a"]["p10"]) + " bis " + number(risk["after_eur_per_a"]["p90"]),
        percent(solver["gap"], 2),
        number(solver["steps"]),
    ]
    for figure in figures:
        assert figure in run.text, figure
    # German notation: the investment has a thousands dot, never a comma
    assert "." in number(r["investment_eur"]) and "," not in number(r["investment_eur"])


def test_every_data_row_names_its_source(run: Run) -> None:
    assert "Zeile 2 in site_tariffs.csv" in run.text
    assert "StromStG § 3" in run.text  # the electricity tax's law
    # the sample site has no heat: the heat rows are left out
    assert "Investition Wärmepumpe" not in run.text


def test_source_and_unit_in_german() -> None:
    text = "StromStG § 3: general electricity tax rate; heatplan assumption, not verified offline"
    assert source_de(text, "x.csv", 4) == (
        "Annahme heatplan, StromStG § 3, offline nicht geprüft, Zeile 4 in x.csv"
    )
    assert unit_de("EUR/kW heat (net of VAT)") == "€/kW Wärme (netto)"
    assert unit_de("EUR/(m² month)") == "€/(m² Monat)"


def test_a_pdf_into_a_missing_folder_fails_before_the_study(tmp_path: Path) -> None:
    target = tmp_path / "fehlt" / "konzept.pdf"
    done = CliRunner().invoke(
        app, ["site", "study", str(DATA / "site_sample.toml"), "--json", "--pdf", str(target)]
    )
    assert done.exit_code == 1
    assert json.loads(done.stdout)["error"].endswith(f"folder {target.parent} does not exist")


def test_the_cli_prints_the_price_risk_line() -> None:
    from heatplan.cli.site import risk_lines

    spread = {"p10": 1000.0, "median": 1500.0, "p90": 2500.0}
    risk = {"samples": 1000, "before_eur_per_a": spread, "after_eur_per_a": spread,
            "probability_saving": 0.25, "note": "an approximation"}  # fmt: skip
    (line,) = risk_lines({"price_risk": risk})
    assert "before 1,000/1,500/2,500 EUR/a" in line and "25% of the paths" in line
    assert risk_lines({}) == []


def test_the_typical_weeks_start_on_the_second_full_monday() -> None:
    from heatplan.site.report import _week_start

    # 1 January 2025 is a Wednesday: first Monday 6 January, second full week from 13 January
    assert _week_start(2025, 1) == 12 * 96
    # 1 September 2025 is a Monday: its second full week starts on 8 September
    assert _week_start(2025, 9) == (31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 7) * 96


def test_the_cover_says_what_the_loads_rest_on(tmp_path: Path) -> None:
    from heatplan.site.report import data_basis

    heat = data_basis(DATA / "site_heat.toml")
    assert heat.sections >= {"heat", "cold", "ev"}
    assert any("6 Fahrzeugen" in line for line in heat.lines)
    meter = tmp_path / "site.toml"
    meter.write_text('[site]\nname = "X"\n[load]\nmeter_csv = "m.csv"\n', encoding="utf-8")
    assert "Zählerdaten des Betriebs" in data_basis(meter).lines[0]


@pytest.mark.parametrize(
    "file",
    ["site_tariffs.csv", "site_costs.csv", "price_risk_parameters.csv", "quarter_tariffs.csv",
     "quarter_costs.csv", "quarter_rent_rules.csv"],
)  # fmt: skip
def test_every_data_row_of_the_pdfs_has_a_german_name(file: str) -> None:
    """A row added to a data table needs its label (labels.csv site_ or quarter_parameter), or
    the customer PDF would show its code."""
    from heatplan.reference import table
    from heatplan.site.report import parameter_de

    codes = table(file, as_text=True)["parameter"]
    missing = sorted({c for c in codes if parameter_de(c) == c})
    assert missing == []


def _german(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_figures_parsed_back_from_the_pdf_text_match_the_json(run: Run) -> None:
    """Read the figures back from the PDF's text (German notation) and compare them with the
    JSON within the rounding the report shows."""
    r = run.result
    solver = r["solver"]
    assert isinstance(solver, dict)
    found = {
        name: re.search(rf"{name} ([0-9.,]+) {unit}", run.text)
        for name, unit in (
            ("Investition", "€"), ("Einsparung", "€/a"), ("Lösungszeit", "s"),
            ("Abstand zur unteren Schranke", "%"),
        )
    }  # fmt: skip
    assert all(found.values()), found
    values = {name: _german(m.group(1)) for name, m in found.items() if m}
    assert values["Investition"] == pytest.approx(r["investment_eur"], abs=0.5 + 1e-6)
    assert values["Einsparung"] == pytest.approx(r["savings_eur_per_a"], abs=0.5 + 1e-6)
    solve_s = sum(solver["sizing_solve_time_s"]) + sum(solver["solve_time_s"])
    assert values["Lösungszeit"] == pytest.approx(solve_s, abs=0.05 + 1e-9)  # one decimal
    assert values["Abstand zur unteren Schranke"] == pytest.approx(
        100 * solver["gap"], abs=0.005 + 1e-9
    )
