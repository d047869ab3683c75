"""The order discount as the cashier gave it: a percentage is kept with the sale (basis points)
and its refunds, so the receipt says "Diskon transaksi 15%"; an amount says no percentage."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, Factory, cash, make_till, open_till

from kasir.domain.cart import Cart, Discount
from kasir.output.receipt import ReceiptHeader, render_text
from kasir.services.cart_edit import add_by_barcode, set_order_discount
from kasir.services.checkout import checkout
from kasir.services.returns import refund_sale
from kasir.services.sale_lookup import get_sale
from kasir.store.models import Sale

HEADER = ReceiptHeader("Toko", "Alamat", "Terima kasih")


def sell(demo: Factory, discount: Discount) -> str:
    till = open_till(demo)
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI, 2)
        add_by_barcode(s, cart, KERIPIK)
        set_order_discount(s, cart, discount, SPV)
        return checkout(s, till, cart, cash(100_000), now=NOW).receipt_number


def test_a_percent_order_discount_is_on_the_receipt_and_its_refund(demo: Factory) -> None:
    number = sell(demo, Discount("percent", Decimal("12.5")))
    with demo() as s:
        sale = get_sale(s, number)
        assert s.scalar(select(Sale.order_discount_bp).where(Sale.id == sale.id)) == 1250
    assert sale.order_discount_percent == Decimal("12.5")
    assert "Diskon transaksi 12,5%" in render_text(sale, HEADER, 32)
    with demo.begin() as s:
        refund = refund_sale(s, make_till(s), number, None, "rusak", SPV, now=NOW)
    assert refund.order_discount_bp == 1250
    assert "Diskon transaksi 12,5%" in render_text(refund, HEADER, 32)


def test_an_amount_order_discount_has_no_percentage(demo: Factory) -> None:
    number = sell(demo, Discount("amount", 5_000))
    with demo() as s:
        sale = get_sale(s, number)
    assert sale.order_discount_bp is None and sale.order_discount_percent is None
    text = render_text(sale, HEADER, 32)
    assert "Diskon transaksi" in text and "%" not in text
