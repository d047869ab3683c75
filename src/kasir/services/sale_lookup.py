"""The read side of sales: a sale or refund document as the GUI, printer and CLI see it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from kasir.domain.measure import format_quantity, item_count, line_gross
from kasir.errors import NotFound, ValidationError
from kasir.store.models import Counter, Payment, Sale, SaleLine, User, table_of


@dataclass(frozen=True)
class SaleLineView:
    line_no: int
    product_id: int
    sku: str
    barcode: str | None
    name: str
    upt_code: str
    category: str
    qty: int
    unit_price: int
    list_price: int
    line_discount: int
    order_discount_share: int
    line_total: int
    original_line_id: int | None
    unit: str = "pcs"
    qty_scale: int = 1  # base units per unit (1000: a kg line's qty is grams)

    @property
    def qty_text(self) -> str:
        """``3``, or ``1,3 kg`` on a weighed line."""
        return format_quantity(self.qty, self.unit, self.qty_scale)

    @property
    def gross(self) -> int:
        """qty x unit price, rounded half-up once (kasir.domain.measure)."""
        return line_gross(self.qty, self.unit_price, self.qty_scale)

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> SaleLineView:
        """From a sale_line row (as a mapping of column name to value)."""
        return cls(**{name: row[name] for name in _LINE_FIELDS})


_LINE_FIELDS = tuple(f.name for f in fields(SaleLineView))


@dataclass(frozen=True)
class PaymentView:
    method: str
    amount: int
    tendered: int
    change: int
    reference: str | None

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> PaymentView:
        """From a payment row (as a mapping of column name to value)."""
        return cls(row["method"], row["amount"], row["tendered"], row["change"], row["reference"])


@dataclass(frozen=True)
class SaleView:
    id: int
    uuid: str
    receipt_number: str
    kind: str  # sale | refund
    status: str  # completed | voided
    counter_code: str
    cashier_name: str
    business_date: dt.date
    created_at: dt.datetime
    original_receipt: str | None
    subtotal: int
    line_discount_total: int
    order_discount: int
    tax_total: int
    total: int
    lines: tuple[SaleLineView, ...]
    payments: tuple[PaymentView, ...]
    reason: str | None
    void_reason: str | None
    rounding: int = 0  # cash rounding (pembulatan), in total, credited to no UPT
    order_discount_bp: int | None = None  # the order discount as a percentage, if it was one

    @property
    def order_discount_percent(self) -> Decimal | None:
        """15 for a 15% order discount (the receipt's "Diskon transaksi 15%")."""
        if self.order_discount_bp is None:
            return None
        return Decimal(self.order_discount_bp) / 100

    @property
    def change(self) -> int:
        return sum(p.change for p in self.payments)

    @property
    def item_count(self) -> int:
        return sum(item_count(line.qty, line.unit) for line in self.lines)


def normalise_receipt_number(text: str) -> str:
    number = text.strip().upper()
    if not number or len(number) > 32:
        raise ValidationError("Nomor struk tidak valid.")
    return number


def build_sale_view(
    sale: Mapping[Any, Any],
    *,
    counter_code: str,
    cashier_name: str,
    original_receipt: str | None,
    lines: Iterable[Mapping[Any, Any]],
    payments: Iterable[Mapping[Any, Any]],
) -> SaleView:
    """The one way a SaleView is made: from a sale row and its line and payment rows (as
    mappings of column name to value), whether just written (checkout) or read back."""
    return SaleView(
        id=sale["id"],
        uuid=sale["uuid"],
        receipt_number=sale["receipt_number"],
        kind=sale["kind"],
        status=sale["status"],
        counter_code=counter_code,
        cashier_name=cashier_name,
        business_date=sale["business_date"],
        created_at=sale["created_at"],
        original_receipt=original_receipt,
        subtotal=sale["subtotal"],
        line_discount_total=sale["line_discount_total"],
        order_discount=sale["order_discount"],
        tax_total=sale["tax_total"],
        total=sale["total"],
        lines=tuple(SaleLineView.of(line) for line in lines),
        payments=tuple(PaymentView.of(p) for p in payments),
        reason=sale["reason"],
        void_reason=sale["void_reason"],
        rounding=sale["rounding"],
        order_discount_bp=sale.get("order_discount_bp"),
    )


_SALE, _LINE, _PAYMENT = table_of(Sale), table_of(SaleLine), table_of(Payment)


def sale_view(session: Session, sale_id: int) -> SaleView:
    original = aliased(Sale)
    row = (
        session.execute(
            select(
                _SALE,
                Counter.code.label("_counter_code"),
                User.full_name.label("_cashier_name"),
                original.receipt_number.label("_original_receipt"),
            )
            .join(Counter, Counter.id == _SALE.c.counter_id)
            .join(User, User.id == _SALE.c.cashier_id)
            .outerjoin(original, original.id == _SALE.c.original_sale_id)
            .where(_SALE.c.id == sale_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"Transaksi #{sale_id} tidak ada.")
    lines = session.execute(
        select(_LINE).where(_LINE.c.sale_id == sale_id).order_by(_LINE.c.line_no)
    ).mappings()
    payments = session.execute(
        select(_PAYMENT).where(_PAYMENT.c.sale_id == sale_id).order_by(_PAYMENT.c.id)
    ).mappings()
    return build_sale_view(
        row,
        counter_code=row["_counter_code"],
        cashier_name=row["_cashier_name"],
        original_receipt=row["_original_receipt"],
        lines=lines,
        payments=payments,
    )


def get_sale(session: Session, receipt_number: str) -> SaleView:
    number = normalise_receipt_number(receipt_number)
    sale_id = session.scalar(select(Sale.id).where(Sale.receipt_number == number))
    if sale_id is None:
        raise NotFound(f"Struk {number} tidak ditemukan.")
    return sale_view(session, sale_id)


@dataclass(frozen=True)
class DaySummary:
    sales: int
    total: int


def counter_day_summary(session: Session, counter_id: int, day: dt.date) -> DaySummary:
    """Completed sales (not refunds) of a counter on a day: count and net total incl. refunds."""
    count = session.scalar(
        select(func.count()).where(
            Sale.counter_id == counter_id,
            Sale.business_date == day,
            Sale.kind == "sale",
            Sale.status == "completed",
        )
    )
    total = session.scalar(
        select(func.coalesce(func.sum(Sale.total), 0)).where(
            Sale.counter_id == counter_id, Sale.business_date == day, Sale.status == "completed"
        )
    )
    return DaySummary(sales=int(count or 0), total=int(total or 0))


def refund_lines_of(sale_id: int, *columns: Any) -> Select[Any]:
    """`columns` of the lines of a sale's completed refunds, grouped per original line id."""
    return (
        select(SaleLine.original_line_id, *columns)
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(
            Sale.original_sale_id == sale_id,
            Sale.kind == "refund",
            Sale.status == "completed",
            SaleLine.original_line_id.is_not(None),
        )
        .group_by(SaleLine.original_line_id)
    )


def refunded_qty_by_line(session: Session, sale_id: int) -> dict[int, int]:
    """Quantity already refunded per original line id (positive), voided refunds excluded."""
    rows = session.execute(refund_lines_of(sale_id, func.sum(-SaleLine.qty)))
    return {int(line_id): int(qty) for line_id, qty in rows if line_id is not None}


def refundable_qty(session: Session, receipt_number: str) -> dict[int, int]:
    """What can still be refunded of a sale: line number -> quantity sold minus refunded."""
    sale = get_sale(session, receipt_number)
    if sale.kind != "sale":
        return {}
    ids = dict(
        session.execute(
            select(SaleLine.line_no, SaleLine.id).where(SaleLine.sale_id == sale.id)
        ).all()
    )
    done = refunded_qty_by_line(session, sale.id)
    return {line.line_no: line.qty - done.get(ids[line.line_no], 0) for line in sale.lines}


# --- today's receipts at a counter (F10) -------------------------------------------------------

MAX_SEQ_DIGITS = 6  # "7", "0007": a sequence number of the day; longer digits are not one


def is_sequence_number(text: str) -> bool:
    """A bare number such as ``7`` or ``0007``: the receipt of that sequence number of this
    counter and day (a full number such as ``K01-20261122-0007`` is not one)."""
    text = text.strip()
    return text.isascii() and text.isdigit() and 0 < len(text) <= MAX_SEQ_DIGITS


def find_sale(
    session: Session, text: str, *, counter_id: int | None = None, day: dt.date | None = None
) -> SaleView:
    """The document a cashier typed: a full receipt number, or (with `counter_id` and `day`)
    a bare sequence number of that counter and day, read by the (counter, day, seq) key."""
    if counter_id is not None and day is not None and is_sequence_number(text):
        seq = int(text)
        sale_id = session.scalar(
            select(Sale.id).where(
                Sale.counter_id == counter_id, Sale.business_date == day, Sale.seq == seq
            )
        )
        if sale_id is None:
            code = session.scalar(select(Counter.code).where(Counter.id == counter_id)) or "?"
            raise NotFound(
                f"Struk nomor {seq} meja {code} tanggal {day:%d-%m-%Y} tidak ada. Ketik nomor "
                "struk lengkap, mis. K01-20261122-0007, atau Enter tanpa nomor untuk daftar "
                "struk hari ini."
            )
        return sale_view(session, sale_id)
    return get_sale(session, text)


@dataclass(frozen=True)
class ReceiptRow:
    """One line of the list of a counter's receipts of a day."""

    id: int
    receipt_number: str
    seq: int
    kind: str  # sale | refund
    status: str  # completed | voided
    created_at: dt.datetime
    total: int
    methods: tuple[str, ...]  # payment methods, in order, each once
    refunded: bool  # a sale with a completed refund

    @property
    def state(self) -> str:
        """lunas / void / refund, as the list shows it."""
        if self.status == "voided":
            return "void"
        if self.kind == "refund":
            return "refund"
        return "lunas, ada retur" if self.refunded else "lunas"


RECEIPT_LIST_LIMIT = 500


_ReceiptColumns = Select[int, str, int, str, str, dt.datetime, int]


def receipts_query(counter_id: int, day: dt.date, text: str, limit: int) -> _ReceiptColumns:
    """The statement of `list_receipts`' rows (its plan is checked by the tests)."""
    query = select(
        Sale.id,
        Sale.receipt_number,
        Sale.seq,
        Sale.kind,
        Sale.status,
        Sale.created_at,
        Sale.total,
    ).where(Sale.business_date == day, Sale.counter_id == counter_id)
    typed = text.strip()
    if typed:
        digits = typed.lower().removeprefix("rp").strip().replace(".", "").replace(" ", "")
        if digits.isascii() and digits.isdigit():
            amount = func.abs(Sale.total)
            conditions: list[ColumnElement[bool]] = [cast(amount, String).like(f"{int(digits)}%")]
            if len(digits) <= MAX_SEQ_DIGITS:
                conditions.append(Sale.seq == int(digits))
            query = query.where(or_(*conditions))
        else:
            pattern = typed.upper().replace("\\", "").replace("%", "").replace("_", "")
            query = query.where(Sale.receipt_number.like(f"%{pattern}%"))
    return query.order_by(Sale.seq.desc()).limit(limit)


def list_receipts(
    session: Session,
    counter_id: int,
    day: dt.date,
    text: str = "",
    *,
    limit: int = RECEIPT_LIST_LIMIT,
) -> list[ReceiptRow]:
    """A counter's receipts of a day, newest first, filtered by what the cashier typed:
    digits match the sequence number or the start of the amount (``36`` finds Rp 36.337;
    ``36.337`` and ``Rp 36.337`` too), other text a part of the receipt number.

    Read by the (business_date, counter_id) index, so it stays fast on years of history;
    the payments and refunds of the rows found come by their own indexes."""
    rows = session.execute(receipts_query(counter_id, day, text, limit)).all()
    ids = [row.id for row in rows]
    methods: dict[int, list[str]] = {}
    refunded: set[int] = set()
    if ids:
        for sale_id, method in session.execute(
            select(Payment.sale_id, Payment.method)
            .where(Payment.sale_id.in_(ids))
            .order_by(Payment.sale_id, Payment.id)
        ):
            seen = methods.setdefault(sale_id, [])
            if method not in seen:
                seen.append(method)
        refunded = set(
            session.scalars(
                select(Sale.original_sale_id).where(
                    Sale.original_sale_id.in_(ids),
                    Sale.kind == "refund",
                    Sale.status == "completed",
                )
            )
        )
    return [
        ReceiptRow(
            id=row.id,
            receipt_number=row.receipt_number,
            seq=row.seq,
            kind=row.kind,
            status=row.status,
            created_at=row.created_at,
            total=row.total,
            methods=tuple(methods.get(row.id, ())),
            refunded=row.id in refunded,
        )
        for row in rows
    ]
