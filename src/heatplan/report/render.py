"""HTML from the jinja2 templates (CSS inlined: one self-contained file) and PDF (WeasyPrint)."""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from heatplan.outputs.atomic import replacing
from heatplan.parallel import may_fork
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION
from heatplan.report.pdf_parts import join, render_parts, split

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


def write_pdf(html: str, path: Path, *, base_url: Path, fork: bool | None = None) -> int:
    """Write ``html`` as A4 PDF to ``path``; returns the number of pages.

    A plan with an annex of area sheets renders in parts (:mod:`heatplan.report.pdf_parts`):
    the main part and, from :data:`~heatplan.report.pdf_parts.MIN_SPLIT_SHEETS` sheets on,
    the annex in two, the second in a forked process where :func:`heatplan.parallel.may_fork`
    allows one (``fork``: the caller's answer instead), else one part after the other here;
    the same file either way. The file is written whole or not at all
    (:func:`heatplan.outputs.atomic.replacing`): on a failure an older PDF stays.
    """
    import weasyprint

    # WeasyPrint logs every CSS property it ignores at WARNING; the report's CSS is ours.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # pypdf warns of every page whose links the join copies after the page itself
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    annex = split(html)
    if annex is None:
        document = weasyprint.HTML(string=html, base_url=str(base_url)).render()
        with replacing(path) as partial:
            document.write_pdf(str(partial))
        return len(document.pages)
    parts = render_parts(annex, base_url=str(base_url), fork=may_fork() if fork is None else fork)
    return join(parts, path)
