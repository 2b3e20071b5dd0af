"""The web map's application factory: ``create_app(project_dir)`` -> FastAPI.

``/`` is the map (MapLibre GL JS, bundled from npm into ``static/dist`` by
``scripts/build_frontend.sh``; no CDN, no tile server), ``/api/...`` the public API
(:mod:`heatplan.web.routes_public`), ``/api/workspace/...`` the planners' workspace behind a
login (:mod:`heatplan.web.routes_workspace`), ``/openapi.json`` the API description.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heatplan import __version__
from heatplan.errors import ConflictError, HeatplanError
from heatplan.project.config import load_config
from heatplan.web import pages, routes_public, routes_workspace
from heatplan.web.state import AppState, Settings

STATIC = Path(__file__).parent / "static"
DIST = STATIC / "dist"
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


def create_app(project_dir: Path | str, *, settings: Settings | None = None) -> FastAPI:
    """The web app of one project (checks that ``heatplan.toml`` is readable first)."""
    project_dir = Path(project_dir).resolve()
    config = load_config(project_dir)
    app = FastAPI(
        title=f"heatplan — Wärmeplan {config.municipality.name}",
        version=__version__,
        description="Public heat-plan data (privacy rules of WPG § 10 applied) and the "
        "planners' workspace.",
    )
    app.state.heatplan = AppState(project_dir, settings or Settings.from_project(project_dir))
    app.include_router(routes_public.router)
    app.include_router(routes_workspace.router)
    app.include_router(pages.router)
    if DIST.is_dir():
        app.mount("/static/dist", StaticFiles(directory=DIST), name="dist")

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(HeatplanError)
    async def _user_error(_: Request, exc: HeatplanError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        missing = bundle_missing()
        if missing:
            raise HTTPException(503, missing)
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    app.add_middleware(SecurityHeaders)
    return app
