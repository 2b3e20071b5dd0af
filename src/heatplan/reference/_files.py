"""Reading the reference tables shipped in ``heatplan/data`` (each read once per process)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


@cache
def cached_table(name: str, as_text: bool = False) -> pd.DataFrame:
    """Reference table ``name`` as read from the package data; callers must not modify it.

    ``as_text`` keeps every cell as the text in the file (empty cells as ``''``); otherwise
    numbers are parsed and empty cells are NaN.
    """
    with resources.files("heatplan.data").joinpath(name).open("rb") as handle:
        if as_text:
            return pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
        return pd.read_csv(handle, keep_default_na=False, na_values=[""], encoding="utf-8")
