"""Selling: scan, cart, discounts with approval, oversell, and one atomic checkout."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from store_helpers import (
    KASIR_PIN,
    KERIPIK,
    MAKARONI,
    NOW,
    SPV,
    WRONG_PIN,
    Factory,
    cash,
    make_till,
    open_till,
    snapshot,
    stock_of,
    user_id,
)

from kasir.domain.cart import Cart, Discount, inclusive_tax
from kasir.domain.ean13 import is_valid_ean13
from kasir.domain.payment import PaymentInput
from kasir.errors import (
    ApprovalRequired,
    InsufficientStock,
    KasirError,
    NotAllowed,
    NotFound,
    NotRupiah,
    PaymentError,
    StaleShift,
    ValidationError,
)
from kasir.services.auth import Approval
from kasir.services.cart_edit import (
    add_by_barcode,
    add_by_code,
    add_by_id,
    add_by_sku,
    override_price,
    remove_line,
    set_line_discount,
    set_order_discount,
    set_quantity,
    view_cart,
)
from kasir.services.checkout import checkout
from kasir.services.sale_lookup import get_sale, sale_view
from kasir.services.shifts import Till, close_shift, open_shift
from kasir.settings import set_setting
from kasir.store.models import (
    DayClose,
    Payment,
    Product,
    ReceiptSequence,
    Sale,
    SaleLine,
    Shift,
    StockMovement,
)
from kasir.timeutil import JAKARTA

DAY = dt.date(2026, 11, 22)
LAST_ONE = "2000000300061"  # FUR-0006, Rp 1.850.000, stock 1
NONE_LEFT = "2000000100104"  # KUL-0010, Rp 65.000, stock 0
INACTIVE = "2000000100210"  # KUL-0021, active = 0


# --- helpers ---------------------------------------------------------------------------------


def sell(
    factory: Factory,
    till: Till,
    codes: list[str],
    *,
    now: dt.datetime = NOW,
    pay: int | None = None,
) -> str:
    """Scan `codes` and pay cash (exact unless `pay`); the receipt number."""
    cart = Cart()
    with factory.begin() as s:
        for code in codes:
            view = add_by_barcode(s, cart, code)
        sale = checkout(s, till, cart, cash(pay or view.total), now=now)
    return sale.receipt_number


# --- scanning and the cart ---------------------------------------------------------------


def test_scan_same_item_twice_adds_to_its_line(demo: Factory) -> None:
    cart = Cart()
    with demo() as s:
        v = add_by_barcode(s, cart, MAKARONI)
        assert (len(v.lines), v.lines[0].qty, v.total, v.last_index) == (1, 1, 18_000, 0)
        v = add_by_barcode(s, cart, KERIPIK)
        v = add_by_barcode(s, cart, f" {MAKARONI}\n")  # what a wedge scanner types
        assert [(ln.sku, ln.qty) for ln in v.lines] == [("KUL-0001", 2), ("KUL-0004", 1)]
        assert v.last_index == 0  # the line touched last
        assert (v.subtotal, v.total, v.item_count) == (56_000, 56_000, 3)
        v = add_by_sku(s, cart, "kul-0004", 2)
        assert [(ln.sku, ln.qty) for ln in v.lines] == [("KUL-0001", 2), ("KUL-0004", 3)]
        v = add_by_code(s, cart, "KUL-0001")  # SKU typed in the scan field
        v = add_by_code(s, cart, KERIPIK)
        assert [(ln.sku, ln.qty) for ln in v.lines] == [("KUL-0001", 3), ("KUL-0004", 4)]
        pid = cart.lines[0].product_id
        v = add_by_id(s, cart, pid)  # picked from search results
        assert v.lines[0].qty == 4
        v = set_quantity(s, cart, 1, 1)
        assert (v.lines[1].qty, v.total) == (1, 4 * 18_000 + 20_000)
        v = remove_line(s, cart, 0)
        assert [ln.sku for ln in v.lines] == ["KUL-0004"]
        assert v.total == 20_000
        v = remove_line(s, cart, 0)
        assert (v.lines, v.total, v.last_index) == ((), 0, None)


def test_cart_actions_write_nothing(demo: Factory) -> None:
    before = snapshot(demo)
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 3)
        set_quantity(s, cart, 0, 5)
        set_line_discount(s, cart, 0, Discount("percent", Decimal(5)))
    assert snapshot(demo) == before


def test_checkout_cash_sale_stores_everything(demo: Factory) -> None:
    till = open_till(demo)
    stock_mak, stock_ker = stock_of(demo, MAKARONI), stock_of(demo, KERIPIK)
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI)
        add_by_barcode(s, cart, MAKARONI)
        add_by_barcode(s, cart, KERIPIK)
        view = view_cart(s, cart)
        assert view.total == 56_000
        sale = checkout(s, till, cart, cash(100_000), now=NOW)
    assert sale.receipt_number == "K01-20261122-0001"
    assert (sale.kind, sale.status, sale.total, sale.subtotal, sale.change) == (
        "sale",
        "completed",
        56_000,
        56_000,
        44_000,
    )
    assert sale.cashier_name == "Siti Rahmawati"
    assert sale.business_date == DAY

    # Change the catalogue afterwards: the sale keeps its snapshot.
    with demo.begin() as s:
        s.execute(
            update(Product)
            .where(Product.barcode == MAKARONI)
            .values(name="Makaroni Baru", price=99_000, cost=1)
        )

    with demo() as s:
        stored = get_sale(s, sale.receipt_number.lower())  # typed in lower case
        row = s.scalar(select(Sale).where(Sale.receipt_number == sale.receipt_number))
        assert row is not None
        assert (row.counter_id, row.cashier_id, row.seq, row.business_date) == (
            till.counter_id,
            till.user_id,
            1,
            DAY,
        )
        assert row.shift_id == s.scalar(select(Shift.id).where(Shift.status == "open"))
        assert len(row.uuid) == 36
        lines = s.execute(
            select(
                SaleLine.line_no,
                SaleLine.sku,
                SaleLine.barcode,
                SaleLine.name,
                SaleLine.upt_code,
                SaleLine.category,
                SaleLine.unit_price,
                SaleLine.list_price,
                SaleLine.cost,
                SaleLine.qty,
                SaleLine.line_total,
            )
            .where(SaleLine.sale_id == row.id)
            .order_by(SaleLine.line_no)
        ).all()
        assert [tuple(r) for r in lines] == [
            (1, "KUL-0001", MAKARONI, "Makaroni Keju 250 g", "LPP-TGR", "kuliner",
             18_000, 18_000, 11_000, 2, 36_000),
            (2, "KUL-0004", KERIPIK, "Keripik Bawang 250 g", "LPP-TGR", "kuliner",
             20_000, 20_000, 12_500, 1, 20_000),
        ]  # fmt: skip
        payments = s.execute(
            select(Payment.method, Payment.amount, Payment.tendered, Payment.change).where(
                Payment.sale_id == row.id
            )
        ).all()
        assert [tuple(p) for p in payments] == [("tunai", 56_000, 100_000, 44_000)]
        moves = s.execute(
            select(Product.barcode, StockMovement.qty, StockMovement.kind, StockMovement.reference)
            .join(Product, Product.id == StockMovement.product_id)
            .where(StockMovement.sale_id == row.id)
            .order_by(Product.barcode)
        ).all()
        assert [tuple(m) for m in moves] == [
            (MAKARONI, -2, "sale", sale.receipt_number),
            (KERIPIK, -1, "sale", sale.receipt_number),
        ]
    assert stock_of(demo, MAKARONI) == stock_mak - 2
    assert stock_of(demo, KERIPIK) == stock_ker - 1
    # What the service returned is what a later read gives.
    assert stored.lines == sale.lines
    assert stored.payments == sale.payments
    assert (stored.id, stored.uuid, stored.total, stored.receipt_number) == (
        sale.id,
        sale.uuid,
        sale.total,
        sale.receipt_number,
    )
    assert stored.lines[0].name == "Makaroni Keju 250 g"


def test_split_payment_with_references(demo: Factory) -> None:
    till = open_till(demo)
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 5)  # 90.000
        sale = checkout(
            s,
            till,
            cart,
            [
                PaymentInput("qris", 40_000, "QR-778899"),
                PaymentInput("debit", 30_000, "APPR01"),
                PaymentInput("tunai", 50_000),
            ],
            now=NOW,
        )
    with demo() as s:
        stored = get_sale(s, sale.receipt_number)
    by_method = {p.method: p for p in stored.payments}
    assert by_method["qris"].reference == "QR-778899"
    assert by_method["debit"].reference == "APPR01"
    assert (by_method["tunai"].amount, by_method["tunai"].change) == (20_000, 30_000)
    assert sum(p.amount for p in stored.payments) == stored.total == 90_000


# --- receipt numbers ---------------------------------------------------------------------


RECEIPT = re.compile(r"^K0[12]-\d{8}-\d{4}$")


def test_receipt_number_uses_the_jakarta_business_date(demo: Factory) -> None:
    late = dt.datetime(2026, 11, 22, 18, 30, tzinfo=dt.UTC)  # 01:30 on 23 Nov in Jakarta
    till = open_till(demo, now=late)
    number = sell(demo, till, [MAKARONI], now=late)
    assert number == "K01-20261123-0001"
    assert RECEIPT.match(number)
    with demo() as s:
        assert get_sale(s, number).business_date == dt.date(2026, 11, 23)


def test_receipt_numbers_per_counter_and_per_day(demo: Factory) -> None:
    k01 = open_till(demo, "K01", "kasir1")
    k02 = open_till(demo, "K02", "kasir2")
    assert [sell(demo, k01, [MAKARONI]) for _ in range(3)] == [
        "K01-20261122-0001",
        "K01-20261122-0002",
        "K01-20261122-0003",
    ]
    assert sell(demo, k02, [KERIPIK]) == "K02-20261122-0001"
    assert sell(demo, k01, [KERIPIK]) == "K01-20261122-0004"
    # The next day starts again at 1.
    next_day = NOW + dt.timedelta(days=1)
    with demo.begin() as s:
        shift_id = s.scalar(
            select(Shift.id).where(Shift.counter_id == k01.counter_id, Shift.status == "open")
        )
        assert shift_id is not None
        close_shift(s, shift_id, 0, k01.user_id, now=next_day)
    open_till(demo, "K01", "kasir1", now=next_day)
    assert sell(demo, k01, [MAKARONI], now=next_day) == "K01-20261123-0001"
    assert sell(demo, k02, [MAKARONI], now=NOW) == "K02-20261122-0002"


def test_failed_checkouts_leave_no_trace_and_no_gap(demo: Factory) -> None:
    k01 = open_till(demo, "K01", "kasir1")
    k02 = open_till(demo, "K02", "kasir2")
    assert sell(demo, k01, [MAKARONI]) == "K01-20261122-0001"

    # Paying too little.
    before = snapshot(demo)
    cart = Cart()
    with pytest.raises(PaymentError), demo.begin() as s:
        view = add_by_barcode(s, cart, MAKARONI)
        checkout(s, k01, cart, cash(view.total - 1), now=NOW)
    assert snapshot(demo) == before

    # Stock gone between scan and payment while overselling is refused: the checkout has
    # already written the sale and taken a number when it finds out; all of it rolls back.
    with demo.begin() as s:
        set_setting(s, "oversell", "refuse")
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, LAST_ONE)
    assert sell(demo, k02, [LAST_ONE]) == "K02-20261122-0001"  # the other counter was faster
    before = snapshot(demo)
    with pytest.raises(InsufficientStock), demo.begin() as s:
        checkout(s, k01, cart, cash(1_850_000), now=NOW)
    assert snapshot(demo) == before
    assert stock_of(demo, LAST_ONE) == 0

    # The next sale takes the next number: no gap.
    assert sell(demo, k01, [MAKARONI]) == "K01-20261122-0002"
    with demo() as s:
        seqs = s.scalars(
            select(Sale.seq).where(Sale.counter_id == k01.counter_id).order_by(Sale.seq)
        ).all()
    assert seqs == [1, 2]


class Crash(Exception):
    """Something fails after checkout, before the commit (the whole sale rolls back)."""


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["K01", "K02"]), st.sampled_from(["ok", "short", "refuse", "crash"])
        ),
        min_size=1,
        max_size=8,
    )
)
def test_receipt_numbers_have_no_gaps(demo_sqlite: Factory, actions: list[tuple[str, str]]) -> None:
    factory = demo_sqlite  # the store carries over from example to example: numbers go on
    tills = {}
    with factory.begin() as s:
        for code, user in (("K01", "kasir1"), ("K02", "kasir2")):
            tills[code] = make_till(s, code, user)
            if not s.scalar(select(Shift.id).where(Shift.counter_id == tills[code].counter_id)):
                open_shift(s, tills[code].counter_id, tills[code].user_id, 0, now=NOW)
    with factory() as s:
        issued = {
            code: s.scalar(select(func.count()).where(Sale.counter_id == till.counter_id)) or 0
            for code, till in tills.items()
        }
    for code, action in actions:
        till = tills[code]
        cart = Cart()
        on_hand = stock_of(factory, MAKARONI)  # read before the unit of work, not inside it
        try:
            with factory.begin() as s:
                view = add_by_barcode(s, cart, MAKARONI, 2)
                pay = view.total
                if action == "short":
                    pay -= 1
                elif action == "refuse":  # more than on hand, found out inside checkout
                    set_quantity(s, cart, 0, max(on_hand, 0) + 1)
                    set_setting(s, "oversell", "refuse")
                    pay = view_cart(s, cart).total
                sale = checkout(s, till, cart, cash(pay), now=NOW)
                if action == "crash":
                    raise Crash
        except (PaymentError, InsufficientStock, Crash):
            assert action != "ok"
            continue
        assert action == "ok"
        issued[code] += 1
        assert sale.receipt_number == f"{code}-20261122-{issued[code]:04d}"
    with factory() as s:
        for code, till in tills.items():
            seqs = s.scalars(
                select(Sale.seq).where(Sale.counter_id == till.counter_id).order_by(Sale.seq)
            ).all()
            assert seqs == list(range(1, issued[code] + 1))
        last = s.scalars(select(ReceiptSequence.last_seq).order_by(ReceiptSequence.counter_id))
        assert [n for n in last] == [n for n in issued.values() if n]


# --- discounts, approvals, price override ------------------------------------------------


def test_discount_within_the_limit_needs_no_approval(demo: Factory) -> None:
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI, 10)  # 180.000
        v = set_line_discount(s, cart, 0, Discount("percent", Decimal(10)))  # the limit itself
        assert (v.line_discount_total, v.total) == (18_000, 162_000)
        v = set_line_discount(s, cart, 0, Discount("amount", 18_000))
        assert v.total == 162_000
        v = set_order_discount(s, cart, Discount("amount", 16_200))  # 10% of 162.000
        assert (v.order_discount, v.total, v.discount_total) == (16_200, 145_800, 34_200)
        assert cart.lines[0].discount_approved_by is None
        assert cart.order_discount_approved_by is None


@pytest.mark.parametrize("which", ["line", "order"])
def test_discount_above_the_limit_needs_a_supervisor(demo: Factory, which: str) -> None:
    spv_id = user_id(demo, "spv1")
    cart = Cart()
    big = Discount("percent", Decimal("10.01"))

    def apply(s: Session, approval: Approval | None) -> Any:
        if which == "line":
            return set_line_discount(s, cart, 0, big, approval)
        return set_order_discount(s, cart, big, approval)

    with demo() as s:
        add_by_barcode(s, cart, MAKARONI, 10)
        for approval in (None, Approval(""), WRONG_PIN, KASIR_PIN, Approval("2222", "manajer")):
            with pytest.raises(ApprovalRequired):
                apply(s, approval)
            assert (cart.lines[0].discount, cart.order_discount) == (None, None)
            assert view_cart(s, cart).total == 180_000
        v = apply(s, SPV)
        assert v.total == 180_000 - 18_018
        line = cart.lines[0]
        approved = line.discount_approved_by if which == "line" else cart.order_discount_approved_by
        assert approved == spv_id
        # The manager may approve too.
        apply(s, Approval("3333", "manajer"))


def test_an_approval_covers_its_own_discount_only(demo: Factory) -> None:
    """An approved discount does not let a later, bigger one through, nor one that grows
    past what was approved when lines are removed; a price approval is not a discount one."""
    till = open_till(demo)
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 4)  # 72.000
        add_by_barcode(s, cart, KERIPIK, 1)  # 20.000
        set_order_discount(s, cart, Discount("percent", Decimal(15)), SPV)  # approved 15%
        set_order_discount(s, cart, Discount("amount", 9_000))  # 9,8%: no PIN needed now
        assert cart.order_discount_approved_by is None
        remove_line(s, cart, 0)  # Rp 9.000 of Rp 20.000 is now 45%
        with pytest.raises(ApprovalRequired):
            checkout(s, till, cart, cash(11_000), now=NOW)
    with demo.begin() as s:
        set_order_discount(s, cart, Discount("amount", 9_000), SPV)  # approved at 45%
        assert cart.order_discount_approved_pct == Decimal(45)
        set_quantity(s, cart, 0, 1)
        sale = checkout(s, till, cart, cash(11_000), now=NOW)
    assert sale.total == 11_000

    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 2)
        override_price(s, cart, 0, 10_000, SPV)
        with pytest.raises(ApprovalRequired):  # the price approval does not cover a discount
            set_line_discount(s, cart, 0, Discount("percent", Decimal(50)))
        set_line_discount(s, cart, 0, Discount("amount", 2_000))  # 10%: fine
        set_line_discount(s, cart, 0, Discount("amount", 2_000))
        assert cart.lines[0].discount_approved_by is None
        set_quantity(s, cart, 0, 1)  # Rp 2.000 of Rp 10.000 is 20%
        with pytest.raises(ApprovalRequired):
            checkout(s, till, cart, cash(8_000), now=NOW)


def test_order_discount_approval_is_recorded_on_the_sale(demo: Factory) -> None:
    till = open_till(demo)
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 2)
        view = set_order_discount(s, cart, Discount("amount", 6_000), SPV)
        sale = checkout(s, till, cart, cash(view.total), now=NOW)
    assert (sale.order_discount, sale.total) == (6_000, 30_000)
    supervisor = user_id(demo, "spv1")
    with demo() as s:
        approvers = s.execute(
            select(Sale.order_discount_approved_by_id, Sale.refund_approved_by_id).where(
                Sale.id == sale.id
            )
        ).one()
        assert tuple(approvers) == (supervisor, None)


def test_line_discount_and_price_approvers_are_stored_per_line(demo: Factory) -> None:
    """Checked at cart time and kept: who approved each line's discount and price override."""
    till = open_till(demo)
    supervisor, manager = user_id(demo, "spv1"), user_id(demo, "manajer")
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 2)  # discount above the limit, by the manager
        add_by_barcode(s, cart, KERIPIK, 1)  # price override, by the supervisor
        add_by_barcode(s, cart, LAST_ONE, 1)  # nothing to approve
        set_line_discount(s, cart, 0, Discount("percent", Decimal(30)), Approval("3333", "manajer"))
        view = override_price(s, cart, 1, 15_000, SPV)
        sale = checkout(s, till, cart, cash(view.total), now=NOW)
    with demo() as s:
        rows = s.execute(
            select(SaleLine.discount_approved_by_id, SaleLine.price_approved_by_id)
            .where(SaleLine.sale_id == sale.id)
            .order_by(SaleLine.line_no)
        ).all()
        order_approver = s.scalar(
            select(Sale.order_discount_approved_by_id).where(Sale.id == sale.id)
        )
    assert [tuple(r) for r in rows] == [(manager, None), (None, supervisor), (None, None)]
    assert order_approver is None


def _rich_sale(factory: Factory, till: Till, **kw: Any) -> Any:
    """A sale with every kind of detail: discounts with approvals, an override, split payment."""
    cart = Cart()
    with factory.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 3)
        add_by_barcode(s, cart, KERIPIK, 2)
        set_line_discount(s, cart, 0, Discount("percent", Decimal(20)), SPV)
        override_price(s, cart, 1, 19_000, SPV)
        view = set_order_discount(s, cart, Discount("amount", 1_001), SPV)
        payments = [
            PaymentInput("qris", 20_000, "QR123456789012"),
            PaymentInput("debit", 10_000, "EDC778899"),
            PaymentInput("tunai", view.total - 30_000 + 7_500),
        ]
        return checkout(s, till, cart, payments, now=NOW, **kw)


def test_checkout_returns_what_a_later_read_gives(demo: Factory) -> None:
    """One SaleView builder: checkout's view of the sale equals sale_view of the stored sale
    (times aware UTC on both backends, lines and payments field by field)."""
    till = open_till(demo)
    sale = _rich_sale(demo, till)
    with demo() as s:
        stored = sale_view(s, sale.id)
    assert stored == sale
    assert sale.created_at == NOW and sale.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == dt.timedelta(0)
    assert (sale.order_discount, sale.change) == (1_001, 7_500)
    assert sorted(p.method for p in sale.payments) == ["debit", "qris", "tunai"]
    # A time given in Jakarta is the same moment.
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, KERIPIK)
        jakarta = NOW.astimezone(JAKARTA) + dt.timedelta(minutes=5)
        second = checkout(s, till, cart, cash(20_000), now=jakarta)
    with demo() as s:
        assert sale_view(s, second.id) == second
    assert second.created_at == jakarta and second.created_at.tzinfo == dt.UTC


def test_checkout_takes_the_callers_sale_uuid(demo: Factory) -> None:
    till = open_till(demo)
    given_uuid = uuid.uuid4()
    sale = _rich_sale(demo, till, sale_uuid=str(given_uuid).upper())
    assert sale.uuid == str(given_uuid)
    with demo() as s:
        assert s.scalar(select(Sale.uuid).where(Sale.id == sale.id)) == str(given_uuid)
        line_uuids = s.scalars(select(SaleLine.uuid).where(SaleLine.sale_id == sale.id)).all()
        payment_uuids = s.scalars(select(Payment.uuid).where(Payment.sale_id == sale.id)).all()
        movement_uuids = s.scalars(
            select(StockMovement.uuid).where(StockMovement.sale_id == sale.id)
        ).all()
    made = [*line_uuids, *payment_uuids, *movement_uuids]
    assert len(made) == 2 + 3 + 2 and len(set(made)) == len(made)
    assert all(uuid.UUID(u).version == 7 for u in made)  # time-ordered (store.types)
    before = snapshot(demo)
    for bad in ("not-a-uuid", "", "1234", 42):
        with pytest.raises(ValidationError, match="UUID transaksi tidak valid"):
            _rich_sale(demo, till, sale_uuid=bad)
    assert snapshot(demo) == before


def test_unapproved_discount_cannot_grow_past_the_limit(demo: Factory) -> None:
    """An amount discount within the limit becomes a big one when the quantity drops."""
    till = open_till(demo)
    before = snapshot(demo)
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI, 10)  # 180.000
        set_line_discount(s, cart, 0, Discount("amount", 18_000))  # 10%: no approval needed
        view = set_quantity(s, cart, 0, 1)  # now 18.000 off 18.000: 100%
    assert view.total == 0
    with pytest.raises(ApprovalRequired), demo.begin() as s:
        checkout(s, till, cart, [], now=NOW)
    assert snapshot(demo) == before
    # Approved by a supervisor, it may be sold.
    with demo.begin() as s:
        set_line_discount(s, cart, 0, Discount("amount", 18_000), SPV)
        assert checkout(s, till, cart, [], now=NOW).total == 0


def test_order_discount_cannot_grow_past_the_limit_by_removing_lines(demo: Factory) -> None:
    till = open_till(demo)
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI, 9)  # 162.000
        add_by_barcode(s, cart, KERIPIK)  # 20.000
        set_order_discount(s, cart, Discount("amount", 18_000))  # < 10% of 182.000
        view = remove_line(s, cart, 0)  # 18.000 off 20.000
    assert view.order_discount == 18_000
    with pytest.raises(ApprovalRequired), demo.begin() as s:
        checkout(s, till, cart, cash(2_000), now=NOW)


def test_override_price_always_needs_a_supervisor(demo: Factory) -> None:
    till = open_till(demo)
    supervisor = user_id(demo, "spv1")
    cart = Cart()
    with demo.begin() as s:  # the approval is a record: committed with the cart's change
        add_by_barcode(s, cart, MAKARONI)
        for approval in (None, WRONG_PIN, KASIR_PIN):
            with pytest.raises(ApprovalRequired):
                override_price(s, cart, 0, 17_999, approval)
            assert cart.lines[0].unit_price == 18_000
        v = override_price(s, cart, 0, 15_000, SPV)
        assert (v.lines[0].unit_price, v.lines[0].list_price, v.total) == (15_000, 18_000, 15_000)
        assert v.lines[0].price_overridden
        assert cart.lines[0].price_approved_by == supervisor
        # Scanning the product again starts a line at the catalogue price.
        v = add_by_barcode(s, cart, MAKARONI)
        assert [(ln.unit_price, ln.qty) for ln in v.lines] == [(15_000, 1), (18_000, 1)]
    with demo.begin() as s:
        sale = checkout(s, till, cart, cash(33_000), now=NOW)
    assert [(ln.unit_price, ln.list_price) for ln in sale.lines] == [
        (15_000, 18_000),
        (18_000, 18_000),
    ]


# --- stock ---------------------------------------------------------------------------------


def test_oversell_warn_allows_with_a_warning(demo: Factory) -> None:
    till = open_till(demo)
    cart = Cart()
    with demo.begin() as s:
        v = add_by_barcode(s, cart, LAST_ONE)
        assert v.warnings == ()
        v = add_by_barcode(s, cart, LAST_ONE)
        assert len(v.warnings) == 1 and "tinggal 1" in v.warnings[0]
        v = add_by_barcode(s, cart, NONE_LEFT)
        assert "tinggal 0" in v.warnings[0]
        checkout(s, till, cart, cash(v.total), now=NOW)
    assert stock_of(demo, LAST_ONE) == -1
    assert stock_of(demo, NONE_LEFT) == -1


def test_oversell_refuse(demo: Factory) -> None:
    with demo.begin() as s:
        set_setting(s, "oversell", "refuse")
    cart = Cart()
    with demo() as s:
        with pytest.raises(InsufficientStock):
            add_by_barcode(s, cart, NONE_LEFT)
        assert cart.lines == []
        add_by_barcode(s, cart, LAST_ONE)
        with pytest.raises(InsufficientStock):
            add_by_barcode(s, cart, LAST_ONE)
        with pytest.raises(InsufficientStock):
            set_quantity(s, cart, 0, 2)
        with pytest.raises(InsufficientStock):
            add_by_barcode(s, cart, LAST_ONE, 5)
        assert [ln.qty for ln in cart.lines] == [1]
        # The same product on a second line (price override) counts too.
        override_price(s, cart, 0, 1_800_000, SPV)
        with pytest.raises(InsufficientStock):
            add_by_barcode(s, cart, LAST_ONE)
        assert [ln.qty for ln in cart.lines] == [1]


# --- tax -------------------------------------------------------------------------------------


def test_tax_rate_is_recorded_and_included(demo: Factory) -> None:
    till = open_till(demo)
    with demo.begin() as s:
        set_setting(s, "tax_rate_pct", Decimal(11))
    cart = Cart()
    with demo.begin() as s:
        add_by_barcode(s, cart, MAKARONI, 2)  # 36.000
        add_by_barcode(s, cart, KERIPIK)  # 20.000
        view = view_cart(s, cart)
        assert view.total == 56_000
        assert view.tax_total == inclusive_tax(36_000, Decimal(11)) + inclusive_tax(
            20_000, Decimal(11)
        )
        sale = checkout(s, till, cart, cash(56_000), now=NOW)
    assert (sale.total, sale.tax_total) == (56_000, 3_568 + 1_982)
    with demo() as s:
        row = s.scalar(select(Sale).where(Sale.id == sale.id))
        assert row is not None and (row.total, row.tax_total) == (56_000, 5_550)
        taxes = s.scalars(
            select(SaleLine.tax).where(SaleLine.sale_id == sale.id).order_by(SaleLine.line_no)
        ).all()
        assert taxes == [3_568, 1_982]


# --- bad input: a KasirError, and the store untouched -------------------------------------


def _unknown_ean() -> str:
    for last in range(10):
        code = f"299999999999{last}"
        if is_valid_ean13(code):
            return code
    raise AssertionError


def _cart_of(s: Session, *codes: str) -> Cart:
    cart = Cart()
    for code in codes:
        add_by_barcode(s, cart, code)
    return cart


def _closed_day(s: Session, till: Till) -> None:
    s.add(DayClose(business_date=DAY, number="LPH-20261122", closed_by_id=till.user_id))
    s.flush()
    checkout(s, till, _cart_of(s, MAKARONI), cash(18_000), now=NOW)


def _no_shift(s: Session, till: Till) -> None:
    other = make_till(s, "K02", "kasir2")  # K02 has no shift open
    checkout(s, other, _cart_of(s, MAKARONI), cash(18_000), now=NOW)


def _yesterdays_shift(s: Session, till: Till) -> None:
    checkout(s, till, _cart_of(s, MAKARONI), cash(18_000), now=NOW + dt.timedelta(days=1))


def _future_shift(s: Session, till: Till) -> None:
    # The clock went back a day (or a simulation left tomorrow's shift open): today's takings
    # must not be booked to the shift's future date.
    checkout(s, till, _cart_of(s, MAKARONI), cash(18_000), now=NOW - dt.timedelta(days=1))


def _oversell_refused(s: Session, till: Till) -> None:
    set_setting(s, "oversell", "refuse")
    add_by_barcode(s, Cart(), LAST_ONE, 2)


BAD_INPUTS: dict[str, tuple[type[KasirError], Callable[[Session, Till], object]]] = {
    "unknown barcode": (NotFound, lambda s, t: add_by_barcode(s, Cart(), _unknown_ean())),
    "unknown code": (NotFound, lambda s, t: add_by_code(s, Cart(), "XYZ-404")),
    "unknown sku": (NotFound, lambda s, t: add_by_sku(s, Cart(), "KUL-9999")),
    "wrong check digit": (
        ValidationError,
        lambda s, t: add_by_barcode(s, Cart(), MAKARONI[:12] + "9"),
    ),
    "empty code": (ValidationError, lambda s, t: add_by_barcode(s, Cart(), "   ")),
    "absurdly long code": (ValidationError, lambda s, t: add_by_barcode(s, Cart(), "2" * 40)),
    "unknown product id": (NotFound, lambda s, t: add_by_id(s, Cart(), 10**9)),
    "inactive product": (NotAllowed, lambda s, t: add_by_barcode(s, Cart(), INACTIVE)),
    "quantity 0": (ValidationError, lambda s, t: add_by_barcode(s, Cart(), MAKARONI, 0)),
    "negative quantity": (ValidationError, lambda s, t: add_by_barcode(s, Cart(), MAKARONI, -2)),
    "absurd quantity": (ValidationError, lambda s, t: add_by_barcode(s, Cart(), MAKARONI, 10**6)),
    "float quantity": (ValidationError, lambda s, t: add_by_barcode(s, Cart(), MAKARONI, 1.5)),  # type: ignore[arg-type]
    "set quantity 0": (ValidationError, lambda s, t: set_quantity(s, _cart_of(s, MAKARONI), 0, 0)),
    "no such line": (ValidationError, lambda s, t: set_quantity(s, _cart_of(s, MAKARONI), 3, 1)),
    "line discount above the price": (
        ValidationError,
        lambda s, t: set_line_discount(
            s, _cart_of(s, MAKARONI), 0, Discount("amount", 18_001), SPV
        ),
    ),
    "order discount above the total": (
        ValidationError,
        lambda s, t: set_order_discount(s, _cart_of(s, MAKARONI), Discount("amount", 18_001), SPV),
    ),
    "order discount on an empty cart": (
        ValidationError,
        lambda s, t: set_order_discount(s, Cart(), Discount("amount", 1)),
    ),
    "float price override": (
        NotRupiah,
        lambda s, t: override_price(s, _cart_of(s, MAKARONI), 0, 15_000.0, SPV),  # type: ignore[arg-type]
    ),
    "negative price override": (
        ValidationError,
        lambda s, t: override_price(s, _cart_of(s, MAKARONI), 0, -1, SPV),
    ),
    "empty cart checkout": (ValidationError, lambda s, t: checkout(s, t, Cart(), [], now=NOW)),
    "paying less than due": (
        PaymentError,
        lambda s, t: checkout(s, t, _cart_of(s, MAKARONI), cash(17_999), now=NOW),
    ),
    "float for money": (
        NotRupiah,
        lambda s, t: checkout(s, t, _cart_of(s, MAKARONI), cash(18_000.0), now=NOW),  # type: ignore[arg-type]
    ),
    "qris without reference": (
        ValidationError,
        lambda s, t: checkout(s, t, _cart_of(s, MAKARONI), [PaymentInput("qris", 18_000)], now=NOW),
    ),
    "card over the total": (
        PaymentError,
        lambda s, t: checkout(
            s, t, _cart_of(s, MAKARONI), [PaymentInput("debit", 20_000, "A1")], now=NOW
        ),
    ),
    "oversell refused": (InsufficientStock, _oversell_refused),
    "no open shift": (NotAllowed, _no_shift),
    "closed day": (NotAllowed, _closed_day),
    "shift of a past day": (NotAllowed, _yesterdays_shift),
    "shift of a future day": (StaleShift, _future_shift),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_and_changes_nothing(demo: Factory, case: str) -> None:
    error, action = BAD_INPUTS[case]
    till = open_till(demo)
    sell(demo, till, [MAKARONI, KERIPIK])  # something in the store already
    before = snapshot(demo)
    with pytest.raises(error) as info, demo.begin() as s:
        action(s, till)
    assert isinstance(info.value, KasirError)
    assert str(info.value)  # a message for the person at the counter
    assert snapshot(demo) == before
    # The counter goes on: the next sale gets the next number.
    assert sell(demo, till, [MAKARONI]) == "K01-20261122-0002"


def test_closed_day_refuses_a_new_shift(demo: Factory) -> None:
    with demo.begin() as s:
        till = make_till(s)
        s.add(DayClose(business_date=DAY, number="LPH-20261122", closed_by_id=till.user_id))
    before = snapshot(demo)
    with pytest.raises(NotAllowed), demo.begin() as s:
        open_shift(s, till.counter_id, till.user_id, 0, now=NOW)
    assert snapshot(demo) == before


def test_failed_add_leaves_the_cart_as_it_was(demo: Factory) -> None:
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI, 9_999)
        with pytest.raises(ValidationError):
            add_by_barcode(s, cart, MAKARONI)  # 10.000 > max_line_qty
        with pytest.raises(ValidationError):
            set_quantity(s, cart, 0, 0)
        assert [ln.qty for ln in cart.lines] == [9_999]
        set_line_discount(s, cart, 0, Discount("amount", 17_000_000), SPV)
        with pytest.raises(ValidationError):
            set_quantity(s, cart, 0, 1)  # the discount would exceed the line
        with pytest.raises(ValidationError):
            override_price(s, cart, 0, 1, SPV)
        assert (cart.lines[0].qty, cart.lines[0].unit_price) == (9_999, 18_000)
