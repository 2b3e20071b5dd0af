"""The fixed tables of a project store, defined once (SQLAlchemy Core).

Most layers and tables of a project take their columns from the frames the steps write. A few
tables have a fixed schema because several parts of heatplan share them: the measure catalogue
and its progress log (WPG § 20, Umsetzungsstrategie), frozen plan versions, and the planners'
users, sessions and audit log of ``heatplan serve``. Their columns are agreed in INTERFACES.md.

On a GeoPackage these are ordinary attribute tables that the steps write through the store. On
PostgreSQL the alembic migrations (``heatplan/project/migrations``) create them with these
column types when the store is created, and the store keeps them: writing one of them with
``mode="replace"`` empties and refills the table instead of dropping it.

Dates are ISO text ``YYYY-MM-DD`` and times UTC ISO text (as on the GeoPackage), so both stores
return the same values.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)

metadata = MetaData()


def _texts(*names: str) -> list[Column[str]]:
    return [Column(name, Text) for name in names]


measures = Table(
    "measures",
    metadata,
    Column("measure_id", Text, primary_key=True),
    *_texts("title", "description", "measure_type", "responsible", "partners"),
    *_texts("start_date", "completion_date"),
    Column("cost_eur", Float),
    *_texts("cost_bearer", "financing"),
    Column("effect_mwh_per_a", Float),
    Column("effect_co2_t_per_a", Float),
    Column("effect_buildings_connected", Integer),
    Column("effect_network_km", Float),
    *_texts("area_ids", "status"),
    Column("public", Boolean, server_default=text("true")),
    Column("revision", Integer, server_default=text("1")),
    *_texts("updated_utc", "updated_by"),
)

measure_steps = Table(
    "measure_steps",
    metadata,
    Column("measure_id", Text, nullable=False),
    Column("step_no", Integer, nullable=False),
    *_texts("title", "due_date", "done_date"),
    PrimaryKeyConstraint("measure_id", "step_no", name="measure_steps_pkey"),
)

measure_progress = Table(
    "measure_progress",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=False),
    *_texts("measure_id", "entry_date", "author", "status"),
    Column("network_km", Float),
    Column("buildings_connected", Integer),
    Column("heat_mwh_per_a", Float),
    Column("co2_t_per_a", Float),
    *_texts("comment", "recorded_utc"),
)

plan_versions = Table(
    "plan_versions",
    metadata,
    Column("label", Text, primary_key=True),
    *_texts("frozen_utc", "note", "heatplan_version"),
)

users = Table(
    "users",
    metadata,
    Column("username", Text, primary_key=True),
    *_texts("role", "password_hash", "created_utc"),
    Column("disabled", Boolean, server_default=text("false")),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),
    *_texts("username", "created_utc", "expires_utc", "csrf_token"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # serial
    *_texts("at_utc", "username", "action", "target"),
    Column("detail", Text),  # JSON text
)

#: Table name -> definition, for the store.
FIXED_TABLES: dict[str, Table] = dict(metadata.tables)
