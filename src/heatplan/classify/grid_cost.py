"""The low-voltage grid in the § 18 decision (issue 18): each supply area's reinforcement
annuity [EUR/MWh of the area's heat] added to its decentral full cost, and named in its reason.

Order. The grid check needs the scenario's heat-pump share, and the scenario needs the
classification; so the classification reads the **stored grid check of the previous run**
(frame ``grid_supply_areas``, written by ``heatplan grid check``) where the project has one,
and leaves the decentral cost unchanged where it has none. Why not run the check inside the
classification: the check is a full-year power flow per share (tens of seconds for a town), the
classification must stay runnable without a grid, and a stored check states the heat-pump share
it was computed at (column ``hp_share``), so the reason can name it; re-running ``heatplan
classify`` after ``heatplan grid check`` puts the grid into the decision. The annuity is a
capital cost of the decentral path (the heat pumps need the grid), the same in both cost
perspectives (no VAT: the grid operator's cost reaches the owners through the grid fee).
"""

from __future__ import annotations

import math

import pandas as pd

from heatplan.classify.evaluate import Decentral
from heatplan.formats import german
from heatplan.plan import columns as col

#: The column of the stored frame with the annuity per MWh of the area's heat.
ANNUITY = "reinforcement_eur_per_mwh"
#: The column of ``areas`` with the annuity the decision added (NaN: no grid check).
COLUMN = "grid_reinforcement_eur_per_mwh"
#: The cost columns of ``building_costs`` that carry the grid share in the public medians:
#: the heat pumps, whose load the reinforcement is for.
HEAT_PUMP_COLUMNS = ("lcoh_air_hp_eur_per_mwh", "lcoh_ground_hp_eur_per_mwh")


def annuity_eur_per_mwh(grid_areas: pd.DataFrame | None) -> pd.Series:
    """Reinforcement annuity per supply area [EUR/MWh] from the stored grid check (frame
    ``grid_supply_areas``), indexed by area id; empty without a grid check."""
    if grid_areas is None or grid_areas.empty or ANNUITY not in grid_areas.columns:
        return pd.Series(dtype=float)
    frame = grid_areas.set_index(col.AREA_ID)
    return pd.to_numeric(frame[ANNUITY], errors="coerce").fillna(0.0)


def with_grid(decentral: Decentral, annuity_eur_per_mwh: float) -> Decentral:
    """The decentral figures with the annuity added to the full cost (energy part unchanged:
    the reinforcement is capital)."""
    lcoh, option, efficiency, energy = decentral
    if math.isnan(lcoh) or math.isnan(annuity_eur_per_mwh):
        return decentral
    return lcoh + annuity_eur_per_mwh, option, efficiency, energy


def with_grid_costs(rows: pd.DataFrame, annuity_by_area: pd.Series) -> pd.DataFrame:
    """Building cost rows (``area_id`` and the columns of ``building_costs``) with each area's
    grid annuity [EUR/MWh] added to the heat-pump full costs (:data:`HEAT_PUMP_COLUMNS`), as
    the decision adds it to the decentral full cost; areas without a grid check unchanged.
    Used where the fact sheet's medians are made (:mod:`heatplan.web.public_data`)."""
    annuity = pd.to_numeric(annuity_by_area, errors="coerce")
    add = rows[col.AREA_ID].astype(str).map(annuity).fillna(0.0).to_numpy(float)
    out = rows.copy()
    for column in HEAT_PUMP_COLUMNS:
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce") + add
    return out


def _value(row: pd.Series, name: str) -> float:
    value = pd.to_numeric(pd.Series([row.get(name, math.nan)]), errors="coerce").iloc[0]
    return float(value)


def reason(row: pd.Series) -> tuple[str, str]:
    """One sentence each in German and English on the grid of one area (a row of
    ``grid_supply_areas``), German numbers through :func:`heatplan.formats.german`."""
    annuity = _value(row, ANNUITY)
    annuity = 0.0 if math.isnan(annuity) else annuity
    trafos = _value(row, "trafos_exchanged")
    cable = _value(row, "parallel_cable_m")
    hosting = _value(row, "hosting_share")
    parts = []
    if not math.isnan(trafos):
        parts.append((f"Trafotausch {trafos:.0f}", f"transformers exchanged {trafos:.0f}"))
    if not math.isnan(cable):
        parts.append((f"Kabel {cable:,.0f} m", f"cable {cable:,.0f} m"))
    what_de = f" ({', '.join(german(de) for de, _ in parts)})" if parts else ""
    what_en = f" ({', '.join(en for _, en in parts)})" if parts else ""
    host_de = (
        "Aufnahmefähigkeit: schon ohne Wärmepumpen eine Grenze verletzt"
        if math.isnan(hosting)
        else f"Aufnahmefähigkeit bis {german(f'{hosting * 100:.0f}')} % Wärmepumpen"
    )
    host_en = (
        "hosting capacity: a limit broken without heat pumps"
        if math.isnan(hosting)
        else f"hosting capacity up to {hosting * 100:.0f} % heat pumps"
    )
    guessed = str(row.get("grid_source", "")) == "estimate"
    source_de = " (Netz geschätzt aus Referenznetzen, keine Netzdaten)" if guessed else ""
    source_en = " (grid estimated from reference grids, no grid data)" if guessed else ""
    de = (
        f"Stromnetz{source_de}: Verstärkung für Wärmepumpen {german(f'{annuity:.1f}')} EUR/MWh"
        f"{what_de}, {host_de}."
    )
    en = (
        f"power grid{source_en}: reinforcement for heat pumps {annuity:.1f} EUR/MWh{what_en}, "
        f"{host_en}"
    )
    return de, en


def reasons(grid_areas: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    """:func:`reason` of every area of the stored grid check, by area id."""
    if grid_areas is None or grid_areas.empty or ANNUITY not in grid_areas.columns:
        return {}
    return {str(row[col.AREA_ID]): reason(row) for _, row in grid_areas.iterrows()}


def with_reason(columns: dict[str, object], text: tuple[str, str] | None) -> dict[str, object]:
    """The classification columns of one area with the grid sentence after its reasons."""
    if text is None:
        return columns
    de, en = text
    return {
        **columns,
        "explanation": f"{columns.get('explanation', '')} {de}".strip(),
        "explanation_en": f"{columns.get('explanation_en', '')}; {en}".lstrip("; "),
    }
