"""A town assembled from sample files in the official formats, imported with the CLI end to end:
the cadastre (ALKIS AX_Gebaeude) gives footprints, uses, storeys, years and addresses; the
chimney sweep's register (Kehrbuch) gives the heaters, joined by address although the
cadastre names no postcode; the inventory then fills sector, use, age class and heater type."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from typer.testing import CliRunner

from heatplan.cli import app

DATA = Path(__file__).parent / "data"


def test_alkis_and_kehrbuch_fill_the_inventory(tmp_path: Path) -> None:
    town = tmp_path / "town"
    runner = CliRunner()
    steps = [
        ["init", str(town), "--name", "Schutterwald", "--key", "08317122"],
        ["import", "alkis", str(town), str(DATA / "alkis" / "ax_gebaeude.gpkg")],
        ["import", "kehrbuch", str(town), str(DATA / "kehrbuch" / "kehrbuch_auszug.csv")],
        ["inventory", str(town)],
    ]
    for args in steps:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    frame = pyogrio.read_dataframe(town / "plan.gpkg", layer="buildings", read_geometry=False)
    rows = frame.set_index("address")
    # Hauptstraße 12: ALKIS 1010 Wohnhaus (type not given) -> SFH by its heated area, flagged;
    # year 1965 -> TABULA class; the sweep's gas condensing boiler (PLZ 77746 in the register)
    house = rows.loc["hauptstraße 12"]
    assert (house["use"], house["sector"], house["age_class"]) == ("sfh", "households", "1958-1968")
    assert bool(house["use_estimated"])
    assert (house["heater_type"], house["carrier"]) == ("condensing_boiler", "natural_gas")
    assert house["heat_demand_kwh_per_a"] > 0
    # Kirchstraße 3a: ALKIS 2020 Bürogebäude; the sweep's oil boiler
    office = rows.loc["kirchstraße 3a"]
    assert (office["use"], office["sector"]) == ("office", "commerce")
    assert (office["heater_type"], office["carrier"]) == ("boiler", "heating_oil")
    # Hauptstraße 14: 1020 Wohnheim (an MFH type, not estimated); no heater in the register
    assert (
        rows.loc["hauptstraße 14", "use"],
        bool(rows.loc["hauptstraße 14", "use_estimated"]),
    ) == (
        "mfh",
        False,
    )
    assert rows.loc["hauptstraße 14", "heater_type"] == "unknown"  # unknown stays unknown
    # the garage (2463) was rejected as unheated; code 1999 stays unknown
    assert len(frame) == 5 and (frame["use"] == "unknown").sum() == 1
