"""Section 2 (Potenzialanalyse, WPG § 16 and Anlage 2 II): every potential group, by carrier.

One row per potential the plan computed, with the municipal sums of
:func:`heatplan.publish.tables.potentials_table` (the same figures as the XLSX and XWärmeplan),
where it lies (the map of the section) and the sources of the method; each Anlage-2 group the
plan did not quantify is named with the reason. The groups are ``data/report_potential_groups.csv``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from heatplan.reference import table as reference_table
from heatplan.report import maps
from heatplan.report.fmt import Table, label_de, number
from heatplan.report.inputs import ReportInputs

__all__ = ["GROUPS_FILE", "MAP_ID", "groups", "potentials_section"]

GROUPS_FILE = "report_potential_groups.csv"
#: Anchor of the section's map (the table refers to it, the PDF prints its page).
MAP_ID = "karte-potenziale"
MAP_NAME = "Karte 2.1"
#: Columns of publish.tables.potentials_table shown as figures.
FIGURES = ("Wärme [MWh/a]", "Strom [MWh/a]", "Leistung [kW]")
#: Name suffix of the regional estimates of the potentials stage (geology, no site).
REGIONAL_SUFFIX = "(regional estimate)"


@cache
def groups() -> pd.DataFrame:
    """The Anlage-2 potential groups: label, potential kinds, cited sources, reason if none."""
    return reference_table(GROUPS_FILE, as_text=True)


def _split(text: str) -> list[str]:
    return [part for part in text.split(";") if part]


def _cites(keys: list[str]) -> str:
    return f"[{'; '.join(keys)}]" if keys else ""


def locations(sites: pd.DataFrame | None, by_block: pd.DataFrame | None) -> dict[str, str]:
    """Where the map shows each potential kind: per block, at its site, or as a regional
    estimate (one point at the town's centre, no site)."""
    out: dict[str, str] = {}
    if by_block is not None and len(by_block):
        out |= dict.fromkeys(by_block["kind"].astype(str), "je Baublock")
    if sites is not None and len(sites):
        names = sites.get("name", pd.Series("", index=sites.index)).fillna("").astype(str)
        for kind, name in zip(sites["kind"].astype(str), names, strict=True):
            regional = name.endswith(REGIONAL_SUFFIX)
            out[kind] = "regionale Schätzung ohne Standort" if regional else "Standorte"
    return out


def _rows(group: pd.Series, computed: pd.DataFrame, where: dict[str, str]) -> list[list[str]]:
    """One row per computed kind of ``group``: figures, where the map shows it, sources."""
    found = computed[computed["Art"].isin(_split(group["kinds"]))]
    rows = []
    for record in found.to_dict("records"):
        note = record.get("Hinweis")
        place = f"{MAP_NAME}: {where.get(str(record['Art']), 'nicht dargestellt')}"
        rows.append(
            [
                label_de("potential_kind", record["Art"]),
                str(record["Energieträger"]),
                number(record["Anzahl"]),
                *[number(record.get(c)) for c in FIGURES],
                " ".join(t for t in (place, _cites(_split(group["cites"]))) if t)
                + (f"; {note}" if _text(note) else ""),
            ]
        )
    return rows


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def potentials_table_de(computed: pd.DataFrame, where: dict[str, str]) -> Table:
    """The computed potentials by kind and carrier (``computed``: ``potentials_table``;
    ``where``: :func:`locations`), in the order of the Anlage-2 groups."""
    rows = [r for _, g in groups().iterrows() for r in _rows(g, computed, where)]
    columns = ["Potenzial", "Energieträger", "Anzahl", *FIGURES, "Lage und Quellen"]
    numeric = [c in FIGURES or c == "Anzahl" for c in columns]
    return Table(
        columns,
        rows,
        numeric,
        caption="Potenziale nach Energieträger und Art (§ 16 und Anlage 2 II WPG)",
        note="Summen über das Gemeindegebiet ohne ausgeschlossene Flächen. Gebäudepotenziale "
        "(Dach: Photovoltaik oder Solarthermie; Luft oder Erdreich) sind Alternativen und nicht "
        "addierbar. Anzahl: Gebäude, Standorte oder Anlagen.",
    )


def groups_table(computed: pd.DataFrame) -> Table:
    """Every potential group of Anlage 2 II: the kinds computed, or why none is."""
    kinds = set(computed["Art"].astype(str))
    rows = []
    for _, group in groups().iterrows():
        found = [k for k in _split(group["kinds"]) if k in kinds]
        state = (
            "berechnet: " + ", ".join(label_de("potential_kind", k) for k in found)
            if found
            else str(group["missing_de"])
        )
        rows.append([str(group["label_de"]), state])
    return Table(
        ["Potenzialgruppe (Anlage 2 II WPG)", "Stand in diesem Plan"],
        rows,
        [False, False],
        caption="Untersuchte und nicht untersuchte Potenziale",
    )


def cited_keys(computed: pd.DataFrame | None) -> list[str]:
    """Source keys the section cites: those of the groups with a computed potential."""
    if computed is None or computed.empty:
        return []
    kinds = set(computed["Art"].astype(str))
    keys: list[str] = []
    for _, group in groups().iterrows():
        if kinds & set(_split(group["kinds"])):
            keys += [k for k in _split(group["cites"]) if k not in keys]
    return keys


def potentials_section(inputs: ReportInputs, *, attribution: str) -> dict[str, Any]:
    """Section 2: the groups table, the map and the sources cited."""
    computed = inputs.tables.get("potentials_table")
    if computed is None or computed.empty:
        return {"empty": True, "cites": []}
    sites, by_block = inputs.layer("potentials"), inputs.layer("potentials_by_block")
    section: dict[str, Any] = {
        "empty": False,
        "table": potentials_table_de(computed, locations(sites, by_block)),
        "groups": groups_table(computed),
        "map_id": MAP_ID,
        "map_name": MAP_NAME,
        "cites": cited_keys(computed),
        "map": None,
    }
    if any(f is not None and len(f) for f in (sites, by_block)):
        kinds = {str(k): label_de("potential_kind", k) for k in computed["Art"]}
        section["map"] = maps.potentials_map(
            sites,
            by_block,
            kinds,
            outline=inputs.layer("areas"),
            base=inputs.map_base(attribution),
        )
    return section
