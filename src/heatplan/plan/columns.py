"""The names of the columns the stages share, one constant per column.

The stages read and add columns of the plan's frames (``buildings``, ``blocks``,
``street_segments``, ``grid_100m``, ``areas`` …) by name; these constants are those names, so
that a column is spelled in one place. Each constant is named after its column, units kept in
the name (``HEAT_DEMAND_KWH_PER_A`` is ``heat_demand_kwh_per_a`` in kWh/a). Every column named
here is described — type, unit, description — in ``heatplan/data/attributes.csv``; the frames
are described in ``heatplan/data/frames.csv`` (:mod:`heatplan.plan.frames`).

This module imports nothing, so any package may use it.
"""

from __future__ import annotations

from typing import Final

# --- keys ------------------------------------------------------------------------------------
#: Unique building identifier; key of ``buildings``.
BUILDING_ID: Final = "building_id"
#: Block identifier; key of ``blocks`` and the block a building lies in.
BLOCK_ID: Final = "block_id"
#: Street-segment identifier; key of ``street_segments`` and the segment a building is on.
SEGMENT_ID: Final = "segment_id"
#: 100 m cell identifier (INSPIRE grid); key of ``grid_100m`` and the cell of a building.
GRID_ID: Final = "grid_id"
#: Supply-area identifier; key of ``areas`` and the area a building or block belongs to.
AREA_ID: Final = "area_id"

# --- building attributes ---------------------------------------------------------------------
#: Building use (TABULA type or non-residential category).
USE: Final = "use"
#: Year of construction [a].
CONSTRUCTION_YEAR: Final = "construction_year"
#: Heated (reference) floor area A_N [m2].
HEATED_AREA_M2: Final = "heated_area_m2"
#: Main heating carrier (code of ``carriers.csv``).
CARRIER: Final = "carrier"
#: Where a building's carrier came from: measured, register, zensus_2022_grid (a prior), unknown.
CARRIER_SOURCE: Final = "carrier_source"
#: Hourly profile class (BDEW/SigLinDe).
PROFILE_CLASS: Final = "profile_class"

# --- energy and emissions --------------------------------------------------------------------
#: Useful heat demand, space heating + hot water [kWh/a].
HEAT_DEMAND_KWH_PER_A: Final = "heat_demand_kwh_per_a"
#: Useful heat demand of an area [MWh/a].
HEAT_DEMAND_MWH_PER_A: Final = "heat_demand_mwh_per_a"
#: Final energy for heat [kWh/a].
FINAL_ENERGY_KWH_PER_A: Final = "final_energy_kwh_per_a"
#: Greenhouse-gas emissions CO2e of the heat supply [t/a].
CO2_T_PER_A: Final = "co2_t_per_a"
#: Heat demand per hectare [MWh/(ha·a)].
HEAT_DENSITY_MWH_PER_HA_A: Final = "heat_density_mwh_per_ha_a"
#: Heat demand per metre of street [kWh/(m·a)].
LINE_DENSITY_KWH_PER_M_A: Final = "line_density_kwh_per_m_a"

# --- classification: full cost in two perspectives -------------------------------------------
#: Whose full cost decided an area's type (``owner`` or ``economic``).
COST_PERSPECTIVE: Final = "cost_perspective"
#: An area network's full cost of heat as owners pay it (BEW funding, VAT) [EUR/MWh].
NETWORK_LCOH_OWNER_EUR_PER_MWH: Final = "network_lcoh_owner_eur_per_mwh"
#: An area's decentral full cost as owners pay it (gross prices, BEG funding) [EUR/MWh].
DECENTRAL_LCOH_OWNER_EUR_PER_MWH: Final = "decentral_lcoh_owner_eur_per_mwh"
#: An area network's full cost without VAT and funding (economic perspective) [EUR/MWh].
NETWORK_LCOH_ECONOMIC_EUR_PER_MWH: Final = "network_lcoh_economic_eur_per_mwh"
#: An area's decentral full cost without VAT and funding (economic perspective) [EUR/MWh].
DECENTRAL_LCOH_ECONOMIC_EUR_PER_MWH: Final = "decentral_lcoh_economic_eur_per_mwh"
