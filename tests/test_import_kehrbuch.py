"""Chimney-sweep register (Kehrbuch): German terms mapped by data, bad rows named, heaters fed."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.errors import InputFileError
from heatplan.inputs.kehrbuch import heaters_from_kehrbuch, import_kehrbuch, term_key, terms
from heatplan.inputs.validate import load_reference
from heatplan.project.create import create_project

runner = CliRunner()
SAMPLE = Path(__file__).parent / "data" / "kehrbuch" / "kehrbuch_auszug.csv"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "schutterwald"
    create_project(folder, name="Schutterwald", key="08317117")
    return folder


def test_sample_terms_mapped_and_bad_rows_named(project: Path) -> None:
    result = runner.invoke(app, ["import", "kehrbuch", str(project), str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["imported"], data["rejected"]) == (5, 4)
    assert data["ignored_columns"] == ["Messergebnis CO %"]
    heaters = pyogrio.read_dataframe(project / "plan.gpkg", layer="heaters").set_index("heater_id")
    expected = {
        "FS-001": ("condensing_boiler", "natural_gas", 24.5, 2011),
        "FS-002": ("stove", "wood", 8.0, 2015),  # 01.10.2015 -> 2015
        "FS-003": ("boiler", "heating_oil", 27.0, 1994),
        "FS-004": ("boiler", "wood", 15.0, 2019),
        "FS-005": ("stove", "unknown", 6.5, 1978),  # Kachelofen without fuel: unknown stays
    }
    for heater_id, (kind, carrier, kw, year) in expected.items():
        row = heaters.loc[heater_id]
        assert (row["heater_type"], row["carrier"]) == (kind, carrier), heater_id
        assert row["capacity_kw"] == pytest.approx(kw, abs=1e-9)
        assert row["install_year"] == year
    assert heaters.at["FS-003", "address"] == "kirchstraße 3a, 77746"
    assert heaters.at["FS-001", "heater_term_de"] == "Gas-Brennwertkessel"
    rejections = pyogrio.read_dataframe(project / "plan.gpkg", layer="import_rejections")
    found = {(r.file, r.row, r.field, r.value) for r in rejections.itertuples()}
    assert found == {
        ("kehrbuch_auszug.csv", 6, "Brennstoff", "Heizöl EL"),
        ("kehrbuch_auszug.csv", 7, "Feuerstättenart", "Wärmeschrank"),
        ("kehrbuch_auszug.csv", 8, "Brennstoff", "Stadtgas"),
        ("kehrbuch_auszug.csv", 9, "address", None),
    }
    assert rejections["reason"].str.contains(" / ").all()  # German / English


def test_reimport_rejects_duplicates(project: Path) -> None:
    import_kehrbuch(project, SAMPLE)
    result = import_kehrbuch(project, SAMPLE)
    assert result.imported == 0


def test_every_term_maps_to_a_known_code() -> None:
    table = terms()
    heater_types = set(load_reference("heater_types.csv")["heater_type"])
    carriers = set(load_reference("carriers.csv")["carrier"])
    kinds = table[table["field"] == "feuerstaettenart"]
    fuels = table[table["field"] == "brennstoff"]
    assert set(kinds["heater_type"]) <= heater_types
    assert set(kinds["carrier"]) - {""} <= carriers
    assert set(fuels["carrier"]) <= carriers
    assert not table.duplicated(["field", "key"]).any()


def test_codes_spelling_and_ambiguous_number() -> None:
    frame = pd.DataFrame(
        {
            "street": ["Hauptstraße", "Hauptstraße"],
            "house_number": ["1", "2"],
            "Feuerstättenart": ["GAS–BRENNWERTKESSEL", "heat_pump_air"],
            "Brennstoff": [" erdgas  h ", "electricity"],
            "capacity_kw": ["1.500", "9"],
        }
    )
    out, rejections = heaters_from_kehrbuch(frame, file=Path("k.csv"))
    assert out["heater_type"].tolist() == ["heat_pump_air"]
    assert out["carrier"].tolist() == ["electricity"]
    # '1.500' kW: thousands or decimal point? the column does not tell -> refused, not guessed
    assert rejections[["row", "field"]].values.tolist() == [[1, "capacity_kw"]]
    assert term_key("Heizöl  EL") == "heizöl el"


def test_a_file_without_feuerstaettenart_is_refused(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "k.csv"
    file.write_text("Straße;Hausnummer;Brennstoff\nHauptstraße;1;Erdgas\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="Feuerstättenart"):
        import_kehrbuch(project, file)


def test_xlsx_extract_with_other_header_spellings(project: Path, tmp_path: Path) -> None:
    file = tmp_path / "kehrbuch.xlsx"
    pd.DataFrame(
        {
            "Strasse": ["Hauptstr.", "Hauptstraße"],
            "Hausnr.": ["6 A", 8],
            "Postleitzahl": [77746, 77746],
            "Art der Feuerstätte": ["Pelletofen", "Öl-Brennwertkessel"],
            "Brennstoff": [None, "Heizöl EL schwefelarm"],
            "Nennwärmeleistung (kW)": [8.5, "22,4"],
            "Baujahr": [2018, "2020"],
        }
    ).to_excel(file, index=False)
    result = import_kehrbuch(project, file)
    assert (result.imported, result.rejected, result.ignored_columns) == (2, 0, ())
    heaters = pyogrio.read_dataframe(project / "plan.gpkg", layer="heaters")
    assert heaters["address"].tolist() == ["hauptstraße 6a, 77746", "hauptstraße 8, 77746"]
    assert heaters["carrier"].tolist() == ["wood", "heating_oil"]  # pellet stove implies wood
    assert heaters["capacity_kw"].tolist() == pytest.approx([8.5, 22.4])


def test_a_failed_import_leaves_the_store_byte_identical(project: Path) -> None:
    import hashlib

    import_kehrbuch(project, SAMPLE)
    before = hashlib.sha256((project / "plan.gpkg").read_bytes()).hexdigest()
    result = import_kehrbuch(project, SAMPLE)  # every row known already: all rejected
    assert result.imported == 0 and result.rejected > 0
    assert hashlib.sha256((project / "plan.gpkg").read_bytes()).hexdigest() == before
    assert result.report and Path(result.report).is_file()  # the rejections, beside the store
