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
from heatplan.web.labels import tr
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
        "title": tr("Eignung (Wahrscheinlichkeit, § 19 Abs. 2 WPG)"),
    }


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
    "areas": tr("Voraussichtliche Wärmeversorgungsgebiete"),
    "likelihood": tr("Eignungsstufe (Wahrscheinlichkeit)"),
    "blocks": tr("Wärmedichte je Baublock"),
    "grid_100m": tr("Wärmedichte im 100-m-Raster"),
    "street_segments": tr("Wärmeliniendichte je Straßenabschnitt"),
    "potentials": tr("Potenziale erneuerbarer Wärme und Abwärme"),
    "networks": tr("Wärmenetze (bestehend und geplant)"),
    "ground_potential": tr("Erdwärmepotenzial je Baublock (Sonden)"),
    "heat_networks": tr("Bestehende Wärmenetze"),
    "gas_networks": tr("Bestehendes Gasnetz"),
    "grid_trafo_areas": tr("Stromnetz: Aufnahmefähigkeit für Wärmepumpen je Ortsnetztrafo"),
}
EXPLANATIONS = {
    "areas": tr(
        "Das Gebiet zeigt, wie die Wärmeversorgung im gewählten Jahr voraussichtlich aussieht (§ "
        "18 WPG): über ein Wärmenetz, dezentral im Gebäude, oder noch zu prüfen. Die Einteilung "
        "beruht auf einem Vollkostenvergleich; sie verpflichtet niemanden zu einer bestimmten "
        "Heizung."
    ),
    "likelihood": tr(
        "Wie wahrscheinlich das Gebiet für die Versorgungsart geeignet ist (vier Stufen, § 18 "
        "Abs. 1 WPG)."
    ),
    "blocks": tr(
        "Jährlicher Wärmebedarf je Hektar Baublock. Baublöcke mit weniger als 5 Gebäuden werden "
        "aus Datenschutzgründen nicht gezeigt (§ 10 WPG)."
    ),
    "grid_100m": tr(
        "Jährlicher Wärmebedarf je Hektar in einem 100-m-Raster; Zellen mit weniger als 5 "
        "Gebäuden werden nicht gezeigt."
    ),
    "street_segments": tr(
        "Wärmebedarf der angrenzenden Gebäude je Meter Straße: ein Maß dafür, ob sich eine "
        "Wärmeleitung in der Straße lohnt."
    ),
    "potentials": tr(
        "Standorte mit nutzbarer erneuerbarer Wärme oder Abwärme (Potenzialanalyse, § 16 WPG)."
    ),
    "networks": tr(
        "Hauptleitungen bestehender und im Plan vorgesehener Wärmenetze (ohne Hausanschlüsse). "
        "Grau: ein im Vollkostenvergleich geprüftes Netz in einem Gebiet, das nicht als "
        "Wärmenetzgebiet eingeteilt ist - kein Vorhaben."
    ),
    "ground_potential": tr(
        "Wärme, die Erdwärmesonden auf den Grundstücken des Baublocks liefern könnten (VDI 4640, "
        "ohne Schutzgebiete), je Hektar; Blöcke mit weniger als 5 Gebäuden werden nicht gezeigt."
    ),
    "heat_networks": tr(
        "Hauptleitungen der bestehenden Wärmenetze in den Straßen (ohne Hausanschlüsse)."
    ),
    "gas_networks": tr("Hauptleitungen des Gasnetzes in den Straßen (ohne Hausanschlüsse)."),
    "grid_trafo_areas": tr(
        "Bis zu welchem Anteil der Gebäude mit Wärmepumpe das Niederspannungsnetz eines "
        "Ortsnetztrafos keine Grenze verletzt (Spannung nach DIN EN 50160, Kabel- und "
        "Trafoauslastung), in 25-%-Stufen, und ob es bis zum Zieljahr verstärkt werden muss. "
        "Bereiche mit weniger als 5 Gebäuden werden nicht gezeigt (§ 10 WPG)."
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
                "title": TITLES[key],
                "explanation": EXPLANATIONS[key],
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
