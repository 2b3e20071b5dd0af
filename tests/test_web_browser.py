"""The map in a real browser (Debian's headless chromium through Playwright, no download).

Loads the map, searches an address, opens its fact sheet, takes a screenshot and checks the
map canvas shows something. Skips when chromium or the front-end bundle is missing — except
under CI (``CI=true``), where a missing browser or bundle is a failure.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from heatplan.web.app import bundle_missing, create_app
from web_demo import STREET, web_demo

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not installed (apt-get install chromium)"
    return bundle_missing()


def _require_browser() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    project = tmp_path_factory.mktemp("web-browser") / "project"
    shutil.copytree(web_demo(tmp_path_factory), project)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(project), host="127.0.0.1", port=port, log_level="error")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(600):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)


def _coloured_pixels(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    background = max(colours)[1] if colours else None
    return sum(count for count, colour in colours if colour != background)


def test_map_search_and_fact_sheet(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server + "/", wait_until="domcontentloaded")
            page.wait_for_selector("body[data-loaded='true']", timeout=60_000)
            page.wait_for_timeout(1000)  # let the areas render after their data arrived
            assert page.locator("#title").inner_text() == "Kommunale Wärmeplanung Schutterwald"
            page.fill("#search", f"{STREET} 3")
            page.wait_for_selector("#results button.result", timeout=30_000)
            page.locator("#results button.result").first.click()
            sheet = page.locator("#factsheet")
            sheet.wait_for(state="visible", timeout=30_000)
            assert f"{STREET} 3" in sheet.inner_text()
            assert "Begründung" in sheet.inner_text()
            page.click("#lang")
            assert "Reason" in sheet.inner_text()
            shot = tmp_path / "map.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            canvas = page.locator("#map canvas").screenshot()
            assert _coloured_pixels(canvas) > 1000, "the map canvas is empty"
            assert not errors, errors
        finally:
            browser.close()
