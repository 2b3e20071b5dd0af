"""HTML from the jinja2 templates (CSS inlined: one self-contained file) and PDF (WeasyPrint)."""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from heatplan.publish import MIN_BUILDINGS_CONSUMPTION

__all__ = ["render_html", "write_pdf"]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("heatplan.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css() -> str:
    return resources.files("heatplan.report").joinpath("templates/report.css").read_text("utf-8")


def render_html(template: str, context: dict[str, Any]) -> str:
    """Render ``template`` (e.g. ``plan.html``) with ``context`` to one HTML document."""
    page = _environment().get_template(template)
    return page.render(css=_css(), min_buildings=MIN_BUILDINGS_CONSUMPTION, **context)


def write_pdf(html: str, path: Path, *, base_url: Path) -> int:
    """Write ``html`` as A4 PDF to ``path``; returns the number of pages."""
    import weasyprint

    # WeasyPrint logs every CSS property it ignores at WARNING; the report's CSS is ours.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=str(base_url)).render()
    document.write_pdf(str(path))
    return len(document.pages)
