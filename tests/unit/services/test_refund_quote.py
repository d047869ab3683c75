"""The refund dialog's quote says what the refund pays: the paid price per unit after the
line and order discounts, and the money back for any choice, equal to what `refund_sale`
books, step after step."""

from __future__ import annotations

from decimal import Decimal

from store_helpers import KERIPIK, MAKARONI, NOW, SPV, Factory, open_till

from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import PaymentInput
from kasir.services.cart_edit import add_by_barcode, set_line_discount, set_order_discount
from kasir.services.checkout import checkout
from kasir.services.refund_quote import refund_quote
from kasir.services.returns import RefundItem, refund_sale, void_sale
from kasir.services.shifts import Till


def sell_discounted(demo: Factory, till: Till) -> str:
    """3 Makaroni (18.000) with Rp 1.000 off the line, 2 Keripik (20.000), 15% off the order."""
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 3)
        add_by_barcode(s, cart, KERIPIK, 2)
        set_line_discount(s, cart, 0, Discount("amount", 1_000))
        view = set_order_discount(s, cart, Discount("percent", Decimal(15)), SPV)
        return checkout(s, till, cart, [PaymentInput("tunai", view.total)], now=NOW).receipt_number


def test_the_paid_price_and_the_money_back_are_what_the_refund_books(demo: Factory) -> None:
    till = open_till(demo)
    number = sell_discounted(demo, till)
    with demo() as s:
        quote = refund_quote(s, number)
    makaroni, keripik = quote.lines
    # (54.000 - 1.000) * 0.85 = 45.050 for 3: 15.017 a unit; 40.000 * 0.85 = 34.000 for 2.
    assert (makaroni.unit_price, makaroni.paid_unit, makaroni.left) == (18_000, 15_017, 3)
    assert (keripik.unit_price, keripik.paid_unit, keripik.left) == (20_000, 17_000, 2)
    assert quote.amount_back({}) == 0 and quote.amount_back({1: 4}) == 0
    for step in ({1: 1}, {1: 1, 2: 1}, {1: 1, 2: 1}):
        with demo() as s:
            quote = refund_quote(s, number)
        expected = quote.amount_back(step)
        items = [RefundItem(no, qty) for no, qty in step.items()]
        with demo.begin() as s:
            refund = refund_sale(s, till, number, items, "rusak", SPV, now=NOW)
        assert -refund.total == expected, step
    with demo() as s:
        quote = refund_quote(s, number)
    assert quote.refundable() == {1: 0, 2: 0}
    assert quote.amount_back({1: 1}) == 0


def test_a_bare_number_and_documents_that_cannot_be_refunded(demo: Factory) -> None:
    till = open_till(demo)
    number = sell_discounted(demo, till)
    with demo.begin() as s:
        refund = refund_sale(s, till, number, [RefundItem(2, 1)], "rusak", SPV, now=NOW)
    with demo() as s:
        by_seq = refund_quote(s, "1", counter_id=till.counter_id, day=NOW.date())
        of_refund = refund_quote(s, refund.receipt_number)
    assert by_seq.sale.receipt_number == number and by_seq.refundable() == {1: 3, 2: 1}
    assert of_refund.refundable() == {1: 0}
    assert of_refund.lines[0].paid_unit == 17_000, "what one unit paid back"
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI)
        other = checkout(s, till, cart, [PaymentInput("tunai", 18_000)], now=NOW)
        void_sale(s, till, other.receipt_number, "salah", SPV, now=NOW)
    with demo() as s:
        assert refund_quote(s, other.receipt_number).refundable() == {1: 0}
