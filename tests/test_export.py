"""Exports of the plan: XWärmeplan 0.9 GML, and the WPG § 10 rules every public export follows.

Inputs are built directly as small frames following AREAS-INTERFACE.md: three supply areas with
every column (A01 with 14 buildings, A02 with 3 — under the minimum of 5 — and A03 with 12).
XWärmeplan codes: the code lists of the XWärmeplan 0.9 model (versorgungsart, WP_Eignungsstufe).
Tests that need the XLeitstelle's xplan-tools (optional extra, GDAL bindings) are skipped
without it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from ci import required
from heatplan.errors import HeatplanError
from heatplan.outputs.xwp.plan import (
    PlanMetadata,
    plan_features,
    validate_xwaermeplan,
    write_xwaermeplan,
    xplan_tools_available,
)
from heatplan.publish import (
    MIN_BUILDINGS_CONSUMPTION,
    SUPPRESSED_NOTICE,
    public_areas,
    suppression_mask,
)

XWP = "http://www.xwaermeplan.de/0/9"
GML = "http://www.opengis.net/gml/3.2"
SF = "http://www.opengis.net/ogcapi-features-1/1.0/sf"
XLINK = "http://www.w3.org/1999/xlink"
CRS = "EPSG:25832"
YEARS = (2030, 2035, 2040, 2045)
#: Coordinates are written with the shortest exact decimal text: read back bit for bit.
ATOL_COORD_M = 0.0
needs_xplan_tools = required(
    None if xplan_tools_available() else "xplan-tools (optional extra heatplan[xwp]) not installed",
    "scripts/bootstrap.sh --test installs it",
)

AREA_GEOMETRIES = [
    shapely.box(420000, 5360000, 420500, 5360500),
    shapely.box(420500, 5360000, 421000, 5360500).difference(
        shapely.box(420600, 5360100, 420700.25, 5360200)
    ),
    shapely.MultiPolygon(
        [
            shapely.box(420000, 5360500, 420500, 5361000),
            shapely.box(420600, 5360600, 421000, 5361000),
        ]
    ),
]
AREA_TYPES = ["waermenetz_neubau", "dezentral", "pruefgebiet"]
#: (area type -> versorgungsart) from the XWärmeplan 0.9 code list.
EXPECTED_TYPE_CODES = {"waermenetz_neubau": "10003", "dezentral": "3000", "pruefgebiet": "4000"}


def make_areas() -> gpd.GeoDataFrame:
    """Three classified areas with every column of the interface."""
    frame = {
        "area_id": ["A01", "A02", "A03"],
        "name": ["Ortsmitte", "Am Mühlbach", "Gewerbegebiet"],
        "block_ids": ["B1,B2", "B3", "B4,B5"],
        "source": ["derived"] * 3,
        "buildings": [14, 3, 12],
        "heat_demand_mwh_per_a": [1400.0, 60.0, 900.0],
        "area_ha": [25.0, 24.0, 41.0],
        "heat_density_mwh_per_ha_a": [56.0, 2.5, 21.95],
        "line_density_kwh_per_m_a": [2100.0, 300.0, 1500.0],
        "street_length_m": [666.0, 200.0, 600.0],
        "share_residential": [1.0, 1.0, 0.25],
        "predominant_age_class": ["1958-1968", "1860-1918", "1979-1983"],
        "share_large_consumers": [0.0, 0.0, 0.4],
        "share_gas": [0.7, 0.0, 0.6],
        "gas_network_m": [600.0, 0.0, 500.0],
        "heat_network_m": [0.0, 0.0, 0.0],
        "nearest_potential_m": [1200.0, 3000.0, 800.0],
        "nearest_potential_kind": ["sewage_plant_effluent", "", "industrial_waste_heat"],
        "eignung_shortened": [False, True, False],
        "eignung_reason": ["", "Wärmedichte 2,5 MWh/(ha·a)", ""],
        **{f"area_type_{y}": AREA_TYPES for y in YEARS},
        "likelihood_2030": ["wahrscheinlich_geeignet", "sehr_wahrscheinlich_geeignet",
                            "wahrscheinlich_geeignet"],
        **{f"likelihood_{y}": ["sehr_wahrscheinlich_geeignet", "sehr_wahrscheinlich_geeignet",
                               "wahrscheinlich_geeignet"] for y in YEARS[1:]},
        "eignung_waermenetz_2045": ["sehr_wahrscheinlich_geeignet",
                                    "sehr_wahrscheinlich_ungeeignet", "wahrscheinlich_geeignet"],
        "eignung_wasserstoff_2045": ["sehr_wahrscheinlich_ungeeignet"] * 3,
        "eignung_dezentral_2045": ["wahrscheinlich_ungeeignet", "sehr_wahrscheinlich_geeignet",
                                   "wahrscheinlich_geeignet"],
        "explanation": [
            "Liniendichte 2,1 MWh/(m·a), Vollkosten Wärmenetz 112 vs 138 EUR/MWh -> Wärmenetz",
            "Verkürzte Untersuchung nach § 14 WPG -> dezentral",
            "Liniendichte 1,5 MWh/(m·a) -> Prüfgebiet",
        ],
        "explanation_en": ["line density 2.1", "shortened procedure", "line density 1.5"],
    }  # fmt: skip
    return gpd.GeoDataFrame(frame, geometry=AREA_GEOMETRIES, crs=CRS)


PLAN = PlanMetadata(
    name="Kommunaler Wärmeplan Schutterwald",
    municipality="Schutterwald",
    regional_key="08317122",
    description="Wärmeplan nach WPG, Testdaten",
    base_year=2023,
    start_decision_date=date(2024, 1, 15),
    adoption_date=date(2025, 6, 30),
)


def _features(root: ET.Element) -> list[ET.Element]:
    return [member[0] for member in root.findall(f"{{{SF}}}featureMember")]


def _local(element: ET.Element) -> str:
    return element.tag.split("}")[1]


def _polygons(surface: ET.Element) -> shapely.MultiPolygon:
    """A gml:MultiSurface read back into shapely (exterior and interior rings)."""

    def ring(element: ET.Element) -> np.ndarray:
        values = np.array(element.findtext(f".//{{{GML}}}posList", "").split(), dtype=float)
        return values.reshape(-1, 2)

    polygons = []
    for polygon in surface.iter(f"{{{GML}}}Polygon"):
        exterior = ring(polygon.find(f"{{{GML}}}exterior"))  # type: ignore[arg-type]
        holes = [ring(h) for h in polygon.findall(f"{{{GML}}}interior")]
        polygons.append(shapely.Polygon(exterior, holes))
    return shapely.MultiPolygon(polygons)


@pytest.fixture
def builtin_gml(tmp_path: Path) -> tuple[Path, ET.Element]:
    result = write_xwaermeplan(make_areas(), PLAN, tmp_path / "plan.gml", engine="builtin")
    assert result.engine == "builtin"
    return result.path, ET.parse(result.path).getroot()


# --- privacy rules ---------------------------------------------------------------------------
def test_suppression_primary_and_secondary() -> None:
    """Hand example: a block of 2 inside an area would be recovered as area minus the rest."""
    counts = pd.Series([2, 7, 9, 0])
    assert suppression_mask(counts).tolist() == [True, False, False, False]
    same = [pd.Series(["a"] * 4)]
    assert suppression_mask(counts, same).tolist() == [True, True, False, False]
    assert suppression_mask(pd.Series([1, 2]), [pd.Series(["a", "a"])]).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.sampled_from("abc"), st.sampled_from("xy")),
        min_size=1,
        max_size=25,
    )
)
def test_suppressed_cells_never_sum_under_the_minimum(rows: list[tuple[int, str, str]]) -> None:
    """Property: in every group the suppressed rows hold 0 or >= 5 buildings, or all of it."""
    frame = pd.DataFrame(rows, columns=["n", "g1", "g2"])
    mask = suppression_mask(frame["n"], [frame["g1"], frame["g2"]])
    assert not (mask & frame["n"].eq(0)).any()
    assert (mask | ~frame["n"].between(1, MIN_BUILDINGS_CONSUMPTION - 1)).all()
    for key in ("g1", "g2"):
        for _, group in frame.assign(m=mask).groupby(key):
            hidden = group.loc[group["m"], "n"].sum()
            everything = group.loc[group["n"] > 0, "m"].all()
            assert hidden == 0 or hidden >= MIN_BUILDINGS_CONSUMPTION or everything


def test_public_areas_keep_the_plan_and_hide_small_figures() -> None:
    areas = make_areas()
    public = public_areas(areas).set_index("area_id")
    # A02 (3 buildings) is suppressed; A03 (12) is the smallest other area, suppressed with it
    # so that A02 cannot be recovered as municipality minus the published areas.
    assert public.loc["A01", "heat_demand_mwh_per_a"] == 1400.0
    assert public.loc[["A02", "A03"], "heat_demand_mwh_per_a"].isna().all()
    notice = SUPPRESSED_NOTICE.format(n=MIN_BUILDINGS_CONSUMPTION)
    assert (public.loc[["A02", "A03"], "explanation"] == notice).all()
    assert public.loc["A02", "eignung_reason"] == notice
    for year in YEARS:
        assert public[f"area_type_{year}"].tolist() == AREA_TYPES
    assert public.loc["A02", "buildings"] == 3
    assert public.loc["A02", "eignung_dezentral_2045"] == "sehr_wahrscheinlich_geeignet"


# --- XWärmeplan ------------------------------------------------------------------------------
def test_gml_is_wellformed_with_namespaces_and_srs(builtin_gml: tuple[Path, ET.Element]) -> None:
    path, root = builtin_gml
    assert root.tag == f"{{{SF}}}FeatureCollection"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert f'xmlns="{XWP}"' in text and f'xmlns:gml="{GML}"' in text
    features = _features(root)
    assert {f.tag.split("}")[0][1:] for f in features} == {XWP}
    names = [_local(f) for f in features]
    assert names.count("WP_Plan") == names.count("WP_Bereich") == 1
    for year in (2030, 2035, 2040):
        assert names.count(f"WP_Waermeversorgungsgebiet{year}") == 3
    assert names.count("WP_WaermeversorgungsgebietZieljahr") == 3
    assert names.count("WP_Eignungspruefung") == 1  # only A02 is in the shortened procedure
    surfaces = list(root.iter(f"{{{GML}}}MultiSurface"))
    assert surfaces and {s.get("srsName") for s in surfaces} == {CRS}


def test_gml_area_geometry_in_project_crs(builtin_gml: tuple[Path, ET.Element]) -> None:
    _, root = builtin_gml
    areas = make_areas().set_index("area_id")
    for feature in _features(root):
        if _local(feature) != "WP_WaermeversorgungsgebietZieljahr":
            continue
        area_id = feature.findtext(f"{{{XWP}}}title")
        surface = feature.find(f"{{{XWP}}}position/{{{GML}}}MultiSurface")
        assert surface is not None
        written = _polygons(surface)
        expected = areas.loc[area_id, "geometry"]
        assert written.symmetric_difference(expected).area <= ATOL_COORD_M
        assert len(written.geoms) == len(getattr(expected, "geoms", [expected]))
        assert written.area == pytest.approx(expected.area, abs=ATOL_COORD_M)


def test_gml_codes_mapped(builtin_gml: tuple[Path, ET.Element]) -> None:
    _, root = builtin_gml
    areas = make_areas().set_index("area_id")
    grades = {
        "sehr_wahrscheinlich_geeignet": "1000",
        "wahrscheinlich_geeignet": "2000",
        "wahrscheinlich_ungeeignet": "3000",
        "sehr_wahrscheinlich_ungeeignet": "4000",
    }
    seen = 0
    for feature in _features(root):
        name = _local(feature)
        if not name.startswith("WP_Waermeversorgungsgebiet"):
            continue
        row = areas.loc[feature.findtext(f"{{{XWP}}}title")]
        year = 2045 if name.endswith("Zieljahr") else int(name[-4:])
        code = feature.findtext(f"{{{XWP}}}versorgungsart")
        assert code == EXPECTED_TYPE_CODES[row[f"area_type_{year}"]]
        assert feature.findtext(f"{{{XWP}}}istVerkuerzteWaermeplanung") == (
            "true" if row["eignung_shortened"] else "false"
        )
        if year == 2045:
            for column, tag in (("eignung_waermenetz", "eignungWaermenetz"),
                                ("eignung_wasserstoff", "eignungWasserstoffnetz"),
                                ("eignung_dezentral", "eignungDezentraleVersorgung")):  # fmt: skip
                assert feature.findtext(f"{{{XWP}}}{tag}") == grades[row[f"{column}_2045"]]
        seen += 1
    assert seen == 12


def test_gml_references_resolve_and_texts_carry_the_reason(
    builtin_gml: tuple[Path, ET.Element],
) -> None:
    _, root = builtin_gml
    ids = {f.get(f"{{{GML}}}id") for f in _features(root)}
    hrefs = [e.get(f"{{{XLINK}}}href") for e in root.iter() if e.get(f"{{{XLINK}}}href")]
    assert hrefs and all(h is not None and h[1:] in ids for h in hrefs)
    texts = {
        f.findtext(f"{{{XWP}}}title"): f.findtext(f"{{{XWP}}}text")
        for f in _features(root)
        if _local(f) == "WP_TextAbschnitt"
    }
    assert "Vollkosten Wärmenetz 112 vs 138" in texts["A01 Ortsmitte"]
    assert "2030: Wärmenetzgebiet (Neubau), wahrscheinlich geeignet" in texts["A01 Ortsmitte"]
    # A02 has 3 buildings: its reason (figures of 3 buildings) is not published
    assert "Verkürzte" not in texts["A02 Am Mühlbach"]
    assert SUPPRESSED_NOTICE.format(n=5) in texts["A02 Am Mühlbach"]


def test_gml_ids_are_stable(tmp_path: Path) -> None:
    first = plan_features(make_areas(), PLAN)
    second = plan_features(make_areas(), PLAN)
    assert [f.uid for f in first] == [f.uid for f in second]
    assert len({f.uid for f in first}) == len(first)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.assign(area_type_2045=["fernwaerme", "dezentral", "pruefgebiet"]),
         "area_type_2045 of area 'A01' is 'fernwaerme'"),
        (lambda a: a.drop(columns="eignung_dezentral_2045"), "eignung_dezentral_2045"),
        (lambda a: a.assign(area_type_2032=AREA_TYPES), "area_type_2032"),
        (lambda a: a.assign(likelihood_2045=["ziemlich", "x", "y"]), "likelihood"),
        (lambda a: a.assign(area_id=["A01", "A01", "A03"]), "area_id must be unique"),
        (lambda a: a.set_crs(None, allow_override=True), "EPSG"),
        (lambda a: a.drop(columns="buildings"), "buildings"),
    ],
)  # fmt: skip
def test_gml_bad_areas_raise(change, message, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        write_xwaermeplan(change(make_areas()), PLAN, tmp_path / "x.gml", engine="builtin")


def test_plan_metadata_checked() -> None:
    with pytest.raises(ValueError, match="regional_key"):
        PlanMetadata(**{**PLAN.__dict__, "regional_key": "8317"})
    with pytest.raises(ValueError, match="legal_basis"):
        PlanMetadata(**{**PLAN.__dict__, "legal_basis": "WPG"})


def test_xplan_tools_engine_missing_is_a_clear_error(tmp_path: Path) -> None:
    if xplan_tools_available():
        pytest.skip("xplan-tools is installed")
    with pytest.raises(HeatplanError, match=r"heatplan\[xwp\]"):
        write_xwaermeplan(make_areas(), PLAN, tmp_path / "x.gml", engine="xplan-tools")
    with pytest.raises(HeatplanError, match="libgdal-dev"):
        validate_xwaermeplan(tmp_path / "x.gml")


@needs_xplan_tools
def test_xplan_tools_reads_the_builtin_output(builtin_gml: tuple[Path, ET.Element]) -> None:
    """xplan-tools re-validates every feature against its XWärmeplan 0.9 model on reading."""
    path, root = builtin_gml
    counts = validate_xwaermeplan(path)
    assert sum(counts.values()) == len(_features(root))
    assert counts["WP_WaermeversorgungsgebietZieljahr"] == 3


@needs_xplan_tools
def test_xplan_tools_rejects_a_wrong_code(builtin_gml: tuple[Path, ET.Element]) -> None:
    path, _ = builtin_gml
    broken = path.with_name("broken.gml")
    text = path.read_text(encoding="utf-8")
    broken.write_text(text.replace("<versorgungsart>3000<", "<versorgungsart>9999<", 1), "utf-8")
    with pytest.raises(ValueError, match="versorgungsart"):
        validate_xwaermeplan(broken)


def _canonical(root: ET.Element) -> list[tuple[str, object]]:
    """Tags, texts and attributes in document order; geometry ids and number spelling ignored."""
    out: list[tuple[str, object]] = []
    for element in root.iter():
        text = (element.text or "").strip()
        value: object = text
        if _local(element) == "posList":
            value = tuple(float(v) for v in text.split())
        attrib = {k: v for k, v in element.attrib.items() if not k.endswith("}id")}
        if _local(element) not in ("MultiSurface", "Polygon", "FeatureCollection"):
            attrib = dict(element.attrib)
        out.append((element.tag, (value, tuple(sorted(attrib.items())))))
    return out


@needs_xplan_tools
def test_both_engines_write_the_same_document(tmp_path: Path) -> None:
    areas = make_areas()
    ours = write_xwaermeplan(areas, PLAN, tmp_path / "builtin.gml", engine="builtin")
    theirs = write_xwaermeplan(areas, PLAN, tmp_path / "xplan.gml", engine="xplan-tools")
    assert ours.features == theirs.features
    assert _canonical(ET.parse(ours.path).getroot()) == _canonical(ET.parse(theirs.path).getroot())
