"""Product CSV import/export: lossless round trip, every rule reported by line, all or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.ean13 import make_instore_ean13
from kasir.errors import ImportFailed
from kasir.services.catalog import find_by_sku, search
from kasir.services.catalog_io import COLUMNS, export_products, import_products
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import upgrade
from kasir.store.models import Product, StockMovement, Upt

UPT = {
    "upt_code": "LPM-TGR",
    "upt_name": "Lapas Pemuda Kelas IIA Tangerang",
    "upt_kind": "Lapas",
    "upt_region": "Banten",
}


def good_row(n: int, **overrides: str) -> dict[str, str]:
    row = {
        "sku": f"TST-{n:04d}",
        "barcode": make_instore_ean13(29, 1000 + n),
        "name": f"Keripik Tempe {n} 200 g",
        "category": "kuliner",
        "unit": "bungkus",
        "price": "15000",
        "cost": "9000",
        "stock": "10",
        **UPT,
        "shelf_life_days": "90",
        "pirt_number": "206367101010027",
        "halal_number": "ID36110003027900725",
        "active": "1",
    }
    row.update(overrides)
    return row


def export_text(session: Session) -> str:
    buf = io.StringIO()
    export_products(session, buf)
    return buf.getvalue()


def to_csv(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> list[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().splitlines(keepends=True)


def snapshot(factory: sessionmaker[Session]) -> tuple[str, int, int, int]:
    with factory() as s:
        return (
            export_text(s),
            s.scalar(select(func.count()).select_from(Product)) or 0,
            s.scalar(select(func.count()).select_from(StockMovement)) or 0,
            s.scalar(select(func.count()).select_from(Upt)) or 0,
        )


def import_problems(factory: sessionmaker[Session], lines: list[str]) -> list[tuple[int, str]]:
    """Import `lines` expecting refusal; returns the problems and checks nothing changed."""
    before = snapshot(factory)
    with pytest.raises(ImportFailed) as info, factory.begin() as s:
        import_products(s, lines)
    assert snapshot(factory) == before
    return info.value.problems


# --- round trip ---------------------------------------------------------------------------


@pytest.fixture
def empty_target(backend: str, tmp_path: Any, demo_url: str) -> Iterator[sessionmaker[Session]]:
    """A second, empty migrated store on the same backend as `demo` (see the round-trip test)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'target.db'}")
    else:
        engine = make_engine(demo_url)  # PostgreSQL: only one database; reset it when asked
    yield make_session_factory(engine)
    engine.dispose()


def reset_if_shared(factory: sessionmaker[Session], backend: str) -> None:
    engine = factory.kw["bind"]
    if backend == "postgres":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)


def test_export_import_export_is_identical(
    demo: sessionmaker[Session], empty_target: sessionmaker[Session], backend: str
) -> None:
    with demo() as s:
        exported = export_text(s)
        demo_products = s.scalar(select(func.count()).select_from(Product))
    demo.kw["bind"].dispose()
    assert exported.count("\n") - 1 == demo_products >= 150

    reset_if_shared(empty_target, backend)
    with empty_target() as s:
        assert s.scalar(select(func.count()).select_from(Product)) == 0
    with empty_target.begin() as s:
        result = import_products(s, io.StringIO(exported, newline=""))
    assert result.products == demo_products
    with empty_target() as s:
        assert export_text(s) == exported


def test_export_has_the_import_columns(demo_sqlite: sessionmaker[Session]) -> None:
    with demo_sqlite() as s:
        rows = list(csv.reader(io.StringIO(export_text(s))))
    assert tuple(rows[0]) == COLUMNS
    assert all(len(r) == len(COLUMNS) for r in rows)


def test_import_of_a_good_file(factory: sessionmaker[Session]) -> None:
    rows = [
        good_row(1),
        good_row(
            2,
            upt_code="RTN-SRG",
            upt_name="Rutan Kelas IIB Serang",
            upt_kind="",
            stock="0",
            active="0",
        ),
    ]
    with factory.begin() as s:
        result = import_products(s, to_csv(rows))
    assert (result.products, result.new_upts) == (2, 2)
    with factory() as s:
        p1 = find_by_sku(s, "tst-0001")
        assert (p1.price, p1.cost, p1.stock_qty, p1.upt_code, p1.active) == (
            15000,
            9000,
            10,
            "LPM-TGR",
            True,
        )
        p2 = find_by_sku(s, "TST-0002")
        assert (p2.stock_qty, p2.active, p2.upt_code) == (0, False, "RTN-SRG")
        # The kind is guessed from the UPT name when the column is empty.
        assert s.scalar(select(Upt.kind).where(Upt.code == "RTN-SRG")) == "Rutan"


def test_imported_stock_creates_a_stock_movement(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        import_products(s, to_csv([good_row(1, stock="25"), good_row(2, stock="0")]), "baru.csv")
    with factory() as s:
        moves = s.execute(
            select(
                Product.sku, StockMovement.qty, StockMovement.kind, StockMovement.reference
            ).join(Product, Product.id == StockMovement.product_id)
        ).all()
    assert [tuple(m) for m in moves] == [("TST-0001", 25, "adjust", "Impor baru.csv")]


def test_accented_names_are_found_without_accents(factory: sessionmaker[Session]) -> None:
    rows = [good_row(1, name="Café Latte Bubuk 200 g"), good_row(2, name="Crème Brûlée Kering")]
    with factory.begin() as s:
        import_products(s, to_csv(rows))
    with factory() as s:
        assert [p.name for p in search(s, "cafe")] == ["Café Latte Bubuk 200 g"]
        assert [p.name for p in search(s, "CREME brulee")] == ["Crème Brûlée Kering"]
        assert [p.name for p in search(s, "Brûlée")] == ["Crème Brûlée Kering"]


# --- validation: one rule per case, each naming its line --------------------------------------

BAD_ROWS: list[tuple[str, dict[str, str], str]] = [
    ("decimal price", {"price": "15000.5"}, "Harga"),
    ("thousands dot", {"price": "15.000"}, "Harga"),
    ("negative price", {"price": "-1"}, "Harga"),
    ("superscript digit", {"price": "15000²"}, "Harga"),
    ("text cost", {"cost": "sembilan"}, "Harga pokok"),
    ("bad check digit", {"barcode": "2900000010019"}, "digit pemeriksa"),
    ("short barcode", {"barcode": "290000001001"}, "13 angka"),
    ("unknown category", {"category": "elektronik"}, "kategori 'elektronik'"),
    ("missing name", {"name": ""}, "kolom name kosong"),
    ("missing sku", {"sku": ""}, "kolom sku kosong"),
    ("missing price", {"price": ""}, "kolom price kosong"),
    ("missing category", {"category": ""}, "kolom category kosong"),
    ("missing upt", {"upt_code": ""}, "kolom upt_code kosong"),
    ("unknown upt, no name", {"upt_code": "LP-XYZ", "upt_name": ""}, "upt_name kosong"),
    ("bad upt kind", {"upt_code": "LP-XYZ", "upt_name": "Panti X", "upt_kind": ""}, "jenis UPT"),
    ("bad active", {"active": "mungkin"}, "kolom active"),
    ("short P-IRT", {"pirt_number": "12345"}, "P-IRT"),
    ("zero shelf life", {"shelf_life_days": "0"}, "Masa simpan"),
    ("long name", {"name": "x" * 201}, "200 huruf"),
    ("long SKU", {"sku": "S" * 33}, "SKU"),
    ("long unit", {"unit": "u" * 17}, "satuan"),
    ("long UPT code", {"upt_code": "U" * 33}, "kode UPT"),
    ("decimal stock", {"stock": "2.5"}, "Stok"),
    ("double minus stock", {"stock": "--3"}, "Stok"),
]


def test_stock_below_zero_survives_the_round_trip(
    demo_sqlite: sessionmaker[Session], factory: sessionmaker[Session]
) -> None:
    """Selling past the recorded stock (oversell=warn) leaves it below zero: an export of such
    a store imports back as it was."""
    with demo_sqlite.begin() as s:
        s.execute(text("UPDATE product SET stock_qty = -14 WHERE sku = 'KUL-0001'"))
        exported = export_text(s)
    assert ",-14," in exported
    with factory.begin() as s:
        import_products(s, io.StringIO(exported, newline=""))
    with factory() as s:
        assert export_text(s) == exported
        assert s.scalar(select(Product.stock_qty).where(Product.sku == "KUL-0001")) == -14


@pytest.mark.parametrize(
    ("overrides", "reason"), [b[1:] for b in BAD_ROWS], ids=[b[0] for b in BAD_ROWS]
)
def test_each_rule_names_the_line(
    factory: sessionmaker[Session], overrides: dict[str, str], reason: str
) -> None:
    rows = [good_row(1), good_row(2), good_row(3, **overrides), good_row(4)]
    problems = import_problems(factory, to_csv(rows))
    assert len(problems) == 1, problems
    line, message = problems[0]
    assert line == 4  # header is line 1, so the third row is line 4
    assert reason in message


def test_duplicate_barcode_within_the_file(factory: sessionmaker[Session]) -> None:
    code = good_row(1)["barcode"]
    problems = import_problems(
        factory, to_csv([good_row(1), good_row(2), good_row(3, barcode=code)])
    )
    assert problems == [(4, f"barcode {code} ganda (juga di baris 2)")]


def test_duplicate_sku_within_the_file(factory: sessionmaker[Session]) -> None:
    problems = import_problems(factory, to_csv([good_row(1), good_row(2, sku="tst-0001")]))
    assert problems == [(3, "SKU TST-0001 ganda (juga di baris 2)")]


def test_barcode_and_sku_already_in_the_store(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        existing = find_by_sku(s, "KUL-0001")
    rows = [
        good_row(1),
        good_row(2, barcode=existing.barcode or ""),
        good_row(3, sku="KUL-0001"),
    ]
    problems = import_problems(demo, to_csv(rows))
    assert [line for line, _ in problems] == [3, 4]
    assert "sudah dipakai" in problems[0][1] and existing.barcode in problems[0][1]
    assert "SKU KUL-0001 sudah ada" in problems[1][1]


def test_missing_header_columns(factory: sessionmaker[Session]) -> None:
    columns = tuple(c for c in COLUMNS if c not in ("price", "category"))
    problems = import_problems(factory, to_csv([good_row(1)], columns))
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 1 and "price" in message and "category" in message


def test_too_many_fields_on_a_line(factory: sessionmaker[Session]) -> None:
    lines = to_csv([good_row(1), good_row(2)])
    lines[2] = lines[2].rstrip("\n") + ",extra\n"
    assert import_problems(factory, lines) == [(3, "terlalu banyak kolom pada baris ini")]


def test_empty_file_is_refused(factory: sessionmaker[Session]) -> None:
    assert import_problems(factory, [])[0][0] == 1
    assert import_problems(factory, to_csv([])) == [(1, "tidak ada baris data")]


def test_every_bad_row_is_reported(factory: sessionmaker[Session]) -> None:
    rows = [
        good_row(1, price="15.000"),
        good_row(2),
        good_row(3, barcode="2900000010019"),
        good_row(4, category="elektronik", active="x"),  # two problems, one line
        good_row(5),
        good_row(6, pirt_number="1"),
    ]
    problems = import_problems(factory, to_csv(rows))
    assert [line for line, _ in problems] == [2, 4, 5, 7]
    assert "kategori" in problems[2][1] and "active" in problems[2][1]


def test_one_bad_row_leaves_the_store_unchanged(demo: sessionmaker[Session]) -> None:
    """A store with data: the good rows (with stock and a new UPT) are not written either."""
    rows = [good_row(n) for n in range(1, 30)]
    rows[14] = good_row(15, price="12.500")
    rows[3] = good_row(4, upt_code="LPKA-NEW", upt_name="LPKA Kelas II Baru", upt_kind="LPKA")
    problems = import_problems(demo, to_csv(rows))
    assert problems == [(16, problems[0][1])]
    assert "12.500" in problems[0][1]
    with demo() as s:
        assert s.scalar(select(Upt.id).where(Upt.code == "LPKA-NEW")) is None
