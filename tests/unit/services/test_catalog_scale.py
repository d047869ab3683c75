"""The catalog at scale: 300,000 products with stock imported, exported and imported again into an
empty store gives the same catalog, on SQLite and PostgreSQL (issue 14, "Catalog at scale").

The import goes through `import_products` as `kasir products import` calls it (the file streamed
line by line, one transaction); the export through `export_products` into a file, as `kasir
products export` does. The catalog is the benchmark's generated one (kasir.bench.catalog_rows).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from kasir.bench import write_catalog_csv
from kasir.files import utf8_lines
from kasir.services.catalog_io import COLUMNS, export_products, import_products
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import upgrade
from kasir.store.models import Product, StockMovement, Upt

ROWS = 300_000

Digest = tuple[int, str, int]


def rows_digest(path: Path) -> Digest:
    """(data rows, SHA-256 of the rows in sorted order, sum of the stock column) of a product
    CSV: equal digests mean the same catalog, whatever the order of the rows."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert tuple(next(reader)) == COLUMNS
        stock = COLUMNS.index("stock")
        rows = sorted(reader)
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode())
        digest.update(b"\n")
    return len(rows), digest.hexdigest(), sum(int(r[stock]) for r in rows)


def import_file(factory: sessionmaker[Session], path: Path) -> int:
    with path.open("rb") as fh, factory.begin() as s:
        return import_products(s, utf8_lines(fh), source=path.name).products


def export_file(factory: sessionmaker[Session], path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as fh, factory() as s:
        return export_products(s, fh)


def totals(factory: sessionmaker[Session]) -> tuple[int, int, int, int]:
    """(products, UPTs, sum of on-hand stock, sum of the stock movements)."""
    with factory() as s:
        return (
            s.scalar(select(func.count()).select_from(Product)) or 0,
            s.scalar(select(func.count()).select_from(Upt)) or 0,
            s.scalar(select(func.coalesce(func.sum(Product.stock_qty), 0))) or 0,
            s.scalar(select(func.coalesce(func.sum(StockMovement.qty), 0))) or 0,
        )


@pytest.fixture
def new_store(db_url: str, backend: str, tmp_path: Path) -> Iterator[Callable[[], sessionmaker]]:
    """Call it for an empty migrated store on the test's backend (SQLite: a new file each time;
    PostgreSQL: the one test database, emptied, so the previous store is gone)."""
    engines: list[Engine] = []

    def make() -> sessionmaker[Session]:
        if backend == "sqlite":
            engine = make_engine(f"sqlite:///{tmp_path / f'store{len(engines)}.db'}")
        else:
            for old in engines:
                old.dispose()
            engine = make_engine(db_url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        engines.append(engine)
        return make_session_factory(engine)

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Digest]:
    """The generated catalog of ROWS products with stock (made once for both backends)."""
    path = tmp_path_factory.mktemp("catalog") / "catalog.csv"
    write_catalog_csv(path, ROWS)
    return path, rows_digest(path)


@pytest.mark.slow
def test_300k_products_import_export_round_trip(
    new_store: Callable[[], sessionmaker[Session]],
    catalog_file: tuple[Path, Digest],
    tmp_path: Path,
) -> None:
    source, source_digest = catalog_file
    rows, _, stock = source_digest
    assert rows == ROWS and stock > 0

    first = new_store()
    assert import_file(first, source) == ROWS
    counts = totals(first)
    assert counts[0] == ROWS
    assert counts[2] == counts[3] == stock  # every unit of stock through a movement
    exported = tmp_path / "export.csv"
    assert export_file(first, exported) == ROWS
    digest = rows_digest(exported)
    assert digest == source_digest  # the file's catalog, row for row (in SKU order)

    second = new_store()  # empty: on PostgreSQL the first store is gone
    assert totals(second) == (0, 0, 0, 0)
    assert import_file(second, exported) == ROWS
    assert totals(second) == counts
    again = tmp_path / "export-again.csv"
    assert export_file(second, again) == ROWS
    assert rows_digest(again) == digest
    assert again.read_bytes() == exported.read_bytes()  # also the same order (by SKU)
