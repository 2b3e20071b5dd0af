"""Target scenario (WPG § 17): yearly pathway to the target year and the Anlage-2 indicators.

- :func:`heatplan.scenario.pathway.pathway`: buildings x years from frames of buildings and areas.
- :func:`heatplan.scenario.indicators.anlage2_indicators` / ``indicator_table``: the seven
  indicators for 2030, 2035, 2040, 2045.
- :mod:`heatplan.scenario.variants`: settings with sourced defaults, named variants, costs and
  variants side by side.
- :mod:`heatplan.scenario.costs`: energy bills, renovation, heater, connection and network
  investments of a pathway (overnight and as annuities); :mod:`heatplan.scenario.heated_area`:
  heated floor area estimated from demand and TABULA where the inventory has none.
"""
