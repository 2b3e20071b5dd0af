"""A town assembled from sample files in the official formats, imported with the CLI end to end:
the cadastre (ALKIS AX_Gebaeude) gives footprints, uses, storeys, years and addresses; the
chimney sweep's register (Kehrbuch) gives the heaters, joined by address although the
cadastre names no postcode; the Zensus 2022 grid (Destatis layout, a cell written here where
the sample town stands) gives an age class where the cadastre has no year and, in the south,
the carrier shares of a cell as the prior of a house with neither heater nor meter; the gas
utility's extract (German headers, decimal comma, thousands point) gives measured demand; the
state survey office's LoD2 CityGML (the same buildings) gives heights, roof faces and the
heated area from the model's volume; the Marktstammdatenregister export gives the PV and CHP
units on them. The inventory then fills sector, use, age class, heater type, demand and the
carrier breakdown, the potentials the roofs face by face less the PV already installed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from heatplan.cli import app
from heatplan.demand.typology import typology_heat_demand
from heatplan.inputs.lod2 import HEATED_AREA_SOURCE
from heatplan.publish.layers import public_layers
from heatplan.reference import carriers

DATA = Path(__file__).parent / "data"
#: Module share of a pitched roof face (usable_share 0.6, solar_roof_types.csv) and kWp per m²
#: module (solar_parameters.csv); a flat roof: usable 0.6 x ground cover 0.4 of tilted rows.
PITCHED_SHARE, FLAT_SHARE, KWP_PER_M2 = 0.6, 0.6 * 0.4, 0.20


def test_alkis_and_kehrbuch_fill_the_inventory(tmp_path: Path) -> None:
    town = tmp_path / "town"
    zensus = tmp_path / "Zensus2022_Baujahr_in_Mikrozensus_Klassen_100m-Gitter.csv"
    header = (DATA / "zensus" / zensus.name).read_text(encoding="utf-8").splitlines()[0]
    # the cell of the two buildings in the north (EPSG:3035): most built 1979-1990
    cell = "CRS3035RES100mN2818400E4164000;4164050;2818450;9;–;–;2;5;2;–;–;–;"
    zensus.write_text(f"{header}\n{cell}\n", encoding="utf-8")
    # the cell of the four buildings in the south: of 10 buildings with dwellings 6 heat with
    # gas, 3 with oil, 1 with district heat, 0 without a carrier; the rest suppressed
    carriers_file = tmp_path / "Zensus2022_Energietraeger_100m-Gitter.csv"
    header = (DATA / "zensus" / carriers_file.name).read_text(encoding="utf-8").splitlines()[0]
    cell = "CRS3035RES100mN2818200E4163800;4163850;2818250;10;6;3;–;–;–;–;–;1;0;"
    carriers_file.write_text(f"{header}\n{cell}\n", encoding="utf-8")
    gas = tmp_path / "gasnetz.csv"
    gas.write_text(
        "Zählpunkt;Straße;Hausnummer;PLZ;Jahr;Verbrauch [kWh/a];Ablesedatum\n"
        "DE0001;Hauptstraße;12;77746;2023;18.500,5;31.12.2023\n"
        "DE0002;Hauptstraße;16;77746;2023;61.000;31.12.2023\n",  # no such building: unmatched
        encoding="cp1252",
    )
    runner = CliRunner()
    steps = [
        ["init", str(town), "--name", "Schutterwald", "--key", "08317122"],
        ["import", "alkis", str(town), str(DATA / "alkis" / "ax_gebaeude.gpkg")],
        ["import", "kehrbuch", str(town), str(DATA / "kehrbuch" / "kehrbuch_auszug.csv")],
        ["import", "zensus", str(town), str(zensus), str(carriers_file)],
        ["import", "consumption", str(town), str(gas), "--carrier", "Erdgas"],
        ["import", "lod2", str(town), str(DATA / "lod2" / "lod2_sample.gml")],
        ["import", "mastr", str(town), str(DATA / "mastr" / "mastr_einheiten_testort.csv")],
        ["inventory", str(town)],
        ["potentials", str(town)],
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
    # measured: 18.500,5 kWh of gas at the condensing boiler's 0.95 (heater_types.csv)
    assert house["demand_method"] == "measured"
    assert house["heat_demand_kwh_per_a"] == pytest.approx(18_500.5 * 0.95, rel=1e-9)
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
    # Schulstraße 1 (3065 Kita): the sweep lists no heater there, the Marktstammdatenregister a
    # gas CHP unit (40 kW thermal), which becomes its heater
    kita = rows.loc["schulstraße 1"]
    assert (kita["heater_type"], kita["carrier"], kita["generators"]) == ("chp", "natural_gas", 1)
    # the LoD2 building that joins no ALKIS building: no heater anywhere, unknown stays unknown
    assert frame.set_index("building_id").loc["DEBWL522100004", "heater_type"] == "unknown"
    # the garage (2463) was rejected as unheated; code 1999 stays unknown, but the Zensus cell
    # gives its age class, flagged; its neighbour keeps the class of its own year (1995)
    # 5 heated ALKIS buildings and the LoD2 box that joins none of them (added: 1010 Wohnhaus)
    assert len(frame) == 6 and (frame["use"] == "unknown").sum() == 1
    unknown = frame[frame["use"] == "unknown"].iloc[0]
    assert (unknown["age_class"], unknown["age_class_source"]) == ("1984-1994", "zensus_2022_grid")
    assert (
        rows.loc["schulstraße 1", "age_class"],
        rows.loc["schulstraße 1", "age_class_source"],
    ) == (
        "1995-2001",
        "given",
    )
    _lod2_and_mastr_fill_the_same_buildings(town, rows)
    # Hauptstraße 14 (MFH, no heater, no meter) in the southern cell: the cell's shares are the
    # prior of its carrier breakdown, as expected values; its own carrier stays unknown
    mfh = rows.loc["hauptstraße 14"]
    assert (mfh["carrier"], mfh["carrier_source"]) == ("unknown", "zensus_2022_grid")
    assert house["carrier_source"] == "measured"  # Hauptstraße 12 keeps its own (Kehrbuch, gas)
    assert office["carrier_source"] == "register"  # the sweep's oil boiler, no meter
    heat = float(mfh["heat_demand_kwh_per_a"])
    assert heat > 0
    table = carriers()  # data/carriers.csv: default efficiency and CO2e factor per carrier
    shares = {"natural_gas": 0.6, "heating_oil": 0.3, "district_heat": 0.1}
    expected = {c: heat * s / float(table.loc[c, "default_efficiency"]) for c, s in shares.items()}
    totals = pyogrio.read_dataframe(town / "plan.gpkg", layer="totals", read_geometry=False)
    prior = totals[totals["indicator"] == "final_energy_zensus_prior"].set_index("carrier")
    assert prior["value"].to_dict() == pytest.approx(expected, rel=1e-9)
    co2 = totals[totals["indicator"] == "co2e_zensus_prior"].set_index("carrier")["value"]
    factor = {c: float(table.loc[c, "co2_g_per_kwh"]) / 1e6 for c in shares}
    assert co2.to_dict() == pytest.approx({c: expected[c] * factor[c] for c in shares}, rel=1e-9)
    # expected generators: one per building by share, district heat not decentral
    generators = totals[totals["indicator"] == "decentral_generators_zensus_prior"]
    by_carrier = generators[generators["heater_type"] == "all"].set_index("carrier")["value"]
    assert by_carrier.to_dict() == pytest.approx({"natural_gas": 0.6, "heating_oil": 0.3})
    # no heating-type file for this cell: the fuels are boilers (data/zensus_heater_types.csv)
    by_type = generators[generators["carrier"] == "all"].set_index("heater_type")["value"]
    assert by_type.to_dict() == pytest.approx({"boiler": 0.9}, rel=1e-12)
    # the measured and registered carriers stay apart from the estimate: the town's final
    # energy by carrier counts each building under its own carrier only
    final = totals[
        (totals["indicator"] == "final_energy")
        & (totals["sector"] == "all")
        & (totals["heater_type"] == "all")
    ].set_index("carrier")["value"]
    own = frame[frame["carrier"] == "heating_oil"]["final_energy_kwh_per_a"].sum()
    assert own > 0 and final["heating_oil"] == pytest.approx(own, rel=1e-9)
    assert "district_heat" not in final.index


def _lod2_and_mastr_fill_the_same_buildings(town: Path, rows: pd.DataFrame) -> None:
    """LoD2 heights, heated areas and roof faces; MaStR units on the same buildings."""
    house, home, office = (
        rows.loc[a] for a in ("hauptstraße 12", "hauptstraße 14", "kirchstraße 3a")
    )
    # LoD2 (hand-computed, tests/data/lod2/README.md): gable 10 x 8 m, eaves 6 m, ridge 10 m
    assert (house["height_m"], house["lod2_id"]) == (10.0, "DEBWL522100001")
    assert house["roof_area_m2"] == pytest.approx(2 * 10 * math.sqrt(32), rel=1e-9)
    # heated area from the LoD2 volume, not footprint x storeys (GEG A_N from V_e): the
    # flat-roofed home 12 x 10 x 9 m = 1,080 m³ at 3.0 m a storey -> 0.32/m; the office
    # 8 x 6 m, 5 -> 8 m = 312 m³ over 2 storeys (3.25 m) -> (1/3.25 - 0.04)/m
    assert (home["heated_area_m2"], home["heated_area_source"]) == (
        pytest.approx(0.32 * 1080.0, rel=1e-9),
        HEATED_AREA_SOURCE,
    )
    office_area = (1 / 3.25 - 0.04) * 312.0
    assert office["heated_area_m2"] == pytest.approx(office_area, rel=1e-9)
    assert office["heated_area_m2"] != pytest.approx(48.0 * 2 * 2.75 * 0.32, rel=1e-3)
    # ... and the demand model works from it: the office's benchmark demand at that area
    benchmark = typology_heat_demand(["office"], ["unknown"], [office_area])
    assert office["demand_method"] == "benchmark"
    assert office["heat_demand_kwh_per_a"] == pytest.approx(
        float(benchmark["heat_demand_kwh_per_a"].iloc[0]), rel=1e-9
    )
    # MaStR: PV in operation on the house and the office; the home's PV is decommissioned
    assert (house["pv_existing_kw"], house["pv_existing_source"]) == (4.9, "mastr")
    assert office["pv_existing_kw"] == 5.0
    assert np.isnan(home["pv_existing_kw"])  # unknown stays unknown, never 0
    plants = pyogrio.read_dataframe(town / "plan.gpkg", layer="plants", read_geometry=False)
    chp = plants.set_index("plant_id").loc["SEE900000000103"]
    assert (chp["kind"], chp["carrier"], chp["thermal_capacity_kw"]) == ("chp", "natural_gas", 40.0)
    assert chp["building_id"] == "DEBWL00100000006"
    # the roof potential face by face: the gable's south face (the north one is under 75 %
    # of the best irradiation), the office's south-facing mono-pitch roof, the flat roof
    potentials = pyogrio.read_dataframe(town / "plan.gpkg", layer="potentials")
    pv = potentials[potentials["kind"] == "roof_pv"].set_index("building_id")
    with_faces = ["DEBWL00100000001", "DEBWL00100000002", "DEBWL00100000003", "DEBWL00100000006"]
    assert set(pv.loc[with_faces, "roof_basis"]) == {"lod2_faces"}
    assert pv.loc["DEBWL00100000005", "roof_basis"] == "footprint_estimate"  # no LoD2 model
    house_kwp = 10 * math.sqrt(32) * PITCHED_SHARE * KWP_PER_M2
    office_kwp = 8 * math.sqrt(45) * PITCHED_SHARE * KWP_PER_M2
    home_kwp = 12 * 10 * FLAT_SHARE * KWP_PER_M2
    expected = {
        "DEBWL00100000001": (house_kwp, 4.9),
        "DEBWL00100000003": (office_kwp, 5.0),
        "DEBWL00100000002": (home_kwp, np.nan),
    }
    for building, (kwp, installed) in expected.items():
        row = pv.loc[building]
        assert row["capacity_kw"] == pytest.approx(kwp, rel=1e-9), building
        assert row["pv_free_kwp"] == pytest.approx(kwp - np.nan_to_num(installed), rel=1e-9)
    # the public edition sums roofs per block; the sites carry no roof or MaStR column
    public, _ = public_layers({"potentials": potentials})
    assert not {"roof_basis", "pv_existing_kw", "pv_free_kwp"} & set(public["potentials"].columns)
