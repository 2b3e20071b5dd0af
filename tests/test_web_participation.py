"""Comments on the draft during its public display (WPG § 13), the fact sheet for a year, the
label vocabulary and the measures layer — through the API on the real Schutterwald demo.

Privacy: a commenter's name and e-mail address reach only logged-in staff, never a public
answer; the comments stay in the project store (the plan's record) and export as CSV/XLSX.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from heatplan.cli import app as cli
from heatplan.errors import HeatplanError
from heatplan.plan import columns as col
from heatplan.steps import comments as comment_store
from heatplan.steps.web import plan_revision
from heatplan.web.app import create_app
from heatplan.web.auth import add_user
from heatplan.web.participation import min_display_days
from heatplan.web.state import Settings
from web_demo import PASSWORD, WEB_MARKS, TestClient, web_demo

pytestmark = WEB_MARKS
NAME = "Erika Mustermann-Quelle"
EMAIL = "erika.quelle@example.org"
#: Comments one address may send in the tests' window (small, to reach the limit quickly).
PER_WINDOW = 3
DAY_S = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("web-participation") / "project"
    shutil.copytree(web_demo(tmp_path_factory), target)
    for name, role in (("vera", "viewer"), ("ed", "editor")):
        add_user(target, name, PASSWORD, role)
    return target


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


def _period(clock: Clock, days: int) -> tuple[str, str]:
    """A display period of ``days`` days (both included) around the clock's today."""
    today = dt.datetime.fromtimestamp(clock.now).date()
    start = today - dt.timedelta(days=2)
    return start.isoformat(), (start + dt.timedelta(days=days - 1)).isoformat()


@pytest.fixture(scope="module")
def app(project: Path, clock: Clock) -> FastAPI:
    start, end = _period(clock, min_display_days())
    settings = Settings(participation_start=start, participation_end=end,
                        comments_per_window=PER_WINDOW, clock=clock)  # fmt: skip
    return create_app(project, settings=settings)


def _login(app: FastAPI, name: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    response = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"]


def _public_texts(client: TestClient) -> dict[str, str]:
    """Every public GET answer a visitor can ask for (the map, the fact sheets, the layers)."""
    paths = ["/api/meta", "/api/participation", "/api/measures", "/api/measures/geojson",
             "/api/areas", "/api/areas/A03", "/areas/A03", "/api/labels", "/api/legend",
             "/api/search?q=A03", "/api/factsheet?key=g:A03&year=2045"]  # fmt: skip
    layers = {layer["source"] for layer in client.get("/api/meta").json()["layers"]}
    paths += [f"/api/layers/{layer}" for layer in sorted(layers)]
    return {path: client.get(path).text for path in paths}


def test_a_comment_reaches_editors_but_never_the_public(app: FastAPI, project: Path) -> None:
    public = TestClient(app)
    revision = plan_revision(project)
    body = {"text": "Bitte Abwärme prüfen.", "area_id": "A03", "lon": 7.87, "lat": 48.45,
            "name": NAME, "email": EMAIL}  # fmt: skip
    response = public.post("/api/comments", json=body)
    assert response.status_code == 200, response.text
    assert NAME not in response.text and EMAIL not in response.text
    comment_id = response.json()["comment_id"]
    leaks = {p: t for p, t in _public_texts(public).items() if NAME in t or EMAIL in t}
    assert not leaks, f"name or e-mail in public answers: {sorted(leaks)}"
    assert public.get("/api/workspace/comments").status_code == 401
    editor, _ = _login(app, "ed")
    listed = editor.get("/api/workspace/comments").json()["comments"]
    mine = next(c for c in listed if c["comment_id"] == comment_id)
    assert (mine["name"], mine["email"], mine["area_id"]) == (NAME, EMAIL, "A03")
    stored = comment_store.comment_frame(project)
    assert EMAIL in set(stored["email"])  # the plan's record, in the project store
    assert plan_revision(project) == revision  # a comment is no new public edition


def test_editors_answer_and_close_and_viewers_cannot(app: FastAPI) -> None:
    public = TestClient(app)
    made = public.post("/api/comments", json={"text": "Wann kommt das Netz?", "area_id": "A01"})
    comment_id = made.json()["comment_id"]
    viewer, viewer_csrf = _login(app, "vera")
    refused = viewer.patch(f"/api/workspace/comments/{comment_id}", json={"status": "closed"},
                           headers={"X-CSRF-Token": viewer_csrf})  # fmt: skip
    assert refused.status_code == 403
    editor, csrf = _login(app, "ed")
    no_token = editor.patch(f"/api/workspace/comments/{comment_id}", json={"status": "closed"})
    assert no_token.status_code == 403
    url = f"/api/workspace/comments/{comment_id}"
    answered = editor.patch(url, json={"answer": "Nicht vor 2035."},
                            headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert answered.json()["status"] == "answered"
    closed = editor.patch(url, json={"status": "closed"}, headers={"X-CSRF-Token": csrf})
    assert (closed.json()["status"], closed.json()["answer"]) == ("closed", "Nicht vor 2035.")
    assert closed.json()["answered_by"] == "ed"


def test_the_record_exports_as_csv_and_xlsx(app: FastAPI, project: Path, tmp_path: Path) -> None:
    TestClient(app).post("/api/comments", json={"text": "Export, bitte", "area_id": "A02",
                                                "email": EMAIL})  # fmt: skip
    editor, _ = _login(app, "ed")
    listed = editor.get("/api/workspace/comments").json()["comments"]
    csv = editor.get("/api/workspace/comments/export", params={"fmt": "csv"})
    assert csv.status_code == 200
    frame = pd.read_csv(io.StringIO(csv.content.decode("utf-8-sig")), sep=";")
    assert list(frame.columns[:2]) == ["Nr.", "Eingegangen (UTC)"]
    assert len(frame) == len(listed) and EMAIL in set(frame["E-Mail"])
    xlsx = editor.get("/api/workspace/comments/export", params={"fmt": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Stellungnahmen"]
    assert sheet.freeze_panes == "A2" and sheet.max_row == len(listed) + 1
    assert TestClient(app).get("/api/workspace/comments/export").status_code == 401
    target = tmp_path / "stellungnahmen.xlsx"
    result = CliRunner().invoke(cli, ["comments", "export", str(project), "--out", str(target),
                                      "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    exported = pd.read_excel(target, sheet_name="Stellungnahmen")
    assert len(exported) == len(listed) and EMAIL in set(exported["E-Mail"])


def test_comments_are_rate_limited_per_address(project: Path, clock: Clock) -> None:
    start, end = _period(clock, min_display_days())
    settings = Settings(participation_start=start, participation_end=end,
                        comments_per_window=PER_WINDOW, clock=clock)  # fmt: skip
    client = TestClient(create_app(project, settings=settings))
    codes = [
        client.post("/api/comments", json={"text": f"Nr. {i}", "area_id": "A05"}).status_code
        for i in range(PER_WINDOW + 1)
    ]
    assert codes == [200] * PER_WINDOW + [429]


def test_outside_the_display_the_form_is_closed(project: Path, clock: Clock) -> None:
    start, end = _period(clock, min_display_days())
    later = Clock()
    later.now = clock.now + (min_display_days() + 5) * DAY_S
    client = TestClient(create_app(project, settings=Settings(
        participation_start=start, participation_end=end, clock=later)))  # fmt: skip
    status = client.get("/api/participation").json()
    assert status["open"] is False and "endete am" in status["message"]["de"]
    refused = client.post("/api/comments", json={"text": "zu spät", "area_id": "A01"})
    assert refused.status_code == 403
    assert "nur während der öffentlichen Auslegung" in refused.json()["detail"]
    unset = TestClient(create_app(project, settings=Settings(clock=clock)))
    assert unset.get("/api/participation").json()["open"] is False


def test_a_display_shorter_than_the_law_allows_is_refused(project: Path, clock: Clock) -> None:
    start, end = _period(clock, min_display_days() - 1)
    with pytest.raises(HeatplanError, match="at least 30 days"):
        create_app(project, settings=Settings(participation_start=start, participation_end=end))


def test_fact_sheet_speaks_of_the_selected_year(app: FastAPI) -> None:
    client = TestClient(app)
    areas = client.get("/api/areas").json()["areas"]
    area = next(a for a in areas if a[col.AREA_ID] == "A07")
    for year in (2030, 2045):
        sheet = client.get("/api/factsheet", params={"key": "g:A07", "year": year}).json()
        assert sheet["year"] == year
        assert f"im Jahr {year}" in sheet["summary"]["de"]
        assert "Gebiet A07 (A07)" not in sheet["summary"]["de"]
        text = " ".join(sheet[k]["de"] for k in ("summary", "expect", "reason"))
        assert "Bewertung" not in text and "§ 18 -" not in text  # no internal scores
        assert f"{area['buildings']} Gebäude" in sheet["reason"]["de"]  # the released count
        assert "Luft-Wärmepumpe" in sheet["expect"]["de"]  # the options by their German names
    assert client.get("/api/factsheet", params={"key": "g:A07"}).json()["year"] == 2045


def test_every_code_on_the_areas_layer_has_a_german_label(app: FastAPI) -> None:
    client = TestClient(app)
    vocabulary = client.get("/api/labels").json()
    demand = vocabulary["fields"]["heat_demand_kwh_per_a"]
    assert (demand["de"], demand["unit"], demand["factor"]) == ("Wärmebedarf", "MWh/a", 0.001)
    areas = client.get("/api/areas").json()["areas"]
    columns = [c for c in areas[0] if c.startswith(("area_type_", "likelihood_"))]
    codes = {str(a[c]) for a in areas for c in [*columns, "heat_density_class", "best_decentral"]}
    missing = sorted(c for c in codes if c not in vocabulary["codes"])
    assert not missing
    assert "low_temperature_existing" in vocabulary["codes"]


def test_measures_layer_holds_only_public_fields(app: FastAPI) -> None:
    client = TestClient(app)
    features = client.get("/api/measures/geojson").json()["features"]
    public = {m["measure_id"]: m for m in client.get("/api/measures").json()["measures"]}
    with_areas = {k for k, m in public.items() if m.get("area_ids")}
    assert {f["properties"]["measure_id"] for f in features} == with_areas
    allowed = {"measure_id", "title", "measure_type", "status", "status_de", "start_date",
               "completion_date", col.AREA_ID}  # fmt: skip
    for feature in features:
        props: dict[str, Any] = feature["properties"]
        assert set(props) <= allowed
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert props[col.AREA_ID].split(", ") == public[props["measure_id"]]["area_ids"]
