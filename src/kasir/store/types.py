"""Column types and server defaults shared by the models and the migrations.

Kept apart from `models.py` so that a migration can import them without importing the models
as they are today (a migration must keep meaning what it meant when it was written).

- `UtcDateTime`: the one timestamp type. Refuses naive datetimes on the way in; stores UTC
  (PostgreSQL `timestamptz`; SQLite text without an offset, always UTC); always returns aware
  UTC datetimes, on both backends.
- `new_uuid()`: a server default making a random (version 4) UUID in its text form, so that a
  row inserted without one (the bulk insert, a migration's backfill) still gets a unique one.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String, TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware timestamp: aware UTC out, aware (any zone) in, naive refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"timestamp expected, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            # SQLite's DATETIME storage drops the offset: store the UTC wall time.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as UTC without an offset
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class new_uuid(FunctionElement[str]):
    """Server default: a random version-4 UUID as 36 characters of lower-case hex."""

    type = String(36)
    inherit_cache = True


# SQLite has no UUID function: 16 random bytes shaped as xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx
# (Y one of 8, 9, a, b). Alembic compares server defaults as text, so this text must stay exact.
SQLITE_UUID_SQL = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)
# PostgreSQL 13+ (as reflected by the server, so that Alembic's comparison matches).
POSTGRESQL_UUID_SQL = "(gen_random_uuid())::text"


@compiles(new_uuid, "sqlite")
def _uuid_sqlite(_element: new_uuid, _compiler: SQLCompiler, **_kw: Any) -> str:
    return f"({SQLITE_UUID_SQL})"


@compiles(new_uuid, "postgresql")
def _uuid_postgresql(_element: new_uuid, _compiler: SQLCompiler, **_kw: Any) -> str:
    return POSTGRESQL_UUID_SQL


_VARIANT = "89ab" * 4  # the variant nibble: binary 10xx


def uuid4_text() -> str:
    """A new random (version 4) UUID in the text form the uuid columns hold.

    The same as `str(uuid.uuid4())`, made straight from 16 random bytes (half the time: the
    checkout makes one per line, payment and stock movement)."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16)]}{h[17:20]}-{h[20:]}"


def normalise_uuid(value: object) -> str:
    """A caller-given UUID in canonical text form; ValueError when it is not a UUID."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"UUID expected, got {type(value).__name__}")
    return str(uuid.UUID(value.strip()))
