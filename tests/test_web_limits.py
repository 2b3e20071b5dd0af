"""Limits of the web app: body size (413), field lengths and empty progress (422), login
throttling per address+name, per account and per address (password spraying), proxies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi import FastAPI

from heatplan.measures.schema import TEXT_MAX_CHARS, TITLE_MAX_CHARS
from heatplan.web import throttle
from heatplan.web.app import create_app
from heatplan.web.auth import add_user
from heatplan.web.state import Settings
from web_demo import PASSWORD, WEB_MARKS, TestClient, web_demo

pytestmark = WEB_MARKS
WRONG = "not the password"
PROXY = "10.0.0.2"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("web-limits") / "project"
    shutil.copytree(web_demo(tmp_path_factory), target)
    for name in ("ed", "ada"):
        add_user(target, name, PASSWORD, "editor")
    return target


def _app(project: Path, **settings: object) -> FastAPI:
    return create_app(project, settings=Settings(**settings))  # type: ignore[arg-type]


def _login(client: TestClient, name: str, password: str = PASSWORD, via: str = "") -> int:
    headers = {"X-Forwarded-For": via} if via else {}
    body = {"username": name, "password": password}
    return client.post("/api/auth/login", json=body, headers=headers).status_code


def _editor(project: Path) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(_app(project))
    response = client.post("/api/auth/login", json={"username": "ed", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, {"X-CSRF-Token": response.json()["csrf_token"]}


# --- sizes -----------------------------------------------------------------------------------
def test_a_big_body_gets_413(project: Path) -> None:
    client = TestClient(_app(project, max_body_bytes=10_000))
    big = {"username": "ed", "password": "x" * 20_000}
    assert client.post("/api/auth/login", json=big).status_code == 413

    def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"x" * 1000

    response = client.post("/api/auth/login", content=chunks(),
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413


def test_a_long_title_or_text_gets_422_naming_the_field(project: Path) -> None:
    client, csrf = _editor(project)
    long_title = {"title": "T" * (TITLE_MAX_CHARS + 1), "measure_type": "other"}
    response = client.post("/api/workspace/measures", json=long_title, headers=csrf)
    assert response.status_code == 422 and "title" in response.json()["detail"]
    measure = client.get("/api/workspace/measures").json()["measures"][0]
    change = {"expected_revision": measure["revision"],
              "changes": {"description": "x" * (TEXT_MAX_CHARS + 1)}}  # fmt: skip
    path = f"/api/workspace/measures/{measure['measure_id']}"
    response = client.patch(path, json=change, headers=csrf)
    assert response.status_code == 422 and "description" in response.json()["detail"]
    fine = {"title": "T" * TITLE_MAX_CHARS, "measure_type": "other"}
    assert client.post("/api/workspace/measures", json=fine, headers=csrf).status_code == 200


def test_an_empty_progress_entry_gets_422(project: Path) -> None:
    client, csrf = _editor(project)
    path = "/api/workspace/measures/M01/progress"
    for empty in ({}, {"entry_date": "2026-05-01"}, {"comment": "   ", "network_km": None}):
        response = client.post(path, json=empty, headers=csrf)
        assert response.status_code == 422 and "empty" in response.json()["detail"], empty
    assert client.post(path, json={"comment": "Baubeginn"}, headers=csrf).status_code == 200


# --- login throttling ------------------------------------------------------------------------
def test_defaults_follow_the_cited_limits() -> None:
    assert throttle.ACCOUNT.limit <= 100  # NIST SP 800-63B § 5.2.2
    assert throttle.SOURCE.limit > throttle.PAIR.limit  # a few typos do not lock an office out


def test_spraying_many_accounts_from_one_address_is_throttled(project: Path) -> None:
    client = TestClient(_app(project, login_source_limit=6))
    for number in range(6):  # a different user name each time: the pair window never fills
        assert _login(client, f"user{number}", WRONG) == 401
    assert _login(client, "ed") == 429  # the address is blocked, even with the right password
    other = TestClient(client.app, client=("192.0.2.9", 50000))
    assert _login(other, "ed") == 200  # other addresses are not


def test_one_account_from_many_addresses_is_throttled(project: Path) -> None:
    app = _app(project, login_account_limit=6, trusted_proxies=(PROXY,))
    client = TestClient(app, client=(PROXY, 50000))
    for number in range(6):
        assert _login(client, "ada", WRONG, via=f"203.0.113.{number}") == 401
    assert _login(client, "ada", via="203.0.113.99") == 429  # the account is blocked
    assert _login(client, "ed", via="203.0.113.99") == 200  # another account is not


def test_forwarded_for_is_ignored_from_an_untrusted_peer(project: Path) -> None:
    app = _app(project, trusted_proxies=(PROXY,))
    stranger = TestClient(app, client=("198.51.100.7", 50000))
    for number in range(5):  # claims a new address each time: it does not count
        assert _login(stranger, "ada", WRONG, via=f"203.0.113.{number}") == 401
    assert _login(stranger, "ada", via="203.0.113.50") == 429


def test_forwarded_for_is_honoured_from_a_trusted_proxy(project: Path) -> None:
    app = _app(project, trusted_proxies=("10.0.0.0/8",))
    proxy = TestClient(app, client=(PROXY, 50000))
    for number in range(5):
        assert _login(proxy, "ada", WRONG, via=f"203.0.113.{number}") == 401
    assert _login(proxy, "ada", via="203.0.113.50") == 200  # each client its own pair window
    for _ in range(5):
        assert _login(proxy, "ed", WRONG, via="198.51.100.1, 203.0.113.7") == 401
    assert _login(proxy, "ed", via="192.0.2.1, 203.0.113.7") == 429  # right-most entry counts


def test_client_address_rules() -> None:
    proxies = throttle.parse_proxies(["10.0.0.0/8", "::1"])
    assert throttle.client_address("192.0.2.1", "203.0.113.1", proxies) == "192.0.2.1"
    assert throttle.client_address("10.1.1.1", "203.0.113.1", proxies) == "203.0.113.1"
    assert throttle.client_address("10.1.1.1", "6.6.6.6, 203.0.113.1, 10.2.2.2", proxies) == (
        "203.0.113.1"
    )
    assert throttle.client_address("::1", None, proxies) == "::1"
    assert throttle.client_address("10.1.1.1", "", ()) == "10.1.1.1"
    with pytest.raises(Exception, match="trusted_proxies"):
        throttle.parse_proxies(["proxy.example"])


def test_limits_are_read_from_the_web_table(project: Path, tmp_path: Path) -> None:
    config = (project / "heatplan.toml").read_text(encoding="utf-8")
    web = '\n[web]\ntrusted_proxies = ["10.0.0.0/8"]\nmax_body_bytes = 5000\n'
    web += "login_source_limit = 7\n"
    (tmp_path / "heatplan.toml").write_text(config + web, encoding="utf-8")
    settings = Settings.from_project(tmp_path)
    assert settings.trusted_proxies == ("10.0.0.0/8",)
    assert (settings.max_body_bytes, settings.login_source_limit) == (5000, 7)
    assert settings.login_account_limit == throttle.ACCOUNT.limit
    (tmp_path / "heatplan.toml").write_text(config + '[web]\ntrusted_proxies = "::1"\n', "utf-8")
    assert Settings.from_project(tmp_path).trusted_proxies == ("::1",)
