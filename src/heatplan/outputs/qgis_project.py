"""A QGIS project (``.qgs`` XML, zipped as ``.qgz``) that opens the GeoPackage's own layers.

QGIS keeps projects in a GeoPackage in the table ``qgis_projects`` (name, JSON metadata, the
``.qgz`` bytes as hex text; QGIS's GeoPackage project storage). The layers point to the file
itself by a relative path (``./<file>.gpkg|layername=<layer>``), so the project opens wherever
the file is copied. The XML follows QGIS 3 (written without QGIS installed).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from pyproj import CRS

from heatplan.outputs.qgis_style import QGIS_VERSION, LayerStyle, layer_elements

__all__ = ["ProjectLayer", "project_metadata", "project_qgs", "project_qgz"]

#: Geometry of a layer in QGIS's terms, by the GeoPackage geometry type.
GEOMETRY = {
    "Point": "Point", "MultiPoint": "Point",
    "LineString": "Line", "MultiLineString": "Line",
    "Polygon": "Polygon", "MultiPolygon": "Polygon",
}  # fmt: skip
#: Margin around the data in the project's start view [share of the larger side].
VIEW_MARGIN = 0.05


@dataclass(frozen=True)
class ProjectLayer:
    """One map layer of the project: a GeoPackage layer drawn with ``style``."""

    layer_id: str
    table: str
    name: str
    geometry_type: str
    crs: str
    style: LayerStyle
    visible: bool = True
    group: str = ""
    #: For a layer of mixed geometry (GeoPackage type GEOMETRY): the one family this map layer
    #: draws (QGIS's ``geometrytype=`` of the data source).
    family: str = ""


def _srs(parent: ET.Element, crs: str) -> None:
    ref = CRS.from_user_input(crs)
    node = ET.SubElement(parent, "spatialrefsys")
    ET.SubElement(node, "wkt").text = ref.to_wkt()
    authority = ref.to_authority()
    if authority is not None:
        ET.SubElement(node, "authid").text = ":".join(authority)
        if authority[0] == "EPSG":
            ET.SubElement(node, "srid").text = authority[1]
    ET.SubElement(node, "description").text = ref.name
    ET.SubElement(node, "geographicflag").text = "true" if ref.is_geographic else "false"


def _source(file_name: str, layer: ProjectLayer) -> str:
    part = f"|geometrytype={layer.family}" if layer.family else ""
    return f"./{file_name}|layername={layer.table}{part}"


def _maplayer(parent: ET.Element, layer: ProjectLayer, file_name: str) -> None:
    node = ET.SubElement(
        parent,
        "maplayer",
        type="vector",
        geometry=GEOMETRY.get(layer.family or layer.geometry_type, "Unknown"),
        wkbType=layer.family or layer.geometry_type,
        readOnly="0",
        hasScaleBasedVisibilityFlag="0",
        styleCategories="AllStyleCategories",
    )
    ET.SubElement(node, "id").text = layer.layer_id
    ET.SubElement(node, "datasource").text = _source(file_name, layer)
    ET.SubElement(node, "layername").text = layer.name
    _srs(ET.SubElement(node, "srs"), layer.crs)
    ET.SubElement(node, "provider", encoding="UTF-8").text = "ogr"
    layer_elements(node, layer.style)


def _tree(parent: ET.Element, layers: Sequence[ProjectLayer], file_name: str) -> None:
    root = ET.SubElement(parent, "layer-tree-group")
    groups: dict[str, ET.Element] = {}
    for layer in layers:
        holder = root
        if layer.group:
            if layer.group not in groups:
                groups[layer.group] = ET.SubElement(
                    root, "layer-tree-group", name=layer.group, checked="Qt::Checked", expanded="1"
                )
            holder = groups[layer.group]
        ET.SubElement(
            holder,
            "layer-tree-layer",
            id=layer.layer_id,
            name=layer.name,
            source=_source(file_name, layer),
            providerKey="ogr",
            checked="Qt::Checked" if layer.visible else "Qt::Unchecked",
            expanded="1" if layer.visible else "0",
        )


def _extent(parent: ET.Element, bounds: tuple[float, float, float, float]) -> None:
    xmin, ymin, xmax, ymax = bounds
    margin = VIEW_MARGIN * max(xmax - xmin, ymax - ymin)
    for key, value in zip(
        ("xmin", "ymin", "xmax", "ymax"),
        (xmin - margin, ymin - margin, xmax + margin, ymax + margin),
        strict=True,
    ):
        ET.SubElement(parent, key).text = f"{value:.3f}"


def project_qgs(
    layers: Sequence[ProjectLayer],
    *,
    file_name: str,
    title: str,
    crs: str,
    bounds: tuple[float, float, float, float],
    abstract: str = "",
    created: dt.datetime | None = None,
) -> str:
    """The ``.qgs`` XML: ``layers`` top first, in the project CRS ``crs``, the start view on
    ``bounds`` (xmin, ymin, xmax, ymax in ``crs``)."""
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    _srs(ET.SubElement(root, "projectCrs"), crs)
    _tree(root, layers, file_name)
    holder = ET.SubElement(root, "projectlayers")
    for layer in layers:
        _maplayer(holder, layer, file_name)
    order = ET.SubElement(root, "layerorder")
    for layer in layers:
        ET.SubElement(order, "layer", id=layer.layer_id)
    properties = ET.SubElement(root, "properties")
    ET.SubElement(ET.SubElement(properties, "Paths"), "Absolute", type="bool").text = "false"
    # QGIS 3 reads <projectCrs> only with this legacy flag set
    srs = ET.SubElement(properties, "SpatialRefSys")
    ET.SubElement(srs, "ProjectionsEnabled", type="int").text = "1"
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas")
    ET.SubElement(canvas, "units").text = "meters"
    _extent(ET.SubElement(canvas, "extent"), bounds)
    ET.SubElement(canvas, "rotation").text = "0"
    _srs(ET.SubElement(canvas, "destinationsrs"), crs)
    meta = ET.SubElement(root, "projectMetadata")
    ET.SubElement(meta, "title").text = title
    ET.SubElement(meta, "language").text = "de"
    ET.SubElement(meta, "abstract").text = abstract
    ET.SubElement(meta, "author").text = "heatplan"
    ET.SubElement(meta, "creation").text = (created or dt.datetime.now()).isoformat("T", "seconds")
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"


def project_qgz(qgs: str, name: str) -> bytes:
    """The ``.qgz`` archive (a zip holding ``<name>.qgs``), as QGIS saves compressed projects."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.qgs", qgs.encode("utf-8"))
    return buffer.getvalue()


def project_metadata(created: dt.datetime) -> str:
    """The ``metadata`` JSON of a ``qgis_projects`` row (as QGIS writes it)."""
    return json.dumps(
        {"last_modified_time": created.isoformat("T", "seconds"), "last_modified_user": "heatplan"}
    )
