"""Stock: on-hand quantities change only together with a stock_movement row (one path for all)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from kasir.domain.vocab import MovementKind
from kasir.store.bulk import add_to_column, insert_many
from kasir.store.models import Product, StockMovement, table_of
from kasir.store.types import uuid7_text

_MOVEMENT = table_of(StockMovement)
_PRODUCT = table_of(Product)


def move_stock(
    session: Session,
    quantities: dict[int, int],
    kind: MovementKind | str,
    sale_id: int | None,
    user_id: int | None,
    reference: str,
    now: dt.datetime,
) -> None:
    """Change on-hand stock by `quantities` (product id -> signed qty) with one movement each.

    Products are updated in id order so concurrent sales on PostgreSQL cannot deadlock. Each
    movement gets its own UUID; `product.updated_at` is left alone (a stock change is not a
    change of the product's catalogue data)."""
    kind = MovementKind(kind).value
    conn = session.connection()
    ids = sorted(pid for pid, q in quantities.items() if q)
    if not ids:
        return
    add_to_column(conn, _PRODUCT, "stock_qty", [(pid, quantities[pid]) for pid in ids])
    insert_many(
        conn,
        _MOVEMENT,
        [
            {
                "uuid": uuid7_text(),
                "product_id": pid,
                "qty": quantities[pid],
                "kind": kind,
                "sale_id": sale_id,
                "delivery_id": None,
                "user_id": user_id,
                "reference": reference,
                "created_at": now,
            }
            for pid in ids
        ],
    )
