"""Shifts and the till: a counter sells only inside an open shift of today's business date.

`Till` is who sells where (the counter and the cashier logged in at it); `open_shift_for` is the
one rule every document written at a till goes through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, func, literal_column, select
from sqlalchemy.orm import Session

from kasir.domain.cash_count import CashCount
from kasir.errors import NotAllowed, NotFound, StaleShift, ValidationError
from kasir.money import ensure_rupiah, format_rupiah
from kasir.services import journal
from kasir.services.auth import (
    APPROVER_ROLES,
    SELLER_ROLES,
    Approval,
    check_approval,
    not_a_seller_message,
)
from kasir.settings import STORED_SETTINGS, use_stored
from kasir.store.bulk import prepared
from kasir.store.models import Counter, DayClose, Payment, Sale, Shift, User
from kasir.timeutil import business_date, utcnow

MAX_FLOAT = 100_000_000


@dataclass(frozen=True)
class Till:
    """Who sells where: the counter and the cashier logged in at it."""

    counter_id: int
    counter_code: str
    user_id: int
    user_name: str = ""  # the cashier's full name, for receipts (looked up when empty)
    # The shift this till opened or found at login: a document is refused when the counter's
    # open shift is another one (closed and reopened elsewhere). None: whichever is open.
    shift_id: int | None = None


class ShiftChanged(StaleShift):
    """The counter's open shift is not the one this till works in (closed, or closed and
    reopened, elsewhere): log in again; the caller keeps the cart."""


class CashierInactive(NotAllowed):
    """The till's cashier was deactivated while logged in."""


# 'open' written into the SQL, not bound: SQLite plans a statement again at every run when a bound
# value decides whether a partial index (ix_shift_counter_id_open) applies (~15 us a checkout).
_OPEN = literal_column("'open'", String())


# One statement on the checkout path: the till's cashier (active?) and the counter's open shift
# (outer-joined: a row even when there is none) with whether its day is closed, and the stored
# settings (kasir.settings: parsed only when they changed), per dialect.
DAY_LOCK_BASE = 19_000_000_000  # advisory lock keys of business dates: this + date ordinal


def _open_shift_statement(dialect: str) -> Select[Any]:
    return (
        select(
            User.active,
            Shift.id,
            Shift.business_date,
            select(DayClose.id).where(DayClose.business_date == Shift.business_date).exists(),
            STORED_SETTINGS[dialect],
            User.role,  # only sellers sell (kasir.services.auth.SELLER_ROLES)
        )
        .select_from(User)
        .outerjoin(Shift, and_(Shift.counter_id == bindparam("cid"), Shift.status == _OPEN))
        .where(User.id == bindparam("uid"))
    )


_OPEN_SHIFT = {name: _open_shift_statement(name) for name in STORED_SETTINGS}


@dataclass(frozen=True)
class OpenShift:
    id: int
    business_date: dt.date


def read_open_shift(session: Session, till: Till, *, driver: bool = False) -> Sequence[Any] | None:
    """The one statement of `open_shift_for`, not yet checked (`check_open_shift`): a caller
    that validates its input first reads it before (the settings it holds serve the
    validation) and checks it after, so the errors come in the same order. `driver`: run it
    on the driver's cursor (kasir.store.bulk.Prepared; the checkout's fast path)."""
    conn = session.connection()
    stmt = _OPEN_SHIFT[conn.dialect.name]
    values = {"cid": till.counter_id, "uid": till.user_id}
    if driver:
        row: Sequence[Any] | None = prepared(stmt, conn.dialect).first(conn, values)
    else:
        row = conn.execute(stmt, values).first()
    if row is not None:
        use_stored(session, row[4])
    return row


def open_shift_for(session: Session, till: Till, now: dt.datetime) -> OpenShift:
    """The till's open shift, checked for a closed day and for today's business date (one query).

    A shift of another business date is refused for selling in either direction: one left open
    on an earlier day, and one dated in the future (a simulation, a clock that jumped back),
    which would otherwise book today's takings to that day. A till that carries its shift
    (`Till.shift_id`) is refused when the counter's open shift is another one, and a till whose
    cashier was deactivated is refused: both read in the same statement."""
    return check_open_shift(session, till, now, read_open_shift(session, till))


def check_open_shift(
    session: Session, till: Till, now: dt.datetime, row: Sequence[Any] | None
) -> OpenShift:
    """`open_shift_for`'s checks on the row `read_open_shift` read."""
    if row is None or not row[0]:
        name = till.user_name or f"#{till.user_id}"
        raise CashierInactive(
            f"Akun kasir {name} sudah dinonaktifkan; transaksi tidak bisa dicatat. Keranjang "
            "tetap ada: keluar, lalu masuk dengan akun yang aktif."
        )
    if row[5] not in SELLER_ROLES:
        raise NotAllowed(not_a_seller_message(till.user_name or f"#{till.user_id}", row[5]))
    if row[1] is None:
        if till.shift_id is not None:
            raise ShiftChanged(
                f"Shift #{till.shift_id} di meja {till.counter_code} sudah ditutup (di jendela "
                "lain); transaksi ini tidak dicatat. Keranjang tetap ada: masuk lagi dan buka "
                "shift baru."
            )
        raise NotAllowed(f"Meja {till.counter_code} belum membuka shift; buka shift dulu.")
    if till.shift_id is not None and row[1] != till.shift_id:
        raise ShiftChanged(_changed_message(session, till, row[1]))
    shift = OpenShift(row[1], row[2])
    if row[3]:
        raise NotAllowed(
            f"Hari {shift.business_date:%d-%m-%Y} sudah ditutup; transaksi tidak bisa dicatat."
        )
    today = business_date(now)
    if shift.business_date < today:
        raise StaleShift(
            f"Shift ini dibuka tanggal {shift.business_date:%d-%m-%Y}; tutup shift dan buka "
            "shift baru untuk hari ini."
        )
    if shift.business_date > today:
        raise StaleShift(
            f"Shift ini bertanggal {shift.business_date:%d-%m-%Y}, sesudah hari ini "
            f"({today:%d-%m-%Y}): jam komputer mundur, atau shift simulasi? Tutup shift itu dan "
            "buka shift baru untuk hari ini."
        )
    return shift


def _changed_message(session: Session, till: Till, open_id: int) -> str:
    """Only on the refusal path: who opened the shift that is open now."""
    name = session.scalar(
        select(User.full_name).join(Shift, Shift.cashier_id == User.id).where(Shift.id == open_id)
    )
    return (
        f"Shift #{till.shift_id} di meja {till.counter_code} sudah ditutup; yang terbuka "
        f"sekarang shift #{open_id} ({name or '?'}), dibuka di jendela lain. Transaksi ini "
        "tidak dicatat di shift orang lain. Keranjang tetap ada: masuk lagi untuk melanjutkan."
    )


@dataclass(frozen=True)
class ShiftView:
    id: int
    counter_id: int
    counter_code: str
    cashier_id: int
    cashier_name: str
    business_date: dt.date
    status: str
    opening_float: int
    opened_at: dt.datetime
    expected_cash: int | None
    counted_cash: int | None
    closed_by_id: int | None = None
    # The supervisor who approved closing another cashier's shift (a handover).
    close_approved_by_id: int | None = None
    difference_reason: str | None = None

    @property
    def difference(self) -> int | None:
        if self.expected_cash is None or self.counted_cash is None:
            return None
        return self.counted_cash - self.expected_cash


def _view(session: Session, shift: Shift) -> ShiftView:
    counter_code = session.scalar(select(Counter.code).where(Counter.id == shift.counter_id))
    cashier = session.scalar(select(User.full_name).where(User.id == shift.cashier_id))
    return ShiftView(
        id=shift.id,
        counter_id=shift.counter_id,
        counter_code=counter_code or "?",
        cashier_id=shift.cashier_id,
        cashier_name=cashier or "?",
        business_date=shift.business_date,
        status=shift.status,
        opening_float=shift.opening_float,
        opened_at=shift.opened_at,
        expected_cash=shift.expected_cash,
        counted_cash=shift.counted_cash,
        closed_by_id=shift.closed_by_id,
        close_approved_by_id=shift.close_approved_by_id,
        difference_reason=shift.difference_reason,
    )


def shift_view(session: Session, shift_id: int) -> ShiftView:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"Shift #{shift_id} tidak ada.")
    return _view(session, shift)


def lock_business_date(session: Session, day: dt.date) -> None:
    """Serialise a shift's opening with the close of its business date (PostgreSQL: a
    transaction-level advisory lock per date; SQLite's single writer does it already). Without
    it a shift opened on one counter while a manager closes the day on another could slip in:
    each would check before the other wrote."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(DAY_LOCK_BASE + day.toordinal())))


def is_day_closed(session: Session, day: dt.date) -> bool:
    return session.scalar(select(DayClose.id).where(DayClose.business_date == day)) is not None


def current_shift(session: Session, counter_id: int) -> ShiftView | None:
    shift = session.scalar(
        select(Shift).where(Shift.counter_id == counter_id, Shift.status == "open")
    )
    return None if shift is None else _view(session, shift)


def open_shift(
    session: Session,
    counter_id: int,
    cashier_id: int,
    opening_float: int,
    *,
    now: dt.datetime | None = None,
    day: dt.date | None = None,
) -> ShiftView:
    """Open a shift on a counter; refused when one is open there or the day is closed."""
    ensure_rupiah(opening_float, "modal awal")
    if not 0 <= opening_float <= MAX_FLOAT:
        raise ValidationError("Modal awal (uang kembalian di laci) harus 0 atau lebih.")
    cashier = session.get(User, cashier_id)
    if cashier is None or not cashier.active:
        raise NotFound(f"Pengguna #{cashier_id} tidak ada atau sudah dinonaktifkan.")
    if cashier.role not in SELLER_ROLES:
        raise NotAllowed(not_a_seller_message(cashier.full_name, cashier.role))
    existing = current_shift(session, counter_id)
    if existing is not None:
        raise NotAllowed(
            f"Meja {existing.counter_code} masih punya shift terbuka ({existing.cashier_name}); "
            "tutup dulu shift itu."
        )
    now = (now or utcnow()).astimezone(dt.UTC)
    day = day or business_date(now)
    lock_business_date(session, day)
    if is_day_closed(session, day):
        raise NotAllowed(f"Hari {day:%d-%m-%Y} sudah ditutup; tidak bisa membuka shift baru.")
    shift = Shift(
        counter_id=counter_id,
        cashier_id=cashier_id,
        business_date=day,
        status="open",
        opened_at=now,
        opening_float=opening_float,
    )
    session.add(shift)
    session.flush()
    journal.append(session, counter_id, "shift_open", shift.id, f"shift #{shift.id}", now=now)
    return _view(session, shift)


def expected_cash(session: Session, shift_id: int) -> int:
    """Opening float + cash taken (less change) + cash paid back on refunds, voids excluded,
    + cash movements (kas masuk +, kas keluar and safe drops -: `kasir.services.cash`)."""
    from kasir.services.cash import movements_net

    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"Shift #{shift_id} tidak ada.")
    cash = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0))
        .join(Sale, Sale.id == Payment.sale_id)
        .where(Sale.shift_id == shift_id, Sale.status == "completed", Payment.method == "tunai")
    )
    return shift.opening_float + int(cash or 0) + movements_net(session, shift_id)


def close_needs_approval(shift_cashier_id: int, closer_id: int, closer_role: str) -> bool:
    """Closing another cashier's shift (the handover count) needs a supervisor's PIN, unless
    the one closing is a supervisor or manager themselves."""
    return closer_id != shift_cashier_id and closer_role not in APPROVER_ROLES


@dataclass(frozen=True)
class CountCheck:
    """The drawer count against what the shift should hold, shown before the shift closes."""

    shift_id: int
    expected: int
    counted: int
    cancelled: CancelledSummary | None = None  # the carts given up on the shift

    @property
    def difference(self) -> int:
        return self.counted - self.expected

    def describe(self) -> str:
        diff = self.difference
        if diff == 0:
            verdict = "Rp 0 (cocok, tanpa selisih)"
        elif diff > 0:
            verdict = f"LEBIH {format_rupiah(diff)}"
        else:
            verdict = f"KURANG {format_rupiah(-diff)}"
        text = (
            f"Dihitung   {format_rupiah(self.counted)}\n"
            f"Seharusnya {format_rupiah(self.expected)}\n"
            f"Selisih    {verdict}"
        )
        if self.cancelled is not None and self.cancelled.count:
            text += f"\n{self.cancelled.describe()}"
        return text


def check_count(session: Session, shift_id: int, counted_cash: int | CashCount) -> CountCheck:
    """What closing with `counted_cash` (an amount, or a count by denomination) would record;
    nothing is written."""
    if isinstance(counted_cash, CashCount):
        counted_cash = counted_cash.total
    ensure_rupiah(counted_cash, "uang dihitung")
    if counted_cash < 0:
        raise ValidationError("Uang yang dihitung tidak boleh negatif.")
    return CountCheck(
        shift_id,
        expected_cash(session, shift_id),
        counted_cash,
        cancelled_summary(session, shift_id),
    )


MAX_REASON = 500


def close_shift(
    session: Session,
    shift_id: int,
    counted_cash: int | CashCount,
    closed_by_id: int,
    *,
    approval: Approval | None = None,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> ShiftView:
    """Close a shift with the cash counted in the drawer; records the expected amount.

    `counted_cash`: the amount (the handover's count), or the blind count by denomination
    (`CashCount`, the cashier's own close: stored in `counted_detail`, and a difference from
    the expected cash needs a `reason`, stored in `difference_reason`; journaled as a
    "shift_count" entry besides "shift_close").

    Another cashier's shift (a handover) is closed with a supervisor's approval
    (`close_needs_approval`), recorded as `close_approved_by_id`; a supervisor or manager
    closing it approves it themselves. Only a user who may sell or approve closes a shift."""
    count = counted_cash if isinstance(counted_cash, CashCount) else None
    if count is not None:
        counted_cash = count.total
    assert not isinstance(counted_cash, CashCount)
    ensure_rupiah(counted_cash, "uang dihitung")
    if counted_cash < 0:
        raise ValidationError("Uang yang dihitung tidak boleh negatif.")
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationError(f"Alasan selisih terlalu panjang (paling banyak {MAX_REASON} huruf).")
    shift = session.get(Shift, shift_id, with_for_update=True)
    if shift is None:
        raise NotFound(f"Shift #{shift_id} tidak ada.")
    if shift.status != "open":
        raise NotAllowed("Shift ini sudah ditutup.")
    closer = session.get(User, closed_by_id)
    if closer is None or not closer.active:
        raise NotFound(f"Pengguna #{closed_by_id} tidak ada atau sudah dinonaktifkan.")
    if closer.role not in SELLER_ROLES:
        raise NotAllowed(not_a_seller_message(closer.full_name, closer.role))
    approved_by: int | None = None
    if closed_by_id != shift.cashier_id:
        if close_needs_approval(shift.cashier_id, closed_by_id, closer.role):
            cashier = session.scalar(select(User.full_name).where(User.id == shift.cashier_id))
            approver = check_approval(
                session,
                approval,
                f"Menutup shift #{shift.id} ({cashier or '?'})",
                requester_id=closed_by_id,
                counter_id=shift.counter_id,
                kind="shift_close",
                excluded=(shift.cashier_id,),
                detail={"shift_id": shift.id, "counted_cash": counted_cash},
            )
            approved_by = approver.id
        else:
            approved_by = closer.id
    expected = expected_cash(session, shift_id)
    if count is not None and counted_cash != expected and reason is None:
        diff = counted_cash - expected
        word = "lebih" if diff > 0 else "kurang"
        raise ValidationError(
            f"Hitungan {format_rupiah(counted_cash)}, seharusnya {format_rupiah(expected)}: "
            f"{word} {format_rupiah(abs(diff))}. Tulis alasan selisihnya; shift belum ditutup."
        )
    shift.expected_cash = expected
    shift.counted_cash = counted_cash
    shift.counted_detail = count.to_json() if count is not None else None
    shift.difference_reason = reason
    shift.status = "closed"
    shift.closed_at = (now or utcnow()).astimezone(dt.UTC)
    shift.closed_by_id = closed_by_id
    shift.close_approved_by_id = approved_by
    session.flush()
    ref = f"shift #{shift.id}"
    journal.append(session, shift.counter_id, "shift_close", shift.id, ref, now=shift.closed_at)
    if shift.counted_detail is not None or shift.difference_reason is not None:
        journal.append(session, shift.counter_id, "shift_count", shift.id, ref, now=shift.closed_at)
    return _view(session, shift)


@dataclass(frozen=True)
class CancelledSummary:
    """The carts given up on a shift (issue 16 item 5): how many, what they held as priced,
    and the payments that had been taken for them and were dropped."""

    count: int
    total: int
    paid: int

    def describe(self) -> str:
        """One line for the shift's figures; the payments dropped with them, if any."""
        text = f"Keranjang batal {self.count} ({format_rupiah(self.total)})"
        if self.paid:
            text += f", pembayaran dibatalkan {format_rupiah(self.paid)}"
        return text


def cancelled_summary(session: Session, shift_id: int) -> CancelledSummary:
    """Count and totals of the cancelled carts of a shift (`kasir.services.sale_session`)."""
    from kasir.store.models import CancelledSale

    count, total, paid = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(CancelledSale.total), 0),
            func.coalesce(func.sum(CancelledSale.paid), 0),
        ).where(CancelledSale.shift_id == shift_id)
    ).one()
    return CancelledSummary(int(count), int(total), int(paid))
