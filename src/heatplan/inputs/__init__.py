"""What a town has, read into the project: files, registers, OSM, weather.

The readers (:mod:`~heatplan.inputs.readers`, :mod:`~heatplan.inputs.osm`,
:mod:`~heatplan.inputs.weather`), the column mapping, units and row validation, and the import
step that writes buildings, tables, lines, polygons and registers into the project store
(:mod:`~heatplan.inputs.imports`). Nothing here writes a public output (:mod:`heatplan.outputs`).
"""
