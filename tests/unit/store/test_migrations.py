"""Models and migrations agree, and the migrations go up, down and up again on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select

from kasir.store import search_index
from kasir.store.engine import make_engine
from kasir.store.migrate import current_revision, downgrade, head_revision, is_up_to_date, upgrade
from kasir.store.models import Base, Category

CATEGORIES = {"kuliner", "kerajinan", "furnitur", "pertanian", "perikanan"}


def schema_diff(engine: Engine) -> list[Any]:
    """What autogenerate would still write, configured as migrations/env.py configures it."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "render_as_batch": conn.dialect.name == "sqlite",
                "target_metadata": Base.metadata,
                "include_name": search_index.include_name,
            },
        )
        return list(compare_metadata(ctx, Base.metadata))


def app_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"} - search_index.SEARCH_TABLES


def category_codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(Category.code)))


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        assert is_up_to_date(engine)
        assert schema_diff(engine) == []
        assert app_tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert category_codes(engine) == CATEGORIES

        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert app_tables(engine) == set()

        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert app_tables(engine) == set(Base.metadata.tables)
        assert category_codes(engine) == CATEGORIES
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_upgrade_of_an_up_to_date_store_is_a_no_op(engine: Engine) -> None:
    """`engine` is already migrated: a second upgrade changes nothing (no duplicate categories)."""
    before = current_revision(engine)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == before == head_revision()
    with engine.connect() as conn:
        assert len(conn.scalars(select(Category.code)).all()) == len(CATEGORIES)
    assert schema_diff(engine) == []
