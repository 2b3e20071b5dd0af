"""The public API (no login): map layers, legend, search, fact sheets, area profiles, downloads.

Every answer is built from :class:`heatplan.web.public_data.PublicData`, i.e. from the tables
after :mod:`heatplan.publish`: no building id, no building's consumption or heater, no
aggregate over fewer than 5 buildings.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from heatplan.errors import HeatplanError
from heatplan.plan import columns as col
from heatplan.steps.export import run_export
from heatplan.web.compress import (
    DOWNLOAD_CACHE_CONTROL,
    LAYER_CACHE_CONTROL,
    cached_answer,
    etag_of,
    gzip_bytes,
    not_modified,
    not_modified_response,
)
from heatplan.web.edition import Edition
from heatplan.web.factsheet import factsheet
from heatplan.web.geojson import Answer, band_of, parse_bbox
from heatplan.web.labels import vocabulary
from heatplan.web.legend import LAYERS, layer_list, legends
from heatplan.web.measures_layer import measure_features
from heatplan.web.public_data import area_ids_of
from heatplan.web.state import AppState

router = APIRouter(prefix="/api", tags=["public"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: format -> (file name, German label, English label, media type)
DOWNLOADS = {
    "gpkg": (
        "waermeplan.gpkg",
        "GeoPackage (GIS)",
        "GeoPackage (GIS)",
        "application/geopackage+sqlite3",
    ),
    "xlsx": ("waermeplan.xlsx", "Tabellen (Excel)", "tables (Excel)", XLSX_TYPE),
    "xwaermeplan": (
        "waermeplan.gml",
        "XWärmeplan (GML)",
        "XWärmeplan (GML)",
        "application/gml+xml",
    ),
    "pdf": ("plan.pdf", "Bericht (PDF)", "report (PDF)", "application/pdf"),
}
SEARCH_LIMIT = 10
GEOJSON = "application/geo+json"


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.heatplan
    return state


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3) if math.isfinite(value) else None
    if hasattr(value, "item"):
        return _clean(value.item())
    if value is None or (not isinstance(value, str | bool | int) and pd.isna(value)):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dicts (without geometry and block ids)."""
    columns = [c for c in frame.columns if c not in ("geometry", "block_ids")]
    rows = frame[columns].to_dict("records")
    return [{str(k): _clean(v) for k, v in row.items()} for row in rows]


@router.get("/meta", summary="Title, years, layers, extent and downloads of the plan")
def meta(request: Request) -> dict[str, Any]:
    state = state_of(request)
    edition = state.edition()
    data = edition.data
    available = {name for name, frame in data.tables.items() if len(frame)}
    layers = layer_list(available)
    extents = [
        extent
        for layer in layers
        if (extent := edition.layers.layer(layer["source"], data.tables[layer["source"]]).extent)
    ]
    bbox = (
        [min(e[0] for e in extents), min(e[1] for e in extents),
         max(e[2] for e in extents), max(e[3] for e in extents)]
        if extents
        else None
    )  # fmt: skip
    years = [{"key": str(y), "year": y} for y in data.years[:-1]]
    years.append({"key": "target", "year": data.target_year})
    downloads = [
        {"format": fmt, "url": f"/api/downloads/{fmt}", "label": {"de": de, "en": en}}
        for fmt, (_, de, en, _) in DOWNLOADS.items()
        if fmt != "pdf" or (state.project_dir / "report" / "plan.pdf").is_file()
    ]
    return {
        "title": data.title,
        "years": years,
        "layers": layers,
        "bbox": bbox or [-180.0, -85.0, 180.0, 85.0],
        "basemap_style": state.settings.basemap_style,
        "attribution": state.settings.attribution,
        "downloads": downloads,
    }


@router.get("/labels", summary="German and English labels, units and scales of fields and codes")
def labels() -> dict[str, Any]:
    return vocabulary()


@router.get("/legend", summary="Titles, explanations and legends of the map layers (de/en)")
def legend() -> dict[str, Any]:
    return legends()


@router.get(
    "/layers/{layer}",
    summary="One public layer as GeoJSON (EPSG:4326), cut to a bbox and simplified for a zoom",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def layer_geojson(
    request: Request,
    layer: str,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in degrees")] = None,
    zoom: Annotated[float | None, Query(ge=0, le=24)] = None,
) -> Response:
    sources = {source for source, _, _, _ in LAYERS.values()}
    if layer not in sources:
        raise HTTPException(404, f"unknown layer {layer!r}; public layers: {sorted(sources)}")
    try:
        box = parse_bbox(bbox)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    state = state_of(request)
    edition = state.editions.peek()
    if edition is None:
        edition = await run_in_threadpool(state.edition)
    frame = edition.data.tables.get(layer)
    if frame is None:
        raise HTTPException(404, f"layer {layer!r}: not in this project yet (run its step)")
    key = (layer, band_of(zoom), box)
    etag = etag_of(edition.version, *key)
    if not_modified(request.headers, etag):
        return not_modified_response(etag, LAYER_CACHE_CONTROL)
    answer = edition.layers.answer(key)
    if answer is None:
        answer = await run_in_threadpool(_layer_answer, edition, layer, frame, box, zoom)
        edition.layers.keep(key, answer)
    return cached_answer(
        request.headers,
        body=answer.body,
        gzipped=answer.gzipped,
        media_type=GEOJSON,
        etag=etag,
        cache_control=LAYER_CACHE_CONTROL,
    )


def _layer_answer(
    edition: Edition,
    layer: str,
    frame: pd.DataFrame,
    box: tuple[float, float, float, float] | None,
    zoom: float | None,
) -> Answer:
    body = edition.layers.layer(layer, frame).geojson(box, zoom).encode()
    return Answer(body, gzip_bytes(body))


@router.get("/search", summary="Places (addresses, streets, areas) matching a text")
def search(
    request: Request, q: Annotated[str, Query(min_length=1, max_length=100)]
) -> dict[str, Any]:
    places = state_of(request).data().places
    words = [w for w in q.lower().replace(",", " ").split() if w]
    if not words or not len(places):
        return {"results": []}
    labels = places["label"].astype(str).str.lower().to_numpy()
    hit = np.ones(len(places), dtype=bool)
    for word in words:
        hit &= np.array([word in label for label in labels], dtype=bool)
    order = {"address": 0, "street": 1, "area": 2}
    found = places.iloc[np.flatnonzero(hit)]
    text = " ".join(words)
    found = found.assign(
        _o=found["kind"].map(order),
        _p=~found["label"].astype(str).str.lower().str.startswith(text),
        _n=found["label"].astype(str).str.len(),
    ).sort_values(["_p", "_o", "_n", "label"])
    fields = ["key", "label", "kind", col.AREA_ID, "lon", "lat"]
    return {"results": records(found.head(SEARCH_LIMIT)[fields])}


@router.get("/factsheet", summary="Fact sheet of a place found by /api/search")
def factsheet_of(
    request: Request,
    key: Annotated[str, Query(min_length=1, max_length=300)],
    year: Annotated[int | None, Query(ge=1900, le=2200, description="selected year")] = None,
) -> dict[str, Any]:
    data = state_of(request).data()
    match = data.places[data.places["key"] == key]
    if not len(match):
        raise HTTPException(404, f"no place {key!r}; find places with /api/search")
    return factsheet(data, match.iloc[0], year)


@router.get("/areas", summary="The supply areas (public figures, no geometry)")
def areas(request: Request) -> dict[str, Any]:
    return {"areas": records(state_of(request).data().areas)}


@router.get("/areas/{area_id}", summary="Profile of one supply area with its measures")
def area(request: Request, area_id: str) -> dict[str, Any]:
    data = state_of(request).data()
    match = data.areas[data.areas[col.AREA_ID].astype(str) == area_id]
    if not len(match):
        raise HTTPException(404, f"no area {area_id!r}")
    measures = [m for m in data.measures if area_id in area_ids_of(m)]
    return {"area": records(match)[0], "measures": [_public_measure(m) for m in measures]}


def _public_measure(measure: dict[str, Any]) -> dict[str, Any]:
    return {k: _clean(v) if not isinstance(v, list | dict) else v for k, v in measure.items()
            if k not in ("updated_by",)}  # fmt: skip


@router.get(
    "/measures/geojson",
    summary="The public measures as GeoJSON over the areas they name (EPSG:4326)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def measures_geojson(request: Request) -> Response:
    body = json.dumps(measure_features(state_of(request).data()), ensure_ascii=False)
    return Response(body.encode(), media_type=GEOJSON)


@router.get("/measures", summary="The public measures of the plan and their progress")
def measures(request: Request) -> dict[str, Any]:
    return {"measures": [_public_measure(m) for m in state_of(request).data().measures]}


@router.get(
    "/downloads/{fmt}",
    summary="The public edition as GeoPackage, XLSX, XWärmeplan or the PDF report",
    response_class=FileResponse,
)
def download(request: Request, fmt: str) -> Response:
    if fmt not in DOWNLOADS:
        raise HTTPException(404, f"unknown format {fmt!r}; choose {', '.join(DOWNLOADS)}")
    state = state_of(request)
    name, _, _, media = DOWNLOADS[fmt]
    if fmt == "pdf":
        path = state.project_dir / "report" / "plan.pdf"
        if not path.is_file():
            raise HTTPException(404, "no report yet (run `heatplan report DIR --pdf`)")
        stat = path.stat()
        etag = etag_of("pdf", stat.st_mtime_ns, stat.st_size)
    else:
        version = state.edition().version
        etag = etag_of(version, fmt)
        if not_modified(request.headers, etag):
            return not_modified_response(etag, DOWNLOAD_CACHE_CONTROL)
        path = _export(state, version, fmt, name)
    if not_modified(request.headers, etag):
        return not_modified_response(etag, DOWNLOAD_CACHE_CONTROL)
    headers = {"ETag": etag, "Cache-Control": DOWNLOAD_CACHE_CONTROL}
    return FileResponse(path, media_type=media, filename=name, headers=headers)


def _export(state: AppState, version: str, fmt: str, name: str) -> Path:
    """The export of edition ``version``, made once per edition (one export at a time)."""
    folder = state.downloads.folder(version)
    path = folder / name
    with state.downloads.lock(f"{version}/{name}"):
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            try:
                run_export(state.project_dir, fmt, path)  # type: ignore[arg-type]
            except HeatplanError as exc:
                raise HTTPException(404, f"{fmt}: {exc}") from None
    return path
