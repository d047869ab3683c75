"""The accountant's export of business days: sales.csv, sale_lines.csv, payments.csv, upts.csv.

One business day (`--date`) or an inclusive range of days (`--from`/`--to`), by the business
date of each document (Asia/Jakarta). Amounts are whole Rupiah; refunds are negative. Voided
sales are included with their status so the receipt numbers have no gaps; their amounts are as
rung up, and their lines and payments are listed too: join on receipt_number and leave out
status `voided` to sum the takings. sales, sale_lines and payments are in the same order
(business date, counter, receipt sequence); upts.csv is the list of UPTs (code, name, kind,
region) to look the codes up in.

A document's cash rounding (pembulatan) is its own column of sales.csv, `rounding`, credited to
no UPT: a document's `total` is the sum of its lines' `line_total` plus `rounding`, so the
per-UPT sums of sale_lines.csv and the rounding add up to the takings exactly.

The four files are written through `kasir.files.replace_files`: all of them or none, the
previous export intact on any failure; every text cell is escaped against CSV injection.
Rows are streamed from the database to the files, never all held in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from kasir.files import replace_files, write_csv_rows
from kasir.store.models import Counter, Payment, Sale, SaleLine, Upt, User
from kasir.timeutil import local

SALES_COLUMNS = (
    "receipt_number",
    "kind",
    "status",
    "counter",
    "business_date",
    "created_at",
    "shift_id",
    "cashier",
    "original_receipt",
    "subtotal",
    "line_discount_total",
    "order_discount",
    "discount_total",
    "tax_total",
    "rounding",
    "total",
    "order_discount_approved_by",
    "refund_reason",
    "refund_approved_by",
    "voided_at",
    "void_reason",
    "voided_by",
    "void_approved_by",
)
LINE_COLUMNS = (
    "receipt_number",
    "line_no",
    "sku",
    "barcode",
    "product_name",
    "upt_code",
    "upt_name",
    "category",
    "qty",
    "list_price",
    "unit_price",
    "price_approved_by",
    "cost",
    "line_discount",
    "discount_approved_by",
    "order_discount_share",
    "discount",
    "tax",
    "line_total",
    "original_receipt",
    "original_line_no",
    "unit",  # kg, l, m: qty in grams, ml, mm (qty_scale 1000); gross = qty * unit_price / scale
    "qty_scale",
)
PAYMENT_COLUMNS = (
    "receipt_number",
    "method",
    "tendered",
    "change",
    "amount",
    "reference",
    "reversal_reference",
)
UPT_COLUMNS = ("code", "name", "kind", "region")

FILE_NAMES = ("sales.csv", "sale_lines.csv", "payments.csv", "upts.csv")


@dataclass(frozen=True)
class ExportResult:
    sales: int
    lines: int
    payments: int
    upts: int
    files: tuple[Path, ...]


def _stamp(moment: dt.datetime | None) -> str:
    return "" if moment is None else local(moment).isoformat(timespec="seconds")


class _Names:
    """User ids to usernames, read once (a store has tens of users, not thousands)."""

    def __init__(self, session: Session) -> None:
        self._names = dict(session.execute(select(User.id, User.username)).all())

    def __call__(self, user_id: int | None) -> str:
        return "" if user_id is None else self._names.get(user_id, f"#{user_id}")


def _sale_rows(
    session: Session, first: dt.date, last: dt.date, user: _Names
) -> Iterator[Sequence[object]]:
    original = aliased(Sale)
    query = (
        select(Sale, Counter.code, original.receipt_number)
        .join(Counter, Counter.id == Sale.counter_id)
        .outerjoin(original, original.id == Sale.original_sale_id)
        .where(Sale.business_date.between(first, last))
        .order_by(Sale.business_date, Counter.code, Sale.seq)
        .execution_options(yield_per=1000)
    )
    for s, counter, orig in session.execute(query):
        refund = s.kind == "refund"
        yield (
            s.receipt_number,
            s.kind,
            s.status,
            counter,
            s.business_date.isoformat(),
            _stamp(s.created_at),
            s.shift_id,
            user(s.cashier_id),
            orig or "",
            s.subtotal,
            s.line_discount_total,
            s.order_discount,
            s.line_discount_total + s.order_discount,
            s.tax_total,
            s.rounding,
            s.total,
            user(s.order_discount_approved_by_id),
            (s.reason or "") if refund else "",
            user(s.refund_approved_by_id),
            _stamp(s.voided_at),
            s.void_reason or "",
            user(s.voided_by_id),
            user(s.void_approved_by_id),
        )


def _line_rows(
    session: Session, first: dt.date, last: dt.date, user: _Names
) -> Iterator[Sequence[object]]:
    original_line = aliased(SaleLine)
    original_sale = aliased(Sale)
    query = (
        select(
            SaleLine,
            Sale.receipt_number,
            Upt.name,
            original_sale.receipt_number,
            original_line.line_no,
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .join(Counter, Counter.id == Sale.counter_id)
        .join(Upt, Upt.id == SaleLine.upt_id)
        .outerjoin(original_line, original_line.id == SaleLine.original_line_id)
        .outerjoin(original_sale, original_sale.id == original_line.sale_id)
        .where(Sale.business_date.between(first, last))
        .order_by(Sale.business_date, Counter.code, Sale.seq, SaleLine.line_no)
        .execution_options(yield_per=1000)
    )
    for ln, number, upt_name, orig_receipt, orig_line_no in session.execute(query):
        yield (
            number,
            ln.line_no,
            ln.sku,
            ln.barcode or "",
            ln.name,
            ln.upt_code,
            upt_name,
            ln.category,
            ln.qty,
            ln.list_price,
            ln.unit_price,
            user(ln.price_approved_by_id),
            ln.cost,
            ln.line_discount,
            user(ln.discount_approved_by_id),
            ln.order_discount_share,
            ln.line_discount + ln.order_discount_share,
            ln.tax,
            ln.line_total,
            orig_receipt or "",
            "" if orig_line_no is None else orig_line_no,
            ln.unit,
            ln.qty_scale,
        )


def _payment_rows(session: Session, first: dt.date, last: dt.date) -> Iterator[Sequence[object]]:
    query = (
        select(Payment, Sale.receipt_number)
        .join(Sale, Sale.id == Payment.sale_id)
        .join(Counter, Counter.id == Sale.counter_id)
        .where(Sale.business_date.between(first, last))
        .order_by(Sale.business_date, Counter.code, Sale.seq, Payment.id)
        .execution_options(yield_per=1000)
    )
    for p, number in session.execute(query):
        yield (
            number,
            p.method,
            p.tendered,
            p.change,
            p.amount,
            p.reference or "",
            p.reversal_reference or "",
        )


def _upt_rows(session: Session) -> Iterator[Sequence[object]]:
    query = select(Upt.code, Upt.name, Upt.kind, Upt.region).order_by(Upt.code)
    for code, name, kind, region in session.execute(query):
        yield (code, name, kind, region or "")


def export_days(session: Session, first: dt.date, last: dt.date, out_dir: Path) -> ExportResult:
    """Write the export of business days `first`..`last` (inclusive) into `out_dir`."""
    user = _Names(session)
    files = tuple(out_dir / name for name in FILE_NAMES)
    with replace_files(*files) as (f_sales, f_lines, f_payments, f_upts):
        sales = write_csv_rows(f_sales, SALES_COLUMNS, _sale_rows(session, first, last, user))
        lines = write_csv_rows(f_lines, LINE_COLUMNS, _line_rows(session, first, last, user))
        payments = write_csv_rows(f_payments, PAYMENT_COLUMNS, _payment_rows(session, first, last))
        upts = write_csv_rows(f_upts, UPT_COLUMNS, _upt_rows(session))
    return ExportResult(sales, lines, payments, upts, files)


def export_day(session: Session, day: dt.date, out_dir: Path) -> ExportResult:
    """The export of one business day."""
    return export_days(session, day, day, out_dir)
