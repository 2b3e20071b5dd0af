"""The web map's application factory: ``create_app(project_dir)`` -> FastAPI.

``/`` is the map (MapLibre GL JS, bundled from npm into ``static/dist`` by
``scripts/build_frontend.sh``; no CDN, no tile server), ``/api/...`` the public API
(:mod:`heatplan.web.routes_public`), ``/api/workspace/...`` the planners' workspace behind a
login (:mod:`heatplan.web.routes_workspace`), ``/openapi.json`` the API description and
``/docs`` its Swagger UI page (bundled from npm as well; no ReDoc).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heatplan import __version__
from heatplan.errors import ConflictError, HeatplanError
from heatplan.project.config import load_config
from heatplan.web import pages, routes_participation, routes_public, routes_workspace
from heatplan.web.compress import GZIP_LEVEL, GZIP_MIN_BYTES, NOT_COMPRESSED, PrecompressedStatic
from heatplan.web.edition import EditionNotReady
from heatplan.web.limits import BodyLimit
from heatplan.web.public_data import PublicData
from heatplan.web.state import AppState, Settings
from heatplan.web.worker import load_in_worker, stop_worker

STATIC = Path(__file__).parent / "static"
DIST = STATIC / "dist"
#: Swagger UI of /docs, copied from npm's swagger-ui-dist into the bundle.
SWAGGER = DIST / "swagger"
SWAGGER_URL = "/static/dist/swagger"
BUILD_HINT = (
    "the web map's front end is not built: run `bash scripts/build_frontend.sh` in the heatplan "
    "source tree (needs node.js and npm; it runs `npm ci` and esbuild into "
    "src/heatplan/web/static/dist)"
)


class SecurityHeaders:
    """Plain ASGI middleware adding a few security headers to every answer."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def bundle_missing() -> str | None:
    """Why the map cannot be shown (the bundle is not built), or None."""
    if not (DIST / "main.js").is_file() or not (DIST / "maplibre-gl-worker.mjs").is_file():
        return BUILD_HINT
    return None


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start building the first public edition when the server starts; end the worker."""
    state: AppState = app.state.heatplan
    state.invalidate()
    yield
    stop_worker()


def create_app(
    project_dir: Path | str,
    *,
    settings: Settings | None = None,
    load: Callable[[Path], PublicData] = load_in_worker,
) -> FastAPI:
    """The web app of one project (checks that ``heatplan.toml`` is readable first).

    ``load`` makes the public data of the plan (default: :func:`load_public` in a worker
    process, :func:`heatplan.web.worker.load_in_worker`).
    """
    project_dir = Path(project_dir).resolve()
    config = load_config(project_dir)
    app = FastAPI(
        title=f"heatplan — Wärmeplan {config.municipality.name}",
        version=__version__,
        description="Public heat-plan data (privacy rules of WPG § 10 applied) and the "
        "planners' workspace.",
        lifespan=_lifespan,
        docs_url=None,  # served below from the bundle: the default loads Swagger UI from a CDN
        redoc_url=None,
    )
    state_settings = settings or Settings.from_project(project_dir)
    app.state.heatplan = AppState(project_dir, state_settings, load=load)
    app.include_router(routes_public.router)
    app.include_router(routes_workspace.router)
    app.include_router(routes_participation.router)
    app.include_router(pages.router)
    if DIST.is_dir():
        app.mount("/static/dist", PrecompressedStatic(directory=DIST), name="dist")

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(EditionNotReady)
    async def _not_ready(_: Request, exc: EditionNotReady) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(HeatplanError)
    async def _user_error(_: Request, exc: HeatplanError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        if not (SWAGGER / "swagger-ui-bundle.js").is_file():
            raise HTTPException(503, BUILD_HINT)
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_URL}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_URL}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # else it asks validator.swagger.io
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        missing = bundle_missing()
        if missing:
            raise HTTPException(503, missing)
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MIN_BYTES,
        compresslevel=GZIP_LEVEL,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *NOT_COMPRESSED),
    )
    app.add_middleware(BodyLimit, max_bytes=state_settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
