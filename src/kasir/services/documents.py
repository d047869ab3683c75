"""Documents: receipt numbering and the one insert path for sale and refund documents.

A sale and a refund are both rows of `sale`, numbered per counter and business day inside the
caller's transaction (a failed document gives its number back), with sale_line rows that copy
the product as it was sold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy.orm import Session

from kasir.domain.vocab import DocumentKind, SaleStatus
from kasir.errors import ValidationError
from kasir.services.shifts import OpenShift, Till
from kasir.store.bulk import insert_returning_id, prepared
from kasir.store.models import Sale, table_of
from kasir.store.sequences import _NEXT as _NEXT_SEQ
from kasir.store.sequences import format_receipt_number
from kasir.store.types import normalise_uuid, uuid7_text

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
    unit: str
    qty_scale: int


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
    discount_approved_by_id: int | None = None,
    price_approved_by_id: int | None = None,
) -> dict[str, Any]:
    """One sale_line row: the product snapshot of `src` with this document's amounts, and who
    approved the line's discount and price override (a sale's lines; a refund's have none)."""
    return {
        "uuid": uuid7_text(),
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
        "unit": src.unit,
        "qty_scale": src.qty_scale,
        "line_discount": line_discount,
        "order_discount_share": order_share,
        "tax": tax,
        "line_total": line_total,
        "original_line_id": original_line_id,
        "discount_approved_by_id": discount_approved_by_id,
        "price_approved_by_id": price_approved_by_id,
    }


def take_receipt_number(session: Session, till: Till, day: dt.date) -> tuple[int, str]:
    """The next receipt number of the till's counter on `day`, taken in the caller's
    transaction: kasir.store.sequences' upsert, on the driver's cursor (kasir.store.bulk)."""
    conn = session.connection()
    stmt = _NEXT_SEQ[conn.dialect.name]
    row = prepared(stmt, conn.dialect).first(conn, {"counter_id": till.counter_id, "day": day})
    assert row is not None, "the receipt number upsert returned no row"
    seq = int(row[0])
    return seq, format_receipt_number(till.counter_code, day, seq)


def document_uuid(value: object) -> str:
    """A caller-given document UUID in canonical form; one Indonesian line when it is not one."""
    try:
        return normalise_uuid(value)
    except ValueError:
        raise ValidationError(f"UUID transaksi tidak valid: {str(value)[:40]!r}.") from None


def new_document(
    session: Session,
    till: Till,
    shift: OpenShift,
    now: dt.datetime,
    *,
    kind: DocumentKind | str,
    subtotal: int,
    line_discount_total: int,
    order_discount: int,
    tax_total: int,
    total: int,
    order_discount_approved_by_id: int | None = None,
    refund_approved_by_id: int | None = None,
    original_sale_id: int | None = None,
    reason: str | None = None,
    sale_uuid: object = None,
    rounding: int = 0,
    order_discount_bp: int | None = None,
) -> dict[str, Any]:
    """The sale row of a new sale or refund document, numbered on the till's shift (the number
    is taken in the caller's transaction). `sale_uuid`: the caller's UUID, else a new one."""
    doc_uuid = uuid7_text() if sale_uuid is None else document_uuid(sale_uuid)
    seq, number = take_receipt_number(session, till, shift.business_date)
    return {
        "uuid": doc_uuid,
        "receipt_number": number,
        "kind": DocumentKind(kind).value,
        "status": SaleStatus.COMPLETED.value,
        "counter_id": till.counter_id,
        "shift_id": shift.id,
        "cashier_id": till.user_id,
        "business_date": shift.business_date,
        "seq": seq,
        "created_at": now.astimezone(dt.UTC),
        "original_sale_id": original_sale_id,
        "subtotal": subtotal,
        "line_discount_total": line_discount_total,
        "order_discount": order_discount,
        "order_discount_bp": order_discount_bp,
        "tax_total": tax_total,
        "total": total,
        "rounding": rounding,
        "reason": reason,
        "order_discount_approved_by_id": order_discount_approved_by_id,
        "refund_approved_by_id": refund_approved_by_id,
        "voided_at": None,
        "void_reason": None,
        "voided_by_id": None,
        "void_approved_by_id": None,
    }


def insert_document(session: Session, row: dict[str, Any]) -> tuple[int, str, str]:
    """Insert a row made by `new_document` (its `id` is set in `row`): (id, uuid, number)."""
    row["id"] = insert_returning_id(session.connection(), _SALE, row)
    return row["id"], row["uuid"], row["receipt_number"]


def write_document(
    session: Session,
    till: Till,
    shift: OpenShift,
    now: dt.datetime,
    *,
    kind: DocumentKind | str,
    subtotal: int,
    line_discount_total: int,
    order_discount: int,
    tax_total: int,
    total: int,
    order_discount_approved_by_id: int | None = None,
    refund_approved_by_id: int | None = None,
    original_sale_id: int | None = None,
    reason: str | None = None,
    sale_uuid: object = None,
    rounding: int = 0,
    order_discount_bp: int | None = None,
) -> tuple[int, str, str]:
    """Number and insert a sale or refund document on the till's shift: (id, uuid, number)."""
    row = new_document(
        session,
        till,
        shift,
        now,
        kind=kind,
        subtotal=subtotal,
        line_discount_total=line_discount_total,
        order_discount=order_discount,
        tax_total=tax_total,
        total=total,
        order_discount_approved_by_id=order_discount_approved_by_id,
        refund_approved_by_id=refund_approved_by_id,
        original_sale_id=original_sale_id,
        reason=reason,
        sale_uuid=sale_uuid,
        rounding=rounding,
        order_discount_bp=order_discount_bp,
    )
    return insert_document(session, row)
