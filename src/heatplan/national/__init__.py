"""The national layer: the plan's stages mapped over municipalities (issue 20).

- :mod:`~heatplan.national.partitions` — frames partitioned by municipality key (GeoParquet);
- :mod:`~heatplan.national.stock` — a synthetic national stock, for benchmarks only;
- :mod:`~heatplan.national.run` — each municipality's partition as an in-memory plan, its
  stages run on a Dask cluster, the results merged to GeoParquet (and PostGIS);
- :mod:`~heatplan.national.tiles` — the released aggregates as vector tiles (PMTiles).
"""
