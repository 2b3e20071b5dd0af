"""The ``xplan-tools`` engine of the XWärmeplan export (optional extra ``heatplan[xwp]``).

xplan-tools is the XLeitstelle's Python package holding the pydantic model of XWärmeplan 0.9
(xplan-tools 1.17.5). It needs the GDAL Python bindings, so heatplan does not
depend on it: :func:`xplan_tools_available` says whether it can be used, and every entry point
raises :class:`~heatplan.errors.HeatplanError` with the install steps when it cannot.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from heatplan.errors import HeatplanError
from heatplan.outputs.xwp.gml import DataType, Feature, Measure, Ref, Value

__all__ = ["INSTALL_HINT", "save_with_xplan_tools", "validate_xwaermeplan", "xplan_tools_available"]

XWP_VERSION = "0.9"
INSTALL_HINT = (
    "the XWärmeplan engine 'xplan-tools' is not installed: `apt-get install -y libgdal-dev`, "
    "`pip install --no-build-isolation gdal==3.6.4`, then `pip install 'heatplan[xwp]'` "
    "(or export with engine 'builtin', which needs no GDAL)"
)


def xplan_tools_available() -> bool:
    """True when the optional ``xplan-tools`` package (and its GDAL bindings) can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in ("xplan_tools", "osgeo"))


def _plain(value: Value, srid: int) -> Any:
    """A property value as the xplan-tools models take it."""
    if isinstance(value, list):
        return [_plain(v, srid) for v in value]
    if isinstance(value, Ref):
        return value.uid
    if isinstance(value, Measure):
        return {"value": value.value, "uom": value.uom}
    if isinstance(value, DataType):
        return {k: _plain(v, srid) for k, v in value.props.items()}
    if isinstance(value, BaseGeometry):
        return {"srid": srid, "wkt": value.wkt}
    return value


def save_with_xplan_tools(features: list[Feature], srid: int, path: Path) -> None:
    if not xplan_tools_available():
        raise HeatplanError(INSTALL_HINT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # xplan-tools calls its own old API
        from pydantic import ValidationError
        from xplan_tools.interface.gml import GMLRepository
        from xplan_tools.model.base import Appschema, BaseCollection

        schema = Appschema.from_prefix(prefix="xwp", version=XWP_VERSION)
        models = {}
        for feature in features:
            data = {"id": feature.uid, **{k: _plain(v, srid) for k, v in feature.props.items()}}
            try:
                models[feature.uid] = schema.model_factory(feature.name).model_validate(data)
            except ValidationError as exc:
                raise ValueError(f"XWärmeplan model rejects {feature.name}: {exc}") from exc
        plan = BaseCollection(features=models, srid=srid, version=XWP_VERSION, appschema="xwp")
        GMLRepository(str(path)).save_all(plan)


def validate_xwaermeplan(path: Path | str) -> dict[str, int]:
    """Read a GML file back with xplan-tools (which validates every feature); count by class.

    Raises
    ------
    HeatplanError
        If xplan-tools is not installed.
    ValueError
        If a feature does not match the XWärmeplan 0.9 model (the message is xplan-tools').
    """
    if not xplan_tools_available():
        raise HeatplanError(INSTALL_HINT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydantic import ValidationError
        from xplan_tools.interface.gml import GMLRepository

        try:
            plan = GMLRepository(str(path)).get_all()
        except ValidationError as exc:
            raise ValueError(f"{path}: not valid XWärmeplan {XWP_VERSION}: {exc}") from exc
    return dict(Counter(feature.get_name() for feature in plan.features.values()))
