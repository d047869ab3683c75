"""Stock: on-hand quantities change only together with a stock_movement row (one path for all)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from kasir.domain.vocab import MovementKind
from kasir.errors import ValidationError
from kasir.store.bulk import add_to_column, insert_many
from kasir.store.models import Product, StockMovement, table_of
from kasir.store.types import uuid7_text


class PriceMismatch(ValidationError):
    """Products whose catalog price is not the one they were sold at (or that are gone): the
    caller says which (kasir.services.approvals.check_catalog)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} harga barang berubah di katalog; pindai ulang.")
        self.count = count


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
    *,
    prices: Mapping[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Change on-hand stock by `quantities` (product id -> signed qty) with one movement each;
    the movement rows written (for the journal's digest). `prices` (product id -> the price
    the caller sold it at as the catalog's): PriceMismatch, before anything else is written,
    when a product's catalog price is not that any more (the checkout's check of its prices,
    in the same UPDATE).

    Products are updated in id order so concurrent sales on PostgreSQL cannot deadlock. Each
    movement gets its own UUID; `product.updated_at` is left alone (a stock change is not a
    change of the product's catalogue data)."""
    kind = MovementKind(kind).value
    conn = session.connection()
    ids = sorted(pid for pid, q in quantities.items() if q)
    if not ids:
        return []
    guard = None if prices is None else ("price", [prices[pid] for pid in ids])
    changed = add_to_column(
        conn, _PRODUCT, "stock_qty", [(pid, quantities[pid]) for pid in ids], guard=guard
    )
    if prices is not None and changed != len(ids):
        raise PriceMismatch(len(ids) - changed)
    rows: list[dict[str, Any]] = [
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
    ]
    insert_many(conn, _MOVEMENT, rows)
    return rows


def record_stock_of_new_products(
    session: Session,
    quantities: dict[int, int],
    kind: MovementKind | str,
    user_id: int | None,
    reference: str,
    now: dt.datetime,
) -> None:
    """The stock movements of products that were just inserted, in this transaction, with
    their `stock_qty` already set to `quantities` (product id -> signed qty): a catalog
    import. The same rows as `move_stock` writes, without its UPDATE of each product: that
    UPDATE of a row written a moment before is what made a 300,000-row import slow on
    PostgreSQL (a new version of every product row, so a second entry in each of its
    indexes). Only for products made by the caller's own INSERT: the on-hand quantity of an
    existing product changes through `move_stock`.

    PostgreSQL: one INSERT over arrays (`unnest`) instead of a statement per row."""
    kind = MovementKind(kind).value
    conn = session.connection()
    ids = sorted(pid for pid, q in quantities.items() if q)
    if not ids:
        return
    uuids = [uuid7_text() for _ in ids]
    if conn.dialect.name == "postgresql":
        created = _MOVEMENT.c.created_at.type._cached_bind_processor(conn.dialect)
        conn.exec_driver_sql(
            "INSERT INTO stock_movement "
            "(uuid, product_id, qty, kind, user_id, reference, created_at) "
            "SELECT u, p, q, %s::text, %s::int, %s::text, %s::timestamptz "
            "FROM unnest(%s::text[], %s::int[], %s::int[]) AS t(u, p, q)",
            (
                kind,
                user_id,
                reference,
                created(now) if created else now,
                uuids,
                ids,
                [quantities[pid] for pid in ids],
            ),
        )
        return
    insert_many(
        conn,
        _MOVEMENT,
        [
            {
                "uuid": uuid,
                "product_id": pid,
                "qty": quantities[pid],
                "kind": kind,
                "sale_id": None,
                "delivery_id": None,
                "user_id": user_id,
                "reference": reference,
                "created_at": now,
            }
            for uuid, pid in zip(uuids, ids, strict=True)
        ],
    )
