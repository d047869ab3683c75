"""Catalog look-ups on the demo store: what the scanner, the SKU field and the search box do."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
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
from kasir.store.models import Counter
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
