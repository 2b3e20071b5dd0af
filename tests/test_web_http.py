"""HTTP behaviour of the web map: gzip, ETags and 304, size limits, /docs without a CDN."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest

from ci import required
from heatplan.web.app import bundle_missing, create_app
from web_demo import WEB_MARKS, TestClient, web_demo

pytestmark = WEB_MARKS
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("web-http") / "project"
    shutil.copytree(web_demo(tmp_path_factory), target)
    return target


@pytest.fixture(scope="module")
def client(project: Path) -> TestClient:
    return TestClient(create_app(project))


def _raw(
    client: TestClient, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the body as sent (not decoded by the client)."""
    with client.stream("GET", path, headers=headers) as response:
        body = b"".join(response.iter_raw())
        return response.status_code, dict(response.headers), body


def test_layers_are_gzipped_when_asked(client: TestClient) -> None:
    status, headers, body = _raw(client, "/api/layers/areas", GZIP)
    assert status == 200 and headers["content-encoding"] == "gzip"
    plain = client.get("/api/layers/areas", headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(body) == plain.content
    assert len(body) < len(plain.content) / 3
    assert "Accept-Encoding" in headers["vary"]


def test_json_answers_are_gzipped(client: TestClient) -> None:
    status, headers, body = _raw(client, "/api/legend", GZIP)
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body).startswith(b"{")


def test_layer_etag_answers_304(client: TestClient) -> None:
    first = client.get("/api/layers/areas?zoom=12", headers=GZIP)
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/api/layers/areas?zoom=12", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/layers/areas?zoom=16", headers={"If-None-Match": etag})
    assert other.status_code == 200  # another view, another tag


def test_download_etag_answers_304(client: TestClient) -> None:
    first = client.get("/api/downloads/xlsx")
    assert first.status_code == 200 and first.content[:2] == b"PK"
    assert "content-encoding" not in first.headers  # zip-based: sent as it is
    again = client.get("/api/downloads/xlsx", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@required(bundle_missing(), "scripts/bootstrap.sh builds the front end")
def test_bundle_is_gzipped_once_and_revalidated(client: TestClient) -> None:
    status, headers, body = _raw(client, "/static/dist/main.js", GZIP)
    assert status == 200 and headers["content-encoding"] == "gzip"
    plain = client.get("/static/dist/main.js", headers=IDENTITY)
    assert gzip.decompress(body) == plain.content and len(body) < len(plain.content) / 2
    again = client.get("/static/dist/main.js", headers={**GZIP, "If-None-Match": headers["etag"]})
    assert again.status_code == 304


def test_docs_load_nothing_from_other_hosts(client: TestClient) -> None:
    page = client.get("/docs")
    if page.status_code == 503:  # the front end (with swagger-ui) is not built
        assert "build_frontend.sh" in page.json()["detail"]
        return
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert not re.search(r"https?://", page.text), "an absolute URL in /docs"
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/redoc").status_code == 404
