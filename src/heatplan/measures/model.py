"""Validated measures, implementation steps and progress entries (pydantic).

A problem is reported with the field it concerns (and, from a file, the sheet and row); every
problem of an input is collected before anything is refused (:class:`InvalidMeasure`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from heatplan.errors import HeatplanError
from heatplan.formats import FormatProblem, parse_date, parse_decimal
from heatplan.measures.schema import (
    STATUSES,
    max_chars,
    measure_types,
    status_code,
    type_code,
)

NonNegative = Annotated[float | None, Field(ge=0)]
NonNegativeInt = Annotated[int | None, Field(ge=0)]
ID_PATTERN = r"^[A-Za-z0-9_.-]{1,40}$"
T = TypeVar("T", bound=BaseModel)


class InvalidMeasure(HeatplanError):
    """Measures, steps or progress entries that fail validation; nothing was saved.

    ``problems`` lists one dict per problem: ``sheet``, ``row`` (both ``None`` for input that did
    not come from a file), ``field`` and ``message``.
    """

    def __init__(self, problems: list[dict[str, Any]], *, what: str = "input") -> None:
        self.problems = problems
        lines = [_describe(p) for p in problems[:50]]
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{what}: {len(problems)} Problem(e), nichts gespeichert / problem(s), nothing was "
            "saved:\n  " + "\n  ".join(lines) + more
        )


def _describe(problem: dict[str, Any]) -> str:
    where = (
        f"Blatt/sheet {problem['sheet']!r} Zeile/row {problem['row']}, "
        if problem.get("sheet")
        else ""
    )
    return f"{where}Feld/field {problem['field']}: {problem['message']}"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any, info: ValidationInfo) -> Any:
        """Empty cells and NaN are "not given" ("" for text fields); datetimes (from Excel)
        count as their date."""
        missing = (isinstance(value, float) and value != value) or (
            isinstance(value, str) and not value.strip()
        )
        if value is None or missing:
            name = info.field_name or ""
            return "" if cls.model_fields[name].annotation is str else None
        if isinstance(value, dt.datetime):
            return value.date()
        return _typed_text(value, cls.model_fields[info.field_name or ""].annotation)

    @field_validator("*", mode="after")
    @classmethod
    def _not_too_long(cls, value: Any, info: ValidationInfo) -> Any:
        """Texts at most :func:`~heatplan.measures.schema.max_chars` characters long."""
        limit = max_chars(info.field_name or "")
        texts = value if isinstance(value, list) else [value]
        longest = max((len(t) for t in texts if isinstance(t, str)), default=0)
        if longest > limit:
            raise ValueError(f"at most {limit} characters, please (this has {longest})")
        return value


def _typed_text(value: Any, annotation: Any) -> Any:
    """A typed cell text read in the workbook's German convention: ``3,5``, ``45.000`` (forty-five
    thousand), ``1.234,5``, ``01.03.2027``; a bad text raises a German and English message."""
    if not isinstance(value, str):
        return value
    kinds = set(get_args(annotation)) | {annotation}
    try:
        if dt.date in kinds:
            return parse_date(value)
        if float in kinds or int in kinds:
            number = parse_decimal(value, ",")
            if int in kinds and not number.is_integer():
                raise FormatProblem(f"keine ganze Zahl {value!r} / not a whole number")
            return int(number) if int in kinds else number
    except FormatProblem as exc:
        raise ValueError(str(exc)) from None
    return value


class Measure(_Record):
    """One measure of the implementation strategy (WPG § 20)."""

    measure_id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    description: str = ""
    measure_type: str = "other"
    responsible: str = ""
    partners: str = ""
    start_date: dt.date | None = None
    completion_date: dt.date | None = None
    cost_eur: NonNegative = None
    cost_bearer: str = ""
    financing: str = ""
    effect_mwh_per_a: NonNegative = None
    effect_co2_t_per_a: NonNegative = None
    effect_buildings_connected: NonNegativeInt = None
    effect_network_km: NonNegative = None
    area_ids: list[str] = Field(default_factory=list)
    status: str = "planned"
    public: bool = True
    revision: int = Field(default=1, ge=1)
    updated_utc: str = ""
    updated_by: str = ""

    @field_validator("updated_utc", "updated_by", mode="before")
    @classmethod
    def _stamp(cls, value: Any) -> str:
        return "" if value is None else str(value)

    @field_validator("measure_type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> str:
        code = type_code(str(value)) if value not in (None, "") else "other"
        if code not in measure_types().index:
            known = ", ".join(measure_types().index)
            raise ValueError(f"unknown measure type {value!r}; use one of {known}")
        return code

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        return _status_value(value) or "planned"

    @field_validator("area_ids", mode="before")
    @classmethod
    def _areas(cls, value: Any) -> list[str]:
        if value is None:
            return []
        items = value.split(";") if isinstance(value, str) else list(value)
        return [str(item).strip() for item in items if str(item).strip()]

    @field_validator("public", mode="before")
    @classmethod
    def _public(cls, value: Any) -> Any:
        return True if value is None else _boolean(value)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Measure:
        if self.start_date and self.completion_date and self.completion_date < self.start_date:
            raise ValueError(
                f"completion_date {self.completion_date} is before start_date {self.start_date}"
            )
        return self


class Step(_Record):
    """One dated implementation step of a measure."""

    measure_id: str = Field(pattern=ID_PATTERN)
    step_no: int = Field(ge=1)
    title: str = Field(min_length=1)
    due_date: dt.date | None = None
    done_date: dt.date | None = None


class ProgressEntry(_Record):
    """One progress report on a measure; stored entries are never changed (append-only)."""

    entry_id: int = Field(ge=1)
    measure_id: str = Field(pattern=ID_PATTERN)
    entry_date: dt.date
    author: str = Field(min_length=1)
    status: str | None = None
    network_km: NonNegative = None
    buildings_connected: NonNegativeInt = None
    heat_mwh_per_a: NonNegative = None
    co2_t_per_a: NonNegative = None
    comment: str = ""
    recorded_utc: str = ""

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str | None:
        return _status_value(value)


def _status_value(value: Any) -> str | None:
    if value is None or value == "":
        return None
    code = status_code(str(value))
    if code not in STATUSES:
        raise ValueError(f"unknown status {value!r}; use one of {', '.join(STATUSES)}")
    return code


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in ("true", "wahr", "ja", "yes", "1", "x", "on"):
        return True
    if text in ("false", "falsch", "nein", "no", "0", "off"):
        return False
    raise ValueError(f"{value!r} is not yes/no (ja/nein, true/false)")


def problems_of(
    error: ValidationError, *, sheet: str | None = None, row: int | None = None
) -> list[dict[str, Any]]:
    """The problems of a pydantic error as dicts naming the field (and the sheet row)."""
    found = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(record)"
        message = str(item["msg"]).removeprefix("Value error, ")
        found.append({"sheet": sheet, "row": row, "field": field, "message": message})
    return found


def validated(model: type[T], data: dict[str, Any], *, what: str = "input") -> T:
    """``model`` built from ``data``, or :class:`InvalidMeasure` naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidMeasure(problems_of(exc), what=what) from None
