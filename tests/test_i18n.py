"""The i18n foundation: Babel numbers agree with heatplan's German notation, the gettext
catalogue covers every marked text of the public writers, and the vocabulary labels every
code that reaches a public output (and agrees with the label tables that predate it).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from heatplan.classify.rules import (
    GRADE_DE,
    GRADE_EN,
    OPTION_DE,
    OPTION_EN,
    PERSPECTIVE_DE,
    PERSPECTIVE_EN,
    TYPE_DE,
    TYPE_EN,
)
from heatplan.formats import german
from heatplan.i18n import (
    MissingLabel,
    column_header,
    format_date,
    format_number,
    format_percent,
    gettext_for,
    label,
    labels_table,
    value_label,
)
from heatplan.i18n.catalogue import catalogue_text
from heatplan.measures.schema import STATUSES
from heatplan.outputs.tables import AREA_INDICATORS, SUITABILITY_DE
from heatplan.outputs.xlsx import SCENARIO_HEADERS
from heatplan.publish.tables import INDICATORS_DE, SECTORS_DE
from heatplan.reference import table

SRC = Path(__file__).resolve().parents[1] / "src" / "heatplan"
#: The writers whose texts go through the catalogue (keyword ``tr``): the workbook and the web
#: map's fact sheet and layer legends.
WRITERS = [
    *sorted((SRC / "outputs").glob("xlsx*.py")),
    *(SRC / "web" / name for name in ("factsheet.py", "legend.py")),
]


# --- numbers: one German notation --------------------------------------------------------------
@given(
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    decimals=st.integers(min_value=0, max_value=3),
)
def test_babel_writes_the_german_notation_of_formats_german(value: float, decimals: int) -> None:
    assert format_number(value, decimals, "de") == german(f"{value:,.{decimals}f}")


@pytest.mark.parametrize(
    "value,decimals,expected",
    [
        (1234.5, 1, "1.234,5"),
        (-1234567.891, 2, "-1.234.567,89"),
        (999.95, 1, "1.000,0"),  # 999.95 is 999.9500000000000454 in binary: rounds up
        (2.675, 2, "2,67"),  # 2.67499999... in binary: rounds down, as Python does
        (0.125, 2, "0,12"),  # an exact tie: to even
        (1000, 0, "1.000"),
        (999, 0, "999"),
    ],
)
def test_german_numbers_by_hand(value: float, decimals: int, expected: str) -> None:
    assert format_number(value, decimals, "de") == expected == german(f"{value:,.{decimals}f}")


def test_english_numbers_shares_and_dates() -> None:
    assert format_number(-1234.5, 1, "en") == "-1,234.5"
    assert format_percent(0.305, 1, "de") == "30,5\u00a0%"
    assert format_percent(0.305, 1, "en") == "30.5%"
    assert format_date(dt.date(2027, 3, 1), "de") == "01.03.2027"
    assert format_number(None) == "" and format_percent(float("nan")) == ""
    with pytest.raises(ValueError, match="choose one of de, en"):
        format_number(1.0, 0, "fr")


# --- the gettext catalogue ---------------------------------------------------------------------
def _marked() -> set[str]:
    texts = set()
    for path in WRITERS:
        for _, message, _, _ in extract_from_file("python", str(path), keywords={"tr": None}):
            texts.add(message)
    return texts | set(SCENARIO_HEADERS.values()) | set(SUITABILITY_DE.values())


def test_every_marked_text_has_an_english_translation() -> None:
    marked = _marked()
    assert len(marked) > 40  # the extraction found the writers' texts
    untranslated = sorted(t for t in marked if gettext_for("en", t) == t)
    assert not untranslated


def test_the_catalogue_holds_only_texts_in_use() -> None:
    import io

    catalog = read_po(io.StringIO(catalogue_text("en") or ""))
    ids = {m.id for m in catalog if m.id}
    assert ids == _marked()


def test_placeholders_survive_translation() -> None:
    for text in _marked():
        fields = set(re.findall(r"\{(\w+)\}", text))
        assert set(re.findall(r"\{(\w+)\}", gettext_for("en", text))) == fields, text


# --- the vocabulary ----------------------------------------------------------------------------
def test_every_row_is_complete_and_unique() -> None:
    labels = labels_table()
    assert not labels.duplicated(["domain", "code"]).any()
    for column in ("domain", "code", "label_de", "label_en", "source"):
        assert labels[column].str.strip().ne("").all(), column


def test_a_missing_label_is_an_error() -> None:
    with pytest.raises(MissingLabel, match="carrier code 'plutonium'"):
        label("carrier", "plutonium")
    with pytest.raises(MissingLabel):
        value_label(("indicator_key", "carrier"), "share:plutonium")


def _codes() -> dict[str, set[str]]:
    """The codes that reach public outputs, from the tables and code that produce them."""
    stages = (SRC / "stages" / "potentials.py").read_text(encoding="utf-8")
    geology = (SRC / "potentials" / "geology.py").read_text(encoding="utf-8")
    kinds = set(re.findall(r'kind="([a-z_]+)"', stages))
    kinds |= set(re.findall(r'"kind": "([a-z_]+)"', geology))
    uses = {"sfh", "th", "mfh", "ab", "unknown"}
    uses |= set(table("nonresidential_benchmarks.csv", as_text=True)["category"])
    return {
        "carrier": set(table("carriers.csv", as_text=True)["carrier"]) | {"all", "total"},
        "heater_type": set(table("heater_types.csv", as_text=True)["heater_type"]) | {"all"},
        "sector": set(SECTORS_DE),
        "use": uses,
        "indicator": set(INDICATORS_DE),
        "area_type": set(TYPE_DE),
        "grade": set(GRADE_DE),
        "decentral_option": set(OPTION_DE),
        "potential_kind": kinds,
        "measure_type": set(table("measure_types.csv", as_text=True)["measure_type"]),
        "measure_status": set(STATUSES),
        "variant": set(table("scenario_variants.csv", as_text=True)["variant"]),
        "column": set(AREA_INDICATORS),
    }


def test_every_public_code_has_a_label_in_both_languages() -> None:
    missing = []
    for domain, codes in _codes().items():
        assert codes, domain
        for code in sorted(codes):
            for language in ("de", "en"):
                try:
                    label(domain, code, language)
                except MissingLabel:
                    missing.append((domain, code))
    assert not missing
    assert len(_codes()["potential_kind"]) >= 10  # the walk found the potential kinds


def test_scenario_indicators_and_keys_are_labelled() -> None:
    from heatplan.scenario.indicators import GAS_KEYS, LABELS_DE

    for indicator in LABELS_DE:
        label("indicator", indicator)
    for key in [*GAS_KEYS.values(), "total", "all_buildings", "buildings", "grid_bound_heat"]:
        value_label(("indicator_key", "carrier", "sector"), key)
    assert (
        value_label(("indicator_key",), "share:renewable", "en") == "share renewable and waste heat"
    )


def _pairs(domain: str, language: str = "de") -> dict[str, str]:
    rows = labels_table()
    rows = rows[rows["domain"] == domain]
    return dict(zip(rows["code"], rows[f"label_{language}"], strict=True))


@pytest.mark.parametrize(
    "domain,language,older",
    [
        ("area_type", "de", TYPE_DE),
        ("area_type", "en", TYPE_EN),
        ("grade", "de", GRADE_DE),
        ("grade", "en", GRADE_EN),
        ("decentral_option", "de", OPTION_DE),
        ("decentral_option", "en", OPTION_EN),
        ("measure_status", "de", STATUSES),
        ("sector", "de", SECTORS_DE),
        ("indicator", "de", INDICATORS_DE),
        ("cost_perspective", "de", PERSPECTIVE_DE),
        ("cost_perspective", "en", PERSPECTIVE_EN),
    ],
)
def test_the_vocabulary_agrees_with_the_older_label_dicts(
    domain: str, language: str, older: dict[str, str]
) -> None:
    """Until the older dicts read ``labels.csv``, they must say the same."""
    assert {k: _pairs(domain, language)[k] for k in older} == older


@pytest.mark.parametrize(
    "domain,file,key",
    [
        ("carrier", "carriers.csv", "carrier"),
        ("heater_type", "heater_types.csv", "heater_type"),
        ("measure_type", "measure_types.csv", "measure_type"),
        ("use", "nonresidential_benchmarks.csv", "category"),
        ("heat_density_class", "heat_density_classes.csv", "class"),
    ],
)
def test_the_vocabulary_agrees_with_the_reference_tables(domain: str, file: str, key: str) -> None:
    older = table(file, as_text=True).drop_duplicates(key).set_index(key)
    for language in ("de", "en"):
        if f"label_{language}" in older.columns:
            pairs = _pairs(domain, language)
            assert {k: pairs[k] for k in older.index} == older[f"label_{language}"].to_dict()


def test_area_profile_labels_and_units_agree_with_the_report() -> None:
    for column, (text, unit) in AREA_INDICATORS.items():
        assert label("column", column) == text
        shown = {"Anzahl": "", "-": "%"}.get(unit, unit)  # count: no unit; share: percent
        assert column_header(column) == (f"{text} [{shown}]" if shown else text)


def test_labels_table_is_a_copy() -> None:
    first = labels_table()
    first.loc[:, "label_de"] = "x"
    assert label("carrier", "wood") == "Holz/Biomasse"
    assert isinstance(first, pd.DataFrame)


def test_map_legends_name_codes_as_the_vocabulary_does() -> None:
    """The palette's legend labels (report, web, QGIS) of a coded category are the vocabulary's."""
    from heatplan.reference import table

    styles = table("map_styles.csv", as_text=True)
    domains = {"potential_kind": "potential_kind", "area_type": "area_type", "likelihood": "grade"}
    checked = 0
    for row in styles.itertuples(index=False):
        domain = domains.get(str(row.layer))
        if domain is None:
            continue
        try:
            expected = (label(domain, row.category), label(domain, row.category, "en"))
        except MissingLabel:
            continue
        assert (row.label_de, row.label_en) == expected, row.category
        checked += 1
    assert checked >= 15
