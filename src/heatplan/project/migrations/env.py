"""alembic environment of the PostgreSQL project store (run by ``PostgisStore.create``).

heatplan runs the migrations itself, never through the ``alembic`` command line: the store passes
its open connection (inside the step's transaction) and the project's PostgreSQL schema in
``config.attributes`` (``connection``, ``schema``); see ``heatplan.project.store_postgis``.
The version table ``alembic_version`` lives in the project's schema.
"""

from __future__ import annotations

from alembic import context

from heatplan.project.schema import metadata


def run_migrations() -> None:
    config = context.config
    connection = config.attributes["connection"]
    schema = str(config.attributes.get("schema", "public"))
    context.configure(connection=connection, target_metadata=metadata, version_table_schema=schema)
    with context.begin_transaction():
        context.run_migrations(schema=schema)


def _under_alembic() -> bool:
    """True when alembic loaded this file (not pytest's doctest collection importing it)."""
    try:
        context.config  # noqa: B018 - the proxy raises outside a migration run
    except (AttributeError, NameError):
        return False
    return True


if _under_alembic():
    run_migrations()
