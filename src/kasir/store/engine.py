"""Engine and session factory: SQLite (one counter) or PostgreSQL (several counters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import StoreUnavailable

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy (not the sqlite3 module) decide where transactions begin, so that a
    # transaction covers its first SELECT too and DDL is transactional (for migrations).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # IMMEDIATE: take the write lock at BEGIN, where the busy timeout applies. A DEFERRED
    # transaction that reads and then writes fails at once with "database is locked" when
    # another connection committed in between (the busy handler cannot help it). Readers are
    # never blocked in WAL mode; one unit of work waits for another's few milliseconds.
    # Straight to the driver: this runs for every unit of work, scans included.
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE")


def describe_url(url: str) -> str:
    """A short, password-free description for status bars and messages."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite {u.database or ':memory:'}"
    return f"PostgreSQL {u.host or 'localhost'}:{u.port or 5432}/{u.database}"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for `url` with the pragmas Kasir relies on."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreUnavailable(f"Alamat database tidak valid: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable(f"Folder database tidak dapat dibuat: {exc}") from exc
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if backend == "postgresql":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    raise StoreUnavailable(
        f"Jenis database {backend!r} tidak didukung; pakai sqlite:/// atau postgresql+psycopg://"
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def backend_name(engine: Engine) -> str:
    return engine.dialect.name
