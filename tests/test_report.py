"""The plan report and the yearly implementation report on the real Schutterwald demo.

One demo project is built for the module; the reports are written in a fixed order (plan
report without measures, then the demo's measure catalogue, then the reports with measures) so
that every test reads the same files. Figures in the report are compared with the store.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app
from heatplan.measures.records import to_frame
from heatplan.measures.schema import MEASURES, PROGRESS, STEPS
from heatplan.project.create import create_project
from heatplan.project.store import open_store
from heatplan.publish import area_suppression
from heatplan.report.fmt import number
from heatplan.report.scenario import value_text
from heatplan.steps.measures import list_measures, load_demo_catalogue
from heatplan.steps.report import ReportResult, run_report
from heatplan.steps.versions import freeze

REPORT_YEAR = 2026
PLAN_LABEL = "beschluss"
MIN_PDF_PAGES = 15


def _html(result: ReportResult) -> str:
    return Path(result.html).read_text(encoding="utf-8")


def _clear_measures(project: Path) -> None:
    store = open_store(str(project / "plan.gpkg"))
    with store.transaction(step="test: no measures yet") as writer:
        for name in (MEASURES, STEPS, PROGRESS):
            writer.write(name, to_frame(name, []))


@pytest.fixture(scope="module")
def reports(
    tmp_path_factory: pytest.TempPathFactory, demo_built: tuple[Path, dict]
) -> dict[str, Any]:
    project = copy_demo(demo_built, tmp_path_factory.mktemp("report") / "schutterwald")
    _clear_measures(project)  # the demo brings a sample catalogue: start without one
    out: dict[str, Any] = {"project": project}
    first = run_report(project, pdf=True)
    out["no_measures"] = {**first.to_dict(), "text": _html(first)}
    load_demo_catalogue(project)
    freeze(project, PLAN_LABEL, note="test: the adopted plan")
    for key, kwargs in (
        ("public", {}),
        ("internal", {"public": False}),
        ("year", {"year": REPORT_YEAR}),
        ("year_internal", {"year": REPORT_YEAR, "public": False}),
    ):
        result = run_report(project, **kwargs)
        out[key] = {**result.to_dict(), "text": _html(result)}
    return out


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]


def test_plan_report_has_every_section(reports: dict[str, Any]) -> None:
    html = reports["no_measures"]["text"]
    for section in reports["no_measures"]["sections"]:
        assert f'id="{section}"' in html, section
    for heading in (
        "1 Bestandsanalyse",
        "2 Potenzialanalyse",
        "3 Zielszenario",
        "4 Versorgungsgebiete",
        "5 Umsetzungsstrategie und Maßnahmen",
    ):
        assert heading in html
    assert "Schutterwald" in html and "08317122" in html  # cover: name and municipal key
    assert "ENTWURF" in html  # the demo is a draft
    assert html.count("<svg") >= 6  # charts and maps are inline SVG
    assert "Noch keine Maßnahmen erfasst." in html
    assert "© OpenStreetMap" not in html  # Schutterwald's data are not from OSM
    assert "Kisse et al. (2020)" in html  # ...but from pandapipes (attribution page)


def test_report_figures_equal_the_store(reports: dict[str, Any]) -> None:
    html = reports["public"]["text"]
    store = open_store(str(reports["project"] / "plan.gpkg"))
    totals = store.read("totals")
    heat = totals.loc[totals["indicator"] == "heat_demand", "value"].iloc[0] / 1000.0
    assert re.search(rf'id="heat-demand">{re.escape(number(heat))} MWh/a', html)
    indicators = store.read("scenario_indicators")
    scenario = _section(html, "zielszenario", "gebiete")
    for year in (2030, 2035, 2040, 2045):
        ghg = indicators[
            (indicators["variant"] == "base")
            & (indicators["year"] == year)
            & (indicators["indicator"] == "ghg_emissions")
            & (indicators["key"] == "total")
        ]["value"].iloc[0]
        assert f">{value_text(ghg, 't CO2e/a')}<" in scenario, year
    share = indicators[
        (indicators["variant"] == "base")
        & (indicators["year"] == 2030)
        & (indicators["key"] == "share:buildings")
        & (indicators["indicator"] == "gas_network_buildings")
    ]["value"].iloc[0]
    assert f">{value_text(share, '-')}<" in scenario
    areas = store.read("areas")
    assert html.count('class="profile"') == len(areas)  # one profile sheet per area


def test_public_report_holds_nothing_per_building(reports: dict[str, Any]) -> None:
    store = open_store(str(reports["project"] / "plan.gpkg"))
    buildings = store.read("buildings")
    largest = buildings.nlargest(30, "heat_demand_kwh_per_a")["heat_demand_kwh_per_a"]
    for key in ("public", "internal", "year", "no_measures"):
        html = reports[key]["text"]
        leaked = [b for b in buildings["building_id"].astype(str) if b in html]
        assert not leaked, (key, leaked[:3])
        for kwh in largest:  # a building's demand in kWh/a or MWh/a, as the report writes numbers
            assert f">{number(kwh)}<" not in html and f">{number(kwh / 1000, 1)}<" not in html


def test_small_areas_show_the_suppression_notice(reports: dict[str, Any], tmp_path: Path) -> None:
    """An area of 2 buildings (and the one protecting it against differencing) shows no figure."""
    project = tmp_path / "copy"
    shutil.copytree(reports["project"], project, ignore=shutil.ignore_patterns("report", "export"))
    store = open_store(str(project / "plan.gpkg"))
    areas = store.read("areas")
    small = areas["heat_demand_mwh_per_a"].idxmax()
    areas.loc[small, "buildings"] = 2
    with store.transaction(step="test: a small area") as writer:
        writer.write("areas", areas)
    hidden = areas[area_suppression(areas).to_numpy(bool)]
    assert len(hidden) >= 2  # primary and secondary suppression
    html = _html(run_report(project))
    for row in hidden.itertuples():
        start = html.index(f'id="steckbrief-{row.area_id}"')
        end = html.find('class="profile"', start + 10)
        profile = html[start : end if end > 0 else html.index('id="massnahmen"')]
        assert "unterdrückt: weniger als 5 Gebäude" in profile, row.area_id
        assert f">{number(row.heat_demand_mwh_per_a)}<" not in html, row.area_id
    shown = areas.drop(index=hidden.index)["heat_demand_mwh_per_a"].iloc[0]
    assert f">{number(shown)}<" in html  # the other areas keep their figures


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its Flate streams decompressed (object streams hide the page dicts)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(stream))
    return b"\n".join(parts)


def test_pdf_is_a_real_pdf_with_pages(reports: dict[str, Any]) -> None:
    result = reports["no_measures"]
    data = Path(result["pdf"]).read_bytes()
    assert data.startswith(b"%PDF-")
    assert result["pages"] >= MIN_PDF_PAGES
    assert data.rstrip().endswith(b"%%EOF")
    plain = _inflated(data)
    assert len(re.findall(rb"/Type\s*/Page\b", plain)) == result["pages"]
    assert b"/FontFile" in plain  # text is set in embedded fonts, not only drawn
    assert b"DejaVu" in plain


def test_plan_report_lists_public_measures_only(reports: dict[str, Any]) -> None:
    everything = list_measures(reports["project"])
    hidden = [m for m in everything if not m["public"]]
    assert hidden, "the demo catalogue has a non-public measure"
    public = _section(reports["public"]["text"], "massnahmen", "quellen")
    internal = _section(reports["internal"]["text"], "massnahmen", "quellen")
    for measure in everything:
        cell = f"<td>{measure['measure_id']}</td>"
        assert (cell in public) == measure["public"], measure["measure_id"]
        assert cell in internal
    assert "Noch keine Maßnahmen erfasst." not in public


def test_yearly_report_states_every_measure_at_year_end(reports: dict[str, Any]) -> None:
    html = reports["year"]["text"]
    assert f"Umsetzungsbericht {REPORT_YEAR}" in html
    table = html[html.index(f"Stand jeder Maßnahme am 31.12.{REPORT_YEAR}") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>(\w+)</td><td>[^<]*</td><td>([^<]+)</td>", table)
    public = {m["measure_id"]: m for m in list_measures(reports["project"], public=True)}
    assert {r[0] for r in rows} == set(public)
    status = dict(rows)
    assert status["M05"] == "abgeschlossen"  # completed by its entry of 2026-09-30
    assert status["M01"] == "in Umsetzung"
    hidden = {m["measure_id"] for m in list_measures(reports["project"]) if not m["public"]}
    assert hidden and all(f"<td>{m}</td>" in reports["year_internal"]["text"] for m in hidden)
    assert "Fortschritt gegenüber dem Zielpfad" in html


def test_yearly_report_compares_the_frozen_plan_with_today(reports: dict[str, Any]) -> None:
    html = reports["year"]["text"]
    start = html.index(f"Indikatoren: beschlossener Plan ({PLAN_LABEL})")
    table = html[start : html.index("</table>", start)]
    frozen = open_store(str(reports["project"] / "plan.gpkg")).read("version_indicators")
    ghg = frozen[(frozen["version_label"] == PLAN_LABEL) & (frozen["variant"] == "base")
                 & (frozen["year"] == 2030) & (frozen["indicator"] == "ghg_emissions")
                 & (frozen["key"] == "total")]["value"].iloc[0]  # fmt: skip
    text = number(ghg)
    row = f'<td>2030</td><td class="num">{text}</td><td class="num">{text}</td>'
    assert row in table  # nothing changed since the freeze: plan and today agree


def test_an_earlier_year_shows_no_later_progress(reports: dict[str, Any]) -> None:
    result = run_report(reports["project"], year=REPORT_YEAR - 1)
    html = _html(result)
    table = html[html.index(f"Stand jeder Maßnahme am 31.12.{REPORT_YEAR - 1}") :]
    table = table[: table.index("</table>")]
    statuses = set(re.findall(r"<tr><td>\w+</td><td>[^<]*</td><td>([^<]+)</td>", table))
    assert statuses == {"geplant"}  # every entry of the demo is dated 2026


def test_cli_writes_the_report_and_prints_json(reports: dict[str, Any]) -> None:
    project = reports["project"]
    result = CliRunner().invoke(app, ["report", str(project), "--year", str(REPORT_YEAR), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["html"] == str(project / "report" / f"umsetzung-{REPORT_YEAR}.html")
    assert data["edition"] == "public" and data["sections"][1] == "umsetzung"
    assert Path(data["html"]).is_file()


def test_cli_without_inventory_is_a_clear_error(tmp_path: Path) -> None:
    project = tmp_path / "empty"
    create_project(project, name="Leerstadt", key="08317999")
    result = CliRunner().invoke(app, ["report", str(project), "--json"])
    assert result.exit_code == 1
    assert "heatplan inventory" in result.output
    assert "Traceback" not in result.output
    assert json.loads(result.stdout)["error"].startswith("the project has no inventory")
