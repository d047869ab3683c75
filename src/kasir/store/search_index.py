"""The name-search index over `product.search_name`, outside the models (dialect-specific DDL).

SQLite: an FTS5 table `product_search` with the trigram tokenizer, an external-content index
over `product` (rowid = product.id), kept in sync by three triggers: after insert, after delete
and after an update OF search_name only (a sale changing stock_qty never touches the index).
PostgreSQL: the `pg_trgm` extension and a GIN trigram index on search_name, which serves
`search_name LIKE '%word%'` for words of 3 or more characters.

`install(conn)` / `uninstall(conn)` are called by the migration that introduces the index; both
are idempotent. `install` rebuilds the SQLite index from the table, so it is also the repair
after a migration that recreates `product` on SQLite (a batch "move and copy" drops the
triggers with the old table): such a migration must call `install` again at its end.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

FTS_TABLE = "product_search"
PG_INDEX = "ix_product_search_name_trgm"
TRIGGERS = ("product_search_ai", "product_search_ad", "product_search_au")

# FTS5 keeps its data in shadow tables named after the virtual table.
_FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
SEARCH_TABLES = frozenset({FTS_TABLE, *(FTS_TABLE + s for s in _FTS_SHADOW_SUFFIXES)})

_SQLITE_INSTALL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_name, content='product', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS product_search_ai AFTER INSERT ON product BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name) VALUES (new.id, new.search_name); END",
    f"CREATE TRIGGER IF NOT EXISTS product_search_ad AFTER DELETE ON product BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); END",
    f"CREATE TRIGGER IF NOT EXISTS product_search_au AFTER UPDATE OF search_name ON product BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name) VALUES (new.id, new.search_name); END",
    # Index whatever the table already holds (and repair an index that drifted).
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)

_SQLITE_UNINSTALL = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

_PG_INSTALL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON product USING gin (search_name gin_trgm_ops)",
)

# The extension stays: other objects may use it, and dropping it needs more rights.
_PG_UNINSTALL = (f"DROP INDEX IF EXISTS {PG_INDEX}",)


def _statements(
    conn: Connection, *, sqlite: tuple[str, ...], pg: tuple[str, ...]
) -> tuple[str, ...]:
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return sqlite
    if dialect == "postgresql":
        return pg
    raise NotImplementedError(f"no search index for dialect {dialect!r}")


def install(conn: Connection) -> None:
    """Create (or complete and rebuild) the search index on an upgraded store."""
    for stmt in _statements(conn, sqlite=_SQLITE_INSTALL, pg=_PG_INSTALL):
        conn.execute(text(stmt))


def uninstall(conn: Connection) -> None:
    """Drop the search index (the migration's downgrade)."""
    for stmt in _statements(conn, sqlite=_SQLITE_UNINSTALL, pg=_PG_UNINSTALL):
        conn.execute(text(stmt))


def is_installed(conn: Connection) -> bool:
    """Whether this store has the index (search falls back to a scan when it does not)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"
        return conn.execute(text(sql), {"name": FTS_TABLE}).first() is not None
    if conn.dialect.name == "postgresql":
        found = conn.execute(text("SELECT to_regclass(:name)"), {"name": PG_INDEX}).scalar()
        return found is not None
    return False


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's `include_name` (migrations/env.py and the models-vs-migrations test):
    the index is not in the models, so comparing must not see it."""
    if type_ == "table" and name in SEARCH_TABLES:
        return False
    return not (type_ == "index" and name == PG_INDEX)
