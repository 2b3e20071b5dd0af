"""Measures of the implementation strategy (WPG § 20), their progress, and plan versions.

- :mod:`~heatplan.measures.schema`: tables and fields, described once
- :mod:`~heatplan.measures.model`: validation (pydantic)
- :mod:`~heatplan.measures.records`: store tables <-> records; the :class:`Catalogue`
- :mod:`~heatplan.measures.edit`: add, update (optimistic locking), append progress
- :mod:`~heatplan.measures.catalogue`, :mod:`~heatplan.measures.merge`: the XLSX catalogue
- :mod:`~heatplan.measures.kpis`: implementation KPIs against the scenario pathway
- :mod:`~heatplan.measures.versions`: snapshot and diff of plan versions
- :mod:`~heatplan.measures.sample`: the demo's sample catalogue
"""
