"""Documents: receipt numbering and the one insert path for sale and refund documents.

A sale and a refund are both rows of `sale`, numbered per counter and business day inside the
caller's transaction (a failed document gives its number back), with sale_line rows that copy
the product as it was sold.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from sqlalchemy.orm import Session

from kasir.services.shifts import OpenShift, Till
from kasir.store.bulk import insert_returning_id
from kasir.store.models import Sale, table_of
from kasir.store.sequences import format_receipt_number, next_receipt_seq

_SALE = table_of(Sale)


class _Snapshot(Protocol):
    """What a sale line copies from the product as it was sold (a cart line, a sold line)."""

    product_id: int
    sku: str
    barcode: str | None
    name: str
    upt_id: int
    upt_code: str
    category: str
    unit_price: int
    list_price: int
    cost: int


def line_row(
    sale_id: int,
    line_no: int,
    src: _Snapshot,
    *,
    qty: int,
    line_discount: int,
    order_share: int,
    tax: int,
    line_total: int,
    original_line_id: int | None = None,
) -> dict[str, Any]:
    """One sale_line row: the product snapshot of `src` with this document's amounts."""
    return {
        "sale_id": sale_id,
        "line_no": line_no,
        "product_id": src.product_id,
        "sku": src.sku,
        "barcode": src.barcode,
        "name": src.name,
        "upt_id": src.upt_id,
        "upt_code": src.upt_code,
        "category": src.category,
        "unit_price": src.unit_price,
        "list_price": src.list_price,
        "cost": src.cost,
        "qty": qty,
        "line_discount": line_discount,
        "order_discount_share": order_share,
        "tax": tax,
        "line_total": line_total,
        "original_line_id": original_line_id,
    }


def take_receipt_number(session: Session, till: Till, day: dt.date) -> tuple[int, str]:
    seq = next_receipt_seq(session.connection(), till.counter_id, day)
    return seq, format_receipt_number(till.counter_code, day, seq)


def write_document(
    session: Session,
    till: Till,
    shift: OpenShift,
    now: dt.datetime,
    *,
    kind: str,
    subtotal: int,
    line_discount_total: int,
    order_discount: int,
    tax_total: int,
    total: int,
    approved_by_id: int | None,
    original_sale_id: int | None = None,
    reason: str | None = None,
) -> tuple[int, str, str]:
    """Number and insert a sale or refund document on the till's shift: (id, uuid, number)."""
    seq, number = take_receipt_number(session, till, shift.business_date)
    doc_uuid = str(uuid.uuid4())
    doc_id = insert_returning_id(
        session.connection(),
        _SALE,
        {
            "uuid": doc_uuid,
            "receipt_number": number,
            "kind": kind,
            "status": "completed",
            "counter_id": till.counter_id,
            "shift_id": shift.id,
            "cashier_id": till.user_id,
            "business_date": shift.business_date,
            "seq": seq,
            "created_at": now,
            "original_sale_id": original_sale_id,
            "subtotal": subtotal,
            "line_discount_total": line_discount_total,
            "order_discount": order_discount,
            "tax_total": tax_total,
            "total": total,
            "reason": reason,
            "approved_by_id": approved_by_id,
        },
    )
    return doc_id, doc_uuid, number


