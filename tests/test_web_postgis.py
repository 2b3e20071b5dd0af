"""The web app on a PostgreSQL/PostGIS store: the same public answers, logins and edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatplan.demo.schutterwald import MUNICIPALITY
from heatplan.project.create import create_project
from heatplan.project.store import GeoPackageStore, open_store
from heatplan.steps import comments as comment_store
from heatplan.steps import web as store_io
from heatplan.web.app import create_app
from heatplan.web.auth import add_user
from web_demo import PASSWORD, STREET, WEB_MARKS, TestClient, web_demo

pytestmark = WEB_MARKS


def test_public_api_and_workspace_on_postgis(
    pg_project_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = web_demo(tmp_path_factory)
    gpkg = GeoPackageStore(source / "plan.gpkg")
    project = tmp_path / "pg"
    create_project(project, **MUNICIPALITY, store=pg_project_url)
    store = open_store(pg_project_url)
    with store.transaction(step="copy the demo") as writer:
        for name in gpkg.layers():
            if name not in ("heatplan_meta", "runs"):
                writer.write(name, gpkg.read(name))
    add_user(project, "ed", PASSWORD, "editor")
    on_pg, on_gpkg = TestClient(create_app(project)), TestClient(create_app(source))
    for layer in ("areas", "blocks", "street_segments"):
        assert (
            on_pg.get(f"/api/layers/{layer}").json() == on_gpkg.get(f"/api/layers/{layer}").json()
        )
    found = on_pg.get("/api/search", params={"q": f"{STREET} 3"}).json()["results"]
    assert found[0]["label"].startswith(f"{STREET} 3")
    revision = store_io.plan_revision(project)
    login = on_pg.post("/api/auth/login", json={"username": "ed", "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert store_io.plan_revision(project) == revision  # a login is no plan change
    headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    measure = on_pg.get("/api/workspace/measures").json()["measures"][0]
    body = {"expected_revision": measure["revision"], "changes": {"status": "delayed"}}
    path = f"/api/workspace/measures/{measure['measure_id']}"
    assert on_pg.patch(path, json=body, headers=headers).status_code == 200
    assert store_io.plan_revision(project) != revision  # a saved measure is
    assert on_pg.patch(path, json=body, headers=headers).status_code == 409
    log = store_io.read_store_table(project, "audit_log", store_io.AUDIT_COLUMNS)
    assert {"login", "measure_update"} <= set(log["action"])
    comment_store.add_comment(project, {"text": "Auf PostGIS", "area_id": "A01",
                                        "email": "pg@example.org"})  # fmt: skip
    comment_store.add_comment(project, {"text": "Hier", "lon": 7.88, "lat": 48.45})
    comments = on_pg.get("/api/workspace/comments").json()["comments"]
    assert [c["comment_id"] for c in comments] == [1, 2]
    assert (comments[0]["email"], comments[1]["lat"]) == ("pg@example.org", 48.45)
    closed = on_pg.patch("/api/workspace/comments/1", json={"status": "closed"}, headers=headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
