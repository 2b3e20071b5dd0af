"""Open the QGIS project stored in a GeoPackage and render it to a PNG (run by Debian's Python).

Usage: ``QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_render.py FILE PROJECT OUT.png``.
Prints one JSON document: the project's CRS, and per layer its name, validity, feature count,
renderer type, visibility and whether its style is one stored in the file's ``layer_styles``.
Used by tests/test_gpkg_qgis.py; it imports QGIS, so pytest never collects it.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from qgis.core import (  # type: ignore[import-not-found]
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize  # type: ignore[import-not-found]
from qgis.PyQt.QtGui import QColor  # type: ignore[import-not-found]

SIZE_PX = (1000, 800)


def _layers(project: Any) -> list[dict[str, Any]]:
    root = project.layerTreeRoot()
    out = []
    for layer in project.mapLayers().values():
        node = root.findLayer(layer.id())
        stored = layer.listStylesInDatabase()  # (count, ids, names, descriptions, error)
        out.append(
            {
                "id": layer.id(),
                "name": layer.name(),
                "source": layer.source(),
                "valid": layer.isValid(),
                "features": layer.featureCount(),
                "renderer": layer.renderer().type() if layer.renderer() else None,
                "visible": bool(node and node.isVisible()),
                "stored_styles": list(stored[2])[: stored[0]] if stored else [],
                "labels": layer.labelsEnabled(),
            }
        )
    return out


def _render(project: Any, out: str) -> None:
    root = project.layerTreeRoot()
    layers = [n.layer() for n in root.findLayers() if n.isVisible()]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(QSize(*SIZE_PX))
    extent = QgsRectangle()
    for layer in layers:
        extent.combineExtentWith(settings.layerExtentToOutputExtent(layer, layer.extent()))
    extent.scale(1.05)
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(out, "png")


def main(gpkg: str, name: str, out: str) -> None:
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    ok = project.read(f"geopackage:{gpkg}?projectName={name}")
    result: dict[str, Any] = {"read": ok, "crs": project.crs().authid(), "layers": []}
    if ok:
        result["layers"] = _layers(project)
        _render(project, out)
    print(json.dumps(result))
    app.exitQgis()


if __name__ == "__main__":
    main(*sys.argv[1:4])
