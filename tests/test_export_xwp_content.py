"""XWärmeplan export beyond the supply areas: inventory, scenario, blocks, potentials, measures.

A project is made with ``create_project`` and filled through the store API with the layers of
:func:`test_export_tables.make_layers` (29 buildings in 5 blocks and 3 areas, built by the
project's own inventory functions), a scenario table in the format ``heatplan scenario``
writes (two variants; the first is the plan's) and a measures table as helper M's step
writes it (INTERFACES.md). ``heatplan export --format xwaermeplan`` must then write every
feature class with the store's values, publish nothing over fewer than 5 buildings (heater
counts: 3) and validate with the XLeitstelle's xplan-tools; both engines write the same
document. XWärmeplan codes: data/xwp_codes.csv (XWärmeplan 0.9 code lists).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ci import required
from heatplan.formats import german
from heatplan.outputs.xwp.plan import validate_xwaermeplan, xplan_tools_available
from heatplan.project.config import load_config, write_config
from heatplan.project.create import create_project
from heatplan.project.store import open_store
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION, MIN_BUILDINGS_HEATER
from heatplan.publish.layers import public_layers
from heatplan.steps.export import run_export
from test_export_tables import GROUPS, make_layers

XWP = "http://www.xwaermeplan.de/0/9"
GML = "http://www.opengis.net/gml/3.2"
SF = "http://www.opengis.net/ogcapi-features-1/1.0/sf"
XLINK = "http://www.w3.org/1999/xlink"
#: xplan-tools writes coordinates with 15 significant digits (GDAL), builtin with 17.
ATOL_COORD_M = 1e-6
YEAR_CODES = {2030: "1000", 2035: "2000", 2040: "3000", 2045: "4000"}
#: heatplan code -> XWärmeplan code (data/xwp_codes.csv), as the tests expect them.
CARRIER = {"natural_gas": "12001", "electricity": "6000", "biogas": "32002",
           "district_heat": "8200", "heating_oil": "13001", "hard_coal": "11002"}  # fmt: skip
SECTOR = {"households": "3000", "commerce": "2000", "industry": "1000", "public": "4000"}
needs_xplan_tools = required(
    None if xplan_tools_available() else "xplan-tools (optional extra heatplan[xwp]) not installed",
    "scripts/bootstrap.sh --test installs it",
)


def scenario_table() -> pd.DataFrame:
    """Indicators of two variants in the long format of ``heatplan scenario``."""
    rows = []
    for variant, scale in (("base", 1.0), ("hydrogen", 2.0)):
        for step, year in enumerate(YEAR_CODES):
            gas = scale * (600.0 - 150.0 * step)
            cells = {
                "households|natural_gas": gas, "commerce|natural_gas": 0.25 * gas,
                "households|electricity": 40.0 + 30.0 * step, "households|biogas": 10.0 * step,
                "commerce|district_heat": 50.0 * step,
            }  # fmt: skip
            values = {
                "final_energy": {**cells, "total": sum(cells.values())},
                "ghg_emissions": {
                    "households": 100.0 * scale / (step + 1),
                    "total": 150.0 * scale / (step + 1),
                },
                "grid_bound_heat_by_carrier": {
                    "electricity": 20.0 * step,
                    "wood": 30.0 * step,
                    "natural_gas": 0.0,
                    "total": 50.0 * step,
                    "share:electricity": 0.4 if step else 0.0,
                },
                "grid_bound_heat_share": {"grid_bound_heat": 0.02 * step},
                "heat_network_buildings": {"buildings": 4.0 * step, "all_buildings": 29.0},
                "gas_network_final_energy": {
                    "natural_gas": 1.25 * gas,
                    "hydrogen": 0.0,
                    "biomethane": 10.0 * step,
                    "total": 1.25 * gas + 10.0 * step,
                },
                "gas_network_buildings": {"buildings": 17.0 - 2 * step, "all_buildings": 29.0},
            }
            for indicator, by_key in values.items():
                for key, value in by_key.items():
                    rows.append((variant, year, indicator, key, value, "MWh/a"))
    return pd.DataFrame(rows, columns=["variant", "year", "indicator", "key", "value", "unit"])


MEASURES = pd.DataFrame({
    "measure_id": ["M01", "M02", "M03"],
    "title": ["Wärmenetz Ortsmitte", "Interne Prüfung", "Förderprogramm Heizungstausch"],
    "description": ["Neubau eines Wärmenetzes in A01", "nur intern", "Zuschüsse"],
    "measure_type": ["network_buildout", "other", "funding_programme"],
    "responsible": ["Gemeindewerke", "Bauamt", "Gemeinde"],
    "partners": ["", "", ""],
    "start_date": ["2026-01-01", "2026-01-01", "2026-01-01"],
    "completion_date": ["2030-12-31", "2027-06-30", None],
    "cost_eur": [4_500_000.0, 10_000.0, 200_000.0],
    "cost_bearer": ["Gemeindewerke (Anschlussbeiträge der Eigentümer)", "Gemeinde", "Gemeinde"],
    "financing": ["BEW Modul 2: 40 % Zuschuss; Kredit der Gemeindewerke", "", "Haushalt"],
    "effect_mwh_per_a": [1200.0, np.nan, 300.0],
    "effect_co2_t_per_a": [250.0, np.nan, 60.0],
    "effect_buildings_connected": [14, 0, 0], "effect_network_km": [1.2, 0.0, 0.0],
    "area_ids": ["A01", "", ""], "status": ["planned", "planned", "planned"],
    "public": [True, False, True], "revision": [1, 1, 1],
    "updated_utc": ["2026-11-23T12:00:00+00:00"] * 3, "updated_by": ["test"] * 3,
})  # fmt: skip


def make_project(root: Path, *, measures: bool = True) -> Path:
    """A project whose store holds the test layers (written through the store API)."""
    project = root / "plan"
    config = create_project(project, name="Testdorf", key="08317122")
    dates = {"start_decision_date": date(2024, 1, 15), "adoption_date": date(2025, 6, 30)}
    write_config(project, config.model_copy(update={"plan": config.plan.model_copy(update=dates)}))
    layers = make_layers()
    # a clean bool column: GeoPackage stores a None/True/False object column as text
    potentials = layers["potentials"]
    potentials["confidential"] = potentials["confidential"].map(lambda v: v is True)
    store = open_store(load_config(project).store_url(project))
    with store.transaction(step="test layers") as writer:
        for name in ("buildings", "areas", "blocks", "street_segments", "totals", "potentials"):
            writer.write(name, layers[name])
        writer.write("scenario_indicators", scenario_table())
        if measures:
            writer.write("measures", MEASURES)
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("xwp"))


@pytest.fixture(scope="module")
def builtin(project: Path) -> tuple[dict[str, Any], ET.Element]:
    result = run_export(
        project, "xwaermeplan", project / "export" / "builtin.gml", engine="builtin"
    )
    assert result["engine"] == "builtin"
    return result, ET.parse(result["path"]).getroot()


def _features(root: ET.Element, name: str | None = None) -> list[ET.Element]:
    found = [member[0] for member in root.findall(f"{{{SF}}}featureMember")]
    return [f for f in found if name is None or f.tag == f"{{{XWP}}}{name}"]


def _float(element: ET.Element, prop: str) -> float:
    text = element.findtext(f"{{{XWP}}}{prop}")
    assert text is not None, prop
    return float(text)


def _pairs(element: ET.Element, prop: str, kind: str, key: str, value: str) -> dict[str, float]:
    """Code -> value of a list of data types, e.g. eevGesamtNachEnergieTraeger."""
    out = {}
    for item in element.findall(f"{{{XWP}}}{prop}/{{{XWP}}}{kind}"):
        code = item.findtext(f"{{{XWP}}}{key}")
        assert code is not None and code not in out
        out[code] = float(item.findtext(f"{{{XWP}}}{value}") or "nan")
    return out


# --- classes, validation, engines ------------------------------------------------------------
EXPECTED_CLASSES = {
    "WP_Plan", "WP_Bereich", "WP_TextAbschnitt", "WP_WaermeversorgungsgebietZieljahr",
    "WP_BestandsanalyseAggregiert", "WP_ZielszenarioIndikatoren", "WP_Massnahme",
    "WP_EnergieBaublock", "WP_GebaeudeBaublock", "WP_GasNetzBaublock", "WP_Waermeliniendichte",
    "WP_PotenzialWaermeNutzung", "WP_PotenzialanalyseAggregiert",
}  # fmt: skip


def test_every_feature_class_is_written(builtin) -> None:  # type: ignore[no-untyped-def]
    result, root = builtin
    assert set(result["features"]) >= EXPECTED_CLASSES
    assert result["features"]["WP_ZielszenarioIndikatoren"] == 4
    assert sum(result["features"].values()) == len(_features(root))
    plan = _features(root, "WP_Plan")[0]
    ids = {f.get(f"{{{GML}}}id") for f in _features(root)}
    for prop, name in (("zielszenario", "WP_ZielszenarioIndikatoren"),
                       ("potenzialanalyse", "WP_PotenzialanalyseAggregiert"),
                       ("massnahme", "WP_Massnahme"),
                       ("bestandsanalyse", "WP_BestandsanalyseAggregiert")):  # fmt: skip
        refs = [e.get(f"{{{XLINK}}}href") for e in plan.findall(f"{{{XWP}}}{prop}")]
        assert len(refs) == result["features"][name]
    hrefs = [e.get(f"{{{XLINK}}}href") for e in root.iter() if e.get(f"{{{XLINK}}}href")]
    assert all(h is not None and h[1:] in ids for h in hrefs)


@needs_xplan_tools
def test_the_document_validates_with_xplan_tools(builtin, project: Path) -> None:  # type: ignore[no-untyped-def]
    result, _ = builtin
    assert validate_xwaermeplan(result["path"]) == result["features"]


def _canonical(root: ET.Element) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for element in root.iter():
        text: object = (element.text or "").strip()
        if element.tag in (f"{{{GML}}}posList", f"{{{GML}}}pos"):
            text = np.array(str(text).split(), dtype=float)
        attrib = {k: v for k, v in element.attrib.items() if not k.endswith("}id")}
        out.append((element.tag, text, tuple(sorted(attrib.items()))))
    return out


@needs_xplan_tools
def test_both_engines_write_the_same_document(builtin, project: Path) -> None:  # type: ignore[no-untyped-def]
    result, root = builtin
    theirs = run_export(project, "xwaermeplan", project / "export" / "xplan-tools.gml")
    assert theirs["engine"] == "xplan-tools"
    assert theirs["features"] == result["features"] and theirs["notes"] == result["notes"]
    ours, other = _canonical(root), _canonical(ET.parse(theirs["path"]).getroot())
    assert len(ours) == len(other)
    for mine, their in zip(ours, other, strict=True):
        if isinstance(mine[1], np.ndarray):
            assert mine[0] == their[0] and mine[2] == their[2]
            np.testing.assert_allclose(mine[1], their[1], rtol=0, atol=ATOL_COORD_M)
        else:
            assert mine == their


# --- target scenario ---------------------------------------------------------------------------
def _scenario(root: ET.Element, year: int) -> ET.Element:
    [feature] = [
        f for f in _features(root, "WP_ZielszenarioIndikatoren")
        if f.findtext(f"{{{XWP}}}betrachtungszeitpunkt") == YEAR_CODES[year]
    ]  # fmt: skip
    return feature


@pytest.mark.parametrize("year", list(YEAR_CODES))
def test_scenario_indicators_equal_the_store(builtin, year: int) -> None:  # type: ignore[no-untyped-def]
    _, root = builtin
    feature = _scenario(root, year)
    table = scenario_table()
    rows = table[(table["variant"] == "base") & (table["year"] == year)]
    final = rows[(rows["indicator"] == "final_energy") & rows["key"].str.contains("|", regex=False)]
    final = final[final["value"] > 0]
    parts = final["key"].str.split("|", expand=True)
    by_carrier = final.groupby(parts[1].map(CARRIER))["value"].sum()
    written = _pairs(feature, "eevGesamtNachEnergieTraeger", "WP_EnergieTraegerVerbrauch",
                     "traeger", "verbrauchGesamt")  # fmt: skip
    assert written == pytest.approx(by_carrier.to_dict(), rel=1e-15)
    by_sector = final.groupby(parts[0].map(SECTOR))["value"].sum()
    sectors = _pairs(feature, "eevGesamtNachEnergieSektor", "WP_SektorVerbrauch", "sektor",
                     "verbrauch")  # fmt: skip
    assert sectors == pytest.approx(by_sector.to_dict(), rel=1e-15)
    value = dict(zip(rows["indicator"] + ":" + rows["key"], rows["value"], strict=True))
    share = feature.find(f"{{{XWP}}}anteilLeitungsgebWaermeversorgung")
    assert share is not None and share.get("uom") == "vH"
    assert float(share.text or "") == pytest.approx(
        100 * value["grid_bound_heat_share:grid_bound_heat"]
    )
    gas = _pairs(feature, "eevGasnetzNachEnergieTraeger", "WP_EnergieTraegerMenge", "traeger",
                 "energieMenge")  # fmt: skip
    expected_gas = {"12001": value["gas_network_final_energy:natural_gas"]}
    if value["gas_network_final_energy:biomethane"] > 0:
        expected_gas["32002"] = value["gas_network_final_energy:biomethane"]
    assert gas == expected_gas
    connections = f"{{{XWP}}}gebaeudeNetzanschluss/{{{XWP}}}WP_GebaeudeNetzanschluss/{{{XWP}}}"
    assert int(feature.findtext(connections + "gebaeudeGasAnschluss") or -1) == int(
        value["gas_network_buildings:buildings"])  # fmt: skip
    assert int(feature.findtext(connections + "gebaeudeWaermenetzAnschluss") or -1) == int(
        value["heat_network_buildings:buildings"])  # fmt: skip
    residential = int(feature.findtext(connections + "wohngebaeude") or -1)
    other = int(feature.findtext(connections + "nichtwohngebaeude") or -1)
    commerce_buildings = sum(n for _, _, n, _, sector, _, _ in GROUPS if sector != "households")
    assert (residential, other) == (29 - commerce_buildings, commerce_buildings)
    green = feature.find(f"{{{XWP}}}bedarfGruenesMethanZieljahr")
    target = table[(table["variant"] == "base") & (table["year"] == 2045)]
    biomethane = target[target["key"] == "biomethane"]["value"].iloc[0]
    assert green is not None and float(green.text or "") == biomethane


def test_scenario_ghg_goes_into_a_text(builtin) -> None:  # type: ignore[no-untyped-def]
    _, root = builtin
    title = "Zielszenario: Treibhausgasemissionen"
    [text] = [f for f in _features(root, "WP_TextAbschnitt")
              if f.findtext(f"{{{XWP}}}title") == title]  # fmt: skip
    body = text.findtext(f"{{{XWP}}}text") or ""
    table = scenario_table()
    totals = table[(table["indicator"] == "ghg_emissions") & (table["key"] == "total")]
    for variant, year, value in totals[["variant", "year", "value"]].itertuples(index=False):
        shown = german(f"{value:,.1f}")
        assert (f"{year}: {shown} t CO2e/a" in body) == (variant == "base")
    assert "(Basisvariante)" in body and "(base)" not in body


# --- inventory totals ------------------------------------------------------------------------
def test_inventory_totals_public_only(builtin) -> None:  # type: ignore[no-untyped-def]
    _, root = builtin
    [feature] = _features(root, "WP_BestandsanalyseAggregiert")
    totals = make_layers()["totals"]
    rows = totals[(totals["indicator"] == "final_energy") & (totals["sector"] == "all")
                  & (totals["carrier"] != "all")]  # fmt: skip
    by_carrier = rows.set_index("carrier")["value"] / 1000.0
    written = _pairs(feature, "eevGesamtNachEnergieTraeger", "WP_EnergieTraegerVerbrauch",
                     "traeger", "verbrauchGesamt")  # fmt: skip
    buildings = {}
    for _, _, n, carrier, *_ in GROUPS:
        buildings[carrier] = buildings.get(carrier, 0) + n
    shown = {c for c, n in buildings.items() if n >= MIN_BUILDINGS_CONSUMPTION}
    assert shown == {"natural_gas"}  # district heat 4, oil 3, coal 1, electricity 4 buildings
    assert written["12001"] == by_carrier["natural_gas"]
    hidden = by_carrier.drop(index="natural_gas").sum()
    assert written == pytest.approx({"12001": by_carrier["natural_gas"], "9999": hidden})
    heaters = _pairs(feature, "waermerzeugerMitEnergietraeger", "WP_WaermeerzeugerEnergietraeger",
                     "heizung", "anzahl")  # fmt: skip
    # 25 decentral generators plus the 4 district-heat substations (>= 3: published)
    assert sum(heaters.values()) == 29 and heaters["3000"] == 4
    assert "20001" not in heaters  # the one coal boiler is never named


# --- blocks and segments ---------------------------------------------------------------------
def _public_blocks() -> pd.DataFrame:
    layers = make_layers()
    public, _ = public_layers({k: layers[k] for k in ("areas", "blocks", "street_segments")})
    return public["blocks"]


def test_energy_blocks_are_the_published_blocks(builtin) -> None:  # type: ignore[no-untyped-def]
    _, root = builtin
    public = _public_blocks()
    published = set(public.loc[public["heat_density_mwh_per_ha_a"].notna(), "block_id"])
    assert published == {"B1", "B2"}  # B3 (3), B5 (4) under 5; B4 against differencing in A03
    energy = {f.findtext(f"{{{XWP}}}baublockId"): f for f in _features(root, "WP_EnergieBaublock")}
    assert set(energy) == published
    for block, feature in energy.items():
        row = public.set_index("block_id").loc[block]
        assert _float(feature, "verbrauchsDichte") == row["heat_density_mwh_per_ha_a"]
    gebaeude = {f.findtext(f"{{{XWP}}}baublockId") for f in _features(root, "WP_GebaeudeBaublock")}
    assert gebaeude == {"B1", "B2", "B3", "B4", "B5"}  # structural: every block


def test_no_block_cell_under_the_minimum(builtin) -> None:  # type: ignore[no-untyped-def]
    """Carrier cells need 5 buildings, heater cells 3; suppressed cells only as 9999 sums."""
    _, root = builtin
    layers = make_layers()
    buildings = layers["buildings"]
    for feature in _features(root, "WP_EnergieBaublock"):
        block = feature.findtext(f"{{{XWP}}}baublockId")
        inside = buildings[buildings["block_id"] == block]
        assert len(inside) >= MIN_BUILDINGS_CONSUMPTION
        energy = _pairs(feature, "energietraegerVerbrauch", "WP_EnergieTraegerMenge", "traeger",
                        "energieMenge")  # fmt: skip
        assert sum(energy.values()) == pytest.approx(inside["final_energy_kwh_per_a"].sum() / 1e3)
        for code, _ in energy.items():
            if code != "9999":
                n = inside["carrier"].map(CARRIER).eq(code).sum()
                assert n >= MIN_BUILDINGS_CONSUMPTION, (block, code)
        heaters = _pairs(feature, "waermeerzeuger", "WP_WaermeerzeugerAngaben", "art", "anzahl")
        assert sum(heaters.values()) == inside["generators"].sum()
        assert all(v >= MIN_BUILDINGS_HEATER for k, v in heaters.items() if k != "9999")
    b2 = next(f for f in _features(root, "WP_EnergieBaublock")
              if f.findtext(f"{{{XWP}}}baublockId") == "B2")  # fmt: skip
    # B2: 4 gas and 4 district-heat buildings: both carrier cells hidden, summed as 9999
    energy = _pairs(b2, "energietraegerVerbrauch", "WP_EnergieTraegerMenge", "traeger",
                    "energieMenge")  # fmt: skip
    assert energy == {"9999": (4 * 20_000.0 + 4 * 15_000.0) / 1e3}
    heaters = _pairs(b2, "waermeerzeuger", "WP_WaermeerzeugerAngaben", "art", "anzahl")
    assert heaters == {"20002": 4, "3000": 4}  # 4 buildings each >= 3: published


def test_suppressed_blocks_carry_no_figures(builtin) -> None:  # type: ignore[no-untyped-def]
    _, root = builtin
    for name in ("WP_GebaeudeBaublock", "WP_GasNetzBaublock"):
        for feature in _features(root, name):
            if feature.findtext(f"{{{XWP}}}baublockId") in {"B3", "B4", "B5"}:
                assert feature.find(f"{{{XWP}}}anzahlAnschluesse") is None
                assert feature.find(f"{{{XWP}}}verbrauchsDichte") is None
    gas = {f.findtext(f"{{{XWP}}}baublockId"): f for f in _features(root, "WP_GasNetzBaublock")}
    assert set(gas) == {"B1"}  # B2's 4 gas buildings are a hidden cell
    assert int(gas["B1"].findtext(f"{{{XWP}}}anzahlAnschluesse") or -1) == 6


def test_line_density_only_where_published(builtin) -> None:  # type: ignore[no-untyped-def]
    _, root = builtin
    segments = make_layers()["street_segments"].set_index("segment_id")
    written = {f.findtext(f"{{{XWP}}}title"): f for f in _features(root, "WP_Waermeliniendichte")}
    assert set(written) == set(segments.index)
    for segment_id, feature in written.items():
        density = feature.find(f"{{{XWP}}}waermeliniendichte")
        if segments.loc[segment_id, "buildings"] < MIN_BUILDINGS_CONSUMPTION:
            assert density is None, segment_id
        elif density is not None:
            assert density.get("uom") == "MWh/(m*a)"
            expected = segments.loc[segment_id, "line_density_kwh_per_m_a"] / 1000.0
            assert float(density.text or "") == expected
    shown = [s for s, f in written.items() if f.find(f"{{{XWP}}}waermeliniendichte") is not None]
    assert "SB1" in shown and "SB3" not in shown


# --- potentials and measures -----------------------------------------------------------------
def test_potentials_public_only(builtin) -> None:  # type: ignore[no-untyped-def]
    _, root = builtin
    features = _features(root, "WP_PotenzialWaermeNutzung")
    titles = {f.findtext(f"{{{XWP}}}title"): f for f in features}
    assert "P1" in titles and not any(t.startswith("P2") for t in titles)  # P2 confidential
    assert _pairs(titles["P1"], "potenzial", "WP_EnergieTraegerMenge", "traeger",
                  "energieMenge") == {"73005": 5000.0}  # fmt: skip
    assert titles["P1"].find(f"{{{XWP}}}position/{{{GML}}}MultiPoint") is not None
    layers = make_layers()
    public, _ = public_layers({k: layers[k] for k in ("blocks", "potentials")})
    by_block = public["potentials_by_block"]
    shown = by_block[by_block["heat_mwh_per_a"].notna() & (by_block["heat_mwh_per_a"] > 0)]
    for block, heat in zip(shown["block_id"], shown["heat_mwh_per_a"], strict=True):
        amounts = _pairs(titles[f"Baublock {block}"], "potenzial", "WP_EnergieTraegerMenge",
                         "traeger", "energieMenge")  # fmt: skip
        assert amounts == {"73004": heat}
    hidden = set(by_block["block_id"]) - set(shown["block_id"])
    assert hidden and not any(f"Baublock {b}" in titles for b in hidden)


def test_potential_totals_public_only(builtin) -> None:  # type: ignore[no-untyped-def]
    """Air heat pumps: 29 buildings, 2 excluded: the excluded part (2) would be recoverable."""
    _, root = builtin
    [summary] = _features(root, "WP_PotenzialanalyseAggregiert")
    totals = _pairs(summary, "erneuerbareEnergienAbwaerme", "WP_EnergieTraegerVerbrauch",
                    "traeger", "verbrauchGesamt")  # fmt: skip
    assert totals == {"73005": 5000.0}  # the sewage plant; P2 confidential, air suppressed


def test_public_measures_only(builtin) -> None:  # type: ignore[no-untyped-def]
    result, root = builtin
    [m01] = _features(root, "WP_Massnahme")  # M02 not public, M03 without completion date
    assert m01.findtext(f"{{{XWP}}}bezeichnung") == "Wärmenetz Ortsmitte"
    assert m01.findtext(f"{{{XWP}}}kategorie") == "2000"
    assert m01.findtext(f"{{{XWP}}}abschlussUmsetzung") == "2030-12-31"
    assert m01.findtext(f"{{{XWP}}}kosten") == "4500000"
    bearers = [e.text for e in m01.findall(f"{{{XWP}}}kostentragenderSektor")]
    assert bearers == ["5000", "2000"]  # Gemeindewerke, Eigentümer
    assert [e.text for e in m01.findall(f"{{{XWP}}}finanzierung")] == ["2000", "3000"]
    assert _float(m01, "endenergieEinsparung") == 1200.0
    assert _float(m01, "treibausgaseEinsparung") == 250.0
    assert any("M03" in note and "completion_date" in note for note in result["notes"])
    assert not any("M02" in note for note in result["notes"])


def test_without_measures_the_export_says_so(tmp_path: Path) -> None:
    project = make_project(tmp_path, measures=False)
    result = run_export(project, "xwaermeplan", tmp_path / "plan.gml", engine="builtin")
    assert "WP_Massnahme" not in result["features"]
    assert any(note.startswith("WP_Massnahme: no measures table") for note in result["notes"])


def test_block_ids_match_across_int_and_float_columns() -> None:
    """A buildings column with a missing block id is float: 3.0 must still be block 3."""
    from heatplan.outputs.xwp.blocks import block_keys

    ids = pd.Series([3.0, np.nan, 12.0])
    assert block_keys(ids).tolist() == ["3", "nan", "12"]
    assert block_keys(pd.Series([3, 12])).tolist() == ["3", "12"]
    assert block_keys(pd.Series(["B1", "7a"])).tolist() == ["B1", "7a"]
