"""A day at one counter as the journal tests need it (tests/unit/services/test_journal*.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, cash, open_till

from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.returns import RefundItem, refund_sale, void_sale
from kasir.services.shifts import close_shift, current_shift

Factory = sessionmaker[Session]


def day(demo: Factory) -> dict[str, str]:
    """Three cash sales, one by QRIS, a refund and a void; the shift closed."""
    till = open_till(demo)
    numbers: dict[str, str] = {}
    for name, pay in (
        ("a", cash(50_000)),
        ("b", cash(100_000)),
        ("c", [PaymentInput("qris", 38_000, "QR-7")]),
        ("d", cash(40_000)),
    ):
        with demo.begin() as s:
            cart = Cart()
            add_by_barcode(s, cart, MAKARONI)
            add_by_barcode(s, cart, KERIPIK)
            numbers[name] = checkout(s, till, cart, pay, now=NOW).receipt_number
    with demo.begin() as s:
        numbers["r"] = refund_sale(
            s, till, numbers["b"], [RefundItem(1, 1)], "rusak", SPV, now=NOW
        ).receipt_number
    with demo.begin() as s:
        void_sale(s, till, numbers["d"], "salah input", SPV, now=NOW)
    with demo.begin() as s:
        shift = current_shift(s, till.counter_id)
        assert shift is not None
        close_shift(s, shift.id, 200_000, till.user_id, now=NOW)
    return numbers


def cancelled_cart(demo: Factory) -> None:
    """A cart of two items with a cash payment taken, cancelled at the till (K01)."""
    from kasir.services.sale_session import SaleSession

    sale = SaleSession(open_till(demo))
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
        sale.scan(s, KERIPIK)
        sale.add_payment(s, PaymentInput("tunai", 10_000))
        sale.cancel(s, now=NOW)
