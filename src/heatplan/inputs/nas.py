"""Read AX_Gebaeude from ALKIS NAS (the AdV's XML exchange format, GeoInfoDok 6.0/7.1).

The GDAL bundled with pyogrio has no NAS driver (it needs Xerces), so the buildings are read
here with the standard library's XML parser: ``gml:id``, ``gebaeudefunktion``,
``anzahlDerOberirdischenGeschosse``, ``dachform``, ``baujahr`` and the footprint
(``position``: a ``gml:Surface`` of ``gml:PolygonPatch`` es, rings of ``gml:LineStringSegment``
``posList`` s, or a ``gml:Polygon``). Other object types of the file (parcels, addresses ...)
are skipped. Addresses are references to other objects (``zeigtAuf``) and are not resolved:
import them from a table, or use the shape/GeoPackage extract whose ``lagebezeichnung`` is text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon

from heatplan.errors import InputFileError
from heatplan.inputs.citygml import crs_of, polygon_rings, split_tag, xml_events

NAS_NAMESPACE = "http://www.adv-online.de/namespaces/adv/gid/"
NAS_SUFFIXES = (".xml", ".nas")
#: AX_Gebaeude attributes read (NAS element names, as in the shape/GeoPackage extracts).
ATTRIBUTES = ("gebaeudefunktion", "anzahlDerOberirdischenGeschosse", "dachform", "baujahr")


def is_nas(path: Path) -> bool:
    """True for an XML file (``.xml``, ``.nas``): read as NAS, not through GDAL."""
    return Path(path).suffix.lower() in NAS_SUFFIXES


def read_nas(path: Path) -> gpd.GeoDataFrame:
    """The AX_Gebaeude objects of a NAS file: attributes as text, footprints, the file's CRS."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found / Datei nicht gefunden")
    rows: list[dict[str, Any]] = []
    srs: str | None = None
    for event, element in xml_events(path):
        if event == "start":
            srs = srs or element.get("srsName")
            continue
        namespace, local = split_tag(element.tag)
        if not namespace.startswith(NAS_NAMESPACE) or not local.startswith("AX_"):
            continue
        if local == "AX_Gebaeude":
            rows.append(_building(element))
        element.clear()  # parcels, addresses ... are not kept in memory
    if not rows:
        raise InputFileError(
            path, "no AX_Gebaeude in the file (is it NAS?) / keine AX_Gebaeude in der Datei"
        )
    geometry = [row.pop("geometry") for row in rows]
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=crs_of(srs))


def _building(element: ET.Element) -> dict[str, Any]:
    row: dict[str, Any] = {
        "gml_id": next((v for k, v in element.attrib.items() if split_tag(k)[1] == "id"), None)
    }
    polygons: list[Polygon] = []
    for child in element:
        local = split_tag(child.tag)[1]
        if local in ATTRIBUTES:
            row.setdefault(local, (child.text or "").strip() or None)
        elif local == "position":
            polygons += _polygons(child)
    row["geometry"] = shapely.union_all(polygons) if polygons else None
    return row


def _polygons(position: ET.Element) -> list[Polygon]:
    out = []
    for element in position.iter():
        if split_tag(element.tag)[1] in ("Polygon", "PolygonPatch"):
            try:
                rings = polygon_rings(element, 2)
            except ValueError:  # a ring whose coordinates cannot be read: no footprint
                continue
            if rings and len(rings[0]) >= 3:
                out.append(Polygon(rings[0][:, :2], [np.asarray(r)[:, :2] for r in rings[1:]]))
    return out
