"""Voids and refunds, each with a supervisor's approval and a reason.

- A void cancels a completed sale of the open day: the receipt keeps its number (no gap), is
  marked voided, and its stock goes back.
- A refund (retur) gives back all or some lines of an earlier sale. It is its own numbered
  document pointing at the original, with negative quantities and totals; it puts the stock back
  and records how the money was paid back. Never more than was sold minus what was refunded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kasir.domain.measure import format_quantity
from kasir.domain.payment import (
    default_refund_method,
    method_label,
    payback,
    reversal_reference,
)
from kasir.domain.vocab import DocumentKind, PaymentMethod
from kasir.errors import NotAllowed, NotFound, ValidationError
from kasir.money import format_rupiah, prorate
from kasir.services import journal
from kasir.services.auth import Approval, check_approval
from kasir.services.checkout import cash_rounding
from kasir.services.documents import line_row, write_document
from kasir.services.sale_lookup import (
    SaleView,
    normalise_receipt_number,
    refund_lines_of,
    refunded_qty_by_line,
    sale_view,
)
from kasir.services.shifts import Till, expected_cash, is_day_closed, open_shift_for
from kasir.services.stock import move_stock
from kasir.store.bulk import insert_many
from kasir.store.models import Payment, Sale, SaleLine, Shift, table_of
from kasir.timeutil import utcnow


@dataclass(frozen=True)
class RefundItem:
    line_no: int  # line number on the original receipt
    qty: int  # in the line's stored units: grams of a kg line (kasir.domain.measure)


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


def _cash_back_check(session: Session, shift_id: int, cash: int, what: str) -> None:
    """Cash leaving the drawer (a cash refund, the void of a cash sale) may not exceed what
    the drawer should hold, or the shift's expected cash goes below zero and no count can
    close it."""
    if cash <= 0:
        return
    # Serialise cash taken out of one drawer (close_shift locks the same row).
    session.execute(select(Shift.id).where(Shift.id == shift_id).with_for_update())
    in_drawer = expected_cash(session, shift_id)
    if cash > in_drawer:
        raise NotAllowed(
            f"{what} tunai {format_rupiah(cash)} melebihi uang tunai di laci shift ini "
            f"({format_rupiah(in_drawer)}); kembalikan lewat QRIS atau transfer."
        )


def void_sale(
    session: Session,
    till: Till,
    receipt_number: str,
    reason: str,
    approval: Approval | None,
    *,
    reversal_references: Sequence[str | None] = (),
    now: dt.datetime | None = None,
) -> SaleView:
    """Void a sale of this till's open shift. A non-cash payment is reversed by its own
    method (the QRIS refund, the EDC void): `reversal_references` holds the reference of each
    reversal, one per non-cash payment in the receipt's order, and is required."""
    now = (now or utcnow()).astimezone(dt.UTC)
    reason = _reason(reason, "void")
    sale = _load(session, receipt_number)
    if sale.kind != "sale":
        raise NotAllowed(f"{sale.receipt_number} adalah dokumen retur; retur tidak bisa di-void.")
    if sale.status == "voided":
        raise NotAllowed(f"Struk {sale.receipt_number} sudah di-void.")
    shift = open_shift_for(session, till, now)
    if is_day_closed(session, sale.business_date):  # issue 19: the date is locked
        raise NotAllowed(
            f"Hari {sale.business_date:%d-%m-%Y} sudah ditutup; struk {sale.receipt_number} "
            "tidak bisa di-void lagi: pakai retur (dokumen hari ini)."
        )
    if sale.business_date != shift.business_date:
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
    payments = list(
        session.scalars(select(Payment).where(Payment.sale_id == sale.id).order_by(Payment.id))
    )
    non_cash = [p for p in payments if p.method != PaymentMethod.TUNAI]
    refs = list(reversal_references)
    if len(refs) > len(non_cash):
        raise ValidationError(
            "Struk ini tidak dibayar non-tunai; referensi pembatalan tidak perlu."
        )
    refs += [None] * (len(non_cash) - len(refs))
    checked = [
        reversal_reference(
            p.method,
            ref,
            what=f"Pembatalan {method_label(p.method)} {format_rupiah(p.amount)}",
        )
        for p, ref in zip(non_cash, refs, strict=True)
    ]
    cash = sum(p.amount for p in payments if p.method == PaymentMethod.TUNAI)
    _cash_back_check(session, shift.id, cash, f"Void struk {sale.receipt_number}: uang kembali")
    approver = check_approval(
        session,
        approval,
        f"Void struk {sale.receipt_number}",
        requester_id=till.user_id,
        counter_id=till.counter_id,
        kind="void",
        excluded=(sale.cashier_id,),
        detail={"receipt": sale.receipt_number, "total": sale.total},
    )
    sale.status = "voided"
    sale.voided_at = now
    sale.void_reason = reason
    sale.voided_by_id = till.user_id
    sale.void_approved_by_id = approver.id
    for payment, ref in zip(non_cash, checked, strict=True):
        payment.reversal_reference = ref
    session.flush()
    back: dict[int, int] = {}
    for line in session.scalars(select(SaleLine).where(SaleLine.sale_id == sale.id)):
        back[line.product_id] = back.get(line.product_id, 0) + line.qty
    move_stock(session, back, "void", sale.id, till.user_id, sale.receipt_number, now)
    journal.append(session, till.counter_id, "void", sale.id, sale.receipt_number, now=now)
    return sale_view(session, sale.id)


@dataclass(frozen=True)
class LineMoney:
    """The money of some units of a sale line (all >= 0 on a sale line):
    ``gross - line_discount - order_share == line_total``, gross being ``qty * unit_price``
    (divided by ``qty_scale`` and rounded once on a weighed line); ``tax`` is included in
    ``line_total``."""

    qty: int
    unit_price: int
    line_discount: int
    order_share: int
    tax: int
    line_total: int
    qty_scale: int = 1

    @property
    def gross(self) -> int:
        return self.line_total + self.line_discount + self.order_share

    def minus(self, other: LineMoney) -> LineMoney:
        return LineMoney(
            self.qty - other.qty,
            self.unit_price,
            self.line_discount - other.line_discount,
            self.order_share - other.order_share,
            self.tax - other.tax,
            self.line_total - other.line_total,
            self.qty_scale,
        )


def units_money(line: LineMoney, units: int) -> LineMoney:
    """The money of the first `units` units of a sale line; a refund of the units
    ``a..b`` pays ``units_money(line, b).minus(units_money(line, a))``.

    The paid total is allocated over the units (the share of ``u`` units is
    ``line_total * u / qty`` rounded half-up, so each unit gets ``line_total // qty`` or one
    Rupiah more, the extra Rupiah spread evenly); what those units were discounted is their
    gross less that, split into line discount and order-discount share in the line's
    proportion; their tax is their amount's share of the line's tax. Every one of these grows
    with ``u``, so each refund step is >= 0 in every column (within Rp 1 of its exact share
    in money back), a step's tax never exceeds its amount, and the steps add up to the line.

    A weighed line (``qty_scale`` > 1, qty in grams) has no whole Rupiah per gram: its
    discount is allocated over the money instead (the share of ``u`` grams is the line's
    discount times their amount's share of the line total), which grows with ``u`` as well;
    the gross of those grams is their amount plus that discount."""
    amount = prorate(line.line_total, units, line.qty)
    whole_discount = line.line_discount + line.order_share
    if line.qty_scale == 1:
        discounted = units * line.unit_price - amount
    elif line.line_total:
        discounted = prorate(whole_discount, amount, line.line_total)
    else:
        discounted = prorate(whole_discount, units, line.qty)
    line_discount = prorate(line.line_discount, discounted, whole_discount) if whole_discount else 0
    tax = prorate(line.tax, amount, line.line_total) if line.line_total else 0
    return LineMoney(
        units,
        line.unit_price,
        line_discount,
        discounted - line_discount,
        tax,
        amount,
        line.qty_scale,
    )


def refund_money(line: LineMoney, already: LineMoney, qty: int) -> LineMoney:
    """What refunding `qty` more units of `line` pays back, `already` having been refunded.

    The last units of a line take exactly what is left, so that the refunds of a line always
    add up to it, also after refunds made by an earlier version of this rule."""
    if already.qty + qty == line.qty:
        return line.minus(already)
    start = already.qty
    return units_money(line, start + qty).minus(units_money(line, start))


def _money(line: SaleLine) -> LineMoney:
    return LineMoney(
        line.qty,
        line.unit_price,
        line.line_discount,
        line.order_discount_share,
        line.tax,
        line.line_total,
        line.qty_scale,
    )


def _refunded(session: Session, sale_id: int) -> dict[int, LineMoney]:
    """What the refunds of a sale paid back so far, per original line id (positive)."""
    rows = session.execute(
        refund_lines_of(
            sale_id,
            func.sum(-SaleLine.qty),
            func.sum(-SaleLine.line_discount),
            func.sum(-SaleLine.order_discount_share),
            func.sum(-SaleLine.tax),
            func.sum(-SaleLine.line_total),
        )
    )
    return {
        int(line_id): LineMoney(int(qty), 0, int(disc), int(share), int(tax), int(total))
        for line_id, qty, disc, share, tax, total in rows
        if line_id is not None
    }


def _sale_payments(session: Session, sale_id: int) -> list[tuple[str, int]]:
    return [
        (str(method), int(amount))
        for method, amount in session.execute(
            select(Payment.method, Payment.amount)
            .where(Payment.sale_id == sale_id)
            .order_by(Payment.id)
        )
    ]


def refund_sale(
    session: Session,
    till: Till,
    receipt_number: str,
    items: list[RefundItem] | None,
    reason: str,
    approval: Approval | None,
    *,
    method: str | None = None,
    reference: str | None = None,
    now: dt.datetime | None = None,
) -> SaleView:
    """Refund `items` (None: everything not yet refunded) of a sale as a new numbered document.

    The money goes back by `method`, by default the way the sale was paid
    (`default_refund_method`); a non-cash method needs the `reference` of the payment back, and
    cash may not exceed what the till's drawer holds."""
    now = (now or utcnow()).astimezone(dt.UTC)
    reason = _reason(reason, "retur")
    if method is not None:
        # Checked before anything is looked up (the reference is required further down,
        # once the amount is known: nothing to pay back needs none).
        payback(0, method, reference)
    original = _load(session, receipt_number)
    if original.kind != "sale":
        raise NotAllowed(
            f"{original.receipt_number} sudah dokumen retur; retur tidak bisa diretur."
        )
    if original.status != "completed":
        raise NotAllowed(f"Struk {original.receipt_number} sudah di-void; tidak bisa diretur.")
    if method is None:
        method = default_refund_method(_sale_payments(session, original.id))
    lines = {
        ln.line_no: ln
        for ln in session.scalars(select(SaleLine).where(SaleLine.sale_id == original.id))
    }
    done = _refunded(session, original.id)
    nothing = LineMoney(0, 0, 0, 0, 0, 0)
    if items is None:
        items = [
            RefundItem(no, ln.qty - done.get(ln.id, nothing).qty)
            for no, ln in sorted(lines.items())
            if ln.qty - done.get(ln.id, nothing).qty > 0
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
        left = line.qty - done.get(line.id, nothing).qty
        if qty > left:

            def shown(n: int, line: SaleLine = line) -> str:
                return format_quantity(n, line.unit, line.qty_scale)

            raise NotAllowed(
                f"{line.name}: diretur {shown(qty)}, padahal yang bisa diretur tinggal "
                f"{shown(left)} (terjual {shown(line.qty)})."
            )
    rows = []
    for n, (line_no, qty) in enumerate(sorted(wanted.items()), start=1):
        line = lines[line_no]
        rows.append((n, line, refund_money(_money(line), done.get(line.id, nothing), qty)))
    total = sum(back.line_total for _n, _line, back in rows)
    # Cash paid back is rounded like cash taken (kasir.domain.rounding); the refund's own
    # rounding figure is in the document's sign: its total = its lines + rounding.
    rounding = 0
    if method == PaymentMethod.TUNAI and total > 0:
        rounding = -cash_rounding(session).difference(total)
    pay = payback(total - rounding, method, reference)
    shift = open_shift_for(session, till, now)
    if pay is not None and pay.method == PaymentMethod.TUNAI:
        _cash_back_check(session, shift.id, total - rounding, "Retur")
    approver = check_approval(
        session,
        approval,
        f"Retur struk {original.receipt_number}",
        requester_id=till.user_id,
        counter_id=till.counter_id,
        kind="refund",
        excluded=(original.cashier_id,),
        detail={"receipt": original.receipt_number, "total": total},
    )

    refund_id, _uuid, number = write_document(
        session,
        till,
        shift,
        now,
        kind="refund",
        subtotal=-sum(back.gross for *_, back in rows),
        line_discount_total=-sum(back.line_discount for *_, back in rows),
        order_discount=-sum(back.order_share for *_, back in rows),
        tax_total=-sum(back.tax for *_, back in rows),
        total=-total + rounding,
        rounding=rounding,
        refund_approved_by_id=approver.id,
        original_sale_id=original.id,
        order_discount_bp=original.order_discount_bp,
        reason=reason,
    )
    insert_many(
        session.connection(),
        table_of(SaleLine),
        [
            line_row(
                refund_id,
                n,
                line,
                qty=-back.qty,
                line_discount=-back.line_discount,
                order_share=-back.order_share,
                tax=-back.tax,
                line_total=-back.line_total,
                original_line_id=line.id,
            )
            for n, line, back in rows
        ],
    )
    if pay is not None:
        session.add(
            Payment(
                sale_id=refund_id,
                document_kind=DocumentKind.REFUND.value,
                method=pay.method,
                amount=pay.amount,
                tendered=pay.tendered,
                change=pay.change,
                reference=pay.reference,
            )
        )
        session.flush()
    stock_back: dict[int, int] = {}
    for _n, line, back in rows:
        stock_back[line.product_id] = stock_back.get(line.product_id, 0) + back.qty
    move_stock(session, stock_back, "refund", refund_id, till.user_id, number, now)
    journal.append(session, till.counter_id, "refund", refund_id, number, now=now)
    return sale_view(session, refund_id)


def refund_method_label(method: str) -> str:
    return method_label(method)
