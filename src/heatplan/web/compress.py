"""Compression and HTTP caching of the web map: gzip once, ETags, ``304 Not Modified``.

Layer answers are compressed once when they are made and kept compressed in the edition's
:class:`~heatplan.web.geojson.LayerCache`; the front-end bundle is compressed once per file
version (:class:`PrecompressedStatic`); other JSON answers go through Starlette's
``GZipMiddleware`` (:data:`DYNAMIC_GZIP`). Conditional requests follow RFC 9110 § 13.1.2
(``If-None-Match``, weak comparison for GET) and § 15.4.5 (``304``).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path

from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.types import Scope

#: zlib level 6 is zlib's own default: most of level 9's ratio at a fraction of its time.
GZIP_LEVEL = 6
#: Answers smaller than this are sent as they are (gzip's header and the request cost more).
GZIP_MIN_BYTES = 1000
#: Download media types the middleware must not compress (zip-based or already compressed,
#: and streamed from a file: they keep their Content-Length and range requests).
NOT_COMPRESSED = (
    "application/geopackage+sqlite3",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
    "application/gml+xml",
)
#: File suffixes of the bundle worth compressing (text).
COMPRESSIBLE_SUFFIXES = frozenset({".js", ".mjs", ".css", ".map", ".json", ".html", ".txt"})
#: Layers: browsers may reuse an answer for a minute, then revalidate with the ETag.
LAYER_CACHE_CONTROL = "public, max-age=60"
#: Downloads change with the plan: revalidate after a minute.
DOWNLOAD_CACHE_CONTROL = "public, max-age=60"
#: The bundle's file names carry no hash: revalidate on every load (a 304 costs little).
STATIC_CACHE_CONTROL = "public, no-cache"


def accepts_gzip(headers: Headers) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (not with ``q=0``)."""
    for item in headers.get("accept-encoding", "").lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return True
    return False


def gzip_bytes(body: bytes) -> bytes:
    """``body`` gzipped at :data:`GZIP_LEVEL` (with a fixed time stamp: same input, same bytes)."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def etag_of(*parts: object) -> str:
    """A weak entity tag from the parts that decide an answer (RFC 9110 § 8.8.3)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def not_modified(headers: Headers, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison) or is ``*``."""
    sent = headers.get("if-none-match")
    if not sent:
        return False
    tags = [t.strip() for t in sent.split(",")]
    return "*" in tags or _opaque(etag) in {_opaque(t) for t in tags}


def not_modified_response(etag: str, cache_control: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache_control})


def cached_answer(
    headers: Headers,
    *,
    body: bytes,
    gzipped: bytes | None,
    media_type: str,
    etag: str,
    cache_control: str,
) -> Response:
    """The answer for one representation pair: 304, gzip (when accepted) or identity."""
    out = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if not_modified(headers, etag):
        return not_modified_response(etag, cache_control)
    if gzipped is not None and accepts_gzip(headers):
        return Response(gzipped, media_type=media_type, headers={**out, "Content-Encoding": "gzip"})
    return Response(body, media_type=media_type, headers=out)


class PrecompressedStatic(StaticFiles):
    """Static files with the text files gzipped once per version of the file (in memory)."""

    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        self._gzipped: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if not isinstance(response, FileResponse) or response.status_code != 200:
            return response
        response.headers["Cache-Control"] = STATIC_CACHE_CONTROL
        file = Path(response.path)
        if file.suffix not in COMPRESSIBLE_SUFFIXES:
            return response
        headers = Headers(scope=scope)
        response.headers["Vary"] = "Accept-Encoding"
        if not accepts_gzip(headers):
            return response
        etag = response.headers["etag"].rstrip('"') + '-gzip"'
        if not_modified(headers, etag):
            return not_modified_response(etag, STATIC_CACHE_CONTROL)
        body = await run_in_threadpool(self._compressed, file, etag)
        out = {"ETag": etag, "Cache-Control": STATIC_CACHE_CONTROL, "Vary": "Accept-Encoding",
               "Content-Encoding": "gzip"}  # fmt: skip
        return Response(body, media_type=response.media_type, headers=out)

    def _compressed(self, file: Path, etag: str) -> bytes:
        key = (str(file), etag)
        with self._lock:
            found = self._gzipped.get(key)
            if found is None:
                found = gzip_bytes(file.read_bytes())
                self._gzipped = {k: v for k, v in self._gzipped.items() if k[0] != str(file)}
                self._gzipped[key] = found
            return found
