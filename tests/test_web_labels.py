"""The web's labels come from the one vocabulary (``data/labels.csv``): every code and field label
``/api/labels`` sends is the label :mod:`heatplan.i18n` gives the report and the XLSX."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from heatplan.i18n import LANGUAGES, field_header, label, unit_of
from heatplan.web.labels import CODE_DOMAINS, YEAR, code_domain, vocabulary

#: A year to expand the per-year fields with (any four digits do).
YEAR_SHOWN = "2030"
#: Shown unit per stored unit and the factor between them (1 kWh = 0.001 MWh; a fraction of 1
#: is 100 %): written out here, independent of ``data/web_display.csv``.
CONVERSIONS = {
    ("kWh/a", "MWh/a"): 0.001,
    ("kWh/(m·a)", "MWh/(m·a)"): 0.001,
    ("%", "%"): 100.0,
    ("EUR/MWh", "€/MWh"): 1.0,
}


def _csv_rows() -> list[dict[str, str]]:
    """``data/labels.csv`` read with the csv module, apart from :mod:`heatplan.i18n`."""
    path = resources.files("heatplan.data") / "labels.csv"
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def test_every_code_label_is_the_vocabulary_label() -> None:
    codes = vocabulary()["codes"]
    rows = _csv_rows()
    assert codes, "no codes sent"
    for code, sent in codes.items():
        domain = code_domain(code)
        for language in LANGUAGES:
            assert sent[language] == label(domain, code, language), (code, language)
        # the first of CODE_DOMAINS that holds the code, found in the raw file
        holders = [r for r in rows if r["code"] == code and r["domain"] in CODE_DOMAINS]
        first = min(holders, key=lambda r: CODE_DOMAINS.index(r["domain"]))
        assert (sent["de"], sent["en"]) == (first["label_de"], first["label_en"]), code


def test_every_code_of_the_web_domains_is_sent() -> None:
    codes = vocabulary()["codes"]
    wanted = {r["code"] for r in _csv_rows() if r["domain"] in CODE_DOMAINS}
    assert set(codes) == wanted


@pytest.mark.parametrize(
    ("code", "german", "english"),
    [
        # hand-picked: an English output must not show a German carrier name
        ("natural_gas", "Erdgas", "natural gas"),
        ("unknown", "unbekannt", "unknown"),
        # a code in two domains: the fact sheet's reference boiler, the pellet boiler option
        ("gas", "Gas-Brennwertkessel (Vergleich)", "gas condensing boiler (reference)"),
        ("biomass", "Pelletkessel", "pellet boiler"),
        ("planned", "geplant", "planned"),
        ("true", "Ja", "Yes"),
    ],
)
def test_code_labels_by_hand(code: str, german: str, english: str) -> None:
    assert vocabulary()["codes"][code] == {"de": german, "en": english}


def test_field_labels_are_the_xlsx_headers() -> None:
    """The pop-up's label is the XLSX/GeoPackage header of the same field without the unit."""
    for key, spec in vocabulary()["fields"].items():
        name = key.replace(YEAR, f"_{YEAR_SHOWN}")
        for language in LANGUAGES:
            text = spec[language] + (f" {YEAR_SHOWN}" if key.endswith(YEAR) else "")
            header = field_header(name, language)
            assert header == text or header.startswith(f"{text} ["), (key, language, header)


def test_numbers_are_shown_in_their_units() -> None:
    """Factor and shown unit agree with the unit the vocabulary stores the field in."""
    numbers = {k: s for k, s in vocabulary()["fields"].items() if "factor" in s}
    assert "heat_demand_kwh_per_a" in numbers
    for key, spec in numbers.items():
        stored = unit_of("column", key) if not key.startswith("share_") else "%"
        if (stored, spec["unit"]) in CONVERSIONS:
            assert spec["factor"] == pytest.approx(CONVERSIONS[(stored, spec["unit"])], rel=1e-12)
        else:  # shown as stored: counts, DN sizes (no unit), ha, m, kW, MWh/a
            assert spec["unit"] in (stored, ""), key
            assert spec["factor"] == 1.0, key
        assert spec["decimals"] in (0, 1), key


def test_dates_and_texts_carry_no_number_format() -> None:
    fields = vocabulary()["fields"]
    assert fields["start_date"].get("date") is True
    assert "factor" not in fields["reason"] and "date" not in fields["reason"]


# --- the fact sheet's texts through the gettext catalogue ---------------------------------------
def test_fact_sheet_reason_in_both_languages() -> None:
    """Numbers in each language's notation, the density class and the option from the
    vocabulary, the sentence from the catalogue (hand-written expectations)."""
    import pandas as pd

    from heatplan.plan import columns as col
    from heatplan.web.factsheet import plain_reason

    area = pd.Series(
        {
            "buildings": 1234,
            col.HEAT_DENSITY_MWH_PER_HA_A: 1049.6,  # rounds to 1,050
            "heat_density_class": "very_high",
            "network_lcoh_eur_per_mwh": 95.4,
            "decentral_lcoh_eur_per_mwh": 120.5,  # a tie: rounds to even, 120
            "best_decentral": "air_hp",
        }
    )
    reason = plain_reason(area)
    assert reason["de"].startswith(
        "Im Gebiet stehen 1.234 Gebäude. Sie brauchen zusammen 1.050 MWh"
    )
    assert "(Sehr hohe Wärmenetzeignung)" in reason["de"]
    assert "etwa 95 € je Megawattstunde" in reason["de"] and "120 € mit" in reason["de"]
    assert "(Luft-Wärmepumpe)" in reason["de"]
    assert reason["en"].startswith("The area has 1,234 buildings. Together they need 1,050 MWh")
    assert "(very high heat-network suitability)" in reason["en"]
    assert "about 95 EUR/MWh" in reason["en"] and "(air heat pump)" in reason["en"]


def test_fact_sheet_area_names_and_dates() -> None:
    import pandas as pd

    from heatplan.web.factsheet import _area_name, _date, tr

    generated = _area_name(pd.Series({"name": "Gebiet A03 (Kirchstraße)"}), "A03")
    assert generated == {"de": "Gebiet A03 (Kirchstraße)", "en": "Area A03 (Kirchstraße)"}
    own = _area_name(pd.Series({"name": "Ortskern"}), "A01")
    assert own == {"de": "Ortskern", "en": "Ortskern"}
    assert _date("2030-12-31") == {"de": "31.12.2030", "en": "Dec 31, 2030"}
    assert tr("{year} (Zieljahr)", year="2045") == {
        "de": "2045 (Zieljahr)",
        "en": "2045 (target year)",
    }


def test_english_fact_sheet_texts_carry_no_german_words() -> None:
    """Every catalogue text of the fact sheet, filled with English values, has none of the
    German words its German form has (umlauts and common function words)."""
    import re
    from pathlib import Path

    from babel.messages.extract import extract_from_file

    from heatplan.i18n import gettext_for

    path = Path(__file__).resolve().parents[1] / "src" / "heatplan" / "web" / "factsheet.py"
    messages = [m for _, m, _, _ in extract_from_file("python", str(path), keywords={"tr": None})]
    assert len(messages) > 30
    german = re.compile(r"[äöüß]|\b(und|ist|hier|oder|für|mit|im|Gebäude)\b")
    for message in messages:
        english = gettext_for("en", message)
        english = english.replace("BEG Einzelmaßnahmen", "")
        assert not german.search(english), (message, english)
