"""Selling: the cart (add, quantity, discounts, price override) and checkout.

The cart lives in memory (`kasir.domain.cart.Cart`) while the customer is served: a scan is one
indexed look-up and no write. Checkout writes the sale, its lines (a snapshot of name, price,
UPT, category, cost), payments, stock movements and the receipt number in the caller's single
transaction: a sale is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter as Tally
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, CartLine, CartTotals, Discount, price_cart
from kasir.domain.payment import PaymentInput, settle
from kasir.errors import (
    ApprovalRequired,
    InsufficientStock,
    NotAllowed,
    StaleShift,
    ValidationError,
)
from kasir.money import ensure_rupiah, format_rupiah
from kasir.services import catalog
from kasir.services.auth import Approval, check_approval
from kasir.services.catalog import ProductView
from kasir.services.sales import PaymentView, SaleLineView, SaleView
from kasir.settings import get_setting
from kasir.store.bulk import add_to_column, insert_many, insert_returning_id
from kasir.store.models import (
    DayClose,
    Payment,
    Product,
    Sale,
    SaleLine,
    Shift,
    StockMovement,
    User,
    table_of,
)
from kasir.store.sequences import format_receipt_number, next_receipt_seq
from kasir.timeutil import business_date, utcnow

MAX_PRICE = 10**12
# Built once: prepared statements keep a scan near the bare-SQL cost.
_CASHIER_NAME = select(User.full_name).where(User.id == bindparam("uid"))
_STOCK_OF = select(Product.stock_qty).where(Product.id == bindparam("pid"))


@dataclass(frozen=True)
class Till:
    """Who sells where: the counter and the cashier logged in at it."""

    counter_id: int
    counter_code: str
    user_id: int
    user_name: str = ""  # the cashier's full name, for receipts (looked up when empty)


@dataclass(frozen=True)
class CartLineView:
    index: int
    product_id: int
    sku: str
    barcode: str | None
    name: str
    unit: str
    upt_code: str
    qty: int
    unit_price: int
    list_price: int
    discount_label: str
    line_discount: int
    order_share: int
    line_total: int

    @property
    def price_overridden(self) -> bool:
        return self.unit_price != self.list_price


@dataclass(frozen=True)
class CartView:
    lines: tuple[CartLineView, ...]
    subtotal: int
    line_discount_total: int
    order_discount: int
    order_discount_label: str
    tax_total: int
    total: int
    item_count: int
    last_index: int | None
    warnings: tuple[str, ...] = ()

    @property
    def discount_total(self) -> int:
        return self.line_discount_total + self.order_discount


def view_cart(session: Session, cart: Cart, warnings: tuple[str, ...] = ()) -> CartView:
    totals = price_cart(cart, _tax_rate(session))
    return _view(cart, totals, warnings)


def _view(cart: Cart, totals: CartTotals, warnings: tuple[str, ...]) -> CartView:
    lines = tuple(
        CartLineView(
            index=i,
            product_id=line.product_id,
            sku=line.sku,
            barcode=line.barcode,
            name=line.name,
            unit=line.unit,
            upt_code=line.upt_code,
            qty=line.qty,
            unit_price=line.unit_price,
            list_price=line.list_price,
            discount_label=line.discount.label() if line.discount else "",
            line_discount=priced.line_discount,
            order_share=priced.order_share,
            line_total=priced.line_total,
        )
        for i, (line, priced) in enumerate(zip(cart.lines, totals.lines, strict=True))
    )
    return CartView(
        lines=lines,
        subtotal=totals.subtotal,
        line_discount_total=totals.line_discount_total,
        order_discount=totals.order_discount,
        order_discount_label=cart.order_discount.label() if cart.order_discount else "",
        tax_total=totals.tax_total,
        total=totals.total,
        item_count=totals.item_count,
        last_index=cart.last_index,
        warnings=warnings,
    )


def _tax_rate(session: Session) -> Decimal:
    rate: Decimal = get_setting(session, "tax_rate_pct")
    return rate


def check_qty(session: Session, qty: object) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise ValidationError("Jumlah barang harus bilangan bulat.")
    limit: int = get_setting(session, "max_line_qty")
    if qty <= 0:
        raise ValidationError("Jumlah barang harus 1 atau lebih (hapus baris untuk membatalkan).")
    if qty > limit:
        raise ValidationError(f"Jumlah {qty} terlalu besar (maks. {limit} per baris). Salah ketik?")
    return qty


def _line(cart: Cart, index: int) -> CartLine:
    if not 0 <= index < len(cart.lines):
        raise ValidationError("Baris keranjang tidak ada; pilih baris dulu.")
    return cart.lines[index]


def _stock_warnings(session: Session, cart: Cart, product_id: int) -> tuple[str, ...]:
    """Compare what the cart holds of a product with the recorded stock (setting `oversell`)."""
    wanted = sum(line.qty for line in cart.lines if line.product_id == product_id)
    on_hand = session.connection().execute(_STOCK_OF, {"pid": product_id}).scalar() or 0
    if wanted <= on_hand:
        return ()
    name = next(line.name for line in cart.lines if line.product_id == product_id)
    message = f"Stok tercatat {name} tinggal {on_hand}, di keranjang {wanted}."
    if get_setting(session, "oversell") == "refuse":
        raise InsufficientStock(message + " Penjualan melebihi stok tidak diizinkan.")
    return (message,)


def add_product(session: Session, cart: Cart, product: ProductView, qty: int = 1) -> CartView:
    """Add `qty` of a product; the same product again adds to its line's quantity."""
    qty = check_qty(session, qty)
    if not product.active:
        raise NotAllowed(f"{product.name} tidak aktif dan tidak dapat dijual.")
    for i, line in enumerate(cart.lines):
        if line.product_id == product.id and line.unit_price == line.list_price:
            return set_quantity(session, cart, i, line.qty + qty)
    cart.lines.append(
        CartLine(
            product_id=product.id,
            sku=product.sku,
            barcode=product.barcode,
            name=product.name,
            unit=product.unit,
            upt_id=product.upt_id,
            upt_code=product.upt_code,
            category=product.category,
            list_price=product.price,
            cost=product.cost,
            qty=qty,
            unit_price=product.price,
        )
    )
    try:
        warnings = _stock_warnings(session, cart, product.id)
    except Exception:
        cart.lines.pop()
        raise
    cart.last_index = len(cart.lines) - 1
    return view_cart(session, cart, warnings)


def add_by_barcode(session: Session, cart: Cart, code: str, qty: int = 1) -> CartView:
    return add_product(session, cart, catalog.find_by_barcode(session, code), qty)


def add_by_sku(session: Session, cart: Cart, sku: str, qty: int = 1) -> CartView:
    return add_product(session, cart, catalog.find_by_sku(session, sku), qty)


def add_by_code(session: Session, cart: Cart, code: str, qty: int = 1) -> CartView:
    """What the scan field does: a barcode, or else an SKU typed by hand."""
    return add_product(session, cart, catalog.find_by_code(session, code), qty)


def add_by_id(session: Session, cart: Cart, product_id: int, qty: int = 1) -> CartView:
    """A product picked from search results."""
    return add_product(session, cart, catalog.get_product(session, product_id), qty)


def set_quantity(session: Session, cart: Cart, index: int, qty: int) -> CartView:
    line = _line(cart, index)
    qty = check_qty(session, qty)
    old, line.qty = line.qty, qty
    try:
        _check_discount_fits(line)
        warnings = _stock_warnings(session, cart, line.product_id)
    except Exception:
        line.qty = old
        raise
    cart.last_index = index
    return view_cart(session, cart, warnings)


def remove_line(session: Session, cart: Cart, index: int) -> CartView:
    _line(cart, index)
    del cart.lines[index]
    cart.last_index = min(index, len(cart.lines) - 1) if cart.lines else None
    if not cart.lines:
        cart.order_discount = None
        cart.order_discount_approved_by = cart.order_discount_approved_pct = None
    return view_cart(session, cart)


def _check_discount_fits(line: CartLine) -> None:
    if line.discount is not None and line.discount_amount > line.gross:
        raise ValidationError(
            f"Diskon {format_rupiah(line.discount_amount)} melebihi harga baris "
            f"{format_rupiah(line.gross)}."
        )


def _needs_approval(
    session: Session, discount: Discount, base: int, approved_pct: Decimal | None = None
) -> bool:
    """True when `discount` of `base` is above the limit and above what was approved."""
    limit: Decimal = get_setting(session, "discount_approval_pct")
    pct = discount.percent_of_base(base)
    return pct > limit and (approved_pct is None or pct > approved_pct)


def set_line_discount(
    session: Session,
    cart: Cart,
    index: int,
    discount: Discount | None,
    approval: Approval | None = None,
) -> CartView:
    """A discount on one line; above the approval limit it needs a supervisor's PIN."""
    line = _line(cart, index)
    if discount is not None and discount.amount_of(line.gross) > line.gross:
        raise ValidationError(
            f"Diskon {discount.label()} melebihi harga baris {format_rupiah(line.gross)}."
        )
    approver, approved_pct = None, None
    if discount is not None and _needs_approval(session, discount, line.gross):
        approver = check_approval(session, approval, f"Diskon {discount.label()}").id
        approved_pct = discount.percent_of_base(line.gross)
    # An approval belongs to the discount it was given for: a new discount starts without one.
    line.discount = discount
    line.discount_approved_by, line.discount_approved_pct = approver, approved_pct
    cart.last_index = index
    return view_cart(session, cart)


def set_order_discount(
    session: Session, cart: Cart, discount: Discount | None, approval: Approval | None = None
) -> CartView:
    """A discount on the whole sale, shared over the lines; big ones need a supervisor."""
    base = sum(line.net for line in cart.lines)
    if discount is not None:
        if not cart.lines:
            raise ValidationError("Keranjang kosong; tidak ada yang bisa didiskon.")
        if discount.amount_of(base) > base:
            raise ValidationError(
                f"Diskon {discount.label()} melebihi total {format_rupiah(base)}."
            )
    approver, approved_pct = None, None
    if discount is not None and _needs_approval(session, discount, base):
        approver = check_approval(session, approval, f"Diskon transaksi {discount.label()}").id
        approved_pct = discount.percent_of_base(base)
    cart.order_discount = discount
    cart.order_discount_approved_by, cart.order_discount_approved_pct = approver, approved_pct
    return view_cart(session, cart)


def _check_approvals(session: Session, cart: Cart) -> None:
    """An amount discount can grow past the limit, or past what was approved, after it was
    set (the quantity went down, a line was removed): checked again at checkout."""
    for line in cart.lines:
        if line.discount is not None and _needs_approval(
            session, line.discount, line.gross, line.discount_approved_pct
        ):
            raise ApprovalRequired(
                f"Diskon {line.discount.label()} untuk {line.name} melebihi batas; "
                "minta persetujuan supervisor."
            )
    if cart.order_discount is not None:
        base = sum(line.net for line in cart.lines)
        if _needs_approval(session, cart.order_discount, base, cart.order_discount_approved_pct):
            raise ApprovalRequired(
                f"Diskon transaksi {cart.order_discount.label()} melebihi batas; "
                "minta persetujuan supervisor."
            )


def override_price(
    session: Session, cart: Cart, index: int, price: int, approval: Approval | None
) -> CartView:
    """Sell a line at another unit price: always needs a supervisor's approval."""
    line = _line(cart, index)
    ensure_rupiah(price, "harga")
    if not 0 <= price <= MAX_PRICE:
        raise ValidationError("Harga harus 0 atau lebih.")
    approver = check_approval(session, approval, "Ubah harga")
    old = line.unit_price
    line.unit_price = price
    try:
        _check_discount_fits(line)
    except ValidationError:
        line.unit_price = old
        raise
    line.price_approved_by = approver.id
    cart.last_index = index
    return view_cart(session, cart)


# --- checkout ------------------------------------------------------------------------------

_SALE = table_of(Sale)
_LINE = table_of(SaleLine)
_PAYMENT = table_of(Payment)
_MOVEMENT = table_of(StockMovement)
_PRODUCT = table_of(Product)

_OPEN_SHIFT = select(
    Shift.id,
    Shift.business_date,
    select(DayClose.id).where(DayClose.business_date == Shift.business_date).exists(),
).where(Shift.counter_id == bindparam("cid"), Shift.status == "open")


@dataclass(frozen=True)
class OpenShift:
    id: int
    business_date: dt.date


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


def open_shift_for(session: Session, till: Till, now: dt.datetime) -> OpenShift:
    """The till's open shift, checked for a closed or past day (one query)."""
    row = session.connection().execute(_OPEN_SHIFT, {"cid": till.counter_id}).first()
    if row is None:
        raise NotAllowed(f"Meja {till.counter_code} belum membuka shift; buka shift dulu.")
    shift = OpenShift(row[0], row[1])
    if row[2]:
        raise NotAllowed(
            f"Hari {shift.business_date:%d-%m-%Y} sudah ditutup; transaksi tidak bisa dicatat."
        )
    if shift.business_date < business_date(now):
        raise StaleShift(
            f"Shift ini dibuka tanggal {shift.business_date:%d-%m-%Y}; tutup shift dan buka "
            "shift baru untuk hari ini."
        )
    return shift


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


def move_stock(
    session: Session,
    quantities: dict[int, int],
    kind: str,
    sale_id: int,
    user_id: int,
    reference: str,
    now: dt.datetime,
) -> None:
    """Change on-hand stock by `quantities` (product id -> signed qty) with one movement each.

    Products are updated in id order so concurrent sales on PostgreSQL cannot deadlock."""
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
    _check_approvals(session, cart)
    totals = price_cart(cart, _tax_rate(session))
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
