"""The low-voltage grid under the heat pumps (issue 18): the grid as data, hourly loads per
building, a vectorised power flow over all hours, hosting capacity and reinforcement cost.

Layers: :mod:`heatplan.grid.model` (buses, lines, transformers, loads; buildings linked to
their connection bus), :mod:`heatplan.grid.loads` (heat pump, household, EV per hour),
:mod:`heatplan.grid.flow` (backward-forward sweep in matrix form per transformer area),
:mod:`heatplan.grid.hosting` (limits, hosting share, reinforcement cost).
"""
