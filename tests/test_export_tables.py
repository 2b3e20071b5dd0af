"""XLSX and GeoPackage exports: Anlage-2 tables, profile sheets and the public layers.

29 buildings in 5 blocks and 3 supply areas; the inventory aggregates come from the project's
own functions (blocks, street segments, 100 m grid, municipal totals) so the exporters see the
real columns. Expected values are sums over the hand-made buildings. Privacy (WPG § 10 Abs. 2):
no building-level row or layer, nothing over fewer than 5 buildings.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from openpyxl import load_workbook

from heatplan.areas.grid import grid_100m
from heatplan.areas.indicators import block_indicators, grid_indicators, segment_indicators
from heatplan.areas.totals import municipality_totals
from heatplan.outputs.gpkg import STRUCTURAL, write_gpkg
from heatplan.outputs.xlsx import write_xlsx
from heatplan.publish import (
    AREA_STRUCTURAL,
    BUILDING_LEVEL_LAYERS,
    MIN_BUILDINGS_CONSUMPTION,
)

CRS = "EPSG:25832"
RTOL_SUM = 1e-12
KWH_PER_MWH = 1000.0
#: (block, area, count, carrier, sector, heater_type, final energy [kWh/a]) per building group.
GROUPS = [
    ("B1", "A01", 6, "natural_gas", "households", "condensing_boiler", 20_000.0),
    ("B2", "A01", 4, "natural_gas", "households", "condensing_boiler", 20_000.0),
    ("B2", "A01", 4, "district_heat", "households", "substation", 15_000.0),
    ("B3", "A02", 3, "heating_oil", "households", "boiler", 25_000.0),
    ("B4", "A03", 7, "natural_gas", "commerce", "boiler", 20_000.0),
    ("B4", "A03", 1, "hard_coal", "industry", "boiler", 300_000.0),
    ("B5", "A03", 4, "electricity", "households", "heat_pump_air", 5_000.0),
]
BLOCKS = {
    "B1": shapely.box(420000, 5360000, 420250, 5360500),
    "B2": shapely.box(420250, 5360000, 420500, 5360500),
    "B3": shapely.box(420500, 5360000, 421000, 5360500),
    "B4": shapely.box(420000, 5360500, 420500, 5361000),
    "B5": shapely.box(420600, 5360600, 421000, 5361000),
}
AREA_TYPES = {"A01": "waermenetz_neubau", "A02": "dezentral", "A03": "pruefgebiet"}
GRADE = "wahrscheinlich_geeignet"


def make_buildings() -> gpd.GeoDataFrame:
    rows = []
    for block, area, count, carrier, sector, heater, final in GROUPS:
        x0, y0, _, y1 = BLOCKS[block].bounds
        for k in range(count):
            n = len(rows)
            rows.append({
                "building_id": f"b{n:03d}", "block_id": block, "area_id": area,
                "carrier": carrier, "sector": sector, "heater_type": heater,
                "final_energy_kwh_per_a": final, "heat_demand_kwh_per_a": 0.9 * final,
                "co2_t_per_a": final * 240e-6, "generators": 1, "heated_area_m2": 150.0,
                "use": "sfh" if sector == "households" else "office",
                "age_class": "1958-1968" if k % 2 else "1969-1978",
                "segment_id": f"S{block}",
                "geometry": shapely.Point(x0 + 20 + 25 * k, (y0 + y1) / 2),
            })  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def make_layers() -> dict[str, pd.DataFrame]:
    buildings = make_buildings()
    blocks = gpd.GeoDataFrame(
        {"block_id": list(BLOCKS), "area_ha": [b.area / 1e4 for b in BLOCKS.values()]},
        geometry=list(BLOCKS.values()),
        crs=CRS,
    )
    segments = gpd.GeoDataFrame(
        {"segment_id": [f"S{b}" for b in BLOCKS], "length_m": 250.0},
        geometry=[shapely.LineString(b.exterior.coords[:2]) for b in BLOCKS.values()],
        crs=CRS,
    )
    buildings["grid_id"], cells = grid_100m(buildings)
    blocks = block_indicators(buildings, blocks)
    members = blocks.assign(area_id=blocks["block_id"].map(
        dict(zip(buildings["block_id"], buildings["area_id"], strict=False))))  # fmt: skip
    areas = members.dissolve("area_id", aggfunc={"buildings": "sum"}).reset_index()
    areas["block_ids"] = areas["area_id"].map(members.groupby("area_id")["block_id"].agg(",".join))
    demand = buildings.groupby("area_id")["heat_demand_kwh_per_a"].sum() / 1000.0
    areas["heat_demand_mwh_per_a"] = areas["area_id"].map(demand)
    for year in (2030, 2035, 2040, 2045):
        areas[f"area_type_{year}"] = areas["area_id"].map(AREA_TYPES)
        areas[f"likelihood_{year}"] = GRADE
    for kind in ("waermenetz", "wasserstoff", "dezentral"):
        areas[f"eignung_{kind}_2045"] = GRADE
    areas["explanation"] = "Liniendichte " + areas["area_id"]
    sewage = {"potential_id": "P1", "kind": "sewage_plant_effluent", "carrier": "waste_heat",
              "heat_mwh_per_a": 5000.0, "building_id": None, "excluded": False,
              "geometry": shapely.Point(421500, 5360000)}  # fmt: skip
    secret = {**sewage, "potential_id": "P2", "kind": "industrial_waste_heat", "confidential": True}
    air = buildings[["building_id", "geometry"]].assign(
        potential_id=buildings["building_id"] + "-air", kind="air_heat_pump",
        carrier="ambient_heat", heat_mwh_per_a=buildings["heat_demand_kwh_per_a"] / 1000.0,
        excluded=buildings["building_id"].isin(["b000", "b001"]), confidential=False,
    )  # fmt: skip
    potentials = gpd.GeoDataFrame(
        pd.concat([pd.DataFrame([sewage, secret]), air], ignore_index=True), crs=CRS
    )
    networks = pd.DataFrame({
        "network_id": ["N1", "N2"], "selection": ["area A01", "area A02"],
        "buildings_connected": [14, 3], "heat_delivered_mwh_per_a": [250.0, 67.5],
        "violations": ['["building b003: pressure"]', "[]"],
    })  # fmt: skip
    pipes = gpd.GeoDataFrame({
        "network_id": ["N1", "N1"], "pipe_id": ["p1", "p2"], "kind": ["main", "connection"],
        "length_m": [100.0, 12.0], "dn": [65, 25], "downstream_heat_kwh_per_a": [2e5, 1.8e4],
    }, geometry=[shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (100, 12)])],
       crs=CRS)  # fmt: skip
    return {
        "buildings": buildings,
        "building_options": buildings[["building_id"]].assign(lcoh_eur_per_mwh=120.0),
        "areas": areas,
        "blocks": blocks,
        "street_segments": segment_indicators(buildings, segments),
        "grid_100m": grid_indicators(buildings, cells),
        "totals": municipality_totals(buildings),
        "potentials": potentials,
        "networks": networks,
        "network_pipes": pipes,
    }


SCENARIO = pd.DataFrame({
    "variant": "base", "year": [2030, 2035, 2040, 2045] * 2,
    "indicator": ["final_energy"] * 4 + ["ghg_emissions"] * 4, "sector": "all", "carrier": "all",
    "value": [700.0, 600.0, 500.0, 400.0, 150.0, 100.0, 50.0, 0.0],
    "unit": ["MWh/a"] * 4 + ["t CO2e/a"] * 4,
})  # fmt: skip


def _rows(sheet) -> list[tuple]:  # type: ignore[no-untyped-def]
    return list(sheet.iter_rows(values_only=True))


def _table(sheet, header_row: int = 3) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rows = _rows(sheet)[header_row - 1 :]
    header = [h for h in rows[0] if h is not None]
    body = [r[: len(header)] for r in rows[1:] if any(v is not None for v in r)]
    return pd.DataFrame(body, columns=header)


#: Measures as the store holds them (dates as ISO text, areas ';'-separated); M03 is internal.
MEASURES = pd.DataFrame({
    "measure_id": ["M02", "M01", "M03"],
    "title": ["Wärmenetz Ortskern", "Machbarkeitsstudie", "Interne Abstimmung"],
    "measure_type": ["network_buildout", "potential_study", "other"],
    "responsible": ["Gemeindewerke", "Bauamt", "Kämmerei"],
    "start_date": ["2028-01-01", "2026-01-15", "2026-02-01"],
    "completion_date": ["2031-12-31", "2027-06-30", None],
    "cost_eur": [1_532_000.0, 90_000.0, None],
    "area_ids": ["A01;A03", "A01", ""],
    "status": ["planned", "in_progress", "planned"],
    "effect_mwh_per_a": [3_200.0, None, None],
    "effect_buildings_connected": [120, None, None],
    "public": [1, 1, 0],
    "updated_by": ["mueller", "mueller", "mueller"],
})  # fmt: skip


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    layers = make_layers()
    path = tmp_path_factory.mktemp("xlsx") / "plan.xlsx"
    result = write_xlsx(path, areas=layers["areas"], totals=layers["totals"],
                        buildings=layers["buildings"], potentials=layers["potentials"],
                        scenario_indicators=SCENARIO, measures=MEASURES,
                        title="Wärmeplan Test")  # fmt: skip
    assert result.suppressed_values > 0
    return load_workbook(path), layers


def test_xlsx_sheets(workbook) -> None:  # type: ignore[no-untyped-def]
    book, _ = workbook
    assert book.sheetnames == [
        "Inhalt", "Bestand", "Gebäude", "Potenziale", "Zielszenario", "Gebiete",
        "Steckbrief A01", "Steckbrief A02", "Steckbrief A03", "Maßnahmen",
    ]  # fmt: skip


def test_xlsx_inventory_values_and_suppression(workbook) -> None:  # type: ignore[no-untyped-def]
    book, layers = workbook
    table = _table(book["Bestand"])
    energy = table[table["Indikator"] == "Endenergieverbrauch Wärme"]
    total = energy[(energy["Energieträger"] == "alle") & (energy["Sektor"] == "alle")]
    expected = sum(group[2] * group[6] for group in GROUPS)  # buildings x final energy [kWh/a]
    assert total["Wert"].iloc[0] == pytest.approx(expected / KWH_PER_MWH, rel=RTOL_SUM)
    assert set(energy["Einheit"]) == {"MWh/a"}
    by_carrier = energy[(energy["Sektor"] == "alle") & (energy["Energieträger"] != "alle")]
    gas = by_carrier.set_index("Energieträger").loc["Erdgas", "Wert"]
    assert gas == pytest.approx(17 * 20_000.0 / KWH_PER_MWH, rel=RTOL_SUM)
    # coal (1 building) and oil (3) are hidden, and one more carrier so that the hidden
    # carriers hold >= 5 buildings: the municipal total minus the rest reveals nothing
    hidden = by_carrier[by_carrier["Wert"].isna()]
    assert {"Steinkohle", "Heizöl"} <= set(hidden["Energieträger"])
    label = {"natural_gas": "Erdgas", "district_heat": "Fernwärme", "heating_oil": "Heizöl",
             "hard_coal": "Steinkohle", "electricity": "Strom"}  # fmt: skip
    counts = layers["buildings"]["carrier"].map(label).value_counts()
    assert counts[hidden["Energieträger"]].sum() >= MIN_BUILDINGS_CONSUMPTION
    generators = table[(table["Indikator"] == "Dezentrale Wärmeerzeuger")]
    margin = generators[
        (generators["Erzeugertyp"] == "alle") & (generators["Energieträger"] != "alle")
    ]
    values = margin.set_index("Energieträger")["Wert"]
    assert values["Erdgas"] == 17  # gas boilers of 17 buildings
    # heater data over >= 3 buildings: coal (1) is hidden together with oil (3), the smallest
    assert values[["Steinkohle", "Heizöl"]].isna().all() and values["Strom"] == 4


def test_xlsx_contents_link_to_every_sheet(workbook) -> None:  # type: ignore[no-untyped-def]
    book, _ = workbook
    links = [c.hyperlink.location for c in book["Inhalt"]["A"] if c.hyperlink is not None]
    assert links == [f"'{name}'!A1" for name in book.sheetnames[1:]]


def test_xlsx_areas_profiles_and_scenario(workbook) -> None:  # type: ignore[no-untyped-def]
    book, _ = workbook
    areas = _table(book["Gebiete"]).set_index("Gebiet")
    assert areas.loc["A01", "Versorgungsart 2030"] == "Wärmenetzgebiet (Neubau)"
    assert areas.loc["A02", "Versorgungsart 2045"] == "Gebiet für die dezentrale Wärmeversorgung"
    assert areas.loc["A03", "Wahrscheinlichkeit 2040"] == "wahrscheinlich geeignet"
    a01_mwh = 0.9 * (10 * 20_000.0 + 4 * 15_000.0) / 1000.0
    assert areas.loc["A01", "Wärmebedarf [MWh/a]"] == pytest.approx(a01_mwh, rel=RTOL_SUM)
    assert pd.isna(areas.loc["A02", "Wärmebedarf [MWh/a]"])  # 3 buildings
    profile = _table(book["Steckbrief A01"]).set_index("Kennzahl")
    assert profile.loc["Gebäude", "Wert"] == 14
    types = [r for r in _rows(book["Steckbrief A02"]) if r[0] in (2030, 2035, 2040, 2045)]
    assert [r[1] for r in types] == ["Gebiet für die dezentrale Wärmeversorgung"] * 4
    scenario = _table(book["Zielszenario"])
    row = scenario[scenario["Indikator"] == "Treibhausgasemissionen"].iloc[0]
    assert [row[str(y)] for y in (2030, 2035, 2040, 2045)] == [150.0, 100.0, 50.0, 0.0]


def test_xlsx_potentials_public_only(workbook) -> None:  # type: ignore[no-untyped-def]
    book, _ = workbook
    table = _table(book["Potenziale"]).set_index("Art")
    air, sewage = "Luft-Wärmepumpen an Gebäuden", "Abwärme aus Kläranlagenablauf"
    assert list(table.index) == [air, sewage]  # no confidential row
    assert table.loc[sewage, "Wärme [MWh/a]"] == 5000.0
    # 2 buildings excluded: town demand minus the air potential would give their demand
    assert pd.isna(table.loc[air, "Wärme [MWh/a]"])


MAIN_SHEETS = ("Bestand", "Gebäude", "Potenziale", "Zielszenario", "Gebiete", "Maßnahmen")


def test_xlsx_numbers_carry_formats_by_unit(workbook) -> None:  # type: ignore[no-untyped-def]
    book, _ = workbook
    for sheet in book.worksheets:
        for cell in (c for row in sheet.iter_rows() for c in row):
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert cell.number_format != "General", (sheet.title, cell.coordinate)
    header = [c.value for c in book["Gebiete"][3]]
    demand = header.index("Wärmebedarf [MWh/a]") + 1
    assert book["Gebiete"].cell(row=4, column=demand).number_format == "#,##0"
    rows = {r[0].value: r for r in book["Steckbrief A01"].iter_rows(min_row=4) if r[0].value}
    assert rows["Wärmebedarf"][1].number_format == "#,##0"
    assert rows["Wärmebedarf"][2].value == "MWh/a"
    assert rows["Gebäude"][1].number_format == "#,##0"
    counts = [
        r for r in book["Bestand"].iter_rows(min_row=4) if r[5].value == "Anzahl" and r[4].value
    ]
    assert counts and all(r[4].number_format == "#,##0" for r in counts)
    shares = [r for r in book["Bestand"].iter_rows(min_row=4) if r[5].value == "%"]
    assert shares and all(r[4].number_format == "0.0%" for r in shares)


@pytest.mark.parametrize("name", MAIN_SHEETS)
def test_xlsx_header_rows_are_frozen_and_filtered(workbook, name: str) -> None:  # type: ignore[no-untyped-def]
    sheet = workbook[0][name]
    table = _table(sheet)
    assert sheet.freeze_panes == "A4"  # title, gap, header: the data scroll under the header
    last = chr(ord("A") + len(table.columns) - 1)
    assert sheet.auto_filter.ref == f"A3:{last}{3 + len(table)}"
    assert all(
        sheet.column_dimensions[chr(ord("A") + i)].width >= 8 for i in range(len(table.columns))
    )


def _codes_not_german() -> set[str]:
    labels = pd.read_csv(Path(__file__).parents[1] / "src/heatplan/data/labels.csv", dtype=str)
    return set(labels.loc[labels["code"] != labels["label_de"], "code"]) - {"1", "-"}


def test_german_workbook_shows_no_code(workbook) -> None:  # type: ignore[no-untyped-def]
    book, _ = workbook
    codes = _codes_not_german()
    assert {"natural_gas", "base", "final_energy", "air_heat_pump", "unknown"} <= codes
    for sheet in book.worksheets:
        for value in (v for r in _rows(sheet) for v in r):
            assert not isinstance(value, bool), sheet.title
            assert not (isinstance(value, str) and value.strip() in codes), (sheet.title, value)


def test_measures_sheet_lists_the_public_measures(workbook) -> None:  # type: ignore[no-untyped-def]
    book, _ = workbook
    sheet = book["Maßnahmen"]
    table = _table(sheet)
    public = MEASURES[MEASURES["public"] == 1].sort_values("measure_id")
    assert list(table["Nr."]) == list(public["measure_id"])  # M03 is not public
    row = table.set_index("Nr.").loc["M02"]
    assert row["Maßnahmentyp"] == "Wärmenetz: Neubau und Ausbau"
    assert row["Status"] == "geplant" and row["Gebiete"] == "A01, A03"
    assert row["Kosten [EUR]"] == 1_532_000.0 and row["Wirkung Anschlüsse"] == 120
    assert row["Beginn"].date() == dt.date(2028, 1, 1)  # an Excel date, not a text
    cells = {c.value: c for c in sheet[3]}
    column = list(cells).index("Beginn") + 1
    assert sheet.cell(row=4, column=column).number_format == "DD.MM.YYYY"
    assert "mueller" not in {v for r in _rows(sheet) for v in r}  # no staff names


def test_english_workbook_on_request(tmp_path: Path) -> None:
    layers = make_layers()
    path = tmp_path / "en.xlsx"
    result = write_xlsx(path, areas=layers["areas"], totals=layers["totals"],
                        buildings=layers["buildings"], scenario_indicators=SCENARIO,
                        measures=MEASURES, language="en")  # fmt: skip
    book = load_workbook(path)
    assert result.language == "en" and book.sheetnames[:2] == ["Contents", "Inventory"]
    assert book.sheetnames[-1] == "Measures" and "Profile A01" in book.sheetnames
    inventory = _table(book["Inventory"])
    assert {"natural gas", "all"} <= set(inventory["Carrier"])
    areas = _table(book["Areas"]).set_index("Area")
    assert areas.loc["A01", "Supply type 2030"] == "heat-network area (new network)"
    assert _table(book["Measures"]).set_index("No.").loc["M01", "Status"] == "in progress"


def test_gpkg_needs_gpkg_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.gpkg"):
        write_gpkg({"areas": make_layers()["areas"]}, tmp_path / "public.zip")


def test_xlsx_without_scenario_says_what_to_run(tmp_path: Path) -> None:
    layers = make_layers()
    write_xlsx(tmp_path / "p.xlsx", areas=layers["areas"])
    cells = [v for r in _rows(load_workbook(tmp_path / "p.xlsx")["Zielszenario"]) for v in r]
    assert any(isinstance(v, str) and "run heatplan scenario" in v for v in cells)


def test_xlsx_has_no_building_level_value(workbook) -> None:  # type: ignore[no-untyped-def]
    book, layers = workbook
    ids = set(layers["buildings"]["building_id"])
    for sheet in book.worksheets:
        for value in (v for r in _rows(sheet) for v in r):
            assert not (isinstance(value, str) and any(i in value for i in ids)), sheet.title


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    layers = make_layers()
    path = tmp_path_factory.mktemp("gpkg") / "public.gpkg"
    return write_gpkg(layers, path), layers


def test_gpkg_layers_are_public_only(gpkg) -> None:  # type: ignore[no-untyped-def]
    report, _ = gpkg
    names = set(pyogrio.list_layers(report.path)[:, 0])
    assert not names & BUILDING_LEVEL_LAYERS
    assert {"buildings", "building_options", "totals"} <= set(report.not_exported)
    assert {"areas", "blocks", "street_segments", "grid_100m", "potentials"} <= names
    assert not list(report.path.parent.glob(".*partial*"))
    assert gpd.read_file(report.path, layer="areas").crs == CRS


def test_gpkg_no_row_under_five_buildings_carries_data(gpkg) -> None:  # type: ignore[no-untyped-def]
    report, _ = gpkg
    for name in pyogrio.list_layers(report.path)[:, 0]:
        frame = pyogrio.read_dataframe(report.path, layer=name)
        count = "buildings" if "buildings" in frame else "buildings_connected"
        if count not in frame:
            continue
        small = frame[frame[count].between(1, MIN_BUILDINGS_CONSUMPTION - 1)]
        keep = set(STRUCTURAL.get(name, ())) | {count, "geometry", "network_id", "selection"}
        keep |= {*AREA_STRUCTURAL, "block_id", "kind", "carrier"}
        keep |= {c for c in frame if c.startswith(("area_type_", "likelihood_", "eignung_"))}
        for column in set(frame.columns) - keep:
            values = small[column]
            assert values.isna().all() or values.astype(str).str.contains("unterdrückt").all(), (
                name,
                column,
            )


def test_gpkg_blocks_protected_against_differencing(gpkg) -> None:  # type: ignore[no-untyped-def]
    report, _ = gpkg
    blocks = pyogrio.read_dataframe(report.path, layer="blocks").set_index("block_id")
    # B3 (3 buildings) alone in A02; B5 (4) in A03 takes B4 (8) with it
    assert blocks.loc[["B3", "B4", "B5"], "heat_demand_kwh_per_a"].isna().all()
    expected = 6 * 0.9 * 20_000.0
    assert blocks.loc["B1", "heat_demand_kwh_per_a"] == pytest.approx(expected, rel=RTOL_SUM)


def test_gpkg_potentials_networks_pipes(gpkg) -> None:  # type: ignore[no-untyped-def]
    report, _ = gpkg
    sites = pyogrio.read_dataframe(report.path, layer="potentials")
    assert "building_id" not in sites and list(sites["potential_id"]) == ["P1"]  # P2 confidential
    by_block = pyogrio.read_dataframe(report.path, layer="potentials_by_block")
    heat = by_block.set_index("block_id")["heat_mwh_per_a"]
    assert heat["B2"] == pytest.approx(4 * 18.0 + 4 * 13.5, rel=RTOL_SUM)
    # B1: 2 of 6 buildings excluded — B1's published demand minus the rest would reveal them
    assert heat[["B1", "B3", "B5"]].isna().all()
    networks = pyogrio.read_dataframe(report.path, layer="networks").set_index("network_id")
    assert "violations" not in networks and np.isnan(networks.loc["N2", "heat_delivered_mwh_per_a"])
    pipes = pyogrio.read_dataframe(report.path, layer="network_pipes")
    assert list(pipes["kind"]) == ["main"] and "downstream_heat_kwh_per_a" not in pipes


def test_every_public_field_has_a_german_and_english_label(gpkg) -> None:  # type: ignore[no-untyped-def]
    """The vocabulary names every field of the public GeoPackage (aliases, pop-ups, headers)."""
    from heatplan.i18n import field_header

    report, _ = gpkg
    fields = {
        str(f)
        for name in pyogrio.list_layers(report.path)[:, 0]
        if name not in ("layer_styles", "qgis_projects")  # QGIS's own tables
        for f in pyogrio.read_info(report.path, layer=name)["fields"]
    }
    assert {"heat_demand_kwh_per_a", "area_type_2030", "line_density_kwh_per_m_a"} <= fields
    for field in sorted(fields):
        assert field_header(field, "de") and field_header(field, "en")


def _with_networks(gas_m: float, heat_m: float) -> gpd.GeoDataFrame:
    """The areas as a project with (or without: NaN) gas and heat network layers gives them."""
    return make_layers()["areas"].assign(gas_network_m=gas_m, heat_network_m=heat_m)


def test_unknown_network_length_is_no_zero_anywhere(tmp_path: Path) -> None:
    """No gas network layer in the project: the length is unknown (NULL in the GeoPackage, an
    empty cell in the XLSX, '–' in the report's area sheet, each labelled 'keine Daten im
    Projekt'); a heat network layer without a line in the area: a known 0 m."""
    from heatplan.report.areas import areas_section

    areas = _with_networks(math.nan, 0.0)
    write_gpkg({"areas": areas}, tmp_path / "p.gpkg")
    with sqlite3.connect(tmp_path / "p.gpkg") as db:
        counts = db.execute(
            "SELECT count(*), sum(gas_network_m IS NULL), sum(heat_network_m = 0) FROM areas"
        ).fetchone()
    assert counts == (3, 3, 3)
    write_xlsx(tmp_path / "p.xlsx", areas=areas)
    profile = _table(load_workbook(tmp_path / "p.xlsx")["Steckbrief A01"]).set_index("Kennzahl")
    assert profile.loc["Gasnetz im Gebiet (keine Daten im Projekt)", "Wert"] is None
    assert profile.loc["Wärmenetz im Gebiet", "Wert"] == 0
    assert "Gasnetz im Gebiet" not in profile.index
    section = areas_section(areas, suppressed=set(), streets=None, pipes=None, attribution="")
    rows = {r[0]: r[1:] for r in section["profiles"][0]["indicators"].rows}
    assert rows["Gasnetz im Gebiet (keine Daten im Projekt)"] == ["–", "m"]
    assert rows["Wärmenetz im Gebiet"] == ["0", "m"]
    assert "Gasnetz im Gebiet" not in rows


def test_known_network_length_keeps_its_label(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "p.xlsx", areas=_with_networks(0.0, 1250.0), language="en")
    profile = _table(load_workbook(tmp_path / "p.xlsx")["Profile A01"]).set_index("Indicator")
    assert profile.loc["Gas network in the area", "Value"] == 0
    assert profile.loc["Heat network in the area", "Value"] == 1250
    write_xlsx(tmp_path / "q.xlsx", areas=_with_networks(math.nan, math.nan), language="en")
    profile = _table(load_workbook(tmp_path / "q.xlsx")["Profile A01"]).set_index("Indicator")
    assert profile.loc["Gas network in the area (no data in the project)", "Value"] is None
