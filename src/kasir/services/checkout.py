"""Checkout: the sale recorded whole, in the caller's single transaction.

The sale, its lines (a snapshot of name, price, UPT, category, cost), payments, stock movements
and the receipt number are written together: a sale is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, price_cart
from kasir.domain.payment import PaymentInput, settle
from kasir.errors import InsufficientStock, ValidationError
from kasir.services.cart_edit import check_approvals, check_qty, tax_rate
from kasir.services.documents import line_row, write_document
from kasir.services.sale_lookup import PaymentView, SaleLineView, SaleView
from kasir.services.shifts import Till, open_shift_for
from kasir.services.stock import move_stock
from kasir.settings import get_setting
from kasir.store.bulk import insert_many
from kasir.store.models import Payment, Product, SaleLine, User, table_of
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
) -> SaleView:
    """Record the sale whole: lines, payments, stock and receipt number, in one transaction."""
    now = (now or utcnow()).astimezone(dt.UTC)
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
    sale_id, sale_uuid, number = write_document(
        session,
        till,
        shift,
        now,
        kind="sale",
        subtotal=totals.subtotal,
        line_discount_total=totals.line_discount_total,
        order_discount=totals.order_discount,
        tax_total=totals.tax_total,
        total=totals.total,
        approved_by_id=cart.order_discount_approved_by,
    )
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
        )
        for i, (line, priced) in enumerate(zip(cart.lines, totals.lines, strict=True))
    ]
    insert_many(conn, _LINE, line_rows)
    if settled:
        insert_many(
            conn,
            _PAYMENT,
            [
                {
                    "sale_id": sale_id,
                    "method": p.method,
                    "amount": p.amount,
                    "tendered": p.tendered,
                    "change": p.change,
                    "reference": p.reference,
                }
                for p in settled
            ],
        )
    move_stock(
        session, {pid: -q for pid, q in wanted.items()}, "sale", sale_id, till.user_id, number, now
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
    return SaleView(
        id=sale_id,
        uuid=sale_uuid,
        receipt_number=number,
        kind="sale",
        status="completed",
        counter_code=till.counter_code,
        cashier_name=cashier,
        business_date=shift.business_date,
        created_at=now,
        original_receipt=None,
        subtotal=totals.subtotal,
        line_discount_total=totals.line_discount_total,
        order_discount=totals.order_discount,
        tax_total=totals.tax_total,
        total=totals.total,
        lines=tuple(SaleLineView.of(row) for row in line_rows),
        payments=tuple(
            PaymentView(p.method, p.amount, p.tendered, p.change, p.reference) for p in settled
        ),
        reason=None,
        void_reason=None,
    )
