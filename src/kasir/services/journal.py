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

Also in it: sensitive events (`record_event`: an audit_event row each) and checkpoints
(`record_checkpoint`: what a clean verify covered, on the store's own chain `STORE_CHAIN`).

`verify` (kasir.services.journal_verify) walks the chains and recomputes the digests from the
rows as they are now, from the latest checkpoint or from scratch; it names the first break of
each chain and every document changed, removed or added behind the journal's back, by receipt
number and time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from kasir.store.bulk import insert_many, prepared
from kasir.store.models import (
    AuditEvent,
    CancelledSale,
    CancelledSaleLine,
    CashMovement,
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

if TYPE_CHECKING:
    from kasir.services.journal_verify import VerifyResult

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
# Issue 19: a cash movement (kas masuk/keluar) and a shift's blind count with the reason of its
# difference (`shift_count`, besides the shift_close entry, whose columns are frozen).
CASH_MOVE_COLUMNS = (
    "id", "uuid", "shift_id", "counter_id", "kind", "amount", "reason", "user_id",
    "approved_by_id", "at",
)  # fmt: skip
SHIFT_COUNT_COLUMNS = ("id", "counted_cash", "counted_detail", "difference_reason")
# An event (`record_event`): its audit_event row, as written.
EVENT_COLUMNS = ("id", "at", "user_id", "action", "entity", "entity_id", "payload")

DOCUMENT_KINDS = (
    "sale", "refund", "void", "shift_open", "shift_close", "event", "cancelled", "checkpoint",
    "cash_move", "shift_count",
)  # fmt: skip
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
_CASH_MOVE = table_of(CashMovement)
# The documents of one row: their table and the columns their digest covers.
_ROW_DOCUMENTS: dict[str, tuple[Any, Sequence[str]]] = {
    "shift_open": (_SHIFT, SHIFT_OPEN_COLUMNS),
    "shift_close": (_SHIFT, SHIFT_CLOSE_COLUMNS),
    "event": (_EVENT, EVENT_COLUMNS),
    "checkpoint": (_EVENT, EVENT_COLUMNS),  # a checkpoint's record is an audit_event row
    "cash_move": (_CASH_MOVE, CASH_MOVE_COLUMNS),
    "shift_count": (_SHIFT, SHIFT_COUNT_COLUMNS),
}


def _digest(parts: Iterable[Any]) -> str:
    return hashlib.sha256(canonical(list(parts))).hexdigest()


def sale_values_digest(
    sale: Sequence[Any],
    lines: Iterable[Sequence[Any]],
    payments: Iterable[Sequence[Any]],
    movements: Iterable[Sequence[Any]],
) -> str:
    """`sale_digest` of rows given as the values of SALE_COLUMNS ... MOVEMENT_COLUMNS."""
    return _digest(
        [
            list(sale),
            sorted(list(r) for r in lines),
            sorted(list(r) for r in payments),
            sorted(list(r) for r in movements),
        ]
    )


def sale_digest(
    sale: Mapping[Any, Any],
    lines: Iterable[Mapping[Any, Any]],
    payments: Iterable[Mapping[Any, Any]],
    movements: Iterable[Mapping[Any, Any]],
) -> str:
    """The digest of a sale or refund from its rows: as just written (the checkout passes the
    rows it inserted) or as read back (`document_digests`), the same either way."""
    return sale_values_digest(
        _row(sale, SALE_COLUMNS),
        (_row(r, LINE_COLUMNS) for r in lines),
        (_row(r, PAYMENT_COLUMNS) for r in payments),
        (_row(r, MOVEMENT_COLUMNS) for r in movements),
    )


def void_digest(
    sale: Sequence[Any], references: Iterable[Sequence[Any]], movements: Iterable[Sequence[Any]]
) -> str:
    """The digest of a void: the sale's VOID_COLUMNS, its payments' (uuid, reversal_reference)
    in uuid order, its void movements' MOVEMENT_COLUMNS."""
    return _digest([list(sale), [list(r) for r in references], sorted(list(r) for r in movements)])


def row_digest(row: Sequence[Any]) -> str:
    """The digest of a one-row document: a shift opened or closed, an event."""
    return _digest([list(row)])


# Which column of each per-sale table holds the sale's id.
_LINE_SALE = LINE_COLUMNS.index("sale_id")
_PAY_SALE = PAYMENT_COLUMNS.index("sale_id")
_MOVE_SALE = MOVEMENT_COLUMNS.index("sale_id")


def _by_sale(conn: Connection, stmt: Any, at: int) -> dict[int, list[Sequence[Any]]]:
    """The rows of `stmt` grouped by the sale id in column `at`, in the order they came."""
    out: dict[int, list[Sequence[Any]]] = {}
    for row in conn.execute(stmt).all():  # fetchall: far quicker than row by row
        out.setdefault(row[at], []).append(row)
    return out


def document_digests(session: Session, kind: str, doc_ids: Iterable[int]) -> dict[int, str]:
    """The digests of documents `doc_ids` of `kind` as stored now, by id (a document gone is
    not in it): one statement per table for all of them (`verify` passes a page of entries)."""
    ids = sorted(set(doc_ids))
    if not ids:
        return {}
    conn = session.connection()
    if kind in ("sale", "refund"):
        sales = conn.execute(_rows(_SALE, SALE_COLUMNS, _SALE.c.id.in_(ids), ())).all()
        in_sales = _MOVE.c.sale_id.in_(ids) & (_MOVE.c.kind == kind)
        lines = _by_sale(conn, _rows(_LINE, LINE_COLUMNS, _LINE.c.sale_id.in_(ids), ()), _LINE_SALE)
        pays = _by_sale(conn, _rows(_PAY, PAYMENT_COLUMNS, _PAY.c.sale_id.in_(ids), ()), _PAY_SALE)
        moves = _by_sale(conn, _rows(_MOVE, MOVEMENT_COLUMNS, in_sales, ()), _MOVE_SALE)
        return {
            s[0]: sale_values_digest(
                s, lines.get(s[0], ()), pays.get(s[0], ()), moves.get(s[0], ())
            )
            for s in sales
        }
    if kind == "void":
        sales = conn.execute(_rows(_SALE, VOID_COLUMNS, _SALE.c.id.in_(ids), ())).all()
        references = (
            select(_PAY.c.uuid, _PAY.c.reversal_reference, _PAY.c.sale_id)
            .where(_PAY.c.sale_id.in_(ids))
            .order_by(_PAY.c.uuid)
        )
        refs = _by_sale(conn, references, 2)
        in_sales = _MOVE.c.sale_id.in_(ids) & (_MOVE.c.kind == "void")
        moves = _by_sale(conn, _rows(_MOVE, MOVEMENT_COLUMNS, in_sales, ()), _MOVE_SALE)
        return {
            s[0]: void_digest(s, (r[:2] for r in refs.get(s[0], ())), moves.get(s[0], ()))
            for s in sales
        }
    if kind == "cancelled":
        heads = conn.execute(
            _rows(_CANCELLED, CANCELLED_COLUMNS, _CANCELLED.c.id.in_(ids), ())
        ).all()
        cart_lines = _by_sale(
            conn,
            _rows(_CLINE, CANCELLED_LINE_COLUMNS, _CLINE.c.cancelled_sale_id.in_(ids), ()),
            CANCELLED_LINE_COLUMNS.index("cancelled_sale_id"),
        )
        dropped = _by_sale(
            conn,
            _rows(_REMOVED, REMOVED_PAYMENT_COLUMNS, _REMOVED.c.cancelled_sale_id.in_(ids), ()),
            REMOVED_PAYMENT_COLUMNS.index("cancelled_sale_id"),
        )
        return {
            h[0]: _digest(
                [
                    list(h),
                    sorted(list(r) for r in cart_lines.get(h[0], ())),
                    sorted(list(r) for r in dropped.get(h[0], ())),
                ]
            )
            for h in heads
        }
    table, columns = _ROW_DOCUMENTS[kind]
    found = conn.execute(_rows(table, columns, table.c.id.in_(ids), ())).all()
    return {row[0]: row_digest(row) for row in found}


def document_digest(session: Session, kind: str, doc_id: int) -> str | None:
    """The digest of a document as it is stored now; None when it is gone."""
    return document_digests(session, kind, [doc_id]).get(doc_id)


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
    event_id, digest = _event_row(
        session, at, action, user_id, entity, str(entity_id), dict(detail or {})
    )
    ref = f"{action} {entity_id}".strip()[:64]
    append(session, counter_id, "event", event_id, ref, now=at, digest=digest)
    return event_id


def _event_row(
    session: Session,
    at: dt.datetime,
    action: str,
    user_id: int | None,
    entity: str,
    entity_id: str,
    detail: Mapping[str, Any],
) -> tuple[int, str]:
    """Insert an audit_event row: its id and digest (also its `hash` column)."""
    row: dict[str, Any] = {
        "at": at,
        "user_id": user_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "payload": canonical(detail).decode(),
        "prev_hash": "",
    }
    conn = session.connection()
    row["id"] = conn.execute(
        _EVENT.insert().values(hash="").returning(_EVENT.c.id), row
    ).scalar_one()
    digest = row_digest(_row(row, EVENT_COLUMNS))
    conn.execute(_EVENT.update().where(_EVENT.c.id == row["id"]).values(hash=digest))
    return int(row["id"]), digest


CHECKPOINT_ACTION = "checkpoint"  # the audit_event action of a checkpoint's record


def record_checkpoint(
    session: Session, coverage: Mapping[str, Any], ref: str, *, now: dt.datetime | None = None
) -> int:
    """Journal a checkpoint on the store's chain: an audit_event row (action "checkpoint")
    holding `coverage` (what a clean verify covered, see `kasir.services.journal_verify`) and
    an entry of kind "checkpoint" with that row's digest. The entry's sequence number."""
    at = (now or utcnow()).astimezone(dt.UTC)
    event_id, digest = _event_row(session, at, CHECKPOINT_ACTION, None, "journal", ref, coverage)
    return append(
        session, None, "checkpoint", event_id, ref, now=at, chain=STORE_CHAIN, digest=digest
    )


KIND_NAMES = {
    "sale": "penjualan",
    "refund": "retur",
    "void": "void",
    "shift_open": "buka shift",
    "shift_close": "tutup shift",
    "event": "peristiwa",
    "cancelled": "keranjang batal",
    "checkpoint": "titik periksa",
    "cash_move": "kas masuk/keluar",
    "shift_count": "hitungan kas shift",
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
    # Issue 19 (kasir.services.settlement), on the store's chain.
    "day_close": "Hari ditutup (laporan setoran PNBP)",
    "deposit": "Data setoran PNBP dicatat",
}


def verify(session: Session, *, full: bool = False) -> VerifyResult:
    """Check the journal against the store: from the latest checkpoint, or from scratch with
    `full` (see `kasir.services.journal_verify.verify`)."""
    from kasir.services.journal_verify import verify as verify_journal

    return verify_journal(session, full=full)


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
