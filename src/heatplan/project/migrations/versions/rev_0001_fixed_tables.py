"""Fixed tables: measures, measure steps and progress, plan versions, users, sessions, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Creates the tables of ``heatplan.project.schema`` as they are in this release. When a later
release changes a fixed table, it adds a revision with the change (``op.add_column`` ...) and
spells this revision's tables out here, so that old stores and new ones end up alike.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import MetaData

from heatplan.project.schema import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade(schema: str = "public") -> None:
    target = MetaData(schema=schema)
    for table in metadata.sorted_tables:
        table.to_metadata(target, schema=schema)
    target.create_all(op.get_bind())


def downgrade(schema: str = "public") -> None:
    target = MetaData(schema=schema)
    for table in metadata.sorted_tables:
        table.to_metadata(target, schema=schema)
    target.drop_all(op.get_bind())
