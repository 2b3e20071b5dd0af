"""The plan PDF in parts on both cores (issue 20): the main part and the annex of area sheets.

The plan's area sheets (Gebietssteckbriefe) are its annex, after "Quellen und Datenhinweise",
one sheet per page with the annex's own page numbering ("Anhang – Seite x von y"). The main
part's page numbers do not depend on the annex, and an annex page's number on the sheets
before it alone, so the annex can be cut into parts rendered apart: the first part (this
process) renders the main part and the first sheets, a forked process the last sheets
(balanced by their text, :func:`_annex_parts`), and :func:`join` puts the PDFs together with
pypdf into the one file.

Each part is told the page number of its first page and the annex's page count as predicted
(the annex's title page and one page per sheet); after rendering, its page count and the page
of every sheet's anchor are checked, and on any difference the annex parts are rendered once
more with the true numbers. Links between parts (the contents to the annex) are written by
WeasyPrint as placeholders and pointed at the other part's named destination after the join;
the outline is built over all parts as WeasyPrint builds it for one document. Where a second
process is not allowed (:func:`heatplan.parallel.may_fork`), the same parts are rendered one
after the other here: the same file, byte for byte. An annex of fewer than
:data:`MIN_SPLIT_SHEETS` sheets stays one part.

The template marks the cuts with HTML comments (``plan.html``): the annex is the document's
end, from :data:`ANNEX` to :data:`ANNEX_END`; its prelude (styles, running header strings)
goes into every annex part, its title page (from :data:`INTRO`) into the first, and each sheet
starts at :data:`SHEET`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import re
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heatplan.errors import HeatplanError
from heatplan.outputs.atomic import replacing

__all__ = [
    "ANNEX",
    "ANNEX_END",
    "INTRO",
    "MIN_SPLIT_SHEETS",
    "SHEET",
    "Annex",
    "Rendered",
    "join",
    "render_parts",
    "split",
]

log = logging.getLogger(__name__)

ANNEX = "<!--heatplan:annex-->"
INTRO = "<!--heatplan:annex-intro-->"
SHEET = "<!--heatplan:sheet-->"
ANNEX_END = "<!--/heatplan:annex-->"
#: URI scheme of a link to another part, written by WeasyPrint and replaced in :func:`join`.
XREF = "heatplan-xref:"
#: Pages of the annex before its first sheet: its title page.
INTRO_PAGES = 1
#: Least sheets for an annex in two parts, the second for a second process (heatplan choice,
#: measured with benchmarks/bench_pdf_parts.py on the 20,000-building town's report cut to N
#: sheets, machine at rest, 2026-12-07: one core / two cores 4.5 / 4.1 s at 5 sheets, 4.7 /
#: 4.0 s at 10, 5.8 / 4.0 s at 20, 7.8 / 4.7 s at 40; an extra part costs no measurable CPU
#: beyond the join). The cut does not depend on whether a second process is allowed: the
#: parts are the same, and so is the file.
MIN_SPLIT_SHEETS = 10
#: PDF points per CSS pixel (WeasyPrint's scale at zoom 1).
PT_PER_PX = 0.75


class PdfPartError(HeatplanError):
    """The plan's HTML cannot be cut into parts (a template's markers are broken)."""


@dataclass(frozen=True)
class Annex:
    """The plan's HTML cut at the annex markers."""

    #: The document up to and including ``<body ...>``.
    head: str
    #: The main part: the whole document without the annex.
    main: str
    #: Styles and running strings every annex part starts with.
    prelude: str
    #: The annex's title page.
    intro: str
    #: The sheets, each with the id of its first element.
    sheets: tuple[str, ...]
    sheet_ids: tuple[str, ...]
    #: After the annex (``</body></html>``).
    tail: str

    @property
    def pages(self) -> int:
        """The annex's predicted page count: title page and one page per sheet."""
        return INTRO_PAGES + len(self.sheets)


def split(html: str) -> Annex | None:
    """``html`` cut at the annex markers; None for a document without annex."""
    start = html.find(ANNEX)
    if start < 0:
        return None
    end = html.find(ANNEX_END, start)
    intro = html.find(INTRO, start)
    body = re.search(r"<body[^>]*>", html[:start])
    if end < 0 or intro < 0 or intro > end or body is None:
        raise PdfPartError("the report HTML's annex markers are incomplete")
    pieces = html[intro + len(INTRO) : end].split(SHEET)
    sheets = tuple(pieces[1:])
    ids = tuple(_first_id(s) for s in sheets)
    return Annex(
        head=html[: body.end()],
        main=html[:start] + html[end + len(ANNEX_END) :],
        prelude=html[start + len(ANNEX) : intro],
        intro=pieces[0],
        sheets=sheets,
        sheet_ids=ids,
        tail=html[end + len(ANNEX_END) :],
    )


def _first_id(sheet: str) -> str:
    found = re.search(r'\bid="([^"]+)"', sheet)
    if found is None:
        raise PdfPartError("an area sheet of the report HTML has no id")
    return found.group(1)


@dataclass(frozen=True)
class Part:
    """One part to render: the main part or sheets ``first`` to ``stop`` of the annex."""

    first: int = -1
    stop: int = -1

    @property
    def main(self) -> bool:
        return self.first < 0


@dataclass
class Rendered:
    """A rendered part: its PDF and what the join and the checks need (plain data)."""

    pdf: bytes
    pages: int
    #: Anchor -> page index within the part.
    anchors: dict[str, int]
    #: Per page: WeasyPrint's bookmarks ``(level, label, (x, y), state)`` and the height [px].
    bookmarks: list[list[tuple[int, str, tuple[float, float], str]]]
    heights: list[float]
    #: Anchors this part links to that another part holds.
    xrefs: set[str] = field(default_factory=set)
    #: Rendering time [s] (for the log).
    seconds: float = 0.0


def _annex_html(annex: Annex, part: Part, first_page: int, annex_pages: int) -> str:
    """The HTML of an annex part: its first page numbered ``first_page`` of ``annex_pages``."""
    # every page of an annex part is an annex page, also where a sheet runs over onto a second
    style = f'body {{ page: annex; string-set: annex-pages "{annex_pages}"; }}'
    if first_page > 1:
        style += f" @page :first {{ counter-reset: page {first_page}; }}"
    intro = annex.intro if part.first == 0 else ""
    sheets = "".join(annex.sheets[part.first : part.stop])
    return f"{annex.head}<style>{style}</style>{annex.prelude}{intro}{sheets}{annex.tail}"


def _render(html: str, base_url: str) -> Rendered:
    """Render one part with WeasyPrint; links to anchors it lacks become placeholders."""
    import weasyprint

    started = time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=base_url).render()
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    xrefs: set[str] = set()
    for page in document.pages:
        for i, (kind, target, rectangle, box) in enumerate(page.links):
            if kind == "internal" and target not in anchors:
                xrefs.add(target)
                page.links[i] = ("external", XREF + target, rectangle, box)
    data = document.write_pdf()
    return Rendered(
        pdf=data,
        pages=len(document.pages),
        anchors=anchors,
        bookmarks=[list(page.bookmarks) for page in document.pages],
        heights=[float(page.height) for page in document.pages],
        xrefs=xrefs,
        seconds=time.perf_counter() - started,
    )


def _text_size(html: str) -> int:
    """Characters of ``html`` without embedded pictures: a measure of its rendering work
    (measured on the 20,000-building town: 23 µs of CPU per character in the main part, 20 in
    the sheets, whose pages each hold one sheet)."""
    return len(re.sub(r"data:[^\"')]+", "", html))


def _annex_parts(annex: Annex, min_split: int) -> list[Part]:
    """The annex's parts: one, or two from ``min_split`` sheets on.

    The second part (for a second process) takes the last sheets up to half of the
    document's rendering work (the first renders the main part and the first sheets),
    measured by :func:`_text_size`.
    """
    count = len(annex.sheets)
    if count < max(2, min_split):
        return [Part(0, count)]
    sizes = [_text_size(s) for s in annex.sheets]
    half = (_text_size(annex.main) + _text_size(annex.intro) + sum(sizes)) / 2
    cut, second_size = count, 0
    while cut > 1 and second_size + sizes[cut - 1] <= half:
        cut -= 1
        second_size += sizes[cut]
    cut = min(cut, count - 1)
    return [Part(0, cut), Part(cut, count)]


def _first_pages(annex: Annex, parts: list[Part], pages: dict[Part, int] | None) -> list[int]:
    """Number of each annex part's first page: predicted, or from the parts' true page counts."""
    numbers, number = [], 1
    for part in parts:
        numbers.append(number)
        if pages is not None:
            number += pages[part]
        else:
            number += (INTRO_PAGES if part.first == 0 else 0) + part.stop - part.first
    return numbers


def _mismatch(annex: Annex, part: Part, rendered: Rendered) -> str:
    """Why ``rendered`` differs from the prediction (empty if it does not)."""
    intro = INTRO_PAGES if part.first == 0 else 0
    expected = intro + part.stop - part.first
    if rendered.pages != expected:
        return f"{rendered.pages} pages instead of {expected}"
    for number, name in enumerate(annex.sheet_ids[part.first : part.stop]):
        if rendered.anchors.get(name) != intro + number:
            return f"sheet {name} on page {rendered.anchors.get(name)} not {intro + number}"
    return ""


def render_parts(
    annex: Annex,
    *,
    base_url: str,
    fork: bool,
    min_split: int | None = None,
) -> list[Rendered]:
    """The main part and the annex parts, rendered (the second annex part in a forked process
    if ``fork``) and checked against the predicted page numbers: on a difference the annex
    parts are rendered again here with the true numbers. ``min_split``: least sheets for two
    annex parts (default :data:`MIN_SPLIT_SHEETS`)."""
    parts = _annex_parts(annex, MIN_SPLIT_SHEETS if min_split is None else min_split)
    firsts = _first_pages(annex, parts, None)
    total = annex.pages
    htmls = [_annex_html(annex, p, n, total) for p, n in zip(parts, firsts, strict=True)]
    child = _Fork(htmls[-1], base_url) if fork and len(parts) > 1 else None
    log.info("PDF in %d parts%s", len(parts) + 1, ", the last in a forked process" if child else "")
    try:
        main = _render(annex.main, base_url)
        done = [_render(h, base_url) for h in htmls[: len(htmls) - (child is not None)]]
        if child is not None:
            waited = time.perf_counter()
            done.append(child.result() or _render(htmls[-1], base_url))
            log.info("waited %.1f s for the forked part", time.perf_counter() - waited)
    finally:
        if child is not None:
            child.stop()
    log.info(
        "PDF parts rendered: %s",
        ", ".join(f"{r.pages} pages in {r.seconds:.1f} s" for r in (main, *done)),
    )
    why = [_mismatch(annex, p, r) for p, r in zip(parts, done, strict=True)]
    if any(why):
        log.info("annex page numbers differ from the prediction (%s): rendered again", why)
        pages = {p: r.pages for p, r in zip(parts, done, strict=True)}
        firsts = _first_pages(annex, parts, pages)
        total = sum(pages.values())
        done = [
            _render(_annex_html(annex, p, n, total), base_url)
            for p, n in zip(parts, firsts, strict=True)
        ]
    return [main, *done]


class _Fork:
    """One part rendered in a forked copy of this process; its result read from a file."""

    def __init__(self, html: str, base_url: str) -> None:
        handle, name = tempfile.mkstemp(prefix="heatplan-pdf-part-", suffix=".pickle")
        os.close(handle)
        self._file = Path(name)
        self._pid = os.fork()
        if self._pid == 0:  # the forked process: render, write, end without cleaning up
            status = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                rendered = _render(html, base_url)
                self._file.write_bytes(pickle.dumps(rendered, pickle.HIGHEST_PROTOCOL))
                status = 0
            finally:
                os._exit(status)

    def result(self) -> Rendered | None:
        """The part, or None if the forked process failed (the caller renders it)."""
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if status != 0:
            log.info("the forked PDF part failed (status %s): rendered here", status)
            return None
        try:
            value = pickle.loads(self._file.read_bytes())
        except (OSError, pickle.PickleError, EOFError) as exc:
            log.info("the forked PDF part is unreadable (%s): rendered here", exc)
            return None
        return value if isinstance(value, Rendered) else None

    def stop(self) -> None:
        """End the forked process if it still runs (this process failed); remove the file."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            self._pid = 0
        self._file.unlink(missing_ok=True)


def _outline(writer: Any, parts: list[Rendered]) -> None:
    """The outline over all parts, nested as WeasyPrint nests one document's headings."""
    from pypdf.generic import Fit
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    root: list[Any] = []
    skipped: list[int] = []
    last_by_depth: list[list[Any]] = [root]
    previous, number = 0, 0
    for part in parts:
        for marks, height in zip(part.bookmarks, part.heights, strict=True):
            page = _Marks(marks)
            matrix = Matrix(a=PT_PER_PX, d=-PT_PER_PX, f=height * PT_PER_PX)
            previous = make_page_bookmark_tree(
                page, skipped, last_by_depth, previous, number, matrix
            )
            number += 1

    def add(items: list[Any], parent: Any) -> None:
        for label, (page_number, x, y), children, state in items:
            item = writer.add_outline_item(
                label,
                page_number,
                parent=parent,
                fit=Fit.xyz(left=x, top=y, zoom=0),
                is_open=state != "closed",
            )
            add(children, item)

    add(root, None)


@dataclass(frozen=True)
class _Marks:
    """A page as :func:`weasyprint.anchors.make_page_bookmark_tree` reads it."""

    bookmarks: list[tuple[int, str, tuple[float, float], str]]


def _point_links(writer: Any) -> int:
    """Point the placeholder links at the named destinations of the other parts."""
    from pypdf.generic import NameObject, TextStringObject

    names = set(writer.named_destinations)
    pointed = 0
    for page in writer.pages:
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        for reference in list(annotations.get_object()):
            link = reference.get_object()
            action = link.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(XREF):
                continue
            target = uri[len(XREF) :]
            del link["/A"]
            if target in names:
                link[NameObject("/Dest")] = TextStringObject(target)
                pointed += 1
            else:  # no part holds it: a dead link would only mislead
                annotations.get_object().remove(reference)
                log.warning("the report links to #%s, which no part holds", target)
    return pointed


def join(parts: list[Rendered], path: Path) -> int:
    """Write ``parts`` as one PDF to ``path`` (metadata and language of the first part, one
    outline, links between parts); returns the number of pages."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    first = PdfReader(io.BytesIO(parts[0].pdf))
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part.pdf)), import_outline=False)
    _point_links(writer)
    _outline(writer, parts)
    if first.metadata is not None:
        writer.add_metadata(dict(first.metadata))
    for key in ("/Lang", "/PageMode", "/MarkInfo"):
        if key in first.root_object:
            writer.root_object[NameObject(key)] = first.root_object[key]
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as partial, partial.open("wb") as stream:
        writer.write(stream)
    return len(writer.pages)
