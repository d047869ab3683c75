"""`open_store`: the one way the command line, the window and the benchmark open a store.

A store is created only on purpose. `open_store(..., create=True)` (`kasir db upgrade`,
`kasir demo-data`, `kasir --demo`, the app's first run) makes a new one when there is none;
every other caller gets `create=False` and a missing SQLite file, a 0-byte file or a database
without the Kasir schema is refused with one line that names the place and says how to create
a store, and nothing is written: no file, no folder.

What counts as "no store": a SQLite path that does not exist or is 0 bytes, or a database (SQLite
or PostgreSQL) with no tables at all. A store is created only where there is nothing: a 0-byte
file (perhaps a store lost to a crash or a bad copy) and a database holding other tables but no
Kasir schema (someone else's database, or a mistyped name) are refused even with `create=True`.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kasir.config import DbTimeouts
from kasir.errors import StoreUnavailable
from kasir.store.engine import describe_url, make_engine, make_session_factory
from kasir.store.migrate import is_up_to_date, upgrade

VERSION_TABLE = "alembic_version"
HOW_TO_CREATE = "buat toko baru dengan 'kasir db upgrade' (atau 'kasir demo-data' untuk data demo)"


class HasDatabaseUrl(Protocol):
    @property
    def database_url(self) -> str: ...


class StoreState(enum.Enum):
    MISSING = "missing"  # no file / no tables: a store may be created here
    EMPTY_FILE = "empty file"  # a 0-byte SQLite file: also "no store"
    KASIR = "kasir"  # has Kasir's schema (any revision)
    FOREIGN = "foreign"  # has tables, none of them Kasir's


@dataclass(frozen=True)
class OpenedStore:
    engine: Engine
    factory: sessionmaker[Session]
    description: str  # password-free, for messages and the status bar
    created: bool  # True when this call made a new store


class StoreMissing(StoreUnavailable):
    """No Kasir store where the configuration points, and the command may not create one."""


def _sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _sqlite_state(path: Path) -> StoreState:
    """Look at a SQLite file without creating or changing it (read-only connection)."""
    if not path.exists():
        return StoreState.MISSING
    if path.is_dir():
        raise StoreUnavailable(f"{path} adalah folder, bukan berkas database.")
    if path.stat().st_size == 0:
        return StoreState.EMPTY_FILE
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"{path} bukan database Kasir yang dapat dibaca ({exc}).") from exc
    return _state_of(names)


def _state_of(tables: set[str]) -> StoreState:
    if VERSION_TABLE in tables:
        return StoreState.KASIR
    return StoreState.FOREIGN if tables else StoreState.MISSING


def store_state(url: str, timeouts: DbTimeouts | None = None) -> StoreState:
    """What is at `url`, without creating anything (no file, no folder, no table)."""
    try:
        path = _sqlite_path(url)
    except ArgumentError as exc:
        raise StoreUnavailable(f"Alamat database tidak valid: {url!r}") from exc
    if path is not None:
        return _sqlite_state(path)
    if make_url(url).get_backend_name() == "sqlite":
        return StoreState.MISSING  # in memory: always new
    engine = make_engine(url, timeouts=timeouts)
    try:
        return _state_of(set(inspect(engine).get_table_names()))
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise StoreUnavailable(
            f"Database {describe_url(url)} tidak dapat dibuka: {detail[0] if detail else exc}"
        ) from exc
    finally:
        engine.dispose()


def _refusal(url: str, state: StoreState) -> StoreMissing:
    where = describe_url(url)
    if state is StoreState.EMPTY_FILE:
        # Perhaps a store lost to a crash or a bad copy: never silently made a new, empty one
        # (with the demo PINs), not even by the commands that may create a store.
        return StoreMissing(
            f"{where} adalah berkas kosong (0 byte), bukan toko Kasir; pulihkan toko dari "
            "cadangan, atau hapus berkas itu lalu jalankan 'kasir db upgrade'."
        )
    if state is StoreState.FOREIGN:
        return StoreMissing(
            f"{where} berisi tabel lain tanpa skema Kasir; periksa alamat database (--db)."
        )
    return StoreMissing(f"Belum ada toko Kasir di {where}; {HOW_TO_CREATE}.")


def require_store(url: str) -> None:
    """Refuse (StoreMissing) unless a Kasir store is at `url`; creates and changes nothing."""
    state = store_state(url)
    if state is not StoreState.KASIR:
        raise _refusal(url, state)


def _upgrade(engine: Engine, url: str, timeouts: DbTimeouts | None) -> None:
    """Bring the schema to the newest revision. On PostgreSQL a migration (an index over a big
    table) may run longer than the statement timeout of selling: it runs on its own engine
    without one (the lock timeout stays, so it never queues a busy store behind it)."""
    if is_up_to_date(engine):  # a read: opening a current store never waits for a writer
        return
    if engine.dialect.name != "postgresql":
        upgrade(engine)
        return
    migrating = make_engine(url, timeouts=replace(timeouts or DbTimeouts(), statement=0))
    try:
        upgrade(migrating)
    finally:
        migrating.dispose()


def open_store(
    config_or_url: HasDatabaseUrl | str, *, create: bool, timeouts: DbTimeouts | None = None
) -> OpenedStore:
    """Engine, schema brought to the newest revision, and a session factory.

    `create=False` refuses a place that holds no Kasir store (StoreMissing) and writes nothing
    there; `create=True` makes a new store where there is nothing yet (no file, or a database
    without tables). A 0-byte file or a database with other tables is refused either way.
    `timeouts` (PostgreSQL): given, else the config's `db_timeouts`, else the defaults."""
    url = config_or_url if isinstance(config_or_url, str) else config_or_url.database_url
    if timeouts is None and not isinstance(config_or_url, str):
        found = getattr(config_or_url, "db_timeouts", None)
        timeouts = found if isinstance(found, DbTimeouts) else None
    if not url.strip():
        raise StoreUnavailable("Alamat database kosong.")
    state = store_state(url, timeouts)
    if state is not StoreState.KASIR and not (create and state is StoreState.MISSING):
        raise _refusal(url, state)
    engine = make_engine(url, timeouts=timeouts)
    try:
        _upgrade(engine, url, timeouts)
    except BaseException:
        engine.dispose()
        raise
    return OpenedStore(
        engine=engine,
        factory=make_session_factory(engine),
        description=describe_url(url),
        created=state is not StoreState.KASIR,
    )
