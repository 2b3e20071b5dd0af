"""Reading the reference tables shipped in ``heatplan/data`` (each read once per process)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on the first table read: reading heatplan.toml needs no pandas
    import pandas as pd


@cache
def cached_table(name: str, as_text: bool = False) -> pd.DataFrame:
    """Reference table ``name`` as read from the package data; callers must not modify it.

    ``as_text`` keeps every cell as the text in the file (empty cells as ``''``); otherwise
    numbers are parsed and empty cells are NaN.
    """
    import pandas as pd

    with resources.files("heatplan.data").joinpath(name).open("rb") as handle:
        if as_text:
            return pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
        return pd.read_csv(handle, keep_default_na=False, na_values=[""], encoding="utf-8")


@cache
def text_rows(name: str) -> tuple[dict[str, str], ...]:
    """Reference table ``name`` as rows of text cells (empty cells ``''``), read with the
    standard library: the same cells as ``cached_table(name, as_text=True)``, without pandas."""
    text = resources.files("heatplan.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text, newline="")))
