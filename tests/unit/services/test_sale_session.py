"""The sale session without Qt: scan, discount with approval, split payment, park, recall, a
stale shift, a failed commit and crash recovery (a new engine on the same store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, Factory, open_till

from kasir.domain.cart import Discount
from kasir.domain.payment import PaymentInput
from kasir.errors import (
    ApprovalRequired,
    NotAllowed,
    NotFound,
    PaymentError,
    StaleShift,
    ValidationError,
)
from kasir.services.drafts import load_draft
from kasir.services.sale_lookup import sale_view
from kasir.services.sale_session import SaleSession
from kasir.services.shifts import Till
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import CartDraft, Payment, Sale, Shift

QRIS = PaymentInput("qris", 20_000, "QR-778812")


def begin(factory: Factory, till: Till) -> SaleSession:
    with factory.begin() as s:
        sale, note = SaleSession.resume(s, till)
    assert note is None
    return sale


@pytest.fixture
def restart(demo: Factory) -> Iterator[Callable[[], Factory]]:
    """A new engine on the same store, as after `kill -9`: nothing in memory survives."""
    engines: list[Engine] = []

    def again() -> Factory:
        engines.append(make_engine(demo.kw["bind"].url.render_as_string(False)))
        return make_session_factory(engines[-1])

    yield again
    for engine in engines:
        engine.dispose()


def drafts_stored(factory: Factory) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(CartDraft)) or 0)


def test_each_change_is_stored_and_a_restart_comes_back_to_it(
    demo: Factory, restart: Callable[[], Factory]
) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI, 2)
    with demo.begin() as s:
        state = sale.scan(s, KERIPIK)
    assert state.cart.total == 2 * 18_000 + 20_000
    with demo.begin() as s:
        sale.add_payment(s, QRIS)

    again = restart()
    with again.begin() as s:
        back, note = SaleSession.resume(s, till)
        state = back.state(s)
    assert note is not None and "dipulihkan" in note and "QRIS Rp 20.000" in note
    assert [(line.sku, line.qty) for line in state.cart.lines] == [("KUL-0001", 2), ("KUL-0004", 1)]
    assert state.payments == (QRIS,) and state.remaining == 36_000
    assert back.sale_uuid == sale.sale_uuid

    with again.begin() as s:
        back.add_payment(s, PaymentInput("tunai", 50_000))
    with again.begin() as s:
        done = back.checkout(s, now=NOW)
    assert done.state.empty and done.sale.total == 56_000 and done.sale.change == 14_000
    with again() as s:
        stored = s.scalars(select(Sale).where(Sale.uuid == sale.sale_uuid)).all()
        assert len(stored) == 1
        methods = s.execute(
            select(Payment.method, Payment.amount, Payment.reference).where(
                Payment.sale_id == stored[0].id
            )
        ).all()
    assert sorted(methods) == [("qris", 20_000, "QR-778812"), ("tunai", 36_000, None)]
    assert drafts_stored(again) == 0


def test_a_refused_change_leaves_the_cart_and_the_draft_as_they_were(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
    before = sale.cart.to_json()
    with pytest.raises(NotFound), demo.begin() as s:
        sale.scan(s, "2000000999999")
    with pytest.raises(ApprovalRequired), demo.begin() as s:
        sale.set_line_discount(s, 0, Discount("percent", Decimal(50)))
    assert sale.cart.to_json() == before
    with demo() as s:
        draft = load_draft(s, till.counter_id)
    assert draft is not None and draft.cart.to_json() == before

    with demo.begin() as s:
        state = sale.set_line_discount(s, 0, Discount("percent", Decimal(50)), SPV)
    assert state.cart.total == 9_000
    assert sale.cart.lines[0].discount_approved_by is not None


def test_a_commit_that_fails_keeps_the_old_cart_in_memory(demo: Factory) -> None:
    """The change was written, then the unit of work rolled back (as on a full disk)."""
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
    with pytest.raises(RuntimeError), demo.begin() as s:
        state = sale.scan(s, KERIPIK)
        assert len(state.cart.lines) == 2  # what would have been shown
        raise RuntimeError("commit lost")
    assert [line.sku for line in sale.cart.lines] == ["KUL-0001"]
    with demo() as s:
        draft = load_draft(s, till.counter_id)
    assert draft is not None and [line.sku for line in draft.cart.lines] == ["KUL-0001"]


def test_two_changes_in_one_unit_of_work_build_on_each_other(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
        state = sale.scan(s, KERIPIK)
        assert len(state.cart.lines) == 2
    assert len(sale.cart.lines) == 2


def test_split_payment_rules(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)  # Rp 18.000
    with pytest.raises(PaymentError), demo.begin() as s:
        sale.add_payment(s, PaymentInput("qris", 20_000, "QR-1"))  # non-cash above what is due
    with demo.begin() as s:
        state = sale.add_payment(s, PaymentInput("qris", 10_000, "QR-1"))
    assert state.remaining == 8_000
    with pytest.raises(PaymentError), demo.begin() as s:
        sale.checkout(s, now=NOW)  # not covered yet: nothing stored, payments kept
    assert sale.payments == (PaymentInput("qris", 10_000, "QR-1"),)
    # The cart can grow, but not shrink below what was paid by QRIS.
    with demo.begin() as s:
        sale.scan(s, KERIPIK)
    with pytest.raises(NotAllowed), demo.begin() as s:
        sale.remove_line(s, 1)
        sale.remove_line(s, 0)
    assert len(sale.cart.lines) == 2
    with (
        pytest.raises(ValidationError, match="Alasan menghapus pembayaran QRIS"),
        demo.begin() as s,
    ):
        sale.remove_payment(s, 0)  # non-cash money back needs a reason
    with demo.begin() as s:
        state = sale.remove_payment(s, 0, "pelanggan ganti bayar tunai")
    assert state.payments == () and state.remaining == 38_000


def test_park_and_recall_through_the_session(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI, 3)
    first_uuid = sale.sale_uuid
    with demo.begin() as s:
        parked, state = sale.park(s)
    assert state.empty and parked.item_count == 3 and sale.sale_uuid != first_uuid
    assert drafts_stored(demo) == 0
    with demo.begin() as s:
        sale.scan(s, KERIPIK)
    with pytest.raises(NotAllowed), demo.begin() as s:
        sale.recall(s, parked.id)  # a cart in progress is never overwritten
    with demo.begin() as s:
        sale.cancel(s)
    with demo.begin() as s:
        recalled, state = sale.recall(s, parked.id)
    assert recalled.changes == () and state.cart.item_count == 3
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("qris", 1_000, "QR-2"))
    with pytest.raises(NotAllowed), demo.begin() as s:
        sale.park(s)  # money was taken for it


def test_a_stale_shift_keeps_the_cart_and_its_payments(
    demo: Factory, restart: Callable[[], Factory]
) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("qris", 5_000, "QR-3"))
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("tunai", 20_000))
    tomorrow = NOW + dt.timedelta(days=1)
    with pytest.raises(StaleShift), demo.begin() as s:
        sale.checkout(s, now=tomorrow)
    assert len(sale.payments) == 2
    again = restart()
    with again.begin() as s:
        back, note = SaleSession.resume(s, till)
    assert note is not None and back.payments == sale.payments
    with again() as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 0


def test_checkout_again_after_a_lost_answer_stores_one_sale(demo: Factory) -> None:
    """The commit went through but the window never heard (a lost PostgreSQL answer):
    the session still holds the cart, and F9 again returns the stored sale."""
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
    with demo.begin() as s:
        sale.add_payment(s, PaymentInput("tunai", 20_000))
    uuid = sale.sale_uuid
    kept = SaleSession(till)
    kept._sale = sale._sale  # the window's copy, from before the commit
    with demo.begin() as s:
        first = sale.checkout(s, now=NOW)
    with demo.begin() as s:
        second = kept.checkout(s, now=NOW)
    assert second.sale.receipt_number == first.sale.receipt_number
    with demo() as s:
        assert s.scalar(select(func.count()).select_from(Sale).where(Sale.uuid == uuid)) == 1
        assert sale_view(s, s.scalar(select(Sale.id).where(Sale.uuid == uuid))).total == 18_000


def test_a_resumed_cart_moves_to_the_shift_of_the_till_that_resumed_it(demo: Factory) -> None:
    till = open_till(demo)
    sale = begin(demo, till)
    with demo.begin() as s:
        sale.scan(s, MAKARONI)
        shift_id = s.scalar(select(Shift.id).where(Shift.status == "open"))
    bound = Till(till.counter_id, till.counter_code, till.user_id, till.user_name)
    object.__setattr__(bound, "shift_id", shift_id)
    with demo.begin() as s:
        SaleSession.resume(s, bound)
    with demo() as s:
        draft = load_draft(s, till.counter_id)
    assert draft is not None and draft.shift_id == shift_id
