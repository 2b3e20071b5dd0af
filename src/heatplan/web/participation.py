"""The public display of the draft plan (WPG § 13): when comments are taken, and the messages.

The display period is ``[web] participation_start`` and ``participation_end`` in
``heatplan.toml`` (ISO dates, both days included); it must last at least
``min_display_days`` of ``data/participation.csv``. Outside it the comment form is closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from heatplan.errors import HeatplanError
from heatplan.reference import parameter

__all__ = ["DisplayPeriod", "display_period", "min_display_days"]

#: The plan's local time: a display period ends at midnight in Germany.
LOCAL = ZoneInfo("Europe/Berlin")
PARAMETERS = "participation.csv"


def min_display_days() -> int:
    """Shortest public display of the draft [d] (WPG § 13 Abs. 4)."""
    return int(parameter(PARAMETERS, "min_display_days"))


def _date(value: Any, key: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise HeatplanError(f"[web] {key}: {value!r} is not a date (YYYY-MM-DD)") from None


def _german_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class DisplayPeriod:
    """The days (both included) on which the draft is on public display; None: not set."""

    start: dt.date | None
    end: dt.date | None

    def is_open(self, today: dt.date) -> bool:
        return self.start is not None and self.end is not None and self.start <= today <= self.end

    def status(self, now_s: float) -> dict[str, Any]:
        """Open or not at ``now_s`` [s since the epoch], with a German and an English text."""
        today = dt.datetime.fromtimestamp(now_s, LOCAL).date()
        is_open = self.is_open(today)
        return {
            "open": is_open,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "message": self._message(today, is_open),
        }

    def _message(self, today: dt.date, is_open: bool) -> dict[str, str]:
        if self.start is None or self.end is None:
            return {
                "de": "Der Entwurf liegt derzeit nicht öffentlich aus; Stellungnahmen sind "
                "erst während der Auslegung möglich.",
                "en": "The draft is not on public display; comments open during the display.",
            }
        span_de = f"{_german_date(self.start)} bis {_german_date(self.end)}"
        span_en = f"{self.start.isoformat()} to {self.end.isoformat()}"
        if is_open:
            return {
                "de": f"Der Entwurf liegt vom {span_de} öffentlich aus (§ 13 WPG). Ihre "
                "Stellungnahme wird Teil der Planunterlagen; Name und E-Mail werden nicht "
                "veröffentlicht.",
                "en": f"The draft is on public display from {span_en} (WPG § 13). Your comment "
                "becomes part of the plan's record; name and e-mail are never published.",
            }
        when_de = "beginnt am" if today < self.start else "endete am"
        day = self.start if today < self.start else self.end
        return {
            "de": f"Stellungnahmen sind nur während der öffentlichen Auslegung ({span_de}) "
            f"möglich. Die Auslegung {when_de} {_german_date(day)}.",
            "en": f"Comments are taken only while the draft is on display ({span_en}).",
        }


def display_period(start: Any, end: Any) -> DisplayPeriod:
    """The period from the ``[web]`` settings, checked against the legal minimum."""
    first = _date(start, "participation_start")
    last = _date(end, "participation_end")
    if (first is None) != (last is None):
        raise HeatplanError("[web] participation_start and participation_end: set both or none")
    if first is not None and last is not None:
        days = (last - first).days + 1
        if days < min_display_days():
            raise HeatplanError(
                f"[web] participation_start..participation_end: {days} days; the draft must be "
                f"on display for at least {min_display_days()} days (WPG § 13 Abs. 4)"
            )
    return DisplayPeriod(first, last)
