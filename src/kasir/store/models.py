"""SQLAlchemy models for the whole domain (DESIGN.md section 7).

Money columns are BigInteger whole Rupiah. Rates are Numeric. Timestamps are `UtcDateTime`
(aware UTC in and out, on both backends); business dates are `date` in Asia/Jakarta. The
database itself enforces what must never break: non-negative prices, unique barcodes and
receipt numbers, foreign keys, and the CHECKs below (the closed vocabularies are generated from
`kasir.domain.vocab`).

Conventions (README "Schema"): every constraint and index is named after its table and all of
its columns; every column with a Python default has the same server default (the bulk insert
builds statements from the row's keys); every foreign key has an index, partial
(`WHERE col IS NOT NULL`) when the column is mostly empty; rows that an offline counter would
one day sync (sale, sale line, payment, stock movement, shift, parked cart) carry a UUID.
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
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kasir.domain.rounding import MAX_UNIT
from kasir.domain.vocab import (
    CashMovementKind,
    DocumentKind,
    MovementKind,
    PaymentMethod,
    PrintKind,
    PrintStatus,
    Role,
    SaleStatus,
    ShiftStatus,
    UptKind,
    in_check,
)
from kasir.store.types import UtcDateTime, new_uuid, uuid7_text

# Every column of a constraint or index is in its name, so two can never collide.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = BigInteger
ZERO = text("0")
EMPTY = text("''")  # a plain "" is not compared right by Alembic
NOW = func.current_timestamp()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sparse_index(table: str, column: str) -> Index:
    """An index on a mostly-NULL (foreign key) column, holding only the rows that have one."""
    where = text(f"{column} IS NOT NULL")
    return Index(f"ix_{table}_{column}", column, sqlite_where=where, postgresql_where=where)


def uuid_column() -> Mapped[str]:
    """A row's UUID: made in Python (time-ordered, version 7), or by the server for a row
    inserted without one (random, version 4)."""
    return mapped_column(String(36), unique=True, default=uuid7_text, server_default=new_uuid())


def timestamp_column(*, onupdate: bool = False) -> Mapped[dt.datetime]:
    """A timestamp set at insert (and at every update with `onupdate`)."""
    return mapped_column(
        UtcDateTime, default=utcnow, server_default=NOW, onupdate=utcnow if onupdate else None
    )


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
        CheckConstraint(in_check("kind", UptKind), name="kind"),
        CheckConstraint(
            "alloc_pnbp_pct IS NULL OR "
            "alloc_pnbp_pct + alloc_premi_pct + alloc_pembinaan_pct = 100",
            name="alloc_sum",
        ),
        # A UPT has its own allocation scheme whole, or none (the store-wide default).
        CheckConstraint(
            "(alloc_pnbp_pct IS NULL AND alloc_premi_pct IS NULL "
            "AND alloc_pembinaan_pct IS NULL AND alloc_base IS NULL) OR "
            "(alloc_pnbp_pct IS NOT NULL AND alloc_premi_pct IS NOT NULL "
            "AND alloc_pembinaan_pct IS NOT NULL AND alloc_base IS NOT NULL)",
            name="alloc_all_or_none",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(100), default="", server_default=EMPTY)
    # Allocation scheme of this UPT; NULL means the store-wide default setting.
    alloc_pnbp_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    alloc_premi_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    alloc_pembinaan_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    alloc_base: Mapped[str | None] = mapped_column(String(16))  # 'net' | 'margin'
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


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
    # kg, g, l, m: sold by measure (kasir.domain.measure), price per unit, quantities and
    # stock in grams, millilitres or millimetres; any other unit: sold by count.
    unit: Mapped[str] = mapped_column(String(16), default="pcs", server_default="pcs")
    price: Mapped[int] = mapped_column(Money)
    cost: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    upt_id: Mapped[int] = mapped_column(ForeignKey("upt.id"), index=True)
    # The item code a shop scale prints on its labels (kasir.domain.scale_label).
    # A unique index, not a constraint: migration 0005 adds it without rebuilding the table
    # on SQLite (a rebuild drops the search triggers and rewrites every product).
    plu: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    # On-hand quantity (base units of a measured product); changes only together with a
    # StockMovement row.
    stock_qty: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    pirt_number: Mapped[str | None] = mapped_column(String(32))
    halal_number: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set at insert and by every UPDATE through SQLAlchemy (the ORM or Core `update()`). The
    # stock sums in `kasir.store.bulk.add_to_column` leave it: stock changes are stock_movement
    # rows, each with its own UUID and time.
    updated_at: Mapped[dt.datetime] = timestamp_column(onupdate=True)

    category: Mapped[Category] = relationship()
    upt: Mapped[Upt] = relationship()


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(in_check("role", Role), name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Wrong PINs in a row (login or approval), and until when the user is locked out.
    failed_pins: Mapped[int] = mapped_column(Integer, server_default=ZERO)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Counter(Base):
    """A till (meja kasir); receipt numbers are per counter and business day."""

    __tablename__ = "counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Delivery(Base):
    """Goods received from a UPT against its delivery note (surat jalan)."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("upt_id", "note_number"),)  # also the upt_id index
    id: Mapped[int] = mapped_column(primary_key=True)
    upt_id: Mapped[int] = mapped_column(ForeignKey("upt.id"))
    note_number: Mapped[str] = mapped_column(String(64))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    received_at: Mapped[dt.datetime] = timestamp_column()
    note: Mapped[str] = mapped_column(Text, default="", server_default=EMPTY)


class Shift(Base):
    __tablename__ = "shift"
    __table_args__ = (
        CheckConstraint("opening_float >= 0", name="float_nonneg"),
        CheckConstraint(in_check("status", ShiftStatus), name="status"),
        # A closed shift has its close time and both cash figures; an open one none of them.
        CheckConstraint(
            "(status = 'open' AND closed_at IS NULL AND expected_cash IS NULL "
            "AND counted_cash IS NULL) OR "
            "(status = 'closed' AND closed_at IS NOT NULL AND expected_cash IS NOT NULL "
            "AND counted_cash IS NOT NULL)",
            name="closed_complete",
        ),
        sparse_index("shift", "close_approved_by_id"),
        # At most one open shift per counter.
        Index(
            "ix_shift_counter_id_open",
            "counter_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    business_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open", server_default="open")
    opened_at: Mapped[dt.datetime] = timestamp_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    opening_float: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    expected_cash: Mapped[int | None] = mapped_column(Money)
    counted_cash: Mapped[int | None] = mapped_column(Money)
    # Count by denomination, JSON {"100000": 3, ...}; filled at shift close.
    counted_detail: Mapped[str | None] = mapped_column(Text)
    # Why the count differs from the expected cash (issue 19: asked when it is not zero).
    difference_reason: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The supervisor who approved closing another cashier's shift (a handover); NULL when the
    # cashier closed their own shift.
    close_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Opened by `kasir simulate` (demo, load tests): its sales are not real ones.
    simulated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class DayClose(Base):
    """A business date closed by a manager (issue 19): the date is locked, the settlement has its
    number, and its figures (per UPT with the allocation scheme in force, per method, per
    shift...) are frozen in `figures` (JSON of `kasir.domain.settlement`), so a later change of a
    UPT's scheme or a product never changes a closed day. The deposit data come later."""

    __tablename__ = "day_close"
    __table_args__ = (
        CheckConstraint("pnbp_due >= 0", name="pnbp_due"),
        sparse_index("day_close", "deposited_by_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[dt.date] = mapped_column(Date, unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    closed_at: Mapped[dt.datetime] = timestamp_column()
    figures: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    pnbp_due: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    kode_billing: Mapped[str | None] = mapped_column(String(15))
    ntpn: Mapped[str | None] = mapped_column(String(16))
    deposit_date: Mapped[dt.date | None] = mapped_column(Date)
    deposit_amount: Mapped[int | None] = mapped_column(Money)
    deposited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    deposited_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class CashMovement(Base):
    """Kas masuk / kas keluar during a shift (issue 19): change brought in, petty cash paid out,
    a safe drop; with its reason and approver. Counted in the shift's expected cash (in: +,
    out and drop: -)."""

    __tablename__ = "cash_movement"
    __table_args__ = (
        CheckConstraint(in_check("kind", CashMovementKind), name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
        sparse_index("cash_movement", "approved_by_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[dt.datetime] = timestamp_column()


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
        # The target of payment's (sale_id, document_kind) foreign key.
        UniqueConstraint("id", "kind"),
        CheckConstraint(in_check("kind", DocumentKind), name="kind"),
        CheckConstraint(in_check("status", SaleStatus), name="status"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint(
            "(kind = 'sale' AND total >= 0) OR (kind = 'refund' AND total <= 0)", name="total_sign"
        ),
        # A refund refers to the sale it returns; a sale refers to none.
        CheckConstraint(
            "(kind = 'sale' AND original_sale_id IS NULL) OR "
            "(kind = 'refund' AND original_sale_id IS NOT NULL)",
            name="original_by_kind",
        ),
        # A voided document has its void time; a completed one has none.
        CheckConstraint(
            "(status = 'completed' AND voided_at IS NULL) OR "
            "(status = 'voided' AND voided_at IS NOT NULL)",
            name="void_time",
        ),
        # The order-discount approver belongs to a sale, the refund approver to a refund.
        CheckConstraint(
            "(kind = 'sale' AND refund_approved_by_id IS NULL) OR "
            "(kind = 'refund' AND order_discount_approved_by_id IS NULL)",
            name="approver_by_kind",
        ),
        Index("ix_sale_business_date_counter_id", "business_date", "counter_id"),
        sparse_index("sale", "original_sale_id"),
        sparse_index("sale", "order_discount_approved_by_id"),
        sparse_index("sale", "refund_approved_by_id"),
        sparse_index("sale", "voided_by_id"),
        sparse_index("sale", "void_approved_by_id"),
        # Cash rounding is less than one unit either way (kasir.domain.rounding).
        CheckConstraint(f"rounding > -{MAX_UNIT} AND rounding < {MAX_UNIT}", name="rounding"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(8), default="sale", server_default="sale")
    status: Mapped[str] = mapped_column(String(12), default="completed", server_default="completed")
    # The (counter_id, business_date, seq) unique constraint is also counter_id's index.
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    business_date: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = timestamp_column()
    original_sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"))
    subtotal: Mapped[int] = mapped_column(Money)  # sum of qty * unit_price
    line_discount_total: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    order_discount: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    # The order discount as the cashier gave it, when a percentage: in basis points (1500 =
    # 15%), for the receipt's "Diskon transaksi 15%"; NULL for an amount (and older sales).
    order_discount_bp: Mapped[int | None] = mapped_column(Integer)
    tax_total: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)  # in total
    total: Mapped[int] = mapped_column(Money)
    # Cash rounding (pembulatan), its own line credited to no UPT: total = sum of the lines'
    # line_total + rounding. 0 unless the cash part was rounded (a refund's in its own sign).
    rounding: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    reason: Mapped[str | None] = mapped_column(Text)  # refund reason
    # Who approved the order discount (a sale above the discount limit) ...
    order_discount_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # ... and who approved the refund (a refund document).
    refund_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    void_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.line_no", viewonly=True)
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id", viewonly=True)


class SaleLine(Base):
    """A snapshot of what was sold: name, price, UPT and category as they were at the time."""

    __tablename__ = "sale_line"
    __table_args__ = (
        UniqueConstraint("sale_id", "line_no"),  # also the sale_id index
        CheckConstraint("qty <> 0", name="qty_nonzero"),
        CheckConstraint("unit_price >= 0", name="price_nonneg"),
        sparse_index("sale_line", "original_line_id"),
        sparse_index("sale_line", "discount_approved_by_id"),
        sparse_index("sale_line", "price_approved_by_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
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
    # The unit as sold, and base units per unit: a kg line holds grams (qty_scale 1000) and
    # its gross is qty * unit_price / qty_scale rounded half-up (kasir.domain.measure).
    unit: Mapped[str] = mapped_column(String(16), default="pcs", server_default="pcs")
    qty_scale: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    line_discount: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    order_discount_share: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    tax: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    line_total: Mapped[int] = mapped_column(Money)
    original_line_id: Mapped[int | None] = mapped_column(ForeignKey("sale_line.id"))
    # Who approved this line's discount (above the limit) and its price override.
    discount_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    price_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Payment(Base):
    """What one method paid of a document: >= 0 on a sale, <= 0 on a refund (money back).

    `document_kind` repeats the document's kind (kept equal by the composite foreign key) so
    that the sign can be a CHECK."""

    __tablename__ = "payment"
    __table_args__ = (
        ForeignKeyConstraint(
            ["sale_id", "document_kind"], ["sale.id", "sale.kind"], ondelete="CASCADE"
        ),
        CheckConstraint(in_check("method", PaymentMethod), name="method"),
        CheckConstraint(in_check("document_kind", DocumentKind), name="document_kind"),
        CheckConstraint("change >= 0", name="change_nonneg"),
        CheckConstraint(
            "(document_kind = 'sale' AND amount >= 0 AND tendered >= amount) OR "
            "(document_kind = 'refund' AND amount <= 0 AND tendered = amount AND change = 0)",
            name="sign_by_kind",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    sale_id: Mapped[int] = mapped_column(index=True)
    document_kind: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(Money)  # what this method contributes to the total
    tendered: Mapped[int] = mapped_column(Money)  # what was handed over (cash), else == amount
    change: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    reference: Mapped[str | None] = mapped_column(String(100))
    # The QRIS/card reversal's reference, recorded when the sale is voided.
    reversal_reference: Mapped[str | None] = mapped_column(String(100))


class StockMovement(Base):
    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint(in_check("kind", MovementKind), name="kind"),
        CheckConstraint("qty <> 0", name="qty_nonzero"),
        sparse_index("stock_movement", "delivery_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100), default="", server_default=EMPTY)
    created_at: Mapped[dt.datetime] = timestamp_column()


class ParkedCart(Base):
    """A cart put aside (F8) to serve the next customer; survives a restart."""

    __tablename__ = "parked_cart"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="", server_default=EMPTY)
    parked_at: Mapped[dt.datetime] = timestamp_column()
    item_count: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    total: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    data: Mapped[str] = mapped_column(Text)  # JSON of the cart


class AuditEvent(Base):
    """A sensitive event (login, lockout, approval, refusal, settings or user change, drawer,
    reprint...), journaled like a document (`kasir.services.journal.record_event`): `hash` is
    its digest, `prev_hash` unused (the journal chains it). An approval is one of these: who
    (`user_id`), for what (`entity`, `entity_id`: the sale's UUID) and how much (`payload`)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity_entity_id", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = timestamp_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64), default="", server_default=EMPTY)
    entity_id: Mapped[str] = mapped_column(String(64), default="", server_default=EMPTY)
    payload: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default=EMPTY)  # sha256
    hash: Mapped[str] = mapped_column(String(64))


class TillLease(Base):
    """Which running instance holds a counter's till: one per counter, on any machine.

    The holder renews `heartbeat_at` while it runs; a lease whose heartbeat is older than the
    stale limit (a crashed instance) may be taken over (`kasir.services.till`)."""

    __tablename__ = "till_lease"
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(36))  # the instance's UUID
    host: Mapped[str] = mapped_column(String(255), default="", server_default=EMPTY)
    pid: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    acquired_at: Mapped[dt.datetime] = timestamp_column()
    heartbeat_at: Mapped[dt.datetime] = timestamp_column()


class CartDraft(Base):
    """The cart being served at a counter and the payments taken for it so far, saved at
    every change (`kasir.services.drafts`): after a crash or a power cut the counter comes
    back to it. `sale_uuid` is made when the cart starts and becomes the sale's UUID, so a
    checkout repeated after a lost answer finds the stored sale instead of making another."""

    __tablename__ = "cart_draft"
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)
    sale_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"), index=True)
    updated_at: Mapped[dt.datetime] = timestamp_column(onupdate=True)
    data: Mapped[str] = mapped_column(Text)  # JSON: {"cart": ..., "payments": [...]}


class CancelledSale(Base):
    """A cart given up at the till (Esc, confirmed): who, when, where, what was in it and the
    payments taken for it (those are `removed_payment` rows pointing here). `uuid` is the
    cart's own UUID, the one its sale would have had."""

    __tablename__ = "cancelled_sale"
    __table_args__ = (
        Index("ix_cancelled_sale_business_date_counter_id", "business_date", "counter_id"),
        sparse_index("cancelled_sale", "shift_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    cashier_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    business_date: Mapped[dt.date] = mapped_column(Date)
    cancelled_at: Mapped[dt.datetime] = timestamp_column()
    item_count: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    subtotal: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    discount_total: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    total: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)  # as priced
    paid: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)  # taken, dropped

    lines: Mapped[list[CancelledSaleLine]] = relationship(
        order_by="CancelledSaleLine.line_no", viewonly=True
    )


class CancelledSaleLine(Base):
    """A line of a cancelled cart, as it was priced when the cart was given up."""

    __tablename__ = "cancelled_sale_line"
    __table_args__ = (UniqueConstraint("cancelled_sale_id", "line_no"),)  # also its index
    id: Mapped[int] = mapped_column(primary_key=True)
    cancelled_sale_id: Mapped[int] = mapped_column(
        ForeignKey("cancelled_sale.id", ondelete="CASCADE")
    )
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    upt_code: Mapped[str] = mapped_column(String(32))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Money)
    discount: Mapped[int] = mapped_column(Money, default=0, server_default=ZERO)
    line_total: Mapped[int] = mapped_column(Money)


class RemovedPayment(Base):
    """A payment taken for a cart and then removed before the sale was stored: one removed in
    the payment dialog (a non-cash one with its reason: the money has to go back by its own
    method), or dropped with its cart (`cancelled_sale_id`)."""

    __tablename__ = "removed_payment"
    __table_args__ = (
        CheckConstraint(in_check("method", PaymentMethod), name="method"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("method = 'tunai' OR reason IS NOT NULL", name="reason"),
        sparse_index("removed_payment", "shift_id"),
        sparse_index("removed_payment", "cancelled_sale_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    sale_uuid: Mapped[str] = mapped_column(String(36), index=True)  # the cart's UUID
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    removed_at: Mapped[dt.datetime] = timestamp_column()
    method: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(Money)  # as taken (cash: as handed over)
    reference: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    cancelled_sale_id: Mapped[int | None] = mapped_column(
        ForeignKey("cancelled_sale.id", ondelete="CASCADE")
    )


class PrintJob(Base):
    """One thing to print on a counter's printer, in the order queued (issue 17): the exact
    ESC/POS bytes, rendered when queued, so what prints is what was asked for even after a
    restart or a change of settings. Kept after it is sent: a receipt's reprints are its
    `reprint` jobs (who asked, when), and the queue is the printer's log."""

    __tablename__ = "print_job"
    __table_args__ = (
        CheckConstraint(in_check("kind", PrintKind), name="kind"),
        CheckConstraint(in_check("status", PrintStatus), name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint("copy_no >= 0", name="copy_no"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_at"),
        Index("ix_print_job_counter_id_status_id", "counter_id", "status", "id"),
        sparse_index("print_job", "sale_id"),
        sparse_index("print_job", "requested_by_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    kind: Mapped[str] = mapped_column(String(12))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"))
    copy_no: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    status: Mapped[str] = mapped_column(
        String(12), default=PrintStatus.QUEUED.value, server_default=text("'queued'")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=ZERO)
    last_error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = timestamp_column()
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    title: Mapped[str] = mapped_column(String(200), default="", server_default=EMPTY)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class DrawerOpening(Base):
    """Every opening of a counter's cash drawer (issue 17): with a cash payment, or by a
    supervisor's key (with the reason and the approver)."""

    __tablename__ = "drawer_opening"
    __table_args__ = (
        sparse_index("drawer_opening", "sale_id"),
        sparse_index("drawer_opening", "approved_by_id"),
        sparse_index("drawer_opening", "print_job_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    opened_at: Mapped[dt.datetime] = timestamp_column()
    reason: Mapped[str] = mapped_column(Text)
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    print_job_id: Mapped[int | None] = mapped_column(ForeignKey("print_job.id"))


class JournalEntry(Base):
    """One entry of a counter's hash-chained journal (kasir.services.journal)."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        CheckConstraint("seq > 0", name="seq"),
        Index("ix_journal_entry_kind_doc_id", "kind", "doc_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    doc_id: Mapped[int | None] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(String(64), default="", server_default=EMPTY)
    digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
