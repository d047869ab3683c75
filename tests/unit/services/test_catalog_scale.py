"""The catalog at scale: 300,000 products with stock imported, exported and imported again into an
empty store gives the same catalog, on SQLite and PostgreSQL (issue 14, "Catalog at scale");
and every way name search takes on a big catalog gives what a plain model of it gives.

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

from kasir.bench import search_queries, write_catalog_csv
from kasir.files import utf8_lines
from kasir.services import catalog
from kasir.services.catalog_io import COLUMNS, export_products, import_products
from kasir.store import search_index
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import upgrade
from kasir.store.models import Product, StockMovement, Upt
from kasir.text import fold

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


def model_search(
    products: list[tuple[str, str, str | None, bool]], text: str, limit: int, inactive: bool
) -> list[str]:
    """`catalog.search` as a plain filter over (search_name, sku, barcode, active): names
    holding every word, SKUs and barcodes starting with the text; in name order."""
    words = fold(text).split()
    raw = text.strip()
    found = sorted(
        name
        for name, sku, barcode, active in products
        if (active or inactive)
        and (
            all(w in name for w in words)
            or sku.startswith(raw.upper())
            or (barcode or "").startswith(raw)
        )
    )
    return found[:limit]


@pytest.mark.parametrize("lookup", [True, False], ids=["lookup-index", "no-lookup-index"])
@pytest.mark.parametrize("inactive", [False, True])
def test_every_search_path_gives_the_model_result(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inactive: bool, lookup: bool
) -> None:
    """On SQLite a search takes one of several ways by the counts of the index (candidates
    sorted, a window of the name index, the whole name index; a code range sorted, tested
    as ids while walking the name index, or read while walking it), with candidates read from
    the lookup index or, in a store without it (a 0003 store not yet upgraded), the rows. The
    limits are lowered so that 6,000 products take every way; each query must give the
    model's result."""
    for name, value in (
        ("_NAME_FEW", 40),
        ("_NAME_WINDOW", 400),
        ("_NAME_CANDIDATES_MAX", 300),
        ("_NAME_LOOKUP_MAX", 450),
        ("_CODE_SORT_MAX", 60),
        ("_CODE_MEMBER_MAX", 900),
    ):
        monkeypatch.setattr(catalog, name, value)
    source = tmp_path / "catalog.csv"
    write_catalog_csv(source, 6_000, seed=3)
    engine = make_engine(sqlite_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    try:
        import_file(factory, source)
        if not lookup:
            with engine.begin() as conn:
                search_index.uninstall_lookup_index(conn)
        with engine.connect() as conn:
            assert search_index.has_lookup_index(conn) == lookup
        queries = [*search_queries(factory, n=300, seed=5), "G", "GK", "21", "2100000", "zz"]
        with factory() as s:
            products = [
                (r.search_name, r.sku, r.barcode, r.active)
                for r in s.execute(
                    select(Product.search_name, Product.sku, Product.barcode, Product.active)
                )
            ]
            for text_ in queries:
                got = catalog.search(s, text_, limit=100, include_inactive=inactive)
                expected = model_search(products, text_, 100, inactive)
                assert [fold(p.name) for p in got] == expected, text_
    finally:
        engine.dispose()
