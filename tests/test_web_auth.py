"""The planners' workspace: roles on every editing route, CSRF, rate limit, sessions, audit."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from heatplan.cli import app as cli
from heatplan.web.app import create_app
from heatplan.web.auth import add_user
from heatplan.web.state import Settings
from web_demo import PASSWORD, WEB_MARKS, TestClient, web_demo

pytestmark = WEB_MARKS


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("web-auth") / "project"
    shutil.copytree(web_demo(tmp_path_factory), target)
    for name, role in (("vera", "viewer"), ("ed", "editor"), ("ada", "admin")):
        add_user(target, name, PASSWORD, role)
    return target


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def app(project: Path, clock: Clock) -> FastAPI:
    return create_app(project, settings=Settings(session_minutes=30, clock=clock))


def _login(app: FastAPI, name: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    response = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"]


def _measure(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/api/workspace/measures").json()["measures"][0])


#: (method, path, JSON body) of every route that changes something.
EDITS: list[tuple[str, str, Any]] = [
    ("POST", "/api/workspace/measures", {"title": "Test", "measure_type": "other"}),
    ("PATCH", "/api/workspace/measures/M01", {"expected_revision": 1, "changes": {"status": "x"}}),
    ("POST", "/api/workspace/measures/M01/progress", {"entry_date": "2026-01-01"}),
    ("POST", "/api/workspace/steps/nosuchstep", None),
]


@pytest.mark.parametrize(("method", "path", "body"), EDITS)
def test_anonymous_gets_401(app: FastAPI, method: str, path: str, body: Any) -> None:
    response = TestClient(app).request(method, path, json=body)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), EDITS)
def test_viewer_gets_403(app: FastAPI, method: str, path: str, body: Any) -> None:
    client, csrf = _login(app, "vera")
    response = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), EDITS)
def test_editor_without_csrf_gets_403(app: FastAPI, method: str, path: str, body: Any) -> None:
    client, csrf = _login(app, "ed")
    assert client.request(method, path, json=body).status_code == 403
    wrong = {"X-CSRF-Token": csrf[::-1]}
    assert client.request(method, path, json=body, headers=wrong).status_code == 403


def test_reading_needs_a_login_and_the_audit_log_an_admin(app: FastAPI) -> None:
    anonymous = TestClient(app)
    assert anonymous.get("/api/workspace/measures").status_code == 401
    assert anonymous.get("/api/workspace/buildings").status_code == 401
    viewer, _ = _login(app, "vera")
    buildings = viewer.get("/api/workspace/buildings", params={"bbox": "7.87,48.45,7.88,48.46"})
    assert buildings.status_code == 200
    features = buildings.json()["features"]
    assert features and "heat_demand_kwh_per_a" in features[0]["properties"]
    assert viewer.get("/api/workspace/audit").status_code == 403
    admin, _ = _login(app, "ada")
    assert admin.get("/api/workspace/audit").status_code == 200


def test_editor_updates_a_measure_and_conflicts_are_409(app: FastAPI, project: Path) -> None:
    client, csrf = _login(app, "ed")
    headers = {"X-CSRF-Token": csrf}
    measure = _measure(client)
    path = f"/api/workspace/measures/{measure['measure_id']}"
    body = {"expected_revision": measure["revision"], "changes": {"status": "delayed"}}
    response = client.patch(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["revision"] == measure["revision"] + 1
    stale = client.patch(path, json=body, headers=headers)  # the same old revision again
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    progress = client.post(f"{path}/progress", headers=headers,
                           json={"entry_date": "2026-03-01", "status": "in_progress",
                                 "comment": "Ausschreibung läuft"})  # fmt: skip
    assert progress.status_code == 200, progress.text
    log = pyogrio.read_dataframe(project / "plan.gpkg", layer="audit_log")
    mine = log[log["username"] == "ed"]
    assert {"login", "measure_update", "progress_add"} <= set(mine["action"])


def test_editor_reruns_a_step(app: FastAPI) -> None:
    client, csrf = _login(app, "ed")
    started = client.post("/api/workspace/steps/classify", headers={"X-CSRF-Token": csrf})
    assert started.status_code == 200
    job = started.json()["job"]
    state: dict[str, Any] = {"status": "running"}
    for _ in range(600):
        state = client.get(f"/api/workspace/jobs/{job}").json()
        if state["status"] != "running":
            break
        time.sleep(0.5)
    assert state["status"] == "done", state
    listed = client.get("/api/workspace/steps").json()  # what the workspace shows
    assert {s["step"] for s in listed["steps"]} == {"areas", "classify", "scenario", "report"}
    assert any(j["job"] == job and j["status"] == "done" for j in listed["jobs"])
    assert client.post("/api/workspace/steps/nosuchstep",
                       headers={"X-CSRF-Token": csrf}).status_code == 404  # fmt: skip


def test_login_is_rate_limited_per_client_and_user(app: FastAPI) -> None:
    client = TestClient(app)
    for _ in range(5):
        bad = client.post("/api/auth/login", json={"username": "ada", "password": "wrong!!!"})
        assert bad.status_code == 401
    blocked = client.post("/api/auth/login", json={"username": "ada", "password": PASSWORD})
    assert blocked.status_code == 429
    other = client.post("/api/auth/login", json={"username": "vera", "password": PASSWORD})
    assert other.status_code == 200  # another user name is not blocked


def test_sessions_expire_and_end_on_logout(app: FastAPI, clock: Clock, project: Path) -> None:
    client, csrf = _login(app, "vera")
    assert client.get("/api/auth/me").status_code == 200
    clock.now += 31 * 60
    assert client.get("/api/auth/me").status_code == 401
    clock.now -= 31 * 60
    client, csrf = _login(app, "vera")
    token = client.cookies.get("heatplan_session")
    sessions = pyogrio.read_dataframe(project / "plan.gpkg", layer="sessions")
    assert token and token not in set(sessions["token_hash"])  # only hashes are stored
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    client.cookies.set("heatplan_session", token)
    assert client.get("/api/auth/me").status_code == 401


def test_unknown_user_and_disabled_login(app: FastAPI) -> None:
    client = TestClient(app)
    response = client.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD})
    assert response.status_code == 401


def test_cli_adds_users_with_the_password_from_the_environment(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["users", "add", str(project), "carla", "--role", "editor", "--json"],
        env={"HEATPLAN_PASSWORD": "another good one"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["users", "list", str(project), "--json"])
    assert '"carla"' in listed.stdout and "another good one" not in listed.stdout
    bad = runner.invoke(cli, ["users", "add", str(project), "x", "--role", "boss"],
                        env={"HEATPLAN_PASSWORD": "another good one"})  # fmt: skip
    assert bad.exit_code == 1 and "--role" in bad.output
    users = pyogrio.read_dataframe(project / "plan.gpkg", layer="users")
    assert users["password_hash"].str.startswith("$argon2id$").all()


def test_a_change_waits_for_a_step_holding_the_lock(app: FastAPI, project: Path) -> None:
    client, csrf = _login(app, "ed")
    measure = _measure(client)
    lock = project / "plan.gpkg.lock"
    lock.write_text("classify 1\n", encoding="utf-8")  # another step is running
    release = threading.Timer(1.0, lambda: lock.unlink(missing_ok=True))
    release.start()
    try:
        response = client.patch(
            f"/api/workspace/measures/{measure['measure_id']}",
            json={"expected_revision": measure["revision"], "changes": {"status": "in_progress"}},
            headers={"X-CSRF-Token": csrf},
        )
    finally:
        release.join()
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_progress"
