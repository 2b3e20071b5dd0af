"""The plan PDF in parts (issue 20) on the real Schutterwald demo's report HTML.

The area sheets are the plan's annex after "Quellen und Datenhinweise", numbered on their own;
the PDF renders in parts (main part, annex halves), the second annex half in a forked process
where allowed, joined with pypdf. Checked against what one document would print: the pages'
own footers, the contents' page numbers, the sheet order of the HTML.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from heatplan import parallel
from heatplan.report import pdf_parts
from heatplan.report.render import write_pdf

SRC = Path(__file__).resolve().parents[1] / "src"
#: Least sheets for two annex parts in these tests (the demo has about a dozen areas).
SPLIT = 4


@pytest.fixture(scope="module")
def plan_html(demo_built: tuple[Path, dict]) -> Path:
    return demo_built[0] / "report" / "plan.html"


@pytest.fixture(scope="module")
def serial(plan_html: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plan written by ``write_pdf`` in one process (``HEATPLAN_WORKERS=1``), the
    annex in two parts (from :data:`SPLIT` sheets on)."""
    path = tmp_path_factory.mktemp("pdf-parts") / "serial.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(parallel.WORKERS_ENV, "1")
        patch.setattr(pdf_parts, "MIN_SPLIT_SHEETS", SPLIT)
        write_pdf(plan_html.read_text(encoding="utf-8"), path, base_url=plan_html.parent)
    return path


def _pages(path: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages]


def _sheet_titles(html: str) -> list[str]:
    return [html_lib.unescape(t) for t in re.findall(r"<h3>(Steckbrief [^<]+)</h3>", html)]


def _annex_start(pages: list[str]) -> int:
    starts = [i for i, text in enumerate(pages) if "Ein Steckbrief je voraussichtlichem" in text]
    assert len(starts) == 1
    return starts[0]


def test_the_annex_follows_the_sources_numbered_on_its_own(plan_html: Path, serial: Path) -> None:
    html = plan_html.read_text(encoding="utf-8")
    titles = _sheet_titles(html)
    assert len(titles) == html.count('class="profile"') >= SPLIT * 2
    pages = _pages(serial)
    annex = _annex_start(pages)
    sources = [i for i, text in enumerate(pages) if "Zitierte Quellen" in text]
    assert sources and max(sources) == annex - 1  # the annex comes right after the sources
    assert len(pages) == annex + 1 + len(titles)  # title page and one page per sheet
    for number in range(2, annex + 1):  # the main part: "Seite x von N" (no footer on the cover)
        assert f"Seite {number} von {annex}" in pages[number - 1], number
    for number in range(1, len(titles) + 2):
        assert f"Anhang – Seite {number} von {len(titles) + 1}" in pages[annex + number - 1]
    for k, title in enumerate(titles):  # the sheets in the order of the HTML, one per page
        assert title in pages[annex + 1 + k], title
        assert "Kommunale Wärmeplanung Schutterwald" in pages[annex + 1 + k]  # running header
    main = " ".join(pages[:annex])
    assert "Steckbrief Gebiet" not in main  # chapter 4 names the annex, holds no sheet
    assert "Anhang „Gebietssteckbriefe“" in main
    assert re.search(r"Anhang: Gebietssteckbriefe \.+ ?Anhang S\. 1", pages[0])


def test_links_outline_and_metadata_survive_the_join(plan_html: Path, serial: Path) -> None:
    reader = PdfReader(serial)
    html = plan_html.read_text(encoding="utf-8")
    title = html_lib.unescape(re.search(r"<title>([^<]+)</title>", html).group(1))  # type: ignore[union-attr]
    assert reader.metadata is not None and reader.metadata.title == title
    assert reader.root_object["/Lang"] == "de"
    pages = _pages(serial)
    annex = _annex_start(pages)
    dests = reader.named_destinations
    # every link of the contents lands on the page the contents prints for it
    printed = dict(re.findall(r"([A-Z0-9][^.]*?) \.{3,} ?(\d+)", pages[0]))
    landed: dict[str, int] = {}
    for annotation in reader.pages[0].get("/Annots", []):
        link = annotation.get_object()
        assert "/Dest" in link, link  # no dead or external placeholder left
        landed[str(link["/Dest"])] = reader.get_destination_page_number(dests[str(link["/Dest"])])
    assert landed["anhang"] == annex  # the link from the main part into the annex
    assert landed["bestand"] + 1 == int(printed["1 Bestandsanalyse"])
    assert landed["quellen"] + 1 == int(printed["Quellen und Datenhinweise"])
    # the outline: the main part's chapters, then the annex with every sheet under it
    outline = reader.outline
    top = outline[1] if isinstance(outline[1], list) else outline
    names = [item.title for item in top if not isinstance(item, list)]
    assert names.index("Quellen und Datenhinweise") + 1 == names.index("Anhang: Gebietssteckbriefe")
    sheets = top[top.index(next(i for i in top if getattr(i, "title", "") == names[-1])) + 1]
    assert [i.title for i in sheets if not isinstance(i, list)] == _sheet_titles(html)
    assert reader.get_destination_page_number(sheets[0]) == annex + 1


def test_two_processes_write_the_same_file(plan_html: Path, serial: Path, tmp_path: Path) -> None:
    """The second annex part in a forked process (a fresh interpreter: the suite's process may
    run threads, where no fork is allowed) gives the file of one process, byte for byte."""
    two_processes = tmp_path / "two.pdf"
    program = (
        "import json, logging, sys; from pathlib import Path; "
        "logging.basicConfig(level=logging.INFO, stream=sys.stderr); "
        "import heatplan.report.pdf_parts as p; p.MIN_SPLIT_SHEETS = int(sys.argv[3]); "
        "from heatplan.report.render import write_pdf; html = Path(sys.argv[1]); "
        "print(json.dumps(write_pdf(html.read_text('utf-8'), Path(sys.argv[2]), "
        "base_url=html.parent)))"
    )
    env = {**os.environ, parallel.WORKERS_ENV: "2", "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", program, str(plan_html), str(two_processes), str(SPLIT)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "PDF in 3 parts, the last in a forked process" in done.stderr
    assert json.loads(done.stdout) == len(PdfReader(serial).pages)
    assert two_processes.read_bytes() == serial.read_bytes()


def test_a_sheet_longer_than_a_page_is_numbered_again(
    plan_html: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A sheet of two pages in the first annex part: the prediction (one page per sheet) is
    wrong for that part's page count and the second part's first page; both are repaired."""
    html = plan_html.read_text(encoding="utf-8")
    titles = _sheet_titles(html)
    long_text = "<p class='explanation'>" + " ".join(["Erläuterung zum Gebiet."] * 300) + "</p>"
    first = html.index("<!--heatplan:sheet-->")
    end = html.index("<!--heatplan:sheet-->", first + 10)
    html = html[:end] + long_text + html[end:]
    annex = pdf_parts.split(html)
    assert annex is not None
    with caplog.at_level("INFO", logger="heatplan.report.pdf_parts"):
        parts = pdf_parts.render_parts(
            annex, base_url=str(plan_html.parent), fork=False, min_split=SPLIT
        )
    assert "rendered again" in caplog.text
    path = tmp_path / "long.pdf"
    pages_count = pdf_parts.join(parts, path)
    pages = _pages(path)
    start = _annex_start(pages)
    total = pages_count - start
    assert total > len(titles) + 1  # the long sheet took more than one page
    for number in range(1, total + 1):
        assert f"Anhang – Seite {number} von {total}" in pages[start + number - 1], number
    assert titles[0] in pages[start + 1]
    later = pages[pages_count - len(titles) + 1 :]  # the later sheets, one page each, in order
    assert all(title in page for title, page in zip(titles[1:], later, strict=True))


def test_documents_without_annex_render_as_before(tmp_path: Path) -> None:
    """Quarter and site studies have no annex: WeasyPrint writes them in one piece, as before."""
    import weasyprint

    html = "<html lang='de'><body><h1>Quartier</h1><p>Ein Blatt.</p></body></html>"
    assert pdf_parts.split(html) is None
    path = tmp_path / "study.pdf"
    assert write_pdf(html, path, base_url=tmp_path) == 1
    assert path.read_bytes() == weasyprint.HTML(string=html, base_url=str(tmp_path)).write_pdf()


def test_a_second_process_only_where_the_rules_allow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert not parallel.may_fork()
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.may_fork()  # a thread runs: a forked copy could hang on its locks
    finally:
        stop.set()
        thread.join()
    with parallel.SecondCore() as core:
        assert core.available
        assert not parallel.may_fork()  # the worker has the second CPU
        # ... and the worker itself starts no third process
        assert core.submit(os.getenv, parallel.WORKERS_ENV).result() == "1"


def test_broken_markers_are_a_clear_error() -> None:
    with pytest.raises(pdf_parts.PdfPartError, match="annex markers"):
        pdf_parts.split("<html><body>" + pdf_parts.ANNEX + "<p>x</p></body></html>")
