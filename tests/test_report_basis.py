"""The report states the assumptions the area comparison rests on, as the plan used them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests.published_outputs import html_table_with, html_tables

from heatplan.options import price_paths
from heatplan.project.config import EconomicSettings, Municipality, ProjectConfig
from heatplan.report.basis import basis_table
from heatplan.report.fmt import number


def _rows(config: ProjectConfig) -> dict[str, str]:
    return {row[0]: row[1] for row in basis_table(config).rows}


def _config(**economics: object) -> ProjectConfig:
    return ProjectConfig(
        municipality=Municipality(name="Test"),
        economics=EconomicSettings(**economics),  # type: ignore[arg-type]
    )


def test_every_assumption_follows_the_project_settings() -> None:
    default = _rows(_config())
    changed = _rows(
        _config(
            perspective="economic",
            plant_catalogue="kww_1.1",
            co2_price_path="high",
            heat_pump_tariff="module_2",
            with_funding=False,
            interest_rate=0.05,
        )
    )
    assert default["Entscheidende Kostensicht"].startswith("Eigentümersicht")
    assert changed["Entscheidende Kostensicht"].startswith("volkswirtschaftlich")
    assert "Danish Energy Agency" in default["Investition Erzeugungsanlagen Wärmenetz"]
    assert "KWW" in changed["Investition Erzeugungsanlagen Wärmenetz"]
    assert "Modul 2: 60 %" in changed["Strompreis Wärmepumpen"]
    assert changed["Förderung Wärmenetz (BEW)"].startswith("ausgeschaltet")
    assert changed["Kalkulationszins, Betrachtungszeitraum"].startswith("5,0 % real")
    # the CO2 prices shown are the path's own values
    high = price_paths.co2_price_eur_per_t("high", np.asarray([2030.0]))[0]
    assert f"2030: {number(high)} EUR/t" in changed["CO2-Preis auf Brennstoffe"]
    assert default["CO2-Preis auf Brennstoffe"] != changed["CO2-Preis auf Brennstoffe"]
    # a town's own weights
    weighted = ProjectConfig(
        municipality=Municipality(name="Test"),
        classify={"weight_cost": 0.6, "weight_ghg": 0.25},
    )
    assert (
        "Kosten 0,60, Treibhausgase 0,25" in _rows(weighted)["Gewichtung der Kriterien (§ 18 WPG)"]
    )
    # without a grid check the table says so
    assert default["Stromnetz (Niederspannung)"].startswith("nicht geprüft")


def test_every_row_has_a_german_value_and_a_source() -> None:
    for label, value, source in basis_table(_config()).rows:
        assert value and source and label
        assert "_" not in value, (label, value)  # no codes such as "installed_cost_de"


def test_the_demo_report_states_its_basis(demo_built: tuple[Path, dict]) -> None:
    out, _ = demo_built
    table = html_table_with(html_tables(out / "report" / "plan.html"), "Annahme", "Wert in")
    rows = {r[0]: r[1] for r in table.rows}
    assert rows["Stromnetz (Niederspannung)"].startswith("enthalten")
    assert rows["Versorgungssicherheit Wärmenetz"] == "eingeplant"
    assert "3,0 % real pro Jahr, 20 Jahre" in rows["Kalkulationszins, Betrachtungszeitraum"]


def test_key_figures_say_when_the_project_has_no_network_layer() -> None:
    """A gas or heat network layer the project lacks is said, not shown as 0 km: the areas'
    "kein Gasnetz bekannt" rests on it (a town of 20,000 buildings without gas data read
    "kein Gasnetz" in every area sheet before)."""
    from heatplan.report.inventory import _key_table

    table = _key_table({}, {"Gasnetz": None, "Wärmenetz": 12.34})
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Bestehendes Gasnetz (keine Daten im Projekt)"] == ["–", "km"]
    assert rows["Bestehendes Wärmenetz (Leitungslänge)"] == ["12,3", "km"]
