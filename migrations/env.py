"""Alembic environment for Kasir.

Run through `kasir db upgrade` (or the app's start-up), which passes an open connection in
`config.attributes["connection"]`; plain `alembic` from the repository root works too and then
uses `KASIR_DATABASE_URL` or the default SQLite store.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from kasir.store import search_index
from kasir.store.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        # The search index (FTS5 tables, pg_trgm index) is DDL outside the models.
        include_name=search_index.include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from kasir.config import load_config
    from kasir.store.engine import make_engine

    engine = make_engine(load_config().database_url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Kasir migrations run online only (kasir db upgrade).")
run_migrations_online()
