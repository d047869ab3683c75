"""A cart given up and a payment removed leave a record: who, when, where, what, why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from store_helpers import KERIPIK, MAKARONI, NOW, Factory, open_till

from kasir.domain.payment import PaymentInput
from kasir.errors import ValidationError
from kasir.services.drafts import load_draft
from kasir.services.sale_session import CANCELLED_REASON, SaleSession
from kasir.services.shifts import Till, cancelled_summary, current_shift
from kasir.store.models import CancelledSale, CancelledSaleLine, RemovedPayment


def begin(factory: Factory, till: Till) -> SaleSession:
    with factory.begin() as s:
        sale, _ = SaleSession.resume(s, till)
    return sale


def shift_id(factory: Factory, till: Till) -> int:
    with factory() as s:
        shift = current_shift(s, till.counter_id)
    assert shift is not None
    return shift.id


def test_a_cancelled_cart_is_stored_with_its_lines_and_payments(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI, 2)  # 36.000
    with demo.begin() as s:
        sale.scan(s, KERIPIK)  # 20.000
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("qris", 10_000, "QR-9"))
    cart_uuid, shift = sale.sale_uuid, shift_id(demo, till)
    with demo.begin() as s:
        state = sale.cancel(s, now=NOW)
    assert state.empty and sale.sale_uuid != cart_uuid
    with demo() as s:
        assert load_draft(s, till.counter_id) is None
        cancelled = s.scalars(select(CancelledSale)).one()
        assert cancelled.uuid == cart_uuid
        assert (cancelled.counter_id, cancelled.cashier_id) == (till.counter_id, till.user_id)
        assert cancelled.shift_id == shift
        assert cancelled.cancelled_at == NOW
        assert (cancelled.item_count, cancelled.total, cancelled.paid) == (3, 56_000, 10_000)
        lines = s.scalars(select(CancelledSaleLine).order_by(CancelledSaleLine.line_no)).all()
        assert [(ln.line_no, ln.sku, ln.qty, ln.unit_price, ln.line_total) for ln in lines] == [
            (1, "KUL-0001", 2, 18_000, 36_000),
            (2, "KUL-0004", 1, 20_000, 20_000),
        ]
        dropped = s.scalars(select(RemovedPayment)).one()
        assert (dropped.method, dropped.amount, dropped.reference, dropped.reason) == (
            "qris",
            10_000,
            "QR-9",
            CANCELLED_REASON,
        )
        assert dropped.cancelled_sale_id == cancelled.id and dropped.sale_uuid == cart_uuid
    with demo() as s:
        summary = cancelled_summary(s, shift)
    assert (summary.count, summary.total, summary.paid) == (1, 56_000, 10_000)


def test_an_empty_cart_cancelled_records_nothing(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.cancel(s)
    shift = shift_id(demo, till)
    with demo() as s:
        assert s.scalar(select(func.count()).select_from(CancelledSale)) == 0
        assert cancelled_summary(s, shift).count == 0


def test_removing_a_payment_is_recorded_and_non_cash_needs_a_reason(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, KERIPIK, 3)  # 60.000
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("tunai", 10_000))
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("debit", 20_000, "EDC-1"))
    with (
        pytest.raises(ValidationError, match="Alasan menghapus pembayaran Kartu Debit"),
        demo.begin() as s,
    ):
        sale.remove_payment(s, 1, "  ")
    with demo() as s:
        assert s.scalar(select(func.count()).select_from(RemovedPayment)) == 0
    with demo.begin() as s:
        state = sale.remove_payment(s, 1, "salah gesek kartu", now=NOW)
    assert state.payments == (PaymentInput("tunai", 10_000),)
    with demo.begin() as s:
        state = sale.remove_payment(s, 0, now=NOW)  # cash: no reason needed
    assert state.payments == () and state.remaining == 60_000
    shift = shift_id(demo, till)
    with demo() as s:
        rows = s.scalars(select(RemovedPayment).order_by(RemovedPayment.id)).all()
        assert [(r.method, r.amount, r.reference, r.reason, r.user_id) for r in rows] == [
            ("debit", 20_000, "EDC-1", "salah gesek kartu", till.user_id),
            ("tunai", 10_000, None, None, till.user_id),
        ]
        assert all(r.shift_id == shift and r.removed_at == NOW for r in rows)
        assert all(r.cancelled_sale_id is None and r.sale_uuid == sale.sale_uuid for r in rows)
        assert load_draft(s, till.counter_id).payments == ()  # type: ignore[union-attr]
