"""Cover data (from ``heatplan.toml [plan]``) and the sources and attribution page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from heatplan import __version__
from heatplan.project.config import ProjectConfig

__all__ = [
    "OSM",
    "attribution",
    "cited_sources",
    "cover",
    "data_sources",
    "reference_sources",
]

OSM = "© OpenStreetMap contributors, ODbL 1.0"
OSM_SUFFIXES = (".osm", ".pbf", ".osm.xml", ".osm.bz2")
#: The demo writes its case into this file (heatplan.demo.run.DEMO_MARKER).
DEMO_MARKER = ".heatplan-demo"
DEMO_SOURCES = {
    "schutterwald": "Gebäude, gemessener Gasverbrauch und Gasnetz Schutterwald: pandapipes 0.16 "
    "(gas_net_schutterwald_1bar.json), Kisse et al. (2020), Energies 13:4052",
    "melaten": "Gebäude und Straßen RWTH Campus Melaten: © OpenStreetMap contributors, ODbL 1.0 "
    "(campus_melaten.osm aus uesgraphs 2.2.2, RWTH Aachen E.ON ERC)",
}


def _draft(config: ProjectConfig, today: dt.date) -> bool:
    plan = config.plan
    adoption = plan.adoption_date
    return plan.draft or adoption is None or adoption > today


def _german_date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


def cover(config: ProjectConfig, *, public: bool, today: dt.date, subtitle: str) -> dict[str, Any]:
    """Title, municipality, plan dates, draft flag and edition of the report."""
    town = config.municipality
    plan = config.plan
    return {
        "title": plan.name or f"Kommunale Wärmeplanung {town.name}",
        "subtitle": subtitle,
        "municipality": town.name,
        "key": town.key or "–",
        "description": plan.description,
        "start_decision_date": _german_date(plan.start_decision_date),
        "adoption_date": _german_date(plan.adoption_date),
        "draft": _draft(config, today),
        "edition": "Öffentliche Fassung" if public else "Interne Fassung (nur für die Planung)",
        "public": public,
        "created": _german_date(today),
        "target_year": config.project.target_year,
        "version": __version__,
    }


def _demo_case(project_dir: Path) -> str | None:
    marker = Path(project_dir) / DEMO_MARKER
    return marker.read_text(encoding="utf-8").strip() if marker.is_file() else None


def uses_osm(files: list[str]) -> bool:
    """True if any input file is an OpenStreetMap extract."""
    return any(f.casefold().endswith(OSM_SUFFIXES) for f in files)


def attribution(project_dir: Path, files: list[str]) -> str:
    """The one-line attribution printed on every map."""
    if uses_osm(files) or _demo_case(project_dir) == "melaten":
        return f"Daten: {OSM}; Darstellung: heatplan"
    return "Daten: Projektdaten der Kommune; Darstellung: heatplan (ohne Hintergrundkarte)"


def data_sources(project_dir: Path, files: list[str]) -> list[str]:
    """The input data of the project, with the licences that require naming them."""
    out = []
    case = _demo_case(project_dir)
    if case in DEMO_SOURCES:
        out.append(DEMO_SOURCES[case])
    if uses_osm(files) and case != "melaten":
        out.append(f"Kartendaten: {OSM}")
    if files:
        out.append("Importierte Dateien: " + ", ".join(files))
    out.append(
        "Alle Karten sind aus den Ebenen des Projekts gezeichnet (Baublöcke, Straßen, Gebiete); "
        "es wird keine Hintergrundkarte eines Kachelservers verwendet."
    )
    return out


_FIELD = re.compile(r"(\w+)=\{((?:[^{}]|\{[^{}]*\})*)\}")


def cited_sources(keys: Sequence[str]) -> list[dict[str, str]]:
    """The entries of ``data/sources.bib`` the report cites, in the order of ``keys``.

    A key not in the file raises: a citation must resolve to an entry.
    """
    entries = {entry["key"]: entry for entry in reference_sources()}
    missing = [k for k in keys if k not in entries]
    if missing:
        raise KeyError(f"cited but not in sources.bib: {missing}")
    return [entries[k] for k in dict.fromkeys(keys)]


def _names(authors: str) -> str:
    """BibTeX ``A and B and C`` as ``A, B und C``."""
    names = [n.strip() for n in authors.split(" and ") if n.strip()]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " und " + names[-1]


def reference_sources() -> list[dict[str, str]]:
    """The entries of heatplan's ``data/sources.bib`` (key, authors, title, year)."""
    text = resources.files("heatplan.data").joinpath("sources.bib").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        head = re.match(r"@\w+\{([^,]+),", line.strip())
        if not head:
            continue
        fields = {
            k: v.replace("{", "").replace("}", "").replace("\\&", "&")
            for k, v in _FIELD.findall(line)
        }
        out.append(
            {
                "key": head.group(1),
                "author": _names(fields.get("author", "") or fields.get("editor", "")),
                "title": fields.get("title", ""),
                "year": fields.get("year", ""),
                "where": fields.get("journal", "")
                or fields.get("institution", "")
                or fields.get("howpublished", "")
                or fields.get("publisher", ""),
            }
        )
    return out
