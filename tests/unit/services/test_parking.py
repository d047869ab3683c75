"""Park and recall a cart; a parked cart survives a restart of the app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import PaymentInput
from kasir.errors import NotFound, ValidationError
from kasir.services.auth import Approval
from kasir.services.cart_edit import (
    add_by_barcode,
    override_price,
    set_line_discount,
    set_order_discount,
    view_cart,
)
from kasir.services.checkout import checkout
from kasir.services.parking import list_parked, park_cart, recall_cart
from kasir.services.shifts import Till, open_shift
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import Counter, ParkedCart, Product, Sale, User

Factory = sessionmaker[Session]
NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
MAKARONI = "2000000100012"
KERIPIK = "2000000100043"
SPV = Approval("2222", "spv1")


def make_till(s: Session, counter: str = "K01", user: str = "kasir1") -> Till:
    counter_id = s.scalar(select(Counter.id).where(Counter.code == counter))
    person = s.scalar(select(User).where(User.username == user))
    assert counter_id is not None and person is not None
    return Till(counter_id, counter, person.id, person.full_name)


def full_cart(s: Session) -> Cart:
    cart = Cart()
    add_by_barcode(s, cart, MAKARONI, 3)
    add_by_barcode(s, cart, KERIPIK)
    set_line_discount(s, cart, 0, Discount("percent", Decimal("12.5")), SPV)
    override_price(s, cart, 1, 19_500, SPV)
    set_order_discount(s, cart, Discount("amount", 2_000))
    return cart


def test_park_list_recall(demo: Factory) -> None:
    with demo.begin() as s:
        till = make_till(s)
        cart = full_cart(s)
        view = view_cart(s, cart)
        parked = park_cart(s, till, cart, "  Ibu   baju merah ")
        other = park_cart(s, make_till(s, "K02", "kasir2"), full_cart(s), "K02")
    assert (parked.label, parked.item_count, parked.total) == ("Ibu baju merah", 4, view.total)
    assert view.total == 3 * 18_000 - 6_750 + 19_500 - 2_000
    with demo() as s:
        assert [p.id for p in list_parked(s, till.counter_id)] == [parked.id]
        k02 = make_till(s, "K02", "kasir2").counter_id
        assert [p.id for p in list_parked(s, k02)] == [other.id]  # each counter its own
    with demo.begin() as s:
        back = recall_cart(s, parked.id).cart
        assert view_cart(s, back) == view_cart(s, cart)
    assert back.lines == cart.lines  # discounts, override and approvals included
    assert back.order_discount == cart.order_discount
    assert back.order_discount_approved_by == cart.order_discount_approved_by
    with demo() as s:
        assert list_parked(s, till.counter_id) == []
    with pytest.raises(NotFound), demo.begin() as s:
        recall_cart(s, parked.id)


def test_recalled_cart_checks_out(demo: Factory) -> None:
    with demo.begin() as s:
        till = make_till(s)
        open_shift(s, till.counter_id, till.user_id, 0, now=NOW)
        parked = park_cart(s, till, full_cart(s))
    with demo.begin() as s:
        cart = recall_cart(s, parked.id).cart
        sale = checkout(s, till, cart, [PaymentInput("tunai", parked.total)], now=NOW)
    assert sale.total == parked.total
    with demo() as s:
        assert s.scalar(select(func.count()).select_from(ParkedCart)) == 0
        assert s.scalar(select(Sale.total)) == parked.total


def test_empty_cart_cannot_be_parked(demo: Factory) -> None:
    with pytest.raises(ValidationError), demo.begin() as s:
        park_cart(s, make_till(s), Cart())
    with demo() as s:
        assert s.scalar(select(func.count()).select_from(ParkedCart)) == 0


def test_parked_cart_survives_a_restart(demo_sqlite: Factory, tmp_path: Path) -> None:
    with demo_sqlite.begin() as s:
        till = make_till(s)
        cart = full_cart(s)
        parked = park_cart(s, till, cart, "nanti")
    url = demo_sqlite.kw["bind"].url
    demo_sqlite.kw["bind"].dispose()  # the app is closed

    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        factory = make_session_factory(engine)
        with factory() as s:
            [listed] = list_parked(s, till.counter_id)
        assert (listed.id, listed.label, listed.total, listed.item_count) == (
            parked.id,
            "nanti",
            parked.total,
            4,
        )
        assert listed.parked_at.replace(tzinfo=dt.UTC) == parked.parked_at.replace(tzinfo=dt.UTC)
        with factory.begin() as s:
            back = recall_cart(s, parked.id).cart
        assert back.lines == cart.lines
        assert back.order_discount == cart.order_discount
    finally:
        engine.dispose()


def set_product(s: Session, barcode: str, **values: object) -> None:
    s.execute(update(Product).where(Product.barcode == barcode).values(**values))


def test_a_recalled_cart_is_priced_from_the_catalog_of_now(demo: Factory) -> None:
    with demo.begin() as s:
        till = make_till(s)
        open_shift(s, till.counter_id, till.user_id, 0, now=NOW)
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI, 2)  # Rp 18.000
        add_by_barcode(s, cart, KERIPIK)  # Rp 20.000, price set by a supervisor to 19.500
        override_price(s, cart, 1, 19_500, SPV)
        parked = park_cart(s, till, cart)
    assert parked.total == 2 * 18_000 + 19_500
    with demo.begin() as s:
        set_product(s, MAKARONI, price=21_000, name="Makaroni Keju 250 g (baru)")
        set_product(s, KERIPIK, price=22_000)
    with demo.begin() as s:
        recalled = recall_cart(s, parked.id)
        sale = checkout(s, till, recalled.cart, [PaymentInput("tunai", 100_000)], now=NOW)
    assert recalled.changes == (
        "Harga Makaroni Keju 250 g (baru) berubah: Rp 18.000 menjadi Rp 21.000.",
        "Harga katalog Keripik Bawang 250 g berubah menjadi Rp 22.000; harga yang disetujui "
        "supervisor Rp 19.500 tetap.",
    )
    assert [(ln.name, ln.unit_price, ln.list_price) for ln in sale.lines] == [
        ("Makaroni Keju 250 g (baru)", 21_000, 21_000),
        ("Keripik Bawang 250 g", 19_500, 22_000),
    ]
    assert sale.total == 2 * 21_000 + 19_500


def test_a_recalled_cart_drops_products_no_longer_sold(demo: Factory) -> None:
    with demo.begin() as s:
        till = make_till(s)
        open_shift(s, till.counter_id, till.user_id, 0, now=NOW)
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI, 2)
        add_by_barcode(s, cart, KERIPIK)
        set_line_discount(s, cart, 1, Discount("amount", 2_000))
        set_order_discount(s, cart, Discount("amount", 1_000))
        parked = park_cart(s, till, cart)
        alone = Cart()
        add_by_barcode(s, alone, MAKARONI)
        set_order_discount(s, alone, Discount("percent", Decimal(5)))
        only_makaroni = park_cart(s, till, alone)
    with demo.begin() as s:
        set_product(s, MAKARONI, active=False)
        set_product(s, KERIPIK, price=1_500)  # below its Rp 2.000 discount
    with demo.begin() as s:
        recalled = recall_cart(s, parked.id)
    assert recalled.changes == (
        "Makaroni Keju 250 g tidak aktif lagi; dikeluarkan dari keranjang.",
        "Harga Keripik Bawang 250 g berubah: Rp 20.000 menjadi Rp 1.500.",
        "Diskon Rp 2.000 untuk Keripik Bawang 250 g melebihi harga baru; diskon dihapus.",
        # Rp 1.000 of Rp 1.500 is above the limit now, and nobody approved it.
        "Diskon transaksi Rp 1.000 tidak punya persetujuan yang tercatat; diskon dihapus.",
    )
    [line] = recalled.cart.lines
    assert (line.name, line.unit_price, line.discount) == ("Keripik Bawang 250 g", 1_500, None)
    # The order discount now exceeds what is left: dropped too, and said.
    with demo.begin() as s:
        set_order_discount(s, recalled.cart, Discount("amount", 1_000), SPV)
        set_product(s, KERIPIK, price=500)
        set_product(s, MAKARONI, active=True)
        back = park_cart(s, till, recalled.cart)
        set_product(s, MAKARONI, active=False)
    with demo.begin() as s:
        again = recall_cart(s, back.id)
        assert "Diskon transaksi Rp 1.000 melebihi total baru Rp 500; diskon dihapus." in (
            again.changes
        )
        assert again.cart.order_discount is None
        # A cart of nothing but inactive products comes back empty, and says why.
        empty = recall_cart(s, only_makaroni.id)
    assert empty.changes == ("Makaroni Keju 250 g tidak aktif lagi; dikeluarkan dari keranjang.",)
    assert (empty.cart.lines, empty.cart.order_discount, empty.cart.last_index) == ([], None, None)
    with demo() as s:
        assert list_parked(s, till.counter_id) == []
