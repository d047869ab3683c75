"""The database itself refuses what must never break, whatever the code above it does."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kasir.store.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine
from kasir.store.models import Category, Counter, Product, Sale, Shift, Upt, User

TODAY = dt.date(2025, 3, 14)


@pytest.fixture
def base_ids(factory: sessionmaker[Session]) -> dict[str, int]:
    """One UPT, one user, one counter, one open shift; the ids of each and of a category."""
    with factory.begin() as s:
        upt = Upt(code="LPM-TGR", name="Lapas Pemuda Kelas IIA Tangerang", kind="Lapas")
        user = User(username="kasir1", full_name="Siti", role="kasir", pin_hash="x")
        counter = Counter(code="K01", name="Meja Kasir K01")
        s.add_all([upt, user, counter])
        s.flush()
        shift = Shift(counter_id=counter.id, cashier_id=user.id, business_date=TODAY)
        s.add(shift)
        s.flush()
        category_id = s.query(Category.id).filter_by(code="kuliner").scalar()
        return {
            "upt": upt.id,
            "user": user.id,
            "counter": counter.id,
            "shift": shift.id,
            "category": category_id,
        }


def product(ids: dict[str, int], **overrides: Any) -> Product:
    values: dict[str, Any] = {
        "sku": "KUL-0001",
        "barcode": "2000000100012",
        "name": "Makaroni Keju 250 g",
        "search_name": "makaroni keju 250 g",
        "category_id": ids["category"],
        "price": 18000,
        "upt_id": ids["upt"],
    }
    values.update(overrides)
    return Product(**values)


def sale(ids: dict[str, int], seq: int, receipt: str) -> Sale:
    return Sale(
        uuid=str(uuid.uuid4()),
        receipt_number=receipt,
        counter_id=ids["counter"],
        shift_id=ids["shift"],
        cashier_id=ids["user"],
        business_date=TODAY,
        seq=seq,
        subtotal=18000,
        total=18000,
    )


def refused(factory: sessionmaker[Session], *objects: Any) -> None:
    """Adding `objects` in one transaction fails in the database and leaves nothing behind."""
    with pytest.raises(IntegrityError), factory.begin() as s:
        for obj in objects:
            s.add(obj)
            s.flush()


def test_good_rows_are_accepted(factory: sessionmaker[Session], base_ids: dict[str, int]) -> None:
    """The control: the rows the other tests spoil are fine as they are."""
    with factory.begin() as s:
        s.add(product(base_ids))
        s.add(product(base_ids, sku="KUL-0002", barcode=None, price=0))
        s.add(sale(base_ids, 1, "K01-20250314-0001"))
    with factory() as s:
        assert s.query(Product).count() == 2
        assert s.query(Sale).count() == 1


def test_negative_price_is_refused(
    factory: sessionmaker[Session], base_ids: dict[str, int]
) -> None:
    refused(factory, product(base_ids, price=-1))
    with factory() as s:
        assert s.query(Product).count() == 0


def test_negative_cost_is_refused(factory: sessionmaker[Session], base_ids: dict[str, int]) -> None:
    refused(factory, product(base_ids, cost=-500))


def test_duplicate_barcode_is_refused(
    factory: sessionmaker[Session], base_ids: dict[str, int]
) -> None:
    with factory.begin() as s:
        s.add(product(base_ids))
    refused(factory, product(base_ids, sku="KUL-0099"))
    with factory() as s:
        assert s.query(Product).count() == 1


def test_duplicate_receipt_number_is_refused(
    factory: sessionmaker[Session], base_ids: dict[str, int]
) -> None:
    with factory.begin() as s:
        s.add(sale(base_ids, 1, "K01-20250314-0001"))
    # A different seq, so only the receipt number collides.
    refused(factory, sale(base_ids, 2, "K01-20250314-0001"))
    with factory() as s:
        assert s.query(Sale).count() == 1


def test_product_of_unknown_upt_is_refused(
    factory: sessionmaker[Session], base_ids: dict[str, int]
) -> None:
    """A foreign key violation; on SQLite this only fails with PRAGMA foreign_keys=ON."""
    refused(factory, product(base_ids, upt_id=base_ids["upt"] + 1000))
    with factory() as s:
        assert s.query(Product).count() == 0


def test_second_open_shift_on_a_counter_is_refused(
    factory: sessionmaker[Session], base_ids: dict[str, int]
) -> None:
    second = Shift(counter_id=base_ids["counter"], cashier_id=base_ids["user"], business_date=TODAY)
    refused(factory, second)
    # Once the first shift is closed, a new one may open.
    with factory.begin() as s:
        first = s.get(Shift, base_ids["shift"])
        assert first is not None
        first.status = "closed"
        # A closed shift has its close time and cash figures (ck_shift_closed_complete).
        first.closed_at = dt.datetime(2025, 3, 14, 10, tzinfo=dt.UTC)
        first.expected_cash = first.counted_cash = 0
        s.add(
            Shift(counter_id=base_ids["counter"], cashier_id=base_ids["user"], business_date=TODAY)
        )
    with factory() as s:
        assert s.query(Shift).filter_by(status="open").count() == 1


def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine: Engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            pragma = lambda name: conn.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_MS > 0
    finally:
        engine.dispose()
