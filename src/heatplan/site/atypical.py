"""§ 19 (2) sentence 1 StromNEV atypical grid use: the demand charge on the peak in the windows.

A customer whose annual 15-minute peak predictably falls outside its grid operator's high-load
windows may agree an individual grid fee: the demand price applies to the highest import within
the windows instead of the annual peak. It qualifies only if the annual peak exceeds the window
peak by at least ``min_reduction_kw`` and by at least ``min_reduction_share`` of the annual peak
(the Erheblichkeitsschwelle of BNetzA BK4-13-739, by voltage level), if it saves at least
``min_saving_eur_per_a``, and the individual fee is never below ``min_fee_share`` of the
published fee (all in ``data/site_tariffs.csv`` with their sources).

The windows are CSV rows (season months, start and end time) that apply on working days
(Monday to Friday; public holidays are not taken out, which only makes the window peak higher).
The LP charges the demand price on the window peak; whether the thresholds hold is a property
of the plan (a choice, i.e. binary) and is checked on it, not optimised: a plan that misses them
pays the published fee, and the study then keeps the plan of the published fee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from heatplan.reference._files import cached_table
from heatplan.site.tariffs import TARIFF_FILE, GridTariff

WINDOW_FILE = "site_high_load_windows.csv"
WINDOW_COLUMNS = ("season", "first_month", "last_month", "start", "end", "source")
#: Voltage levels with a relative threshold in site_tariffs.csv.
VOLTAGE_LEVELS = ("NS", "MS_NS", "MS", "HS_MS")


class WindowError(ValueError):
    """A high-load window file with a bad row (names file, row and field)."""


@dataclass(frozen=True)
class Thresholds:
    """The conditions of atypical grid use for one voltage level."""

    voltage_level: str
    min_reduction_kw: float
    min_reduction_share: float
    min_fee_share: float
    min_saving_eur_per_a: float


@dataclass(frozen=True)
class AtypicalCheck:
    """Annual and window peak of a plan, whether the thresholds hold and what it saves [EUR/a]."""

    annual_peak_kw: float
    window_peak_kw: float
    reduction_kw: float
    reduction_share: float
    published_fee_eur_per_a: float
    individual_fee_eur_per_a: float
    saving_eur_per_a: float
    #: What the 20 % floor adds to the window-peak fee (0 unless it binds) [EUR/a].
    fee_floor_eur_per_a: float
    met: bool
    reason: str


def thresholds(voltage_level: str = "NS") -> Thresholds:
    """The thresholds of ``voltage_level`` (:data:`VOLTAGE_LEVELS`) from site_tariffs.csv."""
    if voltage_level not in VOLTAGE_LEVELS:
        raise ValueError(f"voltage level {voltage_level!r}: choose {', '.join(VOLTAGE_LEVELS)}")
    frame = cached_table(TARIFF_FILE)

    def value(parameter: str, case: str = "any") -> float:
        rows = frame[(frame["parameter"] == parameter) & (frame["case"] == case)]
        return float(rows["value"].iloc[0])

    return Thresholds(
        voltage_level=voltage_level,
        min_reduction_kw=value("atypical_min_reduction_kw"),
        min_reduction_share=value("atypical_min_reduction_share", voltage_level),
        min_fee_share=value("atypical_min_fee_share"),
        min_saving_eur_per_a=value("atypical_min_saving_eur_per_a"),
    )


def _minutes(text: str, file: str, row: int, field: str) -> int:
    try:
        clock = dt.datetime.strptime(str(text).strip(), "%H:%M")
    except ValueError:
        if str(text).strip() == "24:00" and field == "end":
            return 24 * 60
        raise WindowError(f"{file}: row {row}: {field}: {text!r} is not a time HH:MM") from None
    return clock.hour * 60 + clock.minute


def read_windows(path: Path | None = None) -> pd.DataFrame:
    """Windows as (first_month, last_month, start_min, end_min); ``path`` None: the data file."""
    name = WINDOW_FILE if path is None else str(path)
    try:
        frame = (
            cached_table(WINDOW_FILE, as_text=True)
            if path is None
            else pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise WindowError(f"{name}: cannot read: {error}") from None
    missing = [c for c in WINDOW_COLUMNS if c not in frame.columns]
    if missing:
        raise WindowError(f"{name}: missing column(s) {', '.join(missing)}")
    rows = []
    for number, row in enumerate(frame.itertuples(index=False), start=2):
        months = []
        for field in ("first_month", "last_month"):
            text = str(getattr(row, field)).strip()
            if not text.isdigit() or not 1 <= int(text) <= 12:
                raise WindowError(f"{name}: row {number}: {field}: {text!r} is not a month 1-12")
            months.append(int(text))
        start = _minutes(str(row.start), name, number, "start")
        end = _minutes(str(row.end), name, number, "end")
        if end <= start:
            raise WindowError(f"{name}: row {number}: end {row.end} is not after start {row.start}")
        if not str(row.source).strip():
            raise WindowError(f"{name}: row {number}: source: empty")
        rows.append((months[0], months[1], start, end))
    return pd.DataFrame(rows, columns=["first_month", "last_month", "start_min", "end_min"])


def window_mask(year: int, steps: int, windows: pd.DataFrame) -> np.ndarray:
    """Whether each quarter hour of ``year`` lies in a high-load window (working days only)."""
    stamps = pd.date_range(f"{year}-01-01", periods=steps, freq="15min")
    month = stamps.month.to_numpy()
    minute = (stamps.hour * 60 + stamps.minute).to_numpy()
    working = stamps.dayofweek.to_numpy() < 5
    inside = np.zeros(steps, bool)
    for first, last, start, end in windows.itertuples(index=False):
        months = (
            (month >= first) & (month <= last)
            if first <= last
            else ((month >= first) | (month <= last))
        )
        inside |= months & (minute >= start) & (minute < end)
    return inside & working


def check(
    import_kw: np.ndarray,
    mask: np.ndarray,
    tariff: GridTariff,
    limits: Thresholds,
    dt_h: float = 0.25,
) -> AtypicalCheck:
    """The grid fee of ``import_kw`` published and individual, and whether atypical use holds."""
    annual = float(import_kw.max(initial=0.0))
    window = float(import_kw[mask].max(initial=0.0))
    grid_energy = float(import_kw.sum() * dt_h * tariff.grid_energy_eur_per_kwh)
    published = grid_energy + annual * tariff.demand_eur_per_kw_a
    window_fee = grid_energy + window * tariff.demand_eur_per_kw_a
    individual = max(window_fee, limits.min_fee_share * published)
    reduction = annual - window
    share = reduction / annual if annual > 0 else 0.0
    saving = published - individual
    if reduction < limits.min_reduction_kw:
        reason = f"peak reduction {reduction:.0f} kW < {limits.min_reduction_kw:.0f} kW"
    elif share < limits.min_reduction_share:
        reason = f"peak reduction {share:.0%} < {limits.min_reduction_share:.0%} of the annual peak"
    elif saving < limits.min_saving_eur_per_a:
        reason = f"saving {saving:.0f} EUR/a < {limits.min_saving_eur_per_a:.0f} EUR/a"
    else:
        reason = ""
    met = not reason
    return AtypicalCheck(
        annual_peak_kw=annual,
        window_peak_kw=window,
        reduction_kw=reduction,
        reduction_share=share,
        published_fee_eur_per_a=published,
        individual_fee_eur_per_a=individual if met else published,
        saving_eur_per_a=saving if met else 0.0,
        fee_floor_eur_per_a=individual - window_fee,
        met=met,
        reason=reason or "thresholds met",
    )
