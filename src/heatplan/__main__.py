"""``python -m heatplan``: the same command line as ``heatplan``."""

from heatplan.cli import app

app(prog_name="heatplan")
