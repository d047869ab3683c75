"""Park and recall carts: serve the next customer while one fetches another item.

A parked cart is stored in the database, so it survives a restart of the app."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, price_cart
from kasir.errors import NotFound, ValidationError
from kasir.services.cart_edit import tax_rate
from kasir.services.shifts import Till
from kasir.store.models import ParkedCart
from kasir.timeutil import utcnow


@dataclass(frozen=True)
class ParkedView:
    id: int
    label: str
    parked_at: dt.datetime
    item_count: int
    total: int


def park_cart(session: Session, till: Till, cart: Cart, label: str = "") -> ParkedView:
    if not cart.lines:
        raise ValidationError("Keranjang kosong; tidak ada yang disimpan.")
    totals = price_cart(cart, tax_rate(session))
    row = ParkedCart(
        counter_id=till.counter_id,
        cashier_id=till.user_id,
        label=" ".join(label.split())[:100],
        parked_at=utcnow(),
        item_count=totals.item_count,
        total=totals.total,
        data=json.dumps(cart.to_json()),
    )
    session.add(row)
    session.flush()
    return ParkedView(row.id, row.label, row.parked_at, row.item_count, row.total)


def list_parked(session: Session, counter_id: int) -> list[ParkedView]:
    rows = session.scalars(
        select(ParkedCart).where(ParkedCart.counter_id == counter_id).order_by(ParkedCart.id)
    )
    return [ParkedView(r.id, r.label, r.parked_at, r.item_count, r.total) for r in rows]


def recall_cart(session: Session, parked_id: int) -> Cart:
    """Take a parked cart back (it leaves the parked list)."""
    row = session.get(ParkedCart, parked_id, with_for_update=True)
    if row is None:
        raise NotFound("Keranjang yang disimpan tidak ada lagi (mungkin sudah diambil).")
    cart = Cart.from_json(json.loads(row.data))
    session.execute(delete(ParkedCart).where(ParkedCart.id == parked_id))
    return cart
