"""Normalised address keys that match consumption and heater rows to buildings.

A key is ``'street house_number, postcode'`` in lower case, with ``Str.``/``Strasse`` written
``straße`` and the house-number suffix joined (``6 A`` -> ``6a``); without a postcode it is
``'street house_number'``.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

ADDRESS_PARTS = ("street", "house_number", "postcode")

_STRASSE = re.compile(r"(str\.|strasse)(?=\s|$)")


def address_key(street: Any, house_number: Any, postcode: Any) -> str | None:
    """Normalised address ``'street house_number, postcode'`` used to match tables to buildings.

    >>> address_key("Forckenbeck Str.", "6 A", 52074.0)
    'forckenbeck straße 6a, 52074'
    """
    if pd.isna(street) or pd.isna(house_number):
        return None
    name = _STRASSE.sub("straße", " ".join(str(street).lower().split()))
    number = str(house_number).lower().replace(" ", "")
    code = "" if pd.isna(postcode) else str(postcode).split(".")[0].strip()
    return f"{name} {number}, {code}" if code else f"{name} {number}"


def normalise_address(text: Any) -> str | None:
    """Normalise a free-text address key the way :func:`address_key` builds one.

    >>> normalise_address("Forckenbeckstrasse 6 A, 52074")
    'forckenbeckstraße 6a, 52074'
    """
    if pd.isna(text) or not str(text).strip():
        return None
    text = _STRASSE.sub("straße", " ".join(str(text).lower().split()))
    return re.sub(r"(\d)\s+([a-z])\b", r"\1\2", text)


def address_keys(frame: pd.DataFrame) -> pd.Series:
    """Address keys of a frame: from street/house_number/postcode, else its ``address``."""
    parts = frame.reindex(columns=list(ADDRESS_PARTS))
    built = pd.Series(
        [address_key(*row) for row in parts.itertuples(index=False)],
        index=frame.index,
        dtype=object,
    )
    given = frame["address"].map(normalise_address) if "address" in frame.columns else built
    return built.where(built.notna(), given)
