"""How each public layer looks in QGIS: German name, colours of the one map palette
(``data/map_styles.csv``, shared with the report maps and the web map), class values of the
plan's reference tables, labels, German field aliases and descriptions (``data/attributes.csv``,
columns ``title_de`` and ``description_de``) and value maps that show codes as German labels.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import pandas as pd

from heatplan.formats import german
from heatplan.i18n import MissingLabel, field_header
from heatplan.outputs.qgis_style import Category, LayerStyle, Range, Symbol
from heatplan.plan import columns as col
from heatplan.reference import table
from heatplan.reference.map_styles import map_style

__all__ = [
    "LAYER_INFO",
    "ColumnInfo",
    "area_years",
    "column_info",
    "layer_style",
    "likelihood_style",
    "value_maps",
]

#: Layer -> (German name, German description), in the project's drawing order (top first).
LAYER_INFO: dict[str, tuple[str, str]] = {
    "potentials": ("Potenziale an Standorten",
                   "Standorte erneuerbarer Wärme und unvermeidbarer Abwärme (Potenzialanalyse, "
                   "§ 16 WPG)"),
    "network_pipes": ("Wärmenetz-Hauptleitungen (Planung und Prüfung)",
                      "Hauptleitungen der untersuchten Wärmenetze ohne Hausanschlüsse"),
    "heat_networks": ("Bestehende Wärmenetze",
                      "Hauptleitungen der bestehenden Wärmenetze in den Straßen"),
    "gas_networks": ("Bestehendes Gasnetz",
                     "Hauptleitungen des Gasnetzes in den Straßen ohne Hausanschlüsse"),
    "street_segments": ("Wärmeliniendichte je Straßenabschnitt",
                        "Wärmebedarf der anliegenden Gebäude je Meter Straße; Abschnitte mit "
                        "weniger als 5 Gebäuden ohne Zahlen (§ 10 WPG)"),
    "areas": ("Voraussichtliche Wärmeversorgungsgebiete",
              "Einteilung des beplanten Gebiets in voraussichtliche Wärmeversorgungsgebiete je "
              "Betrachtungsjahr mit Eignungsstufen (§§ 18, 19 WPG); Zahlen von Gebieten mit "
              "weniger als 5 Gebäuden unterdrückt (§ 10 WPG)"),
    "potentials_by_block": ("Gebäudebezogene Potenziale je Baublock",
                            "Dach- und Wärmepumpenpotenziale der Gebäude, je Baublock und Art "
                            "summiert; weniger als 5 Gebäude unterdrückt (§ 10 WPG)"),
    "blocks": ("Wärmedichte je Baublock",
               "Bestandsanalyse je Baublock (§ 15 WPG, Anlage 2): Wärmebedarf, Wärmedichte, "
               "Energieträger; weniger als 5 Gebäude ohne Zahlen (§ 10 WPG)"),
    "grid_100m": ("Wärmedichte im 100-m-Raster",
                  "Wärmebedarf und Wärmedichte je 100-m-Rasterzelle (INSPIRE); weniger als 5 "
                  "Gebäude ohne Zahlen (§ 10 WPG)"),
    "streets": ("Straßen", "Straßenachsen (Grundlage)"),
    "buildings": ("Gebäude", "Gebäudeumrisse (Grundlage)"),
    "networks": ("Untersuchte Wärmenetze", "Kennzahlen der untersuchten Wärmenetze"),
    "block_energy": ("Energieträger je Baublock",
                     "Endenergie je Energieträger und Baublock (§ 10 WPG: mindestens 5 Gebäude)"),
    "block_heaters": ("Wärmeerzeuger je Baublock",
                      "Wärmeerzeuger je Art und Baublock (§ 10 WPG: mindestens 3 Gebäude)"),
    "inventory": ("Bestandsanalyse der Gemeinde",
                  "Kennzahlen der Bestandsanalyse der Gemeinde (§ 15 WPG)"),
    "grid_trafo_areas": ("Stromnetz: Aufnahmefähigkeit je Ortsnetztrafo",
                         "Bis zu welchem Anteil der Gebäude mit Wärmepumpe das Niederspannungsnetz "
                         "eines Ortsnetztrafos keine Grenze verletzt, in 25-%-Stufen, und ob es "
                         "verstärkt werden muss; weniger als 5 Gebäude ohne Angaben (§ 10 WPG)"),
    "grid_supply_areas": ("Stromnetz je Versorgungsgebiet",
                          "Niederspannungsnetz je Versorgungsgebiet: Aufnahmefähigkeit, "
                          "Auslastung, Spannung und Verstärkungskosten (gerundet)"),
}  # fmt: skip
#: An open upper class bound in QGIS's graduated renderer (no value reaches it).
OPEN_UPPER = 1.0e12
SUPPRESSED_VALUE = -1.0
#: Pipe kinds of the public network pipes (house connections never leave the project).
PIPE_KINDS = {"main": "Hauptleitung"}
_YEAR = re.compile(r"^(?P<base>.+)_(?P<year>\d{4})$")


#: Decimals shown of a number column by its unit (default :data:`DEFAULT_DECIMALS`; shares
#: [-] with two): what a reader compares, not the model's precision.
DECIMALS_BY_UNIT = {"kWh/a": 0, "kWh/(m·a)": 0, "EUR": 0, "EUR/a": 0, "m": 0, "kW": 0,
                    "t CO2e": 0, "MWh/(ha·a)": 0, "EUR/MWh": 0, "-": 2, "ha": 2}  # fmt: skip
DEFAULT_DECIMALS = 1


@dataclass(frozen=True)
class ColumnInfo:
    """German alias (title with unit), description, unit and type of one column."""

    title: str
    description: str
    unit: str
    dtype: str = ""

    @property
    def decimals(self) -> int | None:
        """Decimals shown of a float column; None for other columns."""
        if self.dtype != "float":
            return None
        return DECIMALS_BY_UNIT.get(self.unit or "-", DEFAULT_DECIMALS)


@cache
def _attributes() -> pd.DataFrame:
    # rows written before the German columns existed end early: their title is empty
    return table("attributes.csv", as_text=True).fillna("")


@cache
def column_info(layer: str, column: str) -> ColumnInfo | None:
    """The German title of ``column`` of ``layer``: the header the workbook gives the field
    (:func:`heatplan.i18n.field_header`, the one vocabulary ``labels.csv``) where it has one,
    else ``title_de`` of ``attributes.csv``; the description from ``attributes.csv`` (the row of
    that table, else the same name in another table; ``area_type_2030`` reads ``area_type``).

    Read once per layer and column and process (the tables are the package's own; a
    GeoPackage of a large town asks some 900 times, a millisecond each)."""
    frame = _attributes()
    match = _YEAR.match(column)
    base, year = (match["base"], match["year"]) if match else (column, "")
    rows = frame[(frame["name"] == base) & (frame["title_de"] != "")]
    if rows.empty:
        return None
    exact = rows[rows["table"] == layer]
    row = (exact if len(exact) else rows).iloc[0]
    unit = "" if row["unit"] in ("", "-") else str(row["unit"])
    title = f"{row['title_de']} {year}".strip() + (f" [{unit}]" if unit else "")
    with contextlib.suppress(MissingLabel):
        title = field_header(column)
    description = str(row["description_de"] or row["title_de"])
    text = f"{description} ({year})" if year else description
    return ColumnInfo(title, text, unit, str(row["dtype"]))


def area_years(columns: Sequence[str]) -> list[int]:
    """Years with an ``area_type_<year>`` column, ascending."""
    found = (_YEAR.match(c) for c in columns)
    return sorted(int(m["year"]) for m in found if m and m["base"] == "area_type")


@dataclass(frozen=True)
class _Entry:
    """One row of the map palette."""

    value: str
    fill: str
    line: str
    opacity: float
    label: str
    lower: float


def _entries(group: str) -> list[_Entry]:
    rows = map_style(group)
    return [
        _Entry(str(k), str(r["fill"]), str(r["line"]), float(r["opacity"]), str(r["label_de"]),
               float(r["lower_bound"]))
        for k, r in rows.iterrows()
    ]  # fmt: skip


def _labels(group: str) -> dict[str, str]:
    return {entry.value: entry.label for entry in _entries(group)}


def value_maps(columns: Sequence[str], layer: str = "") -> dict[str, dict[str, str]]:
    """Column -> {code: German label} for the code columns among ``columns`` of ``layer``."""
    carriers = table("carriers.csv", as_text=True)
    heaters = table("heater_types.csv", as_text=True)
    by_name = {
        "heat_density_class": _labels("heat_density"),
        "kind": PIPE_KINDS if layer == "network_pipes" else _labels("potential_kind"),
        "nearest_potential_kind": _labels("potential_kind"),
        "status": _labels("network_status"),
        "network": _labels("existing_network"),
        col.CARRIER: dict(zip(carriers["carrier"], carriers["label_de"], strict=True)),
        "heater_type": dict(zip(heaters["heater_type"], heaters["label_de"], strict=True)),
    }
    by_base = {"area_type": "area_type", "likelihood": "likelihood", "eignung_waermenetz":
               "likelihood", "eignung_wasserstoff": "likelihood", "eignung_dezentral":
               "likelihood"}  # fmt: skip
    out: dict[str, dict[str, str]] = {}
    for column in columns:
        match = _YEAR.match(column)
        if column in by_name:
            out[column] = by_name[column]
        elif match and match["base"] in by_base:
            out[column] = _labels(by_base[match["base"]])
    return out


def _alpha(year: int, opacity: float) -> str:
    """Fill alpha (0-255) of an area: its type's opacity times its likelihood grade's share
    (the palette's shading: the surer the grade, the stronger the colour)."""
    grades = " ".join(
        f"WHEN \"likelihood_{year}\" = '{e.value}' THEN {round(255 * opacity * e.opacity)}"
        for e in _entries("likelihood")
    )
    return f"CASE {grades} ELSE {round(255 * opacity)} END"


def _area_style(name: str, year: int) -> LayerStyle:
    categories = [
        Category(e.value, e.label, Symbol("fill", e.fill, 0.4, e.line, _alpha(year, e.opacity)))
        for e in _entries("area_type")
    ]
    same = '"name" IS NULL OR "name" = \'Gebiet \' || "area_id"'
    label = f'CASE WHEN {same} THEN "area_id" ELSE "area_id" || \' – \' || "name" END'
    return LayerStyle(
        name,
        f"Wärmeversorgungsgebiete {year} (kräftig: sehr wahrscheinlich geeignet)",
        attribute=f"area_type_{year}",
        categories=categories,
        label_expression=label,
    )


def _likelihood_style(name: str, year: int) -> LayerStyle:
    categories = [
        Category(e.value, e.label, Symbol("fill", e.fill, 0.4, "#303030"))
        for e in _entries("likelihood")
    ]
    return LayerStyle(
        name, f"Eignungsstufe {year}", attribute=f"likelihood_{year}", categories=categories
    )


def _span(low: float, high: float, unit: str) -> str:
    if not math.isfinite(high):
        return german(f"über {low:,.0f} {unit}")
    return german(f"{low:,.0f} bis {high:,.0f} {unit}")


def _density_style(name: str, title: str) -> LayerStyle:
    """Graduated by heat density in the classes of ``heat_density_classes.csv``; withheld
    figures (fewer than 5 buildings) as their own grey class."""
    classes = table("heat_density_classes.csv")
    palette = {e.value: e for e in _entries("heat_density")}
    unit = "MWh/(ha·a)"
    hidden = palette["suppressed"]
    ranges = [Range(-1.5, -0.5, hidden.label, Symbol("fill", hidden.fill, 0.2, hidden.line))]
    for row in classes.to_dict(orient="records"):
        low, high = float(row["min_mwh_per_ha_a"]), float(row["max_mwh_per_ha_a"])
        label = f"{_span(low, high, unit)}: {row['label_de']}"
        entry = palette[str(row["class"])]
        symbol = Symbol("fill", entry.fill, 0.2, entry.line)
        ranges.append(Range(low, high if math.isfinite(high) else OPEN_UPPER, label, symbol))
    attribute = f'coalesce("{col.HEAT_DENSITY_MWH_PER_HA_A}", {SUPPRESSED_VALUE:g})'
    return LayerStyle(name, title, attribute=attribute, ranges=ranges)


def _line_density_style(name: str, title: str) -> LayerStyle:
    guide = float(table("line_density_guide.csv").iloc[0]["value"])
    classes = _entries("line_density")  # lower bounds in multiples of the guide value
    bounds = [e.lower * guide for e in classes] + [math.inf]
    unit = "kWh/(m·a)"
    ranges = [
        Range(-1.5, -0.5, "ohne Zahlen (weniger als 5 Gebäude)", Symbol("line", "#cccccc", 0.3))
    ]
    for i, entry in enumerate(classes):
        low, high = bounds[i], bounds[i + 1]
        label = f"{_span(low, high, unit)}: {entry.label}"
        symbol = Symbol("line", entry.fill, 0.5 + 0.3 * i)
        ranges.append(Range(low, high if math.isfinite(high) else OPEN_UPPER, label, symbol))
    attribute = f'coalesce("{col.LINE_DENSITY_KWH_PER_M_A}", {SUPPRESSED_VALUE:g})'
    return LayerStyle(name, title, attribute=attribute, ranges=ranges)


def _categories(name: str, title: str, attribute: str, group: str, kind: str) -> LayerStyle:
    width = {"line": 0.9, "marker": 3.2, "fill": 0.2}[kind]
    categories = [
        Category(e.value, e.label, Symbol(kind, e.fill or e.line, width))  # type: ignore[arg-type]
        for e in _entries(group)
    ]
    return LayerStyle(name, title, attribute=attribute, categories=categories)


def _base(name: str, title: str, kind: str) -> LayerStyle:
    base = {e.value: e for e in _entries("base")}
    entry = base["street" if kind == "line" else "building"]
    width = 0.3 if kind == "line" else 0.1
    symbol = Symbol(kind, entry.fill, width, entry.line)  # type: ignore[arg-type]
    return LayerStyle(name, title, symbol=symbol)


#: QGIS symbol kind of a geometry family.
SYMBOL_KIND = {"Point": "marker", "LineString": "line", "Polygon": "fill"}


def layer_style(
    name: str, columns: Sequence[str], year: int | None = None, *, family: str = "Point"
) -> LayerStyle | None:
    """The style of public layer ``name`` with ``columns``; None for a plain table.

    ``year`` chooses the snapshot year of the areas (default: the last, the target year);
    ``family`` the geometry drawn of the site potentials (points, lines or polygons).
    """
    title = LAYER_INFO.get(name, (name, ""))[0]
    style: LayerStyle | None
    if name == "areas":
        years = area_years(columns)
        style = _area_style(name, year or years[-1]) if years else _base(name, title, "fill")
    elif name in ("blocks", "grid_100m"):
        style = _density_style(name, title)
    elif name == "street_segments":
        style = _line_density_style(name, title)
    elif name == "potentials":
        kind = SYMBOL_KIND.get(family, "marker")
        style = _categories(name, title, "kind", "potential_kind", kind)
    elif name == "potentials_by_block":
        style = _categories(name, title, "kind", "potential_kind", "fill")
    elif name == "network_pipes":
        style = _categories(name, title, "status", "network_status", "line")
    elif name in ("heat_networks", "gas_networks"):
        style = _categories(name, title, "network", "existing_network", "line")
    elif name in ("streets", "buildings"):
        style = _base(name, title, "line" if name == "streets" else "fill")
    elif name == "grid_trafo_areas":
        style = _categories(name, title, "hosting_class", "grid_hosting", "fill")
    else:
        return None
    return _with_fields(style, name, columns)


def likelihood_style(columns: Sequence[str], year: int) -> LayerStyle:
    """The areas coloured by the likelihood grade of ``year``."""
    return _with_fields(_likelihood_style("areas", year), "areas", columns)


def _with_fields(style: LayerStyle, name: str, columns: Sequence[str]) -> LayerStyle:
    fields = ["fid", *[c for c in columns if c != "geometry"]]
    style.fields = fields
    infos = {c: info for c in fields if (info := column_info(name, c))}
    style.aliases = {c: info.title for c, info in infos.items()}
    style.decimals = {c: d for c, info in infos.items() if (d := info.decimals) is not None}
    style.aliases["fid"] = "Lfd. Nr."
    style.value_maps = value_maps(fields, name)
    return style
