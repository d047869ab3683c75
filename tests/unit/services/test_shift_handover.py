"""Closing a shift: another cashier's needs a supervisor (recorded), the count is checked
before it is final, and only roles that may sell open a till or sell."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import (
    KASIR_PIN,
    MAKARONI,
    NOW,
    SPV,
    WRONG_PIN,
    cash,
    make_till,
    open_till,
    snapshot,
    user_id,
)

from kasir.domain.cart import Cart
from kasir.errors import ApprovalRequired, NotAllowed
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.sale_session import SaleSession
from kasir.services.shifts import (
    Till,
    check_count,
    close_needs_approval,
    close_shift,
    current_shift,
    open_shift,
)
from kasir.store.models import Shift

Factory = sessionmaker[Session]


def shift_id(demo: Factory, till: Till) -> int:
    with demo() as s:
        shift = current_shift(s, till.counter_id)
    assert shift is not None
    return shift.id


def test_another_cashiers_shift_needs_a_supervisor(demo: Factory) -> None:
    till = open_till(demo)
    sid = shift_id(demo, till)
    kasir2 = user_id(demo, "kasir2")
    before = snapshot(demo)
    for approval in (None, WRONG_PIN, KASIR_PIN):
        with pytest.raises(ApprovalRequired), demo.begin() as s:
            close_shift(s, sid, 200_000, kasir2, approval=approval, now=NOW)
    assert snapshot(demo) == before
    with demo.begin() as s:
        closed = close_shift(s, sid, 190_000, kasir2, approval=SPV, now=NOW)
    assert closed.status == "closed" and closed.difference == -10_000
    assert closed.closed_by_id == kasir2
    assert closed.close_approved_by_id == user_id(demo, "spv1")


def test_own_shift_and_a_supervisor_need_no_pin(demo: Factory) -> None:
    till = open_till(demo)
    with demo.begin() as s:
        own = close_shift(s, shift_id(demo, till), 200_000, till.user_id, now=NOW)
    assert own.close_approved_by_id is None
    till = open_till(demo)
    spv = user_id(demo, "spv1")
    with demo.begin() as s:
        by_spv = close_shift(s, shift_id(demo, till), 200_000, spv, now=NOW)
    assert by_spv.closed_by_id == by_spv.close_approved_by_id == spv
    assert close_needs_approval(1, 2, "kasir") and not close_needs_approval(1, 1, "kasir")
    assert not close_needs_approval(1, 2, "manajer")


def test_check_count_shows_the_typo_before_anything_is_written(demo: Factory) -> None:
    till = open_till(demo)
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI)
        checkout(s, till, cart, cash(50_000), now=NOW)
    sid = shift_id(demo, till)
    before = snapshot(demo)
    with demo() as s:
        check = check_count(s, sid, 1_000_000)
    assert (check.expected, check.counted, check.difference) == (218_000, 1_000_000, 782_000)
    assert "Seharusnya Rp 218.000" in check.describe()
    assert "LEBIH Rp 782.000" in check.describe()
    with demo() as s:
        assert "KURANG Rp 1.000" in check_count(s, sid, 217_000).describe()
        assert "cocok" in check_count(s, sid, 218_000).describe()
        assert s.scalar(select(Shift.status).where(Shift.id == sid)) == "open"
    assert snapshot(demo) == before
    assert "batal" not in check.describe()  # no cart was given up


def test_the_count_check_shows_the_carts_given_up_on_the_shift(demo: Factory) -> None:
    till = open_till(demo)
    sid = shift_id(demo, till)
    for code in (MAKARONI, MAKARONI):
        with demo.begin() as s:
            sale, _ = SaleSession.resume(s, till)
        with demo.begin() as s:
            sale.scan(s, code, 2)  # 36.000
        with demo.begin() as s:
            sale.cancel(s, now=NOW)
    with demo() as s:
        check = check_count(s, sid, 200_000)
    assert check.cancelled is not None and check.cancelled.count == 2
    assert "Keranjang batal 2 (Rp 72.000)" in check.describe()
    assert check.difference == 0  # a cancelled cart moved no cash


def test_gudang_cannot_open_a_till_nor_sell_nor_close(demo: Factory) -> None:
    with demo() as s:
        gudang = make_till(s, user="gudang")
    refused = r"Agus Pratama \(Staf Gudang\) tidak boleh membuka kasir"
    with pytest.raises(NotAllowed, match=refused), demo.begin() as s:
        open_shift(s, gudang.counter_id, gudang.user_id, 100_000, now=NOW)
    till = open_till(demo)  # kasir1's shift is open on K01
    before = snapshot(demo)
    cart = Cart()
    with demo() as s:
        add_by_barcode(s, cart, MAKARONI)
    with pytest.raises(NotAllowed, match="tidak boleh membuka kasir"), demo.begin() as s:
        checkout(s, gudang, cart, cash(20_000), now=NOW)
    with pytest.raises(NotAllowed, match="Staf Gudang"), demo.begin() as s:
        close_shift(s, shift_id(demo, till), 200_000, gudang.user_id, approval=SPV, now=NOW)
    assert snapshot(demo) == before
