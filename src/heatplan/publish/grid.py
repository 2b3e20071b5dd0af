"""The public form of the LV grid check (issue 18): transformer areas and supply areas.

Privacy choice. A transformer area's hosting share, its highest loading and its lowest voltage
are functions of the heat demand of the buildings behind it, but none of them is a *sum* over
those buildings: the disclosure audit (:mod:`heatplan.publish.release`) models sums and their
differences, not maxima and thresholds. So the grid figures are not registered with the audit;
they are published only as **coarse classes**, the way a block's figures would be shown if it
could not be audited:

- ``grid_trafo_areas``: per transformer area its outline, its building count, the hosting
  capacity as a class of :data:`HOSTING_CLASS_STEP` (25 % of the buildings with heat pumps)
  and whether it needs reinforcement at the plan's share (yes/no), with the reinforcement cost
  rounded to :data:`COST_ROUNDING_EUR`. A transformer area with fewer than
  :data:`heatplan.publish.MIN_BUILDINGS_CONSUMPTION` buildings keeps only outline, id and count.
  No loading, no voltage: one cable's loading at its worst hour can stand for one house.
- ``grid_supply_areas``: per supply area (all of them over the minimum or suppressed like the
  areas layer) hosting share, highest loading rounded to :data:`LOADING_ROUNDING_PERCENT`,
  lowest voltage rounded to :data:`VOLTAGE_ROUNDING_PU` and reinforcement cost rounded to
  :data:`COST_ROUNDING_EUR`: the maxima over a supply area's many cables tell no house's load
  at that precision. An area suppressed in ``areas`` (under the minimum or against
  differencing) has its grid figures suppressed too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from heatplan.i18n.vocabulary import label
from heatplan.plan import columns as col
from heatplan.publish.rules import MIN_BUILDINGS_CONSUMPTION, suppress, suppression_mask

#: Width of the public hosting-capacity classes [-] (heatplan choice: four classes).
HOSTING_CLASS_STEP = 0.25
#: Public reinforcement cost rounded to [EUR] (heatplan choice).
COST_ROUNDING_EUR = 1000.0
#: Public highest loading rounded to [%] (heatplan choice).
LOADING_ROUNDING_PERCENT = 10.0
#: Public lowest voltage rounded to [p.u.] (heatplan choice: 1 % of the nominal voltage).
VOLTAGE_ROUNDING_PU = 0.01
TRAFO_STRUCTURAL = (
    "trafo_id", "buildings", "year", "hp_share", "ev_share", "controlled_14a", "grid_source",
)  # fmt: skip
SUPPLY_STRUCTURAL = (
    col.AREA_ID, "buildings", "year", "hp_share", "ev_share", "controlled_14a", "grid_source",
    "settlement_type",
)  # fmt: skip
TRAFO_COLUMNS = (*TRAFO_STRUCTURAL, "hosting_class", "reinforcement_needed", "reinforcement_eur")
SUPPLY_COLUMNS = (
    *SUPPLY_STRUCTURAL,
    "hosting_share",
    "line_max_percent_plan",
    "trafo_max_percent_plan",
    "vm_min_pu_plan",
    "reinforcement_eur",
    "reinforcement_eur_per_mwh",
)


def hosting_class(hosting_share: pd.Series) -> pd.Series:
    """'0–25 %', ..., '75–100 %', '100 %' (no limit at any share) or 'ohne Wärmepumpen
    überlastet' (a limit broken today) from the hosting share [-]."""
    share = pd.to_numeric(hosting_share, errors="coerce")
    step = HOSTING_CLASS_STEP
    low = np.floor(share.clip(upper=1.0 - 1e-9) / step) * step
    text = [f"{lo * 100:.0f}–{(lo + step) * 100:.0f} %" for lo in low.fillna(0.0).to_numpy(float)]
    out = pd.Series(text, index=share.index, dtype=object)
    out[share.ge(1.0)] = "100 %"
    out[share.isna()] = "ohne Wärmepumpen überlastet"
    return out


def _german_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """The grid's source and the estimate's settlement type as German labels."""
    out = frame.copy()
    for column, domain in (("grid_source", "grid_source"), ("settlement_type", "grid_settlement")):
        if column in out.columns:
            out[column] = [
                label(domain, value) if isinstance(value, str) and value else None
                for value in out[column]
            ]
    return out


def _rounded(values: pd.Series, step: float) -> pd.Series:
    return (pd.to_numeric(values, errors="coerce") / step).round() * step


def public_trafo_areas(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The public transformer areas (module doc) and how many were suppressed."""
    out = _german_codes(frame)
    out["hosting_class"] = hosting_class(out["hosting_share"])
    cost = pd.to_numeric(out["reinforcement_eur"], errors="coerce").fillna(0.0)
    out["reinforcement_needed"] = np.where(cost > 0, "ja", "nein")
    out["reinforcement_eur"] = _rounded(cost, COST_ROUNDING_EUR)
    shapes = [c for c in out.columns if c == "geometry"]
    out = out[[c for c in (*TRAFO_COLUMNS, *shapes) if c in out.columns]]
    mask = pd.to_numeric(out["buildings"], errors="coerce").fillna(0) < MIN_BUILDINGS_CONSUMPTION
    return suppress(out, mask, keep=TRAFO_STRUCTURAL), int(mask.sum())


def public_supply_areas(
    frame: pd.DataFrame, hidden_areas: set[str] | None = None
) -> tuple[pd.DataFrame, int]:
    """The public supply-area grid figures (module doc); ``hidden_areas``: area ids the
    areas layer suppresses."""
    out = _german_codes(frame[[c for c in SUPPLY_COLUMNS if c in frame.columns]])
    for column in ("line_max_percent_plan", "trafo_max_percent_plan"):
        if column in out.columns:
            out[column] = _rounded(out[column], LOADING_ROUNDING_PERCENT)
    if "vm_min_pu_plan" in out.columns:
        out["vm_min_pu_plan"] = _rounded(out["vm_min_pu_plan"], VOLTAGE_ROUNDING_PU)
    out["reinforcement_eur"] = _rounded(out["reinforcement_eur"], COST_ROUNDING_EUR)
    if "reinforcement_eur_per_mwh" in out.columns:  # with the public heat: the cost again
        out["reinforcement_eur_per_mwh"] = _rounded(out["reinforcement_eur_per_mwh"], 0.1)
    mask = suppression_mask(pd.to_numeric(out["buildings"], errors="coerce").fillna(0))
    mask |= out[col.AREA_ID].astype(str).isin(hidden_areas or set())
    return suppress(out, mask, keep=SUPPLY_STRUCTURAL), int(mask.sum())
