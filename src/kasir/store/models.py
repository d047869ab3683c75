"""SQLAlchemy models for the whole domain (DESIGN.md section 7).

Money columns are BigInteger whole Rupiah. Rates are Numeric. Timestamps are timezone-aware
(UTC in the store); business dates are `date` in Asia/Jakarta. The database itself enforces
what must never break: non-negative prices, unique barcodes and receipt numbers, foreign keys.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = BigInteger


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for the few hot paths that write through Core."""
    return cast(Table, model.__table__)


class Setting(Base):
    """One declared setting's stored value (see kasir.settings), as JSON text."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Upt(Base):
    """A producing unit (Lapas, Rutan or LPKA); proceeds are credited to it."""

    __tablename__ = "upt"
    __table_args__ = (
        CheckConstraint("kind IN ('Lapas', 'Rutan', 'LPKA')", name="kind"),
        CheckConstraint(
            "alloc_pnbp_pct IS NULL OR "
            "alloc_pnbp_pct + alloc_premi_pct + alloc_pembinaan_pct = 100",
            name="alloc_sum",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(100), default="")
    # Allocation scheme of this UPT; NULL means the store-wide default setting.
    alloc_pnbp_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    alloc_premi_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    alloc_pembinaan_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    alloc_base: Mapped[str | None] = mapped_column(String(16))  # 'net' | 'margin'
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Category(Base):
    __tablename__ = "category"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonneg"),
        CheckConstraint("cost >= 0", name="cost_nonneg"),
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case, accent-free copy of name for substring search.
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    unit: Mapped[str] = mapped_column(String(16), default="pcs")
    price: Mapped[int] = mapped_column(Money)
    cost: Mapped[int] = mapped_column(Money, default=0)
    upt_id: Mapped[int] = mapped_column(ForeignKey("upt.id"), index=True)
    # On-hand quantity; changes only together with a StockMovement row.
    stock_qty: Mapped[int] = mapped_column(Integer, default=0)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    pirt_number: Mapped[str | None] = mapped_column(String(32))
    halal_number: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category] = relationship()
    upt: Mapped[Upt] = relationship()


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('kasir', 'supervisor', 'manajer', 'gudang')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(Base):
    """A till (meja kasir); receipt numbers are per counter and business day."""

    __tablename__ = "counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Delivery(Base):
    """Goods received from a UPT against its delivery note (surat jalan)."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("upt_id", "note_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    upt_id: Mapped[int] = mapped_column(ForeignKey("upt.id"))
    note_number: Mapped[str] = mapped_column(String(64))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Shift(Base):
    __tablename__ = "shift"
    __table_args__ = (
        CheckConstraint("opening_float >= 0", name="float_nonneg"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        # At most one open shift per counter.
        Index(
            "ix_shift_one_open_per_counter",
            "counter_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    opening_float: Mapped[int] = mapped_column(Money, default=0)
    expected_cash: Mapped[int | None] = mapped_column(Money)
    counted_cash: Mapped[int | None] = mapped_column(Money)
    # Count by denomination, JSON {"100000": 3, ...}; filled at shift close.
    counted_detail: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class DayClose(Base):
    __tablename__ = "day_close"
    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[dt.date] = mapped_column(Date, unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kode_billing: Mapped[str | None] = mapped_column(String(15))
    ntpn: Mapped[str | None] = mapped_column(String(16))
    deposit_date: Mapped[dt.date | None] = mapped_column(Date)
    deposit_amount: Mapped[int | None] = mapped_column(Money)


class ReceiptSequence(Base):
    """Last receipt number used per counter and business day (taken in the sale's transaction)."""

    __tablename__ = "receipt_sequence"
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)
    business_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Sale(Base):
    """A sale or a refund document. Refunds carry negative quantities and totals."""

    __tablename__ = "sale"
    __table_args__ = (
        UniqueConstraint("counter_id", "business_date", "seq"),
        CheckConstraint("kind IN ('sale', 'refund')", name="kind"),
        CheckConstraint("status IN ('completed', 'voided')", name="status"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint(
            "(kind = 'sale' AND total >= 0) OR (kind = 'refund' AND total <= 0)", name="total_sign"
        ),
        Index("ix_sale_business_date_counter", "business_date", "counter_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(8), default="sale")
    status: Mapped[str] = mapped_column(String(12), default="completed")
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    original_sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"), index=True)
    subtotal: Mapped[int] = mapped_column(Money)  # sum of qty * unit_price
    line_discount_total: Mapped[int] = mapped_column(Money, default=0)
    order_discount: Mapped[int] = mapped_column(Money, default=0)
    tax_total: Mapped[int] = mapped_column(Money, default=0)  # included in total
    total: Mapped[int] = mapped_column(Money)
    reason: Mapped[str | None] = mapped_column(Text)  # refund reason
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    void_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.line_no", viewonly=True)
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id", viewonly=True)


class SaleLine(Base):
    """A snapshot of what was sold: name, price, UPT and category as they were at the time."""

    __tablename__ = "sale_line"
    __table_args__ = (
        UniqueConstraint("sale_id", "line_no"),
        CheckConstraint("qty <> 0", name="qty_nonzero"),
        CheckConstraint("unit_price >= 0", name="price_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[str] = mapped_column(String(32))
    barcode: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    upt_id: Mapped[int] = mapped_column(ForeignKey("upt.id"), index=True)
    upt_code: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    unit_price: Mapped[int] = mapped_column(Money)
    list_price: Mapped[int] = mapped_column(Money)  # catalogue price before any override
    cost: Mapped[int] = mapped_column(Money)
    qty: Mapped[int] = mapped_column(Integer)
    line_discount: Mapped[int] = mapped_column(Money, default=0)
    order_discount_share: Mapped[int] = mapped_column(Money, default=0)
    tax: Mapped[int] = mapped_column(Money, default=0)
    line_total: Mapped[int] = mapped_column(Money)
    original_line_id: Mapped[int | None] = mapped_column(ForeignKey("sale_line.id"), index=True)


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint(
            "method IN ('tunai', 'qris', 'debit', 'kredit', 'transfer')", name="method"
        ),
        CheckConstraint("change >= 0", name="change_nonneg"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(Money)  # what this method contributes to the total
    tendered: Mapped[int] = mapped_column(Money)  # what was handed over (cash), else == amount
    change: Mapped[int] = mapped_column(Money, default=0)
    reference: Mapped[str | None] = mapped_column(String(100))


class StockMovement(Base):
    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receive', 'sale', 'refund', 'void', 'adjust', 'return', 'writeoff')",
            name="kind",
        ),
        CheckConstraint("qty <> 0", name="qty_nonzero"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reference: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ParkedCart(Base):
    """A cart put aside (F8) to serve the next customer; survives a restart."""

    __tablename__ = "parked_cart"
    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    label: Mapped[str] = mapped_column(String(100), default="")
    parked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Money, default=0)
    data: Mapped[str] = mapped_column(Text)  # JSON of the cart


class AuditEvent(Base):
    """Hash-chained audit trail: each row's hash covers the previous row's hash."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")  # hex sha256
    hash: Mapped[str] = mapped_column(String(64))
