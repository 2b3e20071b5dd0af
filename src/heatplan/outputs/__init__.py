"""The files the heat plan is published in: GeoPackage, XLSX workbook and XWärmeplan GML.

Every writer takes its tables through :mod:`heatplan.publish` (WPG §§ 10-12). Table builders
that the report shares with the workbook live in :mod:`heatplan.publish.tables` (released tables)
and :mod:`heatplan.outputs.tables` (the area profiles), not in a writer.
"""
