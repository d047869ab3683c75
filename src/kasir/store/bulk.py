"""Many rows in one driver call, for the few hot paths that write lists of rows (checkout).

SQLAlchemy Core's executemany processes every parameter set in Python; here the statement is
built once per table and column list, the column types' own bind processors are applied (so
values are stored exactly as Core stores them), and the rows go to the driver's executemany.
Measured on SQLite: ~40 us for 10 rows against ~70 us through Core.

The statements go to the driver's cursor of the unit of work's connection (its transaction), not
through `Connection.exec_driver_sql`: that costs ~12 us a statement in execution context and
result set-up, a few times per checkout. A driver error still comes out as SQLAlchemy's own
(`sqlalchemy.exc.DBAPIError` and its kinds, a lost connection invalidated) through the
connection's error handling; statement events (`before_cursor_execute`) and echo are skipped.

The statement holds exactly the row's keys: a column left out gets its server default (every
column with a default has one, see models.py), so a new column never breaks these inserts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect


def _placeholder(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


class _Plan:
    """An INSERT for one table and column list, with the columns' bind processors."""

    __slots__ = ("getter", "processed", "single", "sql")

    def __init__(self, table: Table, columns: tuple[str, ...], dialect: Dialect) -> None:
        mark = _placeholder(dialect)
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join(mark for _ in columns)})"
        )
        self.getter: Callable[[dict[str, Any]], Any] = itemgetter(*columns)
        self.single = len(columns) == 1  # itemgetter of one key gives the value, not a tuple
        # Only the columns whose type converts values (timestamps, ...) are touched one by one.
        self.processed = tuple(
            (i, proc)
            for i, c in enumerate(columns)
            if (proc := table.c[c].type._cached_bind_processor(dialect)) is not None
        )

    def many(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """`params` of each row; a converted value the row before also had (the same object:
        one timestamp for all of a sale's movements) is converted once."""
        getter = self.getter
        if self.single:
            return [self.params(row) for row in rows]
        if not self.processed:
            return [getter(row) for row in rows]
        seen: dict[int, tuple[Any, Any]] = {}
        out = []
        for row in rows:
            values = list(getter(row))
            for i, proc in self.processed:
                value = values[i]
                if value is None:
                    continue
                last = seen.get(i)
                if last is not None and last[0] is value:
                    values[i] = last[1]
                else:
                    values[i] = converted = proc(value)
                    seen[i] = (value, converted)
            out.append(tuple(values))
        return out

    def params(self, row: dict[str, Any]) -> tuple[Any, ...]:
        values: tuple[Any, ...] = (self.getter(row),) if self.single else self.getter(row)
        if not self.processed:
            return values
        out = list(values)
        for i, proc in self.processed:
            if out[i] is not None:
                out[i] = proc(out[i])
        return tuple(out)


@lru_cache(maxsize=64)
def _insert_plan(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _Plan:
    return _Plan(table, columns, dialect)


def _run(conn: Connection, sql: str, params: Any, *, many: bool = False) -> Any | None:
    """Run `sql` on the driver's cursor inside `conn`'s transaction: the first row it returns,
    if any. Errors as `conn.execute` gives them (wrapped, a disconnect invalidating `conn`)."""
    cursor = conn.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
            return None
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None
    except Exception as exc:
        conn._handle_dbapi_exception(exc, sql, params, cursor, None)
    finally:
        cursor.close()


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (all with the keys of the first) in one driver executemany."""
    if not rows:
        return
    plan = _insert_plan(table, tuple(rows[0]), conn.dialect)
    _run(conn, plan.sql, plan.many(rows), many=True)


def insert_returning_id(conn: Connection, table: Table, row: dict[str, Any]) -> int:
    """Insert one row and return its new primary key `id` (SQLite 3.35+ and PostgreSQL)."""
    new_id = insert_returning_id_unless(conn, table, row, "")
    assert new_id is not None, "INSERT ... RETURNING id gave no row"
    return new_id


def insert_returning_id_unless(
    conn: Connection, table: Table, row: dict[str, Any], on_conflict: str
) -> int | None:
    """Insert one row with `on_conflict` (e.g. "ON CONFLICT (uuid) DO NOTHING"): its new `id`,
    or None when the conflict clause left it out."""
    plan = _insert_plan(table, tuple(row), conn.dialect)
    sql = f"{plan.sql} {on_conflict} RETURNING id" if on_conflict else f"{plan.sql} RETURNING id"
    found = _run(conn, sql, plan.params(row))
    return None if found is None else int(found[0])


def add_to_column(
    conn: Connection,
    table: Table,
    column: str,
    deltas: Sequence[tuple[int, int]],
    *,
    guard: tuple[str, Sequence[Any]] | None = None,
) -> int:
    """`column += delta` for each (primary key id, delta), in the order given; the number of
    rows changed. `guard` (a column, a value per delta): only rows whose column still holds
    that value change (the checkout's stock update checks each line's catalog price so, with
    no statement of its own)."""
    if not deltas:
        return 0
    mark = _placeholder(conn.dialect)
    sql = f"UPDATE {table.name} SET {column} = {column} + {mark} WHERE id = {mark}"
    params: list[tuple[Any, ...]] = [(delta, pk) for pk, delta in deltas]
    if guard is not None:
        sql += f" AND {guard[0]} = {mark}"
        params = [(*p, value) for p, value in zip(params, guard[1], strict=True)]
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, params)  # both drivers sum the rows changed into rowcount
        return int(cursor.rowcount)
    except Exception as exc:
        conn._handle_dbapi_exception(exc, sql, params, cursor, None)
        raise  # not reached: the call above raises
    finally:
        cursor.close()


def column_by_id(conn: Connection, table: Table, column: str, ids: Sequence[int]) -> dict[int, Any]:
    """{id: column} of the rows with these primary keys (one statement on the driver's
    cursor: the checkout reads the catalog prices of its lines with it). Plain column types
    only (no result processing)."""
    if not ids:
        return {}
    mark = _placeholder(conn.dialect)
    sql = f"SELECT id, {column} FROM {table.name} WHERE id IN ({', '.join([mark] * len(ids))})"
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, list(ids))
        return {int(pk): value for pk, value in cursor.fetchall()}
    except Exception as exc:
        conn._handle_dbapi_exception(exc, sql, ids, cursor, None)
        raise  # not reached: the call above raises
    finally:
        cursor.close()


class Prepared:
    """A Core statement compiled once for a dialect and run on the driver's cursor (see the
    module docstring): for the few statements of the checkout that are not row lists (the open
    shift read, the receipt number). Parameters go through their types' bind processors and
    the returned row through the result processors, as `conn.execute` would."""

    __slots__ = ("compiled", "order", "procs", "results", "sql")

    def __init__(self, stmt: Any, dialect: Dialect) -> None:
        self.compiled = stmt.compile(dialect=dialect)
        self.sql: str = self.compiled.string
        self.order: Sequence[str] | None = (
            self.compiled.positiontup if self.compiled.positional else None
        )
        self.procs: dict[str, Callable[[Any], Any]] = dict(self.compiled._bind_processors)
        self.results = tuple(
            col.type._cached_result_processor(dialect, None) for col in stmt.exported_columns
        )

    def first(self, conn: Connection, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """The statement's first row with `values` for its bound parameters, or None."""
        params = self.compiled.construct_params(values)
        for name, proc in self.procs.items():
            if params[name] is not None:
                params[name] = proc(params[name])
        found = _run(
            conn, self.sql, params if self.order is None else [params[n] for n in self.order]
        )
        if found is None:
            return None
        return tuple(
            value if proc is None or value is None else proc(value)
            for proc, value in zip(self.results, found, strict=True)
        )


@lru_cache(maxsize=64)
def prepared(stmt: Any, dialect: Dialect) -> Prepared:
    """`stmt` compiled for `dialect`, once (statements built at import time)."""
    return Prepared(stmt, dialect)
