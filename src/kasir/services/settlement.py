"""The day's PNBP settlement (issue 19): its figures, the day close, the deposit data.

`day_figures` sums one business date (Asia/Jakarta) from the store, in SQL (GROUP BY): per
payment method, per UPT with the allocation scheme in force, per category and product, voids
and refunds, cancelled carts, cash per shift, every receipt. Voided sales are left out of the
sums and listed as voids. A refund is a document of the day it was made (a refund today of
yesterday's sale counts today). Cash rounding (`sale.rounding`) is its own line, credited to no
UPT: the methods' net is the UPTs' net plus the rounding.

`close_day` (a manager's or administrator's PIN) refuses while a shift of the date is open,
then freezes the figures as JSON in `day_close.figures` with the settlement number
"PNBP/YYYY/MM/DD/NNN" (NNN: the how-manieth day close of that year, in the order they were
made; the date alone already makes it unique): a closed day is always read back from what was
frozen, so a later change of a UPT's scheme, a price or a name never changes it. The date is
locked by the checks already in the services (no shift opens, no sale or void is stored on a
closed date; a refund of its sales later is a document of the open day). `record_deposit` adds
the SIMPONI deposit data, which can be entered again to correct them; both are journaled on the
store's chain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from kasir.domain.allocation import allocate_upt, make_scheme
from kasir.domain.settlement import (
    Allocation,
    CancelledRow,
    CashMovementRow,
    CategoryRow,
    DayFigures,
    Deposit,
    DocumentRow,
    Header,
    MethodRow,
    ProductRow,
    ReceiptRow,
    Scheme,
    ShiftCashRow,
    Signatory,
    Totals,
    UptRow,
)
from kasir.domain.vocab import PaymentMethod
from kasir.errors import NotAllowed, NotFound, ValidationError
from kasir.money import format_rupiah, round_half_up
from kasir.services import journal
from kasir.services.auth import Approval
from kasir.services.permissions import authenticate
from kasir.settings import ALLOC_KEYS, get_all, set_settings
from kasir.store.models import (
    CancelledSale,
    CashMovement,
    Category,
    Counter,
    DayClose,
    Payment,
    Sale,
    SaleLine,
    Shift,
    Upt,
    User,
    utcnow,
)
from kasir.timeutil import business_date

KODE_AKUN_UNSET = "(belum diatur)"
_COMPLETED = "completed"


@dataclass(frozen=True)
class BlockingShift:
    shift_id: int
    counter_code: str
    cashier_name: str
    opened_at: dt.datetime


@dataclass(frozen=True)
class DayStatus:
    day: dt.date
    closed: bool
    number: str | None
    blocking: tuple[BlockingShift, ...]
    sales_count: int


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.full_name)).all())


def _blocking(session: Session, day: dt.date) -> tuple[BlockingShift, ...]:
    rows = session.execute(
        select(Shift.id, Counter.code, User.full_name, Shift.opened_at)
        .join(Counter, Counter.id == Shift.counter_id)
        .join(User, User.id == Shift.cashier_id)
        .where(Shift.business_date == day, Shift.status == "open")
        .order_by(Counter.code, Shift.id)
    )
    return tuple(BlockingShift(*row) for row in rows)


def _day_close(session: Session, day: dt.date) -> DayClose | None:
    return session.scalar(select(DayClose).where(DayClose.business_date == day))


def day_status(session: Session, day: dt.date) -> DayStatus:
    """Whether `day` is closed (its number), the shifts that keep it open, its sales count."""
    closed = _day_close(session, day)
    count = session.scalar(
        select(func.count(Sale.id)).where(
            Sale.business_date == day, Sale.kind == "sale", Sale.status == _COMPLETED
        )
    )
    return DayStatus(
        day=day,
        closed=closed is not None,
        number=None if closed is None else closed.number,
        blocking=_blocking(session, day),
        sales_count=int(count or 0),
    )


# --- the allocation scheme in force -----------------------------------------------------------


def default_scheme(values: dict[str, Any]) -> Scheme:
    """The store-wide default scheme from the settings' values."""
    pnbp, premi, pembinaan, base = (values[k] for k in ALLOC_KEYS)
    return make_scheme(pnbp, premi, pembinaan, base, source="default")


def upt_scheme(upt: Upt, default: Scheme) -> Scheme:
    """A UPT's own scheme, or the default when its alloc_* columns are NULL."""
    if upt.alloc_pnbp_pct is None:
        return default
    return make_scheme(
        upt.alloc_pnbp_pct,
        upt.alloc_premi_pct,
        upt.alloc_pembinaan_pct,
        upt.alloc_base or "net",
        source="upt",
    )


def set_upt_scheme(
    session: Session,
    credentials: Approval | None,
    upt_code: str,
    scheme: Scheme | None,
) -> Upt:
    """Give a UPT its own scheme (None: back to the default); a manager's PIN, journaled."""
    if scheme is not None:  # checked before the PIN is tried
        scheme = make_scheme(scheme.pnbp_pct, scheme.premi_pct, scheme.pembinaan_pct, scheme.base)
    upt = session.scalar(select(Upt).where(Upt.code == upt_code.strip().upper()))
    if upt is None:
        upt = session.scalar(select(Upt).where(Upt.code == upt_code.strip()))
    if upt is None:
        raise NotFound(f"UPT {upt_code.strip()!r} tidak ada.")
    by = authenticate(session, credentials, "settings", what=f"alloc {upt.code}")
    old = _scheme_text(upt_scheme(upt, Scheme()) if upt.alloc_pnbp_pct is not None else None)
    if scheme is None:
        upt.alloc_pnbp_pct = upt.alloc_premi_pct = upt.alloc_pembinaan_pct = None
        upt.alloc_base = None
    else:
        upt.alloc_pnbp_pct, upt.alloc_premi_pct = scheme.pnbp_pct, scheme.premi_pct
        upt.alloc_pembinaan_pct, upt.alloc_base = scheme.pembinaan_pct, scheme.base
    session.flush()
    journal.record_event(
        session,
        "setting",
        user_id=by.id,
        entity="upt_alloc",
        entity_id=upt.code,
        detail={"old": old, "new": _scheme_text(scheme)},
    )
    return upt


def set_default_scheme(session: Session, credentials: Approval | None, scheme: Scheme) -> Scheme:
    """Change the store-wide default scheme, all four settings at once (a manager's PIN)."""
    scheme = make_scheme(scheme.pnbp_pct, scheme.premi_pct, scheme.pembinaan_pct, scheme.base)
    by = authenticate(session, credentials, "settings", what="alloc_default")
    old = default_scheme(get_all(session))
    parts = (scheme.pnbp_pct, scheme.premi_pct, scheme.pembinaan_pct, scheme.base)
    new_values = dict(zip(ALLOC_KEYS, parts, strict=True))
    set_settings(session, new_values)
    journal.record_event(
        session,
        "setting",
        user_id=by.id,
        entity="setting",
        entity_id="alloc_default",
        detail={"old": _scheme_text(old), "new": _scheme_text(scheme)},
    )
    return scheme


def _scheme_text(scheme: Scheme | None) -> str:
    if scheme is None:
        return "default"
    return (
        f"pnbp {scheme.pnbp_pct} premi {scheme.premi_pct} pembinaan {scheme.pembinaan_pct} "
        f"base {scheme.base}"
    )


# --- the figures --------------------------------------------------------------------------------


def _kind_sum(kind: str, column: Any) -> Any:
    return func.coalesce(func.sum(case((Sale.kind == kind, column), else_=0)), 0)


def _header(values: dict[str, Any]) -> Header:
    return Header(
        ministry=values["settlement_ministry"],
        directorate=values["settlement_directorate"],
        satker=values["settlement_satker"],
        kawasan=values["settlement_kawasan"] or values["store_name"],
        address=values["store_address"],
        kode_akun=values["settlement_kode_akun"] or KODE_AKUN_UNSET,
    )


def _signatories(values: dict[str, Any], maker: str, maker_nip: str) -> tuple[Signatory, ...]:
    return (
        Signatory("Kasir/Pembuat", maker, maker_nip),
        Signatory("Bendahara Penerimaan", values["bendahara_name"], values["bendahara_nip"]),
        Signatory(
            f"Mengetahui, {values['kepala_title']}", values["kepala_name"], values["kepala_nip"]
        ),
    )


def _methods(session: Session, day: dt.date) -> tuple[MethodRow, ...]:
    rows = session.execute(
        select(
            Payment.method,
            _kind_sum("sale", Payment.amount),
            _kind_sum("refund", Payment.amount),
            func.coalesce(func.sum(case((Sale.kind == "sale", 1), else_=0)), 0),
        )
        .join(Sale, Sale.id == Payment.sale_id)
        .where(Sale.business_date == day, Sale.status == _COMPLETED)
        .group_by(Payment.method)
    )
    found = {m: (int(s), -int(r), int(n)) for m, s, r, n in rows}
    out = []
    for method in PaymentMethod:  # every method, in the vocabulary's order
        sales, refunds, count = found.get(method.value, (0, 0, 0))
        out.append(MethodRow(method.value, sales, refunds, sales - refunds, count))
    return tuple(out)


def _upts(session: Session, day: dt.date, default: Scheme) -> tuple[UptRow, ...]:
    done = and_(Sale.business_date == day, Sale.status == _COMPLETED)
    money = session.execute(
        select(
            SaleLine.upt_id,
            _kind_sum("sale", SaleLine.line_total),
            _kind_sum("refund", SaleLine.line_total),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(done)
        .group_by(SaleLine.upt_id)
    )
    # Cost of goods of the net quantity: sum(cost * qty) per unit scale, divided once (half-up).
    costs: dict[int, Decimal] = defaultdict(Decimal)
    for upt_id, scale, cost_qty in session.execute(
        select(SaleLine.upt_id, SaleLine.qty_scale, func.sum(SaleLine.cost * SaleLine.qty))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(done)
        .group_by(SaleLine.upt_id, SaleLine.qty_scale)
    ):
        costs[upt_id] += Decimal(int(cost_qty or 0)) / Decimal(int(scale or 1))
    sums = {upt_id: (int(g), -int(r)) for upt_id, g, r in money}
    if not sums:
        return ()
    upts = {u.id: u for u in session.scalars(select(Upt).where(Upt.id.in_(sums)))}
    rows = []
    for upt_id, (gross, refunds) in sums.items():
        upt = upts[upt_id]
        net, cost = gross - refunds, round_half_up(costs[upt_id])
        scheme = upt_scheme(upt, default)
        rows.append(
            UptRow(
                code=upt.code,
                name=upt.name,
                kind=upt.kind,
                gross=gross,
                refunds=refunds,
                net=net,
                cost=cost,
                scheme=scheme,
                allocation=allocate_upt(scheme, net, cost),
            )
        )
    return tuple(sorted(rows, key=lambda r: r.code))


def _categories(session: Session, day: dt.date) -> tuple[CategoryRow, ...]:
    rows = session.execute(
        select(
            SaleLine.category,
            func.max(Category.name),
            _kind_sum("sale", SaleLine.line_total),
            _kind_sum("refund", SaleLine.line_total),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .outerjoin(Category, Category.code == SaleLine.category)
        .where(Sale.business_date == day, Sale.status == _COMPLETED)
        .group_by(SaleLine.category)
        .order_by(SaleLine.category)
    )
    return tuple(
        CategoryRow(code, name or code, int(g), -int(r), int(g) + int(r))
        for code, name, g, r in rows
    )


def _products(session: Session, day: dt.date) -> tuple[ProductRow, ...]:
    rows = session.execute(
        select(
            SaleLine.sku,
            func.max(SaleLine.name),
            SaleLine.upt_code,
            SaleLine.unit,
            SaleLine.qty_scale,
            func.sum(SaleLine.qty),
            func.sum(SaleLine.line_total),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.business_date == day, Sale.status == _COMPLETED)
        .group_by(SaleLine.sku, SaleLine.upt_code, SaleLine.unit, SaleLine.qty_scale)
        .order_by(SaleLine.upt_code, SaleLine.sku)
    )
    return tuple(
        ProductRow(sku, name, upt, unit, int(scale), int(qty), int(net))
        for sku, name, upt, unit, scale, qty, net in rows
    )


def _documents(session: Session, day: dt.date, names: dict[int, str]) -> tuple[DocumentRow, ...]:
    original = aliased(Sale)
    out = []
    for s, orig in session.execute(
        select(Sale, original.receipt_number)
        .outerjoin(original, original.id == Sale.original_sale_id)
        .where(
            Sale.business_date == day,
            (Sale.status == "voided") | (Sale.kind == "refund"),
        )
    ):
        if s.status == "voided":
            out.append(
                DocumentRow(
                    "void",
                    s.receipt_number,
                    s.receipt_number,
                    s.voided_at or s.created_at,
                    s.total,
                    s.void_reason or "",
                    names.get(s.voided_by_id or 0, ""),
                    names.get(s.void_approved_by_id or 0, ""),
                )
            )
        else:
            out.append(
                DocumentRow(
                    "refund",
                    s.receipt_number,
                    orig or "",
                    s.created_at,
                    -s.total,
                    s.reason or "",
                    names.get(s.cashier_id, ""),
                    names.get(s.refund_approved_by_id or 0, ""),
                )
            )
    return tuple(sorted(out, key=lambda d: (d.at, d.receipt_number)))


def _cancelled(session: Session, day: dt.date, names: dict[int, str]) -> tuple[CancelledRow, ...]:
    rows = session.execute(
        select(CancelledSale, Counter.code)
        .join(Counter, Counter.id == CancelledSale.counter_id)
        .where(CancelledSale.business_date == day)
        .order_by(CancelledSale.cancelled_at, CancelledSale.id)
    )
    return tuple(
        CancelledRow(
            c.cancelled_at, code, names.get(c.cashier_id, ""), c.item_count, c.total, c.paid
        )
        for c, code in rows
    )


def _shifts(session: Session, day: dt.date, names: dict[int, str]) -> tuple[ShiftCashRow, ...]:
    shifts = session.execute(
        select(Shift, Counter.code)
        .join(Counter, Counter.id == Shift.counter_id)
        .where(Shift.business_date == day)
        .order_by(Counter.code, Shift.opened_at, Shift.id)
    ).all()
    if not shifts:
        return ()
    ids = [s.id for s, _ in shifts]
    cash = {
        shift_id: (int(sales), -int(refunds))
        for shift_id, sales, refunds in session.execute(
            select(
                Sale.shift_id,
                _kind_sum("sale", Payment.amount),
                _kind_sum("refund", Payment.amount),
            )
            .join(Sale, Sale.id == Payment.sale_id)
            .where(
                Sale.shift_id.in_(ids),
                Sale.status == _COMPLETED,
                Payment.method == PaymentMethod.TUNAI.value,
            )
            .group_by(Sale.shift_id)
        )
    }
    moves: dict[int, list[CashMovementRow]] = defaultdict(list)
    for m in session.scalars(
        select(CashMovement)
        .where(CashMovement.shift_id.in_(ids))
        .order_by(CashMovement.at, CashMovement.id)
    ):
        moves[m.shift_id].append(
            CashMovementRow(
                m.at,
                m.kind,
                m.amount,
                m.reason,
                names.get(m.user_id, ""),
                names.get(m.approved_by_id or 0, ""),
            )
        )
    out = []
    for s, code in shifts:
        sales, refunds = cash.get(s.id, (0, 0))
        mine = tuple(moves.get(s.id, ()))
        cash_in = sum(m.amount for m in mine if m.kind == "in")
        cash_out = sum(m.amount for m in mine if m.kind != "in")
        computed = s.opening_float + sales - refunds + cash_in - cash_out
        # A closed shift: the expected cash its count was compared against, as stored.
        expected = computed if s.expected_cash is None else s.expected_cash
        counted = s.counted_cash
        out.append(
            ShiftCashRow(
                shift_id=s.id,
                counter_code=code,
                cashier_name=names.get(s.cashier_id, ""),
                opened_at=s.opened_at,
                closed_at=s.closed_at,
                opening_float=s.opening_float,
                cash_sales=sales,
                cash_refunds=refunds,
                cash_in=cash_in,
                cash_out=cash_out,
                expected=expected,
                counted=counted,
                difference=None if counted is None else counted - expected,
                difference_reason=s.difference_reason or "",
                movements=mine,
            )
        )
    return tuple(out)


def _receipts(session: Session, day: dt.date, names: dict[int, str]) -> tuple[ReceiptRow, ...]:
    methods: dict[int, list[str]] = defaultdict(list)
    for sale_id, method in session.execute(
        select(Payment.sale_id, Payment.method)
        .join(Sale, Sale.id == Payment.sale_id)
        .where(Sale.business_date == day)
        .distinct()
    ):
        methods[sale_id].append(method)
    order = {m.value: i for i, m in enumerate(PaymentMethod)}
    rows = session.execute(
        select(
            Sale.id,
            Sale.receipt_number,
            Sale.created_at,
            Counter.code,
            Sale.cashier_id,
            Sale.kind,
            Sale.status,
            Sale.total,
        )
        .join(Counter, Counter.id == Sale.counter_id)
        .where(Sale.business_date == day)
        .order_by(Counter.code, Sale.seq)
    )
    return tuple(
        ReceiptRow(
            number,
            at,
            code,
            names.get(cashier, ""),
            kind,
            status,
            total,
            ", ".join(sorted(methods.get(sale_id, ()), key=lambda m: order.get(m, 99))),
        )
        for sale_id, number, at, code, cashier, kind, status, total in rows
    )


def _totals(
    session: Session, day: dt.date, upts: tuple[UptRow, ...], extra: dict[str, int]
) -> Totals:
    row = session.execute(
        select(
            func.coalesce(func.sum(Sale.total), 0),
            func.coalesce(func.sum(Sale.rounding), 0),
            _kind_sum("sale", Sale.line_discount_total + Sale.order_discount),
            func.coalesce(func.sum(case((Sale.kind == "sale", 1), else_=0)), 0),
            func.coalesce(func.sum(case((Sale.kind == "refund", 1), else_=0)), 0),
        ).where(Sale.business_date == day, Sale.status == _COMPLETED)
    ).one()
    voided = session.execute(
        select(func.count(Sale.id), func.coalesce(func.sum(Sale.total), 0)).where(
            Sale.business_date == day, Sale.status == "voided"
        )
    ).one()
    return Totals(
        gross=sum(u.gross for u in upts),
        refunds=sum(u.refunds for u in upts),
        net=int(row[0]),
        rounding=int(row[1]),
        discounts=int(row[2]),
        voided=int(voided[1]),
        pnbp=sum(u.allocation.pnbp for u in upts),
        premi=sum(u.allocation.premi for u in upts),
        pembinaan=sum(u.allocation.pembinaan for u in upts),
        sales_count=int(row[3]),
        refund_count=int(row[4]),
        void_count=int(voided[0]),
        cancelled_count=extra["cancelled"],
    )


def sum_day(
    session: Session,
    day: dt.date,
    *,
    number: str | None = None,
    closed_at: dt.datetime | None = None,
    closed_by: User | None = None,
) -> DayFigures:
    """The figures of `day` summed from the store now (a closed day: see `day_figures`)."""
    values = get_all(session)
    names = _names(session)
    default = default_scheme(values)
    upts = _upts(session, day, default)
    cancelled = _cancelled(session, day, names)
    return DayFigures(
        day=day,
        header=_header(values),
        totals=_totals(session, day, upts, {"cancelled": len(cancelled)}),
        number=number,
        closed_at=closed_at,
        closed_by="" if closed_by is None else closed_by.full_name,
        default_scheme=default,
        methods=_methods(session, day),
        upts=upts,
        categories=_categories(session, day),
        products=_products(session, day),
        documents=_documents(session, day, names),
        cancelled=cancelled,
        shifts=_shifts(session, day, names),
        receipts=_receipts(session, day, names),
        signatories=_signatories(
            values,
            "" if closed_by is None else closed_by.full_name,
            "" if closed_by is None else (closed_by.nip or ""),
        ),
    )


def _with_deposit(figures: DayFigures, row: DayClose) -> DayFigures:
    if row.kode_billing is None or row.ntpn is None or row.deposit_date is None:
        return figures
    deposit = Deposit(row.kode_billing, row.ntpn, row.deposit_date, int(row.deposit_amount or 0))
    return dataclasses.replace(figures, deposit=deposit)


def day_figures(session: Session, day: dt.date) -> DayFigures:
    """A closed day: its frozen figures with the deposit data since; an open day: summed
    now, `number` None (DRAFT)."""
    row = _day_close(session, day)
    if row is None:
        return sum_day(session, day)
    return _with_deposit(DayFigures.from_json(row.figures), row)


# --- the day close ------------------------------------------------------------------------------


def blocking_message(day: dt.date, blocking: tuple[BlockingShift, ...]) -> str:
    listed = "; ".join(
        f"meja {b.counter_code}: shift #{b.shift_id} {b.cashier_name}" for b in blocking
    )
    return (
        f"Hari {day:%d-%m-%Y} belum bisa ditutup: {len(blocking)} shift masih terbuka "
        f"({listed}). Tutup shift itu dulu."
    )


def _number(session: Session, day: dt.date) -> str:
    first, last = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    done = session.scalar(
        select(func.count(DayClose.id)).where(DayClose.business_date.between(first, last))
    )
    return f"PNBP/{day:%Y/%m/%d}/{int(done or 0) + 1:03d}"


def close_day(
    session: Session, day: dt.date, credentials: Approval | None, *, now: dt.datetime | None = None
) -> DayFigures:
    """Close `day` (a manager's or administrator's PIN): every shift of it closed, the figures
    frozen with their number, the PNBP due stored, journaled. Refused for a second close."""
    now = (now or utcnow()).astimezone(dt.UTC)
    if day > business_date(now):
        raise NotAllowed(f"Hari {day:%d-%m-%Y} belum tiba; tidak bisa ditutup.")
    done = _day_close(session, day)
    if done is not None:
        raise NotAllowed(f"Hari {day:%d-%m-%Y} sudah ditutup (nomor {done.number}).")
    by = authenticate(session, credentials, "close_day", what=f"{day:%Y-%m-%d}")
    blocking = _blocking(session, day)
    if blocking:
        raise NotAllowed(blocking_message(day, blocking))
    user = session.get(User, by.id)
    number = _number(session, day)
    figures = sum_day(session, day, number=number, closed_at=now, closed_by=user)
    frozen = figures.to_json()
    due = max(figures.totals.pnbp, 0)
    row = DayClose(
        business_date=day,
        number=number,
        closed_by_id=by.id,
        closed_at=now,
        figures=frozen,
        pnbp_due=due,
    )
    session.add(row)
    session.flush()
    journal.record_event(
        session,
        "day_close",
        user_id=by.id,
        entity="day_close",
        entity_id=number,
        detail={
            "date": day.isoformat(),
            "number": number,
            "pnbp_due": due,
            "net": figures.totals.net,
            "figures_sha256": hashlib.sha256(frozen.encode()).hexdigest(),
        },
        now=now,
    )
    return DayFigures.from_json(frozen)


# --- the deposit data ---------------------------------------------------------------------------

_BILLING = re.compile(r"[0-9]{15}")
_NTPN = re.compile(r"[0-9A-Z]{16}")


def check_billing(text: str) -> str:
    value = re.sub(r"[\s-]", "", text or "")
    if not _BILLING.fullmatch(value):
        digits = sum(ch.isdigit() for ch in value)
        raise ValidationError(
            f"Kode billing SIMPONI harus tepat 15 angka (yang diketik: {len(value)} karakter, "
            f"{digits} angka)."
        )
    return value


def check_ntpn(text: str) -> str:
    value = re.sub(r"[\s-]", "", text or "").upper()
    if not _NTPN.fullmatch(value):
        raise ValidationError(
            f"NTPN harus tepat 16 karakter huruf/angka (yang diketik: {len(value)} karakter)."
        )
    return value


def record_deposit(
    session: Session,
    day: dt.date,
    credentials: Approval | None,
    kode_billing: str,
    ntpn: str,
    deposit_date: dt.date,
    amount: int,
    *,
    now: dt.datetime | None = None,
) -> DayFigures:
    """Record (or correct) the SIMPONI deposit of a closed day: kode billing 15 digits, NTPN 16
    letters/digits, paid on or after the day, the amount equal to the PNBP due; journaled."""
    now = (now or utcnow()).astimezone(dt.UTC)
    billing, ntpn = check_billing(kode_billing), check_ntpn(ntpn)
    row = _day_close(session, day)
    if row is None:
        raise NotAllowed(
            f"Hari {day:%d-%m-%Y} belum ditutup; data setoran dicatat sesudah tutup hari."
        )
    if deposit_date < day:
        raise ValidationError(
            f"Tanggal setor {deposit_date:%d-%m-%Y} sebelum hari penjualan {day:%d-%m-%Y}."
        )
    if deposit_date > business_date(now):
        raise ValidationError(f"Tanggal setor {deposit_date:%d-%m-%Y} masih di masa depan.")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError("Jumlah setoran harus bilangan bulat Rupiah.")
    if row.pnbp_due <= 0:
        raise NotAllowed(f"Hari {day:%d-%m-%Y} tidak punya PNBP yang harus disetor (Rp 0).")
    if amount != row.pnbp_due:
        raise ValidationError(
            f"Jumlah setoran {format_rupiah(amount)} tidak sama dengan PNBP yang harus disetor "
            f"{format_rupiah(row.pnbp_due)} (laporan {row.number})."
        )
    by = authenticate(session, credentials, "close_day", what=f"deposit {day:%Y-%m-%d}")
    old = None
    if row.kode_billing is not None:
        old = {
            "kode_billing": row.kode_billing,
            "ntpn": row.ntpn,
            "deposit_date": None if row.deposit_date is None else row.deposit_date.isoformat(),
            "amount": row.deposit_amount,
        }
    row.kode_billing, row.ntpn, row.deposit_date = billing, ntpn, deposit_date
    row.deposit_amount, row.deposited_by_id, row.deposited_at = amount, by.id, now
    session.flush()
    journal.record_event(
        session,
        "deposit",
        user_id=by.id,
        entity="day_close",
        entity_id=row.number,
        detail={
            "date": day.isoformat(),
            "kode_billing": billing,
            "ntpn": ntpn,
            "deposit_date": deposit_date.isoformat(),
            "amount": amount,
            "corrects": old,
        },
        now=now,
    )
    return _with_deposit(DayFigures.from_json(row.figures), row)


# --- the twin: CSV ------------------------------------------------------------------------------

CSV_COLUMNS = (
    "record",  # upt, method, rounding, total
    "business_date",
    "number",
    "status",  # draft, closed
    "code",
    "name",
    "gross",
    "refunds",
    "net",
    "cost",
    "scheme_source",
    "pnbp_pct",
    "premi_pct",
    "pembinaan_pct",
    "alloc_base",
    "base",
    "pnbp",
    "premi",
    "pembinaan",
    "count",
    "kode_akun",
    "kode_billing",
    "ntpn",
    "deposit_date",
    "deposit_amount",
)


def csv_rows(figures: DayFigures) -> list[tuple[object, ...]]:
    """The twin's rows: one per UPT, per method, the rounding and the total (CSV_COLUMNS)."""
    head = (
        figures.day.isoformat(),
        figures.number or "",
        "draft" if figures.draft else "closed",
    )
    empty_alloc = ("",) * 9
    rows: list[tuple[object, ...]] = []
    for u in figures.upts:
        s, a = u.scheme, u.allocation
        rows.append(
            ("upt", *head, u.code, u.name, u.gross, u.refunds, u.net, u.cost, s.source,
             str(s.pnbp_pct), str(s.premi_pct), str(s.pembinaan_pct), s.base,
             a.base, a.pnbp, a.premi, a.pembinaan, "", "", "", "", "", "")
        )  # fmt: skip
    for m in figures.methods:
        rows.append(
            ("method", *head, m.method, m.method, m.sales, m.refunds, m.net, "", *empty_alloc,
             m.count, "", "", "", "", "")
        )  # fmt: skip
    t = figures.totals
    rows.append(
        ("rounding", *head, "pembulatan", "Pembulatan tunai", "", "", t.rounding, "",
         *empty_alloc, "", "", "", "", "", "")
    )  # fmt: skip
    d = figures.deposit
    alloc_total = Allocation(sum(u.allocation.base for u in figures.upts), t.pnbp, t.premi,
                             t.pembinaan)  # fmt: skip
    rows.append(
        ("total", *head, "total", "Jumlah", t.gross, t.refunds, t.net,
         sum(u.cost for u in figures.upts), "", "", "", "", "", alloc_total.base, t.pnbp,
         t.premi, t.pembinaan, t.sales_count, figures.header.kode_akun,
         "" if d is None else d.kode_billing, "" if d is None else d.ntpn,
         "" if d is None else d.deposit_date.isoformat(), "" if d is None else d.amount)
    )  # fmt: skip
    return rows
