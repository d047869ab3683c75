"""Several tills checking out at once: no sale lost, no receipt number repeated or skipped,
no stock update lost."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter as Tally
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.services.cart_edit import add_by_barcode
from kasir.services.catalog import ensure_counter
from kasir.services.checkout import checkout
from kasir.services.shifts import Till, open_shift
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import Product, Sale, SaleLine, StockMovement, User

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
DAY = "20261122"
# The same few products for everybody: every sale updates the same rows.
PRODUCTS = ("2000000100012", "2000000100043", "2000000100029")


class Rollback(Exception):
    """Raised inside a sale's transaction after checkout: the sale must vanish, number too."""


@dataclass
class Outcome:
    receipts: list[str] = field(default_factory=list)
    sold: Tally[str] = field(default_factory=Tally)
    totals: int = 0
    rolled_back: int = 0
    errors: list[BaseException] = field(default_factory=list)


def prepare(url: str, counters: list[str]) -> dict[str, Till]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as s:
            cashier = s.scalar(select(User.id).where(User.username == "kasir1"))
            assert cashier is not None
            tills = {}
            for code in counters:
                counter_id = ensure_counter(s, code)
                open_shift(s, counter_id, cashier, 0, now=NOW)
                tills[code] = Till(counter_id, code, cashier, "Siti")
        return tills
    finally:
        engine.dispose()


def stock(url: str) -> dict[str, tuple[int, int]]:
    """Per product: (stock_qty, sum of its stock movements)."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            moved = (
                select(func.coalesce(func.sum(StockMovement.qty), 0))
                .where(StockMovement.product_id == Product.id)
                .scalar_subquery()
            )
            rows = s.execute(
                select(Product.barcode, Product.stock_qty, moved).where(
                    Product.barcode.in_(PRODUCTS)
                )
            ).all()
        return {code: (qty, int(moves)) for code, qty, moves in rows}
    finally:
        engine.dispose()


def run_tills(
    url: str, tills: list[Till], sales_each: int, *, rollback_every: int = 0
) -> list[Outcome]:
    barrier = threading.Barrier(len(tills))
    outcomes = [Outcome() for _ in tills]

    def work(n: int, till: Till, out: Outcome) -> None:
        engine = make_engine(url)
        factory: sessionmaker[Session] = make_session_factory(engine)
        rng = random.Random(n)
        try:
            barrier.wait()
            for i in range(sales_each):
                basket = Tally({code: rng.randint(1, 3) for code in rng.sample(PRODUCTS, 2)})
                cart = Cart()
                try:
                    with factory.begin() as s:
                        for code, qty in basket.items():
                            view = add_by_barcode(s, cart, code, qty)
                        sale = checkout(s, till, cart, [PaymentInput("tunai", view.total)], now=NOW)
                        if rollback_every and i % rollback_every == rollback_every - 1:
                            raise Rollback
                except Rollback:
                    out.rolled_back += 1
                    continue
                out.receipts.append(sale.receipt_number)
                out.sold.update(basket)
                out.totals += sale.total
        except BaseException as exc:  # reported by the test, with the thread's number
            out.errors.append(exc)
        finally:
            engine.dispose()

    threads = [
        threading.Thread(target=work, args=(n, till, out), name=f"till-{n}")
        for n, (till, out) in enumerate(zip(tills, outcomes, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
        assert not t.is_alive(), f"{t.name} hangs"
    return outcomes


def check_store(
    url: str, outcomes: list[Outcome], initial: dict[str, tuple[int, int]], counters: list[str]
) -> None:
    errors = [e for out in outcomes for e in out.errors]
    if errors:
        raise errors[0]
    receipts = [r for out in outcomes for r in out.receipts]
    sold = sum((out.sold for out in outcomes), Tally[str]())
    assert len(receipts) == len(set(receipts)), "a receipt number was given twice"

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            rows = s.execute(select(Sale.receipt_number, Sale.seq, Sale.total)).all()
            assert sorted(r[0] for r in rows) == sorted(receipts), "a sale was lost"
            assert sum(r[2] for r in rows) == sum(out.totals for out in outcomes)
            for code in counters:
                seqs = sorted(r[1] for r in rows if r[0].startswith(f"{code}-{DAY}-"))
                assert seqs == list(range(1, len(seqs) + 1)), f"gap or repeat on {code}"
                assert seqs, f"nothing sold on {code}"
            for number, seq, _total in rows:
                assert number.endswith(f"-{seq:04d}")
            lines = s.execute(
                select(SaleLine.barcode, func.sum(SaleLine.qty)).group_by(SaleLine.barcode)
            ).all()
            assert dict(lines) == dict(sold)
    finally:
        engine.dispose()
    after = stock(url)
    for code in PRODUCTS:
        qty, moves = after[code]
        assert qty == initial[code][0] - sold[code], f"lost stock update on {code}"
        assert qty == moves, f"stock of {code} differs from its movements"


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_many_tills_on_postgresql(demo_url: str) -> None:
    counters = ["K01", "K02", "K03"]
    tills = prepare(demo_url, counters)
    initial = stock(demo_url)
    # 6 threads: three share K01, two share K02, one alone on K03.
    lineup = [tills["K01"]] * 3 + [tills["K02"]] * 2 + [tills["K03"]]
    outcomes = run_tills(demo_url, lineup, 15, rollback_every=4)
    check_store(demo_url, outcomes, initial, counters)
    assert sum(len(out.receipts) for out in outcomes) == 6 * (15 - 3)
    assert sum(out.rolled_back for out in outcomes) == 6 * 3


def test_threads_on_one_sqlite_counter(sqlite_demo_url: str) -> None:
    tills = prepare(sqlite_demo_url, ["K01"])
    initial = stock(sqlite_demo_url)
    outcomes = run_tills(sqlite_demo_url, [tills["K01"]] * 4, 15, rollback_every=5)
    check_store(sqlite_demo_url, outcomes, initial, ["K01"])
    assert sum(len(out.receipts) for out in outcomes) == 4 * 12


@pytest.fixture
def sqlite_demo_url(demo_sqlite: sessionmaker[Session]) -> str:
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    return str(url)
