"""`kasir db check`: the invariants the store must keep, checked on the data itself.

- receipt numbers of each counter and day run 1..N without gaps, and the sequence row says N;
- every product's on-hand stock equals the sum of its stock movements;
- every sale's lines plus its cash rounding add up to its total, and its payments (less change)
  pay exactly that;
- a refund returns lines of its own original sale, and no line is refunded beyond what was sold;
- the journal from scratch (`kasir audit verify --full`): first, since it names what was
  changed by hand.

What the schema itself enforces (CHECKs, foreign keys, unique UUIDs) is not checked again here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from kasir.domain.vocab import DocumentKind, SaleStatus
from kasir.store.models import (
    Counter,
    Payment,
    Product,
    ReceiptSequence,
    Sale,
    SaleLine,
    StockMovement,
)


@dataclass(frozen=True)
class CheckResult:
    sales: int
    products: int
    problems: tuple[str, ...]


def _sequences(session: Session) -> list[str]:
    problems = []
    rows = session.execute(
        select(
            Counter.code, Sale.business_date, func.count(), func.min(Sale.seq), func.max(Sale.seq)
        )
        .join(Counter, Counter.id == Sale.counter_id)
        .group_by(Counter.code, Sale.business_date)
    ).all()
    last = {
        (code, day): seq
        for code, day, seq in session.execute(
            select(Counter.code, ReceiptSequence.business_date, ReceiptSequence.last_seq).join(
                Counter, Counter.id == ReceiptSequence.counter_id
            )
        ).all()
    }
    for code, day, count, low, high in rows:
        if low != 1 or high != count:
            problems.append(
                f"Meja {code} {day:%d-%m-%Y}: nomor struk tidak urut 1..{count} "
                f"(terendah {low}, tertinggi {high})"
            )
        if last.get((code, day)) != high:
            problems.append(
                f"Meja {code} {day:%d-%m-%Y}: urutan tersimpan {last.get((code, day))}, "
                f"struk terakhir {high}"
            )
    return problems


def _stock(session: Session) -> list[str]:
    moved = (
        select(StockMovement.product_id, func.sum(StockMovement.qty).label("qty"))
        .group_by(StockMovement.product_id)
        .subquery()
    )
    rows = session.execute(
        select(Product.sku, Product.stock_qty, func.coalesce(moved.c.qty, 0))
        .outerjoin(moved, moved.c.product_id == Product.id)
        .where(Product.stock_qty != func.coalesce(moved.c.qty, 0))
    ).all()
    return [f"Stok {sku}: tercatat {qty}, jumlah mutasi {total}" for sku, qty, total in rows]


def _totals(session: Session) -> list[str]:
    lines = (
        select(SaleLine.sale_id, func.sum(SaleLine.line_total).label("total"))
        .group_by(SaleLine.sale_id)
        .subquery()
    )
    paid = (
        select(Payment.sale_id, func.sum(Payment.amount).label("total"))
        .group_by(Payment.sale_id)
        .subquery()
    )
    rows = session.execute(
        select(Sale.receipt_number, Sale.total, lines.c.total, func.coalesce(paid.c.total, 0))
        .outerjoin(lines, lines.c.sale_id == Sale.id)
        .outerjoin(paid, paid.c.sale_id == Sale.id)
        .where(
            (func.coalesce(lines.c.total, 0) + Sale.rounding != Sale.total)
            | (func.coalesce(paid.c.total, 0) != Sale.total)
        )
    ).all()
    return [
        f"Struk {number}: total {total}, jumlah baris {line_sum}, dibayar {paid_sum}"
        for number, total, line_sum, paid_sum in rows
    ]


def _refunds(session: Session) -> list[str]:
    refund, original, sold = aliased(Sale), aliased(Sale), aliased(SaleLine)
    wrong_sale = session.execute(
        select(refund.receipt_number, SaleLine.line_no, original.receipt_number)
        .join(SaleLine, SaleLine.sale_id == refund.id)
        .join(sold, sold.id == SaleLine.original_line_id)
        .join(original, original.id == refund.original_sale_id)
        .where(refund.kind == DocumentKind.REFUND.value, sold.sale_id != original.id)
    ).all()
    problems = [
        f"Retur {number} baris {line_no}: bukan baris dari struk asal {source}"
        for number, line_no, source in wrong_sale
    ]
    returned = (
        select(SaleLine.original_line_id.label("line_id"), func.sum(-SaleLine.qty).label("qty"))
        .join(refund, refund.id == SaleLine.sale_id)
        .where(
            refund.kind == DocumentKind.REFUND.value,
            refund.status == SaleStatus.COMPLETED.value,
            SaleLine.original_line_id.is_not(None),
        )
        .group_by(SaleLine.original_line_id)
        .subquery()
    )
    too_much = session.execute(
        select(Sale.receipt_number, SaleLine.line_no, SaleLine.qty, returned.c.qty)
        .join(SaleLine, SaleLine.sale_id == Sale.id)
        .join(returned, returned.c.line_id == SaleLine.id)
        .where(returned.c.qty > SaleLine.qty)
    ).all()
    problems += [
        f"Struk {number} baris {line_no}: diretur {back}, terjual hanya {qty}"
        for number, line_no, qty, back in too_much
    ]
    return problems


def check_store(session: Session) -> CheckResult:
    """Every check above, and the journal from scratch (`kasir.services.journal_verify`,
    checkpoints not used: every check here reads the whole store): every chain whole, every
    journaled document as it was written, no document the journal does not know."""
    from kasir.services.journal_verify import verify

    journal = [b.text for b in verify(session, full=True).breaks]
    problems = (
        journal + _sequences(session) + _stock(session) + _totals(session) + _refunds(session)
    )
    return CheckResult(
        sales=session.scalar(select(func.count()).select_from(Sale)) or 0,
        products=session.scalar(select(func.count()).select_from(Product)) or 0,
        problems=tuple(problems),
    )
