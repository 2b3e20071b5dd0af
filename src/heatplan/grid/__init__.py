"""The low-voltage grid under the heat pumps (issue 18): the grid as data, hourly loads per
building, a vectorised power flow over all hours, hosting capacity and reinforcement cost.

Modules: :mod:`heatplan.grid.model` (buses, lines, transformers, loads; buildings linked to
their connection bus), :mod:`heatplan.grid.loads` (heat pump, household, EV per hour),
:mod:`heatplan.grid.flow` (fixed-point power flow of all hours at once),
:mod:`heatplan.grid.hosting` (limits, element states per area, hosting share),
:mod:`heatplan.grid.reinforce` (transformer exchange, parallel cable) and
:mod:`heatplan.grid.check` (the whole check of a plan, per transformer and supply area).
"""
