"""Verifying the journal (kasir.services.journal): from scratch, or from the latest checkpoint.

From scratch (`verify(session, full=True)`) every chain is walked from its first entry (sequence
without gaps, each entry's hash and `prev_hash`), every journaled document's digest is
recomputed from its rows as they are now, and every sale, shift and event of the store must be
journaled.

After a clean verify, `write_checkpoint` journals what it covered (a `Coverage`) on the store's
own chain, `journal.STORE_CHAIN`: per chain the last entry verified (sequence number, hash, and
a fold of the documents' digests up to it), the highest sale, shift and event ids of the store
then and how many there were (and how many voided, closed). The next verify
(`verify(session)`) trusts everything up to the latest checkpoint: it checks the checkpoint
entry (its hash, its link to the entry before it, its record's digest), that each chain's entry
at the recorded number still has the recorded hash and that no entry before it is missing,
then walks only the entries after it and recomputes only their documents; documents with ids
above the recorded ones must be journaled, and the counts up to those ids must be the recorded
ones plus what was journaled since. An edit of a document already covered by a checkpoint is
found only from scratch: that is what `full` is for (README, "The journal").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from kasir.services import journal
from kasir.services.journal import (
    EVENT_NAMES,
    GENESIS,
    KIND_NAMES,
    STORE_CHAIN,
    document_digest,
    document_digests,
    entry_hash,
)
from kasir.store.models import (
    AuditEvent,
    CancelledSale,
    CashMovement,
    Counter,
    JournalEntry,
    Sale,
    Shift,
    table_of,
    utcnow,
)
from kasir.timeutil import local

PAGE = 1000  # entries read per statement, their documents read together

_JOURNAL = table_of(JournalEntry)
_ENTRY = (
    _JOURNAL.c.chain,
    _JOURNAL.c.seq,
    _JOURNAL.c.at,
    _JOURNAL.c.kind,
    _JOURNAL.c.doc_id,
    _JOURNAL.c.ref,
    _JOURNAL.c.digest,
    _JOURNAL.c.prev_hash,
    _JOURNAL.c.hash,
)
_PAGE = (
    select(*_ENTRY)
    .where(_JOURNAL.c.chain == bindparam("chain"), _JOURNAL.c.seq > bindparam("after"))
    .order_by(_JOURNAL.c.seq)
    .limit(PAGE)
)
_CHECKPOINTS = select(*_ENTRY).where(
    _JOURNAL.c.chain == STORE_CHAIN, _JOURNAL.c.kind == "checkpoint"
)
_EVENT = table_of(AuditEvent)
# The set of journaled ids each document kind goes to (a checkpoint's record is an event row).
_JOURNALED = {"checkpoint": "event"}


@dataclass(frozen=True)
class Break:
    """One thing the journal and the store disagree on, in one Indonesian sentence."""

    chain: str
    text: str


@dataclass(frozen=True)
class Head:
    """A chain as verified up to entry `seq`: that entry's hash, and `docs`, the fold of the
    digests of the documents of entries 1 ... seq (`_fold`)."""

    seq: int
    hash: str
    docs: str


START = Head(0, GENESIS, GENESIS)


def _fold(docs: str, digest: str) -> str:
    return hashlib.sha256(f"{docs}{digest}".encode()).hexdigest()


# What is counted up to the recorded ids (`Coverage.tally`), in Indonesian, and which id.
TALLY_NAMES = {
    "sale": "penjualan dan retur",
    "voided": "transaksi void",
    "shift": "shift",
    "closed": "shift ditutup",
    "event": "peristiwa",
}
TALLY_MARK = {
    "sale": "sale",
    "voided": "sale",
    "shift": "shift",
    "closed": "shift",
    "event": "event",
}


@dataclass(frozen=True)
class Coverage:
    """What a clean verify covered, as a checkpoint records it."""

    heads: Mapping[str, Head]  # per chain, the last entry verified
    marks: Mapping[str, int]  # the highest id of "sale", "shift" and "event" (audit_event)
    tally: Mapping[str, int]  # how many up to those ids (TALLY_NAMES)
    full_at: dt.datetime | None  # when the verify from scratch this rests on ran

    def payload(self, *, full: bool, since: int | None) -> dict[str, Any]:
        return {
            "version": 1,
            "full": full,
            "since": since,
            "full_at": self.full_at,
            "heads": {c: [h.seq, h.hash, h.docs] for c, h in sorted(self.heads.items())},
            "marks": dict(self.marks),
            "tally": dict(self.tally),
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Coverage:
        """Raises KeyError, TypeError or ValueError on anything but what `payload` gave."""
        if data["version"] != 1:
            raise ValueError(f"checkpoint version {data['version']!r}")
        full_at = data["full_at"]
        return cls(
            {str(c): Head(int(s), str(h), str(d)) for c, (s, h, d) in data["heads"].items()},
            {k: int(data["marks"][k]) for k in ("sale", "shift", "event")},
            {k: int(data["tally"][k]) for k in TALLY_NAMES},
            None
            if full_at is None
            else dt.datetime.strptime(full_at, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=dt.UTC),
        )


@dataclass(frozen=True)
class Checkpoint:
    seq: int  # its entry's number on STORE_CHAIN
    at: dt.datetime
    hash: str
    full: bool  # written after a verify from scratch
    coverage: Coverage


@dataclass(frozen=True)
class VerifyResult:
    chains: int
    entries: int  # entries read and checked
    documents: int  # documents recomputed from their rows
    breaks: tuple[Break, ...]
    full: bool = True  # from scratch; else from `since`
    since: Checkpoint | None = None
    unusable: str = ""  # why the latest checkpoint was not used (it is broken), if so
    coverage: Coverage | None = None  # what was verified (for `write_checkpoint`)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _when(at: dt.datetime) -> str:
    return f"{local(at):%d-%m-%Y %H:%M:%S}"


def _journal_of(chain: str) -> str:
    return "Jurnal toko" if chain == STORE_CHAIN else f"Jurnal meja {chain}"


def _at(chain: str) -> str:
    return "Toko" if chain == STORE_CHAIN else f"Meja {chain}"


def mode_text(result: VerifyResult) -> str:
    """Which verify ran, in one Indonesian sentence (`kasir audit verify`)."""
    cp = result.since
    if cp is not None:
        full_at = cp.coverage.full_at
        last_full = (
            f"; pemeriksaan lengkap terakhir {_when(full_at)}"
            if full_at
            else "; belum pernah diperiksa lengkap"
        )
        return (
            f"Pemeriksaan cepat: mulai dari titik periksa #{cp.seq} ({_when(cp.at)}){last_full}. "
            "Dokumen sebelum titik periksa itu tidak dihitung ulang (--full memeriksa semuanya)."
        )
    if result.unusable:
        return f"Pemeriksaan lengkap: {result.unusable}; seluruh riwayat diperiksa."
    return "Pemeriksaan lengkap: seluruh riwayat."


# --- walking the chains ------------------------------------------------------------------------


class _Walk:
    """Walks chains from a given head, checking each entry and recomputing its document."""

    def __init__(self, session: Session, claims: Mapping[str, Mapping[int, list[Any]]]) -> None:
        self.session = session
        self.conn = session.connection()
        # chain -> seq -> [(checkpoint seq, Head recorded)]: checked on the way (from scratch).
        self.claims = claims
        self.breaks: list[Break] = []
        self.entries = 0
        self.documents = 0
        self.journaled: dict[str, set[int]] = {
            k: set()
            for k in (
                "sale", "refund", "void", "shift_open", "shift_close", "event", "cancelled",
                "cash_move", "shift_count",
            )
        }  # fmt: skip
        self.heads: dict[str, Head] = {}

    def _digests(self, page: Sequence[Any]) -> dict[tuple[str, int], str]:
        wanted: dict[str, list[int]] = {}
        for e in page:
            if e.doc_id is not None and _JOURNALED.get(e.kind, e.kind) in self.journaled:
                wanted.setdefault(e.kind, []).append(e.doc_id)
        return {
            (kind, doc_id): digest
            for kind, ids in wanted.items()
            for doc_id, digest in document_digests(self.session, kind, ids).items()
        }

    def chain(self, chain: str, start: Head) -> None:
        expected, prev, docs, broken = start.seq + 1, start.hash, start.docs, False
        claims = self.claims.get(chain, {})
        after = start.seq
        while page := self.conn.execute(_PAGE, {"chain": chain, "after": after}).all():
            found = self._digests(page)
            for e in page:
                self.entries += 1
                if not broken:
                    if e.seq != expected:
                        gap = "hilang" if e.seq > expected else "ganda"
                        self.report(
                            chain,
                            f"{_journal_of(chain)}: entri #{expected} {gap} "
                            f"(berikutnya {_entry(e)}).",
                        )
                        broken = True
                    elif e.prev_hash != prev or e.hash != entry_hash(
                        e.chain, e.seq, e.at, e.kind, e.doc_id, e.ref, e.digest, e.prev_hash
                    ):
                        self.report(chain, f"{_journal_of(chain)}: {_entry(e)} diubah.")
                        broken = True
                expected, prev = e.seq + 1, e.hash
                key = _JOURNALED.get(e.kind, e.kind)
                if e.doc_id is not None and key in self.journaled:
                    docs = self._document(chain, e, found.get((e.kind, e.doc_id)), docs)
                    self.journaled[key].add(e.doc_id)
                for cp_seq, head in claims.get(e.seq, ()):
                    if (head.hash, head.docs) != (e.hash, docs):
                        self.report(
                            chain,
                            f"{_journal_of(chain)}: titik periksa #{cp_seq} mencatat entri "
                            f"#{e.seq} lain dari yang ada sekarang.",
                        )
            after = page[-1].seq
        self.heads[chain] = Head(after, prev, docs)

    def _document(self, chain: str, e: Any, now: str | None, docs: str) -> str:
        """Check the entry's document as it is now; the documents' fold with it."""
        self.documents += 1
        if now is None or now != e.digest:
            name = f"{_at(chain)}: {KIND_NAMES[e.kind]} {e.ref} ({_when(e.at)})"
            self.report(
                chain,
                f"{name} tercatat di jurnal tetapi sudah tidak ada di database."
                if now is None
                else f"{name} diubah sesudah dicatat di jurnal.",
            )
        return _fold(docs, now or "-")

    def report(self, chain: str, text: str) -> None:
        self.breaks.append(Break(chain, text))


def _entry(e: Any) -> str:
    return f"entri #{e.seq} ({KIND_NAMES.get(e.kind, e.kind)} {e.ref}, {_when(e.at)})"


def _chains(session: Session) -> list[str]:
    return sorted(str(c) for c in session.scalars(select(_JOURNAL.c.chain).distinct()))


def _record(session: Session, event_id: int | None) -> tuple[Coverage, bool] | None:
    """What a checkpoint entry's record holds: the coverage, and whether it was written after
    a verify from scratch; None when it cannot be read."""
    if event_id is None:
        return None
    payload = session.scalar(select(_EVENT.c.payload).where(_EVENT.c.id == event_id))
    try:
        data = json.loads(payload or "")
        return Coverage.from_payload(data), bool(data["full"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _claims(session: Session) -> dict[str, dict[int, list[Any]]]:
    """What every checkpoint recorded, to compare with the chains walked from scratch (an
    unreadable record is named by its digest)."""
    claims: dict[str, dict[int, list[Any]]] = {}
    for e in session.execute(_CHECKPOINTS):
        record = _record(session, e.doc_id)
        for chain, head in (record[0].heads if record else {}).items():
            claims.setdefault(chain, {}).setdefault(head.seq, []).append((e.seq, head))
    return claims


def _latest(session: Session) -> tuple[Checkpoint | None, str]:
    """The latest checkpoint if it can be trusted, else what is wrong with it ("" when there
    is none)."""
    e = session.execute(_CHECKPOINTS.order_by(_JOURNAL.c.seq.desc()).limit(1)).first()
    if e is None:
        return None, ""
    what = f"titik periksa #{e.seq} ({_when(e.at)})"
    before = session.scalar(
        select(_JOURNAL.c.hash).where(_JOURNAL.c.chain == STORE_CHAIN, _JOURNAL.c.seq == e.seq - 1)
    )
    record = _record(session, e.doc_id)
    store_head = record[0].heads.get(STORE_CHAIN) if record else None
    if e.hash != entry_hash(e.chain, e.seq, e.at, e.kind, e.doc_id, e.ref, e.digest, e.prev_hash):
        return None, f"{what} diubah"
    if e.prev_hash != (GENESIS if e.seq == 1 else before):
        return None, f"{what} tidak tersambung ke entri sebelumnya"
    if e.doc_id is None or document_digest(session, "checkpoint", e.doc_id) != e.digest:
        return None, f"catatan {what} diubah atau hilang"
    if record is None or (store_head is not None and store_head.seq >= e.seq):
        return None, f"catatan {what} tidak terbaca"
    return Checkpoint(e.seq, e.at, e.hash, record[1], record[0]), ""


# --- the counts up to the recorded ids ---------------------------------------------------------


def _tally(
    session: Session, marks: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """The highest ids now, the counts now, and the counts up to `marks`."""
    conn = session.connection()
    high: dict[str, int] = {}
    now: dict[str, int] = {}
    upto: dict[str, int] = {}
    for key, table, status, flagged in (
        ("sale", Sale.__table__, "voided", "voided"),
        ("shift", Shift.__table__, "closed", "closed"),
        ("event", _EVENT, None, None),
    ):
        mark = marks.get(key, 0)
        counted = [
            func.max(table.c.id),
            func.count(),
            func.count(case((table.c.id <= mark, 1))),
        ]
        if status is not None:
            is_flagged = table.c.status == status
            counted += [
                func.count(case((is_flagged, 1))),
                func.count(case((is_flagged & (table.c.id <= mark), 1))),
            ]
        row = conn.execute(select(*counted)).one()
        high[key] = int(row[0] or 0)
        now[key], upto[key] = int(row[1]), int(row[2])
        if flagged is not None:
            now[flagged], upto[flagged] = int(row[3]), int(row[4])
    return high, now, upto


def _expected(coverage: Coverage, journaled: Mapping[str, set[int]]) -> dict[str, int]:
    """The counts up to the recorded ids the checkpoint's plus what was journaled since with
    ids up to them (a void or a shift close of an older document; on PostgreSQL, a document
    whose id was taken before the checkpoint and committed after it)."""
    marks = coverage.marks

    def since(kinds: Iterable[str], mark: str) -> int:
        return sum(1 for k in kinds for doc_id in journaled[k] if doc_id <= marks[mark])

    return {
        "sale": coverage.tally["sale"] + since(("sale", "refund"), "sale"),
        "voided": coverage.tally["voided"] + since(("void",), "sale"),
        "shift": coverage.tally["shift"] + since(("shift_open",), "shift"),
        "closed": coverage.tally["closed"] + since(("shift_close",), "shift"),
        "event": coverage.tally["event"] + since(("event",), "event"),
    }


# --- verify ----------------------------------------------------------------------------------


def verify(session: Session, *, full: bool = False) -> VerifyResult:
    """Check the journal against the store: from the latest checkpoint (when there is one and
    it holds), or from scratch with `full`. See the module docstring."""
    unusable = ""
    if not full:
        checkpoint, unusable = _latest(session)
        if checkpoint is not None:
            return _from_checkpoint(session, checkpoint)
    return _from_scratch(session, unusable)


def _from_scratch(session: Session, unusable: str) -> VerifyResult:
    started = utcnow()
    walk = _Walk(session, _claims(session))
    chains = _chains(session)
    for chain in chains:
        walk.chain(chain, START)
    if unusable:
        walk.report(STORE_CHAIN, f"Jurnal toko: {unusable}.")
    breaks = walk.breaks + _unjournaled(session, walk.journaled, {})
    high, now, _ = _tally(session, {})
    coverage = Coverage(walk.heads, high, now, started)
    return VerifyResult(
        len(chains), walk.entries, walk.documents, tuple(breaks), unusable=unusable,
        coverage=coverage,
    )  # fmt: skip


def _from_checkpoint(session: Session, cp: Checkpoint) -> VerifyResult:
    walk = _Walk(session, {})
    heads = cp.coverage.heads
    chains = _chains(session)
    for chain in chains:
        head = heads.get(chain)
        if head is not None:
            _anchor(walk, chain, head, cp.seq)
        walk.chain(chain, head or START)
    for chain in sorted(set(heads) - set(chains)):
        walk.report(
            chain,
            f"{_journal_of(chain)}: semua entri hilang (titik periksa #{cp.seq} mencatat "
            f"sampai entri #{heads[chain].seq}).",
        )
    breaks = walk.breaks + _unjournaled(session, walk.journaled, cp.coverage.marks)
    high, now, upto = _tally(session, cp.coverage.marks)
    for key, expected in _expected(cp.coverage, walk.journaled).items():
        if upto[key] != expected:
            mark = cp.coverage.marks[TALLY_MARK[key]]
            breaks.append(
                Break(
                    "?",
                    f"Sejak titik periksa #{cp.seq}: {TALLY_NAMES[key]} dengan nomor sampai "
                    f"#{mark} ada {upto[key]}, seharusnya {expected} (dokumen lama dihapus, "
                    "ditambahkan, atau diubah statusnya di luar Kasir); "
                    "kasir audit verify --full menyebutkan yang mana.",
                )
            )
    coverage = Coverage(walk.heads, high, now, cp.coverage.full_at)
    return VerifyResult(
        len(chains), walk.entries, walk.documents, tuple(breaks), full=False, since=cp,
        coverage=coverage,
    )  # fmt: skip


def _anchor(walk: _Walk, chain: str, head: Head, cp_seq: int) -> None:
    """The chain's entry at the recorded number still has the recorded hash, and none of the
    entries before it is missing."""
    in_chain = _JOURNAL.c.chain == chain
    found = walk.conn.scalar(select(_JOURNAL.c.hash).where(in_chain, _JOURNAL.c.seq == head.seq))
    before = walk.conn.scalar(select(func.count()).where(in_chain, _JOURNAL.c.seq <= head.seq))
    if found is None:
        walk.report(
            chain,
            f"{_journal_of(chain)}: entri #{head.seq} yang dicatat titik periksa #{cp_seq} hilang.",
        )
    elif found != head.hash:
        walk.report(
            chain,
            f"{_journal_of(chain)}: entri #{head.seq} diubah sesudah titik periksa #{cp_seq}.",
        )
    elif before != head.seq:
        walk.report(
            chain,
            f"{_journal_of(chain)}: {head.seq - (before or 0)} entri sebelum titik periksa "
            f"#{cp_seq} hilang.",
        )


def _unjournaled(
    session: Session, journaled: Mapping[str, set[int]], marks: Mapping[str, int]
) -> list[Break]:
    """Documents in the store the journal does not know (added behind its back), among those
    with ids above `marks` (a checkpoint's; all of them without)."""
    out: list[Break] = []
    codes = {row[0]: row[1] for row in session.execute(select(Counter.id, Counter.code))}
    for sale_id, number, kind, status, counter_id, created in session.execute(
        select(
            Sale.id, Sale.receipt_number, Sale.kind, Sale.status, Sale.counter_id, Sale.created_at
        ).where(Sale.id > marks.get("sale", 0))
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
        select(Shift.id, Shift.counter_id, Shift.status, Shift.opened_at).where(
            Shift.id > marks.get("shift", 0)
        )
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
    # Cancelled carts (a few a day): all of them each time, not in the checkpoint's counts
    # (one deleted before a checkpoint is named by --full), against every journal entry of
    # their kind (a quick verify walked only those since its checkpoint).
    cancelled = set(journaled["cancelled"]) | set(
        session.scalars(select(_JOURNAL.c.doc_id).where(_JOURNAL.c.kind == "cancelled"))
    )
    for cancelled_id, counter_id, at in session.execute(
        select(CancelledSale.id, CancelledSale.counter_id, CancelledSale.cancelled_at)
    ):
        if cancelled_id not in cancelled:
            chain = str(codes.get(counter_id, "?"))
            out.append(
                Break(
                    chain,
                    f"Meja {chain}: keranjang batal #{cancelled_id} ({_when(at)}) tidak "
                    "tercatat di jurnal (ditambahkan di luar Kasir?).",
                )
            )
    out += _unjournaled_cash(session, journaled, codes)
    for event_id, action, at in session.execute(
        select(AuditEvent.id, AuditEvent.action, AuditEvent.at).where(
            AuditEvent.id > marks.get("event", 0)
        )
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


def _unjournaled_cash(
    session: Session, journaled: Mapping[str, set[int]], codes: Mapping[int, str]
) -> list[Break]:
    """Cash movements and blind counts (issue 19; a few a day): all of them each time, against
    the journal's entries of their kinds (a quick verify walked only those since its
    checkpoint)."""
    out: list[Break] = []
    entered: dict[str, set[int]] = {"cash_move": set(), "shift_count": set()}
    for kind, doc_id in session.execute(
        select(_JOURNAL.c.kind, _JOURNAL.c.doc_id).where(_JOURNAL.c.kind.in_(tuple(entered)))
    ):
        entered[kind].add(doc_id)
    journaled = {k: set(journaled[k]) | entered[k] for k in entered}
    for move_id, counter_id, at in session.execute(
        select(CashMovement.id, CashMovement.counter_id, CashMovement.at)
    ):
        if move_id not in journaled["cash_move"]:
            chain = str(codes.get(counter_id, "?"))
            out.append(
                Break(
                    chain,
                    f"Meja {chain}: kas masuk/keluar #{move_id} ({_when(at)}) tidak tercatat di "
                    "jurnal (ditambahkan di luar Kasir?).",
                )
            )
    for shift_id, counter_id in session.execute(
        select(Shift.id, Shift.counter_id).where(
            Shift.counted_detail.is_not(None) | Shift.difference_reason.is_not(None)
        )
    ):
        if shift_id not in journaled["shift_count"]:
            chain = str(codes.get(counter_id, "?"))
            out.append(
                Break(
                    chain,
                    f"Meja {chain}: hitungan kas shift #{shift_id} tidak tercatat di jurnal.",
                )
            )
    return out


def write_checkpoint(
    session: Session, result: VerifyResult, *, now: dt.datetime | None = None
) -> int:
    """Journal what a clean `result` covered as the latest checkpoint, in the caller's
    (writing) transaction: the checkpoint entry's number on the store's chain."""
    if not result.ok or result.coverage is None:
        raise ValueError("a checkpoint is written only after a clean verify")
    since = None if result.since is None else result.since.seq
    ref = "lengkap" if result.full else f"cepat dari #{since}"
    payload = result.coverage.payload(full=result.full, since=since)
    return journal.record_checkpoint(session, payload, ref, now=now)
