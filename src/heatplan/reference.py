"""Access to the reference data in ``heatplan/data`` (CSV with a source per row)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


@cache
def _table(name: str) -> pd.DataFrame:
    with resources.files("heatplan.data").joinpath(name).open("rb") as handle:
        return pd.read_csv(handle, keep_default_na=False, na_values=[""])


def table(name: str) -> pd.DataFrame:
    """A copy of reference table ``name`` (e.g. ``'carriers.csv'``)."""
    return _table(name).copy()


def carriers() -> pd.DataFrame:
    """Carrier codes with emission factor, renewable flag, network and default efficiency."""
    frame = table("carriers.csv").set_index("carrier")
    frame["renewable"] = frame["renewable"].astype(str).str.lower().eq("true")
    return frame
