"""The context of each report: the sections put together for the templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from heatplan.plan import columns as col
from heatplan.project.config import ProjectConfig
from heatplan.publish import MIN_BUILDINGS_CONSUMPTION, MIN_BUILDINGS_HEATER
from heatplan.report.areas import areas_section
from heatplan.report.basis import basis_table
from heatplan.report.grid import area_line, grid_section
from heatplan.report.inputs import ReportInputs
from heatplan.report.inventory import KWH_PER_MWH, inventory_section, key_figures
from heatplan.report.measures import implementation_section, measures_section, then_vs_now
from heatplan.report.potentials import potentials_section
from heatplan.report.procedure import procedure_section
from heatplan.report.scenario import scenario_section
from heatplan.report.sources import attribution, cited_sources, cover, data_sources

__all__ = ["PLAN_SECTIONS", "YEAR_SECTIONS", "implementation_context", "plan_context"]

PLAN_SECTIONS = (
    "deckblatt",
    "verfahren",
    "bestand",
    "potenziale",
    "zielszenario",
    "gebiete",
    "massnahmen",
    "quellen",
)
YEAR_SECTIONS = ("deckblatt", "umsetzung", "quellen")
#: Sources the text of every report cites where it uses them (procedure, inventory, emissions
#: of the scenario); the potentials section adds those of the potentials it computed.
PLAN_CITES = ("WPG2024", "GEG2024", "Loga2015", "UBA2025Strommix")
#: The yearly report cites the law and the emission basis of its charts only.
YEAR_CITES = ("WPG2024", "GEG2024", "UBA2025Strommix")
PRIVACY = (
    "Verbrauchswerte werden nur über mindestens {c} Gebäude zusammengefasst veröffentlicht, "
    "Angaben zu Wärmeerzeugern über mindestens {h}; kleinere Werte und die Werte, aus denen sie "
    "sich zurückrechnen ließen, sind unterdrückt (§ 10 Abs. 2 WPG). Der Bericht enthält keine "
    "Angaben zu einzelnen Gebäuden."
)


def _base_by_carrier(inputs: ReportInputs) -> pd.Series | None:
    inv = inputs.inventory
    if inv is None:
        return None
    rows = inv[
        (inv["indicator"] == "final_energy")
        & (inv[col.CARRIER] != "all")
        & (inv["sector"] == "all")
        & (inv["heater_type"] == "all")
        & inv["Wert"].notna()
    ]
    return pd.Series(rows["Wert"].to_numpy(float) / KWH_PER_MWH, index=rows[col.CARRIER].to_numpy())


def _sources(project_dir: Path, inputs: ReportInputs, cites: Sequence[str]) -> dict[str, Any]:
    return {
        "data": data_sources(project_dir, inputs.source_files),
        "reference": cited_sources(cites),
        "privacy": PRIVACY.format(c=MIN_BUILDINGS_CONSUMPTION, h=MIN_BUILDINGS_HEATER),
        "audit": inputs.audit.note_de(),
    }


def _scenario(
    inputs: ReportInputs, config: ProjectConfig, figures: dict[str, Any]
) -> dict[str, Any]:
    return scenario_section(
        inputs.tables.get("scenario_indicators"),
        inputs.tables.get("scenario_costs"),
        base_by_carrier=_base_by_carrier(inputs),
        base_ghg_t=figures.get("co2_t_per_a"),
        base_year=config.project.price_year,
        grid_path=config.emissions.grid_path,
    )


def plan_context(
    project_dir: Path,
    config: ProjectConfig,
    inputs: ReportInputs,
    measures: list[dict[str, Any]],
    *,
    today: dt.date,
) -> dict[str, Any]:
    """Everything the plan report template shows."""
    credit = attribution(project_dir, inputs.source_files)
    inventory = inventory_section(inputs, attribution=credit)
    potentials = potentials_section(inputs, attribution=credit)
    scenario = _scenario(inputs, config, inventory["figures"])
    return {
        "cover": cover(config, public=inputs.public, today=today, subtitle="Wärmeplan (§ 23 WPG)"),
        "procedure": procedure_section(config, inputs.layer("areas")),
        "inventory": inventory,
        "grid": grid_section(inputs.layer("grid_supply_areas"), inputs.layer("grid_trafo_areas")),
        "potentials": potentials,
        "scenario": scenario,
        "areas": areas_section(
            inputs.layer("areas"),
            suppressed=inputs.suppressed_areas,
            streets=inputs.streets,
            pipes=inputs.layer("network_pipes"),
            attribution=credit,
            base=inputs.map_base(credit),
            grid_lines=area_line(inputs.layer("grid_supply_areas")),
        ),
        "basis": basis_table(config, inputs.layer("areas")),
        "measures": measures_section(measures, internal=not inputs.public),
        "sources": _sources(
            project_dir, inputs, [*PLAN_CITES, *potentials["cites"], *scenario.get("cites", [])]
        ),
    }


def implementation_context(
    project_dir: Path,
    config: ProjectConfig,
    inputs: ReportInputs,
    year: int,
    *,
    measures: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    kpis: dict[str, Any] | None,
    plan_version: tuple[str, pd.DataFrame] | None,
    today: dt.date,
    inventory_date: str = "",
) -> dict[str, Any]:
    """Everything the yearly implementation report shows (``inventory_date``: when the
    inventory behind "Ist (Bilanz)" was last computed, German date, empty if unknown)."""
    subtitle = f"Umsetzungsbericht {year} (Überwachung der Umsetzung nach § 25 WPG)"
    now = inputs.tables.get("scenario_indicators")
    then = None
    if plan_version is not None:
        then = then_vs_now(plan_version[1], now, label=plan_version[0])
    return {
        "cover": cover(config, public=inputs.public, today=today, subtitle=subtitle),
        "impl": implementation_section(year, measures, entries, kpis, today=today),
        "then_now": then,
        "then_now_notice": "Noch keine beschlossene Planfassung gespeichert; der Vergleich mit "
        "dem beschlossenen Plan erscheint, sobald die Fassung nach dem Beschluss im Projekt "
        "festgehalten ist.",
        "inventory_date": inventory_date,
        "scenario": _scenario(inputs, config, key_figures(inputs)),
        "sources": _sources(project_dir, inputs, YEAR_CITES),
    }
