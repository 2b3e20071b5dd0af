"""The map's layers: which public table each shows, its colours, legend and explanation (de/en).

Classes come from the project's reference data (heat-density classes of the KEA-BW guide, the
line-density guide value, the WPG area types and likelihood grades), so legend and plan agree.
"""

from __future__ import annotations

import math
from typing import Any

from heatplan.plan import columns as col
from heatplan.reference import table as load_table
from heatplan.web.public_data import GRADE_DE, GRADE_EN, TYPE_DE, TYPE_EN

TYPE_COLOURS = {
    "waermenetz_verdichtung": "#b2182b",
    "waermenetz_ausbau": "#d6604d",
    "waermenetz_neubau": "#f4a582",
    "wasserstoffnetz": "#8073ac",
    "dezentral": "#4393c3",
    "pruefgebiet": "#bababa",
}
GRADE_COLOURS = {
    "sehr_wahrscheinlich_geeignet": "#1a9850",
    "wahrscheinlich_geeignet": "#91cf60",
    "wahrscheinlich_ungeeignet": "#fc8d59",
    "sehr_wahrscheinlich_ungeeignet": "#d73027",
}
DENSITY_COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
POTENTIAL_KINDS = {
    "wastewater": ("Abwasserwärme", "wastewater heat", "#1f78b4"),
    "sewer": ("Abwasserkanal", "sewer heat", "#a6cee3"),
    "waste_heat": ("Abwärme", "waste heat", "#e31a1c"),
    "biomass": ("Biomasse", "biomass", "#33a02c"),
    "solar_thermal_open_field": (
        "Solarthermie (Freifläche)",
        "solar thermal (open field)",
        "#ff7f00",
    ),
    "surface_water": ("Oberflächengewässer", "surface water", "#6a3d9a"),
    "sludge": ("Klärschlamm", "sewage sludge", "#b15928"),
}


def _density_legend() -> dict[str, Any]:
    classes = load_table("heat_density_classes.csv")
    items = []
    for colour, row in zip(DENSITY_COLOURS, classes.itertuples(index=False), strict=False):
        low, high = float(str(row.min_mwh_per_ha_a)), float(str(row.max_mwh_per_ha_a))
        span = f"{low:g}–{high:g}" if math.isfinite(high) else f"> {low:g}"
        items.append(
            {
                "from": low,
                "colour": colour,
                "label": {
                    "de": f"{span} MWh/(ha·a): {row.label_de}",
                    "en": f"{span} MWh/(ha·a): {row.label_en}",
                },
            }
        )
    return {"kind": "steps", "items": items, "fallback": "#eeeeee"}


def _line_legend() -> dict[str, Any]:
    guide = float(load_table("line_density_guide.csv").iloc[0]["value"])
    return {
        "kind": "steps",
        "fallback": "#dddddd",
        "items": [
            {"from": 0, "colour": "#9ecae1", "label": {"de": f"< {guide:g} kWh/(m·a)",
                                                        "en": f"< {guide:g} kWh/(m·a)"}},
            {"from": guide, "colour": "#de2d26", "label": {
                "de": f"≥ {guide:g} kWh/(m·a): Richtwert für Wärmenetze erreicht",
                "en": f"≥ {guide:g} kWh/(m·a): heat-network guide value reached"}},
        ],
    }  # fmt: skip


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
}
EXISTING_NETWORKS = {
    "heat_networks": ("Wärmenetz", "heat network", "#b2182b"),
    "gas_networks": ("Gasnetz", "gas network", "#fdb863"),
}
NETWORK_STATUS = {
    "existing": ("bestehend", "existing", "#252525"),
    "planned": ("geplant", "planned", "#e7298a"),
    "examined": (
        "geprüfte Variante (Gebiet nicht als Wärmenetzgebiet eingeteilt)",
        "examined option (area not classified for a heat network)",
        "#bdbdbd",
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
    }
    return {
        "layers": {
            key: {
                "title": dict(zip(("de", "en"), TITLES[key], strict=True)),
                "explanation": dict(zip(("de", "en"), EXPLANATIONS[key], strict=True)),
                "property": LAYERS[key][2],
                "legend": legend_of[key],
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
