"""Kas masuk / kas keluar (issue 19): cash put into or taken out of a drawer during a shift that
is not a sale: change brought in, petty cash paid out, a safe drop.

Each movement has a reason and a supervisor's approval (never the shift's cashier), is journaled
on the counter's chain (kind "cash_move") and counts in the shift's expected cash (in: +, out
and drop: -). Cash taken out may not exceed what the drawer should hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from kasir.domain.settlement import CashMovementRow
from kasir.domain.vocab import CashMovementKind
from kasir.errors import NotAllowed, NotFound, ValidationError
from kasir.money import ensure_rupiah, format_rupiah
from kasir.services import journal
from kasir.services.auth import APPROVER_ROLES, SELLER_ROLES, Approval, check_approval
from kasir.store.models import CashMovement, DayClose, Shift, User
from kasir.timeutil import business_date, utcnow

MAX_MOVEMENT = 100_000_000
MAX_REASON = 200
KIND_LABELS = {
    CashMovementKind.IN.value: "Kas masuk",
    CashMovementKind.OUT.value: "Kas keluar",
    CashMovementKind.DROP.value: "Setor ke brankas",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def signed(kind: str, amount: int) -> int:
    """What a movement does to the drawer: in +, out and drop -."""
    return amount if kind == CashMovementKind.IN.value else -amount


def movements_net(session: Session, shift_id: int) -> int:
    """The shift's cash movements summed as they change the drawer."""
    total = session.scalar(
        select(
            func.coalesce(
                func.sum(
                    case(
                        (CashMovement.kind == CashMovementKind.IN.value, CashMovement.amount),
                        else_=-CashMovement.amount,
                    )
                ),
                0,
            )
        ).where(CashMovement.shift_id == shift_id)
    )
    return int(total or 0)


def movements(session: Session, shift_id: int) -> tuple[CashMovementRow, ...]:
    """The shift's cash movements in the order made, with who and who approved."""
    by, approver = aliased(User), aliased(User)
    rows = session.execute(
        select(
            CashMovement.at,
            CashMovement.kind,
            CashMovement.amount,
            CashMovement.reason,
            by.full_name,
            approver.full_name,
        )
        .join(by, by.id == CashMovement.user_id)
        .outerjoin(approver, approver.id == CashMovement.approved_by_id)
        .where(CashMovement.shift_id == shift_id)
        .order_by(CashMovement.id)
    )
    return tuple(CashMovementRow(r[0], r[1], int(r[2]), r[3], r[4], r[5] or "") for r in rows)


@dataclass(frozen=True)
class CashMoved:
    id: int
    shift_id: int
    counter_id: int
    kind: str
    amount: int
    reason: str
    user_id: int
    approved_by_id: int
    at: dt.datetime

    @property
    def label(self) -> str:
        return kind_label(self.kind)

    def describe(self) -> str:
        return f"{self.label} {format_rupiah(self.amount)} ({self.reason})"


def check_kind(kind: str) -> str:
    try:
        return CashMovementKind(kind).value
    except ValueError:
        names = ", ".join(f"{k} ({v})" for k, v in KIND_LABELS.items())
        raise ValidationError(f"Jenis kas {kind!r} tidak dikenal; pilih: {names}.") from None


def record_cash_movement(
    session: Session,
    shift_id: int,
    user_id: int,
    kind: str,
    amount: int,
    reason: str,
    approval: Approval | None,
    *,
    now: dt.datetime | None = None,
) -> CashMoved:
    """Record cash put into (`in`) or taken out of (`out`, `drop`) the shift's drawer, with
    its reason and a supervisor's approval (never the shift's cashier). Everything is checked
    before the approval is asked for; nothing is written on a refusal."""
    kind = check_kind(kind)
    ensure_rupiah(amount, "jumlah kas")
    if not 0 < amount <= MAX_MOVEMENT:
        raise ValidationError(
            f"Jumlah kas harus lebih dari Rp 0 dan paling banyak {format_rupiah(MAX_MOVEMENT)}."
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Alasan kas masuk/keluar wajib diisi.")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"Alasan terlalu panjang (paling banyak {MAX_REASON} huruf).")
    # Serialise the drawer: refunds, voids and the close lock the same row.
    shift = session.get(Shift, shift_id, with_for_update=True)
    if shift is None:
        raise NotFound(f"Shift #{shift_id} tidak ada.")
    if shift.status != "open":
        raise NotAllowed(f"Shift #{shift_id} sudah ditutup; kas tidak bisa dicatat lagi.")
    at = (now or utcnow()).astimezone(dt.UTC)
    if session.scalar(select(DayClose.id).where(DayClose.business_date == shift.business_date)):
        raise NotAllowed(f"Hari {shift.business_date:%d-%m-%Y} sudah ditutup.")
    if shift.business_date != business_date(at):
        raise NotAllowed(
            f"Shift #{shift_id} bertanggal {shift.business_date:%d-%m-%Y}, bukan hari ini: "
            "tutup shift itu dan buka shift baru."
        )
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(f"Pengguna #{user_id} tidak ada atau sudah dinonaktifkan.")
    if user.role not in SELLER_ROLES or (
        user.id != shift.cashier_id and user.role not in APPROVER_ROLES
    ):
        raise NotAllowed(f"{user.full_name} tidak bekerja di shift #{shift_id}.")
    if kind != CashMovementKind.IN.value:
        from kasir.services.shifts import expected_cash

        in_drawer = expected_cash(session, shift_id)
        if amount > in_drawer:
            raise NotAllowed(
                f"{kind_label(kind)} {format_rupiah(amount)} melebihi uang tunai di laci "
                f"shift ini ({format_rupiah(in_drawer)})."
            )
    approver = check_approval(
        session,
        approval,
        f"{kind_label(kind)} {format_rupiah(amount)} ({reason})",
        requester_id=user_id,
        counter_id=shift.counter_id,
        kind="cash_move",
        excluded=(shift.cashier_id,),
        detail={"shift_id": shift_id, "kind": kind, "amount": amount, "reason": reason},
    )
    row = CashMovement(
        shift_id=shift_id,
        counter_id=shift.counter_id,
        kind=kind,
        amount=amount,
        reason=reason,
        user_id=user_id,
        approved_by_id=approver.id,
        at=at,
    )
    session.add(row)
    session.flush()
    journal.append(session, shift.counter_id, "cash_move", row.id, f"kas #{row.id}", now=at)
    return CashMoved(
        row.id, shift_id, shift.counter_id, kind, amount, reason, user_id, approver.id, at
    )
