"""The name-search index over `product.search_name`, outside the models (dialect-specific DDL).

SQLite: a contentless FTS5 table `product_search` with the trigram tokenizer (rowid =
product.id) holding `search_name || '  '`, kept in sync by three triggers: after insert, after
delete and after an update OF search_name only (a sale changing stock_qty never touches the
index). `detail=none`: the index holds which products contain each trigram, not where, so a
word is looked up as all of its trigrams and the candidates are confirmed with LIKE (half the
size and time of positions). The two padding spaces make every 1- or 2-letter substring of a
name the start of some indexed trigram, so short words are found through the vocabulary table
`product_search_terms` (fts5vocab: one row per trigram, with its number of products) instead of
a scan; see `kasir.services.catalog.search`.
PostgreSQL: the `pg_trgm` extension and a GIN trigram index on search_name, which serves
`search_name LIKE '%word%'` for words of 3 or more characters, and indexes on sku and barcode
in code-point order (COLLATE "C") for the prefix ranges whatever the database's collation.

SQLite also gets `ix_product_search_key` on product (id, search_name, active): a candidate of
the trigram index is put in name order by reading this narrow index (covering, by id) instead of
the product row, about 40% less per candidate (`kasir.services.catalog` names it with INDEXED BY:
the planner would take the row). Added to stores made before it by migration 0004
(`install_lookup_index`).

`install(conn)` / `uninstall(conn)` are called by the migration that introduces the index; both
are idempotent. `install` re-indexes every product, so it is also the repair after a migration
that recreates `product` on SQLite (a batch "move and copy" drops the triggers with the old
table): such a migration must call `install` again at its end.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Connection, text

FTS_TABLE = "product_search"
VOCAB_TABLE = "product_search_terms"
PG_INDEX = "ix_product_search_name_trgm"
PG_CODE_INDEXES = ("ix_product_sku_c", "ix_product_barcode_c")
LOOKUP_INDEX = "ix_product_search_key"
PAD = "  "
"""Appended to search_name in the SQLite index (see the module docstring)."""

_INSERT_TRIGGER = "product_search_ai"
TRIGGERS = (_INSERT_TRIGGER, "product_search_ad", "product_search_au")

# FTS5 keeps its data in shadow tables named after the virtual table (contentless: no
# _content table, but a store made by another SQLite build may differ; ignore them all).
_FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
SEARCH_TABLES = frozenset({FTS_TABLE, VOCAB_TABLE, *(FTS_TABLE + s for s in _FTS_SHADOW_SUFFIXES)})

_PADDED = f"|| '{PAD}'"
_CREATE_INSERT_TRIGGER = (
    f"CREATE TRIGGER IF NOT EXISTS {_INSERT_TRIGGER} AFTER INSERT ON product BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name) VALUES (new.id, new.search_name {_PADDED}); "
    "END"
)
_DELETE_OLD = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name) "
    f"VALUES ('delete', old.id, old.search_name {_PADDED});"
)
_CREATE_LOOKUP_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {LOOKUP_INDEX} ON product (id, search_name, active)"
)
_SQLITE_INSTALL = (
    _CREATE_LOOKUP_INDEX,
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_name, content='', tokenize='trigram', detail='none')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB_TABLE} USING fts5vocab({FTS_TABLE}, 'row')",
    _CREATE_INSERT_TRIGGER,
    f"CREATE TRIGGER IF NOT EXISTS product_search_ad AFTER DELETE ON product BEGIN "
    f"{_DELETE_OLD} END",
    f"CREATE TRIGGER IF NOT EXISTS product_search_au AFTER UPDATE OF search_name ON product "
    f"BEGIN {_DELETE_OLD} INSERT INTO {FTS_TABLE}(rowid, search_name) "
    f"VALUES (new.id, new.search_name {_PADDED}); END",
    # Index whatever the table already holds (and repair an index that drifted).
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')",
    f"INSERT INTO {FTS_TABLE}(rowid, search_name) SELECT id, search_name {_PADDED} FROM product",
)

_SQLITE_UNINSTALL = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    f"DROP TABLE IF EXISTS {VOCAB_TABLE}",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"DROP INDEX IF EXISTS {LOOKUP_INDEX}",
)

_PG_INSTALL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON product USING gin (search_name gin_trgm_ops)",
    'CREATE INDEX IF NOT EXISTS ix_product_sku_c ON product (sku COLLATE "C")',
    'CREATE INDEX IF NOT EXISTS ix_product_barcode_c ON product (barcode COLLATE "C")',
)

# The extension stays: other objects may use it, and dropping it needs more rights.
_PG_UNINSTALL = tuple(f"DROP INDEX IF EXISTS {name}" for name in (PG_INDEX, *PG_CODE_INDEXES))


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
    """Create (or complete and re-fill) the search index on an upgraded store."""
    for stmt in _statements(conn, sqlite=_SQLITE_INSTALL, pg=_PG_INSTALL):
        conn.execute(text(stmt))


def uninstall(conn: Connection) -> None:
    """Drop the search index (the migration's downgrade)."""
    for stmt in _statements(conn, sqlite=_SQLITE_UNINSTALL, pg=_PG_UNINSTALL):
        conn.execute(text(stmt))


def install_lookup_index(conn: Connection) -> None:
    """SQLite: add `LOOKUP_INDEX` (migration 0004; `install` makes it too). PostgreSQL: nothing."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(_CREATE_LOOKUP_INDEX))


def uninstall_lookup_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"DROP INDEX IF EXISTS {LOOKUP_INDEX}"))


def has_lookup_index(conn: Connection) -> bool:
    """Whether this SQLite store has `LOOKUP_INDEX` (INDEXED BY fails without it)."""
    if conn.dialect.name != "sqlite":
        return False
    sql = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name"
    return conn.execute(text(sql), {"name": LOOKUP_INDEX}).first() is not None


def is_installed(conn: Connection) -> bool:
    """Whether this store has the index (search falls back to a scan when it does not)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"
        return conn.execute(text(sql), {"name": VOCAB_TABLE}).first() is not None
    if conn.dialect.name == "postgresql":
        found = conn.execute(text("SELECT to_regclass(:name)"), {"name": PG_INDEX}).scalar()
        return found is not None
    return False


@contextlib.contextmanager
def bulk_insert(conn: Connection) -> Iterator[None]:
    """For inserting many products in one transaction (a catalog import).

    SQLite: the per-row insert trigger is dropped for the block and the new products (ids above
    the largest before it) are indexed in one statement at its end, about twice as fast as row
    by row. Within the caller's transaction, so no other connection ever sees the index behind.
    PostgreSQL: nothing to do (the GIN index takes the rows as they come)."""
    if conn.dialect.name != "sqlite" or not is_installed(conn):
        yield
        return
    last_id = conn.execute(text("SELECT coalesce(max(id), 0) FROM product")).scalar_one()
    conn.execute(text(f"DROP TRIGGER IF EXISTS {_INSERT_TRIGGER}"))
    try:
        yield
        conn.execute(
            text(
                f"INSERT INTO {FTS_TABLE}(rowid, search_name) "
                f"SELECT id, search_name {_PADDED} FROM product WHERE id > :last"
            ),
            {"last": last_id},
        )
    finally:
        conn.execute(text(_CREATE_INSERT_TRIGGER))


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's `include_name` (migrations/env.py and the models-vs-migrations test):
    the index is not in the models, so comparing must not see it."""
    if type_ == "table" and name in SEARCH_TABLES:
        return False
    return not (type_ == "index" and name in (PG_INDEX, *PG_CODE_INDEXES, LOOKUP_INDEX))
