"""Helpers of the customer-PDF tests: the PDF's text and the English words it must not hold."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

#: English words the code uses (CLI summaries, JSON keys, data-table notes): none may reach a
#: German customer PDF.
ENGLISH_WORDS = (
    "battery", "heat pump", "savings", "payback", "investment", "annual cost", "self-sufficiency",
    "self-consumption", "peak", "solver", "gap", "paths", "before", "after", "grid", "feed-in",
    "network", "boiler", "chiller", "store", "price risk", "tenant", "operator", "warm rent",
    "rent-controlled", "apartments", "participants", "levy", "heating", "assumption", "verified",
    "net of VAT", "incl", "the", "and", "of", "with", "per", "year", "cost", "saves", "money",
    "Optimal", "two-stage", "dynamic", "consumption", "shared", "supply", "gas today",
    "January", "February", "March", "May", "June", "July", "October", "December", "Table",
)  # fmt: skip


def pdf_text(path: Path) -> str:
    """The PDF's text (poppler's pdftotext), whitespace collapsed; skips without poppler."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


#: labels.csv domains of the customer PDFs: their English labels must not appear either.
REPORT_DOMAINS = (
    "site_size", "site_figure", "site_chart", "tenant_concept", "heat_option", "shared_key",
    "site_parameter", "quarter_parameter",
)  # fmt: skip


def english_labels() -> tuple[str, ...]:
    """The English labels (``label_en``) of the PDFs' vocabulary in labels.csv."""
    from heatplan.reference import table

    rows = table("labels.csv", as_text=True)
    return tuple(sorted(set(rows.loc[rows["domain"].isin(REPORT_DOMAINS), "label_en"])))


def english_words(text: str) -> list[str]:
    """The words of :data:`ENGLISH_WORDS` and the English labels in ``text`` (whole words, any
    case)."""
    words = (*ENGLISH_WORDS, *english_labels())
    return [w for w in words if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]
