"""The print queue and the cash drawer in the store (issue 17).

A print job is a row of `print_job`: the exact bytes for one counter's printer (a receipt after
its sale, a reprint a person asked for, a test page, a drawer pulse), queued, then sent or failed
with its attempts and its last error. Jobs are sent in the order queued, one counter's at a
time, by `kasir.output.print_queue`; a failed job stays first in line until it is sent, so a
receipt never overtakes an earlier one. Rows are kept after they are sent: the queue is the
printer's log and a receipt's reprints are its `reprint` jobs.

Every opening of a cash drawer is a row of `drawer_opening`: with a cash payment (its sale), or
by a supervisor's key (the reason and the approver).

Rendering the bytes is not done here (services never import `kasir.output`): `receipt_setup`
gives what the renderer needs from the settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from kasir.domain.vocab import PrintKind, PrintStatus
from kasir.errors import NotFound, ValidationError
from kasir.services import journal
from kasir.services.auth import Approval, check_approval
from kasir.settings import get_setting
from kasir.store.models import DrawerOpening, PrintJob, User, utcnow

UNSENT = (PrintStatus.QUEUED.value, PrintStatus.FAILED.value)
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class ReceiptSetup:
    """What the receipt renderer takes from the store's settings."""

    store_name: str
    store_address: str
    footer: str
    width: int
    profile: str
    codepage: str
    timeout_s: float
    drawer_on_cash: bool
    drawer_pin: int
    drawer_pulse_ms: int


def receipt_setup(session: Session) -> ReceiptSetup:
    return ReceiptSetup(
        store_name=str(get_setting(session, "store_name")),
        store_address=str(get_setting(session, "store_address")),
        footer=str(get_setting(session, "receipt_footer")),
        width=int(get_setting(session, "receipt_width")),
        profile=str(get_setting(session, "printer_profile")),
        codepage=str(get_setting(session, "printer_codepage")),
        timeout_s=float(get_setting(session, "printer_timeout_s")),
        drawer_on_cash=bool(get_setting(session, "drawer_on_cash")),
        drawer_pin=int(get_setting(session, "drawer_pin")),
        drawer_pulse_ms=int(get_setting(session, "drawer_pulse_ms")),
    )


@dataclass(frozen=True)
class JobView:
    id: int
    counter_id: int
    kind: str
    title: str
    status: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    sale_id: int | None = None
    copy_no: int = 0
    requested_by: str | None = None  # the user's name


def _view(job: PrintJob, requested_by: str | None = None) -> JobView:
    return JobView(
        job.id,
        job.counter_id,
        job.kind,
        job.title,
        job.status,
        job.attempts,
        job.last_error,
        job.created_at,
        job.sent_at,
        job.sale_id,
        job.copy_no,
        requested_by,
    )


def add_job(
    session: Session,
    counter_id: int,
    kind: str,
    payload: bytes,
    *,
    title: str,
    sale_id: int | None = None,
    copy_no: int = 0,
    requested_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Queue `payload` for the counter's printer; the job's id."""
    if not payload:
        raise ValidationError("Tidak ada yang dicetak (data kosong).")
    job = PrintJob(
        counter_id=counter_id,
        kind=PrintKind(kind).value,
        payload=payload,
        title=title[:200],
        sale_id=sale_id,
        copy_no=copy_no,
        requested_by_id=requested_by_id,
        created_at=(now or utcnow()).astimezone(dt.UTC),
    )
    session.add(job)
    session.flush()
    return job.id


def receipt_job_of(session: Session, sale_id: int) -> int | None:
    """The job of a document's own receipt (not a reprint), if it was queued."""
    return session.scalar(
        select(PrintJob.id)
        .where(PrintJob.sale_id == sale_id, PrintJob.kind == PrintKind.RECEIPT.value)
        .order_by(PrintJob.id)
        .limit(1)
    )


def next_copy_no(session: Session, sale_id: int) -> int:
    """The number of the next reprint of a document: 1 for the first copy."""
    done = session.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(PrintJob.sale_id == sale_id, PrintJob.kind == PrintKind.REPRINT.value)
    )
    return int(done or 0) + 1


def reprint_count(session: Session, sale_id: int) -> int:
    return next_copy_no(session, sale_id) - 1


@dataclass(frozen=True)
class NextJob:
    id: int
    title: str
    payload: bytes
    attempts: int


def next_job(session: Session, counter_id: int) -> NextJob | None:
    """The counter's oldest job not yet sent (a failed one first in line stays first)."""
    row = session.execute(
        select(PrintJob.id, PrintJob.title, PrintJob.payload, PrintJob.attempts)
        .where(PrintJob.counter_id == counter_id, PrintJob.status.in_(UNSENT))
        .order_by(PrintJob.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return NextJob(row.id, row.title, bytes(row.payload), row.attempts)


def mark_sent(session: Session, job_id: int, now: dt.datetime | None = None) -> bool:
    """The printer took every byte. False when the job was sent already (by another)."""
    done: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.status.in_(UNSENT))
        .values(
            status=PrintStatus.SENT.value,
            attempts=PrintJob.attempts + 1,
            sent_at=(now or utcnow()).astimezone(dt.UTC),
            last_error=None,
        )
    )
    return bool(done.rowcount)


def mark_failed(session: Session, job_id: int, error: str) -> None:
    """The attempt failed with `error` (the cause, in Indonesian); the job waits in line."""
    session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.status.in_(UNSENT))
        .values(
            status=PrintStatus.FAILED.value,
            attempts=PrintJob.attempts + 1,
            last_error=error[:MAX_ERROR_LENGTH],
        )
    )


def next_job_payload(session: Session, job_id: int) -> bytes:
    payload = session.scalar(select(PrintJob.payload).where(PrintJob.id == job_id))
    if payload is None:
        raise NotFound(f"Tugas cetak #{job_id} tidak ada.")
    return bytes(payload)


def copy_no_of(session: Session, job_id: int) -> int:
    return int(session.scalar(select(PrintJob.copy_no).where(PrintJob.id == job_id)) or 0)


def unsent_count(session: Session, counter_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(PrintJob)
            .where(PrintJob.counter_id == counter_id, PrintJob.status.in_(UNSENT))
        )
        or 0
    )


def jobs(session: Session, counter_id: int | None = None, *, limit: int = 50) -> list[JobView]:
    """The newest jobs first (of one counter, or all), with who asked for them."""
    query = (
        select(PrintJob, User.full_name)
        .outerjoin(User, User.id == PrintJob.requested_by_id)
        .order_by(PrintJob.id.desc())
        .limit(limit)
    )
    if counter_id is not None:
        query = query.where(PrintJob.counter_id == counter_id)
    return [_view(job, name) for job, name in session.execute(query)]


def job(session: Session, job_id: int) -> JobView:
    found = session.get(PrintJob, job_id)
    if found is None:
        raise NotFound(f"Tugas cetak #{job_id} tidak ada.")
    return _view(found)


# --- the cash drawer -----------------------------------------------------------------------


@dataclass(frozen=True)
class DrawerView:
    id: int
    counter_id: int
    user_id: int
    opened_at: dt.datetime
    reason: str
    sale_id: int | None
    approved_by_id: int | None


def record_drawer(
    session: Session,
    counter_id: int,
    user_id: int,
    reason: str,
    *,
    sale_id: int | None = None,
    approved_by_id: int | None = None,
    print_job_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    opening = DrawerOpening(
        counter_id=counter_id,
        user_id=user_id,
        reason=reason,
        sale_id=sale_id,
        approved_by_id=approved_by_id,
        print_job_id=print_job_id,
        opened_at=(now or utcnow()).astimezone(dt.UTC),
    )
    session.add(opening)
    session.flush()
    if sale_id is None:  # a cash sale's drawer is in that sale's journal entry already
        journal.record_event(
            session,
            "drawer",
            user_id=user_id,
            counter_id=counter_id,
            entity="drawer_opening",
            entity_id=opening.id,
            detail={"reason": reason, "approved_by": approved_by_id},
            now=opening.opened_at,
        )
    return opening.id


def approve_drawer(
    session: Session,
    user_id: int,
    reason: str,
    approval: Approval | None,
    counter_id: int | None = None,
) -> int:
    """A drawer opened by a key, without a sale: a reason and a supervisor's approval. The
    approver's id (recorded with the opening by the caller)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Alasan membuka laci wajib diisi.")
    approver = check_approval(
        session,
        approval,
        f"Membuka laci uang ({reason})",
        requester_id=user_id,
        counter_id=counter_id,
        kind="drawer",
        detail={"reason": reason},
    )
    return approver.id


def drawer_openings(session: Session, counter_id: int, *, limit: int = 50) -> list[DrawerView]:
    rows = session.scalars(
        select(DrawerOpening)
        .where(DrawerOpening.counter_id == counter_id)
        .order_by(DrawerOpening.id.desc())
        .limit(limit)
    )
    return [
        DrawerView(
            r.id, r.counter_id, r.user_id, r.opened_at, r.reason, r.sale_id, r.approved_by_id
        )
        for r in rows
    ]
