"""The map's layers: which public table each shows, its colours, legend and explanation (de/en).

Colours, the likelihood shading and the class limits come from the one map palette
(``data/map_styles.csv``, read by the report maps and the QGIS styles too) and the project's
reference data (heat-density classes of the KEA-BW guide, the line-density guide value, the WPG
area types and likelihood grades), so legend, report and plan agree.
"""

from __future__ import annotations

import math
from typing import Any

from heatplan.formats import german
from heatplan.plan import columns as col
from heatplan.reference import table as load_table
from heatplan.reference.map_styles import colours, map_style
from heatplan.web.public_data import GRADE_DE, GRADE_EN, TYPE_DE, TYPE_EN

TYPE_COLOURS = colours("area_type")
GRADE_COLOURS = colours("likelihood")


def _styled(layer: str) -> dict[str, tuple[str, str, str]]:
    """Category -> (German label, English label, colour) of a palette layer."""
    style = map_style(layer)
    return {
        str(k): (str(r["label_de"]), str(r["label_en"]), str(r["fill"]))
        for k, r in style.iterrows()
    }


POTENTIAL_KINDS = _styled("potential_kind")
EXISTING_NETWORKS = _styled("existing_network")
NETWORK_STATUS = _styled("network_status")
GRID_HOSTING = _styled("grid_hosting")


def _span(low: float, high: float, digits: int, *, de: bool) -> str:
    """'70–175' (German: '1.050') or '≥ 1,050' for the open top class."""
    fmt = f"{{:,.{digits}f}}"
    text = (
        f"≥ {fmt.format(low)}"
        if not math.isfinite(high)
        else (f"{fmt.format(low)}–{fmt.format(high)}")
    )
    return german(text) if de else text  # fmt: skip


def _density_legend() -> dict[str, Any]:
    classes = load_table("heat_density_classes.csv")
    style = map_style("heat_density")
    items = []
    for row in classes.itertuples(index=False):
        low, high = float(str(row.min_mwh_per_ha_a)), float(str(row.max_mwh_per_ha_a))
        de, en = _span(low, high, 0, de=True), _span(low, high, 0, de=False)
        items.append(
            {
                "from": low,
                "colour": str(style.loc[str(row[0]), "fill"]),
                "label": {
                    "de": f"{de} MWh/(ha·a): {row.label_de}",
                    "en": f"{en} MWh/(ha·a): {row.label_en}",
                },
            }
        )
    hidden = style.loc["suppressed"]
    missing = {
        "colour": str(hidden["fill"]),
        "label": {"de": str(hidden["label_de"]), "en": str(hidden["label_en"])},
    }
    return {"kind": "steps", "items": items, "fallback": missing["colour"], "missing": missing}


def _line_legend() -> dict[str, Any]:
    guide = float(load_table("line_density_guide.csv").iloc[0]["value"])
    style = map_style("line_density")
    hidden = style.loc["suppressed"]
    style = style[style["lower_bound"].notna()]
    lows = [float(v) * guide for v in style["lower_bound"]]
    items = []
    for i, (_, row) in enumerate(style.iterrows()):
        low, high = lows[i], lows[i + 1] if i + 1 < len(lows) else math.inf
        de = _span(low / 1000, high / 1000, 2, de=True)
        en = _span(low / 1000, high / 1000, 2, de=False)
        items.append(
            {
                "from": low,
                "colour": str(row["fill"]),
                "label": {
                    "de": f"{de} MWh/(m·a): {row['label_de']}",
                    "en": f"{en} MWh/(m·a): {row['label_en']}",
                },
            }
        )
    missing = {
        "colour": str(hidden["fill"]),
        "label": {"de": str(hidden["label_de"]), "en": str(hidden["label_en"])},
    }
    return {"kind": "steps", "fallback": missing["colour"], "items": items, "missing": missing}


def _categories(labels: dict[str, tuple[str, str, str]]) -> dict[str, Any]:
    items = [
        {"value": key, "colour": colour, "label": {"de": de, "en": en}}
        for key, (de, en, colour) in labels.items()
    ]
    return {"kind": "categories", "items": items, "fallback": "#999999"}


def _types() -> dict[str, tuple[str, str, str]]:
    return {k: (TYPE_DE[k], TYPE_EN[k], TYPE_COLOURS[k]) for k in TYPE_COLOURS}


def _grades() -> dict[str, tuple[str, str, str]]:
    return {k: (GRADE_DE[k], GRADE_EN[k], GRADE_COLOURS[k]) for k in GRADE_COLOURS}


def likelihood_shading() -> dict[str, Any]:
    """The areas layer's fill opacity by likelihood grade (``likelihood_{year}``), with labels.

    The same shading as the report's area maps: a less likely grade is paler (and hatched in
    print).
    """
    style, types = map_style("likelihood"), map_style("area_type")
    base = float(types["opacity"].max())
    return {
        "property": "likelihood_{year}",
        "fallback": base,
        "items": [
            {
                "value": str(k),
                "opacity": round(base * float(r["opacity"]), 3),
                "label": {"de": GRADE_DE[str(k)], "en": GRADE_EN[str(k)]},
            }
            for k, r in style.iterrows()
        ],
        "title": {"de": "Eignung (Wahrscheinlichkeit, § 19 Abs. 2 WPG)",
                  "en": "Likelihood of suitability (WPG § 19 (2))"},
    }  # fmt: skip


#: id -> (source table, geometry, property ({year}: selected year), shown at start)
LAYERS: dict[str, tuple[str, str, str, bool]] = {
    "areas": ("areas", "polygon", "area_type_{year}", True),
    "likelihood": ("areas", "polygon", "likelihood_{year}", False),
    "blocks": ("blocks", "polygon", col.HEAT_DENSITY_MWH_PER_HA_A, False),
    "grid_100m": ("grid_100m", "polygon", col.HEAT_DENSITY_MWH_PER_HA_A, False),
    "street_segments": ("street_segments", "line", col.LINE_DENSITY_KWH_PER_M_A, False),
    "potentials": ("potentials", "any", "kind", False),
    "ground_potential": ("ground_potential", "polygon", "heat_mwh_per_ha_a", False),
    "networks": ("network_pipes", "line", "status", False),
    "heat_networks": ("heat_networks", "line", "network", False),
    "gas_networks": ("gas_networks", "line", "network", False),
    "grid_trafo_areas": ("grid_trafo_areas", "polygon", "hosting_class", False),
}
TITLES = {
    "areas": ("Voraussichtliche Wärmeversorgungsgebiete", "Expected heat-supply areas"),
    "likelihood": ("Eignungsstufe (Wahrscheinlichkeit)", "Likelihood of suitability"),
    "blocks": ("Wärmedichte je Baublock", "Heat density per block"),
    "grid_100m": ("Wärmedichte im 100-m-Raster", "Heat density, 100 m grid"),
    "street_segments": ("Wärmeliniendichte je Straßenabschnitt", "Line heat density per street"),
    "potentials": (
        "Potenziale erneuerbarer Wärme und Abwärme",
        "Renewable and waste-heat potentials",
    ),
    "networks": ("Wärmenetze (bestehend und geplant)", "Heat networks (existing and planned)"),
    "ground_potential": (
        "Erdwärmepotenzial je Baublock (Sonden)",
        "Ground-source heat potential per block (probes)",
    ),
    "heat_networks": ("Bestehende Wärmenetze", "Existing heat networks"),
    "gas_networks": ("Bestehendes Gasnetz", "Existing gas network"),
    "grid_trafo_areas": (
        "Stromnetz: Aufnahmefähigkeit für Wärmepumpen je Ortsnetztrafo",
        "Power grid: heat-pump hosting capacity per transformer area",
    ),
}
EXPLANATIONS = {
    "areas": (
        "Das Gebiet zeigt, wie die Wärmeversorgung im gewählten Jahr voraussichtlich aussieht "
        "(§ 18 WPG): über ein Wärmenetz, dezentral im Gebäude, oder noch zu prüfen. Die "
        "Einteilung beruht auf einem Vollkostenvergleich; sie verpflichtet niemanden zu einer "
        "bestimmten Heizung.",
        "The area shows how heat is expected to be supplied in the chosen year (WPG § 18): by a "
        "heat network, decentrally in the building, or still under review. It rests on a full-cost "
        "comparison and obliges no one to a particular heating system.",
    ),
    "likelihood": (
        "Wie wahrscheinlich das Gebiet für die Versorgungsart geeignet ist (vier Stufen, "
        "§ 18 Abs. 1 WPG).",
        "How likely the area is suitable for its supply type (four grades, WPG § 18 (1)).",
    ),
    "blocks": (
        "Jährlicher Wärmebedarf je Hektar Baublock. Baublöcke mit weniger als 5 Gebäuden werden "
        "aus Datenschutzgründen nicht gezeigt (§ 10 WPG).",
        "Annual heat demand per hectare of block. Blocks with fewer than 5 buildings are not "
        "shown for data protection (WPG § 10).",
    ),
    "grid_100m": (
        "Jährlicher Wärmebedarf je Hektar in einem 100-m-Raster; Zellen mit weniger als 5 "
        "Gebäuden werden nicht gezeigt.",
        "Annual heat demand per hectare on a 100 m grid; cells with fewer than 5 buildings are "
        "not shown.",
    ),
    "street_segments": (
        "Wärmebedarf der angrenzenden Gebäude je Meter Straße: ein Maß dafür, ob sich eine "
        "Wärmeleitung in der Straße lohnt.",
        "Heat demand of the adjoining buildings per metre of street: an indicator of whether a "
        "heat pipe in the street pays off.",
    ),
    "potentials": (
        "Standorte mit nutzbarer erneuerbarer Wärme oder Abwärme (Potenzialanalyse, § 16 WPG).",
        "Sites with usable renewable heat or waste heat (potential analysis, WPG § 16).",
    ),
    "networks": (
        "Hauptleitungen bestehender und im Plan vorgesehener Wärmenetze (ohne Hausanschlüsse). "
        "Grau: ein im Vollkostenvergleich geprüftes Netz in einem Gebiet, das nicht als "
        "Wärmenetzgebiet eingeteilt ist - kein Vorhaben.",
        "Main pipes of existing and planned heat networks (without house connections). Grey: "
        "a network examined in the full-cost comparison in an area not classified for a heat "
        "network - not a project.",
    ),
    "ground_potential": (
        "Wärme, die Erdwärmesonden auf den Grundstücken des Baublocks liefern könnten "
        "(VDI 4640, ohne Schutzgebiete), je Hektar; Blöcke mit weniger als 5 Gebäuden werden "
        "nicht gezeigt.",
        "Heat that ground probes on the block's plots could deliver (VDI 4640, without "
        "protected zones), per hectare; blocks with fewer than 5 buildings are not shown.",
    ),
    "heat_networks": (
        "Hauptleitungen der bestehenden Wärmenetze in den Straßen (ohne Hausanschlüsse).",
        "Mains of the existing heat networks along the streets (without house connections).",
    ),
    "gas_networks": (
        "Hauptleitungen des Gasnetzes in den Straßen (ohne Hausanschlüsse).",
        "Gas mains along the streets (without house connections).",
    ),
    "grid_trafo_areas": (
        "Bis zu welchem Anteil der Gebäude mit Wärmepumpe das Niederspannungsnetz eines "
        "Ortsnetztrafos keine Grenze verletzt (Spannung nach DIN EN 50160, Kabel- und "
        "Trafoauslastung), in 25-%-Stufen, und ob es bis zum Zieljahr verstärkt werden muss. "
        "Bereiche mit weniger als 5 Gebäuden werden nicht gezeigt (§ 10 WPG).",
        "Up to which share of buildings with a heat pump the low-voltage grid of a transformer "
        "breaks no limit (voltage per EN 50160, cable and transformer loading), in 25 % steps, "
        "and whether it needs reinforcement by the target year. Areas with fewer than 5 "
        "buildings are not shown (WPG § 10).",
    ),
}


def legends() -> dict[str, Any]:
    """Title, explanation and legend of every map layer in German and English."""
    legend_of = {
        "areas": _categories(_types()),
        "likelihood": _categories(_grades()),
        "blocks": _density_legend(),
        "grid_100m": _density_legend(),
        "street_segments": _line_legend(),
        "potentials": _categories(POTENTIAL_KINDS),
        "networks": _categories(NETWORK_STATUS),
        "ground_potential": _density_legend(),
        "heat_networks": _categories(EXISTING_NETWORKS),
        "gas_networks": _categories(EXISTING_NETWORKS),
        "grid_trafo_areas": _categories(GRID_HOSTING),
    }
    return {
        "layers": {
            key: {
                "title": dict(zip(("de", "en"), TITLES[key], strict=True)),
                "explanation": dict(zip(("de", "en"), EXPLANATIONS[key], strict=True)),
                "property": LAYERS[key][2],
                "legend": legend_of[key],
                **({"shading": likelihood_shading()} if key == "areas" else {}),
            }
            for key in LAYERS
        }
    }


def layer_list(available: set[str]) -> list[dict[str, Any]]:
    """The layers whose source table the project has, in drawing order."""
    return [
        {"id": key, "source": source, "geometry": geometry, "default_visible": visible}
        for key, (source, geometry, _, visible) in LAYERS.items()
        if source in available
    ]
