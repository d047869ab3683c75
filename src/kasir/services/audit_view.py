"""Reading the journal for the audit view (issue 18): entries newest first, with filters.

Each entry of every chain (a counter's, or the store's own `journal.STORE_CHAIN`) as a plain
row: when, which chain and number, what (a document kind, or for an event its action with the
Indonesian name of `journal.EVENT_NAMES`), its reference, whose it is (the event's user, the
cashier of a sale or refund, who voided, who opened or closed a shift) and, for an event, its
detail. Checking the journal is `journal.verify`; this module only reads.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session

from kasir.services.journal import EVENT_NAMES, KIND_NAMES
from kasir.store.models import AuditEvent, JournalEntry, Sale, Shift, User
from kasir.timeutil import JAKARTA

# The "what" filter: a document kind or an event's action, with its Indonesian name.
KINDS: dict[str, str] = {
    **{k: v.capitalize() for k, v in KIND_NAMES.items() if k != "event"},
    **EVENT_NAMES,
}
_DOCUMENTS = frozenset(KIND_NAMES) - {"event"}


@dataclass(frozen=True)
class AuditRow:
    chain: str
    seq: int
    at: dt.datetime
    kind: str  # a document kind ("sale", ...) or an event's action ("login", ...)
    name: str  # in Indonesian
    ref: str  # the receipt number, the shift, or what the event was about
    user_id: int | None
    username: str
    full_name: str
    detail: str  # an event's detail as "key: value" pairs; "" otherwise


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments from the start of `first` to the end of `last` (business days, Jakarta):
    `since` and `until` for `list_entries`."""
    start = dt.datetime.combine(first, dt.time(), JAKARTA)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), JAKARTA)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _detail(payload: str | None) -> str:
    if not payload:
        return ""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload
    if not isinstance(data, dict):
        return str(data)
    return ", ".join(f"{k}: {v}" for k, v in data.items())


def chains(session: Session) -> list[str]:
    """Every chain in the journal, in order (the counters' codes, the store's own)."""
    return sorted(str(c) for c in session.scalars(select(JournalEntry.chain).distinct()))


def list_entries(
    session: Session,
    *,
    chain: str | None = None,
    user_id: int | None = None,
    kind: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """Journal entries, newest first, at most `limit`: of one `chain`, whose user is
    `user_id`, of one `kind` (a document kind or an event action, see `KINDS`), from `since`
    (inclusive) to `until` (exclusive)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"audit kind: {kind!r}")
    j = JournalEntry
    is_event = j.kind == "event"
    owner = case(
        (is_event, AuditEvent.user_id),
        (j.kind == "void", Sale.voided_by_id),
        (j.kind.in_(("sale", "refund")), Sale.cashier_id),
        (j.kind == "shift_close", Shift.closed_by_id),
        (j.kind == "shift_open", Shift.cashier_id),
        else_=None,
    )
    query = (
        select(
            j.chain,
            j.seq,
            j.at,
            j.kind,
            j.ref,
            AuditEvent.action,
            AuditEvent.entity_id,
            AuditEvent.payload,
            owner.label("owner"),
            User.username,
            User.full_name,
        )
        .outerjoin(AuditEvent, and_(is_event, AuditEvent.id == j.doc_id))
        .outerjoin(Sale, and_(j.kind.in_(("sale", "refund", "void")), Sale.id == j.doc_id))
        .outerjoin(Shift, and_(j.kind.in_(("shift_open", "shift_close")), Shift.id == j.doc_id))
        .outerjoin(User, User.id == owner)
    )
    if chain is not None:
        query = query.where(j.chain == chain)
    if user_id is not None:
        query = query.where(owner == user_id)
    if kind in _DOCUMENTS:
        query = query.where(j.kind == kind)
    elif kind is not None:
        query = query.where(is_event, AuditEvent.action == kind)
    if since is not None:
        query = query.where(j.at >= since)
    if until is not None:
        query = query.where(j.at < until)
    query = query.order_by(j.at.desc(), j.id.desc()).limit(max(1, limit))
    rows: list[AuditRow] = []
    for r in session.execute(query):
        what = r.action if r.kind == "event" and r.action else r.kind
        rows.append(
            AuditRow(
                chain=r.chain,
                seq=r.seq,
                at=r.at,
                kind=what,
                name=KINDS.get(what, what),
                ref=(r.entity_id or "") if r.kind == "event" else r.ref,
                user_id=r.owner,
                username=r.username or "",
                full_name=r.full_name or "",
                detail=_detail(r.payload) if r.kind == "event" else "",
            )
        )
    return rows
