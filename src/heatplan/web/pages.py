"""Server-rendered pages: the area profile (public) and the planners' workspace shell."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from heatplan.measures.schema import STATUSES
from heatplan.plan import columns as col
from heatplan.web.factsheet import NETWORK_TYPES
from heatplan.web.public_data import GRADE_DE, TYPE_DE, area_ids_of
from heatplan.web.routes_public import records, state_of

router = APIRouter(include_in_schema=False)
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:3px 8px;"
    "text-align:left}"
)
LABELS = {
    "buildings": "Gebäude",
    "area_ha": "Fläche [ha]",
    col.HEAT_DEMAND_MWH_PER_A: "Wärmebedarf [MWh/a]",
    col.HEAT_DENSITY_MWH_PER_HA_A: "Wärmedichte [MWh/(ha·a)]",
    col.LINE_DENSITY_KWH_PER_M_A: "Wärmeliniendichte [kWh/(m·a)]",
    "network_lcoh_eur_per_mwh": "Vollkosten Wärmenetz [€/MWh]",
    "decentral_lcoh_eur_per_mwh": "Vollkosten dezentral [€/MWh]",
    "explanation": "Begründung",
}


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def _value(value: Any) -> str:
    return "–" if value is None else escape(str(value))


@router.get("/areas/{area_id}", response_class=HTMLResponse)
def area_profile(request: Request, area_id: str) -> HTMLResponse:
    data = state_of(request).data()
    match = data.areas[data.areas[col.AREA_ID].astype(str) == area_id]
    if not len(match):
        raise HTTPException(404, f"no area {area_id!r}")
    row = records(match)[0]
    years = "".join(
        f"<tr><td>{year}</td><td>{escape(TYPE_DE.get(str(row.get(f'area_type_{year}')), '–'))}"
        f"</td><td>{escape(GRADE_DE.get(str(row.get(f'likelihood_{year}')), '–'))}</td></tr>"
        for year in data.years
    )
    figures = "".join(
        f"<tr><th>{escape(label)}</th><td>{_value(row.get(key))}</td></tr>"
        for key, label in LABELS.items()
        if key in row
    )
    measures = [m for m in data.measures if area_id in area_ids_of(m)]
    items = "".join(
        f"<li>{escape(str(m.get('measure_id')))}: {escape(str(m.get('title')))} "
        f"({escape(STATUSES.get(str(m.get('status')), str(m.get('status'))))})</li>"
        for m in measures
    )
    network = any(row.get(f"area_type_{y}") in NETWORK_TYPES for y in data.years)
    title = f"{row.get('name') or area_id} – {data.title}"
    body = (
        f"<p><a href='/'>← Karte</a></p><h1>{escape(str(row.get('name') or area_id))}</h1>"
        f"<p>{'Wärmenetz vorgesehen' if network else 'Dezentrale Versorgung vorgesehen'}</p>"
        f"<table><tr><th>Jahr</th><th>Versorgung</th><th>Eignung</th></tr>{years}</table>"
        f"<h2>Kennzahlen</h2><table>{figures}</table>"
        f"<h2>Maßnahmen</h2><ul>{items or '<li>keine</li>'}</ul>"
        "<p>Kennzahlen von Gebieten mit weniger als 5 Gebäuden werden nicht gezeigt "
        "(§ 10 WPG).</p>"
    )
    return _page(title, body)


@router.get("/workspace", response_class=HTMLResponse)
def workspace() -> HTMLResponse:
    page = Path(__file__).parent / "static" / "workspace.html"
    return HTMLResponse(page.read_text(encoding="utf-8"))
