"""The web map draws the areas in the palette of ``data/map_styles.csv`` (headless chromium).

The legend of the areas layer lists every WPG type in its palette colour and the four
likelihood grades with their shading; the canvas shows the decentral colour blended at the
opacity of the grades the demo's areas have (the same shading as the report's area maps).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from heatplan.reference.map_styles import map_style
from heatplan.web.legend import likelihood_shading
from test_web_browser import ARGS, CHROMIUM, server

pytestmark = pytest.mark.slow
__all__ = ["server"]  # the running map, shared with test_web_browser
#: Channel tolerance of a blended fill on the canvas (anti-aliasing, 8-bit rounding) [0-255].
CHANNEL_TOL = 6


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _blend(fill: str, background: str, opacity: float) -> tuple[int, ...]:
    top, under = _rgb(fill), _rgb(background)
    return tuple(round(opacity * t + (1 - opacity) * u) for t, u in zip(top, under, strict=True))


def _near(png: bytes, colour: tuple[int, ...]) -> int:
    """Pixels of ``png`` within :data:`CHANNEL_TOL` of ``colour``."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 22) or []
        if max(abs(a - b) for a, b in zip(pixel, colour, strict=True)) <= CHANNEL_TOL
    )


def test_areas_legend_and_shading_follow_the_palette(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    types = map_style("area_type")
    shading = {i["value"]: i["opacity"] for i in likelihood_shading()["items"]}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(server + "/", wait_until="domcontentloaded")
            page.wait_for_selector("body[data-loaded='true']", timeout=60_000)
            page.wait_for_timeout(1500)
            legend = page.locator(".layer", has=page.locator("input[data-layer='areas']"))
            swatches = legend.locator("li:not([data-shading]) .swatch")
            shown = [s.evaluate("e => getComputedStyle(e).backgroundColor") for s in swatches.all()]
            expected = [f"rgb({', '.join(str(c) for c in _rgb(f))})" for f in types["fill"]]
            assert shown == expected
            graded = legend.locator("li[data-shading] .swatch")
            opacity = "e => getComputedStyle(e).opacity"
            opacities = [float(g.evaluate(opacity)) for g in graded.all()]
            assert opacities == pytest.approx(list(shading.values()), abs=1e-3)
            page.screenshot(path=str(tmp_path / "map.png"))
            canvas = page.locator("#map canvas").screenshot()
        finally:
            browser.close()
    background = str(map_style("base").loc["background", "fill"])
    fill = str(types.loc["dezentral", "fill"])
    best = _blend(fill, background, shading["sehr_wahrscheinlich_geeignet"])
    paler = _blend(fill, background, shading["wahrscheinlich_geeignet"])
    # the demo: every area decentral, A05 only "wahrscheinlich geeignet" (paler)
    assert _near(canvas, best) > 2000
    assert _near(canvas, paler) > 200
