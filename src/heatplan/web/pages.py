"""Server-rendered pages: the area profile (public) and the planners' workspace shell."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from heatplan.formats import german
from heatplan.plan import columns as col
from heatplan.web.factsheet import NETWORK_TYPES, code_texts, plain_reason
from heatplan.web.labels import vocabulary
from heatplan.web.public_data import area_ids_of
from heatplan.web.routes_public import records, state_of

router = APIRouter(include_in_schema=False)
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:3px 8px;"
    "text-align:left}"
)
#: The figures of the area profile, labelled and formatted from the one vocabulary.
FIGURES = (
    "buildings",
    "area_ha",
    col.HEAT_DEMAND_MWH_PER_A,
    col.HEAT_DENSITY_MWH_PER_HA_A,
    col.LINE_DENSITY_KWH_PER_M_A,
    "network_lcoh_eur_per_mwh",
    "decentral_lcoh_eur_per_mwh",
)


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def _figure(key: str, value: Any) -> tuple[str, str]:
    """Label and German-formatted value of a field of the web vocabulary (:mod:`.labels`)."""
    spec = vocabulary()["fields"][key]
    if value is None:
        return spec["de"], "–"
    shown = float(value) * spec["factor"]
    text = german(f"{shown:,.{spec['decimals']}f}")
    return spec["de"], f"{text} {spec.get('unit', '')}".strip()


@router.get("/areas/{area_id}", response_class=HTMLResponse)
def area_profile(request: Request, area_id: str) -> HTMLResponse:
    data = state_of(request).data()
    match = data.areas[data.areas[col.AREA_ID].astype(str) == area_id]
    if not len(match):
        raise HTTPException(404, f"no area {area_id!r}")
    row = records(match)[0]
    years = "".join(
        f"<tr><td>{year}</td><td>{escape(code_texts(row.get(f'area_type_{year}'))['de'])}"
        f"</td><td>{escape(code_texts(row.get(f'likelihood_{year}'))['de'])}</td></tr>"
        for year in data.years
    )
    figures = "".join(
        "<tr><th>{}</th><td>{}</td></tr>".format(*map(escape, _figure(key, row.get(key))))
        for key in FIGURES
        if key in row
    )
    measures = [m for m in data.measures if area_id in area_ids_of(m)]
    items = "".join(
        f"<li>{escape(str(m.get('measure_id')))}: {escape(str(m.get('title')))} "
        f"({escape(code_texts(m.get('status'))['de'])})</li>"
        for m in measures
    )
    network = any(row.get(f"area_type_{y}") in NETWORK_TYPES for y in data.years)
    title = f"{row.get('name') or area_id} – {data.title}"
    body = (
        f"<p><a href='/'>← Karte</a></p><h1>{escape(str(row.get('name') or area_id))}</h1>"
        f"<p>{'Wärmenetz vorgesehen' if network else 'Dezentrale Versorgung vorgesehen'}</p>"
        f"<table><tr><th>Jahr</th><th>Versorgung</th><th>Eignung</th></tr>{years}</table>"
        f"<h2>Begründung</h2><p>{escape(plain_reason(match.iloc[0])['de'])}</p>"
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
