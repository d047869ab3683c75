"""The accountant's export of one business day: sales.csv, sale_lines.csv, payments.csv.

Amounts are whole Rupiah; refunds are negative. Voided sales are included with their status so
the receipt numbers have no gaps; their amounts are as rung up, and their lines and payments are
listed too: join on receipt_number and leave out status `voided` to sum the takings. All three
files are in the same order (counter, receipt sequence).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from kasir.store.models import Counter, Payment, Sale, SaleLine, User
from kasir.timeutil import local

SALES_COLUMNS = (
    "receipt_number",
    "kind",
    "status",
    "counter",
    "business_date",
    "created_at",
    "cashier",
    "original_receipt",
    "discount_total",
    "total",
)
LINE_COLUMNS = (
    "receipt_number",
    "line_no",
    "sku",
    "barcode",
    "product_name",
    "upt_code",
    "category",
    "qty",
    "unit_price",
    "discount",
    "line_total",
)
PAYMENT_COLUMNS = ("receipt_number", "method", "amount", "change", "reference")


@dataclass(frozen=True)
class ExportResult:
    sales: int
    lines: int
    payments: int
    files: tuple[Path, ...]


def _write(path: Path, header: tuple[str, ...], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def export_day(session: Session, day: dt.date, out_dir: Path) -> ExportResult:
    original = aliased(Sale)
    sales = session.execute(
        select(Sale, Counter.code, User.username, original.receipt_number)
        .join(Counter, Counter.id == Sale.counter_id)
        .join(User, User.id == Sale.cashier_id)
        .outerjoin(original, original.id == Sale.original_sale_id)
        .where(Sale.business_date == day)
        .order_by(Counter.code, Sale.seq)
    ).all()
    sale_rows = [
        [
            s.receipt_number,
            s.kind,
            s.status,
            counter,
            s.business_date.isoformat(),
            local(s.created_at).isoformat(timespec="seconds"),
            cashier,
            orig or "",
            s.line_discount_total + s.order_discount,
            s.total,
        ]
        for s, counter, cashier, orig in sales
    ]
    line_rows = [
        [
            number,
            ln.line_no,
            ln.sku,
            ln.barcode or "",
            ln.name,
            ln.upt_code,
            ln.category,
            ln.qty,
            ln.unit_price,
            ln.line_discount + ln.order_discount_share,
            ln.line_total,
        ]
        for ln, number in session.execute(
            select(SaleLine, Sale.receipt_number)
            .join(Sale, Sale.id == SaleLine.sale_id)
            .join(Counter, Counter.id == Sale.counter_id)
            .where(Sale.business_date == day)
            .order_by(Counter.code, Sale.seq, SaleLine.line_no)
        )
    ]
    payment_rows = [
        [number, p.method, p.amount, p.change, p.reference or ""]
        for p, number in session.execute(
            select(Payment, Sale.receipt_number)
            .join(Sale, Sale.id == Payment.sale_id)
            .join(Counter, Counter.id == Sale.counter_id)
            .where(Sale.business_date == day)
            .order_by(Counter.code, Sale.seq, Payment.id)
        )
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (out_dir / "sales.csv", out_dir / "sale_lines.csv", out_dir / "payments.csv")
    _write(files[0], SALES_COLUMNS, sale_rows)
    _write(files[1], LINE_COLUMNS, line_rows)
    _write(files[2], PAYMENT_COLUMNS, payment_rows)
    return ExportResult(len(sale_rows), len(line_rows), len(payment_rows), files)
