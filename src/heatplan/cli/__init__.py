"""The ``heatplan`` command line: a thin face over the Python API.

Every command takes ``--json`` and then prints one JSON document on stdout. User mistakes end in
a one-line message and a non-zero exit status, never a traceback.
"""

from heatplan.cli import (  # noqa: F401  (they register the commands)
    calc,
    commands,
    grid,
    imports,
    measures,
    national,
    network,
    plan,
    quarter,
    report,
    serve,
    site,
)
from heatplan.cli.app import app

__all__ = ["app"]
