"""The public edition: built once per plan revision, off the request path, swapped atomically.

A login, logout or audit entry is not a plan change (no rebuild); a measure saved in the
workspace is (exactly one rebuild), and requests during that build get the old edition.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from heatplan.steps import web as store_io
from heatplan.web.app import create_app
from heatplan.web.auth import add_user
from heatplan.web.edition import DownloadFolders, Edition, EditionBuilder, EditionNotReady
from heatplan.web.public_data import PublicData, load_public
from web_demo import PASSWORD, WEB_MARKS, TestClient, web_demo

pytestmark = WEB_MARKS
WAIT_S = 300.0  # generous bound for a loaded CI machine (a bound, not a measured time)


class Gate:
    """A public-data loader that counts its builds and can be held until released."""

    def __init__(self) -> None:
        self.builds = 0
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, project_dir: Path) -> PublicData:
        self.started.set()
        assert self.release.wait(WAIT_S)
        data = load_public(project_dir)
        self.builds += 1
        return data


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("web-edition") / "project"
    shutil.copytree(web_demo(tmp_path_factory), target)
    add_user(target, "ed", PASSWORD, "editor")
    return target


def _login(client: TestClient) -> str:
    response = client.post("/api/auth/login", json={"username": "ed", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def _public_titles(client: TestClient) -> dict[str, Any]:
    return {m["measure_id"]: m["title"] for m in client.get("/api/measures").json()["measures"]}


def test_login_is_no_plan_change_and_a_save_rebuilds_once(project: Path) -> None:
    gate = Gate()
    app = create_app(project, load=gate)
    state = app.state.heatplan
    public, editor = TestClient(app), TestClient(app)
    before = _public_titles(public)
    assert gate.builds == 1 and before
    revision = store_io.plan_revision(project)
    csrf = _login(editor)
    assert editor.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    csrf = _login(editor)
    assert store_io.plan_revision(project) == revision  # the store changed, the plan did not
    state.invalidate()
    assert state.editions.wait_idle(WAIT_S)
    assert gate.builds == 1

    gate.release.clear()
    measure_id = sorted(before)[0]
    measure = editor.get("/api/workspace/measures").json()["measures"]
    revision_no = next(m["revision"] for m in measure if m["measure_id"] == measure_id)
    saved = editor.patch(
        f"/api/workspace/measures/{measure_id}",
        json={"expected_revision": revision_no, "changes": {"title": "Neuer Titel"}},
        headers={"X-CSRF-Token": csrf},
    )
    assert saved.status_code == 200, saved.text
    assert gate.started.wait(WAIT_S)
    assert _public_titles(public) == before  # the old edition while the new one is built
    assert public.get("/api/layers/areas").status_code == 200
    gate.release.set()
    assert state.editions.wait_idle(WAIT_S)
    assert gate.builds == 2
    assert _public_titles(public)[measure_id] == "Neuer Titel"
    state.invalidate()
    assert state.editions.wait_idle(WAIT_S)
    assert gate.builds == 2  # nothing changed since: no build


def test_old_download_folders_are_removed(tmp_path: Path) -> None:
    downloads = DownloadFolders(tmp_path)
    data = PublicData("t", [2045], 2045, {}, pd.DataFrame(), pd.DataFrame())
    for version in ("r1-a", "r2-b", "r3-c"):
        downloads.folder(version).mkdir(parents=True)
        downloads.edition_changed(Edition(version, data))
    left = sorted(p.name for p in downloads.root.iterdir())
    assert left == ["r2-b", "r3-c"]  # the current edition and the one before


def test_the_first_edition_is_waited_for_with_a_bound(project: Path) -> None:
    gate = Gate()
    gate.release.clear()
    builder = EditionBuilder(project, load=gate)
    with pytest.raises(EditionNotReady):
        builder.current(wait_s=0.2)  # a bound on waiting, not a measured time
    gate.release.set()
    assert builder.current(wait_s=WAIT_S).data.title
    assert builder.wait_idle(WAIT_S) and gate.builds == 1
