"""XWärmeplan 0.9 features in a neutral form, and a GML 3.2 writer without GDAL.

:mod:`heatplan.outputs.xwp.plan` builds the plan as a list of :class:`Feature`; this module writes
them with the standard library (``xml.etree``) in the encoding the XLeitstelle's
``xplan-tools`` uses for ``xwp`` 0.9 (``sf:FeatureCollection`` of ``sf:featureMember``, one
element per property in model order, associations as ``xlink:href="#GML_<uuid>"``, nested data
types as an element of the type inside the property, measures with ``uom`` and Python's float
text, areas as ``gml:MultiSurface``, lines as ``gml:MultiCurve`` and points as ``gml:MultiPoint``
with ``srsName="EPSG:<code>"``), so ``xplan-tools`` reads the file back and validates every
feature against its model.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Union

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from heatplan.outputs.atomic import replacing

__all__ = [
    "GML_NAMESPACE",
    "XWP_NAMESPACE",
    "DataType",
    "Feature",
    "Measure",
    "Ref",
    "geometry_element",
    "write_gml",
]

XWP_NAMESPACE = "http://www.xwaermeplan.de/0/9"
GML_NAMESPACE = "http://www.opengis.net/gml/3.2"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
SF_NAMESPACE = "http://www.opengis.net/ogcapi-features-1/1.0/sf"
#: Schema locations as xplan-tools 1.17 writes them for xwp 0.9.
SCHEMA_LOCATION = (
    f"{XWP_NAMESPACE} https://gitlab.opencode.de/xleitstelle/xwaermeplan/spezifikation/-/raw/"
    f"main/xsd/waermeplan.xsd {SF_NAMESPACE} "
    "http://schemas.opengis.net/ogcapi/features/part1/1.0/xml/core-sf.xsd "
    f"{GML_NAMESPACE} https://schemas.opengis.net/gml/3.2.1/gml.xsd"
)
#: ``""``: XWärmeplan is the default namespace, as in xplan-tools' output.
_PREFIXES = {
    "": XWP_NAMESPACE,
    "gml": GML_NAMESPACE,
    "xlink": XLINK_NAMESPACE,
    "xsi": XSI_NAMESPACE,
    "sf": SF_NAMESPACE,
}


@dataclass(frozen=True)
class Ref:
    """Association to another feature of the plan (by its uuid)."""

    uid: str


@dataclass(frozen=True)
class Measure:
    """A value with its unit of measure (``uom``)."""

    value: float
    uom: str


@dataclass(frozen=True)
class DataType:
    """A nested XWärmeplan data type, e.g. ``WP_Gemeinde``."""

    name: str
    props: dict[str, Value]


Scalar = Union[str, bool, int, float, date, Ref, Measure, DataType, BaseGeometry]  # noqa: UP007
Value = Union[Scalar, list[Scalar]]  # noqa: UP007


@dataclass(frozen=True)
class Feature:
    """One XWärmeplan feature: class name (``WP_Plan``...), uuid and properties in model order.

    A list value is written as repeated elements (multiplicity ``0..*``).
    """

    name: str
    uid: str
    props: dict[str, Value]


def gml_id(uid: str) -> str:
    """The ``gml:id`` of a feature or geometry (``GML_`` + uuid, as xplan-tools writes it)."""
    return f"GML_{uid}"


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _number(value: float) -> str:
    """Shortest text that reads back as the same float (no exponent, no trailing ``.0``)."""
    return str(np.format_float_positional(float(value), trim="-"))


def _text(value: str | bool | int | float | date) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _ring(parent: ET.Element, tag: str, coords: np.ndarray) -> None:
    ring = ET.SubElement(
        ET.SubElement(parent, _q(GML_NAMESPACE, tag)), _q(GML_NAMESPACE, "LinearRing")
    )
    pos = ET.SubElement(ring, _q(GML_NAMESPACE, "posList"))
    pos.text = " ".join(_number(v) for v in coords[:, :2].ravel())


def multisurface(geometry: BaseGeometry, *, srid: int, uid: str) -> ET.Element:
    """``gml:MultiSurface`` of a Polygon or MultiPolygon (holes as ``gml:interior``)."""
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    if not isinstance(geometry, MultiPolygon):
        raise ValueError(f"XWärmeplan areas need polygons, got {geometry.geom_type}")
    attrib = {"srsName": f"EPSG:{srid}", _q(GML_NAMESPACE, "id"): gml_id(uid)}
    element = ET.Element(_q(GML_NAMESPACE, "MultiSurface"), attrib)
    for number, polygon in enumerate(geometry.geoms):
        member = ET.SubElement(element, _q(GML_NAMESPACE, "surfaceMember"))
        attrib = {_q(GML_NAMESPACE, "id"): f"{gml_id(uid)}.{number}"}
        surface = ET.SubElement(member, _q(GML_NAMESPACE, "Polygon"), attrib)
        _ring(surface, "exterior", shapely.get_coordinates(polygon.exterior))
        for hole in polygon.interiors:
            _ring(surface, "interior", shapely.get_coordinates(hole))
    return element


def multicurve(geometry: BaseGeometry, *, srid: int, uid: str) -> ET.Element:
    """``gml:MultiCurve`` of a LineString or MultiLineString (one ``gml:LineString`` per part)."""
    if isinstance(geometry, LineString):
        geometry = MultiLineString([geometry])
    if not isinstance(geometry, MultiLineString):
        raise ValueError(f"XWärmeplan lines need line strings, got {geometry.geom_type}")
    attrib = {"srsName": f"EPSG:{srid}", _q(GML_NAMESPACE, "id"): gml_id(uid)}
    element = ET.Element(_q(GML_NAMESPACE, "MultiCurve"), attrib)
    for number, line in enumerate(geometry.geoms):
        member = ET.SubElement(element, _q(GML_NAMESPACE, "curveMember"))
        attrib = {_q(GML_NAMESPACE, "id"): f"{gml_id(uid)}.{number}"}
        curve = ET.SubElement(member, _q(GML_NAMESPACE, "LineString"), attrib)
        pos = ET.SubElement(curve, _q(GML_NAMESPACE, "posList"))
        pos.text = " ".join(_number(v) for v in shapely.get_coordinates(line)[:, :2].ravel())
    return element


def multipoint(geometry: BaseGeometry, *, srid: int, uid: str) -> ET.Element:
    """``gml:MultiPoint`` of a Point or MultiPoint (one ``gml:Point`` with ``gml:pos`` each)."""
    if isinstance(geometry, Point):
        geometry = MultiPoint([geometry])
    if not isinstance(geometry, MultiPoint):
        raise ValueError(f"XWärmeplan points need points, got {geometry.geom_type}")
    attrib = {"srsName": f"EPSG:{srid}", _q(GML_NAMESPACE, "id"): gml_id(uid)}
    element = ET.Element(_q(GML_NAMESPACE, "MultiPoint"), attrib)
    for number, point in enumerate(geometry.geoms):
        member = ET.SubElement(element, _q(GML_NAMESPACE, "pointMember"))
        attrib = {_q(GML_NAMESPACE, "id"): f"{gml_id(uid)}.{number}"}
        node = ET.SubElement(member, _q(GML_NAMESPACE, "Point"), attrib)
        pos = ET.SubElement(node, _q(GML_NAMESPACE, "pos"))
        pos.text = " ".join(_number(v) for v in shapely.get_coordinates(point)[0, :2])
    return element


def geometry_element(geometry: BaseGeometry, *, srid: int, uid: str) -> ET.Element:
    """The GML multi-geometry xplan-tools writes for a (multi) polygon, line or point."""
    if isinstance(geometry, LineString | MultiLineString):
        return multicurve(geometry, srid=srid, uid=uid)
    if isinstance(geometry, Point | MultiPoint):
        return multipoint(geometry, srid=srid, uid=uid)
    return multisurface(geometry, srid=srid, uid=uid)


def _property(parent: ET.Element, name: str, value: Scalar, *, srid: int, owner: str) -> None:
    element = ET.SubElement(parent, _q(XWP_NAMESPACE, name))
    if isinstance(value, Ref):
        element.set(_q(XLINK_NAMESPACE, "href"), f"#{gml_id(value.uid)}")
    elif isinstance(value, Measure):
        element.set("uom", value.uom)
        element.text = str(float(value.value))  # as xplan-tools: Python's float text
    elif isinstance(value, DataType):
        nested = ET.SubElement(element, _q(XWP_NAMESPACE, value.name))
        _properties(nested, value.props, srid=srid, owner=owner)
    elif isinstance(value, BaseGeometry):
        geometry_uid = str(uuid.uuid5(uuid.UUID(owner), name))
        element.append(geometry_element(value, srid=srid, uid=geometry_uid))
    else:
        element.text = _text(value)


def _properties(parent: ET.Element, props: dict[str, Value], *, srid: int, owner: str) -> None:
    for name, value in props.items():
        for item in value if isinstance(value, list) else [value]:
            _property(parent, name, item, srid=srid, owner=owner)


def feature_element(feature: Feature, *, srid: int) -> ET.Element:
    """One feature as xplan-tools encodes it (``gml:identifier`` first, then the properties)."""
    element = ET.Element(
        _q(XWP_NAMESPACE, feature.name), {_q(GML_NAMESPACE, "id"): gml_id(feature.uid)}
    )
    identifier = ET.SubElement(element, _q(GML_NAMESPACE, "identifier"), codeSpace="urn:uuid")
    identifier.text = feature.uid
    _properties(element, feature.props, srid=srid, owner=feature.uid)
    return element


def collection(features: list[Feature], *, srid: int) -> ET.Element:
    """The ``sf:FeatureCollection`` holding every feature; its id derives from the first one."""
    root_uid = str(uuid.uuid5(uuid.UUID(features[0].uid), "collection")) if features else ""
    root = ET.Element(
        _q(SF_NAMESPACE, "FeatureCollection"),
        {
            _q(XSI_NAMESPACE, "schemaLocation"): SCHEMA_LOCATION,
            _q(GML_NAMESPACE, "id"): gml_id(root_uid or str(uuid.uuid4())),
        },
    )
    for feature in features:
        member = ET.SubElement(root, _q(SF_NAMESPACE, "featureMember"))
        member.append(feature_element(feature, srid=srid))
    return root


def write_gml(features: list[Feature], *, srid: int, path: Path | str) -> Path:
    """Write the features as one XWärmeplan GML file (UTF-8, indented); returns the path.

    Whole or not at all (:func:`heatplan.outputs.atomic.replacing`): on a failure an older
    file stays."""
    for prefix, namespace in _PREFIXES.items():
        ET.register_namespace(prefix, namespace)
    tree = ET.ElementTree(collection(features, srid=srid))
    ET.indent(tree, space="  ")
    path = Path(path)
    with replacing(path) as partial, partial.open("wb") as handle:
        tree.write(handle, encoding="UTF-8", xml_declaration=True)
    return path
