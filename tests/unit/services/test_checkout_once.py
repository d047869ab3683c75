"""One checkout per sale: a checkout with the UUID of a stored sale returns that sale and
writes nothing, also when several connections check the same cart out at once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, Factory, cash, open_till, snapshot

from kasir.domain.cart import Cart
from kasir.errors import NotAllowed, ValidationError
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout, stored_sale
from kasir.services.returns import refund_sale
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import ReceiptSequence, Sale


def cart_of(s: Session, *codes: str) -> tuple[Cart, int]:
    cart = Cart()
    total = 0
    for code in codes:
        total = add_by_barcode(s, cart, code).total
    return cart, total


def sell(factory: Factory, till: Till, sale_uuid: object, *codes: str) -> SaleView:
    with factory.begin() as s:
        cart, total = cart_of(s, *(codes or (MAKARONI,)))
        return checkout(s, till, cart, cash(total), now=NOW, sale_uuid=sale_uuid)  # type: ignore[arg-type]


def sales_with(factory: Factory, sale_uuid: str) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).where(Sale.uuid == sale_uuid)) or 0


def test_checkout_twice_with_one_uuid_stores_one_sale(demo: Factory) -> None:
    till = open_till(demo)
    key = str(uuid.uuid4())
    first = sell(demo, till, key, MAKARONI, KERIPIK)
    after_first = snapshot(demo)
    again = sell(demo, till, key, MAKARONI, KERIPIK)
    assert again == first  # the stored sale, as it was returned the first time
    assert snapshot(demo) == after_first  # nothing written: no sale, stock, number
    assert sales_with(demo, key) == 1
    # A different cart under the same UUID still gets the stored sale (the key wins).
    assert sell(demo, till, uuid.UUID(key), KERIPIK).receipt_number == first.receipt_number
    assert snapshot(demo) == after_first
    # The next sale takes the next number: none was lost to the refused duplicates.
    nxt = sell(demo, till, uuid.uuid4())
    assert nxt.receipt_number == first.receipt_number[:-4] + "0002"


def test_duplicate_on_a_counter_without_a_number_yet_leaves_no_sequence(demo: Factory) -> None:
    """The duplicate is the first document on K02 that day: the sequence row it made goes."""
    k01 = open_till(demo, "K01")
    k02 = open_till(demo, "K02", user="kasir2")
    key = str(uuid.uuid4())
    first = sell(demo, k01, key)
    assert sell(demo, k02, key) == first
    with demo() as s:
        counters = s.scalars(select(ReceiptSequence.counter_id)).all()
    assert counters == [k01.counter_id]
    assert sell(demo, k02, uuid.uuid4()).receipt_number == "K02-20261122-0001"


def test_stored_sale_looks_up_by_uuid(demo: Factory) -> None:
    till = open_till(demo)
    key = uuid.uuid4()
    with demo() as s:
        assert stored_sale(s, key) is None
    sold = sell(demo, till, key)
    with demo() as s:
        assert stored_sale(s, str(key).upper()) == sold
        with pytest.raises(ValidationError):
            stored_sale(s, "bukan-uuid")


def test_the_uuid_of_a_refund_is_refused(demo: Factory) -> None:
    till = open_till(demo)
    sold = sell(demo, till, uuid.uuid4())
    with demo.begin() as s:
        refund = refund_sale(s, till, sold.receipt_number, None, "rusak", SPV, now=NOW)
    before = snapshot(demo)
    with pytest.raises(NotAllowed, match="dokumen lain"):
        sell(demo, till, refund.uuid)
    assert snapshot(demo) == before


def test_a_failed_checkout_keeps_the_uuid_free(demo: Factory) -> None:
    till = open_till(demo)
    key = str(uuid.uuid4())
    with pytest.raises(RuntimeError), demo.begin() as s:
        cart, total = cart_of(s, MAKARONI)
        checkout(s, till, cart, cash(total), now=NOW, sale_uuid=key)
        raise RuntimeError("the commit never happened")
    assert sales_with(demo, key) == 0
    assert sell(demo, till, key).receipt_number.endswith("-0001")


@pytest.fixture
def engines(demo_url: str) -> Iterator[list[Engine]]:
    made = [make_engine(demo_url) for _ in range(4)]
    yield made
    for e in made:
        e.dispose()


def check_out_at_once(engines: list[Engine], till: Till, key: str) -> list[SaleView]:
    """Every engine checks the same cart out under `key`, released together by a barrier
    (SQLite serialises them at BEGIN IMMEDIATE; on PostgreSQL they really race)."""
    start = threading.Barrier(len(engines))
    results: list[SaleView] = []
    errors: list[BaseException] = []

    def run(factory: sessionmaker[Session]) -> None:
        try:
            with factory() as s:
                cart, total = cart_of(s, MAKARONI)
            start.wait(10)
            with factory.begin() as s:
                results.append(checkout(s, till, cart, cash(total), now=NOW, sale_uuid=key))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(make_session_factory(e),)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    return results


def test_concurrent_checkouts_of_one_cart_store_one_sale(
    demo: Factory, engines: list[Engine]
) -> None:
    """Four connections (as four windows or processes would) check the same cart out at the
    same moment, a few times over: one sale each time, every caller gets it."""
    till = open_till(demo)
    for round_no in range(1, 4):
        key = str(uuid.uuid4())
        results = check_out_at_once(engines, till, key)
        assert len(results) == len(engines)
        assert {r.receipt_number for r in results} == {f"K01-20261122-000{round_no}"}
        assert sales_with(demo, key) == 1
    with demo() as s:
        assert s.scalar(select(ReceiptSequence.last_seq)) == 3


def statements_of(engine: Engine, work: Any) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_uuid_costs_no_statement(demo: Factory, demo_engine: Engine) -> None:
    """The normal path with a caller's UUID runs exactly the statements of one without."""
    till = open_till(demo)
    sell(demo, till, None)  # warm up: settings, shift cache, compiled statements
    counts = [
        statements_of(demo_engine, lambda key=key: sell(demo, till, key))
        for key in (None, uuid.uuid4(), None, uuid.uuid4())
    ]
    assert len(set(counts)) == 1, counts
