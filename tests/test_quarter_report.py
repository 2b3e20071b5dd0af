"""The customer PDF of a quarter study (``heatplan quarter study FILE --pdf OUT``): German only,
no single apartment's value, the same figures as the JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.report.fmt import number
from report_text import english_words, pdf_text

#: Twelve apartments with their own meter data; half take part, half are rent-controlled: the
#: groups and their rests hold six each, so the privacy rule lets their means through.
ANNUAL_KWH = [1234.0, 2345.0, 3456.0, 1789.0, 2901.0, 4012.0,
              1567.0, 2678.0, 3789.0, 1890.0, 3012.0, 4123.0]  # fmt: skip
QUARTER = """[quarter]
name = "Kleines Quartier (Prüfbeispiel)"
lat = 50.885
lon = 11.605
year = 2025

[tenant_power]
participation_share = 0.5

[rent]
cold_rent_eur_per_m2_month = 6.5

[heat_network]
price_eur_per_mwh = 130.0

[[building]]
name = "Haus A"
living_area_m2 = 840.0
apartments = 12
rent_controlled_share = 0.5
pv_kwp = 30.0
heat_demand_kwh_per_a = 60000.0
meter_dir = "meters"
"""


def _write_meters(folder: Path) -> None:
    """One full-year German meter export per apartment (Datum;Uhrzeit;Wirkleistung kW with a
    decimal comma): the BDEW H0 profile (demandlib) scaled to each apartment's energy."""
    from heatplan.site.inputs import bdew_profile_kw

    folder.mkdir()
    profile = bdew_profile_kw("H0", 1000.0, 2025)
    stamps = pd.date_range("2025-01-01", periods=profile.size, freq="15min")
    first = [
        f"{d};{t};"
        for d, t in zip(stamps.strftime("%d.%m.%Y"), stamps.strftime("%H:%M"), strict=True)
    ]
    for i, kwh in enumerate(ANNUAL_KWH):
        rows = (
            s + f"{v:.4f}".replace(".", ",")
            for s, v in zip(first, profile * kwh / 1000.0, strict=True)
        )
        body = "\n".join(rows)
        (folder / f"w{i + 1:02d}.csv").write_text(
            f"Datum;Uhrzeit;Wirkleistung kW\n{body}\n", encoding="utf-8"
        )


@dataclass(frozen=True)
class Run:
    summary: dict[str, object]
    apartments: pd.DataFrame
    text: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("quarter_pdf")
    _write_meters(folder / "meters")
    (folder / "quarter.toml").write_text(QUARTER, encoding="utf-8")
    pdf, internal = folder / "quartier.pdf", folder / "intern.csv"
    args = ["quarter", "study", str(folder / "quarter.toml"), "--json", "--pdf", str(pdf)]
    done = CliRunner().invoke(app, [*args, "--internal-csv", str(internal)])
    assert done.exit_code == 0, done.output
    return Run(json.loads(done.stdout), pd.read_csv(internal), pdf_text(pdf))


def test_the_pdf_is_german_only(run: Run) -> None:
    assert english_words(run.text) == []
    for german in ("Konzeptstudie", "Mieterstrom (§ 42a EnWG)", "§ 42b EnWG", "Warmmiete",
                   "preisgebundenen Wohnungen", "Preisrisiko", "Datenschutz"):  # fmt: skip
        assert german in run.text, german
    assert "Zählerdaten je Wohnung" in run.text  # the data basis is labelled


def test_no_single_apartments_value_reaches_the_pdf(run: Run) -> None:
    """No per-apartment figure of the internal table appears, in any rounding the report uses
    (only those of at least five characters, so a short number cannot match by chance)."""
    columns = [c for c in run.apartments.columns if c.endswith(("_kwh_per_a", "_eur_per_a"))]
    assert len(columns) >= 5
    values = run.apartments[columns].to_numpy(float).ravel()
    shown = {number(v, d) for v in values[values != 0] for d in (0, 1, 2)}
    leaked = sorted(text for text in shown if len(text) >= 5 and text in run.text)
    assert leaked == []
    # but the group means the privacy rule allows are shown
    saving = run.summary["tenant_power"]["mieterstrom"]["saving_per_participant_eur_per_a"]  # type: ignore[index]
    assert saving is not None and number(saving["mean"]) in run.text


def test_the_pdf_shows_the_json_figures(run: Run) -> None:
    s = run.summary
    options = s["heat"]["options"]  # type: ignore[index]
    rents = s["rent_controlled"]["concepts"]  # type: ignore[index]
    risk = s["price_risk"]["options"]  # type: ignore[index]
    assert set(options) == {"gas_today", "heat_pump", "heat_network"}
    for name, option in options.items():
        assert number(option["annual_cost_eur_per_a"]) in run.text
        assert number(option["investment_eur"]) in run.text
        assert number(rents[name]["warm_rent_eur_per_m2_month"], 2) in run.text
        spread = risk[name]["annual_cost_eur_per_a"]
        assert f"{number(spread['p10'])} bis {number(spread['p90'])}" in run.text
    power = s["tenant_power"]  # type: ignore[index]
    assert number(power["mieterstrom"]["operator_net_eur_per_a"]) in run.text
    assert number(power["pv_kwh_per_a"]) in run.text
    assert np.isclose(s["living_area_m2"], 840.0)  # type: ignore[arg-type]
    assert "Zeile 2 in quarter_tariffs.csv" in run.text


def test_groups_too_small_to_show_become_dashes(tmp_path: Path) -> None:
    """Six flats with three taking part: the privacy rule withholds the concepts' figures, the
    report shows a dash and names the rule instead of failing."""
    from heatplan.quarter.inputs import read_quarter
    from heatplan.quarter.report import context, tenant_power_table
    from heatplan.quarter.study import study
    from heatplan.report.fmt import DASH

    text = QUARTER.replace('meter_dir = "meters"\n', "").replace(
        "apartments = 12", "apartments = 6"
    )
    text = text.replace(
        "[tenant_power]", "[electricity]\nannual_kwh_per_apartment = 2000.0\n\n[tenant_power]"
    )
    path = tmp_path / "quarter.toml"
    path.write_text(text, encoding="utf-8")
    summary = study(read_quarter(path)).summary
    assert summary["tenant_power"]["mieterstrom"]["self_consumption"] is None
    table = tenant_power_table(summary)
    assert table.column(table.columns[1])[3] == DASH  # self-consumption of the Mieterstrom
    page = context(summary, ["Testgrundlage"])
    assert any("weniger als 5 Wohnungen" in line for line in page["savings"])
