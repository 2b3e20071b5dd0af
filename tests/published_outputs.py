"""Read the published figures back out of each output of a plan, as a reader of that file would.

Used by ``tests/test_same_figures.py``: each reader returns plain Python values (numbers as
floats, in the unit the output states) so the outputs can be compared with one another. The
report is read from its HTML (the PDF is printed from it) and, where poppler's ``pdftotext`` is
installed, from the PDF's text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import openpyxl
import pyogrio

from heatplan.formats import parse_decimal

XWP = {"x": "http://www.xwaermeplan.de/0/9"}
#: Cells of an HTML table that hold no figure.
EMPTY = {"", "–", "-", "—"}


def german_number(text: str) -> float | None:
    """A number as the report prints it (``31.757``, ``0,0 %``, ``1.506``), None for a dash."""
    raw = text.replace("\u00a0", " ").replace("\u202f", " ").strip().rstrip("%").strip()
    if raw in EMPTY:
        return None
    return parse_decimal(raw.replace(" ", ""), ",")


def decimals_of(text: str) -> int:
    """How many decimals a printed German number shows (its rounding)."""
    raw = text.strip().rstrip("%").strip()
    return len(raw.split(",", 1)[1]) if "," in raw else 0


# ------------------------------------------------------------------------- report (HTML)
@dataclass
class HtmlTable:
    header: list[str]
    rows: list[list[str]]
    caption: str

    def column(self, name: str) -> int:
        for i, text in enumerate(self.header):
            if text.replace("\xad", "").startswith(name):
                return i
        raise KeyError(f"no column {name!r} in {self.header}")


def html_tables(path: Path) -> list[HtmlTable]:
    """Every table of the report's HTML: header texts, row texts, caption."""
    doc = lxml.html.parse(str(path)).getroot()
    tables = []
    for table in doc.iter("table"):
        rows = [
            [" ".join(cell.text_content().split()) for cell in tr if cell.tag in ("td", "th")]
            for tr in table.iter("tr")
        ]
        if not rows:
            continue
        caption = table.find("caption")
        text = " ".join(caption.text_content().split()) if caption is not None else ""
        tables.append(HtmlTable(rows[0], rows[1:], text))
    return tables


def html_table_with(tables: list[HtmlTable], *headers: str) -> HtmlTable:
    """The first table whose header has all of ``headers`` (as prefixes)."""
    for table in tables:
        try:
            for name in headers:
                table.column(name)
        except KeyError:
            continue
        return table
    raise AssertionError(f"the report has no table with the columns {headers}")


def pdf_text(path: Path) -> str | None:
    """The PDF's text (pdftotext, layout off), or None where poppler is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


# ------------------------------------------------------------------------- workbook
def xlsx_table(path: Path, sheet: str, first_header: str) -> list[dict[str, Any]]:
    """The rows of the table on ``sheet`` whose header row starts with ``first_header``."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    for at, row in enumerate(rows):
        if row and row[0] == first_header:
            header = [str(h) if h is not None else "" for h in row]
            body = []
            for values in rows[at + 1 :]:
                if not values or values[0] is None:
                    break
                body.append(dict(zip(header, values, strict=False)))
            return body
    raise AssertionError(f"{path.name}: sheet {sheet!r} has no table headed {first_header!r}")


def xlsx_sheets(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    names = list(book.sheetnames)
    book.close()
    return names


# ------------------------------------------------------------------------- GeoPackage
def gpkg_layer(path: Path, layer: str) -> list[dict[str, Any]]:
    frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    records: list[dict[str, Any]] = frame.to_dict("records")
    return records


# ------------------------------------------------------------------------- XWärmeplan
def xwp(path: Path) -> lxml.etree._ElementTree:
    return lxml.etree.parse(str(path))


def xwp_numbers(element: lxml.etree._Element, path: str) -> list[float]:
    return [float(str(v)) for v in element.xpath(path, namespaces=XWP)]


def xwp_text(element: lxml.etree._Element, path: str) -> list[str]:
    return [str(v) for v in element.xpath(path, namespaces=XWP)]


# ------------------------------------------------------------------------- web
def api_json(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    return json.loads(response.text)


def close(printed: str, value: float, *, rel: float = 1e-6) -> bool:
    """Whether a number printed in German rounding shows ``value`` (half a last digit)."""
    shown = german_number(printed)
    if shown is None:
        return False
    step = 10.0 ** -decimals_of(printed)
    if printed.strip().endswith("%"):
        value *= 100.0
    return abs(shown - value) <= 0.5 * step + rel * abs(value)


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
