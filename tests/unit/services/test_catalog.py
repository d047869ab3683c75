"""Catalog look-ups on the demo store: what the scanner, the SKU field and the search box do."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import NotFound, ValidationError
from kasir.services.catalog import (
    ensure_counter,
    find_by_barcode,
    find_by_code,
    find_by_sku,
    get_product,
    search,
)
from kasir.store import search_index
from kasir.store.models import Counter, Product, StockMovement
from kasir.text import fold

MAKARONI = "2000000100012"  # KUL-0001 Makaroni Keju 250 g, Lapas Perempuan Kelas IIA Tangerang
INACTIVE = "KUL-0021"  # Roti Manis Isi Kelapa (isi 5), active = 0 in the demo catalog


def test_find_by_barcode(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        p = find_by_barcode(s, MAKARONI)
        assert (p.sku, p.name, p.category, p.price, p.upt_code) == (
            "KUL-0001",
            "Makaroni Keju 250 g",
            "kuliner",
            18000,
            "LPP-TGR",
        )
        assert p.upt_name == "Lapas Perempuan Kelas IIA Tangerang"
        assert isinstance(p.price, int) and isinstance(p.stock_qty, int)
        # What a keyboard-wedge scanner types: the digits, maybe with whitespace around.
        assert find_by_barcode(s, f" {MAKARONI}\n") == p
        assert get_product(s, p.id) == p


def test_find_by_sku_ignores_case(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        assert find_by_sku(s, "kul-0001").barcode == MAKARONI
        assert find_by_sku(s, " KUL-0001 ").barcode == MAKARONI


def test_find_by_code_tries_barcode_then_sku(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        assert find_by_code(s, MAKARONI).sku == "KUL-0001"
        assert find_by_code(s, "kul-0001").barcode == MAKARONI


def test_wrong_check_digit_is_a_validation_error(demo: sessionmaker[Session]) -> None:
    wrong = MAKARONI[:12] + "3"
    with demo() as s:
        with pytest.raises(ValidationError, match="digit pemeriksa"):
            find_by_barcode(s, wrong)
        with pytest.raises(ValidationError, match="digit pemeriksa"):
            find_by_code(s, wrong)


@pytest.mark.parametrize("code", ["", "   ", "9" * 33])
def test_unusable_codes_are_validation_errors(demo: sessionmaker[Session], code: str) -> None:
    with demo() as s, pytest.raises(ValidationError):
        find_by_code(s, code)


def test_unknown_codes_are_not_found(demo: sessionmaker[Session]) -> None:
    unknown_ean = "2999999999991"  # valid check digit, not in the catalog
    with demo() as s:
        with pytest.raises(NotFound, match=f"Barcode {unknown_ean} tidak terdaftar"):
            find_by_barcode(s, unknown_ean)
        with pytest.raises(NotFound, match="SKU XYZ-1 tidak terdaftar"):
            find_by_sku(s, "xyz-1")
        with pytest.raises(NotFound, match="kode XYZ-1 tidak terdaftar"):
            find_by_code(s, "XYZ-1")
        with pytest.raises(NotFound):
            find_by_code(s, unknown_ean)
        with pytest.raises(NotFound):
            get_product(s, 10**9)


def names(session: Session, text: str, **kw: bool) -> list[str]:
    return [p.name for p in search(session, text, **kw)]


def test_search_is_case_and_accent_insensitive(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        assert names(s, "cafe") == ["Café Latte Bubuk 200 g"]
        assert names(s, "CAFÉ latte") == ["Café Latte Bubuk 200 g"]
        assert names(s, "MAKARONI KEJU") == names(s, "makaroni keju") != []


def test_search_needs_every_word_in_any_order(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        found = names(s, "bubuk kopi")
    assert found  # several coffees are sold as powder
    assert all("kopi" in n.lower() and "bubuk" in n.lower() for n in found)
    assert "Kopi Robusta Banten Bubuk 250 g" in found
    assert "Kopi Arabika Java Preanger Biji 250 g" not in found


def test_search_by_sku_and_barcode_prefix(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        by_sku = search(s, "fur-", limit=500)
        assert by_sku and all(p.sku.startswith("FUR-") for p in by_sku)
        assert [p.sku for p in search(s, MAKARONI[:12])] == ["KUL-0001"]


def test_search_orders_by_name_and_respects_limit(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        everything = search(s, "", limit=1000)
        assert len(search(s, "", limit=7)) == 7
    assert len(everything) >= 150
    assert [p.name for p in everything] == sorted((p.name for p in everything), key=fold)


def test_search_leaves_out_inactive_products(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        inactive = find_by_sku(s, INACTIVE)
        assert not inactive.active
        assert names(s, "roti manis kelapa") == []
        assert INACTIVE not in [p.sku for p in search(s, "", limit=1000)]
        assert names(s, "roti manis kelapa", include_inactive=True) == [inactive.name]


def test_search_treats_wildcards_literally(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        assert search(s, "%") == []
        assert search(s, "_") == []


def test_ensure_counter_creates_once(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        first = ensure_counter(s, "k03")
    with factory.begin() as s:
        assert ensure_counter(s, " K03 ") == first
        assert ensure_counter(s, "K04") != first
    with factory() as s:
        codes = s.scalars(select(Counter.code).order_by(Counter.code)).all()
        assert codes == ["K03", "K04"]
        assert s.scalar(select(func.count()).select_from(Counter)) == 2


@pytest.mark.parametrize("code", ["", "K 01", "K01;DROP", "K" * 17])
def test_ensure_counter_refuses_bad_codes(factory: sessionmaker[Session], code: str) -> None:
    with factory.begin() as s, pytest.raises(ValidationError):
        ensure_counter(s, code)


# --- the search index (kasir.store.search_index) ----------------------------------------------

QUERIES = [
    "kopi",
    "keripik",
    "bubuk kopi",
    "rip",
    "ko",
    "pi",
    "k",
    "g",
    "e",
    "ju",
    "xq",
    "sambal ba",
    "cafe",
    "½",
    "1⁄2",
    "(isi",
    "250 g",
    "kul-",
    "KUL-00",
    "fur",
    "2000000",
    "20000001",
    "zzz",
    "%",
    "a_",
    '"',
    "kopi '",
]


def _without_index(session: Session, text: str, **kw: bool) -> list[str]:
    """What search gives on the same store with no index (dropped inside a rolled-back
    transaction)."""
    search_index.uninstall(session.connection())
    try:
        return [fold(p.name) for p in search(session, text, limit=60, **kw)]
    finally:
        session.rollback()


def test_the_store_has_the_search_index(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        assert search_index.is_installed(s.connection())


@pytest.mark.parametrize("include_inactive", [False, True])
def test_search_with_the_index_equals_search_without(
    demo: sessionmaker[Session], include_inactive: bool
) -> None:
    with demo() as s:
        for text in QUERIES:
            with_index = [fold(p.name) for p in search(s, text, limit=60, **_kw(include_inactive))]
            assert with_index == _without_index(s, text, **_kw(include_inactive)), text


def _kw(include_inactive: bool) -> dict[str, bool]:
    return {"include_inactive": include_inactive}


def _set_name(session: Session, sku: str, name: str) -> None:
    session.execute(
        update(Product).where(Product.sku == sku).values(name=name, search_name=fold(name))
    )


def test_the_index_follows_renames_deletes_and_new_products(demo: sessionmaker[Session]) -> None:
    with demo.begin() as s:
        _set_name(s, "KUL-0001", "Makaroni Zebrawood Spesial")
    with demo() as s:
        assert [p.sku for p in search(s, "zebrawood")] == ["KUL-0001"]
        assert "KUL-0001" not in [p.sku for p in search(s, "makaroni keju", limit=500)]
    with demo.begin() as s:
        sku = "KUL-0002"
        product = s.scalars(select(Product).where(Product.sku == sku)).one()
        s.execute(delete(StockMovement).where(StockMovement.product_id == product.id))
        s.delete(product)
    with demo() as s:
        assert "KUL-0002" not in [p.sku for p in search(s, "makaroni", limit=500)]
    with demo.begin() as s:
        template = s.scalars(select(Product).where(Product.sku == "KUL-0003")).one()
        s.add(
            Product(
                sku="NEW-0001",
                name="Qwertyuiop Baru Zx",
                search_name=fold("Qwertyuiop Baru Zx"),
                category_id=template.category_id,
                upt_id=template.upt_id,
                price=1000,
            )
        )
    with demo() as s:
        assert [p.sku for p in search(s, "qwerty")] == ["NEW-0001"]
        # A 2-letter word at the end of a name (the index pads names for this).
        assert [p.sku for p in search(s, "zx")] == ["NEW-0001"]
        if s.connection().dialect.name == "sqlite":  # FTS5 checks its index against itself
            s.execute(text("INSERT INTO product_search(product_search) VALUES ('integrity-check')"))
        s.rollback()


def test_a_stock_change_does_not_touch_the_index(demo_sqlite: sessionmaker[Session]) -> None:
    """The update trigger fires on search_name only: a sale changing stock_qty (or a price
    edit) leaves the index alone. Shown by taking one product out of the index by hand: a
    stock update does not put it back, a rename does."""
    with demo_sqlite.begin() as s:
        pid, name = s.execute(
            select(Product.id, Product.search_name).where(Product.sku == "KUL-0001")
        ).one()
        s.execute(
            text(
                "INSERT INTO product_search(product_search, rowid, search_name) "
                "VALUES ('delete', :id, :name)"
            ),
            {"id": pid, "name": name + search_index.PAD},
        )
    with demo_sqlite.begin() as s:
        s.execute(update(Product).where(Product.id == pid).values(stock_qty=5, price=19000))
    with demo_sqlite() as s:
        assert "KUL-0001" not in [p.sku for p in search(s, "makaroni keju")]
    with demo_sqlite.begin() as s:
        _set_name(s, "KUL-0001", "Makaroni Keju 250 g")
    with demo_sqlite() as s:
        assert "KUL-0001" in [p.sku for p in search(s, "makaroni keju")]


def test_install_is_idempotent_and_rebuilds(demo: sessionmaker[Session]) -> None:
    with demo.begin() as s:
        before = [p.sku for p in search(s, "kopi", limit=500)]
        search_index.install(s.connection())
        search_index.install(s.connection())
        assert [p.sku for p in search(s, "kopi", limit=500)] == before != []
        search_index.uninstall(s.connection())
        assert not search_index.is_installed(s.connection())
        assert [p.sku for p in search(s, "kopi", limit=500)] == before
        search_index.install(s.connection())
        assert search_index.is_installed(s.connection())
