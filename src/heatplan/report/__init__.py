"""HTML/PDF reports of a heat plan: the plan report and the yearly implementation report.

Sections are gathered from the store's aggregates after :mod:`heatplan.publish`
(:mod:`heatplan.report.inputs`), drawn as inline-SVG charts and maps (matplotlib, no tile
server) and rendered with jinja2 templates; WeasyPrint writes the PDF. The step
:func:`heatplan.steps.report.run_report` puts it together.
"""
