"""The tamper-evident journal (issue 18, first part): an append-only, hash-chained log, one
chain per counter, written in the same transaction as what it records.

Each entry holds the chain (the counter's code), its sequence number (1, 2, 3 ... without gaps),
when, what kind, which document (`doc_table`, `doc_id`, `ref`: the receipt number), the digest of
the document's content, the previous entry's hash and its own hash: SHA-256 over the canonical
JSON of all of these. Changing an entry breaks its hash; removing or inserting one breaks the
sequence or the next entry's `prev_hash`; rewriting the whole chain after an entry cannot be
hidden from a copy of any later hash.

What goes in (this part): every sale and refund with every line, payment and stock movement
(`sale`, `refund`); every void with its reversal references and stock movements (`void`); every
shift opened (the opening float) and closed (expected and counted cash, who closed and approved).
Their digests cover the columns listed in `SALE_COLUMNS` ... `SHIFT_CLOSE_COLUMNS`, frozen
here: a later column is not part of an older digest.

`verify` walks every chain and recomputes every digest from the rows as they are now; it names
the first break of each chain and every document changed, removed or added behind the journal's
back, by receipt number and time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kasir.store.bulk import insert_many, prepared
from kasir.store.models import (
    AuditEvent,
    CancelledSale,
    CancelledSaleLine,
    Counter,
    JournalEntry,
    Payment,
    RemovedPayment,
    Sale,
    SaleLine,
    Shift,
    StockMovement,
    table_of,
    utcnow,
)
from kasir.timeutil import local

GENESIS = "0" * 64

# The columns each digest covers (frozen: never add to a list, make a new kind instead).
SALE_COLUMNS = (
    "id", "uuid", "receipt_number", "kind", "counter_id", "shift_id", "cashier_id",
    "business_date", "seq", "created_at", "original_sale_id", "subtotal", "line_discount_total",
    "order_discount", "order_discount_bp", "tax_total", "total", "rounding", "reason",
    "order_discount_approved_by_id", "refund_approved_by_id",
)  # fmt: skip
LINE_COLUMNS = (
    "uuid", "sale_id", "line_no", "product_id", "sku", "barcode", "name", "upt_id", "upt_code",
    "category", "unit_price", "list_price", "cost", "qty", "unit", "qty_scale", "line_discount",
    "order_discount_share", "tax", "line_total", "original_line_id", "discount_approved_by_id",
    "price_approved_by_id",
)  # fmt: skip
PAYMENT_COLUMNS = (
    "uuid", "sale_id", "document_kind", "method", "amount", "tendered", "change", "reference",
)  # fmt: skip
MOVEMENT_COLUMNS = ("product_id", "qty", "kind", "sale_id", "user_id", "reference")
VOID_COLUMNS = (
    "id",
    "receipt_number",
    "status",
    "voided_at",
    "void_reason",
    "voided_by_id",
    "void_approved_by_id",
)
SHIFT_OPEN_COLUMNS = (
    "id",
    "uuid",
    "counter_id",
    "cashier_id",
    "business_date",
    "opened_at",
    "opening_float",
)
SHIFT_CLOSE_COLUMNS = (
    "id",
    "status",
    "closed_at",
    "expected_cash",
    "counted_cash",
    "counted_detail",
    "closed_by_id",
    "close_approved_by_id",
)

# A cancelled cart (Esc at the till): its row, its lines as priced, the payments dropped.
CANCELLED_COLUMNS = (
    "id", "uuid", "counter_id", "shift_id", "cashier_id", "business_date", "cancelled_at",
    "item_count", "subtotal", "discount_total", "total", "paid",
)  # fmt: skip
CANCELLED_LINE_COLUMNS = (
    "cancelled_sale_id", "line_no", "product_id", "sku", "name", "upt_code", "qty",
    "unit_price", "discount", "line_total",
)  # fmt: skip
REMOVED_PAYMENT_COLUMNS = (
    "uuid", "sale_uuid", "counter_id", "user_id", "removed_at", "method", "amount", "reference",
    "reason", "cancelled_sale_id",
)  # fmt: skip
# An event (`record_event`): its audit_event row, as written.
EVENT_COLUMNS = ("id", "at", "user_id", "action", "entity", "entity_id", "payload")

DOCUMENT_KINDS = ("sale", "refund", "void", "shift_open", "shift_close", "event", "cancelled")
# The chain of the events that happen at no counter (a user added or a setting changed with
# the command line): not a counter code (those are letters and digits).
STORE_CHAIN = "*toko"


def _plain(value: Any) -> Any:
    """A value as the canonical JSON holds it: the same whether it was just written or read back."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def canonical(data: Any) -> bytes:
    return json.dumps(data, default=_plain, ensure_ascii=False, separators=(",", ":")).encode()


def _row(row: Mapping[Any, Any], columns: Sequence[str]) -> list[Any]:
    # Plain values as they are: `canonical` turns dates, times and decimals into text. (Rows
    # sort by their first column, a unique UUID or product id: never None against a number.)
    return [row[c] for c in columns]


def _rows(table: Any, columns: Sequence[str], where: Any, order: Any) -> Any:
    return select(*(table.c[c] for c in columns)).where(where).order_by(*order)


_SALE, _LINE = Sale.__table__, SaleLine.__table__
_PAY, _MOVE, _SHIFT = Payment.__table__, StockMovement.__table__, Shift.__table__
_EVENT = table_of(AuditEvent)
_CANCELLED, _CLINE = CancelledSale.__table__, CancelledSaleLine.__table__
_REMOVED = RemovedPayment.__table__


def _digest(parts: Iterable[Any]) -> str:
    return hashlib.sha256(canonical(list(parts))).hexdigest()


def sale_digest(
    sale: Mapping[Any, Any],
    lines: Iterable[Mapping[Any, Any]],
    payments: Iterable[Mapping[Any, Any]],
    movements: Iterable[Mapping[Any, Any]],
) -> str:
    """The digest of a sale or refund from its rows: as just written (the checkout passes the
    rows it inserted) or as read back (`document_digest`), the same either way."""
    return _digest(
        [
            _row(sale, SALE_COLUMNS),
            sorted(_row(r, LINE_COLUMNS) for r in lines),
            sorted(_row(r, PAYMENT_COLUMNS) for r in payments),
            sorted(_row(r, MOVEMENT_COLUMNS) for r in movements),
        ]
    )


def document_digest(session: Session, kind: str, doc_id: int) -> str | None:
    """The digest of a document as it is stored now; None when it is gone."""
    conn = session.connection()
    if kind in ("sale", "refund"):
        sale = conn.execute(_rows(_SALE, SALE_COLUMNS, _SALE.c.id == doc_id, ())).mappings().first()
        if sale is None:
            return None
        lines = conn.execute(_rows(_LINE, LINE_COLUMNS, _LINE.c.sale_id == doc_id, ())).mappings()
        pays = conn.execute(_rows(_PAY, PAYMENT_COLUMNS, _PAY.c.sale_id == doc_id, ())).mappings()
        moves = conn.execute(
            _rows(_MOVE, MOVEMENT_COLUMNS, (_MOVE.c.sale_id == doc_id) & (_MOVE.c.kind == kind), ())
        ).mappings()
        return sale_digest(sale, list(lines), list(pays), list(moves))
    if kind == "void":
        sale = conn.execute(_rows(_SALE, VOID_COLUMNS, _SALE.c.id == doc_id, ())).mappings().first()
        if sale is None:
            return None
        refs = conn.execute(
            select(_PAY.c.uuid, _PAY.c.reversal_reference)
            .where(_PAY.c.sale_id == doc_id)
            .order_by(_PAY.c.uuid)
        ).all()
        moves = conn.execute(
            _rows(
                _MOVE, MOVEMENT_COLUMNS, (_MOVE.c.sale_id == doc_id) & (_MOVE.c.kind == "void"), ()
            )
        ).mappings()
        return _digest(
            [
                _row(sale, VOID_COLUMNS),
                [list(r) for r in refs],
                sorted(_row(r, MOVEMENT_COLUMNS) for r in moves),
            ]
        )
    if kind == "cancelled":
        head = conn.execute(
            _rows(_CANCELLED, CANCELLED_COLUMNS, _CANCELLED.c.id == doc_id, ())
        ).mappings()
        row = head.first()
        if row is None:
            return None
        lines = conn.execute(
            _rows(_CLINE, CANCELLED_LINE_COLUMNS, _CLINE.c.cancelled_sale_id == doc_id, ())
        ).mappings()
        dropped = conn.execute(
            _rows(_REMOVED, REMOVED_PAYMENT_COLUMNS, _REMOVED.c.cancelled_sale_id == doc_id, ())
        ).mappings()
        return _digest(
            [
                _row(row, CANCELLED_COLUMNS),
                sorted(_row(r, CANCELLED_LINE_COLUMNS) for r in lines),
                sorted(_row(r, REMOVED_PAYMENT_COLUMNS) for r in dropped),
            ]
        )
    if kind == "event":
        event = conn.execute(_rows(_EVENT, EVENT_COLUMNS, _EVENT.c.id == doc_id, ())).mappings()
        found = event.first()
        return None if found is None else _digest([_row(found, EVENT_COLUMNS)])
    columns = SHIFT_OPEN_COLUMNS if kind == "shift_open" else SHIFT_CLOSE_COLUMNS
    shift = conn.execute(_rows(_SHIFT, columns, _SHIFT.c.id == doc_id, ())).mappings().first()
    return None if shift is None else _digest([_row(shift, columns)])


def entry_hash(
    chain: str,
    seq: int,
    at: dt.datetime,
    kind: str,
    doc_id: int | None,
    ref: str,
    digest: str,
    prev_hash: str,
) -> str:
    return hashlib.sha256(
        canonical([chain, seq, at, kind, doc_id, ref, digest, prev_hash])
    ).hexdigest()


def _chain_of(session: Session, counter_id: int | None) -> str:
    if counter_id is None:
        return STORE_CHAIN
    code = session.scalar(select(Counter.code).where(Counter.id == counter_id))
    assert code is not None, f"counter {counter_id}"
    return str(code)


_JOURNAL = table_of(JournalEntry)
# The chain's last entry, locked (PostgreSQL) until the transaction ends: two writers on one
# chain queue up instead of forking it (SQLite: the write lock already serialises them).
_HEAD = (
    select(_JOURNAL.c.seq, _JOURNAL.c.hash)
    .where(_JOURNAL.c.chain == bindparam("chain"))
    .order_by(_JOURNAL.c.seq.desc())
    .limit(1)
)
_HEAD_LOCKED = _HEAD.with_for_update()


def append(
    session: Session,
    counter_id: int | None,
    kind: str,
    doc_id: int,
    ref: str,
    *,
    now: dt.datetime | None = None,
    chain: str | None = None,
    digest: str | None = None,
) -> int:
    """Journal document `doc_id` of `kind` on the counter's chain (`chain`: its code, when the
    caller knows it), in the caller's transaction, after its rows are written. `digest`: the
    caller's `sale_digest` of the rows it just wrote; else the rows are read back. The entry's
    sequence number. Straight to the driver: the checkout runs this for every sale."""
    conn = session.connection()
    chain = chain or _chain_of(session, counter_id)
    head = _HEAD_LOCKED if conn.dialect.name == "postgresql" else _HEAD
    last = prepared(head, conn.dialect).first(conn, {"chain": chain})
    seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
    if digest is None:
        digest = document_digest(session, kind, doc_id)
        assert digest is not None, f"journal: {kind} {doc_id} is not stored"
    at = (now or utcnow()).astimezone(dt.UTC)
    row = {
        "chain": chain,
        "seq": seq,
        "at": at,
        "kind": kind,
        "doc_id": doc_id,
        "ref": ref,
        "digest": digest,
        "prev_hash": prev,
        "hash": entry_hash(chain, seq, at, kind, doc_id, ref, digest, prev),
    }
    insert_many(conn, _JOURNAL, [row])
    return seq


def record_event(
    session: Session,
    action: str,
    *,
    user_id: int | None,
    counter_id: int | None = None,
    entity: str = "",
    entity_id: str | int = "",
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Record a sensitive event (see EVENT_NAMES) and journal it on the counter's chain (the
    store's own chain, `STORE_CHAIN`, when it happened at no counter), in the caller's
    transaction: its audit_event id. `user_id`: whose event (the approver of an approval);
    `detail`: what and how much, as plain JSON values. Never a PIN."""
    assert action in EVENT_NAMES, action
    at = (now or utcnow()).astimezone(dt.UTC)
    row: dict[str, Any] = {
        "at": at,
        "user_id": user_id,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "payload": canonical(dict(detail or {})).decode(),
        "prev_hash": "",
    }
    conn = session.connection()
    row["id"] = conn.execute(
        _EVENT.insert().values(hash="").returning(_EVENT.c.id), row
    ).scalar_one()
    digest = _digest([_row(row, EVENT_COLUMNS)])
    conn.execute(_EVENT.update().where(_EVENT.c.id == row["id"]).values(hash=digest))
    ref = f"{action} {entity_id}".strip()[:64]
    append(session, counter_id, "event", row["id"], ref, now=at, digest=digest)
    return int(row["id"])


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """One thing the journal and the store disagree on, in one Indonesian sentence."""

    chain: str
    text: str


@dataclass(frozen=True)
class VerifyResult:
    chains: int
    entries: int
    documents: int
    breaks: tuple[Break, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def _when(at: dt.datetime) -> str:
    return f"{local(at):%d-%m-%Y %H:%M:%S}"


KIND_NAMES = {
    "sale": "penjualan",
    "refund": "retur",
    "void": "void",
    "shift_open": "buka shift",
    "shift_close": "tutup shift",
    "event": "peristiwa",
    "cancelled": "keranjang batal",
}
# The events `record_event` takes, with their Indonesian names (the audit view).
EVENT_NAMES = {
    "login": "Masuk",
    "login_failed": "PIN salah saat masuk",
    "locked": "Pengguna terkunci",
    "logout": "Keluar",
    "screen_lock": "Layar dikunci",
    "screen_unlock": "Layar dibuka",
    "approval": "Persetujuan supervisor",
    "approval_refused": "Persetujuan ditolak",
    "cart_cancelled": "Keranjang dibatalkan",
    "drawer": "Laci uang dibuka",
    "reprint": "Cetak ulang struk",
    "setting": "Pengaturan diubah",
    "user_added": "Pengguna ditambahkan",
    "user_disabled": "Pengguna dinonaktifkan",
    "user_enabled": "Pengguna diaktifkan",
    "pin_reset": "PIN diatur ulang",
    "first_admin": "Administrator pertama dibuat",
    "refused": "Ditolak (tidak berwenang)",
}


def verify(session: Session) -> VerifyResult:
    """Walk every chain and recompute every digest from the rows as they are now."""
    breaks: list[Break] = []
    entries = 0
    documents = 0
    journaled: dict[str, set[int]] = {k: set() for k in DOCUMENT_KINDS}
    chains = [str(c) for c in session.scalars(select(JournalEntry.chain).distinct())]
    for chain in sorted(chains):
        expected_seq, prev, broken = 1, GENESIS, False
        for e in session.scalars(
            select(JournalEntry).where(JournalEntry.chain == chain).order_by(JournalEntry.seq)
        ):
            entries += 1
            what = f"entri #{e.seq} ({KIND_NAMES.get(e.kind, e.kind)} {e.ref}, {_when(e.at)})"
            if not broken:
                if e.seq != expected_seq:
                    gap = "hilang" if e.seq > expected_seq else "ganda"
                    breaks.append(
                        Break(
                            chain,
                            f"Jurnal meja {chain}: entri #{expected_seq} {gap} "
                            f"(berikutnya {what}).",
                        )
                    )
                    broken = True
                elif e.prev_hash != prev or e.hash != entry_hash(
                    e.chain, e.seq, e.at, e.kind, e.doc_id, e.ref, e.digest, e.prev_hash
                ):
                    breaks.append(Break(chain, f"Jurnal meja {chain}: {what} diubah."))
                    broken = True
            expected_seq, prev = e.seq + 1, e.hash
            if e.doc_id is None or e.kind not in journaled:
                continue
            journaled[e.kind].add(e.doc_id)
            documents += 1
            now = document_digest(session, e.kind, e.doc_id)
            if now is None:
                breaks.append(
                    Break(
                        chain,
                        f"Meja {chain}: {KIND_NAMES[e.kind]} {e.ref} ({_when(e.at)}) "
                        "tercatat di jurnal tetapi sudah tidak ada di database.",
                    )
                )
            elif now != e.digest:
                breaks.append(
                    Break(
                        chain,
                        f"Meja {chain}: {KIND_NAMES[e.kind]} {e.ref} ({_when(e.at)}) "
                        "diubah sesudah dicatat di jurnal.",
                    )
                )
    breaks += _unjournaled(session, journaled)
    return VerifyResult(len(chains), entries, documents, tuple(breaks))


def _unjournaled(session: Session, journaled: Mapping[str, set[int]]) -> list[Break]:
    """Documents in the store the journal does not know: added behind its back."""
    out: list[Break] = []
    codes = {row[0]: row[1] for row in session.execute(select(Counter.id, Counter.code))}
    for sale_id, number, kind, status, counter_id, created in session.execute(
        select(
            Sale.id, Sale.receipt_number, Sale.kind, Sale.status, Sale.counter_id, Sale.created_at
        )
    ):
        chain = str(codes.get(counter_id, "?"))
        if sale_id not in journaled[kind]:
            out.append(
                Break(
                    chain,
                    f"Meja {chain}: {KIND_NAMES[kind]} {number} ({_when(created)}) "
                    "tidak tercatat di jurnal (ditambahkan di luar Kasir?).",
                )
            )
        if status == "voided" and sale_id not in journaled["void"]:
            out.append(
                Break(chain, f"Meja {chain}: {number} ditandai void tanpa catatan void di jurnal.")
            )
    for shift_id, counter_id, status, opened in session.execute(
        select(Shift.id, Shift.counter_id, Shift.status, Shift.opened_at)
    ):
        chain = str(codes.get(counter_id, "?"))
        if shift_id not in journaled["shift_open"]:
            out.append(
                Break(
                    chain,
                    f"Meja {chain}: shift #{shift_id} ({_when(opened)}) tidak tercatat di jurnal.",
                )
            )
        if status == "closed" and shift_id not in journaled["shift_close"]:
            out.append(
                Break(chain, f"Meja {chain}: shift #{shift_id} ditutup tanpa catatan di jurnal.")
            )
    for cancelled_id, counter_id, at in session.execute(
        select(CancelledSale.id, CancelledSale.counter_id, CancelledSale.cancelled_at)
    ):
        if cancelled_id not in journaled["cancelled"]:
            chain = str(codes.get(counter_id, "?"))
            out.append(
                Break(
                    chain,
                    f"Meja {chain}: keranjang batal #{cancelled_id} ({_when(at)}) tidak "
                    "tercatat di jurnal (ditambahkan di luar Kasir?).",
                )
            )
    for event_id, action, at in session.execute(
        select(AuditEvent.id, AuditEvent.action, AuditEvent.at)
    ):
        if event_id not in journaled["event"]:
            name = EVENT_NAMES.get(action, action)
            out.append(
                Break(
                    "?",
                    f"Peristiwa #{event_id} ({name}, {_when(at)}) tidak tercatat di jurnal "
                    "(ditambahkan di luar Kasir?).",
                )
            )
    return out


def journal_existing(session: Session) -> int:
    """Journal every document of a store that has none yet (the upgrade to the journal):
    per counter, its shifts opened, sales and refunds, voids, shifts closed. The number of
    entries written."""
    written = 0
    for counter_id in session.scalars(select(Counter.id).order_by(Counter.id)):
        for shift_id, opened in session.execute(
            select(Shift.id, Shift.opened_at)
            .where(Shift.counter_id == counter_id)
            .order_by(Shift.id)
        ):
            append(session, counter_id, "shift_open", shift_id, f"shift #{shift_id}", now=opened)
            written += 1
        for sale_id, number, kind, created in session.execute(
            select(Sale.id, Sale.receipt_number, Sale.kind, Sale.created_at)
            .where(Sale.counter_id == counter_id)
            .order_by(Sale.id)
        ):
            append(session, counter_id, kind, sale_id, number, now=created)
            written += 1
        for sale_id, number, voided in session.execute(
            select(Sale.id, Sale.receipt_number, Sale.voided_at)
            .where(Sale.counter_id == counter_id, Sale.status == "voided")
            .order_by(Sale.id)
        ):
            append(session, counter_id, "void", sale_id, number, now=voided)
            written += 1
        for shift_id, closed in session.execute(
            select(Shift.id, Shift.closed_at)
            .where(Shift.counter_id == counter_id, Shift.status == "closed")
            .order_by(Shift.id)
        ):
            append(session, counter_id, "shift_close", shift_id, f"shift #{shift_id}", now=closed)
            written += 1
    for cancelled_id, counter_id, at in session.execute(
        select(CancelledSale.id, CancelledSale.counter_id, CancelledSale.cancelled_at).order_by(
            CancelledSale.id
        )
    ):
        ref = f"batal #{cancelled_id}"
        append(session, counter_id, "cancelled", cancelled_id, ref, now=at)
        written += 1
    for event_id, action, entity_id, at in session.execute(
        select(AuditEvent.id, AuditEvent.action, AuditEvent.entity_id, AuditEvent.at).order_by(
            AuditEvent.id
        )
    ):
        ref = f"{action} {entity_id}".strip()[:64]
        append(session, None, "event", event_id, ref, now=at)
        written += 1
    return written
