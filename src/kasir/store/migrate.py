"""Bring a store to the newest schema with Alembic (used by the app and `kasir db`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from kasir.errors import StoreUnavailable
from kasir.resources import migrations_dir


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The store's revision, read without the write lock (a till may hold it)."""
    from kasir.store.engine import reading_engine

    with reading_engine(engine).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _refuse_unknown_revision(conn: Connection) -> None:
    """A store written by a newer Kasir cannot be opened by this one: say so, not a traceback."""
    current = MigrationContext.configure(conn).get_current_revision()
    if current is None:
        return
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        raise StoreUnavailable(
            f"Database ini memakai skema versi {current!r} yang tidak dikenal versi Kasir ini "
            "(dibuat oleh Kasir yang lebih baru?); perbarui aplikasi Kasir."
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        _refuse_unknown_revision(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
