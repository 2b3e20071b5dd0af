"""The map in a real browser (Debian's headless chromium through Playwright, no download).

Loads the map, searches an address, opens its fact sheet, takes a screenshot and checks the
map canvas shows something; the fact sheet follows the selected year and keeps clear of the map
controls on a desktop and a phone screen; a comment on the draft (WPG § 13) reaches the editor
but its e-mail no public answer; an editor creates a measure and logs out. Skips when chromium
or the front-end bundle is missing — except under CI (``CI=true``), where a missing browser or
bundle is a failure.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from heatplan.web.app import bundle_missing, create_app
from heatplan.web.auth import add_user
from heatplan.web.participation import min_display_days
from web_demo import PASSWORD, STREET, web_demo

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
    start = dt.date.today() - dt.timedelta(days=1)  # the draft is on display (WPG § 13)
    end = start + dt.timedelta(days=min_display_days() + 1)
    with (project / "heatplan.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[web]\nparticipation_start = "{start}"\nparticipation_end = "{end}"\n')
    add_user(project, "ed", PASSWORD, "editor")
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


#: Viewports of the layout check [px]: a laptop and a phone (iPhone 12-15 CSS size).
VIEWPORTS = ((1280, 800), (390, 844))
EMAIL = "anwohnerin.browser@example.org"


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _map_page(browser: Any, server: str, width: int, height: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server + "/", wait_until="domcontentloaded")
    page.wait_for_selector("body[data-loaded='true']", timeout=60_000)
    return page


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_fact_sheet_for_the_selected_year_clears_the_controls(
    browser: Any, server: str, width: int, height: int
) -> None:
    page = _map_page(browser, server, width, height)
    page.select_option("#year", "2035")
    page.fill("#search", "A07")
    page.locator("#results button.result").first.click()
    summary = page.locator("#factsheet-summary")
    summary.wait_for(state="visible", timeout=30_000)
    assert "im Jahr 2035" in summary.inner_text()
    page.select_option("#year", "2045")
    page.wait_for_selector("#factsheet[data-year='2045']", timeout=30_000)
    assert "im Jahr 2045 (Zieljahr)" in summary.inner_text()
    sheet = page.locator("#factsheet").bounding_box()
    controls = [".maplibregl-ctrl-zoom-in", ".maplibregl-ctrl-zoom-out", ".maplibregl-ctrl-scale",
                ".maplibregl-ctrl-attrib"]  # fmt: skip
    for selector in controls:
        box = page.locator(selector).bounding_box()
        assert box is not None and sheet is not None
        assert not _overlap(sheet, box), f"the fact sheet covers {selector} at {width}x{height}"
    page.close()


def test_a_comment_reaches_the_editor_but_its_email_stays_private(
    browser: Any, server: str
) -> None:
    page = _map_page(browser, server, 1280, 800)
    page.select_option("#comment-form select[name=area_id]", "A03")
    page.fill("#comment-form textarea[name=text]", "Bitte die Abwärme der Firma prüfen.")
    page.fill("#comment-form input[name=email]", EMAIL)
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector("#comment-result.ok", timeout=30_000)
    paths = ["/api/participation", "/api/measures", "/api/areas", "/api/areas/A03",
             "/api/factsheet?key=g:A03", "/api/layers/areas", "/api/measures/geojson"]  # fmt: skip
    for path in paths:
        assert EMAIL not in page.request.get(server + path).text(), path
    page.goto(server + "/workspace")
    page.fill("#login input[name=username]", "ed")
    page.fill("#login input[name=password]", PASSWORD)
    page.click("#login button")
    page.wait_for_selector("#comments tr[data-id]", timeout=30_000)
    assert EMAIL in page.locator("#comments").inner_text()
    page.close()


def test_an_editor_creates_a_measure_and_logs_out(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server + "/workspace")
    page.fill("#login input[name=username]", "ed")
    page.fill("#login input[name=password]", PASSWORD)
    page.click("#login button")
    page.wait_for_selector("#measures tr[data-id]", timeout=30_000)
    assert "in Umsetzung" in page.locator("#measures").inner_text()  # statuses in German
    page.click("#new-measure")
    page.fill("#measure-form input[name=title]", "Informationsabend Heizungstausch")
    page.fill("#measure-form input[name=area_ids]", "A03")
    page.click("#measure-form button[type=submit]")
    page.wait_for_selector("#measure-msg.ok", timeout=30_000)
    assert "Informationsabend Heizungstausch" in page.locator("#measures").inner_text()
    page.click("#logout")
    page.wait_for_selector("#login:not([hidden])", timeout=30_000)
    assert page.request.get(server + "/api/auth/me").status == 401
    page.close()


def test_area_ids_label_the_map_inside_their_areas(browser: Any, server: str) -> None:
    """Each supply area carries its id on the map, placed inside its own polygon."""
    page = _map_page(browser, server, 1280, 800)
    page.wait_for_selector(".area-label", timeout=30_000)
    found = page.evaluate(
        """() => {
          const map = window.heatplanMap;
          return [...document.querySelectorAll('.area-label')].map((el) => {
            const box = el.getBoundingClientRect();
            const canvas = map.getCanvas().getBoundingClientRect();
            const point = [box.x + box.width / 2 - canvas.x, box.y + box.height / 2 - canvas.y];
            const hit = map.queryRenderedFeatures(point, { layers: ['areas-fill'] });
            return [el.textContent, hit.map((f) => f.properties.area_id)];
          });
        }"""
    )
    labels = [text for text, _ in found]
    assert len(labels) == len(set(labels)) >= 13
    for text, under in found:
        assert text in under, f"label {text} lies over {under}"
    page.close()
