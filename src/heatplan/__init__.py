"""heatplan — open-source municipal heat planning (Wärmeplanung), from buildings to the plan."""

__version__ = "0.1.0"

#: Version of the project-store layout; bumped when layers or tables change incompatibly.
FORMAT_VERSION = 1
