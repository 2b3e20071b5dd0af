"""QGIS layer styles (QML, the documented XML of QGIS 3) written without QGIS installed.

A style holds a renderer (one symbol, categories of a code column, or graduated classes of a
number), optional labels, German field aliases and value maps that show codes as German
labels. :func:`style_qml` turns a :class:`LayerStyle` into the text QGIS stores in a
GeoPackage's ``layer_styles`` table and in a project's ``<maplayer>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "QGIS_VERSION",
    "Category",
    "LayerStyle",
    "Range",
    "Symbol",
    "layer_elements",
    "style_qml",
]

#: The QGIS version the XML follows (Debian 12's QGIS; later versions read it).
QGIS_VERSION = "3.22.16-Białowieża"
Kind = Literal["fill", "line", "marker"]
OUTLINE = "#5f5f5f"


@dataclass(frozen=True)
class Symbol:
    """A simple fill, line or marker symbol; ``alpha_expression`` sets the fill's opacity
    (0-255) per feature, e.g. from the likelihood grade."""

    kind: Kind
    colour: str
    width_mm: float = 0.26
    outline: str = OUTLINE
    alpha_expression: str = ""


@dataclass(frozen=True)
class Category:
    value: str
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class Range:
    lower: float
    upper: float
    label: str
    symbol: Symbol


@dataclass
class LayerStyle:
    """What one layer looks like in QGIS.

    ``attribute``: the column (or expression) the categories or ranges read; with neither,
    ``symbol`` draws every feature. ``aliases``: column -> German title; ``value_maps``:
    column -> {code: German label}; ``decimals``: number column -> decimals shown (QGIS
    writes the number in the user's locale: ``4.949,4`` in a German QGIS).
    """

    name: str
    title: str
    symbol: Symbol | None = None
    attribute: str = ""
    categories: Sequence[Category] = ()
    ranges: Sequence[Range] = ()
    label_expression: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)
    value_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)
    fields: Sequence[str] = ()

    @property
    def renderer_type(self) -> str:
        if self.categories:
            return "categorizedSymbol"
        return "graduatedSymbol" if self.ranges else "singleSymbol"


def _rgba(colour: str) -> str:
    """'#rrggbb' -> 'r,g,b,255' (QGIS colour text)."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r}: expected #rrggbb")
    red, green, blue = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},255"


def _options(parent: ET.Element, values: Mapping[str, str]) -> ET.Element:
    """QGIS's ``<Option type="Map">`` of string options."""
    holder = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(holder, "Option", name=key, value=value, type="QString")
    return holder


def _data_defined(parent: ET.Element, properties: Mapping[str, str]) -> None:
    """``<data_defined_properties>``: property name -> expression."""
    holder = ET.SubElement(ET.SubElement(parent, "data_defined_properties"), "Option", type="Map")
    ET.SubElement(holder, "Option", name="name", value="", type="QString")
    props = ET.SubElement(holder, "Option", name="properties", type="Map")
    for key, expression in properties.items():
        prop = ET.SubElement(props, "Option", name=key, type="Map")
        ET.SubElement(prop, "Option", name="active", value="true", type="bool")
        ET.SubElement(prop, "Option", name="expression", value=expression, type="QString")
        ET.SubElement(prop, "Option", name="type", value="3", type="int")
    ET.SubElement(holder, "Option", name="type", value="collection", type="QString")


def _layer_options(symbol: Symbol) -> tuple[str, dict[str, str]]:
    width = f"{symbol.width_mm:g}"
    if symbol.kind == "fill":
        return "SimpleFill", {
            "color": _rgba(symbol.colour), "style": "solid", "outline_color": _rgba(symbol.outline),
            "outline_style": "solid", "outline_width": width, "outline_width_unit": "MM",
        }  # fmt: skip
    if symbol.kind == "line":
        return "SimpleLine", {
            "line_color": _rgba(symbol.colour), "line_style": "solid", "line_width": width,
            "line_width_unit": "MM", "capstyle": "round", "joinstyle": "round",
        }  # fmt: skip
    return "SimpleMarker", {
        "name": "circle", "color": _rgba(symbol.colour), "outline_color": _rgba(symbol.outline),
        "outline_width": "0.4", "size": f"{max(symbol.width_mm, 2.0):g}", "size_unit": "MM",
    }  # fmt: skip


def symbol_element(parent: ET.Element, symbol: Symbol, name: str) -> ET.Element:
    """One ``<symbol>`` with one simple symbol layer."""
    node = ET.SubElement(
        parent, "symbol", type=symbol.kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0"
    )
    layer_class, options = _layer_options(symbol)
    layer = ET.SubElement(node, "layer", {"class": layer_class, "enabled": "1", "locked": "0"})
    layer.set("pass", "0")
    _options(layer, options)
    if symbol.alpha_expression:
        colour = f"set_color_part('{_rgba(symbol.colour)}', 'alpha', {symbol.alpha_expression})"
        _data_defined(layer, {"fillColor": colour})
    return node


def _renderer(parent: ET.Element, style: LayerStyle) -> None:
    renderer = ET.SubElement(
        parent,
        "renderer-v2",
        type=style.renderer_type,
        symbollevels="0",
        enableorderby="0",
        forceraster="0",
    )
    symbols: list[Symbol] = []
    if style.categories:
        renderer.set("attr", style.attribute)
        holder = ET.SubElement(renderer, "categories")
        for i, category in enumerate(style.categories):
            attrs = {"value": category.value, "label": category.label, "symbol": str(i)}
            ET.SubElement(holder, "category", {**attrs, "render": "true"})
            symbols.append(category.symbol)
    elif style.ranges:
        renderer.set("attr", style.attribute)
        renderer.set("graduatedMethod", "GraduatedColor")
        holder = ET.SubElement(renderer, "ranges")
        for i, band in enumerate(style.ranges):
            attrs = {"lower": f"{band.lower:.6f}", "upper": f"{band.upper:.6f}", "symbol": str(i)}
            ET.SubElement(holder, "range", {**attrs, "label": band.label, "render": "true"})
            symbols.append(band.symbol)
    elif style.symbol is not None:
        symbols.append(style.symbol)
    holder = ET.SubElement(renderer, "symbols")
    for i, symbol in enumerate(symbols):
        symbol_element(holder, symbol, str(i))


def _labeling(parent: ET.Element, expression: str) -> None:
    settings = ET.SubElement(ET.SubElement(parent, "labeling", type="simple"), "settings")
    text = ET.SubElement(
        settings,
        "text-style",
        fieldName=expression,
        isExpression="1",
        fontFamily="Sans Serif",
        fontSize="9",
        fontSizeUnit="Point",
        fontWeight="75",
        textColor="20,20,20,255",
        textOpacity="1",
    )
    ET.SubElement(
        text,
        "text-buffer",
        bufferDraw="1",
        bufferSize="1",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="0.8",
    )
    ET.SubElement(settings, "placement", placement="1", centroidInside="1", fitInPolygonOnly="0")
    ET.SubElement(settings, "rendering", obstacle="1", drawLabels="1", displayAll="1")


def _widget(node: ET.Element, style: LayerStyle, column: str) -> None:
    """A value map for a code column, a number format for a number column."""
    codes = style.value_maps.get(column)
    decimals = style.decimals.get(column)
    kind = "ValueMap" if codes else ("Range" if decimals is not None else "")
    holder = ET.SubElement(ET.SubElement(node, "editWidget", type=kind), "config")
    if codes:
        outer = ET.SubElement(holder, "Option", type="Map")
        entries = ET.SubElement(outer, "Option", name="map", type="List")
        for code, label in codes.items():
            _options(entries, {label: code})
    elif decimals is not None:
        outer = ET.SubElement(holder, "Option", type="Map")
        ET.SubElement(outer, "Option", name="Precision", value=str(decimals), type="int")
        ET.SubElement(outer, "Option", name="AllowNull", value="true", type="bool")
        ET.SubElement(outer, "Option", name="Style", value="SpinBox", type="QString")
    else:
        ET.SubElement(holder, "Option")


def _fields(parent: ET.Element, style: LayerStyle) -> None:
    config = ET.SubElement(parent, "fieldConfiguration")
    for column in style.fields:
        node = ET.SubElement(config, "field", name=column, configurationFlags="None")
        _widget(node, style, column)
    aliases = ET.SubElement(parent, "aliases")
    for index, column in enumerate(style.fields):
        alias = style.aliases.get(column, "")
        ET.SubElement(aliases, "alias", field=column, index=str(index), name=alias)


def layer_elements(parent: ET.Element, style: LayerStyle) -> None:
    """Renderer, labels, field configuration and aliases of ``style`` under ``parent``
    (a QML document's root or a project's ``<maplayer>``)."""
    parent.set("labelsEnabled", "1" if style.label_expression else "0")
    _renderer(parent, style)
    if style.label_expression:
        _labeling(parent, style.label_expression)
    _fields(parent, style)


def style_qml(style: LayerStyle) -> str:
    """The QML document of ``style`` (as QGIS's "Save style" writes it)."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories")
    layer_elements(root, style)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"
