"""Energy concepts for a company site: PV, battery, heat, cold and EV charging sized on German
tariffs.

One linear program over a year in 15-minute steps (:mod:`heatplan.site.optimize`), solved for a
full year in two stages (:mod:`heatplan.site.twostage`: sizes on hourly means, then the
quarter-hour dispatch with those sizes, with the gap between both), fed by a site
described in TOML (:mod:`heatplan.site.inputs`, heat, cold and charging in
:mod:`heatplan.site.loads`) and the tariff and cost tables ``data/site_tariffs.csv`` and
``data/site_costs.csv`` (:mod:`heatplan.site.tariffs`); :mod:`heatplan.site.study` gives the
before/after figures of ``heatplan site study``.
"""
