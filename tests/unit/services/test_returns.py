"""Voids and refunds: approval, stock back, never more than was sold, the cash drawer."""

from __future__ import annotations

import dataclasses
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

from kasir.domain.cart import Cart, Discount, inclusive_tax
from kasir.domain.payment import PaymentInput
from kasir.errors import (
    ApprovalRequired,
    KasirError,
    NotAllowed,
    NotFound,
    ValidationError,
)
from kasir.services.auth import Approval
from kasir.services.cart_edit import add_by_barcode, set_order_discount, view_cart
from kasir.services.checkout import checkout
from kasir.services.returns import (
    LineMoney,
    RefundItem,
    refund_money,
    refund_sale,
    void_sale,
)
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
        assert (
            void_sale(s, till, number, "batal", Approval("3333", "manajer"), now=LATER).status
            == "voided"
        )


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


def test_void_of_a_non_cash_sale_records_the_reversal_reference(demo: Factory) -> None:
    """A QRIS, card or transfer payment is reversed by the same method: the void asks for the
    reference of each reversal and keeps it on the payment."""
    till = open_till(demo)
    split = sell(
        demo,
        till,
        [(MAKARONI, 3)],  # 54.000 = 20.000 QRIS + 30.000 debit + 4.000 cash
        payments=[
            PaymentInput("qris", 20_000, "QR-1"),
            PaymentInput("debit", 30_000, "EDC-1"),
            PaymentInput("tunai", 4_000),
        ],
    )
    before = snapshot(demo)
    for refs, message in [
        ((), r"Pembatalan QRIS Rp 20\.000: referensi QRIS wajib diisi"),
        (("QR-BACK",), r"Pembatalan Kartu Debit Rp 30\.000: kode approval EDC wajib diisi"),
        (("QR-BACK", " "), "kode approval EDC wajib diisi"),
        (("QR-BACK", "E" * 101), "terlalu panjang"),
        (("a", "b", "c"), "tidak perlu"),
    ]:
        with pytest.raises(ValidationError, match=message), demo.begin() as s:
            void_sale(s, till, split, "salah input", SPV, reversal_references=refs, now=LATER)
        assert snapshot(demo) == before
    with demo.begin() as s:
        void_sale(
            s, till, split, "salah input", SPV, reversal_references=(" QR-BACK ", "EDC-V"),
            now=LATER,
        )  # fmt: skip
    with demo() as s:
        sale_id = s.scalar(select(Sale.id).where(Sale.receipt_number == split))
        rows = s.execute(
            select(Payment.method, Payment.reference, Payment.reversal_reference)
            .where(Payment.sale_id == sale_id)
            .order_by(Payment.id)
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        ("debit", "EDC-1", "EDC-V"),
        ("qris", "QR-1", "QR-BACK"),
        ("tunai", None, None),
    ]
    # A cash sale needs none.
    cash_sale = sell(demo, till, [(MAKARONI, 1)])
    with demo.begin() as s:
        assert void_sale(s, till, cash_sale, "batal", SPV, now=LATER).status == "voided"


def test_void_of_a_cash_sale_larger_than_the_drawer_is_refused(demo: Factory) -> None:
    """The cash of a sale may have gone out again (a cash refund of another receipt): its void
    may not push the drawer's expected cash below zero."""
    till = open_till(demo)  # float 200.000
    earlier = sell(demo, till, [(MAKARONI, 20)], payments=[PaymentInput("qris", 360_000, "Q")])
    cash_sale = sell(demo, till, [(MAKARONI, 10)])  # 180.000 cash: drawer 380.000
    with demo.begin() as s:
        refund_sale(s, till, earlier, [RefundItem(1, 15)], "rusak", SPV, method="tunai", now=LATER)
    before = snapshot(demo)  # drawer 380.000 - 270.000 = 110.000
    with pytest.raises(NotAllowed, match=r"Rp 180\.000 melebihi .*Rp 110\.000"), demo.begin() as s:
        void_sale(s, till, cash_sale, "batal", SPV, now=LATER)
    assert snapshot(demo) == before


def test_refund_paid_back_by_a_non_cash_method_needs_its_reference(demo: Factory) -> None:
    till = open_till(demo)
    number = sell(demo, till, [(MAKARONI, 1)])
    before = snapshot(demo)
    for method in ("qris", "debit", "kredit", "transfer"):
        for reference in (None, "", "  "):
            with pytest.raises(ValidationError, match="wajib diisi"), demo.begin() as s:
                refund_sale(
                    s, till, number, None, "rusak", SPV, method=method, reference=reference,
                    now=LATER,
                )  # fmt: skip
    # The same limits as a payment taken: 100 characters (the column), no control characters.
    for reference, message in (("Q" * 101, "terlalu panjang"), ("QR\x001", "karakter kontrol")):
        with pytest.raises(ValidationError, match=message), demo.begin() as s:
            refund_sale(
                s, till, number, None, "rusak", SPV, method="qris", reference=reference, now=LATER
            )
    assert snapshot(demo) == before
    with demo.begin() as s:
        refund = refund_sale(
            s, till, number, None, "rusak", SPV, method="transfer", reference=" TRF 9 ", now=LATER
        )
    assert [(p.method, p.reference) for p in refund.payments] == [("transfer", "TRF 9")]


def test_refund_pays_back_the_way_the_sale_was_paid_unless_told(demo: Factory) -> None:
    till = open_till(demo)
    by_qris = sell(demo, till, [(MAKARONI, 2)], payments=[PaymentInput("qris", 36_000, "QR-1")])
    split = sell(
        demo,
        till,
        [(MAKARONI, 2)],
        payments=[PaymentInput("debit", 30_000, "EDC-1"), PaymentInput("tunai", 6_000)],
    )
    # The default is the sale's method, so its reference is asked for.
    with pytest.raises(ValidationError, match="QRIS: referensi QRIS wajib"), demo.begin() as s:
        refund_sale(s, till, by_qris, [RefundItem(1, 1)], "rusak", SPV, now=LATER)
    with demo.begin() as s:
        one = refund_sale(
            s, till, by_qris, [RefundItem(1, 1)], "rusak", SPV, reference="QR-BACK", now=LATER
        )
        # The cashier may choose otherwise.
        other = refund_sale(s, till, by_qris, None, "rusak", SPV, method="tunai", now=LATER)
        # A split sale: the method of its largest part.
        card = refund_sale(s, till, split, None, "rusak", SPV, reference="EDC-V", now=LATER)
    assert [(p.method, p.amount, p.reference) for p in one.payments] == [
        ("qris", -18_000, "QR-BACK")
    ]
    assert [(p.method, p.amount, p.reference) for p in other.payments] == [("tunai", -18_000, None)]
    assert [(p.method, p.amount) for p in card.payments] == [("debit", -36_000)]


def test_a_cash_refund_larger_than_the_drawer_is_refused(demo: Factory) -> None:
    """Cash going out of the drawer may not push the shift's expected cash below zero (after
    which no count could close the shift)."""
    till = open_till(demo)  # float 200.000
    big = sell(demo, till, [(MAKARONI, 20)], payments=[PaymentInput("qris", 360_000, "QR-1")])
    shift_id = current_shift_id(demo, till)
    before = snapshot(demo)
    with (
        pytest.raises(NotAllowed, match=r"melebihi uang tunai di laci") as info,
        demo.begin() as s,
    ):
        refund_sale(s, till, big, None, "rusak", SPV, method="tunai", now=LATER)
    assert "Rp 360.000" in info.value.message and "Rp 200.000" in info.value.message
    assert snapshot(demo) == before
    # Up to what the drawer holds is fine, to the rupiah.
    with demo.begin() as s:
        refund_sale(s, till, big, [RefundItem(1, 11)], "rusak", SPV, method="tunai", now=LATER)
        assert expected_cash(s, shift_id) == 2_000
    with pytest.raises(NotAllowed, match="laci"), demo.begin() as s:
        refund_sale(s, till, big, [RefundItem(1, 1)], "rusak", SPV, method="tunai", now=LATER)
    with demo.begin() as s:
        refund_sale(s, till, big, None, "rusak", SPV, reference="QR-BACK", now=LATER)
        assert expected_cash(s, shift_id) == 2_000
        closed = close_shift(s, shift_id, 2_000, till.user_id, now=LATER)
    assert closed.difference == 0


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


@st.composite
def sold_lines(draw: st.DrawFn, max_qty: int = 60) -> LineMoney:
    """A sale line as checkout makes it: discounts within the gross, tax inside the total."""
    qty = draw(st.integers(1, max_qty))
    unit_price = draw(st.one_of(st.integers(0, 30), st.integers(0, 10**7)))
    gross = qty * unit_price
    line_discount = draw(st.one_of(st.just(0), st.integers(0, gross), st.just(gross)))
    share = draw(st.one_of(st.just(0), st.integers(0, gross - line_discount)))
    total = gross - line_discount - share
    rate = draw(st.sampled_from([Decimal(0), Decimal(11), Decimal(12), Decimal(100)]))
    return LineMoney(qty, unit_price, line_discount, share, inclusive_tax(total, rate), total)


@st.composite
def steps_of(draw: st.DrawFn, qty: int) -> list[int]:
    """A random series of refund quantities that together take back all `qty` units."""
    steps, left = [], qty
    while left:
        step = draw(st.integers(1, left))
        steps.append(step)
        left -= step
    return steps


def check_steps(line: LineMoney, steps: list[int]) -> None:
    already = LineMoney(0, line.unit_price, 0, 0, 0, 0)
    for qty in steps:
        back = refund_money(line, already, qty)
        assert back.qty == qty
        # Every column of the refund row has the right sign, and the row adds up.
        for column in (back.line_discount, back.order_share, back.tax, back.line_total):
            assert column >= 0, (line, steps, back)
        assert back.gross - back.line_discount - back.order_share == back.line_total
        assert back.tax <= back.line_total
        # Money back: within Rp 1 of the exact share.
        assert abs(back.line_total * line.qty - line.line_total * qty) <= line.qty
        already = LineMoney(
            already.qty + back.qty,
            line.unit_price,
            already.line_discount + back.line_discount,
            already.order_share + back.order_share,
            already.tax + back.tax,
            already.line_total + back.line_total,
        )
        assert 0 <= already.line_total <= line.line_total  # never more than was paid
    assert already == line  # every column of the steps adds up to the line, to the rupiah


@given(sold_lines().flatmap(lambda line: st.tuples(st.just(line), steps_of(line.qty))))
def test_refund_steps_are_never_negative_and_add_up_to_the_line(
    case: tuple[LineMoney, list[int]],
) -> None:
    check_steps(*case)


def test_refund_steps_of_small_lines_exhaustively() -> None:
    """Every line of up to 4 units at up to Rp 6, every discount split, every tax that fits,
    refunded one unit at a time and in every other series of steps: the brute force that
    found 4,620 negative steps in the old rule (the discounts rounded separately)."""

    def compositions(n: int) -> list[list[int]]:
        if n == 0:
            return [[]]
        return [[k, *rest] for k in range(1, n + 1) for rest in compositions(n - k)]

    checked = 0
    for qty in range(1, 5):
        series = compositions(qty)
        for price in range(7):
            gross = qty * price
            for line_discount in range(gross + 1):
                for share in range(gross - line_discount + 1):
                    total = gross - line_discount - share
                    for tax in range(total + 1):
                        line = LineMoney(qty, price, line_discount, share, tax, total)
                        for steps in series:
                            check_steps(line, steps)
                            checked += 1
    assert checked > 10_000


def test_the_issue_example_refunds_rp_0_per_unit() -> None:
    line = LineMoney(2, 18_000, 35_999, 1, 0, 0)
    nothing = LineMoney(0, 18_000, 0, 0, 0, 0)
    first = refund_money(line, nothing, 1)
    assert (first.line_total, first.line_discount + first.order_share) == (0, 18_000)
    assert refund_money(line, first, 1) == line.minus(first)


PRICES = {MAKARONI: 18_000, KERIPIK: 20_000, BOLU: 15_000}
Plan = tuple[list[tuple[str, int, int]], int, Decimal, list[list[RefundItem]]]


@st.composite
def refund_plans(draw: st.DrawFn) -> Plan:
    """A discounted (and maybe taxed) sale and a random series of partial refunds of it."""
    codes = draw(st.lists(st.sampled_from(list(PRICES)), min_size=1, max_size=3))
    items = []
    for code in dict.fromkeys(codes):
        qty = draw(st.integers(1, 7))
        gross = qty * PRICES[code]
        disc = draw(st.one_of(st.just(0), st.integers(0, gross), st.sampled_from([gross - 1])))
        items.append((code, qty, disc))
    net = sum(qty * PRICES[code] - disc for code, qty, disc in items)
    order_discount = draw(st.one_of(st.integers(0, min(net, 9_999)), st.integers(0, net)))
    rate = draw(st.sampled_from([Decimal(0), Decimal(11), Decimal(12)]))
    left = {no: qty for no, (_code, qty, _disc) in enumerate(items, start=1)}
    plans: list[list[RefundItem]] = []
    for _ in range(draw(st.integers(0, 5))):
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
    return items, order_discount, rate, plans


COLUMNS = (
    SaleLine.qty,
    SaleLine.line_discount,
    SaleLine.order_discount_share,
    SaleLine.tax,
    SaleLine.line_total,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(refund_plans())
def test_refunds_of_discounted_sales_in_random_steps(demo_sqlite: Factory, plan: Plan) -> None:
    """Every refund step pays back >= 0 on every line, every column of every refund row has
    the sign of a refund, never more than was paid, and the steps add up to the sale."""
    from kasir.services.cart_edit import set_line_discount
    from kasir.settings import set_setting

    items, order_discount, rate, steps = plan
    factory = demo_sqlite
    with factory.begin() as s:
        till = make_till(s)
        open_now = s.scalar(
            select(func.count()).where(Shift.counter_id == till.counter_id, Shift.status == "open")
        )
        set_setting(s, "tax_rate_pct", rate)
    if not open_now:
        open_till(factory)
    cart = Cart()
    with factory.begin() as s:
        for i, (code, qty, disc) in enumerate(items):
            add_by_barcode(s, cart, code, qty)
            if disc:
                set_line_discount(s, cart, i, Discount("amount", disc), SPV)
        view = set_order_discount(
            s, cart, Discount("amount", order_discount) if order_discount else None, SPV
        )
        pay = [PaymentInput("tunai", view.total)] if view.total else []
        number = checkout(s, till, cart, pay, now=NOW).receipt_number
    with factory() as s:
        original = get_sale(s, number)
        sold = {
            row.id: row
            for row in s.execute(
                select(SaleLine.id, SaleLine.unit_price, *COLUMNS).where(
                    SaleLine.sale_id == original.id
                )
            )
        }
    refunded = {line_id: [0] * len(COLUMNS) for line_id in sold}
    stepped = sum(item.qty for step in steps for item in step)
    if stepped < sum(ln.qty for ln in original.lines):
        steps = [*steps, []]  # the rest, as refund_sale(items=None)
    for step in steps:
        with factory.begin() as s:
            doc = refund_sale(s, till, number, step or None, "rusak", SPV, now=LATER)
        assert doc.total <= 0
        with factory() as s:
            rows = s.execute(
                select(SaleLine.original_line_id, SaleLine.unit_price, *COLUMNS).where(
                    SaleLine.sale_id == doc.id
                )
            ).all()
            assert s.scalar(select(Sale.tax_total).where(Sale.id == doc.id)) == sum(
                r.tax for r in rows
            )
        for r in rows:
            assert r.qty < 0
            assert r.line_discount <= 0 and r.order_discount_share <= 0
            assert r.line_total <= 0 and r.line_total <= r.tax <= 0
            assert r.qty * r.unit_price - r.line_discount - r.order_discount_share == r.line_total
            for k, value in enumerate(r[2:]):
                refunded[r.original_line_id][k] -= value
            line = sold[r.original_line_id]
            assert 0 <= refunded[r.original_line_id][4] <= line.line_total  # never more than paid
    # Every column of every line adds up to the sale, to the rupiah.
    for line_id, line in sold.items():
        assert refunded[line_id] == list(line[2:])
    with factory() as s:
        docs = s.execute(
            select(func.sum(Sale.total), func.sum(Sale.subtotal), func.sum(Sale.tax_total)).where(
                Sale.original_sale_id == original.id
            )
        ).one()
        assert tuple(docs) == (-original.total, -original.subtotal, -original.tax_total)
        assert original.tax_total == sum(line.tax for line in sold.values())
        assert (
            s.scalar(
                select(func.sum(Payment.amount))
                .join(Sale, Sale.id == Payment.sale_id)
                .where(Sale.original_sale_id == original.id)
            )
            or 0
        ) == -original.total
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
    # The tax rule: per line (half-up on the line's total), the document's tax is their sum.
    assert original.tax_total == inclusive_tax(54_000, Decimal(11)) == 5_351
    with demo() as s:
        for doc in (original, one, rest):
            line_tax = s.scalar(select(func.sum(SaleLine.tax)).where(SaleLine.sale_id == doc.id))
            assert line_tax == doc.tax_total
    assert (one.tax_total, rest.tax_total) == (-1_784, -3_567)  # 5.351 / 3 = 1.783,67


def test_tax_is_per_line_and_the_receipt_tax_is_their_sum(demo: Factory) -> None:
    """Two lines at 11%: 18.000 -> 1.784 (1.783,78), 20.000 -> 1.982 (1.981,98); the receipt
    says 3.766, where the tax of the total 38.000 would be 3.766 (3.765,77) too. With 7 lines
    of 18.000 the per-line tax (7 x 1.784 = 12.488) differs from the total's (12.486)."""
    from kasir.settings import set_setting

    till = open_till(demo)
    with demo.begin() as s:
        set_setting(s, "tax_rate_pct", Decimal(11))
    number = sell(demo, till, [(MAKARONI, 1), (KERIPIK, 1)])
    with demo() as s:
        two = get_sale(s, number)
    assert two.tax_total == 1_784 + 1_982
    cart = Cart()
    with demo.begin() as s:
        view = add_by_barcode(s, cart, MAKARONI)
        for _ in range(6):
            cart.lines.append(dataclasses.replace(cart.lines[0]))  # 7 separate lines
        view = view_cart(s, cart)
        assert view.tax_total == 7 * 1_784 == 12_488
        assert inclusive_tax(view.total, Decimal(11)) == 12_486
        sale = checkout(s, till, cart, [PaymentInput("tunai", view.total)], now=NOW)
    assert sale.tax_total == 12_488


def test_refund_of_one_unit_of_a_fully_discounted_line(demo: Factory) -> None:
    """2 x 18.000, line discount 35.999, order discount share 1: the line is paid Rp 0.
    Refunding one unit used to come out at -Rp 1 (the two discounts rounded separately):
    alone, ck_sale_total_sign refused it and the unit could never be refunded; with another
    line in the same refund it went through and took Rp 1 from the customer for the UPT."""
    from kasir.services.cart_edit import set_line_discount

    till = open_till(demo)
    numbers = []
    for extra, order_discount in (([], 1), ([KERIPIK], 10_001)):
        cart = Cart()
        with demo.begin() as s:
            add_by_barcode(s, cart, MAKARONI, 2)
            for code in extra:
                add_by_barcode(s, cart, code, 1)
            set_line_discount(s, cart, 0, Discount("amount", 35_999), SPV)
            view = set_order_discount(s, cart, Discount("amount", order_discount), SPV)
            assert view.lines[0].line_total == 0 and view.lines[0].order_share == 1
            pay = [PaymentInput("tunai", view.total)] if view.total else []
            numbers.append(checkout(s, till, cart, pay, now=NOW).receipt_number)
    alone, with_other = numbers
    for number, step in (
        (alone, [RefundItem(1, 1)]),
        (alone, [RefundItem(1, 1)]),
        (with_other, [RefundItem(1, 1), RefundItem(2, 1)]),
        (with_other, [RefundItem(1, 1)]),
    ):
        with demo.begin() as s:
            doc = refund_sale(s, till, number, step, "rusak", SPV, now=LATER)
        first = doc.lines[0]
        assert first.line_total == 0  # never +1 (money taken from the customer)
        assert first.line_discount <= 0 and first.order_discount_share <= 0
        assert first.qty * first.unit_price - first.line_discount - first.order_discount_share == (
            first.line_total
        )
        assert all(ln.line_total <= 0 for ln in doc.lines)
    with demo() as s:
        for number in numbers:
            original = get_sale(s, number)
            totals = s.execute(
                select(func.sum(SaleLine.line_discount), func.sum(SaleLine.order_discount_share))
                .join(Sale, Sale.id == SaleLine.sale_id)
                .where(Sale.original_sale_id == original.id, SaleLine.sku == "KUL-0001")
            ).one()
            assert tuple(totals) == (-35_999, -1)


def test_a_refund_of_nothing_paid_needs_no_reference(demo: Factory) -> None:
    """A line given away (100% discount) on a QRIS sale: its refund pays back Rp 0, so there is
    no QRIS payment back and no reference to ask for."""
    from kasir.services.cart_edit import set_line_discount

    till = open_till(demo)
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI)
        add_by_barcode(s, cart, KERIPIK)
        view = set_line_discount(s, cart, 0, Discount("percent", Decimal(100)), SPV)
        paid = [PaymentInput("qris", view.total, "QR-1")]
        number = checkout(s, till, cart, paid, now=NOW).receipt_number
    with demo.begin() as s:
        free = refund_sale(s, till, number, [RefundItem(1, 1)], "rusak", SPV, now=LATER)
    assert (free.total, free.payments) == (0, ())
    with pytest.raises(ValidationError, match="referensi QRIS wajib"), demo.begin() as s:
        refund_sale(s, till, number, [RefundItem(2, 1)], "rusak", SPV, now=LATER)
