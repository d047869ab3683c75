"""A cashier closes her own shift with a blind count by denomination; kas masuk/keluar with a
reason and a supervisor's approval count in the expected cash; the X and Z reports' figures."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import KASIR_PIN, KERIPIK, MAKARONI, NOW, SPV, cash, open_till, snapshot

from kasir.domain.cart import Cart
from kasir.domain.cash_count import COINS, NOTES, CashCount, parse_count, parse_pieces
from kasir.domain.payment import PaymentInput
from kasir.errors import ApprovalRequired, NotAllowed, ValidationError
from kasir.services import journal
from kasir.services.cart_edit import add_by_barcode
from kasir.services.cash import record_cash_movement
from kasir.services.checkout import checkout
from kasir.services.shift_report import shift_report
from kasir.services.shifts import Till, close_shift, current_shift, expected_cash
from kasir.store.models import CashMovement, JournalEntry, Shift

Factory = sessionmaker[Session]


def sid(demo: Factory, till: Till) -> int:
    with demo() as s:
        shift = current_shift(s, till.counter_id)
    assert shift is not None
    return shift.id


def sell(demo: Factory, till: Till, *codes: str, pay: list[PaymentInput] | None = None) -> int:
    with demo.begin() as s:
        cart = Cart()
        for code in codes:
            add_by_barcode(s, cart, code)
        return checkout(s, till, cart, pay or cash(100_000), now=NOW).total


def moves(demo: Factory) -> int:
    with demo() as s:
        return int(s.scalar(select(func.count()).select_from(CashMovement)) or 0)


def test_parse_count_keeps_the_1000_note_and_coin_apart() -> None:
    count = parse_count("100000x2, 50.000x1,500x3,1000x4,koin1000x5")
    assert count.total == 200_000 + 50_000 + 1_500 + 4_000 + 5_000
    data = json.loads(count.to_json())
    assert data["notes"]["1000"] == 4 and data["coins"]["1000"] == 5
    assert data["notes"]["100000"] == 2 and data["coins"]["500"] == 3
    assert CashCount.from_json(count.to_json()) == count
    assert len(NOTES) == 7 and len(COINS) == 4
    for bad in ("100000xdua", "100000x-2", "abc", "", "7000x1", "100000x2,100000x1", "50000x1e9"):
        with pytest.raises(ValidationError):
            parse_count(bad)
    with pytest.raises(ValidationError, match="tidak masuk akal"):
        parse_pieces("9999999", NOTES[0])
    with pytest.raises(ValidationError, match="negatif"):
        CashCount((-1,) + (0,) * 10)


def test_cash_in_and_out_need_a_reason_and_another_supervisor(demo: Factory) -> None:
    till = open_till(demo)
    shift_id = sid(demo, till)
    before = snapshot(demo)
    for kind, amount, reason, approval, error in (
        ("in", 50_000, "", SPV, ValidationError),
        ("in", 0, "kembalian", SPV, ValidationError),
        ("in", -5, "kembalian", SPV, ValidationError),
        ("masuk", 5_000, "kembalian", SPV, ValidationError),
        ("in", 50_000, "kembalian", None, ApprovalRequired),
        ("in", 50_000, "kembalian", KASIR_PIN, ApprovalRequired),
        ("drop", 500_000, "ke brankas", SPV, NotAllowed),  # more than the drawer holds
    ):
        with pytest.raises(error), demo.begin() as s:
            record_cash_movement(s, shift_id, till.user_id, kind, amount, reason, approval, now=NOW)
    assert snapshot(demo) == before and moves(demo) == 0
    with demo.begin() as s:
        moved = record_cash_movement(
            s, shift_id, till.user_id, "in", 50_000, " uang  kembalian ", SPV, now=NOW
        )
        record_cash_movement(s, shift_id, till.user_id, "out", 12_000, "beli galon", SPV, now=NOW)
        record_cash_movement(s, shift_id, till.user_id, "drop", 100_000, "brankas", SPV, now=NOW)
    assert moved.reason == "uang kembalian" and moved.approved_by_id != till.user_id
    with demo() as s:
        assert expected_cash(s, shift_id) == 200_000 + 50_000 - 12_000 - 100_000
        kinds = s.scalars(select(JournalEntry.kind).order_by(JournalEntry.id)).all()
        assert kinds.count("cash_move") == 3
        assert journal.verify(s, full=True).ok


def test_a_blind_count_with_a_difference_needs_a_reason(demo: Factory) -> None:
    till = open_till(demo)
    shift_id = sid(demo, till)
    total = sell(demo, till, MAKARONI, KERIPIK)  # 38.000 cash
    count = parse_count("100000x2,20000x1,10000x1,5000x1,2000x1,500x2")  # 238.000
    assert count.total == 200_000 + total
    short = parse_count("100000x2,20000x1,10000x1,5000x1,2000x1")  # 237.000
    before = snapshot(demo)
    with pytest.raises(ValidationError, match=r"kurang Rp 1\.000"), demo.begin() as s:
        close_shift(s, shift_id, short, till.user_id, now=NOW)
    assert snapshot(demo) == before
    with demo.begin() as s:
        closed = close_shift(s, shift_id, short, till.user_id, reason="koin hilang", now=NOW)
    assert closed.status == "closed" and closed.difference == -1_000
    with demo() as s:
        shift = s.get(Shift, shift_id)
        assert shift is not None and shift.counted_cash == 237_000
        assert shift.counted_detail is not None
        assert json.loads(shift.counted_detail)["notes"]["100000"] == 2
        assert shift.difference_reason == "koin hilang"
        assert journal.verify(s, full=True).ok
        # The reason is journaled: changed behind Kasir's back, the verify says so.
        shift.difference_reason = "lain"
        s.flush()
        assert not journal.verify(s, full=True).ok
        s.rollback()


def test_an_exact_count_needs_no_reason_and_the_handover_path_still_takes_an_amount(
    demo: Factory,
) -> None:
    till = open_till(demo)
    with demo.begin() as s:
        done = close_shift(s, sid(demo, till), parse_count("100000x2"), till.user_id, now=NOW)
    assert done.difference == 0 and done.difference_reason is None
    till = open_till(demo)
    with demo.begin() as s:  # the plain amount, as the handover gives it
        done = close_shift(s, sid(demo, till), 150_000, till.user_id, now=NOW)
    assert done.difference == -50_000


def test_x_and_z_report_figures(demo: Factory) -> None:
    till = open_till(demo)
    shift_id = sid(demo, till)
    sell(demo, till, MAKARONI)  # 18.000 cash
    sell(demo, till, KERIPIK, pay=[PaymentInput("qris", 20_000, "REF1")])
    with demo.begin() as s:
        record_cash_movement(s, shift_id, till.user_id, "in", 30_000, "kembalian", SPV, now=NOW)
        record_cash_movement(s, shift_id, till.user_id, "out", 8_000, "parkir", SPV, now=NOW)
    with demo() as s:
        x = shift_report(s, shift_id, now=NOW)
    assert x.letter == "X" and not x.final and x.counted is None
    assert (x.sales_count, x.sales_total, x.refund_count, x.void_count) == (2, 38_000, 0, 0)
    by = {m.method: m for m in x.methods}
    assert by["tunai"].net == 18_000 and by["qris"].net == 20_000 and by["debit"].net == 0
    assert (x.cash_in, x.cash_out) == (30_000, 8_000)
    assert x.expected == 200_000 + 18_000 + 30_000 - 8_000
    assert x.expected == x.opening_float + x.cash_sales - x.cash_refunds + x.cash_in - x.cash_out
    assert [m.reason for m in x.movements] == ["kembalian", "parkir"]
    with demo.begin() as s:
        close_shift(s, shift_id, parse_count("100000x2,20000x2"), till.user_id, now=NOW)
    with demo() as s:
        z = shift_report(s, shift_id, now=NOW)
    assert z.letter == "Z" and z.counted == 240_000 and z.difference == 0
    assert z.count is not None and z.count.total == 240_000


def test_the_journal_names_a_cash_movement_changed_or_added_behind_its_back(demo: Factory) -> None:
    from kasir.services.journal_verify import verify, write_checkpoint

    till = open_till(demo)
    shift_id = sid(demo, till)
    with demo.begin() as s:
        record_cash_movement(s, shift_id, till.user_id, "in", 10_000, "receh", SPV, now=NOW)
    with demo.begin() as s:
        result = verify(s, full=True)
        assert result.ok
        write_checkpoint(s, result)
    with demo() as s:
        assert verify(s).ok  # the quick verify from the checkpoint knows it too
    with demo.begin() as s:
        move = s.scalars(select(CashMovement)).one()
        move.amount = 100_000
    with demo() as s:
        texts = [b.text for b in verify(s, full=True).breaks]
    assert any("kas masuk/keluar" in t and "diubah" in t for t in texts), texts
    with demo.begin() as s:
        s.add(
            CashMovement(
                shift_id=shift_id, counter_id=till.counter_id, kind="out", amount=5_000,
                reason="x", user_id=till.user_id, at=NOW,
            )
        )  # fmt: skip
    with demo() as s:
        texts = [b.text for b in verify(s, full=True).breaks]
        quick = [b.text for b in verify(s).breaks]
    assert any("tidak tercatat di jurnal" in t for t in texts), texts
    assert any("tidak tercatat di jurnal" in t for t in quick), quick
