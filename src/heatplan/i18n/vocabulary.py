"""The one vocabulary of public labels: code -> German or English label (``data/labels.csv``).

Every code that reaches a public output (carriers, sectors, heater types, uses, indicators,
scenario variants, area types and grades, potential kinds, measure types and statuses,
booleans, units and the column names of the public tables) has one row with ``domain``,
``code``, ``label_de``, ``label_en``, the display ``unit`` and a ``source``. A code without a
label raises :class:`MissingLabel`: a German output never shows an English code.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pandas as pd

from heatplan.i18n.numbers import locale_of
from heatplan.reference import table

__all__ = [
    "MissingLabel",
    "column_header",
    "field_header",
    "field_label",
    "label",
    "labels_of",
    "labels_table",
    "unit_of",
    "value_label",
]

FILE = "labels.csv"
#: Composite scenario keys: ``share:<key>`` (a share of the key) and ``<sector>|<carrier>``.
SHARE_PREFIX = "share:"
SECTOR_CARRIER = "|"


class MissingLabel(KeyError):
    """A code with no label in ``data/labels.csv``."""


@lru_cache(maxsize=1)
def _vocabulary() -> dict[tuple[str, str], dict[str, str]]:
    frame = table(FILE, as_text=True)
    twice = frame[frame.duplicated(["domain", "code"])]
    if len(twice):
        raise ValueError(f"{FILE}: {twice[['domain', 'code']].values.tolist()} given twice")
    records = frame.astype(str).to_dict("records")
    return {
        (str(r["domain"]), str(r["code"])): {str(k): str(v) for k, v in r.items()} for r in records
    }


def labels_table() -> pd.DataFrame:
    """A copy of the vocabulary (domain, code, label_de, label_en, unit, source)."""
    return table(FILE, as_text=True)


def _row(domain: str, code: str) -> dict[str, str]:
    try:
        return _vocabulary()[(domain, code)]
    except KeyError:
        raise MissingLabel(f"{FILE}: no label for {domain} code {code!r}") from None


def label(domain: str, code: Any, language: str = "de") -> str:
    """The label of ``code`` in ``domain`` (``"carrier"``, ``"sector"``, ...).

    >>> label("carrier", "natural_gas"), label("carrier", "natural_gas", "en")
    ('Erdgas', 'natural gas')
    >>> label("boolean", True), label("grade", "wahrscheinlich_geeignet", "en")
    ('Ja', 'likely suitable')
    """
    locale_of(language)
    if isinstance(code, bool):
        code = str(code).lower()
    return _row(domain, str(code))[f"label_{language}"]


def labels_of(domain: str, codes: Iterable[str], language: str = "de") -> dict[str, str]:
    """``{code: label}`` of ``codes`` in ``domain``, in the order given (a missing one raises).

    >>> labels_of("decentral_option", ["air_hp", "biomass"])
    {'air_hp': 'Luft-Wärmepumpe', 'biomass': 'Pelletkessel'}
    """
    return {code: label(domain, code, language) for code in codes}


def unit_of(domain: str, code: str) -> str:
    """The unit of ``code`` (``""`` for none): ``unit_of("column", "cost_eur")`` is EUR.

    ``%`` marks a share stored as a fraction (0.25 is 25 %).
    """
    return _row(domain, code)["unit"]


def column_header(code: str, language: str = "de") -> str:
    """A column's label with its unit in brackets: ``Wärmebedarf [MWh/a]``.

    >>> column_header("heat_demand_mwh_per_a"), column_header("cost_eur", "en")
    ('Wärmebedarf [MWh/a]', 'Cost [EUR]')
    """
    unit = unit_of("column", code)
    text = label("column", code, language)
    return f"{text} [{unit}]" if unit else text


def _field_parts(name: str, language: str) -> tuple[str, str]:
    """The label and the unit of a field (see :func:`field_header`)."""
    if ("column", name) in _vocabulary():
        return label("column", name, language), unit_of("column", name)
    head, _, tail = name.rpartition("_")
    if tail.isdigit() and len(tail) == 4 and ("column", head) in _vocabulary():
        return f"{label('column', head, language)} {tail}", ""
    for prefix in ("share", "generators"):
        carrier = name.removeprefix(f"{prefix}_")
        if carrier != name and ("carrier", carrier) in _vocabulary():
            text = f"{label('column', prefix, language)} {label('carrier', carrier, language)}"
            return text, unit_of("column", prefix)
    raise MissingLabel(f"{FILE}: no label for the field {name!r} (domain column)")


def field_label(name: str, language: str = "de") -> str:
    """The label of a field without its unit: :func:`field_header` is this label and the
    unit in brackets (the web map's pop-ups show the unit beside the value instead).

    >>> field_label("heat_demand_kwh_per_a"), field_label("share_natural_gas", "en")
    ('Wärmebedarf', 'Share natural gas')
    """
    return _field_parts(name, language)[0]


def field_header(name: str, language: str = "de") -> str:
    """The header of a public layer's or table's field, also of the generated names
    ``<column>_<year>`` (``area_type_2030``), ``share_<carrier>`` and ``generators_<carrier>``.

    >>> field_header("area_type_2030"), field_header("share_natural_gas")
    ('Versorgungsart 2030', 'Anteil Erdgas [%]')
    >>> field_header("generators_wood", "en"), field_header("heat_demand_kwh_per_a")
    ('Heat generators wood/biomass', 'Wärmebedarf [kWh/a]')
    """
    text, unit = _field_parts(name, language)
    return f"{text} [{unit}]" if unit else text


def value_label(domains: tuple[str, ...], code: Any, language: str = "de") -> str:
    """The label of ``code`` in the first of ``domains`` that has it; composite scenario keys
    (``share:wood``, ``households|natural_gas``) are labelled part by part.

    >>> value_label(("indicator_key", "carrier"), "share:wood")
    'Anteil Holz/Biomasse'
    >>> value_label(("sector", "carrier"), "unknown|biogas", "en")
    'unknown: biogas'
    """
    text = str(code)
    if text.startswith(SHARE_PREFIX):
        share = label("indicator_key", "share", language)
        return f"{share} {value_label(domains, text[len(SHARE_PREFIX) :], language)}"
    if SECTOR_CARRIER in text:
        sector, _, carrier = text.partition(SECTOR_CARRIER)
        return f"{label('sector', sector, language)}: {label('carrier', carrier, language)}"
    for domain in domains:
        if (domain, text) in _vocabulary():
            return label(domain, text, language)
    raise MissingLabel(f"{FILE}: no label for {text!r} in {', '.join(domains)}")
