"""The planners' workspace (login): measures and progress, building-level data, step re-runs.

Roles: ``viewer`` reads everything (also building-level data), ``editor`` also changes measures
and progress and re-runs steps, ``admin`` also reads the audit log. Every unsafe request carries
the session's CSRF token in the ``X-CSRF-Token`` header; every change lands in ``audit_log``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from heatplan.steps import measures as measure_steps
from heatplan.steps import web as store_io
from heatplan.web.auth import CSRF_HEADER, SESSION_COOKIE, Session, check_csrf, role_at_least
from heatplan.web.geojson import Layer, parse_bbox
from heatplan.web.routes_public import records, state_of

router = APIRouter(prefix="/api", tags=["workspace"])
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: Steps an editor may re-run from the workspace: name -> (module, function, keyword arguments).
STEPS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "areas": ("heatplan.steps.core", "run_areas", {}),
    "classify": ("heatplan.steps.core", "run_classify", {}),
    "scenario": ("heatplan.steps.core", "run_scenario", {}),
    "report": ("heatplan.steps.report", "run_report", {"pdf": True}),
}
#: step -> what the re-run does, in German (the workspace's buttons)
STEP_LABELS = {
    "areas": "Versorgungsgebiete neu bilden",
    "classify": "Gebiete einteilen und bewerten (§§ 18, 19 WPG)",
    "scenario": "Zielszenario neu rechnen (§ 17 WPG)",
    "report": "Bericht neu erstellen (PDF)",
}


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class MeasureUpdate(BaseModel):
    expected_revision: int = Field(description="The revision the editor started from")
    changes: dict[str, Any]


def _client(request: Request) -> str:
    return state_of(request).client(request)


def current_session(request: Request) -> Session | None:
    return state_of(request).accounts.session(request.cookies.get(SESSION_COOKIE))


def require(role: str) -> Callable[[Request], Session]:
    """Dependency: a live session with at least ``role``; CSRF checked on unsafe methods."""

    def dependency(request: Request) -> Session:
        session = current_session(request)
        if session is None:
            raise HTTPException(401, "log in first (POST /api/auth/login)")
        if not role_at_least(session.role, role):
            raise HTTPException(403, f"needs the role {role!r} (you are {session.role!r})")
        if request.method in UNSAFE and not check_csrf(session, request.headers.get(CSRF_HEADER)):
            raise HTTPException(403, f"CSRF token missing or wrong (header {CSRF_HEADER})")
        return session

    return dependency


Viewer = Annotated[Session, Depends(require("viewer"))]
Editor = Annotated[Session, Depends(require("editor"))]
Admin = Annotated[Session, Depends(require("admin"))]


@router.post("/auth/login", summary="Log in (JSON body); sets the session cookie")
def login(request: Request, response: Response, body: Login) -> dict[str, str]:
    state = state_of(request)
    address = _client(request)
    if state.limiter.blocked(address, body.username):
        raise HTTPException(429, "too many failed logins: wait a few minutes and try again")
    role = state.accounts.verify(body.username, body.password)
    if role is None:
        state.limiter.fail(address, body.username)
        raise HTTPException(401, "user name or password wrong")
    state.limiter.succeeded(address, body.username)
    session = state.accounts.login(body.username, role, address)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int(state.settings.session_minutes * 60),
        httponly=True,
        samesite="strict",
        secure=state.settings.secure_cookies,
        path="/",
    )
    return {"username": session.username, "role": session.role, "csrf_token": session.csrf}


@router.post("/auth/logout", summary="End the session")
def logout(request: Request, response: Response, session: Viewer) -> dict[str, bool]:
    state_of(request).accounts.logout(session.token, _client(request))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"logged_out": True}


@router.get("/auth/me", summary="Who is logged in, with the CSRF token for changes")
def me(session: Viewer) -> dict[str, str]:
    return {"username": session.username, "role": session.role, "csrf_token": session.csrf}


@router.get("/workspace/measures", summary="All measures (also the non-public ones)")
def all_measures(request: Request, session: Viewer) -> dict[str, Any]:
    return {"measures": measure_steps.list_measures(state_of(request).project_dir)}


@router.get("/workspace/measures/{measure_id}", summary="One measure with its progress history")
def one_measure(request: Request, measure_id: str, session: Viewer) -> dict[str, Any]:
    return measure_steps.get_measure(state_of(request).project_dir, measure_id)


def _changed(request: Request, session: Session, action: str, target: str, detail: Any) -> None:
    state = state_of(request)
    store_io.audit(state.project_dir, username=session.username, action=action, target=target,
                   detail=detail, ip=_client(request))  # fmt: skip
    state.invalidate()


@router.post("/workspace/measures", summary="Add a measure")
def add_measure(
    request: Request, session: Editor, fields: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    state = state_of(request)
    added = measure_steps.add_measure(state.project_dir, fields, author=session.username)
    _changed(request, session, "measure_add", str(added.get("measure_id")), fields)
    return added


@router.patch("/workspace/measures/{measure_id}", summary="Change a measure (optimistic locking)")
def update_measure(
    request: Request, measure_id: str, session: Editor, body: MeasureUpdate
) -> dict[str, Any]:
    state = state_of(request)
    updated = measure_steps.update_measure(
        state.project_dir,
        measure_id,
        body.changes,
        expected_revision=body.expected_revision,
        author=session.username,
    )
    _changed(request, session, "measure_update", measure_id, body.model_dump())
    return updated


@router.post("/workspace/measures/{measure_id}/progress", summary="Report progress of a measure")
def add_progress(
    request: Request, measure_id: str, session: Editor, entry: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    state = state_of(request)
    stored = measure_steps.add_progress(
        state.project_dir, measure_id, entry, author=session.username
    )
    _changed(request, session, "progress_add", measure_id, entry)
    return stored


@router.get(
    "/workspace/buildings", summary="Building-level data (login only), GeoJSON cut to a bbox"
)
def buildings(request: Request, session: Viewer, bbox: str | None = None) -> Response:
    try:
        box = parse_bbox(bbox)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    store = store_io.store_of(state_of(request).project_dir)
    if not store.has("buildings"):
        raise HTTPException(404, "no buildings in this project")
    body = Layer(store.read("buildings")).geojson(box, None)
    return Response(body, media_type="application/geo+json")


@router.post("/workspace/steps/{step}", summary="Re-run a step in the background")
def run_step(request: Request, step: str, session: Editor) -> dict[str, str]:
    if step not in STEPS:
        raise HTTPException(404, f"unknown step {step!r}; choose {', '.join(STEPS)}")
    state = state_of(request)
    job = uuid.uuid4().hex[:12]
    state.jobs[job] = {"step": step, "status": "running", "user": session.username,
                       "started_utc": store_io.utc_now()}  # fmt: skip
    module, name, kwargs = STEPS[step]
    ip = _client(request)

    def work() -> None:
        import importlib

        try:
            function = getattr(importlib.import_module(module), name)
            function(state.project_dir, **kwargs)
            state.jobs[job].update(status="done", finished_utc=store_io.utc_now())
        except Exception as exc:
            state.jobs[job].update(status="failed", error=str(exc), finished_utc=store_io.utc_now())
        store_io.audit(state.project_dir, username=session.username, action="step_run",
                       target=step, detail=state.jobs[job], ip=ip)  # fmt: skip
        state.invalidate()

    threading.Thread(target=work, name=f"heatplan-{step}-{job}", daemon=True).start()
    return {"job": job, "step": step, "status": "running"}


@router.get("/workspace/steps", summary="The steps an editor may re-run, and their last runs")
def steps(request: Request, session: Viewer) -> dict[str, Any]:
    jobs = [{"job": key, **value} for key, value in state_of(request).jobs.items()]
    return {
        "steps": [{"step": key, "label": label} for key, label in STEP_LABELS.items()],
        "jobs": sorted(jobs, key=lambda j: str(j.get("started_utc")), reverse=True),
    }


@router.get("/workspace/jobs/{job}", summary="State of a step re-run")
def job_state(request: Request, job: str, session: Viewer) -> dict[str, Any]:
    found = state_of(request).jobs.get(job)
    if found is None:
        raise HTTPException(404, f"no job {job!r}")
    return {"job": job, **found}


@router.get("/workspace/audit", summary="The audit log (admins)")
def audit_log(request: Request, session: Admin) -> dict[str, Any]:
    log = store_io.read_store_table(state_of(request).project_dir, "audit_log",
                                    store_io.AUDIT_COLUMNS)  # fmt: skip
    return {"entries": records(log)}
