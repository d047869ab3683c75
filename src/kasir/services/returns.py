"""Voids and refunds, each with a supervisor's approval and a reason.

- A void cancels a completed sale of the open day: the receipt keeps its number (no gap), is
  marked voided, and its stock goes back.
- A refund (retur) gives back all or some lines of an earlier sale. It is its own numbered
  document pointing at the original, with negative quantities and totals; it puts the stock back
  and records how the money was paid back. Never more than was sold minus what was refunded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kasir.domain.payment import METHOD_LABELS, METHODS, NEEDS_REFERENCE
from kasir.errors import NotAllowed, NotFound, ValidationError
from kasir.money import round_half_up
from kasir.services.auth import Approval, check_approval
from kasir.services.documents import line_row, write_document
from kasir.services.sale_lookup import (
    SaleView,
    normalise_receipt_number,
    refunded_qty_by_line,
    sale_view,
)
from kasir.services.shifts import Till, is_day_closed, open_shift_for
from kasir.services.stock import move_stock
from kasir.store.bulk import insert_many
from kasir.store.models import Payment, Sale, SaleLine, table_of
from kasir.timeutil import utcnow


@dataclass(frozen=True)
class RefundItem:
    line_no: int  # line number on the original receipt
    qty: int


def _reason(text: str, what: str) -> str:
    reason = " ".join(text.split())
    if len(reason) < 3:
        raise ValidationError(f"Alasan {what} wajib diisi.")
    if len(reason) > 500:
        raise ValidationError(f"Alasan {what} terlalu panjang.")
    return reason


def _load(session: Session, receipt_number: str) -> Sale:
    number = normalise_receipt_number(receipt_number)
    sale = session.scalar(select(Sale).where(Sale.receipt_number == number).with_for_update())
    if sale is None:
        raise NotFound(f"Struk {number} tidak ditemukan.")
    return sale


def void_sale(
    session: Session,
    till: Till,
    receipt_number: str,
    reason: str,
    approval: Approval | None,
    *,
    now: dt.datetime | None = None,
) -> SaleView:
    now = (now or utcnow()).astimezone(dt.UTC)
    reason = _reason(reason, "void")
    sale = _load(session, receipt_number)
    if sale.kind != "sale":
        raise NotAllowed(f"{sale.receipt_number} adalah dokumen retur; retur tidak bisa di-void.")
    if sale.status == "voided":
        raise NotAllowed(f"Struk {sale.receipt_number} sudah di-void.")
    shift = open_shift_for(session, till, now)
    if sale.business_date != shift.business_date or is_day_closed(session, sale.business_date):
        raise NotAllowed(
            f"Struk {sale.receipt_number} bukan transaksi hari ini; pakai retur, bukan void."
        )
    if sale.counter_id != till.counter_id or sale.shift_id != shift.id:
        # The money is in another drawer (or a counted one): it goes back as a refund.
        raise NotAllowed(
            f"Struk {sale.receipt_number} dari meja atau shift lain; pakai retur, bukan void."
        )
    if refunded_qty_by_line(session, sale.id):
        raise NotAllowed(f"Struk {sale.receipt_number} sudah punya retur; void tidak bisa.")
    approver = check_approval(session, approval, f"Void struk {sale.receipt_number}")
    sale.status = "voided"
    sale.voided_at = now
    sale.void_reason = reason
    sale.voided_by_id = till.user_id
    sale.void_approved_by_id = approver.id
    session.flush()
    back: dict[int, int] = {}
    for line in session.scalars(select(SaleLine).where(SaleLine.sale_id == sale.id)):
        back[line.product_id] = back.get(line.product_id, 0) + line.qty
    move_stock(session, back, "void", sale.id, till.user_id, sale.receipt_number, now)
    return sale_view(session, sale.id)


def refund_amount(line_total: int, sold_qty: int, already: int, qty: int) -> int:
    """The money for `qty` more units of a line of which `already` were refunded.

    Cumulative rounding: refunding every unit, in any steps, gives back exactly `line_total`."""

    def upto(units: int) -> int:
        return round_half_up(Decimal(line_total) * units / sold_qty)

    return upto(already + qty) - upto(already)


def refund_sale(
    session: Session,
    till: Till,
    receipt_number: str,
    items: list[RefundItem] | None,
    reason: str,
    approval: Approval | None,
    *,
    method: str = "tunai",
    reference: str | None = None,
    now: dt.datetime | None = None,
) -> SaleView:
    """Refund `items` (None: everything not yet refunded) of a sale as a new numbered document."""
    now = (now or utcnow()).astimezone(dt.UTC)
    reason = _reason(reason, "retur")
    if method not in METHODS:
        raise ValidationError(f"Metode pengembalian uang tidak dikenal: {method!r}.")
    reference = (reference or "").strip() or None
    if method in NEEDS_REFERENCE and reference is None:
        raise ValidationError(
            f"Uang kembali lewat {METHOD_LABELS[method]}: {NEEDS_REFERENCE[method]} wajib diisi."
        )
    original = _load(session, receipt_number)
    if original.kind != "sale":
        raise NotAllowed(
            f"{original.receipt_number} sudah dokumen retur; retur tidak bisa diretur."
        )
    if original.status != "completed":
        raise NotAllowed(f"Struk {original.receipt_number} sudah di-void; tidak bisa diretur.")
    lines = {
        ln.line_no: ln
        for ln in session.scalars(select(SaleLine).where(SaleLine.sale_id == original.id))
    }
    done = refunded_qty_by_line(session, original.id)
    if items is None:
        items = [
            RefundItem(no, ln.qty - done.get(ln.id, 0))
            for no, ln in sorted(lines.items())
            if ln.qty - done.get(ln.id, 0) > 0
        ]
        if not items:
            raise NotAllowed(f"Semua barang struk {original.receipt_number} sudah diretur.")
    if not items:
        raise ValidationError("Pilih barang yang diretur.")
    wanted: dict[int, int] = {}
    for item in items:
        if isinstance(item.qty, bool) or not isinstance(item.qty, int) or item.qty <= 0:
            raise ValidationError("Jumlah retur harus bilangan bulat 1 atau lebih.")
        if item.line_no not in lines:
            raise ValidationError(
                f"Baris {item.line_no} tidak ada di struk {original.receipt_number}."
            )
        wanted[item.line_no] = wanted.get(item.line_no, 0) + item.qty
    for line_no, qty in wanted.items():
        line = lines[line_no]
        left = line.qty - done.get(line.id, 0)
        if qty > left:
            raise NotAllowed(
                f"{line.name}: diretur {qty}, padahal yang bisa diretur tinggal {left} "
                f"(terjual {line.qty})."
            )
    approver = check_approval(session, approval, f"Retur struk {original.receipt_number}")
    shift = open_shift_for(session, till, now)
    conn = session.connection()

    rows = []
    for n, (line_no, qty) in enumerate(sorted(wanted.items()), start=1):
        line = lines[line_no]
        already = done.get(line.id, 0)
        gross = qty * line.unit_price
        line_disc = refund_amount(line.line_discount, line.qty, already, qty)
        share = refund_amount(line.order_discount_share, line.qty, already, qty)
        # Derived, so that each refund row adds up (gross - discounts = amount) and, over all
        # the refunds of a line, amounts and discounts add up to the sale's exactly.
        amount = gross - line_disc - share
        tax = refund_amount(line.tax, line.qty, already, qty)
        rows.append((n, line, qty, gross, line_disc, share, amount, tax))
    total = sum(r[6] for r in rows)
    refund_id, _uuid, number = write_document(
        session,
        till,
        shift,
        now,
        kind="refund",
        subtotal=-sum(r[3] for r in rows),
        line_discount_total=-sum(r[4] for r in rows),
        order_discount=-sum(r[5] for r in rows),
        tax_total=-sum(r[7] for r in rows),
        total=-total,
        approved_by_id=approver.id,
        original_sale_id=original.id,
        reason=reason,
    )
    insert_many(
        conn,
        table_of(SaleLine),
        [
            line_row(
                refund_id,
                n,
                line,
                qty=-qty,
                line_discount=-line_disc,
                order_share=-share,
                tax=-tax,
                line_total=-amount,
                original_line_id=line.id,
            )
            for n, line, qty, _gross, line_disc, share, amount, tax in rows
        ],
    )
    if total:
        session.add(
            Payment(
                sale_id=refund_id,
                method=method,
                amount=-total,
                tendered=-total,
                change=0,
                reference=reference,
            )
        )
        session.flush()
    back: dict[int, int] = {}
    for _n, line, qty, *_rest in rows:
        back[line.product_id] = back.get(line.product_id, 0) + qty
    move_stock(session, back, "refund", refund_id, till.user_id, number, now)
    return sale_view(session, refund_id)


def refund_method_label(method: str) -> str:
    return METHOD_LABELS.get(method, method)
