"""Energy concepts for a company site: PV, battery and peak shaving sized on German tariffs.

One linear program over a year in 15-minute steps (:mod:`heatplan.site.optimize`), fed by a site
described in TOML (:mod:`heatplan.site.inputs`) and the tariff and cost tables
``data/site_tariffs.csv`` and ``data/site_costs.csv`` (:mod:`heatplan.site.tariffs`).
"""
