"""Block and street features of the inventory (WPG Anlage 2 I.2): only public aggregates.

The blocks and street segments come in as the public GeoPackage export makes them
(:func:`heatplan.publish.layers.public_layers`: a block or segment over fewer than 5 buildings,
or needed against differencing with its area or the municipal total, keeps only id, size and
building count). From them:

- ``WP_EnergieBaublock`` for every block with published figures: heat density
  (``verbrauchsDichte``), final energy per carrier and heat generators per type — cells over
  fewer than 5 buildings (heaters: 3) are suppressed, also against differencing (within the
  table and by the audit of the whole release), and added to ``9999 Sonstiges``, so that the
  cells of a block still add up;
- ``WP_GebaeudeBaublock`` for every block whose predominant use has an XWärmeplan building type
  (with the predominant age class; both structural, published for every block);
- ``WP_GasNetzBaublock`` for published blocks whose gas cell is published (connections =
  buildings heated from the gas network);
- ``WP_Waermeliniendichte`` per street segment, the line density only where published.

The per-carrier and per-heater cells come from the audited release
(:mod:`heatplan.publish.block_cells`, :mod:`heatplan.publish.release`); nothing per building is
written.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from heatplan.areas.reference import carriers_table
from heatplan.outputs.xwp.common import (
    KWH_PER_MWH,
    Context,
    code,
    energy_amount,
    heater_code,
    multi,
)
from heatplan.outputs.xwp.gml import DataType, Feature, Measure, Ref, Value
from heatplan.plan import columns as col
from heatplan.publish.block_cells import OTHER as RELEASED_OTHER
from heatplan.publish.block_cells import SEP

__all__ = ["block_features", "segment_features"]

OTHER = "9999"  # WP_EnergieTraeger and WP_WaermeErzeugerTyp: Sonstiges (suppressed cells)
GAS_CODE = "12001"  # WP_EnergieTraeger Erdgas
STATUS_EXISTING = "1000"  # WP_Status Bestehend


def _head(ctx: Context, title: str, geometry: Any) -> dict[str, Value]:
    return {"title": title, "gehoertZuBereich": Ref(ctx.bereich_uid), "position": geometry}


def block_key(value: Any) -> str:
    """A block id as text, whole numbers without ``.0`` (a float column after missing ids)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def block_keys(ids: pd.Series) -> pd.Series:
    """:func:`block_key` of each id. Not :func:`heatplan.publish.block_cells.unit_keys`: that one
    also strips text, reads the text ``"8.0"`` as ``"8"`` and makes a missing id ``""``."""
    return ids.map(block_key)


def _coded(
    table: pd.DataFrame | None, code_of: Any, scale: float = 1.0
) -> dict[str, list[tuple[str, float]]]:
    """Per block: (XWärmeplan code, value x ``scale``) of the released cells (other: 9999)."""
    out: dict[str, list[tuple[str, float]]] = {}
    if table is None or not len(table):
        return out
    codes = [OTHER if c == RELEASED_OTHER else code_of(str(c)) for c in table["category"]]
    frame = pd.DataFrame(
        {
            col.BLOCK_ID: block_keys(table[col.BLOCK_ID]),
            "code": codes,
            "value": table["value"] * scale,
        }
    )
    sums = frame.groupby([col.BLOCK_ID, "code"], as_index=False)["value"].sum()
    for block, key, value in sums.itertuples(index=False, name=None):
        out.setdefault(str(block), []).append((str(key), float(value)))
    return out


def _energy_code(carrier: str) -> str:
    return code("carrier", carrier) or OTHER


def _heater_code(category: str) -> str:
    heater, _, carrier = category.partition(SEP)
    return heater_code(heater, carrier)


def _gas_connections(energy: pd.DataFrame | None) -> pd.Series:
    """Released gas connections per block: buildings behind the published gas-network cells."""
    if energy is None or not len(energy) or "buildings" not in energy.columns:
        return pd.Series(dtype=float)
    network = energy["category"].map(carriers_table()["network"])
    on_gas = energy[network.eq("gas").to_numpy() & energy["buildings"].notna().to_numpy()]
    return on_gas.groupby(block_keys(on_gas[col.BLOCK_ID]))["buildings"].sum()


def _energy_block(row: Any, ctx: Context, energy: list[tuple[str, float]],
                  heaters: list[tuple[str, float]], geometry: Any) -> Feature:  # fmt: skip
    block_id = block_key(row.block_id)
    props = _head(ctx, block_id, geometry)
    props["baublockId"] = block_id
    props["verbrauchsDichte"] = Measure(float(row.heat_density_mwh_per_ha_a), "MWh/(ha*a)")
    props["energietraegerVerbrauch"] = [energy_amount(k, v) for k, v in sorted(energy)]
    props["waermeerzeuger"] = [
        DataType("WP_WaermeerzeugerAngaben", {"art": k, "anzahl": round(v)})
        for k, v in sorted(heaters)
    ]
    return Feature("WP_EnergieBaublock", ctx.uid("block", "energy", block_id), props)


def _building_block(row: Any, ctx: Context, geometry: Any) -> Feature | None:
    kind = code("use", getattr(row, "predominant_use", None))
    if kind is None:
        return None
    block_id = block_key(row.block_id)
    props = _head(ctx, block_id, geometry)
    props["baublockId"] = block_id
    props["gebaeudetyp"] = kind
    props["baualtersklasse"] = code("age_class", getattr(row, "predominant_age_class", None))
    return Feature("WP_GebaeudeBaublock", ctx.uid("block", "buildings", block_id), props)


def _gas_block(block_id: str, ctx: Context, connections: int, geometry: Any) -> Feature:
    props = _head(ctx, block_id, geometry)
    props["baublockId"] = block_id
    props["status"] = STATUS_EXISTING
    props["gasArt"] = GAS_CODE
    props["anzahlAnschluesse"] = int(connections)
    return Feature("WP_GasNetzBaublock", ctx.uid("block", "gas", block_id), props)


def block_features(
    blocks: pd.DataFrame,
    energy_cells: pd.DataFrame | None,
    heater_cells: pd.DataFrame | None,
    ctx: Context,
) -> list[Feature]:
    """Energy, building and gas-network features of the released ``blocks`` and their cells
    (:func:`heatplan.publish.block_cells.block_energy_cells`, ``block_heater_cells``)."""
    if col.HEAT_DENSITY_MWH_PER_HA_A not in blocks.columns:
        raise ValueError("blocks: column 'heat_density_mwh_per_ha_a' missing; run inventory")
    density = pd.to_numeric(blocks[col.HEAT_DENSITY_MWH_PER_HA_A], errors="coerce")
    ids = block_keys(blocks[col.BLOCK_ID])
    hidden = set(ids[density.isna()])
    energy = _coded(energy_cells, _energy_code, 1.0 / KWH_PER_MWH)
    heaters = _coded(heater_cells, _heater_code)
    gas = _gas_connections(energy_cells)
    if energy_cells is None:
        ctx.notes.append("WP_EnergieBaublock: no buildings with carrier and final energy")
    features: list[Feature] = []
    no_type = no_data = 0
    for row in blocks.itertuples(index=False):
        block_id, geometry = block_key(row.block_id), multi(row.geometry)
        if geometry is None:
            continue
        building = _building_block(row, ctx, geometry)
        if building is not None:
            features.append(building)
        no_type += building is None
        if block_id in hidden:
            continue
        if not energy.get(block_id) or not heaters.get(block_id):
            no_data += int(getattr(row, "buildings", 0) or 0) > 0
            continue
        features.append(_energy_block(row, ctx, energy[block_id], heaters[block_id], geometry))
        if any(k == GAS_CODE for k, _ in energy[block_id]) and block_id in gas.index:
            features.append(_gas_block(block_id, ctx, int(gas[block_id]), geometry))
    if hidden:
        ctx.notes.append(
            f"WP_EnergieBaublock: {len(hidden)} block(s) without figures (WPG § 10 Abs. 2)"
        )
    if no_data:
        ctx.notes.append(
            f"WP_EnergieBaublock: {no_data} block(s) with buildings but no final energy or "
            "heater data (both required by XWärmeplan)"
        )
    if no_type:
        ctx.notes.append(f"WP_GebaeudeBaublock: {no_type} block(s) of unknown predominant use")
    return features


def segment_features(segments: pd.DataFrame, ctx: Context) -> list[Feature]:
    """``WP_Waermeliniendichte`` per public street segment (density only where published)."""
    features: list[Feature] = []
    for row in segments.itertuples(index=False):
        geometry = multi(row.geometry)
        if geometry is None:
            continue
        segment_id = str(row.segment_id)
        props = _head(ctx, segment_id, geometry)
        density = pd.to_numeric(getattr(row, col.LINE_DENSITY_KWH_PER_M_A, np.nan), errors="coerce")
        if pd.notna(density):
            props["waermeliniendichte"] = Measure(float(density) / KWH_PER_MWH, "MWh/(m*a)")
        features.append(Feature("WP_Waermeliniendichte", ctx.uid("segment", segment_id), props))
    return features
