"""Vocabulary as data: German, English and OSM words for uses, heater types and carriers.

Terms are matched on :func:`term_key` (case, blanks, hyphens, slashes and umlaut spellings
ignored: ``Gas-Therme`` = ``gastherme``, ``Heizöl EL`` = ``HEIZOEL EL``). Tables, later wins:

- uses: OSM ``building=*`` (``data/uses.csv``), benchmark labels
  (``data/nonresidential_benchmarks.csv``), German words (``data/use_labels.csv``);
- carriers: ``label_de`` of ``data/carriers.csv``, then ``data/carrier_terms.csv``;
- heater types: ``label_de`` of ``data/heater_types.csv``, then ``data/heater_type_terms.csv``
  (whose ``carrier`` fills an empty carrier, and ``estimated`` flags a guessed type).

Every code maps to itself. A ``residential`` building (``Wohnhaus``, ``Wohngebäude``, OSM
``building=residential``) is split into ``sfh``/``mfh``/``ab`` by :func:`split_residential` and
flagged ``use_estimated``.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from heatplan.inputs.validate import load_reference
from heatplan.plan import columns as col

#: Use code of a residential building whose type is not stated (split before validation).
RESIDENTIAL = "residential"
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def term_key(text: object) -> str:
    """Spelling-insensitive key of a term.

    >>> term_key(" Gas-Therme "), term_key("HEIZOEL EL"), term_key("Heizöl  EL")
    ('gastherme', 'heizoelel', 'heizoelel')
    """
    return _NOT_ALNUM.sub("", str(text).casefold().translate(_UMLAUTS))


def _table(terms: pd.Series, codes: pd.Series) -> dict[str, str]:
    return {term_key(t): str(c) for t, c in zip(terms, codes, strict=True) if str(c)}


@functools.cache
def use_terms() -> dict[str, str]:
    """Term key -> ``use`` code."""
    osm, bench = load_reference("uses.csv"), load_reference("nonresidential_benchmarks.csv")
    labels = load_reference("use_labels.csv")
    table = _table(osm["osm_building"], osm[col.USE])
    table |= _table(bench["label_de"], bench["category"])
    table |= _table(labels["label"], labels[col.USE])
    codes = {*bench["category"], "sfh", "th", "mfh", "ab", "unknown", RESIDENTIAL}
    return table | {term_key(c): c for c in codes}


@functools.cache
def carrier_terms() -> dict[str, str]:
    """Term key -> ``carrier`` code."""
    carriers, terms = load_reference("carriers.csv"), load_reference("carrier_terms.csv")
    table = _table(carriers["label_de"], carriers[col.CARRIER])
    table |= _table(terms["term"], terms[col.CARRIER])
    return table | {term_key(c): c for c in carriers[col.CARRIER]}


@functools.cache
def _heater_rows() -> pd.DataFrame:
    heaters, terms = load_reference("heater_types.csv"), load_reference("heater_type_terms.csv")
    labels = pd.DataFrame({"term": heaters["label_de"], "heater_type": heaters["heater_type"]})
    codes = pd.DataFrame({"term": heaters["heater_type"], "heater_type": heaters["heater_type"]})
    rows = pd.concat([labels, terms, codes], ignore_index=True).fillna("")
    rows["key"] = rows["term"].map(term_key)
    return rows.drop_duplicates("key", keep="last").set_index("key")


def heater_terms() -> dict[str, str]:
    """Term key -> ``heater_type`` code."""
    return dict(_heater_rows()["heater_type"])


def heater_implications(given: pd.Series) -> pd.DataFrame:
    """Carrier a heater term names and whether its type is a guess, per raw term.

    Returns a frame indexed like ``given`` with ``carrier`` (code or None) and
    ``heater_type_estimated`` (bool).

    >>> heater_implications(pd.Series(["Gas-Therme", "Wärmepumpe", "Kachelofen"])).values.tolist()
    [['natural_gas', False], ['electricity', True], [None, False]]
    """
    rows = _heater_rows()
    keys = given.map(lambda v: term_key(v) if isinstance(v, str) else "")
    carrier = [c if isinstance(c, str) and c else None for c in keys.map(rows["carrier"])]
    estimated = keys.map(rows["estimated"]).eq("true")
    return pd.DataFrame(
        {
            col.CARRIER: pd.Series(carrier, index=given.index, dtype=object),
            "heater_type_estimated": estimated,
        },
        index=given.index,
    )


def translate(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """Codes of the terms in ``values``; an unknown term is kept (stripped) for the message."""

    def one(value: object) -> object:
        if not isinstance(value, str):
            return value
        return table.get(term_key(value), value.strip())

    return values.map(one)


def vocabulary_tables() -> dict[str, dict[str, str]]:
    """Term tables per attribute: ``use``, ``carrier``, ``heater_type``."""
    return {col.USE: use_terms(), col.CARRIER: carrier_terms(), "heater_type": heater_terms()}


# --- residential of unknown type -------------------------------------------------------------
def split_residential(
    use: pd.Series,
    *,
    dwellings: pd.Series,
    floors: pd.Series,
    heated_area_m2: pd.Series,
    footprint_area_m2: pd.Series,
) -> tuple[pd.Series, pd.Series]:
    """TABULA type of ``residential`` buildings, and the flag ``use_estimated``.

    Rule (``data/residential_split.csv``, TABULA DE, Loga et al. 2015): with dwellings, 1-2 ->
    ``sfh``, 3-12 -> ``mfh``, 13 and more -> ``ab``; else with a heated area (given, or
    footprint x storeys x 0.32 x 2.75 m after GEG's A_N = 0.32 V_e, ``data/heated_area.csv``;
    storeys ``floors_when_unknown`` where not given) up to ``sfh_max_heated_area_m2`` -> ``sfh``,
    above -> ``mfh``; with neither it stays ``unknown`` and is not flagged. Other uses are kept.

    Parameters
    ----------
    use : Series of str  Use codes (``residential`` for a residential building of unknown type).
    dwellings : Series of float  Number of dwellings [1], NaN where unknown.
    floors : Series of float  Full storeys above ground [1], NaN where unknown.
    heated_area_m2 : Series of float  Given heated floor area [m2], NaN where unknown.
    footprint_area_m2 : Series of float  Footprint area [m2], NaN for points.

    >>> use, flag = split_residential(
    ...     pd.Series(["residential"] * 4 + ["office"]),
    ...     dwellings=pd.Series([2, 6, np.nan, np.nan, np.nan]),
    ...     floors=pd.Series([np.nan, np.nan, 4, np.nan, 3]),
    ...     heated_area_m2=pd.Series([np.nan] * 5),
    ...     footprint_area_m2=pd.Series([500.0, 90, 200, np.nan, 900]))
    >>> use.tolist(), flag.tolist()
    (['sfh', 'mfh', 'mfh', 'unknown', 'office'], [True, True, True, False, False])
    """
    p = _split_parameters()
    dwell = pd.to_numeric(dwellings, errors="coerce")
    by_dwellings = np.select(
        [dwell <= p["sfh_max_dwellings"], dwell <= p["mfh_max_dwellings"]], ["sfh", "mfh"], "ab"
    )
    storeys = pd.to_numeric(floors, errors="coerce").fillna(p["floors_when_unknown"])
    per_m2 = p["an_per_ve_per_m"] * p["storey_height_m"]
    estimate = pd.to_numeric(footprint_area_m2, errors="coerce") * storeys * per_m2
    area = pd.to_numeric(heated_area_m2, errors="coerce").fillna(estimate)
    by_area = np.where(area <= p["sfh_max_heated_area_m2"], "sfh", "mfh")
    typed = np.where(dwell.notna(), by_dwellings, np.where(area.notna(), by_area, "unknown"))
    residential = use.eq(RESIDENTIAL)
    out = use.where(~residential, pd.Series(typed, index=use.index))
    return out, residential & pd.Series(typed != "unknown", index=use.index)


def typed_residential(frame: pd.DataFrame) -> pd.DataFrame:
    """Buildings (projected geometry, numbers parsed) with ``residential`` split by
    :func:`split_residential` and the flag ``use_estimated`` set."""
    if col.USE not in frame.columns:
        return frame
    empty = pd.Series(np.nan, index=frame.index)
    geometry = frame["geometry"] if "geometry" in frame.columns else None
    polygonal = geometry is not None and geometry.geom_type.isin(("Polygon", "MultiPolygon"))
    footprint = geometry.area.where(polygonal, np.nan) if geometry is not None else empty
    use, estimated = split_residential(
        frame[col.USE],
        dwellings=frame.get("dwellings", empty),
        floors=frame.get("floors", empty),
        heated_area_m2=frame.get(col.HEATED_AREA_M2, empty),
        footprint_area_m2=footprint,
    )
    return frame.assign(**{col.USE: use, "use_estimated": estimated})


@functools.cache
def _split_parameters() -> dict[str, float]:
    split = load_reference("residential_split.csv").set_index("parameter")["value"]
    area = load_reference("heated_area.csv").set_index("parameter")["value"]
    values = {**split.to_dict(), **area[["an_per_ve_per_m", "storey_height_m"]].to_dict()}
    return {str(k): float(v) for k, v in values.items()}
