"""Checkout: the sale recorded whole, in the caller's single transaction.

The sale, its lines (a snapshot of name, price, UPT, category, cost), payments, stock movements
and the receipt number are written together: a sale is stored whole or not at all.

With cash rounding on (settings `cash_rounding`, `cash_rounding_direction`) the cash part is
rounded (`kasir.domain.rounding`): the sale's `rounding` is its own figure, credited to no UPT,
and its total is the lines' total plus the rounding.

One checkout per sale: the sale's UUID (made when the cart starts) is its idempotency key. A
checkout with the UUID of a stored sale returns that sale and writes nothing, even when two
processes check the same cart out at once: the sale row goes in with `ON CONFLICT (uuid) DO
NOTHING` (no extra statement on the normal path), and a conflict gives its receipt number back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter as Tally
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, Discount, price_cart
from kasir.domain.payment import PaymentInput, settlement
from kasir.domain.rounding import CashRounding, rounding_rule
from kasir.domain.vocab import DocumentKind, MovementKind
from kasir.errors import InsufficientStock, NotAllowed, ValidationError
from kasir.services import approvals, journal
from kasir.services.cart_edit import check_qty, tax_rate
from kasir.services.documents import document_uuid, insert_document, line_row, new_document
from kasir.services.sale_lookup import SaleView, build_sale_view, sale_view
from kasir.services.shifts import Till, check_open_shift, read_open_shift
from kasir.services.stock import PriceMismatch, move_stock
from kasir.settings import get_setting
from kasir.store.bulk import insert_many, insert_returning_id_unless
from kasir.store.models import Payment, Product, ReceiptSequence, Sale, SaleLine, User, table_of
from kasir.store.types import uuid7_text
from kasir.timeutil import utcnow

_CASHIER_NAME = select(User.full_name).where(User.id == bindparam("uid"))
_LINE = table_of(SaleLine)
_PAYMENT = table_of(Payment)
_SALE = table_of(Sale)
_SEQ = table_of(ReceiptSequence)
_BY_UUID = select(_SALE.c.id, _SALE.c.kind).where(_SALE.c.uuid == bindparam("uuid"))


def basis_points(discount: Discount | None) -> int | None:
    """A percentage discount in basis points (15% -> 1500; 12,5% -> 1250), else None."""
    if discount is None or discount.kind != "percent":
        return None
    bp = Decimal(discount.value) * 100
    return int(bp) if bp == bp.to_integral_value() else None


def cash_rounding(session: Session) -> CashRounding:
    """The cash rounding rule of the store's settings (`cash_rounding`, its direction)."""
    return rounding_rule(
        get_setting(session, "cash_rounding"), get_setting(session, "cash_rounding_direction")
    )


def stored_sale(session: Session, sale_uuid: str | uuid.UUID) -> SaleView | None:
    """The stored sale with this UUID, or None (one indexed lookup): for a caller that wants
    to know before checking out, e.g. a cart recovered after a crash."""
    row = session.connection().execute(_BY_UUID, {"uuid": document_uuid(sale_uuid)}).first()
    if row is None:
        return None
    if row.kind != DocumentKind.SALE.value:
        raise NotAllowed("UUID transaksi ini sudah dipakai oleh dokumen lain (bukan penjualan).")
    return sale_view(session, row.id)


def stored_sale_id(session: Session, sale_uuid: str) -> int | None:
    """The id of the document stored with this UUID, if any (no check of the UUID's shape)."""
    row = session.connection().execute(_BY_UUID, {"uuid": sale_uuid}).first()
    return None if row is None else int(row.id)


def _insert_once(conn: Connection, row: dict[str, Any]) -> int | None:
    """Insert the sale row unless a sale with its UUID exists: its new id, or None. On
    PostgreSQL a concurrent insert of the same UUID is waited for: None once it commits."""
    return insert_returning_id_unless(conn, _SALE, row, "ON CONFLICT (uuid) DO NOTHING")


def _give_number_back(conn: Connection, row: dict[str, Any]) -> None:
    """Undo this transaction's take of the receipt number (the sequence row is locked by it:
    nobody took a number since), so a refused duplicate leaves no gap."""
    key = (_SEQ.c.counter_id == row["counter_id"]) & (_SEQ.c.business_date == row["business_date"])
    if row["seq"] == 1:  # the row was made by this take
        done = conn.execute(delete(_SEQ).where(key, _SEQ.c.last_seq == 1))
    else:
        done = conn.execute(
            update(_SEQ).where(key, _SEQ.c.last_seq == row["seq"]).values(last_seq=row["seq"] - 1)
        )
    assert done.rowcount == 1, "the receipt sequence moved under a held lock"


def checkout(
    session: Session,
    till: Till,
    cart: Cart,
    payments: list[PaymentInput],
    *,
    now: dt.datetime | None = None,
    sale_uuid: str | uuid.UUID | None = None,
) -> SaleView:
    """Record the sale whole: lines, payments, stock and receipt number, in one transaction.

    `sale_uuid`: the sale's UUID when the caller made one (when the cart started), else a new
    one. When a sale with that UUID is stored already (the commit went through but its answer
    was lost; a second window or process checking the same cart out), that stored sale is
    returned and nothing is written, no receipt number taken. The line discount and price
    override approvers are stored per line, the order discount's approver on the sale: those
    of the approvals recorded for the cart (`kasir.services.approvals`), never the cart's own
    fields; a price or discount without one is refused."""
    now = (now or utcnow()).astimezone(dt.UTC)
    if sale_uuid is not None:
        sale_uuid = document_uuid(sale_uuid)
    if not cart.lines:
        raise ValidationError("Keranjang kosong.")
    # One statement for the open shift and the settings the checks below read; its refusals
    # come after the cart's own (as when the shift was read last).
    shift_row = read_open_shift(session, till, driver=True)
    for line in cart.lines:
        check_qty(session, line.qty, line.unit, line.qty_scale)
    # Every price that is not the catalog's and every discount above the limit, against the
    # approvals recorded for this cart (never the cart's own word): one read of the prices.
    authority = approvals.authority(session, cart, till.user_id)
    totals = price_cart(cart, tax_rate(session))
    settled_all = settlement(totals.total, payments, cash_rounding(session))
    settled = settled_all.payments
    shift = check_open_shift(session, till, now, shift_row)
    conn = session.connection()

    wanted = Tally[int]()
    for line in cart.lines:
        wanted[line.product_id] += line.qty
    refuse = get_setting(session, "oversell") == "refuse"
    sale = new_document(
        session,
        till,
        shift,
        now,
        kind=DocumentKind.SALE,
        subtotal=totals.subtotal,
        line_discount_total=totals.line_discount_total,
        order_discount=totals.order_discount,
        tax_total=totals.tax_total,
        total=settled_all.total(totals.total),
        rounding=settled_all.rounding,
        order_discount_approved_by_id=authority.order_discount_by,
        sale_uuid=sale_uuid,
        order_discount_bp=basis_points(cart.order_discount),
    )
    if sale_uuid is None:
        sale_id, _uuid, number = insert_document(session, sale)
    else:
        new_id = _insert_once(conn, sale)
        if new_id is None:
            _give_number_back(conn, sale)
            stored = stored_sale(session, sale_uuid)
            assert stored is not None, "ON CONFLICT (uuid) without a stored sale"
            return stored
        sale["id"] = sale_id = new_id
        number = sale["receipt_number"]
    line_rows = [
        line_row(
            sale_id,
            i + 1,
            line,
            qty=line.qty,
            line_discount=priced.line_discount,
            order_share=priced.order_share,
            tax=priced.tax,
            line_total=priced.line_total,
            discount_approved_by_id=approved[1],
            price_approved_by_id=approved[0],
        )
        for i, (line, priced, approved) in enumerate(
            zip(cart.lines, totals.lines, authority.lines, strict=True)
        )
    ]
    insert_many(conn, _LINE, line_rows)
    payment_rows = [
        {
            "uuid": uuid7_text(),
            "sale_id": sale_id,
            "document_kind": DocumentKind.SALE.value,
            "method": p.method,
            "amount": p.amount,
            "tendered": p.tendered,
            "change": p.change,
            "reference": p.reference,
        }
        for p in settled
    ]
    insert_many(conn, _PAYMENT, payment_rows)
    try:
        movements = move_stock(
            session,
            {pid: -q for pid, q in wanted.items()},
            MovementKind.SALE,
            sale_id,
            till.user_id,
            number,
            now,
            prices=authority.catalog,
        )
    except PriceMismatch:
        approvals.check_catalog(session, cart)  # names the line
        raise
    if refuse:
        short = session.execute(
            select(Product.name, Product.stock_qty).where(
                Product.id.in_(list(wanted)), Product.stock_qty < 0
            )
        ).first()
        if short is not None:
            raise InsufficientStock(
                f"Stok {short[0]} tidak cukup (kurang {-short[1]}); penjualan dibatalkan."
            )
    # The journal's digest of the rows just written, none read back (issue 18).
    digest = journal.sale_digest(sale, line_rows, payment_rows, movements)
    journal.append(
        session,
        till.counter_id,
        "sale",
        sale_id,
        number,
        now=now,
        chain=till.counter_code,
        digest=digest,
    )
    cashier = till.user_name or conn.execute(_CASHIER_NAME, {"uid": till.user_id}).scalar_one()
    return build_sale_view(
        sale,
        counter_code=till.counter_code,
        cashier_name=cashier,
        original_receipt=None,
        lines=line_rows,
        payments=payment_rows,
    )
