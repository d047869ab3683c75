"""Voids and refunds: approval, stock back, never more than was sold, the cash drawer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from store_helpers import (
    KASIR_PIN,
    KERIPIK,
    MAKARONI,
    NOW,
    SPV,
    Factory,
    make_till,
    open_till,
    snapshot,
    stock_of,
)

from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import PaymentInput
from kasir.errors import (
    ApprovalRequired,
    KasirError,
    NotAllowed,
    NotFound,
    ValidationError,
)
from kasir.services.auth import Approval
from kasir.services.cart_edit import add_by_barcode, set_order_discount
from kasir.services.checkout import checkout
from kasir.services.returns import RefundItem, refund_amount, refund_sale, void_sale
from kasir.services.sale_lookup import get_sale
from kasir.services.shifts import Till, close_shift, expected_cash
from kasir.store.models import (
    Payment,
    Sale,
    SaleLine,
    Shift,
    StockMovement,
    User,
)

LATER = NOW + dt.timedelta(hours=2)
BOLU = "2000000100050"  # KUL-0005, Rp 15.000


def current_shift_id(factory: Factory, till: Till) -> int:
    with factory() as s:
        shift_id = s.scalar(
            select(Shift.id).where(Shift.counter_id == till.counter_id, Shift.status == "open")
        )
    assert shift_id is not None
    return shift_id


def sell(
    factory: Factory,
    till: Till,
    items: list[tuple[str, int]],
    *,
    payments: list[PaymentInput] | None = None,
    order_discount: Discount | None = None,
    now: dt.datetime = NOW,
) -> str:
    cart = Cart()
    with factory.begin() as s:
        for code, qty in items:
            view = add_by_barcode(s, cart, code, qty)
        if order_discount is not None:
            view = set_order_discount(s, cart, order_discount, SPV)
        pay = payments if payments is not None else [PaymentInput("tunai", view.total)]
        return checkout(s, till, cart, pay, now=now).receipt_number


# --- void --------------------------------------------------------------------------------------


def test_void_needs_a_supervisor_and_a_reason(demo: Factory) -> None:
    till = open_till(demo)
    stock = stock_of(demo, MAKARONI)
    number = sell(demo, till, [(MAKARONI, 2), (KERIPIK, 1)])
    assert stock_of(demo, MAKARONI) == stock - 2
    before = snapshot(demo)
    for approval, reason, error in [
        (None, "salah scan", ApprovalRequired),
        (KASIR_PIN, "salah scan", ApprovalRequired),
        (Approval("0000"), "salah scan", ApprovalRequired),
        (SPV, "", ValidationError),
        (SPV, "  x ", ValidationError),
    ]:
        with pytest.raises(error), demo.begin() as s:
            void_sale(s, till, number, reason, approval, now=LATER)
        assert snapshot(demo) == before

    with demo.begin() as s:
        voided = void_sale(s, till, number, "  salah   scan ", SPV, now=LATER)
    assert (voided.status, voided.void_reason, voided.receipt_number) == (
        "voided",
        "salah scan",
        number,
    )
    assert stock_of(demo, MAKARONI) == stock  # stock back
    with demo() as s:
        row = s.scalar(select(Sale).where(Sale.receipt_number == number))
        spv_id = s.scalar(select(User.id).where(User.username == "spv1"))
        assert row is not None
        assert (row.voided_by_id, row.void_approved_by_id) == (till.user_id, spv_id)
        moves = s.execute(
            select(StockMovement.kind, func.sum(StockMovement.qty))
            .where(StockMovement.sale_id == row.id)
            .group_by(StockMovement.kind)
            .order_by(StockMovement.kind)
        ).all()
        assert [tuple(m) for m in moves] == [("sale", -3), ("void", 3)]
    # The voided receipt keeps its number: the next sale takes the next one.
    assert sell(demo, till, [(MAKARONI, 1)]) == "K01-20261122-0002"
    # Twice: refused.
    before = snapshot(demo)
    with pytest.raises(NotAllowed), demo.begin() as s:
        void_sale(s, till, number, "lagi", SPV, now=LATER)
    assert snapshot(demo) == before


def test_void_by_the_manager(demo: Factory) -> None:
    till = open_till(demo)
    number = sell(demo, till, [(MAKARONI, 1)])
    with demo.begin() as s:
        assert void_sale(s, till, number, "batal", Approval("3333"), now=LATER).status == "voided"


def test_void_of_a_previous_day_is_refused(demo: Factory) -> None:
    till = open_till(demo)
    number = sell(demo, till, [(MAKARONI, 1)])
    next_day = NOW + dt.timedelta(days=1)
    with demo.begin() as s:
        close_shift(s, current_shift_id(demo, till), 0, till.user_id, now=next_day)
    open_till(demo, now=next_day)
    before = snapshot(demo)
    with pytest.raises(NotAllowed, match="retur"), demo.begin() as s:
        void_sale(s, till, number, "kemarin", SPV, now=next_day)
    assert snapshot(demo) == before
    # A refund is the way for yesterday's sale; it is numbered on today.
    with demo.begin() as s:
        refund = refund_sale(s, till, number, None, "rusak", SPV, now=next_day)
    assert refund.receipt_number == "K01-20261123-0001"


def test_void_needs_an_open_shift(demo: Factory) -> None:
    till = open_till(demo)
    number = sell(demo, till, [(MAKARONI, 1)])
    with demo.begin() as s:
        close_shift(s, current_shift_id(demo, till), 0, till.user_id, now=LATER)
    with pytest.raises(NotAllowed), demo.begin() as s:
        void_sale(s, till, number, "batal", SPV, now=LATER)


def test_void_only_on_the_counter_and_shift_that_took_the_money(demo: Factory) -> None:
    """The drawer that took the cash gives it back: another counter, or a later shift on the
    same counter, refunds instead, so every shift's cash count stays right."""
    k01 = open_till(demo)
    k02 = open_till(demo, "K02", "kasir2")
    number = sell(demo, k02, [(MAKARONI, 2)])
    with pytest.raises(NotAllowed, match="meja atau shift lain"), demo.begin() as s:
        void_sale(s, k01, number, "salah input", SPV, now=LATER)
    with demo.begin() as s:
        closed = close_shift(s, current_shift_id(demo, k02), 236_000, k02.user_id, now=LATER)
    assert closed.difference == 0
    later = open_till(demo, "K02", "kasir2", now=LATER)
    with pytest.raises(NotAllowed, match="meja atau shift lain"), demo.begin() as s:
        void_sale(s, later, number, "salah input", SPV, now=LATER)
    with demo() as s:
        assert get_sale(s, number).status == "completed"
        assert expected_cash(s, closed.id) == 236_000  # the closed count still holds


def test_refund_paid_back_by_card_or_qris_needs_its_reference(demo: Factory) -> None:
    till = open_till(demo)
    number = sell(demo, till, [(MAKARONI, 1)])
    for method in ("qris", "debit", "kredit"):
        with pytest.raises(ValidationError, match="wajib diisi"), demo.begin() as s:
            refund_sale(s, till, number, None, "rusak", SPV, method=method, now=LATER)
    with demo.begin() as s:
        refund = refund_sale(s, till, number, None, "rusak", SPV, method="transfer", now=LATER)
    assert refund.payments[0].method == "transfer" and refund.payments[0].reference is None


def test_refund_rows_add_up_with_non_negative_discounts(demo: Factory) -> None:
    """2 x 18.000 with a Rp 1 order discount: each refunded unit carries a whole-rupiah share
    of the discount that is never negative, and its row adds up."""
    till = open_till(demo)
    number = sell(demo, till, [(MAKARONI, 2)], order_discount=Discount("amount", 1))
    for _ in range(2):
        with demo.begin() as s:
            refund = refund_sale(s, till, number, [RefundItem(1, 1)], "rusak", SPV, now=LATER)
        (row,) = refund.lines
        assert row.line_discount <= 0 and row.order_discount_share <= 0
        gross = row.qty * row.unit_price
        assert gross - row.line_discount - row.order_discount_share == row.line_total
    with demo() as s:
        refunds = [get_sale(s, f"K01-20261122-{n:04d}") for n in (2, 3)]
    assert sum(r.total for r in refunds) == -35_999
    assert sum(r.order_discount for r in refunds) == -1


# --- refund ------------------------------------------------------------------------------------


def test_refund_partial_then_the_rest(demo: Factory) -> None:
    till = open_till(demo)
    stock = stock_of(demo, MAKARONI)
    # 3 x 18.000 + 20.000 = 74.000, less 7.000: shares 5.108 / 1.892 -> 48.892 + 18.108
    number = sell(
        demo, till, [(MAKARONI, 3), (KERIPIK, 1)], order_discount=Discount("amount", 7_000)
    )
    with demo() as s:
        original = get_sale(s, number)
    assert original.total == 67_000
    assert [ln.line_total for ln in original.lines] == [48_892, 18_108]

    with demo.begin() as s:
        first = refund_sale(
            s,
            till,
            number,
            [RefundItem(1, 1)],
            "rusak",
            SPV,
            method="qris",
            reference="QR-1",
            now=LATER,
        )
    assert first.receipt_number == "K01-20261122-0002"  # its own number, from the sequence
    assert (first.kind, first.status, first.original_receipt) == ("refund", "completed", number)
    assert first.reason == "rusak"
    assert [(ln.line_no, ln.sku, ln.qty, ln.line_total) for ln in first.lines] == [
        (1, "KUL-0001", -1, -16_297)  # 48.892 / 3 = 16.297,33
    ]
    assert first.total == -16_297
    assert [(p.method, p.amount, p.reference) for p in first.payments] == [
        ("qris", -16_297, "QR-1")
    ]
    assert first.lines[0].original_line_id is not None
    assert stock_of(demo, MAKARONI) == stock - 3 + 1

    # More than is left is refused, and nothing changes.
    before = snapshot(demo)
    with pytest.raises(NotAllowed, match="tinggal 2"), demo.begin() as s:
        refund_sale(s, till, number, [RefundItem(1, 3)], "rusak", SPV, now=LATER)
    with pytest.raises(NotAllowed), demo.begin() as s:
        refund_sale(s, till, number, [RefundItem(1, 2), RefundItem(1, 1)], "rusak", SPV, now=LATER)
    assert snapshot(demo) == before

    with demo.begin() as s:
        rest = refund_sale(s, till, number, None, "semua", SPV, now=LATER)
    assert [(ln.line_no, ln.sku, ln.qty) for ln in rest.lines] == [
        (1, "KUL-0001", -2),
        (2, "KUL-0004", -1),
    ]
    assert first.total + rest.total == -original.total  # exactly, after rounding
    assert [p.method for p in rest.payments] == ["tunai"]
    assert stock_of(demo, MAKARONI) == stock
    with pytest.raises(NotAllowed, match="sudah diretur"), demo.begin() as s:
        refund_sale(s, till, number, None, "lagi", SPV, now=LATER)
    with pytest.raises(NotAllowed), demo.begin() as s:
        refund_sale(s, till, number, [RefundItem(2, 1)], "lagi", SPV, now=LATER)
    # A sale with a refund can no longer be voided.
    with pytest.raises(NotAllowed), demo.begin() as s:
        void_sale(s, till, number, "batal", SPV, now=LATER)
    with demo() as s:
        moves = s.execute(
            select(StockMovement.qty).where(
                StockMovement.kind == "refund", StockMovement.reference == rest.receipt_number
            )
        ).scalars()
        assert sorted(moves) == [1, 2]


def test_refund_of_a_refund_or_a_voided_sale_is_refused(demo: Factory) -> None:
    till = open_till(demo)
    voided = sell(demo, till, [(MAKARONI, 1)])
    with demo.begin() as s:
        void_sale(s, till, voided, "batal", SPV, now=LATER)
    sold = sell(demo, till, [(KERIPIK, 2)])
    with demo.begin() as s:
        refund = refund_sale(
            s, till, sold, [RefundItem(1, 1)], "rusak", SPV, now=LATER
        ).receipt_number
    before = snapshot(demo)
    cases: list[tuple[str, list[RefundItem] | None, dict[str, Any], type[KasirError]]] = [
        (refund, None, {}, NotAllowed),  # refunding a refund
        (refund, [RefundItem(1, 1)], {}, NotAllowed),
        (voided, None, {}, NotAllowed),  # refunding a voided sale
        (voided, [RefundItem(1, 1)], {}, NotAllowed),
        ("K01-20261122-0999", None, {}, NotFound),
        ("", None, {}, ValidationError),
        (sold, [RefundItem(1, 0)], {}, ValidationError),
        (sold, [RefundItem(1, -1)], {}, ValidationError),
        (sold, [RefundItem(9, 1)], {}, ValidationError),
        (sold, [], {}, ValidationError),
        (sold, None, {"reason": ""}, ValidationError),
        (sold, None, {"approval": None}, ApprovalRequired),
        (sold, None, {"approval": KASIR_PIN}, ApprovalRequired),
        (sold, None, {"method": "emas"}, ValidationError),
    ]
    for number, items, extra, error in cases:
        kwargs: dict[str, Any] = {"reason": "rusak", "approval": SPV, **extra}
        reason, approval = kwargs.pop("reason"), kwargs.pop("approval")
        with pytest.raises(error), demo.begin() as s:
            refund_sale(s, till, number, items, reason, approval, **kwargs, now=LATER)
        assert snapshot(demo) == before, (number, items, extra)
    # A refund document cannot be voided either.
    with pytest.raises(NotAllowed), demo.begin() as s:
        void_sale(s, till, refund, "batal", SPV, now=LATER)
    assert snapshot(demo) == before


def test_expected_cash_of_the_shift(demo: Factory) -> None:
    till = open_till(demo)  # float 200.000
    shift_id = current_shift_id(demo, till)
    # Cash 56.000 paid with 100.000: change 44.000 leaves the drawer.
    a = sell(demo, till, [(MAKARONI, 2), (KERIPIK, 1)], payments=[PaymentInput("tunai", 100_000)])
    # A cash sale voided: its cash went back to the customer.
    b = sell(demo, till, [(BOLU, 1)])
    with demo.begin() as s:
        void_sale(s, till, b, "batal", SPV, now=LATER)
    # QRIS only: no cash.
    c = sell(demo, till, [(BOLU, 2)], payments=[PaymentInput("qris", 30_000, "QR-9")])
    # Split: 36.000 = 10.000 debit + 26.000 cash (50.000 handed over).
    sell(
        demo,
        till,
        [(MAKARONI, 2)],
        payments=[PaymentInput("debit", 10_000, "EDC1"), PaymentInput("tunai", 50_000)],
    )
    # Cash refund of one Makaroni from sale a, and a QRIS refund of sale c.
    with demo.begin() as s:
        refund_sale(s, till, a, [RefundItem(1, 1)], "rusak", SPV, now=LATER)
        refund_sale(s, till, c, None, "rusak", SPV, method="qris", reference="QR-back", now=LATER)
    expected = 200_000 + 56_000 + 26_000 - 18_000
    with demo() as s:
        assert expected_cash(s, shift_id) == expected
    # Another counter's cash does not count here.
    k02 = open_till(demo, "K02", "kasir2")
    sell(demo, k02, [(MAKARONI, 1)])
    with demo.begin() as s:
        assert expected_cash(s, shift_id) == expected
        closed = close_shift(s, shift_id, expected - 500, till.user_id, now=LATER)
    assert (closed.status, closed.expected_cash, closed.counted_cash, closed.difference) == (
        "closed",
        expected,
        expected - 500,
        -500,
    )
    with pytest.raises(NotAllowed), demo.begin() as s:
        close_shift(s, shift_id, 0, till.user_id)


# --- refund arithmetic ---------------------------------------------------------------------


@given(
    st.integers(0, 10**9),
    st.integers(1, 60).flatmap(
        lambda sold: st.tuples(
            st.just(sold),
            st.lists(st.integers(1, sold), min_size=1, max_size=sold),
        )
    ),
)
def test_refund_amount_adds_up_exactly(line_total: int, case: tuple[int, list[int]]) -> None:
    sold, steps = case
    done = 0
    refunded = 0
    for step in steps:
        qty = min(step, sold - done)
        if qty == 0:
            break
        amount = refund_amount(line_total, sold, done, qty)
        assert amount >= 0
        done += qty
        refunded += amount
        assert refunded <= line_total
    rest = refund_amount(line_total, sold, done, sold - done)
    assert refunded + rest == line_total
    # One step for everything gives the line total itself.
    assert refund_amount(line_total, sold, 0, sold) == line_total


@st.composite
def refund_plans(draw: st.DrawFn) -> tuple[list[tuple[str, int]], int, list[list[RefundItem]]]:
    codes = draw(st.lists(st.sampled_from([MAKARONI, KERIPIK, BOLU]), min_size=1, max_size=3))
    items = [(code, draw(st.integers(1, 7))) for code in dict.fromkeys(codes)]
    order_discount = draw(st.integers(0, 9_999))
    left = {no: qty for no, (_code, qty) in enumerate(items, start=1)}
    plans: list[list[RefundItem]] = []
    for _ in range(draw(st.integers(0, 4))):
        open_lines = [no for no, q in left.items() if q]
        if not open_lines:
            break
        chosen = draw(st.lists(st.sampled_from(open_lines), min_size=1, unique=True))
        plan = []
        for no in chosen:
            qty = draw(st.integers(1, left[no]))
            left[no] -= qty
            plan.append(RefundItem(no, qty))
        plans.append(plan)
    return items, order_discount, plans


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(refund_plans())
def test_refunds_never_exceed_the_sale_and_add_up_to_it(
    demo_sqlite: Factory, plan: tuple[list[tuple[str, int]], int, list[list[RefundItem]]]
) -> None:
    items, order_discount, steps = plan
    factory = demo_sqlite
    with factory() as s:
        till = make_till(s)
        open_now = s.scalar(
            select(func.count()).where(Shift.counter_id == till.counter_id, Shift.status == "open")
        )
    if not open_now:
        open_till(factory)
    number = sell(
        factory,
        till,
        items,
        order_discount=Discount("amount", order_discount) if order_discount else None,
    )
    with factory() as s:
        original = get_sale(s, number)
    refunded_total = 0
    refunded_line = {ln.line_no: 0 for ln in original.lines}
    for step in steps:
        with factory.begin() as s:
            doc = refund_sale(s, till, number, step, "rusak", SPV, now=LATER)
        assert doc.total <= 0
        refunded_total += -doc.total
        assert refunded_total <= original.total
        by_id = {ln.original_line_id: ln for ln in doc.lines}
        for ln in original.lines:
            with factory() as s:
                line_id = s.scalar(
                    select(SaleLine.id).where(
                        SaleLine.sale_id == original.id, SaleLine.line_no == ln.line_no
                    )
                )
            if line_id in by_id:
                refunded_line[ln.line_no] += -by_id[line_id].line_total
            assert 0 <= refunded_line[ln.line_no] <= ln.line_total
    # Everything that is left: the refunds add up to the sale, to the rupiah.
    stepped = sum(item.qty for step in steps for item in step)
    if stepped < sum(ln.qty for ln in original.lines):
        with factory.begin() as s:
            refunded_total -= refund_sale(s, till, number, None, "sisa", SPV, now=LATER).total
    assert refunded_total == original.total
    with factory() as s:
        docs = s.execute(
            select(func.sum(Sale.total), func.sum(Sale.subtotal)).where(
                Sale.original_sale_id == original.id
            )
        ).one()
        assert docs[0] == -original.total
        assert docs[1] == -original.subtotal
        assert (
            s.scalar(
                select(func.sum(Payment.amount))
                .join(Sale, Sale.id == Payment.sale_id)
                .where(Sale.original_sale_id == original.id)
            )
            == -original.total
        )
    with pytest.raises(NotAllowed), factory.begin() as s:
        refund_sale(s, till, number, None, "lagi", SPV, now=LATER)


def test_refund_tax_follows_the_lines(demo: Factory) -> None:
    from kasir.settings import set_setting

    till = open_till(demo)
    with demo.begin() as s:
        set_setting(s, "tax_rate_pct", Decimal(11))
    number = sell(demo, till, [(MAKARONI, 3)])
    with demo() as s:
        original = get_sale(s, number)
    with demo.begin() as s:
        one = refund_sale(s, till, number, [RefundItem(1, 1)], "rusak", SPV, now=LATER)
        rest = refund_sale(s, till, number, None, "rusak", SPV, now=LATER)
    assert one.tax_total + rest.tax_total == -original.tax_total
    assert one.total + rest.total == -original.total
