"""``heatplan import lod2``: LoD2 CityGML buildings joined to the stored buildings, or new ones.

Per building of the file (:mod:`heatplan.inputs.citygml`):

- footprint: the ``bldg:GroundSurface`` polygons in plan (else the roofs' projection);
- ``height_m``: ``bldg:measuredHeight``, else the model's top minus its ground;
- ``floors``: ``bldg:storeysAboveGround`` (``floors_source = given``), else the mean height
  (volume / footprint) over the storey height of ``heated_area.csv`` (2.75 m, GEG), rounded,
  at least 1, flagged ``floors_source = estimated (LoD2 volume / storey height)``;
- roofs: every ``bldg:RoofSurface`` with its sloped area, tilt and azimuth into the layer
  ``roof_surfaces``; per building ``roof_area_m2``, the area-weighted ``roof_tilt_deg``, the
  azimuth of the largest pitched face ``roof_azimuth_deg`` and ``roof_type`` (flat or pitched
  from ``bldg:roofType`` with ``roof_forms.csv``, else from the tilts) for the solar potential;
- heated area: GEG A_N = 0.32 1/m x V_e (:func:`~heatplan.demand.typology.estimate_heated_area_m2`)
  with V_e the LoD2 solid's gross volume (roofs included as modelled), not footprint x ridge
  height; flagged ``heated_area_source = estimated (LoD2 volume, GEG A_N=0.32 V_e)``;
- use: ``bldg:function`` (``31001_1010`` or ``1010``) through ``alkis_gebaeudefunktion.csv``.

Join: a stored building whose ``building_id`` is the ``gml:id`` or the ALKIS id of the
``core:externalReference``; else the stored footprint covered at least half
(``lod2_parameters.csv``), or the stored point inside the footprint. A joined building keeps
what it already had (given data wins over an estimate) and gains what was empty. A building of
the file that joins nothing is added as a new building. Everything is one store transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from heatplan.demand.typology import estimate_heated_area_m2
from heatplan.errors import InputFileError
from heatplan.inputs.citygml import read_lod2
from heatplan.inputs.common import (
    REJECTIONS_TABLE,
    ImportResult,
    merge_frames,
    new_run_id,
    open_project,
    record_run,
    stamp_rejections,
    write_report,
)
from heatplan.inputs.imports import buildings_frame
from heatplan.inputs.lod2_building import Lod2Rules, summarise
from heatplan.plan import columns as col
from heatplan.reference import parameter

ROOF_LAYER = "roof_surfaces"
HEATED_AREA_SOURCE = "estimated (LoD2 volume, GEG A_N=0.32 V_e)"
#: Columns a LoD2 building brings; a joined building takes each where its own is empty.
LOD2_COLUMNS = (
    "height_m",
    "floors",
    "floors_source",
    "footprint_area_m2",
    "roof_type",
    "roof_area_m2",
    "roof_tilt_deg",
    "roof_azimuth_deg",
    "lod2_id",
    "alkis_function",
    col.USE,
)


@dataclass(frozen=True)
class Lod2Result:
    """Outcome of a LoD2 import: buildings joined, added, rejected; roof surfaces stored."""

    joined: int
    added: int
    rejected: int
    roof_surfaces: int
    file: str
    layer: str = "buildings"
    rejections_table: str = REJECTIONS_TABLE
    run_id: str = ""
    #: The CSV a failed import wrote its rejections to (the store was not touched).
    report: str | None = None

    @property
    def imported(self) -> int:
        return self.joined + self.added

    @property
    def usable(self) -> bool:
        return self.imported > 0

    def summary(self) -> ImportResult:
        """The common summary: joined buildings updated, new ones added (imported counts both)."""
        note = f"{self.joined} joined, {self.added} added, {self.roof_surfaces} roof surfaces"
        details = {"joined": self.joined, "added": self.added, "roof_surfaces": self.roof_surfaces}
        return ImportResult(
            imported=self.imported,
            rejected=self.rejected,
            layer=self.layer,
            file=self.file,
            run_id=self.run_id,
            mode="update",
            report=self.report,
            updated=self.joined,
            notes=(note,),
            details=details,
        )

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` document (the keys of every import)."""
        return self.summary().to_dict()


# --- the file --------------------------------------------------------------------------------
def lod2_frames(
    file: Path, *, crs: str | None, project_crs: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """(buildings, roof surfaces, rejections) of a CityGML file in the project CRS."""
    found, file_crs = read_lod2(file)
    source_crs = crs or file_crs
    if source_crs is None:
        raise InputFileError(
            file,
            "the file declares no CRS (srsName); give it with --crs / die Datei nennt kein "
            "Koordinatensystem (srsName); mit --crs angeben",
        )
    rules = Lod2Rules.load()
    summaries = [summarise(b, rules) for b in found]
    bad = [s for s in summaries if "error" in s]
    rejections = pd.DataFrame(
        [
            {
                "file": file.name,
                "row": s["row"],
                "field": s["error"][0],
                "value": s["lod2_id"],
                "reason": s["error"][1],
            }
            for s in bad
        ],
        columns=["file", "row", "field", "value", "reason"],
    )
    good = [s for s in summaries if "error" not in s]
    columns = [c for c in (*LOD2_COLUMNS, "mean_height_m", "volume_m3", "row") if c != col.USE]
    frame = gpd.GeoDataFrame(
        {c: [s.get(c) for s in good] for c in (*columns, col.USE)},
        geometry=[s["footprint"] for s in good],
        crs=source_crs,
    ).to_crs(project_crs)
    frame[col.HEATED_AREA_M2] = estimate_heated_area_m2(
        frame["footprint_area_m2"], frame["floors"], frame["mean_height_m"]
    )
    roofs = [dict(r, lod2_id=s["lod2_id"]) for s in good for r in s["roofs"]]
    roof_frame = gpd.GeoDataFrame(
        pd.DataFrame(roofs, columns=["lod2_id", "area_m2", "tilt_deg", "azimuth_deg", "geometry"]),
        geometry="geometry",
        crs=source_crs,
    ).to_crs(project_crs)
    externals = {b.gml_id: b.attributes.get("externalObject") for b in found}
    frame["alkis_id"] = frame["lod2_id"].map(externals)
    return frame, roof_frame, rejections


def join_buildings(lod2: gpd.GeoDataFrame, stored: gpd.GeoDataFrame) -> pd.Series:
    """``building_id`` of the stored building each LoD2 building joins; NaN for none.

    By id (``gml:id`` or the ALKIS id of the external reference), then by footprint overlap
    (at least ``min_overlap_share`` of the smaller footprint) or a stored point inside.
    """
    ids = set(stored[col.BUILDING_ID].astype(str))
    by_id = lod2["lod2_id"].where(lod2["lod2_id"].isin(ids)).astype(object)
    by_alkis = lod2["alkis_id"].where(lod2["alkis_id"].isin(ids)).astype(object)
    by_id = by_id.where(by_id.notna(), by_alkis)
    rest = lod2[by_id.isna()]
    if rest.empty or stored.empty:
        return by_id
    pairs = gpd.sjoin(
        rest[["geometry"]], stored[[col.BUILDING_ID, "geometry"]], predicate="intersects"
    )
    other = stored.geometry.reindex(pairs["index_right"]).to_numpy()
    mine = rest.geometry.reindex(pairs.index).to_numpy()
    shared = shapely.area(shapely.intersection(mine, other))
    smaller = np.minimum(shapely.area(mine), shapely.area(other))
    points = shapely.get_type_id(other) == 0
    share = np.where(points, 1.0, shared / np.where(smaller > 0, smaller, np.inf))
    pairs = pairs.assign(share=share)
    pairs = pairs[pairs["share"] >= parameter("lod2_parameters.csv", "min_overlap_share")]
    best = pairs.sort_values("share", ascending=False)
    best = best[~best.index.duplicated()][col.BUILDING_ID]
    # one stored building joins one LoD2 building: the one that covers it best
    best = best[~best.duplicated()]
    return by_id.where(by_id.notna(), best.reindex(by_id.index).astype(object))


def import_lod2(project_dir: Path, file: Path, *, crs: str | None = None) -> Lod2Result:
    """Import a LoD2 CityGML file: join, add, store roof surfaces (one store transaction)."""
    file, (config, store) = Path(file), open_project(project_dir)
    lod2, roofs, rejections = lod2_frames(file, crs=crs, project_crs=config.project.crs)
    stored = store.read("buildings") if store.has("buildings") else None
    if stored is not None and len(stored):
        joined = join_buildings(lod2, gpd.GeoDataFrame(stored, geometry="geometry"))
    else:
        joined = pd.Series(np.nan, index=lod2.index, dtype=object)
    matched = lod2[joined.notna()].assign(**{col.BUILDING_ID: joined[joined.notna()]})
    new = lod2[joined.isna()]
    added, more = _new_buildings(new, file=file, crs=config.project.crs, stored=stored)
    rejections = pd.concat([rejections, more], ignore_index=True)
    ids = pd.concat([matched[col.BUILDING_ID], added[col.BUILDING_ID]])
    roofs[col.BUILDING_ID] = roofs["lod2_id"].map(dict(zip(lod2["lod2_id"], joined, strict=True)))
    roofs[col.BUILDING_ID] = roofs[col.BUILDING_ID].fillna(roofs["lod2_id"])
    roofs = roofs[roofs[col.BUILDING_ID].isin(set(ids))]
    run_id = new_run_id()
    stamped = stamp_rejections(rejections, target="buildings", run_id=run_id)
    report = None
    if not (len(matched) or len(added)):  # failed: the store stays as it was
        report = write_report(stamped, file=file, run_id=run_id, folder=Path(project_dir))
    else:
        with store.transaction(step="import lod2") as writer:
            writer.write("buildings", _updated(stored, matched, added), mode="replace")
            if len(roofs):
                kept = writer.read(ROOF_LAYER) if writer.has(ROOF_LAYER) else None
                writer.write(ROOF_LAYER, _roofs(kept, roofs), mode="replace")
            record_run(
                writer, stamped, target="buildings", run_id=run_id, file=file, mode="update",
                imported=len(matched) + len(added), replaced=len(matched),
            )  # fmt: skip
    return Lod2Result(
        joined=len(matched),
        added=len(added),
        rejected=int(rejections["row"].nunique()),
        roof_surfaces=len(roofs),
        file=str(file),
        run_id=run_id,
        report=None if report is None else str(report),
    )


def _new_buildings(
    new: gpd.GeoDataFrame, *, file: Path, crs: str, stored: pd.DataFrame | None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """LoD2 buildings that join nothing as new ``buildings`` rows (``building_id`` = gml:id)."""
    if new.empty:
        return gpd.GeoDataFrame({col.BUILDING_ID: []}, geometry=[], crs=crs), pd.DataFrame(
            columns=["file", "row", "field", "value", "reason"]
        )
    frame = new.assign(
        **{col.BUILDING_ID: new["lod2_id"], "heated_area_source": HEATED_AREA_SOURCE}
    )
    stored_ids = None if stored is None else stored[col.BUILDING_ID]
    rows = frame["row"].to_numpy()
    added, rejections = buildings_frame(
        frame.reset_index(drop=True), file=file, crs=crs, stored_ids=stored_ids
    )
    added["source_row"] = rows[added.index.to_numpy()]
    if not rejections.empty:  # positions in the frame -> buildings of the file
        rejections["row"] = rows[rejections["row"].to_numpy() - 1]
    return added, rejections


def _updated(
    stored: pd.DataFrame | None, matched: gpd.GeoDataFrame, added: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Stored buildings with the LoD2 values filled where empty, followed by the new ones."""
    if stored is None:
        return added
    out = gpd.GeoDataFrame(stored.copy(), geometry="geometry")
    rows = out[col.BUILDING_ID].astype(str).isin(set(matched[col.BUILDING_ID].astype(str)))
    lod2 = matched.set_index(matched[col.BUILDING_ID].astype(str))
    keys = out.loc[rows, col.BUILDING_ID].astype(str)
    had_area = _column(out, col.HEATED_AREA_M2).notna()
    for name in (*LOD2_COLUMNS, col.HEATED_AREA_M2):
        numeric = matched[name].dtype.kind == "f"
        current = _column(out, name).astype("float64" if numeric else object)
        empty = current.isna() | current.astype(str).eq("unknown")
        values = pd.Series(lod2[name].reindex(keys).to_numpy(), index=keys.index)
        current.loc[rows & empty] = values[rows & empty]
        out[name] = current
    source = _column(out, "heated_area_source").astype(object)
    source.loc[rows & ~had_area & out[col.HEATED_AREA_M2].notna()] = HEATED_AREA_SOURCE
    out["heated_area_source"] = source
    if added.empty:
        return out
    return gpd.GeoDataFrame(merge_frames(out, added), geometry="geometry", crs=out.crs)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].copy()
    return pd.Series(None, index=frame.index, dtype=object)


def _roofs(kept: pd.DataFrame | None, roofs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Roof surfaces: the new ones replace those stored for the same buildings."""
    roofs = roofs[[col.BUILDING_ID, "lod2_id", "area_m2", "tilt_deg", "azimuth_deg", "geometry"]]
    if kept is None or kept.empty:
        return roofs
    kept = kept[~kept[col.BUILDING_ID].isin(set(roofs[col.BUILDING_ID]))]
    return gpd.GeoDataFrame(pd.concat([kept, roofs], ignore_index=True), geometry="geometry")
