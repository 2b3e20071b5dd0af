"""One LoD2 CityGML building: footprint, heights, storeys, roof surfaces (no store, no file).

See :mod:`heatplan.inputs.lod2` for what is read and how a building is joined; the reference
values come from ``lod2_parameters.csv``, ``roof_forms.csv`` and ``heated_area.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import Polygon

from heatplan.inputs import validate as v
from heatplan.inputs.alkis import function_code, use_of
from heatplan.inputs.citygml import Lod2Building
from heatplan.inputs.surfaces import surface_area_m2, tilt_azimuth_deg, volume_under_m3
from heatplan.plan import columns as col
from heatplan.reference import parameter, table

FLOORS_ESTIMATED = "estimated (LoD2 volume / storey height)"


def _parameter(name: str) -> float:
    return parameter("lod2_parameters.csv", name)


@dataclass(frozen=True)
class Lod2Rules:
    """The reference values a LoD2 building is read with (read once per file)."""

    flat_roof_max_tilt_deg: float
    wall_min_tilt_deg: float
    storey_height_m: float
    roof_forms: dict[str, str]

    @classmethod
    def load(cls) -> Lod2Rules:
        forms = table("roof_forms.csv", as_text=True)
        return cls(
            flat_roof_max_tilt_deg=_parameter("flat_roof_max_tilt_deg"),
            wall_min_tilt_deg=_parameter("wall_min_tilt_deg"),
            storey_height_m=parameter("heated_area.csv", "storey_height_m"),
            roof_forms=dict(zip(forms["code"], forms["roof_type"], strict=True)),
        )


def _classified(building: Lod2Building, rules: Lod2Rules) -> list[tuple[str, list[np.ndarray]]]:
    """Semantic surfaces as given; a bare solid's faces classified by tilt and level."""
    rings_z = [r[:, 2].min() for _, rings in building.surfaces for r in rings]
    bottom = min(rings_z, default=0.0)
    out = []
    for kind, rings in building.surfaces:
        if kind == "Unclassified":
            tilt, _ = tilt_azimuth_deg(rings[0])
            if tilt > rules.wall_min_tilt_deg:
                kind = "WallSurface"
            elif np.abs(rings[0][:, 2] - bottom).max() < 1e-6:
                kind = "GroundSurface"
            else:
                kind = "RoofSurface"
        out.append((kind, rings))
    return out


def _number(text: str | None) -> float | None:
    """NaN when empty, None when not a number."""
    return v.parse_number(text if text else None)


def summarise(building: Lod2Building, rules: Lod2Rules | None = None) -> dict[str, Any]:
    """Footprint, heights, storeys and roofs of one building; ``error`` when it is unusable.

    ``mean_height_m`` is the solid's volume over its footprint: the height of the GEG gross
    volume V_e that :func:`lod2_frames` turns into a heated area.
    """
    rules = rules or Lod2Rules.load()
    out: dict[str, Any] = {"lod2_id": building.gml_id, "row": building.row, "roofs": []}
    try:
        out.update(_summary(building, rules))
    except (ValueError, GEOSException) as exc:
        out["error"] = ("geometry", f"unusable geometry / Geometrie unbrauchbar: {exc}")
    return out


def _summary(building: Lod2Building, rules: Lod2Rules) -> dict[str, Any]:
    surfaces = _classified(building, rules)
    roofs = [rings for kind, rings in surfaces if kind == "RoofSurface"]
    grounds = [rings for kind, rings in surfaces if kind == "GroundSurface"]
    if building.error or not roofs:
        return {"error": ("geometry", building.error or "no roof surface / keine Dachfläche")}
    plan = [Polygon(r[0][:, :2], [h[:, :2] for h in r[1:]]) for r in grounds or roofs]
    footprint = shapely.union_all(shapely.make_valid(np.array(plan, dtype=object)))
    every_z = np.concatenate([r[:, 2] for _, rings in surfaces for r in rings])
    ground_z = min((r[:, 2].min() for rs in grounds for r in rs), default=every_z.min())
    volume = sum(volume_under_m3(rings, float(ground_z)) for rings in roofs)
    area = float(footprint.area)
    out: dict[str, Any] = {"footprint": footprint, "footprint_area_m2": area}
    out.update(volume_m3=volume, mean_height_m=volume / area if area > 0 else np.nan)
    out.update(_heights(building.attributes, float(every_z.max() - ground_z), out, rules))
    out.update(_roof_summary(roofs, building.attributes.get("roofType"), rules))
    code = function_code(building.attributes.get("function"))
    out.update(alkis_function=code, **{col.USE: use_of(code) if code else None})
    return out


def _heights(
    attrs: dict[str, str], model_height_m: float, found: dict[str, Any], rules: Lod2Rules
) -> dict[str, Any]:
    """``height_m``, ``floors`` and ``floors_source``; ``error`` for a value that is no number."""
    height = _number(attrs.get("measuredHeight"))
    storeys = _number(attrs.get("storeysAboveGround"))
    for field, value in (("measuredHeight", height), ("storeysAboveGround", storeys)):
        if value is None or (not np.isnan(value) and value <= 0):
            text = attrs.get(field)
            return {"error": (field, f"not a positive number / keine positive Zahl: {text!r}")}
    assert height is not None and storeys is not None
    mean_height = found["mean_height_m"]
    estimated = (
        max(1.0, float(np.round(mean_height / rules.storey_height_m)))
        if mean_height > 0
        else np.nan
    )
    return {
        "height_m": model_height_m if np.isnan(height) else height,
        "floors": estimated if np.isnan(storeys) else storeys,
        "floors_source": FLOORS_ESTIMATED if np.isnan(storeys) else "given",
    }


def _roof_summary(
    roofs: list[list[np.ndarray]], roof_type_code: str | None, rules: Lod2Rules
) -> dict[str, Any]:
    faces = [(surface_area_m2(r), *tilt_azimuth_deg(r[0]), r) for r in roofs]
    areas = np.array([f[0] for f in faces])
    tilts = np.array([f[1] for f in faces])
    flat_max = rules.flat_roof_max_tilt_deg
    pitched = [f for f in faces if f[1] > flat_max]
    given = rules.roof_forms.get(str(roof_type_code).strip()) if roof_type_code else None
    by_tilt = "pitched" if areas[tilts > flat_max].sum() > areas.sum() / 2 else "flat"
    roof_type = by_tilt if given in (None, "unknown") else given
    return {
        "roof_area_m2": float(areas.sum()),
        "roof_tilt_deg": float((areas * tilts).sum() / areas.sum()) if areas.sum() > 0 else np.nan,
        "roof_azimuth_deg": max(pitched, key=lambda f: f[0])[2] if pitched else np.nan,
        "roof_type": roof_type,
        "roofs": [
            {"area_m2": a, "tilt_deg": t, "azimuth_deg": z, "geometry": Polygon(r[0][:, :2])}
            for a, t, z, r in faces
        ],
    }
