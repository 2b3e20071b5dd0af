"""Comments on the draft plan during its public display (WPG § 13): the public form's API and
the editors' list, answer and export in the workspace.

Public answers carry no name and no e-mail address (:func:`heatplan.steps.comments.public_view`);
only logged-in staff see them. Public comments are rate-limited per client address.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from heatplan.plan import columns as col
from heatplan.steps import comments as store
from heatplan.steps import web as store_io
from heatplan.web.routes_public import XLSX_TYPE, state_of
from heatplan.web.routes_workspace import Editor, Viewer

router = APIRouter(prefix="/api", tags=["participation"])


class CommentIn(BaseModel):
    """A comment from the public map: on an area, a clicked place, or both."""

    text: str = Field(min_length=1, max_length=store.TEXT_MAX_CHARS)
    area_id: str | None = Field(default=None, max_length=store.NAME_MAX_CHARS)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    name: str | None = Field(default=None, max_length=store.NAME_MAX_CHARS)
    email: str | None = Field(default=None, max_length=store.NAME_MAX_CHARS)


class CommentAnswer(BaseModel):
    answer: str | None = Field(default=None, max_length=store.TEXT_MAX_CHARS)
    status: str | None = Field(default=None, description="open, answered or closed")


@router.get("/participation", summary="Is the draft on public display (comments open)?")
def participation(request: Request) -> dict[str, Any]:
    state = state_of(request)
    return state.period.status(state.settings.clock())


@router.post("/comments", summary="Comment on the draft plan during its public display")
def add_comment(request: Request, body: CommentIn) -> dict[str, Any]:
    state = state_of(request)
    status = state.period.status(state.settings.clock())
    if not status["open"]:
        raise HTTPException(403, status["message"]["de"])
    if body.area_id:
        areas = state.data().areas[col.AREA_ID].astype(str)
        if body.area_id not in set(areas):
            raise HTTPException(422, f"Gebiet {body.area_id!r} gibt es nicht / no such area")
    if not state.comment_throttle.allow(state.client(request)):
        raise HTTPException(
            429, "Zu viele Stellungnahmen von dieser Adresse; bitte später erneut versuchen."
        )
    stored = store.add_comment(state.project_dir, body.model_dump())
    public = store.public_view(stored)
    return {
        "comment_id": public["comment_id"],
        "area_id": public["area_id"],
        "status": public["status"],
        "message": {
            "de": "Vielen Dank! Ihre Stellungnahme ist eingegangen und wird geprüft.",
            "en": "Thank you! Your comment was received and will be considered.",
        },
    }


@router.get("/workspace/comments", summary="All comments with names and e-mails (login)")
def all_comments(request: Request, session: Viewer) -> dict[str, Any]:
    items = store.list_comments(state_of(request).project_dir)
    return {"comments": items, "statuses": store.STATUSES}


@router.patch("/workspace/comments/{comment_id}", summary="Answer or close a comment")
def answer(request: Request, comment_id: int, session: Editor, body: CommentAnswer) -> Any:
    state = state_of(request)
    changed = store.answer_comment(
        state.project_dir,
        comment_id,
        answer=body.answer,
        status=body.status,
        author=session.username,
    )
    store_io.audit(state.project_dir, username=session.username, action="comment_answer",
                   target=str(comment_id), detail={"status": changed.get("status")},
                   ip=state.client(request))  # fmt: skip
    return changed


@router.get("/workspace/comments/export", summary="The comments as CSV or XLSX (the record)")
def export(
    request: Request,
    session: Viewer,
    fmt: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    name = f"stellungnahmen.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    media = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    body = store.export_bytes(state_of(request).project_dir, fmt)
    return Response(body, media_type=media, headers=headers)
