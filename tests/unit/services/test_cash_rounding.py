"""Cash rounding through the services: the sale stores its rounding as its own figure (total =
lines + rounding, credited to no UPT), QRIS is never rounded, a cash refund rounds what it hands
back, the export has the column and `db check` still finds the store consistent."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from store_helpers import MAKARONI, NOW, SPV, Factory, open_till

from kasir.domain.cart import Discount
from kasir.domain.payment import PaymentInput
from kasir.errors import PaymentError
from kasir.services.export import export_day
from kasir.services.integrity import check_store
from kasir.services.returns import refund_sale
from kasir.services.sale_session import SaleSession
from kasir.services.shifts import Till, expected_cash
from kasir.settings import set_setting
from kasir.store.models import Payment, Sale, SaleLine
from kasir.timeutil import business_date


def rounding(factory: Factory, unit: str, direction: str = "nearest") -> None:
    with factory.begin() as s:
        set_setting(s, "cash_rounding", unit)
        set_setting(s, "cash_rounding_direction", direction)


def cart_of_17_460(factory: Factory, till: Till) -> SaleSession:
    """Makaroni Rp 18.000 less 3% = Rp 17.460 (a discount within the cashier's limit)."""
    with factory.begin() as s:
        sale, _ = SaleSession.resume(s, till)
    with factory.begin() as s:
        sale.scan(s, MAKARONI)
    with factory.begin() as s:
        state = sale.set_line_discount(s, 0, Discount("percent", Decimal("3")))
    assert state.cart.total == 17_460
    return sale


def test_a_cash_sale_rounded_to_rp_500(demo: Factory) -> None:
    rounding(demo, "500")
    till = open_till(demo)
    sale = cart_of_17_460(demo, till)
    with demo.begin() as s:
        state = sale.state(s)
    assert state.remaining == 17_460 and state.due.cash_remaining == 17_500
    assert state.cash_note == "Tunai dibulatkan Rp 17.500 (pembulatan +Rp 40)"
    with demo.begin() as s:
        state = sale.add_payment(s, PaymentInput("tunai", 20_000))
    assert state.remaining == 0
    with demo.begin() as s:
        done = sale.checkout(s, now=NOW)
    assert (done.sale.total, done.sale.rounding, done.sale.change) == (17_500, 40, 2_500)
    with demo() as s:
        row = s.scalar(select(Sale).where(Sale.receipt_number == done.sale.receipt_number))
        assert row is not None and (row.total, row.rounding) == (17_500, 40)
        lines = s.scalar(select(func.sum(SaleLine.line_total)).where(SaleLine.sale_id == row.id))
        assert lines == 17_460, "the lines (and so the UPTs) get the goods, not the rounding"
        paid = s.execute(select(Payment.amount, Payment.tendered, Payment.change)).all()
        assert paid == [(17_500, 20_000, 2_500)]
        assert check_store(s).problems == ()


def test_a_qris_sale_has_rounding_0(demo: Factory) -> None:
    rounding(demo, "500")
    till = open_till(demo)
    sale = cart_of_17_460(demo, till)
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("qris", 17_460, "QR-1"))
    with demo.begin() as s:
        done = sale.checkout(s, now=NOW)
    assert (done.sale.total, done.sale.rounding) == (17_460, 0)


def test_cash_below_the_rounded_amount_is_not_enough(demo: Factory) -> None:
    rounding(demo, "500", "up")
    till = open_till(demo)
    sale = cart_of_17_460(demo, till)
    with demo.begin() as s:
        state = sale.add_payment(s, PaymentInput("tunai", 17_460))
    assert state.remaining == 40 and state.due.exact_remaining == 0
    with pytest.raises(PaymentError), demo.begin() as s:
        sale.checkout(s, now=NOW)
    with demo.begin() as s:
        state = sale.add_payment(s, PaymentInput("tunai", 40))
    with demo.begin() as s:
        done = sale.checkout(s, now=NOW)
    assert (done.sale.total, done.sale.rounding) == (17_500, 40)


def test_a_cash_refund_rounds_what_it_hands_back(demo: Factory, tmp_path: Path) -> None:
    rounding(demo, "100")
    till = open_till(demo)
    sale = cart_of_17_460(demo, till)
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("tunai", 17_500))
    with demo.begin() as s:
        sold = sale.checkout(s, now=NOW).sale
    assert (sold.total, sold.rounding) == (17_500, 40)
    with demo.begin() as s:
        drawer = expected_cash(s, _shift(s, sold.receipt_number))
        refund = refund_sale(s, till, sold.receipt_number, None, "rusak", SPV, now=NOW)
        assert expected_cash(s, _shift(s, sold.receipt_number)) == drawer - 17_500
    # Lines -17.460, the cash back rounded the same way: -17.500 (its rounding -40).
    assert (refund.total, refund.rounding) == (-17_500, -40)
    assert [(p.method, p.amount) for p in refund.payments] == [("tunai", -17_500)]
    with demo.begin() as s:
        assert check_store(s).problems == ()
        export_day(s, business_date(NOW), tmp_path)
    with (tmp_path / "sales.csv").open(encoding="utf-8-sig", newline="") as f:
        docs = {r["receipt_number"]: r for r in csv.DictReader(f)}
    assert (docs[sold.receipt_number]["rounding"], docs[sold.receipt_number]["total"]) == (
        "40",
        "17500",
    )
    assert docs[refund.receipt_number]["rounding"] == "-40"


def test_a_qris_refund_is_not_rounded(demo: Factory) -> None:
    rounding(demo, "1000")
    till = open_till(demo)
    sale = cart_of_17_460(demo, till)
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("qris", 17_460, "QR-1"))
    with demo.begin() as s:
        sold = sale.checkout(s, now=NOW).sale
    with demo.begin() as s:
        refund = refund_sale(
            s, till, sold.receipt_number, None, "rusak", SPV, reference="QR-BACK", now=NOW
        )
    assert (refund.total, refund.rounding) == (-17_460, 0)


def _shift(s: object, number: str) -> int:
    shift_id = s.scalar(select(Sale.shift_id).where(Sale.receipt_number == number))  # type: ignore[attr-defined]
    assert isinstance(shift_id, int)
    return shift_id
