"""F10's receipts of today: a bare sequence number of this counter and day, and the list of
the day's receipts (filtered by number or amount, with their method and state)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, Factory, open_till

from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.errors import NotFound
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.returns import RefundItem, refund_sale, void_sale
from kasir.services.sale_lookup import (
    find_sale,
    is_sequence_number,
    list_receipts,
    receipts_query,
)
from kasir.services.shifts import Till
from kasir.timeutil import business_date

DAY = business_date(NOW)
LATER = NOW + dt.timedelta(hours=1)


def sell(factory: Factory, till: Till, *codes: str, method: str = "tunai") -> str:
    cart = Cart()
    with factory.begin() as s:
        for code in codes:
            view = add_by_barcode(s, cart, code)
        ref = None if method == "tunai" else "REF123"
        pay = [PaymentInput(method, view.total, reference=ref)]
        return checkout(s, till, cart, pay, now=NOW).receipt_number


@pytest.fixture
def day(demo: Factory) -> tuple[Till, list[str]]:
    """K01's day: four sales (18.000, 20.000 by QRIS, 38.000, 18.000), the first voided, the
    third partly refunded (a fifth document); one sale at K02."""
    till = open_till(demo)
    numbers = [
        sell(demo, till, MAKARONI),
        sell(demo, till, KERIPIK, method="qris"),
        sell(demo, till, MAKARONI, KERIPIK),
        sell(demo, till, MAKARONI),
    ]
    with demo.begin() as s:
        void_sale(s, till, numbers[0], "salah scan", SPV, now=LATER)
        refund = refund_sale(s, till, numbers[2], [RefundItem(2, 1)], "rusak", SPV, now=LATER)
    numbers.append(refund.receipt_number)
    sell(demo, open_till(demo, "K02", "kasir2"), MAKARONI)
    return till, numbers


def test_a_bare_number_is_todays_receipt_of_this_counter(
    demo: Factory, day: tuple[Till, list[str]]
) -> None:
    till, numbers = day
    assert numbers[1] == f"K01-{DAY:%Y%m%d}-0002"
    with demo() as s:
        for typed in ("2", " 0002 ", numbers[1], numbers[1].lower()):
            found = find_sale(s, typed, counter_id=till.counter_id, day=DAY)
            assert found.receipt_number == numbers[1], typed
        with pytest.raises(NotFound, match=r"Struk nomor 9 meja K01 tanggal .* tidak ada"):
            find_sale(s, "9", counter_id=till.counter_id, day=DAY)
        with pytest.raises(NotFound, match="Struk 2 tidak ditemukan"):
            find_sale(s, "2")  # without a counter and day, only full numbers
        yesterday = DAY - dt.timedelta(days=1)
        with pytest.raises(NotFound):
            find_sale(s, "2", counter_id=till.counter_id, day=yesterday)
    assert is_sequence_number("7") and is_sequence_number("000007")
    assert not is_sequence_number("") and not is_sequence_number("2000000100012")
    assert not is_sequence_number("K01-20261122-0007") and not is_sequence_number("٧")


def test_the_list_of_todays_receipts(demo: Factory, day: tuple[Till, list[str]]) -> None:
    till, numbers = day
    with demo() as s:
        rows = list_receipts(s, till.counter_id, DAY)
    assert [r.receipt_number for r in rows] == numbers[::-1], "newest first, K01 only"
    shown = [(r.seq, r.total, r.methods, r.state) for r in rows]
    assert shown == [
        (5, -20_000, ("tunai",), "refund"),
        (4, 18_000, ("tunai",), "lunas"),
        (3, 38_000, ("tunai",), "lunas, ada retur"),
        (2, 20_000, ("qris",), "lunas"),
        (1, 18_000, ("tunai",), "void"),
    ]


def test_the_list_filters_by_number_or_amount(demo: Factory, day: tuple[Till, list[str]]) -> None:
    till, numbers = day

    def seqs(typed: str) -> list[int]:
        with demo() as s:
            return [r.seq for r in list_receipts(s, till.counter_id, DAY, typed)]

    assert seqs("") == [5, 4, 3, 2, 1]
    assert seqs("3") == [3], "sequence number 3, which is also the only amount from 3"
    assert seqs("2") == [5, 2], "sequence 2, and the amounts 20.000 (a refund's too)"
    assert seqs("38") == [3]
    assert seqs("38.000") == seqs("Rp 38.000") == seqs("38000") == [3]
    assert seqs("18") == [4, 1]
    assert seqs("20.000") == [5, 2], "a refund is found by its amount too"
    assert seqs(numbers[1][-6:]) == [2], "a part of the full number"
    assert seqs("k01-") == [5, 4, 3, 2, 1]
    assert seqs("K02") == [] and seqs("99") == [] and seqs("%") == [5, 4, 3, 2, 1]


def test_the_list_reads_by_the_day_and_counter_index(demo: Factory, backend: str) -> None:
    """A year of history does not slow the list: the day's rows are found by an index."""
    if backend != "sqlite":
        pytest.skip("the plan is checked on SQLite")
    with demo() as s:
        for typed in ("", "7", "36.337", "K01"):
            plan = explain(s, receipts_query(1, DAY, typed, 500))
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
            assert "SCAN sale" not in plan.replace("USING INDEX", ""), plan


def explain(s: Session, query: object) -> str:
    compiled = query.compile(  # type: ignore[attr-defined]
        dialect=s.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    rows = s.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return "\n".join(str(row[-1]) for row in rows)
