"""The heat plan in the XWärmeplan 0.9 data standard: :mod:`heatplan.outputs.xwp.plan` writes
it, the other modules build its features."""
