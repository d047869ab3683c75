"""A cart carries no authority (issue 18): every price that is not the catalog's and every
discount above the limit must be backed by an approval recorded for that cart, given by
someone other than its cashier. The forged carts here are the ones measured in the issue."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from store_helpers import (
    KERIPIK,
    MAKARONI,
    NOW,
    SPV,
    Factory,
    cash,
    open_till,
    snapshot,
    user_id,
)

from kasir.domain.cart import Cart, Discount
from kasir.errors import ApprovalRequired
from kasir.services.auth import Approval
from kasir.services.cart_edit import (
    add_by_barcode,
    override_price,
    set_order_discount,
)
from kasir.services.checkout import checkout
from kasir.services.parking import park_cart, recall_cart
from kasir.services.returns import void_sale
from kasir.services.sale_session import SaleSession
from kasir.store.models import ParkedCart, SaleLine


def refused(demo: Factory, till: object, cart: Cart, pay: int, match: str) -> None:
    before = snapshot(demo)
    with pytest.raises(ApprovalRequired, match=match), demo.begin() as s:
        checkout(s, till, cart, cash(pay), now=NOW)  # type: ignore[arg-type]
    assert snapshot(demo) == before, "nothing written"


def test_a_price_set_in_the_cart_without_an_approval_is_refused(demo: Factory) -> None:
    till = open_till(demo)
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI)
    cart.lines[0].unit_price = 1
    refused(demo, till, cart, 1, "Harga Makaroni Keju 250 g Rp 1 bukan harga katalog")
    # The catalog price itself forged along with it: the same.
    cart.lines[0].list_price = 1
    refused(demo, till, cart, 1, "bukan harga katalog")
    # A forged approver on the line changes nothing.
    cart.lines[0].price_approved_by = user_id(demo, "spv1")
    refused(demo, till, cart, 1, "tidak ada persetujuan supervisor yang tercatat")


def test_a_forged_discount_approval_is_refused(demo: Factory) -> None:
    till = open_till(demo)
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI)
    line = cart.lines[0]
    line.discount = Discount("percent", Decimal(100))
    line.discount_approved_by, line.discount_approved_pct = user_id(demo, "spv1"), Decimal(100)
    refused(demo, till, cart, 0, "Diskon 100% untuk Makaroni Keju 250 g melebihi batas")


def test_a_forged_order_discount_approver_is_refused(demo: Factory) -> None:
    till = open_till(demo)
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI)
    cart.order_discount = Discount("percent", Decimal(90))
    cart.order_discount_approved_by = user_id(demo, "manajer")
    cart.order_discount_approved_pct = Decimal(90)
    refused(demo, till, cart, 1_800, "Diskon transaksi 90% melebihi batas")


def test_an_approval_is_for_its_own_cart_price_and_size(demo: Factory) -> None:
    till = open_till(demo)
    approved, other = Cart(), Cart()
    with demo.begin() as s:
        add_by_barcode(s, approved, MAKARONI)
        add_by_barcode(s, other, MAKARONI)
        override_price(s, approved, 0, 15_000, SPV)
        set_order_discount(s, approved, Discount("percent", Decimal(20)), SPV)
    # The same price and discount copied into another cart: no record for that cart.
    other.lines[0].unit_price = 15_000
    refused(demo, till, other, 15_000, "bukan harga katalog")
    # The approved cart with a lower price than approved, or a bigger discount: refused.
    approved.lines[0].unit_price = 14_000
    refused(demo, till, approved, 15_000, "Rp 14.000 bukan harga katalog")
    approved.lines[0].unit_price = 15_000
    approved.order_discount = Discount("percent", Decimal(30))
    refused(demo, till, approved, 15_000, "Diskon transaksi 30% melebihi batas")
    approved.order_discount = Discount("percent", Decimal(20))
    with demo.begin() as s:
        sale = checkout(s, till, approved, cash(12_000), now=NOW)
    spv = user_id(demo, "spv1")
    with demo() as s:
        line = s.scalars(select(SaleLine).where(SaleLine.sale_id == sale.id)).one()
        assert (line.unit_price, line.price_approved_by_id) == (15_000, spv)
    assert sale.total == 12_000


def test_the_cashier_never_approves_their_own_sale(demo: Factory) -> None:
    """A supervisor working the till: their own discount and their own void need another."""
    till = open_till(demo, user="spv1")
    sale = SaleSession(till)
    with demo.begin() as s:
        sale.scan(s, KERIPIK)
    own = "tidak boleh menyetujui transaksinya sendiri"
    with pytest.raises(ApprovalRequired, match=own), demo.begin() as s:
        sale.set_line_discount(s, 0, Discount("percent", Decimal(90)), SPV)
    with demo.begin() as s:
        sale.set_line_discount(s, 0, Discount("percent", Decimal(90)), Approval("3333", "manajer"))
    with demo.begin() as s:
        sale.add_payment(s, cash(2_000)[0])
        finished = sale.checkout(s, now=NOW)
    number = finished.sale.receipt_number
    with pytest.raises(ApprovalRequired, match=own), demo.begin() as s:
        void_sale(s, till, number, "salah input", SPV, now=NOW)


def test_a_parked_cart_edited_in_the_store_comes_back_at_the_catalog_price(
    demo: Factory,
) -> None:
    till = open_till(demo)
    spv = user_id(demo, "spv1")
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI)
        parked = park_cart(s, till, cart)
    with demo.begin() as s:  # by hand, with a database tool
        row = s.get(ParkedCart, parked.id)
        assert row is not None
        data = json.loads(row.data)
        data["lines"][0]["unit_price"] = 5
        data["lines"][0]["price_approved_by"] = spv
        s.execute(
            update(ParkedCart).where(ParkedCart.id == parked.id).values(data=json.dumps(data))
        )
    with demo.begin() as s:
        back = recall_cart(s, parked.id, till.user_id)
    assert back.changes == (
        "Harga Makaroni Keju 250 g Rp 5 tidak punya persetujuan yang tercatat; kembali ke "
        "harga katalog.",
    )
    assert back.cart.lines[0].unit_price == 18_000
    with demo.begin() as s:
        assert checkout(s, till, back.cart, cash(18_000), now=NOW).total == 18_000


def test_an_approved_cart_parked_and_recalled_keeps_its_approvals(demo: Factory) -> None:
    till = open_till(demo)
    sale = SaleSession(till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
        sale.scan(s, KERIPIK)
        sale.override_price(s, 0, 16_000, SPV)
        sale.set_line_discount(s, 1, Discount("percent", Decimal(25)), SPV)
        parked, _ = sale.park(s)
    with demo.begin() as s:
        recalled, state = sale.recall(s, parked.id)
    assert recalled.changes == ()
    assert state.cart.total == 16_000 + 15_000
    with demo.begin() as s:
        sale.add_payment(s, cash(31_000)[0])
        done = sale.checkout(s, now=NOW)
    spv = user_id(demo, "spv1")
    with demo() as s:
        lines = s.scalars(
            select(SaleLine).where(SaleLine.sale_id == done.sale.id).order_by(SaleLine.line_no)
        ).all()
    assert [(ln.price_approved_by_id, ln.discount_approved_by_id) for ln in lines] == [
        (spv, None),
        (None, spv),
    ]


def test_a_catalog_price_changed_since_the_scan_is_refused_and_named(demo: Factory) -> None:
    """The stock update checks each line's catalog price (no statement of its own)."""
    from kasir.store.models import Product

    till = open_till(demo)
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI)
        add_by_barcode(s, cart, KERIPIK)
    with demo.begin() as s:
        s.execute(update(Product).where(Product.barcode == KERIPIK).values(price=21_000))
    refused(
        demo,
        till,
        cart,
        38_000,
        r"Harga Keripik Bawang 250 g Rp 20\.000 bukan harga katalog \(Rp 21\.000\)",
    )
    # Two lines of one product at two catalog prices: one of them cannot be the catalog's.
    other = Cart()
    with demo.begin() as s:
        add_by_barcode(s, other, MAKARONI)
        add_by_barcode(s, other, MAKARONI)
    other.lines.append(replace(other.lines[0], list_price=1, unit_price=1, qty=1))
    refused(demo, till, other, 36_001, "Rp 1 bukan harga katalog")
