"""The heat plan in the XWärmeplan 0.9 data standard (GML 3.2), from the ``areas`` layer.

What is written (WPG Anlage 2 IV and V):

- ``WP_Plan`` (plan metadata, :class:`PlanMetadata`) with one ``WP_Bereich`` (the whole
  municipality; both bounded by the union of the areas);
- per area and snapshot year 2030/2035/2040 a ``WP_Waermeversorgungsgebiet<year>`` and for the
  target year a ``WP_WaermeversorgungsgebietZieljahr`` with the supply type (``versorgungsart``)
  and the three suitability grades the standard requires;
- a ``WP_Eignungspruefung`` for every area of the shortened procedure (WPG § 14);
- per area a ``WP_TextAbschnitt`` with the explanation and the likelihood per year (the
  standard has no likelihood attribute on the snapshot areas);
- with :class:`~heatplan.outputs.xwp.common.PlanContent` also the inventory totals, the
  target-scenario indicators per year, the public measures, block and street-segment
  features and the potentials (:mod:`heatplan.outputs.xwp.content`; Anlage 2 I, II, III, VI).

Two engines write the same document: ``xplan-tools`` (the XLeitstelle's pydantic model of the
standard; optional extra ``heatplan[xwp]``, needs the GDAL Python bindings) validates every
feature while it writes; ``builtin`` (:mod:`heatplan.outputs.xwp.gml`, standard library only) needs
nothing and :func:`validate_xwaermeplan` checks its output with xplan-tools where installed.
Areas under the WPG § 10 minimum get their reason text suppressed
(:func:`heatplan.publish.public_areas`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from heatplan.classify.rules import GRADE_DE, TYPE_DE
from heatplan.outputs.xwp.common import Context, PlanContent, PlanMetadata
from heatplan.outputs.xwp.content import ContentFeatures, content_features
from heatplan.outputs.xwp.gml import DataType, Feature, Ref, Value, write_gml
from heatplan.outputs.xwp.xplan_tools import (
    save_with_xplan_tools,
    validate_xwaermeplan,
    xplan_tools_available,
)
from heatplan.plan import columns as col
from heatplan.publish import public_areas

__all__ = [
    "AREA_TYPE_CODES",
    "GRADE_CODES",
    "PlanContent",
    "PlanMetadata",
    "XwpExport",
    "plan_features",
    "validate_xwaermeplan",
    "write_xwaermeplan",
    "xplan_tools_available",
]

Engine = Literal["auto", "xplan-tools", "builtin"]
#: heatplan area type -> XWärmeplan ``WP_WaermeversorgungsgebietTyp`` (XWärmeplan 0.9 code list).
AREA_TYPE_CODES = {
    "waermenetz": "1000",
    "waermenetz_verdichtung": "10001",
    "waermenetz_ausbau": "10002",
    "waermenetz_neubau": "10003",
    "wasserstoffnetz": "2000",
    "dezentral": "3000",
    "pruefgebiet": "4000",
}
#: heatplan likelihood grade -> XWärmeplan ``WP_Eignungsstufe``.
GRADE_CODES = {
    "sehr_wahrscheinlich_geeignet": "1000",
    "wahrscheinlich_geeignet": "2000",
    "wahrscheinlich_ungeeignet": "3000",
    "sehr_wahrscheinlich_ungeeignet": "4000",
    "trifft_nicht_zu": "5000",
}
SNAPSHOT_CLASSES = {
    2030: "WP_Waermeversorgungsgebiet2030",
    2035: "WP_Waermeversorgungsgebiet2035",
    2040: "WP_Waermeversorgungsgebiet2040",
}
#: Suitability columns (``<name>_<target year>``) -> attribute of the target-year area.
SUITABILITY = {
    "eignung_dezentral": "eignungDezentraleVersorgung",
    "eignung_waermenetz": "eignungWaermenetz",
    "eignung_wasserstoff": "eignungWasserstoffnetz",
}


@dataclass(frozen=True)
class XwpExport:
    """The written file, the engine that wrote it, the features by class and what was left out."""

    path: Path
    engine: str
    features: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "engine": self.engine,
            "features": self.features,
            "notes": self.notes,
        }


def _uid(plan: PlanMetadata, *parts: str) -> str:
    """A stable uuid: the same plan and area give the same ids in every export."""
    name = "/".join(["heatplan", plan.regional_key, plan.name, *parts])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _srid(areas: gpd.GeoDataFrame) -> int:
    epsg = areas.crs.to_epsg() if areas.crs is not None else None
    if epsg is None:
        raise ValueError(f"areas: CRS {areas.crs} has no EPSG code; XWärmeplan needs srsName")
    return int(epsg)


def _years(areas: pd.DataFrame, target_year: int) -> list[int]:
    """Snapshot years of the area types, each an XWärmeplan snapshot class."""
    years = sorted(int(c.rsplit("_", 1)[1]) for c in areas.columns if _is_year_col(c))
    needed = [
        f"area_type_{target_year}",
        f"likelihood_{target_year}",
        *(f"{name}_{target_year}" for name in SUITABILITY),
    ]
    missing = [c for c in needed if c not in areas.columns]
    if missing:
        raise ValueError(f"areas: columns {missing} missing; run `heatplan classify` first")
    odd = [y for y in years if y != target_year and y not in SNAPSHOT_CLASSES]
    if odd:
        raise ValueError(
            f"areas: column area_type_{odd[0]}: XWärmeplan 0.9 has supply areas only for "
            f"{sorted(SNAPSHOT_CLASSES)} and the target year {target_year}"
        )
    return [y for y in years if y != target_year]


def _is_year_col(column: str) -> bool:
    head, _, tail = column.rpartition("_")
    return head == "area_type" and tail.isdigit()


def _code(codes: dict[str, str], row: Any, column: str) -> str:
    value = getattr(row, column)
    if value not in codes:
        raise ValueError(
            f"areas: {column} of area {row.area_id!r} is {value!r}, not one of {sorted(codes)}"
        )
    return codes[value]


def _polygonal(geometry: BaseGeometry | None, label: str) -> MultiPolygon:
    if geometry is None or geometry.is_empty:
        raise ValueError(f"areas: area {label!r} has no geometry")
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    if not isinstance(geometry, MultiPolygon) or not geometry.is_valid:
        raise ValueError(
            f"areas: geometry of area {label!r} is not a valid (Multi)Polygon "
            f"({geometry.geom_type}, {shapely.is_valid_reason(geometry)})"
        )
    return geometry


def _checked(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(areas, gpd.GeoDataFrame) or col.AREA_ID not in areas.columns:
        raise ValueError("areas: a GeoDataFrame with column 'area_id' is needed")
    if areas.empty:
        raise ValueError("areas: no supply areas; run `heatplan areas` first")
    ids = areas[col.AREA_ID].astype(str)
    if areas[col.AREA_ID].isna().any() or ids.duplicated().any():
        raise ValueError(f"areas: area_id must be unique and set, got {ids[ids.duplicated()]}")
    return areas


def _text_of(row: Any, years: list[int], target_year: int) -> str:
    lines = [str(getattr(row, "explanation", "") or "").strip()]
    for year in [*years, target_year]:
        _code(AREA_TYPE_CODES, row, f"area_type_{year}")
        kind = str(getattr(row, f"area_type_{year}"))
        label = TYPE_DE.get(kind, kind)
        grade = getattr(row, f"likelihood_{year}", None)
        if grade is not None and not pd.isna(grade):
            _code(GRADE_CODES, row, f"likelihood_{year}")
            label += f", {GRADE_DE.get(grade, grade)}"
        lines.append(f"{year}: {label}")
    return "\n".join(line for line in lines if line)


def _shortened(row: Any) -> bool | None:
    value = getattr(row, "eignung_shortened", None)
    return None if value is None or pd.isna(value) else bool(value)


def _head(row: Any, bereich: str, text_uid: str) -> dict[str, Value]:
    """Properties every feature of one area shares (WP_Objekt ... WP_BeplantesTeilgebiet)."""
    area_id = str(row.area_id)
    label = str(getattr(row, "name", "") or "").strip()
    head: dict[str, Value] = {"title": area_id}
    if label and label != area_id:
        head["aufschrift"] = label
    head["refTextInhalt"] = Ref(text_uid)
    head["gehoertZuBereich"] = Ref(bereich)
    head["position"] = _polygonal(row.geometry, area_id)
    if _shortened(row) is not None:
        head["istVerkuerzteWaermeplanung"] = bool(_shortened(row))
    return head


def _text_feature(row: Any, uid: str, plan_uid: str, years: list[int], target: int) -> Feature:
    area_id = str(row.area_id)
    label = str(getattr(row, "name", "") or "").strip()
    title = f"{area_id} {label}" if label and label != area_id else area_id
    props: dict[str, Value] = {"title": title, "text": _text_of(row, years, target)}
    props["gehoertZuPlan"] = Ref(plan_uid)
    return Feature("WP_TextAbschnitt", uid, props)


def _area_features(
    row: Any, plan: PlanMetadata, bereich: str, plan_uid: str, years: list[int]
) -> list[Feature]:
    """Text, snapshot areas, target-year area and (§ 14) Eignungsprüfung of one area."""
    area_id, target = str(row.area_id), plan.target_year
    text_uid = _uid(plan, "text", area_id)
    head = _head(row, bereich, text_uid)
    features = [_text_feature(row, text_uid, plan_uid, years, target)]
    for year in years:
        props = {**head, "versorgungsart": _code(AREA_TYPE_CODES, row, f"area_type_{year}")}
        features.append(Feature(SNAPSHOT_CLASSES[year], _uid(plan, str(year), area_id), props))
    props = {**head, "versorgungsart": _code(AREA_TYPE_CODES, row, f"area_type_{target}")}
    for column, attribute in SUITABILITY.items():
        props[attribute] = _code(GRADE_CODES, row, f"{column}_{target}")
    features.append(
        Feature("WP_WaermeversorgungsgebietZieljahr", _uid(plan, "target", area_id), props)
    )
    if _shortened(row):
        check: dict[str, Value] = {
            "title": area_id,
            "gehoertZuBereich": Ref(bereich),
            "position": head["position"],
            "ungeeignetWaermenetz": True,  # § 14: unlikely for heat and hydrogen networks
            "ungeeignetWasserstoffnetz": True,
        }
        features.append(Feature("WP_Eignungspruefung", _uid(plan, "check", area_id), check))
    return features


def plan_features(
    areas: gpd.GeoDataFrame,
    plan: PlanMetadata,
    content: PlanContent | None = None,
    notes: list[str] | None = None,
) -> list[Feature]:
    """The whole plan as XWärmeplan features (plan, area, texts, supply areas per year).

    With ``content`` also inventory, scenario, measures, blocks, segments and potentials
    (:func:`heatplan.outputs.xwp.content.content_features`); what could not be written is appended
    to ``notes``.

    Raises
    ------
    ValueError
        If a column the standard needs is missing, a type or grade is not a known code, an
        area has no valid polygon or the CRS has no EPSG code.
    """
    checked = _checked(areas)
    areas = public_areas(checked)
    years = _years(areas, plan.target_year)
    plan_uid, bereich_uid = _uid(plan, "plan"), _uid(plan, "bereich")
    contents: list[Feature] = []
    for row in areas.itertuples(index=False):
        contents.extend(_area_features(row, plan, bereich_uid, plan_uid, years))
    extra = ContentFeatures()
    if content is not None:
        ctx = Context(lambda *parts: _uid(plan, *parts), plan_uid, bereich_uid)
        stichtag = date(plan.base_year, 12, 31)  # the data describe the base year
        extra = content_features(
            content, ctx, checked, target_year=plan.target_year, stichtag=stichtag
        )
        if notes is not None:
            notes.extend(ctx.notes)
    contents.extend(extra.planinhalt)
    extent = _polygonal(shapely.union_all(areas.geometry.to_numpy()), "union of all areas")
    all_texts = [*contents, *extra.texts]
    texts: list[Value] = [Ref(f.uid) for f in all_texts if f.name == "WP_TextAbschnitt"]
    inside = [Ref(f.uid) for f in contents if f.name != "WP_TextAbschnitt"]
    refs: dict[str, list[Value]] = {k: [Ref(u) for u in v] for k, v in extra.references().items()}
    return [
        _plan_feature(plan, plan_uid, extent, {**refs, "text": texts}, Ref(bereich_uid)),
        Feature(
            "WP_Bereich",
            bereich_uid,
            {
                "nummer": 0,
                "name": plan.municipality,
                "geltungsbereich": extent,
                "gehoertZuPlan": Ref(plan_uid),
                "planinhalt": inside,
            },
        ),
        *contents,
        *extra.plan_level,
        *extra.texts,
    ]


def _plan_feature(
    plan: PlanMetadata,
    uid: str,
    extent: MultiPolygon,
    refs: dict[str, list[Value]],
    bereich: Ref,
) -> Feature:
    town = DataType(
        "WP_Gemeinde", {"regionalSchluessel": plan.regional_key, "name": plan.municipality}
    )
    props: dict[str, Value] = {
        "name": plan.name,
        "beschreibung": plan.description,
        "planungsverantwortlicheStelle": town,
        "gesetzlicheGrundlage": plan.legal_basis,
        "zieljahr": str(plan.target_year),
        "basisJahrDatenerfassung": str(plan.base_year),
        "aufstellungsbeschlussDatum": plan.start_decision_date,
        "beschlussDatum": plan.adoption_date,
        "technHerstellDatum": date.today(),
        "technischePlanerstellung": plan.producer,
        "raeumlicherGeltungsbereich": extent,
        **{k: v for k, v in refs.items() if v},  # bestandsanalyse ... text, in model order
        "bereich": [bereich],
    }
    return Feature("WP_Plan", uid, props)


def write_xwaermeplan(
    areas: gpd.GeoDataFrame,
    plan: PlanMetadata,
    path: Path | str,
    *,
    engine: Engine = "auto",
    content: PlanContent | None = None,
) -> XwpExport:
    """Write the plan as an XWärmeplan 0.9 GML file.

    Parameters
    ----------
    areas : GeoDataFrame
        The ``areas`` layer after ``heatplan classify`` (AREAS-INTERFACE.md), in the project CRS.
    plan : PlanMetadata
        Name, municipality, dates and years of the plan.
    path : path
        The GML file to write (replaced if it exists).
    engine : {'auto', 'xplan-tools', 'builtin'}
        'auto' uses xplan-tools when installed, otherwise the builtin writer.
    content : PlanContent, optional
        Store tables for the features beyond the supply areas (inventory, scenario, measures,
        blocks, segments, potentials); None writes the areas only.

    Raises
    ------
    ValueError
        On areas the standard cannot take (see :func:`plan_features`).
    heatplan.errors.HeatplanError
        If engine 'xplan-tools' is asked for and not installed.
    """
    notes: list[str] = []
    features = plan_features(areas, plan, content, notes)
    srid = _srid(areas)
    path = Path(path)
    chosen = engine
    if engine == "auto":
        chosen = "xplan-tools" if xplan_tools_available() else "builtin"
    if chosen == "xplan-tools":
        save_with_xplan_tools(features, srid, path)
    elif chosen == "builtin":
        write_gml(features, srid=srid, path=path)
    else:
        raise ValueError(f"engine {engine!r} is not one of 'auto', 'xplan-tools', 'builtin'")
    return XwpExport(path, chosen, dict(Counter(f.name for f in features)), notes)
