"""Product CSV import/export: lossless round trip, every rule reported by line, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.ean13 import make_instore_ean13
from kasir.errors import ImportFailed
from kasir.services import catalog_io
from kasir.services.catalog import find_by_sku, search
from kasir.services.catalog_io import (
    COLUMNS,
    MAX_REPORTED,
    REQUIRED,
    export_products,
    import_products,
)
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
    # The lines as a file opened with newline="" yields them (str.splitlines would also split
    # at U+2028 and other separators inside a quoted cell).
    return list(io.StringIO(buf.getvalue(), newline=""))


def snapshot(factory: sessionmaker[Session]) -> tuple[str, int, int, int]:
    with factory() as s:
        return (
            export_text(s),
            s.scalar(select(func.count()).select_from(Product)) or 0,
            s.scalar(select(func.count()).select_from(StockMovement)) or 0,
            s.scalar(select(func.count()).select_from(Upt)) or 0,
        )


def import_problems(factory: sessionmaker[Session], lines: Iterable[str]) -> list[tuple[int, str]]:
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


def test_imported_stock_is_set_by_the_insert_with_full_movement_rows(
    factory: sessionmaker[Session],
) -> None:
    """The products are inserted with their stock (no UPDATE of a row just written, slow on
    PostgreSQL); each movement still has its own UUID, the import's time, no user and no
    sale, and negative stock (oversold) comes through as a negative movement."""
    before = dt.datetime.now(dt.UTC)
    with factory.begin() as s:
        rows = [good_row(1, stock="25"), good_row(2, stock="-3"), good_row(3, stock="0")]
        import_products(s, to_csv(rows), "baru.csv")
    after = dt.datetime.now(dt.UTC)
    with factory() as s:
        stocks = dict(s.execute(select(Product.sku, Product.stock_qty)).all())
        moves = s.execute(
            select(Product.sku, StockMovement).join(Product, Product.id == StockMovement.product_id)
        ).all()
    assert stocks == {"TST-0001": 25, "TST-0002": -3, "TST-0003": 0}
    assert sorted((sku, m.qty) for sku, m in moves) == [("TST-0001", 25), ("TST-0002", -3)]
    assert len({str(uuid.UUID(m.uuid)) for _, m in moves}) == 2
    for _, m in moves:
        assert (m.kind, m.sale_id, m.user_id, m.delivery_id) == ("adjust", None, None, None)
        assert m.reference == "Impor baru.csv"
        assert before - dt.timedelta(seconds=1) <= m.created_at <= after + dt.timedelta(seconds=1)


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


# --- input that never ends in a traceback (issue 14, item 7) ----------------------------------


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("Keripik\x00Tempe", "name"),
        ("Keripik\nTempe", "name"),  # a line break inside a quoted name
        ("Keripik\u2028Tempe", "name"),
        ("bung\x1bkus", "unit"),
        ("LPM\x7fTGR", "upt_code"),
        ("150\x0000", "price"),
    ],
)
def test_a_control_character_refuses_its_line(
    factory: sessionmaker[Session], cell: str, column: str
) -> None:
    """NUL and friends never reach the driver (PostgreSQL refuses NUL with its own message)."""
    rows = [good_row(1), good_row(2, **{column: cell}), good_row(3)]
    problems = import_problems(factory, to_csv(rows))
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 3 + cell.count("\n")  # the record's last line
    bad = next(ch for ch in cell if not (ch.isprintable() or ch == " "))
    assert f"kolom {column} berisi karakter kendali U+{ord(bad):04X}" in message


def test_control_characters_at_the_edges_of_a_cell_are_trimmed(
    factory: sessionmaker[Session],
) -> None:
    """A CR left by mixed line endings, a tab after a value: trimmed like spaces."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerow(good_row(1, name="Keripik Tempe\r", unit="\tbungkus", price="15000\r"))
    with factory.begin() as s:
        import_products(s, io.StringIO(buf.getvalue() + "\r\n", newline=""))
    with factory() as s:
        p = find_by_sku(s, "TST-0001")
        assert (p.name, p.unit, p.price) == ("Keripik Tempe", "bungkus", 15000)


def test_a_duplicated_header_column_is_refused(factory: sessionmaker[Session]) -> None:
    columns = (*COLUMNS, "sku")
    lines = to_csv([good_row(1)], columns)
    problems = import_problems(factory, lines)
    assert problems == [(1, "kolom sku muncul lebih dari sekali di header")]


def test_the_error_list_is_capped(factory: sessionmaker[Session]) -> None:
    rows = [good_row(n, price="1.000" if n % 2 else "1000") for n in range(1, 121)]
    before = snapshot(factory)
    with pytest.raises(ImportFailed) as info, factory.begin() as s:
        import_products(s, to_csv(rows))
    assert snapshot(factory) == before
    assert len(info.value.problems) == MAX_REPORTED == 20
    assert [line for line, _ in info.value.problems] == list(range(2, 42, 2))
    assert "60 baris bermasalah" in info.value.message
    assert "dan 40 kesalahan lain" in info.value.message


def test_the_first_errors_by_line_are_kept_across_chunks(
    demo: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines already in the store are found when a chunk is checked, after later lines'
    own errors: the report still names the first lines in order."""
    monkeypatch.setattr(catalog_io, "CHUNK", 7)
    rows = [good_row(n) for n in range(1, 60)]
    rows[3] = good_row(4, sku="KUL-0001")  # line 5: in the store
    for n in range(30, 59):
        rows[n] = good_row(n + 1, price="x")  # lines 32..60
    problems = import_problems(demo, to_csv(rows))
    assert [line for line, _ in problems] == [5, *range(32, 51)]
    assert "SKU KUL-0001 sudah ada" in problems[0][1]


def test_import_in_many_chunks(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_io, "CHUNK", 3)
    rows = [good_row(n, stock=str(n % 4)) for n in range(1, 21)]
    rows[5] = good_row(6, upt_code="RTN-SRG", upt_name="Rutan Kelas IIB Serang")
    with factory.begin() as s:
        result = import_products(s, to_csv(rows), "banyak.csv")
    assert (result.products, result.new_upts) == (20, 2)
    with factory() as s:
        moves = dict(
            s.execute(
                select(Product.sku, StockMovement.qty).join(
                    Product, Product.id == StockMovement.product_id
                )
            ).all()
        )
        stocks = dict(s.execute(select(Product.sku, Product.stock_qty)).all())
    expected = {f"TST-{n:04d}": int(r["stock"]) for n, r in enumerate(rows, 1)}
    assert stocks == expected
    assert moves == {sku: q for sku, q in expected.items() if q}


def test_duplicates_across_chunks(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_io, "CHUNK", 2)
    rows = [good_row(n) for n in range(1, 8)]
    rows[6] = good_row(7, sku="TST-0001")
    assert import_problems(factory, to_csv(rows)) == [(8, "SKU TST-0001 ganda (juga di baris 2)")]


def test_a_refused_import_leaves_the_callers_transaction_clean(
    factory: sessionmaker[Session],
) -> None:
    """All or nothing even for a caller that catches the error and commits."""
    rows = [good_row(n) for n in range(1, 1500)] + [good_row(1500, price="x")]
    with factory.begin() as s, pytest.raises(ImportFailed):
        import_products(s, to_csv(rows))
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Product)) == 0
        assert s.scalar(select(func.count()).select_from(StockMovement)) == 0
        assert s.scalar(select(func.count()).select_from(Upt)) == 0


def test_formula_cells_survive_the_round_trip(factory: sessionmaker[Session]) -> None:
    """The export escapes cells a spreadsheet would run; the import takes the quote off."""
    names = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-Diskon Kopi", "@SUM(A1)"]
    rows = [good_row(n, name=name) for n, name in enumerate(names, 1)]
    with factory.begin() as s:
        import_products(s, to_csv(rows))
    with factory() as s:
        exported = export_text(s)
    cells = [r[2] for r in csv.reader(io.StringIO(exported))][1:]
    assert cells == ["'" + n for n in names]
    with factory.begin() as s:
        s.execute(delete(StockMovement))
        s.execute(delete(Product))
    with factory.begin() as s:
        import_products(s, io.StringIO(exported, newline=""))
    with factory() as s:
        assert sorted(p.name for p in search(s, "", limit=10)) == sorted(names)
        assert export_text(s) == exported


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"price": "9" * 5000}, "Harga"),  # int() refuses more than 4300 digits
        ({"stock": "-" + "9" * 30}, "Stok"),
        ({"name": "\ufdfa" * 12}, "200 huruf"),  # 12 letters that fold to 216
        ({"sku": "ß" * 17}, "SKU"),  # upper-cased to 34 letters
    ],
)
def test_values_that_grow_or_overflow_are_refused(
    factory: sessionmaker[Session], overrides: dict[str, str], reason: str
) -> None:
    problems = import_problems(factory, to_csv([good_row(1, **overrides)]))
    assert len(problems) == 1 and problems[0][0] == 2 and reason in problems[0][1]


def test_a_file_that_is_not_utf8_names_the_line(factory: sessionmaker[Session]) -> None:
    def lines() -> Iterator[str]:
        yield from to_csv([good_row(1), good_row(2)])
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    before = snapshot(factory)
    with pytest.raises(ImportFailed) as info, factory.begin() as s:
        import_products(s, lines())
    assert snapshot(factory) == before
    problems = info.value.problems
    assert problems == [(4, "bukan teks UTF-8 (simpan ulang sebagai CSV UTF-8)")]


# --- fuzz: arbitrary text never raises anything else and never imports half a file -----------

CELL = st.one_of(
    st.sampled_from(["", " ", "1", "-5", "0", "kuliner", "LPM-TGR", "TST-1", "x"]),
    st.text(max_size=12),
    st.text(alphabet="\x00\r\n\t\",;'=+-@ ½ßﬃé1", max_size=6),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=st.lists(st.sampled_from([*COLUMNS, "", "extra"]), max_size=18),
    rows=st.lists(st.lists(CELL, max_size=18), max_size=6),
    raw=st.text(max_size=200),
)
def test_fuzzed_csv_import(
    factory: sessionmaker[Session], header: list[str], rows: list[list[str]], raw: str
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(REQUIRED) + header if len(header) % 3 else header)
    writer.writerows(rows)
    for text_in in (buf.getvalue(), raw, buf.getvalue() + raw):
        before = snapshot(factory)
        try:
            with factory.begin() as s:
                result = import_products(s, io.StringIO(text_in, newline=""))
        except ImportFailed as exc:
            assert exc.problems and len(exc.problems) <= MAX_REPORTED
            assert snapshot(factory) == before
        else:
            after = snapshot(factory)
            assert after[1] == before[1] + result.products > before[1]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    column=st.sampled_from(COLUMNS),
    cell=st.one_of(st.text(max_size=40), st.text(alphabet="\x00\r\n\t\u2028'=-9ß", max_size=8)),
)
def test_fuzzed_cell_in_a_good_file(factory: sessionmaker[Session], column: str, cell: str) -> None:
    """One cell of a good file replaced by arbitrary text: either both rows are imported, or
    nothing is, with an ImportFailed naming the lines."""
    n = snapshot(factory)[1]
    rows = [good_row(n + 1), good_row(n + 2, **{column: cell})]
    before = snapshot(factory)
    try:
        with factory.begin() as s:
            result = import_products(s, to_csv(rows))
    except ImportFailed as exc:
        assert snapshot(factory) == before
        last = 3 + cell.count("\n") + cell.count("\r")  # a line break may sit in the cell
        assert exc.problems and all(1 <= line <= last for line, _ in exc.problems)
    else:
        assert result.products == 2
        assert snapshot(factory)[1] == before[1] + 2
