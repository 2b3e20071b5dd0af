"""The plan report and the yearly implementation report on the real Schutterwald demo.

One demo project is built for the module; the reports are written in a fixed order (plan
report without measures, then the demo's measure catalogue, then the reports with measures) so
that every test reads the same files. Figures in the report are compared with the store.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import json
import re
import shutil
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from demo_copy import copy_demo
from heatplan.cli import app
from heatplan.measures.records import to_frame
from heatplan.measures.schema import MEASURES, PROGRESS, STEPS
from heatplan.project.create import create_project
from heatplan.project.store import open_store
from heatplan.publish import area_suppression
from heatplan.report import document
from heatplan.report.fmt import label_de, number
from heatplan.report.map_base import MAP_DPI
from heatplan.report.pdf_parts import ANNEX_END
from heatplan.report.potentials import groups
from heatplan.report.scenario import value_text
from heatplan.report.sources import reference_sources
from heatplan.steps.measures import add_progress, list_measures, load_demo_catalogue
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
    assert html.count("<svg") >= 4  # charts are inline SVG ...
    # ... maps PNG images in the file itself (density, line density, potentials, areas); each
    # area profile's locator is one shared base image (in the CSS once) under its own mark
    profiles = html.count('class="profile"')
    images = html.count('<img class="map" src="data:image/png;base64,')
    assert profiles >= 1 and images >= 3
    assert html.count('<div class="locator"') == profiles
    assert html.count("data:image/png;base64,") == images + 1
    assert "Noch keine Maßnahmen erfasst." in html
    assert "© OpenStreetMap" not in html  # Schutterwald's data are not from OSM
    assert "Kisse et al. (2020)" in html  # ...but from pandapipes (attribution page)


def test_maps_are_printed_at_no_less_than_the_print_resolution(reports: dict[str, Any]) -> None:
    html = reports["no_measures"]["text"]
    found = re.findall(
        r'<img class="map" src="data:image/png;base64,([^"]+)"[^>]*style="width: ([0-9.]+)mm"',
        html,
    )
    sheet = re.search(r"\.locator \{ width: ([0-9.]+)mm;.*?base64,([^)]+)\)", html)
    assert len(found) >= 3 and sheet is not None
    assert "figure img { max-width: 100%" in html.replace("figure svg, ", "")
    for data, width_mm in [*found, (sheet.group(2), sheet.group(1))]:
        with Image.open(io.BytesIO(base64.b64decode(data))) as png:
            columns = png.size[0]
        # pixels across the printed width [dpi]; the page (170 mm text width) can only shrink
        # a map (max-width: 100 %), which raises it
        assert columns / (float(width_mm) / 25.4) == pytest.approx(MAP_DPI, abs=1)


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
        profile = html[start : end if end > 0 else html.index(ANNEX_END)]
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
    assert "Kennzahlen der Gemeinde gegenüber Plan und Zielpfad" in html


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


# --- issue 17: German document, potentials, Steckbriefe, contents, yearly report ------------
#: Words of the former bilingual headings and English codes that must not reach a reader.
ENGLISH = (
    "Inventory",
    "Potentials",
    "Target scenario",
    "Supply areas",
    "Strategy and measures",
    "Sources and attribution",
    "Procedure",
    "Implementation report",
    "unknown",
    "True",
    "False",
    "air_heat_pump",
    "final_energy",
    "ground_probes",
    "regional estimate",
)
#: What every Maßnahmensteckbrief states (WPG Anlage 2: steps, dates, costs, who pays, effect).
SHEET_FIELDS = (
    "Zeitraum",
    "Investition [EUR]",
    "Kostenträger",
    "Finanzierung und Förderung",
    "Verantwortlich",
    "Erwartete Wirkung",
    "Status",
    "Monitoring-Indikator",
)
#: A code or raw column name: lower-case words joined by underscores.
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _visible(html: str) -> str:
    """The text a reader sees: no style, no SVG, no tags; the data sources page left out
    (it names the imported files)."""
    html = re.sub(r"<style>.*?</style>|<svg.*?</svg>", "", html, flags=re.DOTALL)
    html = html[: html.index('id="quellen"')]
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("key", ["public", "internal", "year"])
def test_reports_are_german_only(reports: dict[str, Any], key: str) -> None:
    text = _visible(reports[key]["text"])
    found = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    assert not found, found
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert "subtitle-en" not in reports[key]["text"]


def test_one_steckbrief_per_measure(reports: dict[str, Any]) -> None:
    html = reports["public"]["text"]
    measures = list_measures(reports["project"], public=True)
    assert html.count('class="measure-sheet"') == len(measures)
    for m in measures:
        start = html.index(f'id="massnahme-{m["measure_id"]}"')
        end = html.find('class="measure-sheet"', start + 10)
        sheet = html[start : end if end > 0 else html.index('id="quellen"')]
        for field in SHEET_FIELDS:
            assert f"<td>{field}</td>" in sheet, (m["measure_id"], field)
        if m.get("cost_eur") is not None:
            assert f"<td>{number(m['cost_eur'])}</td>" in sheet, m["measure_id"]
        if m.get("effect_co2_t_per_a") is not None:
            assert f"{number(m['effect_co2_t_per_a'])} t CO2e/a" in sheet, m["measure_id"]
        for step in m.get("steps", []):
            assert f"<td>{step['title']}</td>" in sheet, (m["measure_id"], step["title"])


def test_potentials_name_every_group_with_the_stores_sums(reports: dict[str, Any]) -> None:
    """Every computed kind has a row whose heat equals the sum over the store's potentials
    not excluded (computed here with pandas, not with the report's code)."""
    section = _section(reports["public"]["text"], "potenziale", "zielszenario")
    rows = re.findall(r"<tr>(.*?)</tr>", section, flags=re.DOTALL)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
    potentials = open_store(str(reports["project"] / "plan.gpkg")).read("potentials")
    usable = potentials[~potentials["excluded"].astype(bool)]
    for kind, heat in usable.groupby("kind")["heat_mwh_per_a"].sum().items():
        row = [c for c in cells if len(c) > 4 and c[0] == label_de("potential_kind", kind)]
        assert len(row) == 1, kind
        assert row[0][3] == number(heat), (kind, row[0][3], heat)
        assert "Karte 2.1" in row[0][6]
    for label in groups()["label_de"]:  # the groups the plan did not quantify are named too
        assert f"<td>{label}</td>" in section, label
    assert 'id="karte-potenziale"' in section and 'href="#karte-potenziale"' in section


@pytest.mark.parametrize("key", ["public", "year"])
def test_contents_link_every_section_with_its_page(reports: dict[str, Any], key: str) -> None:
    html = reports[key]["text"]
    nav = html[html.index('<nav class="toc"') : html.index("</nav>")]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(targets) >= 5
    for target in targets:
        assert f'id="{target}"' in html, target
    css = re.sub(r"\s+", " ", html[html.index("<style>") : html.index("</style>")])
    assert re.search(r"\.toc a::after \{ content: [^}]*target-counter\(attr\(href\), page\)", css)


@pytest.mark.parametrize("key", ["public", "year"])
def test_the_bibliography_lists_only_cited_sources(reports: dict[str, Any], key: str) -> None:
    html = reports[key]["text"]
    listed = re.findall(r"<li>\[([^\]]+)\]", html[html.index("Zitierte Quellen") :])
    body = html[: html.index('id="quellen"')]
    cited = {k.strip() for group in re.findall(r"\[([A-Za-z][^\]<]*)\]", body)
             for k in group.split(";")}  # fmt: skip
    assert listed and set(listed) <= cited, set(listed) - cited
    assert len(listed) < len(reference_sources())  # not the whole library
    if key == "year":
        assert len(listed) <= 4


def _command_exists(words: list[str]) -> bool:
    command: Any = typer.main.get_command(app)
    for word in words:
        if not hasattr(command, "commands"):
            return True  # a leaf command: the rest are its arguments
        if word not in command.commands:
            return False
        command = command.commands[word]
    return True


def test_every_command_a_template_names_exists() -> None:
    templates = resources.files("heatplan.report").joinpath("templates")
    texts = [t.read_text("utf-8") for t in templates.iterdir() if t.name.endswith(".html")]
    texts += [p.read_text("utf-8") for p in Path(document.__file__).parent.glob("*.py")]
    named = re.findall(r"(?:`|<code>)heatplan ([a-z][a-z -]*?)(?:`|</code>)", "\n".join(texts))
    assert "inventory" in named  # the check sees the notices of empty sections
    for words in named:
        assert _command_exists(words.split()), words
    assert not _command_exists(["versions", "freeze"])  # the check can fail


def _row_of(html: str, caption: str, *first: str) -> tuple[str, list[str]]:
    table = html[html.index(caption) :]
    table = table[: table.index("</table>")]
    for css, row in re.findall(r'<tr(?: class="(\w+)")?>(.*?)</tr>', table, flags=re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        if cells[: len(first)] == list(first):
            return css, cells
    raise AssertionError(f"no row {first} under {caption}")


def test_yearly_report_follows_a_new_progress_entry(
    reports: dict[str, Any], tmp_path: Path
) -> None:
    """Ist and grade of a measure come from the newest entry in the store; the colours say
    worse than plan where it is."""
    project = tmp_path / "copy"
    shutil.copytree(reports["project"], project, ignore=shutil.ignore_patterns("report", "export"))
    measure = next(m for m in list_measures(project, public=True) if m["measure_id"] == "M04")
    label = "erreichte THG-Minderung [t CO2e/a]"
    caption = f"Fortschritt jeder Maßnahme gegenüber ihren eigenen Zielen am 31.12.{REPORT_YEAR}"
    start = dt.date.fromisoformat(str(measure["start_date"])[:10])
    end = dt.date.fromisoformat(str(measure["completion_date"])[:10])
    due = (
        measure["effect_co2_t_per_a"]
        * (dt.date(REPORT_YEAR, 12, 31) - start).days
        / (end - start).days
    )  # linear from start to completion, by hand
    css, before = _row_of(reports["year"]["text"], caption, "M04", measure["title"], label)
    assert before[4] == number(due) and before[5] == "45"  # the demo's entry of 45 t/a
    assert (css, before[6]) == ("behind", "hinter dem Plan")
    add_progress(project, "M04", {"entry_date": f"{REPORT_YEAR}-12-01", "co2_t_per_a": 500.0},
                 author="test")  # fmt: skip
    html = _html(run_report(project, year=REPORT_YEAR))
    css, after = _row_of(html, caption, "M04", measure["title"], label)
    assert after[5] == "500" and (css, after[6]) == ("ok", "im Plan")
    kpi = "Kennzahlen der Gemeinde gegenüber Plan und Zielpfad"
    _, town = _row_of(html, kpi, "THG-Minderung aus Maßnahmen")
    assert town[3] == number(500.0)  # Ist (Meldungen): the newest entry per measure, summed
    css, ghg = _row_of(html, kpi, "THG-Emissionen der Wärmeversorgung")
    ist, path = (float(v.replace(".", "").replace(",", ".")) for v in (ghg[2], ghg[5]))
    assert css == ("behind" if ist > path else "ok")  # more emissions than the path: not green
    assert "heatplan versions" not in html and "heatplan version freeze" not in html
