"""``WP_PotenzialWaermeNutzung``: heat potentials (WPG Anlage 2 II), public edition only.

Input is what the public GeoPackage export publishes (:func:`heatplan.publish.layers.
public_layers`): ``potentials`` holds the sites (sewage plants, sewers, waste heat, biomass;
confidential rows already dropped, no building ids) and ``potentials_by_block`` the
building-level potentials (roofs, ground probes, air heat pumps) summed per block and kind,
suppressed under 5 buildings. Each site becomes one feature with its own geometry (point, line
or polygon), each block one feature with its potentials per carrier. Kinds without an
XWärmeplan carrier (roof PV: electricity, not heat) and excluded or empty potentials are left
out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from heatplan.outputs.xwp.common import Context, code, energy_amount, multi, mwh, number
from heatplan.outputs.xwp.gml import DataType, Feature, Ref, Value
from heatplan.plan import columns as col
from heatplan.publish import drop_confidential, flags
from heatplan.publish.tables import potentials_table

__all__ = ["potential_features", "potential_summary"]


def _feature(
    ctx: Context, uid: str, title: str, geometry: Any, amounts: dict[str, float]
) -> Feature:
    props: dict[str, Value] = {
        "title": title,
        "gehoertZuBereich": Ref(ctx.bereich_uid),
        "position": geometry,
        "potenzial": [energy_amount(k, v) for k, v in sorted(amounts.items())],
    }
    return Feature("WP_PotenzialWaermeNutzung", uid, props)


def _usable(frame: pd.DataFrame, *, flagged: bool) -> pd.DataFrame:
    """Rows with heat > 0 of a kind with a carrier code; ``flagged``: drop ``excluded`` rows.

    In ``potentials_by_block`` ``excluded`` counts the excluded buildings, whose heat the sums
    already leave out.
    """
    excluded = flags(frame["excluded"]) if flagged and "excluded" in frame.columns else False
    heat = pd.to_numeric(frame["heat_mwh_per_a"], errors="coerce")
    kinds = frame["kind"].map(lambda k: code("potential_kind", k))
    keep = ~pd.Series(excluded, index=frame.index) & heat.gt(0) & kinds.notna()
    return frame[keep].assign(xwp_code=kinds[keep], xwp_heat=heat[keep])


def _sites(sites: pd.DataFrame, ctx: Context) -> list[Feature]:
    features = []
    for row in _usable(sites, flagged=True).itertuples(index=False):
        geometry = multi(row.geometry)
        if geometry is None:
            continue
        pid = str(getattr(row, "potential_id", "") or "")
        name = getattr(row, "name", None)
        title = f"{pid} {name}".strip() if isinstance(name, str) and name.strip() else pid
        uid = ctx.uid("potential", pid or str(row.kind))
        features.append(
            _feature(
                ctx, uid, title, geometry, {str(row.xwp_code): float(number(row.xwp_heat) or 0.0)}
            )
        )
    return features


def _blocks(by_block: pd.DataFrame, ctx: Context) -> list[Feature]:
    usable = _usable(by_block, flagged=False)
    features = []
    for block, group in usable.groupby(usable[col.BLOCK_ID].astype(str), sort=True):
        geometry = multi(group.geometry.iloc[0])
        if geometry is None:  # buildings outside every block: no shape to publish
            continue
        amounts: dict[str, float] = defaultdict(float)
        for code_, heat in zip(group["xwp_code"], group["xwp_heat"], strict=True):
            amounts[str(code_)] += float(number(heat) or 0.0)
        uid = ctx.uid("potential", "block", block)
        features.append(_feature(ctx, uid, f"Baublock {block}", geometry, amounts))
    return features


def potential_features(
    sites: pd.DataFrame | None, by_block: pd.DataFrame | None, ctx: Context
) -> list[Feature]:
    """One feature per site and per block with usable potentials (see module doc)."""
    features: list[Feature] = []
    if sites is not None and len(sites) and "kind" in sites.columns:
        features.extend(_sites(sites, ctx))
    if by_block is not None and len(by_block) and "kind" in by_block.columns:
        features.extend(_blocks(by_block, ctx))
    return features


def potential_summary(potentials: pd.DataFrame | None, ctx: Context) -> Feature | None:
    """``WP_PotenzialanalyseAggregiert``: usable heat potential per carrier of the municipality.

    The totals per kind are those of the XLSX export (:func:`heatplan.publish.tables.
    potentials_table`: confidential rows dropped, excluded potentials left out, building-level
    kinds only over >= 5 buildings, also against differencing); kinds without a carrier code
    (roof PV) and suppressed totals are left out.
    """
    if potentials is None or potentials.empty or "kind" not in potentials.columns:
        ctx.notes.append("WP_PotenzialanalyseAggregiert: no potentials; run `heatplan potentials`")
        return None
    public, _ = drop_confidential(potentials)
    table = potentials_table(public)
    amounts: dict[str, float] = defaultdict(float)
    for kind, heat in zip(table["Art"], table["Wärme [MWh/a]"], strict=True):
        traeger, value = code("potential_kind", kind), number(heat)
        if traeger is not None and value is not None and value > 0:
            amounts[traeger] += value
    if not amounts:
        ctx.notes.append("WP_PotenzialanalyseAggregiert: no published heat potential")
        return None
    props: dict[str, Value] = {
        "erneuerbareEnergienAbwaerme": [
            DataType("WP_EnergieTraegerVerbrauch", {"traeger": k, "verbrauchGesamt": mwh(v)})
            for k, v in sorted(amounts.items())
        ],
        "gehoertZuPlan": Ref(ctx.plan_uid),
    }
    return Feature("WP_PotenzialanalyseAggregiert", ctx.uid("potentials"), props)
