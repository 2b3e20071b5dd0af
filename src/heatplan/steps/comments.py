"""Comments on the draft plan during its public display (WPG § 13): store, answer, export.

A comment is part of the plan's record: it lives in the project store (table
:data:`COMMENTS`), written in a transaction of its own (step ``web:comment``, which does not
count as a change of the plan's content: :data:`heatplan.steps.web.RECORD_STEPS`). Names and
e-mail addresses of the commenters are personal data: :func:`public_view` is the only form a
comment takes outside the workspace, and it has neither.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.errors import HeatplanError
from heatplan.steps.web import Writer, read_store_table, read_table, utc_now, write_step

__all__ = [
    "COLUMNS",
    "COMMENTS",
    "PRIVATE_FIELDS",
    "STATUSES",
    "add_comment",
    "answer_comment",
    "comment_frame",
    "export_bytes",
    "export_comments",
    "list_comments",
    "public_view",
]

COMMENTS = "participation_comments"
#: id, time, where (an area, a place or both), the text, who (private), the editors' answer.
COLUMNS = (
    "comment_id",
    "created_utc",
    "area_id",
    "lon",
    "lat",
    "text",
    "name",
    "email",
    "status",
    "answer",
    "answered_by",
    "answered_utc",
)
#: Personal data of commenters and staff: never in a public answer.
PRIVATE_FIELDS = frozenset({"name", "email", "answered_by"})
#: status code -> German label
STATUSES = {"open": "offen", "answered": "beantwortet", "closed": "abgeschlossen"}
#: Longest comment text and name/e-mail [characters] (heatplan choice: about two printed pages).
TEXT_MAX_CHARS = 5000
NAME_MAX_CHARS = 200


def _text(value: Any, limit: int, field: str) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise HeatplanError(f"{field}: höchstens {limit} Zeichen / at most {limit} characters")
    return text


def _coordinate(value: Any, low: float, high: float, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise HeatplanError(f"{field}: keine Zahl / not a number") from None
    if not (math.isfinite(number) and low <= number <= high):
        raise HeatplanError(f"{field}: außerhalb {low}..{high} / outside {low}..{high}")
    return round(number, 6)


def _new_row(fields: dict[str, Any], comment_id: int) -> dict[str, Any]:
    text = _text(fields.get("text"), TEXT_MAX_CHARS, "text")
    if not text:
        raise HeatplanError("text: bitte einen Text eingeben / the comment has no text")
    lon = _coordinate(fields.get("lon"), -180.0, 180.0, "lon")
    lat = _coordinate(fields.get("lat"), -90.0, 90.0, "lat")
    area_id = _text(fields.get("area_id"), NAME_MAX_CHARS, "area_id")
    if not area_id and (lon is None or lat is None):
        raise HeatplanError("area_id oder lon/lat: Gebiet oder Ort fehlt / no area or place")
    return {
        "comment_id": comment_id,
        "created_utc": utc_now(),
        "area_id": area_id,
        "lon": lon,
        "lat": lat,
        "text": text,
        "name": _text(fields.get("name"), NAME_MAX_CHARS, "name"),
        "email": _text(fields.get("email"), NAME_MAX_CHARS, "email"),
        "status": "open",
        "answer": "",
        "answered_by": "",
        "answered_utc": "",
    }


def _next_id(frame: pd.DataFrame) -> int:
    ids = pd.to_numeric(frame["comment_id"], errors="coerce")
    return int(ids.max()) + 1 if len(frame) and ids.notna().any() else 1


def _stored(row: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame([row], columns=list(COLUMNS))
    text_columns = [c for c in COLUMNS if c not in ("comment_id", "lon", "lat")]
    frame[text_columns] = frame[text_columns].astype(str)
    frame["lon"] = frame["lon"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    return frame


def add_comment(project_dir: Path, fields: dict[str, Any]) -> dict[str, Any]:
    """Store a new comment (text, area or place, optional name and e-mail); returns it."""

    def write(writer: Writer) -> dict[str, Any]:
        existing = read_table(writer, COMMENTS, COLUMNS)
        row = _new_row(fields, _next_id(existing))
        writer.write(COMMENTS, _stored(row), mode="append")
        return row

    return write_step(project_dir, "comment", write)


def comment_frame(project_dir: Path) -> pd.DataFrame:
    """Every comment, oldest first (all fields: for the workspace and the export only)."""
    frame = read_store_table(project_dir, COMMENTS, COLUMNS)[list(COLUMNS)]
    frame["comment_id"] = pd.to_numeric(frame["comment_id"], errors="coerce").astype("Int64")
    return frame.sort_values("comment_id").reset_index(drop=True)


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value.item() if hasattr(value, "item") else value


def list_comments(project_dir: Path) -> list[dict[str, Any]]:
    """Every comment as a dict (all fields)."""
    rows = comment_frame(project_dir).astype(object).to_dict("records")
    return [{str(k): _clean(v) for k, v in row.items()} for row in rows]


def public_view(comment: dict[str, Any]) -> dict[str, Any]:
    """A comment without the personal data of commenter and staff."""
    return {k: v for k, v in comment.items() if k not in PRIVATE_FIELDS}


def answer_comment(
    project_dir: Path, comment_id: int, *, answer: str | None, status: str | None, author: str
) -> dict[str, Any]:
    """Answer a comment and/or set its status (``open``, ``answered``, ``closed``)."""
    if status is not None and status not in STATUSES:
        raise HeatplanError(f"status {status!r}: one of {', '.join(STATUSES)}")

    def write(writer: Writer) -> dict[str, Any]:
        frame = read_table(writer, COMMENTS, COLUMNS)[list(COLUMNS)]
        hit = pd.to_numeric(frame["comment_id"], errors="coerce") == comment_id
        if not hit.any():
            raise HeatplanError(f"keine Stellungnahme {comment_id} / no comment {comment_id}")
        if answer is not None:
            frame.loc[hit, "answer"] = _text(answer, TEXT_MAX_CHARS, "answer")
            frame.loc[hit, ["answered_by", "answered_utc"]] = [author, utc_now()]
        new_status = status or ("answered" if answer else None)
        if new_status:
            frame.loc[hit, "status"] = new_status
        writer.write(COMMENTS, frame)
        row = frame[hit].astype(object).iloc[0].to_dict()
        return {str(k): _clean(v) for k, v in row.items()}

    return write_step(project_dir, "comment_answer", write)


#: German column headers of the export (the record the council receives).
EXPORT_HEADERS = {
    "comment_id": "Nr.",
    "created_utc": "Eingegangen (UTC)",
    "area_id": "Gebiet",
    "lon": "Länge [°]",
    "lat": "Breite [°]",
    "text": "Stellungnahme",
    "name": "Name",
    "email": "E-Mail",
    "status": "Status",
    "answer": "Antwort",
    "answered_by": "Beantwortet von",
    "answered_utc": "Beantwortet (UTC)",
}
SHEET = "Stellungnahmen"


def _export_frame(project_dir: Path) -> pd.DataFrame:
    frame = comment_frame(project_dir)
    frame["status"] = frame["status"].map(lambda s: STATUSES.get(str(s), s))
    return frame.rename(columns=EXPORT_HEADERS)


def export_bytes(project_dir: Path, fmt: str) -> bytes:
    """Every comment with all fields as CSV (';', decimal ',', UTF-8 with BOM: German Excel
    opens it as it is) or XLSX (frozen header row, filter)."""
    frame = _export_frame(project_dir)
    if fmt == "csv":
        return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")
    if fmt != "xlsx":
        raise HeatplanError(f"format {fmt!r}: csv or xlsx")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=SHEET, index=False)
        sheet = writer.sheets[SHEET]
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    return buffer.getvalue()


def export_comments(project_dir: Path, path: Path) -> int:
    """Write the comments to ``path`` (``.csv`` or ``.xlsx``); returns how many."""
    fmt = Path(path).suffix.lower().lstrip(".")
    Path(path).write_bytes(export_bytes(project_dir, fmt))
    return len(comment_frame(project_dir))
