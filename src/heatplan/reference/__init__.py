"""Access to the reference data in ``heatplan/data`` (CSV with a source per row).

The generic lookups are here; the data-filled defaults of the pure models of
:mod:`heatplan.tech` are in the submodules: :mod:`heatplan.reference.catalogue` (technology
catalogue and funding), :mod:`heatplan.reference.emissions` (carrier and grid emission factors)
and :mod:`heatplan.reference.heatpump` (heat-pump parameters, Jesper sets, Staffell
coefficients, heating curves).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from heatplan.reference._files import cached_table, text_rows

if TYPE_CHECKING:  # the tables import pandas on first use (heatplan.toml's checks need none)
    import pandas as pd


def table(name: str, *, as_text: bool = False) -> pd.DataFrame:
    """A copy of reference table ``name`` (e.g. ``'carriers.csv'``).

    ``as_text`` keeps every cell as the text in the file (empty cells as ``''``), for codes and
    schema tables; otherwise numbers are parsed and empty cells are NaN.
    """
    return cached_table(name, as_text).copy()


def carriers() -> pd.DataFrame:
    """Carrier codes with emission factor, renewable flag, network and default efficiency."""
    frame = table("carriers.csv").set_index("carrier")
    frame["renewable"] = frame["renewable"].astype(str).str.lower().eq("true")
    return frame


def heater_types() -> pd.DataFrame:
    """Heater type codes with label and efficiency, indexed by ``heater_type``."""
    return table("heater_types.csv").set_index("heater_type")


def parameter(name: str, key: str) -> float:
    """Numeric ``value`` of row ``key`` (column ``parameter``) of parameter table ``name``.

    Raises KeyError for a key the table does not have, ValueError for a key it lists twice or
    a value that is not a number.
    """
    text = _parameter_texts(name)[key]
    if text is None:
        raise ValueError(f"{name}: parameter {key!r} is listed more than once")
    return float(text)


@cache
def _parameter_texts(name: str) -> dict[str, str | None]:
    """``{parameter: value as text}`` of table ``name`` (None: listed twice); read once.

    A classification asks for the same few parameters thousands of times; indexing the table
    anew each time was a quarter of its run time (issue 20).
    """
    texts: dict[str, str | None] = {}
    for row in text_rows(name):
        key = row["parameter"]
        texts[key] = None if key in texts else row["value"]
    return texts


def parameter_group(name: str, group: str) -> dict[str, float]:
    """``{parameter: value}`` of the rows of ``group`` in a grouped parameter table ``name``."""
    frame = table(name)
    rows = frame[frame["group"] == group]
    return {str(k): float(v) for k, v in zip(rows["parameter"], rows["value"], strict=True)}
