"""Engine and session factory: SQLite (one counter) or PostgreSQL (several counters)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from kasir.config import DbTimeouts
from kasir.errors import KasirError, StoreUnavailable

SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_MMAP_BYTES = 1 << 30
"""SQLite reads the store file through a memory map of up to 1 GiB instead of copying each page
into its page cache (2 MB) with a read call: a name search that looks up thousands of products
costs about a third less (issue 14, search_p99_ms at 300,000 products). The map is shared with
the operating system's file cache; writes still go through the WAL."""
# Execution option of the engine behind `reading()`: the unit of work only reads.
READING = "kasir_reading"
# TCP keepalive on PostgreSQL connections: a link that went silent (a cable, a crashed host)
# is noticed after about idle + interval * count = 4 s while waiting for an answer, instead of
# the kernel's two hours. tcp_user_timeout does the same for data that is never acknowledged.
PG_KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 2,
    "keepalives_interval": 1,
    "keepalives_count": 2,
}


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy (not the sqlite3 module) decide where transactions begin, so that a
    # transaction covers its first SELECT too and DDL is transactional (for migrations).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # A unit of work that writes (`factory.begin()`, `factory()`): IMMEDIATE takes the write
    # lock at BEGIN, where the busy timeout applies. A DEFERRED transaction that reads and then
    # writes fails at once with "database is locked" when another connection committed in
    # between (the busy handler cannot help it).
    # A unit of work that only reads (`reading()`): a plain, deferred BEGIN. In WAL mode it
    # reads a snapshot and never waits for a writer, nor a writer for it.
    # Straight to the driver: this runs for every unit of work, scans included.
    if conn.get_execution_options().get(READING):
        conn.connection.driver_connection.execute("BEGIN")
    else:
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")


_reading_engines: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def reading_engine(engine: Engine) -> Engine:
    """`engine` for units of work that only read: a deferred BEGIN on SQLite, a READ ONLY
    REPEATABLE READ transaction on PostgreSQL (psycopg puts both in its BEGIN: no extra round
    trip). Same pool: a connection gets its usual settings back when it is returned."""
    found = _reading_engines.get(engine)
    if found is None:
        options: dict[str, Any] = {READING: True}
        if engine.dialect.name == "postgresql":
            # One snapshot for the whole unit, as on SQLite; a read-only REPEATABLE READ
            # transaction never fails to serialise. Both go into psycopg's BEGIN.
            options["postgresql_readonly"] = True
            options["isolation_level"] = "REPEATABLE READ"
        found = _reading_engines[engine] = engine.execution_options(**options)
    return found


@contextmanager
def writing(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that writes: `factory.begin()`, and when it is refused with an error that
    carries `afterwards` (a wrong PIN, a lockout: `kasir.errors.KasirError`), everything it
    wrote is rolled back and only `afterwards` is written, in a transaction of its own, before
    the error goes on to the caller."""
    try:
        with factory.begin() as session:
            yield session
    except KasirError as exc:
        record, exc.afterwards = exc.afterwards, None
        if record is None:
            raise
        with factory.begin() as session:
            record(session)
        raise


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads: `with reading(factory) as session: ...`.

    Unlike `factory.begin()` it takes no write lock on SQLite, so it never waits behind a
    writer (and no writer waits behind it); on PostgreSQL the transaction is READ ONLY. One
    snapshot for the whole block (WAL on SQLite, REPEATABLE READ on PostgreSQL: an export or
    a report adds up), nothing is committed (a write fails on PostgreSQL and may
    fail with "database is locked" on SQLite: write in `factory.begin()`)."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("reading() needs a session factory bound to an engine")
    with factory(bind=reading_engine(bind)) as session:
        yield session


def describe_url(url: str) -> str:
    """A short, password-free description for status bars and messages."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite {u.database or ':memory:'}"
    return f"PostgreSQL {u.host or 'localhost'}:{u.port or 5432}/{u.database}"


def pg_connect_args(url: URL, timeouts: DbTimeouts) -> dict[str, Any]:
    """libpq parameters: connect timeout, keepalive, and the lock and statement timeouts as
    session settings (`options`; one given in the URL comes after ours, so it wins)."""
    options = (
        f"-c lock_timeout={round(timeouts.lock * 1000)} "
        f"-c statement_timeout={round(timeouts.statement * 1000)}"
    )
    extra = url.query.get("options")
    if isinstance(extra, str) and extra.strip():
        options = f"{options} {extra.strip()}"
    return {
        "connect_timeout": timeouts.connect,
        "tcp_user_timeout": timeouts.connect * 1000,
        **PG_KEEPALIVE,
        "options": options,
    }


def make_engine(url: str, *, echo: bool = False, timeouts: DbTimeouts | None = None) -> Engine:
    """Create an engine for `url` with the pragmas Kasir relies on.

    PostgreSQL: `timeouts` (default `DbTimeouts()`) bound every wait, and a connection is
    pinged when taken from the pool; after a disconnect the pool is emptied, so the engine
    carries on with new connections once the server is back (no restart)."""
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
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args=pg_connect_args(parsed, timeouts or DbTimeouts()),
        )
    raise StoreUnavailable(
        f"Jenis database {backend!r} tidak didukung; pakai sqlite:/// atau postgresql+psycopg://"
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def backend_name(engine: Engine) -> str:
    return engine.dialect.name
