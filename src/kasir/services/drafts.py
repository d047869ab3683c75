"""The cart in progress at a counter, saved as it changes: a crash or a power cut loses nothing.

One row per counter (`cart_draft`): the cart, the payments taken for it so far (method, amount,
QRIS/EDC reference) and the sale's UUID, made when the cart started. `kasir.services.sale_session`
writes it in the same unit of work as every change, and checkout deletes it in the sale's own
transaction, so the store holds either the draft or the sale, never both and never neither.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.store.models import CartDraft, User
from kasir.timeutil import utcnow

_DELETE = delete(CartDraft).where(CartDraft.counter_id == bindparam("cid"))
_INSERT = insert(CartDraft)
_LOAD = (
    select(
        CartDraft.sale_uuid,
        CartDraft.cashier_id,
        User.full_name,
        CartDraft.shift_id,
        CartDraft.updated_at,
        CartDraft.data,
    )
    .join(User, User.id == CartDraft.cashier_id)
    .where(CartDraft.counter_id == bindparam("cid"))
)


@dataclass(frozen=True)
class Draft:
    """A counter's cart in progress as stored."""

    sale_uuid: str
    cashier_id: int
    cashier_name: str
    shift_id: int | None
    updated_at: dt.datetime
    cart: Cart
    payments: tuple[PaymentInput, ...]


def _payments_json(payments: tuple[PaymentInput, ...]) -> list[dict[str, Any]]:
    return [{"method": p.method, "amount": p.amount, "reference": p.reference} for p in payments]


def save_draft(
    session: Session,
    *,
    counter_id: int,
    cashier_id: int,
    shift_id: int | None,
    sale_uuid: str,
    cart: Cart,
    payments: tuple[PaymentInput, ...],
    now: dt.datetime | None = None,
) -> None:
    """Store the counter's cart in progress (replacing the one stored before)."""
    data = json.dumps({"cart": cart.to_json(), "payments": _payments_json(payments)})
    conn = session.connection()
    conn.execute(_DELETE, {"cid": counter_id})
    conn.execute(
        _INSERT,
        {
            "counter_id": counter_id,
            "sale_uuid": sale_uuid,
            "cashier_id": cashier_id,
            "shift_id": shift_id,
            "updated_at": now or utcnow(),
            "data": data,
        },
    )


def clear_draft(session: Session, counter_id: int) -> None:
    session.connection().execute(_DELETE, {"cid": counter_id})


def load_draft(session: Session, counter_id: int) -> Draft | None:
    row = session.connection().execute(_LOAD, {"cid": counter_id}).first()
    if row is None:
        return None
    data = json.loads(row.data)
    payments = tuple(
        PaymentInput(str(p["method"]), int(p["amount"]), p.get("reference"))
        for p in data.get("payments", [])
    )
    return Draft(
        sale_uuid=row.sale_uuid,
        cashier_id=row.cashier_id,
        cashier_name=row.full_name,
        shift_id=row.shift_id,
        updated_at=row.updated_at,
        cart=Cart.from_json(data["cart"]),
        payments=payments,
    )
