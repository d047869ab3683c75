"""The X and Z reports of a shift (issue 19): its figures so far (X, the shift stays open) or at
its close (Z, with the count by denomination, the difference and its reason).

`shift_report` sums them from the store in one read; the receipt printer's layout and the PDF
(`kasir.output.shift_report`, `kasir.output.shift_report_pdf`) only lay them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kasir.domain.cash_count import CashCount
from kasir.domain.payment import METHODS
from kasir.domain.settlement import CashMovementRow, MethodRow
from kasir.domain.vocab import CashMovementKind, PaymentMethod
from kasir.errors import NotFound
from kasir.services.cash import movements
from kasir.services.shifts import CancelledSummary, cancelled_summary, expected_cash
from kasir.store.models import Counter, Payment, Sale, Shift, User
from kasir.timeutil import utcnow


@dataclass(frozen=True)
class ShiftReport:
    shift_id: int
    counter_code: str
    cashier_name: str
    business_date: dt.date
    opened_at: dt.datetime
    closed_at: dt.datetime | None  # None: an X report (the shift is open)
    made_at: dt.datetime
    opening_float: int
    methods: tuple[MethodRow, ...]  # every method, in the order of the F-keys
    sales_count: int
    sales_gross: int  # sum of the lines before discounts
    discounts: int  # line and order discounts of the sales
    sales_total: int  # what the sales came to (rounding included)
    refund_count: int
    refund_total: int  # paid back (positive)
    void_count: int
    void_total: int
    cancelled: CancelledSummary
    rounding: int  # cash rounding of sales and refunds (its own line)
    cash_sales: int  # cash taken, less change
    cash_refunds: int  # cash paid back (positive)
    movements: tuple[CashMovementRow, ...]
    cash_in: int
    cash_out: int  # kas keluar and safe drops
    expected: int
    counted: int | None = None  # Z only
    count: CashCount | None = None  # the blind count, when the cashier closed it herself
    difference_reason: str = ""
    closed_by: str = ""
    approved_by: str = ""

    @property
    def final(self) -> bool:
        return self.closed_at is not None

    @property
    def letter(self) -> str:
        return "Z" if self.final else "X"

    @property
    def title(self) -> str:
        return f"LAPORAN {self.letter}"

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected

    @property
    def net(self) -> int:
        return self.sales_total - self.refund_total


def _name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    return session.scalar(select(User.full_name).where(User.id == user_id)) or "?"


def shift_report(session: Session, shift_id: int, *, now: dt.datetime | None = None) -> ShiftReport:
    """The shift's X report (open) or Z report (closed)."""
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"Shift #{shift_id} tidak ada.")
    counter = session.scalar(select(Counter.code).where(Counter.id == shift.counter_id)) or "?"
    completed = (Sale.shift_id == shift_id) & (Sale.status == "completed")
    docs = {
        kind: (int(n), int(gross or 0), int(disc or 0), int(total or 0), int(rounding or 0))
        for kind, n, gross, disc, total, rounding in session.execute(
            select(
                Sale.kind,
                func.count(),
                func.sum(Sale.subtotal),
                func.sum(Sale.line_discount_total + Sale.order_discount),
                func.sum(Sale.total),
                func.sum(Sale.rounding),
            )
            .where(completed)
            .group_by(Sale.kind)
        )
    }
    sales = docs.get("sale", (0, 0, 0, 0, 0))
    refunds = docs.get("refund", (0, 0, 0, 0, 0))
    void_count, void_total = session.execute(
        select(func.count(), func.coalesce(func.sum(Sale.total), 0)).where(
            Sale.shift_id == shift_id, Sale.status == "voided"
        )
    ).one()
    paid: dict[str, tuple[int, int, int]] = {}
    for method, got, back, count in session.execute(
        select(
            Payment.method,
            func.sum(case((Payment.amount > 0, Payment.amount), else_=0)),
            func.sum(case((Payment.amount < 0, -Payment.amount), else_=0)),
            func.count(),
        )
        .join(Sale, Sale.id == Payment.sale_id)
        .where(completed)
        .group_by(Payment.method)
    ):
        paid[method] = (int(got or 0), int(back or 0), int(count))
    methods = []
    for m in METHODS:
        got, back, count = paid.get(m.value, (0, 0, 0))
        methods.append(MethodRow(m.value, got, back, got - back, count))
    cash = paid.get(PaymentMethod.TUNAI.value, (0, 0, 0))
    moved = movements(session, shift_id)
    cash_in = sum(m.amount for m in moved if m.kind == CashMovementKind.IN.value)
    cash_out = sum(m.amount for m in moved if m.kind != CashMovementKind.IN.value)
    closed = shift.status == "closed"
    expected = (
        shift.expected_cash
        if closed and shift.expected_cash is not None
        else expected_cash(session, shift_id)
    )
    return ShiftReport(
        shift_id=shift.id,
        counter_code=counter,
        cashier_name=_name(session, shift.cashier_id),
        business_date=shift.business_date,
        opened_at=shift.opened_at,
        closed_at=shift.closed_at if closed else None,
        made_at=(now or utcnow()).astimezone(dt.UTC),
        opening_float=shift.opening_float,
        methods=tuple(methods),
        sales_count=sales[0],
        sales_gross=sales[1],
        discounts=sales[2],
        sales_total=sales[3],
        refund_count=refunds[0],
        refund_total=-refunds[3],
        void_count=int(void_count),
        void_total=int(void_total or 0),
        cancelled=cancelled_summary(session, shift_id),
        rounding=sales[4] + refunds[4],
        cash_sales=cash[0],
        cash_refunds=cash[1],
        movements=moved,
        cash_in=cash_in,
        cash_out=cash_out,
        expected=expected,
        counted=shift.counted_cash if closed else None,
        count=CashCount.from_json(shift.counted_detail) if shift.counted_detail else None,
        difference_reason=shift.difference_reason or "",
        closed_by=_name(session, shift.closed_by_id) if closed else "",
        approved_by=_name(session, shift.close_approved_by_id) if closed else "",
    )
