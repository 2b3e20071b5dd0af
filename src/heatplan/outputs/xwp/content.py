"""The XWärmeplan features beyond the supply areas, from the project's public tables.

:func:`content_features` runs the builders of :mod:`heatplan.outputs.xwp.inventory`,
:mod:`~heatplan.outputs.xwp.potentials`, :mod:`~heatplan.outputs.xwp.indicators`,
:mod:`~heatplan.outputs.xwp.measures` and :mod:`~heatplan.outputs.xwp.blocks` on what
:class:`~heatplan.outputs.xwp.common.PlanContent` holds. Blocks, street segments and
potentials pass :func:`heatplan.publish.layers.public_layers` first — the same WPG §§ 10-12
rules and code as the public GeoPackage — so the GML never publishes more than the GeoPackage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from heatplan.outputs.xwp.blocks import block_features, segment_features
from heatplan.outputs.xwp.common import Context, PlanContent
from heatplan.outputs.xwp.gml import Feature
from heatplan.outputs.xwp.indicators import nonresidential_count, scenario_features
from heatplan.outputs.xwp.inventory import inventory_feature
from heatplan.outputs.xwp.measures import measure_features
from heatplan.outputs.xwp.potentials import potential_features, potential_summary
from heatplan.publish.layers import public_layers

__all__ = ["ContentFeatures", "content_features"]

#: Attribute of WP_Plan that references each plan-level class (model order).
PLAN_REFERENCES = {
    "WP_BestandsanalyseAggregiert": "bestandsanalyse",
    "WP_PotenzialanalyseAggregiert": "potenzialanalyse",
    "WP_ZielszenarioIndikatoren": "zielszenario",
    "WP_Massnahme": "massnahme",
}


@dataclass
class ContentFeatures:
    """Plan-level features (referenced from WP_Plan) and area contents (from WP_Bereich)."""

    plan_level: list[Feature] = field(default_factory=list)
    texts: list[Feature] = field(default_factory=list)
    planinhalt: list[Feature] = field(default_factory=list)

    def references(self) -> dict[str, list[str]]:
        """WP_Plan attribute -> uids, in the model's attribute order."""
        refs: dict[str, list[str]] = {name: [] for name in PLAN_REFERENCES.values()}
        for feature in self.plan_level:
            refs[PLAN_REFERENCES[feature.name]].append(feature.uid)
        return {k: v for k, v in refs.items() if v}


def _public(content: PlanContent, areas: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if content.release is not None:
        return content.release
    frames = {
        name: frame
        for name, frame in (
            ("areas", areas),
            ("blocks", content.blocks),
            ("street_segments", content.street_segments),
            ("potentials", content.potentials),
            ("totals", content.totals),
            ("buildings", content.buildings),
        )
        if frame is not None
    }
    layers, _ = public_layers(frames)
    return layers


def content_features(
    content: PlanContent,
    ctx: Context,
    areas: pd.DataFrame,
    *,
    target_year: int,
    stichtag: date,
) -> ContentFeatures:
    """Every feature :class:`PlanContent` can fill; what is missing is noted in ``ctx.notes``."""
    out = ContentFeatures()
    buildings = content.buildings
    if buildings is not None and "sector" in buildings.columns:
        unknown = int(buildings["sector"].isna().sum() + buildings["sector"].eq("unknown").sum())
        if unknown:
            ctx.notes.append(
                f"{unknown} building(s) of unknown sector: final energy reported as private "
                "households (WP_Sektor 3000) and counted as residential (data/xwp_codes.csv)"
            )
    inventory = inventory_feature(content, ctx, stichtag=stichtag)
    if inventory is not None:
        out.plan_level.append(inventory)
    summary = potential_summary(content.potentials, ctx)
    if summary is not None:
        out.plan_level.append(summary)
    if content.scenario_indicators is not None:
        scenario = scenario_features(
            content.scenario_indicators,
            ctx,
            nonresidential=nonresidential_count(content.buildings),
            target_year=target_year,
        )
        out.plan_level.extend(f for f in scenario if f.name != "WP_TextAbschnitt")
        out.texts.extend(f for f in scenario if f.name == "WP_TextAbschnitt")
    else:
        ctx.notes.append("WP_ZielszenarioIndikatoren: no scenario; run `heatplan scenario`")
    out.plan_level.extend(measure_features(content.measures, ctx))
    public = _public(content, areas)
    if "blocks" in public:
        cells = (public.get("block_energy"), public.get("block_heaters"))
        out.planinhalt.extend(block_features(public["blocks"], *cells, ctx))
    if "street_segments" in public:
        out.planinhalt.extend(segment_features(public["street_segments"], ctx))
    out.planinhalt.extend(
        potential_features(public.get("potentials"), public.get("potentials_by_block"), ctx)
    )
    return out
