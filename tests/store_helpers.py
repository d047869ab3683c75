"""Helpers shared by the service tests: tills, counts, and what a sale writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.payment import PaymentInput
from kasir.services.auth import Approval
from kasir.services.shifts import Till, open_shift
from kasir.store.models import (
    Counter,
    ParkedCart,
    Payment,
    Product,
    ReceiptSequence,
    Sale,
    SaleLine,
    Shift,
    StockMovement,
    User,
)

Factory = sessionmaker[Session]

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)  # 10:00 in Jakarta
MAKARONI = "2000000100012"  # KUL-0001 Makaroni Keju 250 g, Rp 18.000, cost 11.000, stock 62
KERIPIK = "2000000100043"  # KUL-0004 Keripik Bawang 250 g, Rp 20.000, stock 63
SPV = Approval("2222", "spv1")
WRONG_PIN = Approval("9999", "spv1")
KASIR_PIN = Approval("1111", "kasir1")  # kasir1's own PIN: a cashier cannot approve


def make_till(s: Session, counter: str = "K01", user: str = "kasir1") -> Till:
    counter_id = s.scalar(select(Counter.id).where(Counter.code == counter))
    person = s.scalar(select(User).where(User.username == user))
    assert counter_id is not None and person is not None
    return Till(counter_id, counter, person.id, person.full_name)


def open_till(
    factory: Factory, counter: str = "K01", user: str = "kasir1", now: dt.datetime = NOW
) -> Till:
    with factory.begin() as s:
        till = make_till(s, counter, user)
        open_shift(s, till.counter_id, till.user_id, 200_000, now=now)
    return till


def user_id(factory: Factory, username: str) -> int:
    with factory() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
    assert uid is not None
    return uid


def stock_of(factory: Factory, barcode: str) -> int:
    with factory() as s:
        qty = s.scalar(select(Product.stock_qty).where(Product.barcode == barcode))
    assert qty is not None
    return qty


def snapshot(factory: Factory) -> dict[str, Any]:
    """Everything a sale writes: compared before/after a refused action."""
    with factory() as s:

        def count(model: Any) -> int:
            return s.scalar(select(func.count()).select_from(model)) or 0

        return {
            "sale": count(Sale),
            "sale_line": count(SaleLine),
            "payment": count(Payment),
            "stock_movement": count(StockMovement),
            "shift": count(Shift),
            "parked": count(ParkedCart),
            "receipt_seq": s.scalar(select(func.coalesce(func.sum(ReceiptSequence.last_seq), 0))),
            "stock_sum": s.scalar(select(func.sum(Product.stock_qty))),
            "stock": s.execute(select(Product.id, Product.stock_qty).order_by(Product.id)).all(),
            "status": s.execute(select(Sale.id, Sale.status).order_by(Sale.id)).all(),
        }


def cash(amount: int) -> list[PaymentInput]:
    return [PaymentInput("tunai", amount)]
