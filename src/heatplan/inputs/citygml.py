"""Read CityGML 1.0/2.0 LoD2 buildings (the state survey offices' open data).

GDAL's GML driver flattens CityGML (one geometry per feature, the roof, wall and ground
surfaces lost): the file is read here with the standard library's XML parser (expat), which is
enough for its geometry (``gml:posList`` and ``gml:pos``). Elements are matched by local name
and namespace family, so CityGML 1.0 and 2.0 (``http://www.opengis.net/citygml/building/1.0``
or ``.../2.0``) both work.

A file that is not XML, or has no building in it, raises
:class:`~heatplan.errors.InputFileError` naming the file and the line where parsing stopped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from heatplan.errors import InputFileError

GML_NS = ("http://www.opengis.net/gml",)
BUILDING_NS = "http://www.opengis.net/citygml/building/"
SURFACES = ("RoofSurface", "WallSurface", "GroundSurface")
#: AdV CRS URNs (``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH``) -> EPSG of the horizontal part.
ADV_CRS = {"ETRS89_UTM32": "EPSG:25832", "ETRS89_UTM33": "EPSG:25833"}


@dataclass
class Lod2Building:
    """One ``bldg:Building`` (its parts included) as read from the file, before any geometry."""

    gml_id: str
    #: 1-based position of the building in the file (the row of the rejections)
    row: int
    attributes: dict[str, str] = field(default_factory=dict)
    #: (surface kind, polygon rings as (n, 3) arrays: exterior first, then holes)
    surfaces: list[tuple[str, list[np.ndarray]]] = field(default_factory=list)
    #: why the building's geometry cannot be read (it is then rejected, not the file)
    error: str | None = None


def split_tag(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag ``{namespace}local``."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _local(tag: str) -> str:
    return split_tag(tag)[1]


def crs_of(srs_name: str | None) -> str | None:
    """EPSG code of a GML ``srsName`` (``EPSG:25832``, ``urn:ogc:def:crs:EPSG::25832``, AdV)."""
    if not srs_name:
        return None
    for key, epsg in ADV_CRS.items():
        if key in srs_name:
            return epsg
    found = re.search(r"EPSG[:/]+(?:[\d.]*:)?(\d+)", srs_name, flags=re.IGNORECASE)
    return f"EPSG:{found.group(1)}" if found else srs_name


def _coordinates(ring: ET.Element, dimension: int) -> np.ndarray:
    """Vertices of a ``gml:LinearRing`` as an (n, dimension) array (``posList`` or ``pos``)."""
    texts = [e.text or "" for e in ring.iter() if _local(e.tag) in ("posList", "pos")]
    dims = [e.get("srsDimension") for e in ring.iter() if _local(e.tag) == "posList"]
    dimension = int(dims[0]) if dims and dims[0] else dimension
    values = np.array(" ".join(texts).split(), dtype=float)
    if values.size % dimension:
        raise ValueError(f"{values.size} coordinates are not a multiple of {dimension}")
    return values.reshape(-1, dimension)


def polygon_rings(polygon: ET.Element, dimension: int = 3) -> list[np.ndarray]:
    """Rings of a ``gml:Polygon`` or ``gml:PolygonPatch``: exterior first, then the holes."""
    rings: list[np.ndarray] = []
    for part in polygon:
        kind = _local(part.tag)
        if kind in ("exterior", "outerBoundaryIs", "interior", "innerBoundaryIs"):
            for ring in part:
                coords = _coordinates(ring, dimension)
                if kind in ("exterior", "outerBoundaryIs"):
                    rings.insert(0, coords)
                else:
                    rings.append(coords)
    return rings


def _polygons(element: ET.Element, dimension: int) -> list[list[np.ndarray]]:
    return [
        polygon_rings(e, dimension)
        for e in element.iter()
        if _local(e.tag) in ("Polygon", "PolygonPatch")
    ]


def parse_error(path: Path, exc: ET.ParseError) -> InputFileError:
    """The user's message for XML that cannot be parsed: file, line and column."""
    line, column = exc.position
    return InputFileError(
        path,
        f"not a readable XML file, line {line}, column {column} / keine lesbare XML-Datei, "
        f"Zeile {line}, Spalte {column}: {exc}",
    )


def xml_events(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """``('start' | 'end', element)`` of an XML file read in 1 MB chunks (large survey tiles
    never sit in memory whole); a broken file raises :func:`parse_error` naming line and column.
    The caller may ``clear()`` an element once it has used it."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                parser.feed(chunk)
                for event, element in cast(Iterator[tuple[str, Any]], parser.read_events()):
                    if isinstance(element, ET.Element):
                        yield event, element
        parser.close()
    except ET.ParseError as exc:
        raise parse_error(path, exc) from exc


def read_lod2(path: Path) -> tuple[list[Lod2Building], str | None]:
    """The buildings of a CityGML file and the file's CRS (``None`` when it declares none)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found / Datei nicht gefunden")
    buildings: list[Lod2Building] = []
    srs: str | None = None
    depth = 0  # nesting depth inside a top-level bldg:Building (parts stay in their building)
    for event, element in xml_events(path):
        namespace, local = split_tag(element.tag)
        if srs is None and event == "start":
            srs = element.get("srsName")
        if local != "Building" or not namespace.startswith(BUILDING_NS):
            continue
        depth += 1 if event == "start" else -1
        if event == "end" and depth == 0:
            buildings.append(_building(element, len(buildings) + 1))
            element.clear()
    if not buildings:
        raise InputFileError(
            path,
            "no bldg:Building in the file (is it CityGML 1.0/2.0?) / "
            "keine bldg:Building-Objekte in der Datei (CityGML 1.0/2.0?)",
        )
    return buildings, crs_of(srs)


def _building(element: ET.Element, number: int) -> Lod2Building:
    gml_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
    found = Lod2Building(gml_id=gml_id, row=number)
    try:
        _fill(found, element)
    except ValueError as exc:
        found.error = f"unreadable coordinates / Koordinaten nicht lesbar: {exc}"
    return found


def _larger(first: str | None, second: str | None) -> str:
    """The larger of two numeric texts (building parts: the highest part); text if not numbers."""
    second = (second or "").strip()
    if not first:
        return second
    try:
        return first if float(first) >= float(second) else second
    except ValueError:  # not a number: keep it, so that the building's row reports it
        return first if not _is_float(first) else second


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fill(found: Lod2Building, element: ET.Element) -> None:
    for child in element.iter():
        local = _local(child.tag)
        if local in ("measuredHeight", "storeysAboveGround"):  # of the building or its parts
            found.attributes[local] = _larger(found.attributes.get(local), child.text)
        elif local in ("roofType", "function"):
            found.attributes.setdefault(local, (child.text or "").strip())
        elif local in ("stringAttribute", "intAttribute", "doubleAttribute"):
            value = next((e.text for e in child if _local(e.tag) == "value"), None)
            found.attributes.setdefault(f"gen:{child.get('name')}", (value or "").strip())
        elif local == "externalObject":
            name = next((e.text for e in child if _local(e.tag) in ("name", "uri")), None)
            found.attributes.setdefault("externalObject", (name or "").strip())
        elif local in SURFACES:
            found.surfaces += [(local, rings) for rings in _polygons(child, 3) if rings]
    if not found.surfaces:  # a bare lod2Solid: surfaces are classified by their normals later
        found.surfaces = [("Unclassified", rings) for rings in _polygons(element, 3) if rings]
