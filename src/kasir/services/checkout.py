"""Checkout: the sale recorded whole, in the caller's single transaction.

The sale, its lines (a snapshot of name, price, UPT, category, cost), payments, stock movements
and the receipt number are written together: a sale is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter as Tally

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, price_cart
from kasir.domain.payment import PaymentInput, settle
from kasir.domain.vocab import DocumentKind, MovementKind
from kasir.errors import InsufficientStock, ValidationError
from kasir.services.cart_edit import check_approvals, check_qty, tax_rate
from kasir.services.documents import document_uuid, insert_document, line_row, new_document
from kasir.services.sale_lookup import SaleView, build_sale_view
from kasir.services.shifts import Till, open_shift_for
from kasir.services.stock import move_stock
from kasir.settings import get_setting
from kasir.store.bulk import insert_many
from kasir.store.models import Payment, Product, SaleLine, User, table_of
from kasir.store.types import uuid7_text
from kasir.timeutil import utcnow

_CASHIER_NAME = select(User.full_name).where(User.id == bindparam("uid"))
_LINE = table_of(SaleLine)
_PAYMENT = table_of(Payment)


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

    `sale_uuid`: the sale's UUID when the caller made one (an offline counter), else a new one.
    The line discount and price override approvers of the cart's lines are stored per line,
    the order discount's approver on the sale."""
    now = (now or utcnow()).astimezone(dt.UTC)
    if sale_uuid is not None:
        sale_uuid = document_uuid(sale_uuid)
    if not cart.lines:
        raise ValidationError("Keranjang kosong.")
    for line in cart.lines:
        check_qty(session, line.qty)
    check_approvals(session, cart)
    totals = price_cart(cart, tax_rate(session))
    settled = settle(totals.total, payments)
    shift = open_shift_for(session, till, now)
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
        total=totals.total,
        order_discount_approved_by_id=(
            cart.order_discount_approved_by if cart.order_discount is not None else None
        ),
        sale_uuid=sale_uuid,
    )
    sale_id, _uuid, number = insert_document(session, sale)
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
            discount_approved_by_id=(
                line.discount_approved_by if line.discount is not None else None
            ),
            price_approved_by_id=line.price_approved_by,
        )
        for i, (line, priced) in enumerate(zip(cart.lines, totals.lines, strict=True))
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
    move_stock(
        session,
        {pid: -q for pid, q in wanted.items()},
        MovementKind.SALE,
        sale_id,
        till.user_id,
        number,
        now,
    )
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
    cashier = till.user_name or conn.execute(_CASHIER_NAME, {"uid": till.user_id}).scalar_one()
    return build_sale_view(
        sale,
        counter_code=till.counter_code,
        cashier_name=cashier,
        original_receipt=None,
        lines=line_rows,
        payments=payment_rows,
    )
