"""A long history, fast, for the benchmarks (`make bench`: the journal's verify on a year).

`build_history` simulates one day through the services (`kasir.simulate.simulate_day`: shifts,
sales, voids, refunds, approvals, each journaled), then copies that day to each following day,
as if the tills had written it: every copy with its own ids, UUIDs, receipt numbers and times
(a day later each), and its own journal entries continuing each chain, with the digests of the
rows as written (`kasir.services.journal`). A verify finds such a store clean.

The copies of sales, lines, payments and movements are `INSERT ... SELECT`s (SQLite does the
work; about 9,000 rows a day), their digests computed from the day's rows with the same changes
in Python; the few shifts and events go through Python. For a benchmark store on SQLite only:
the copies are written without foreign key checks (they copy a day that had them) nor fsync,
take ids above the day's own, and take no stock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Table, func, select
from sqlalchemy.orm import Session, sessionmaker

from kasir.services import journal
from kasir.simulate import simulate_day
from kasir.store.bulk import insert_many
from kasir.store.models import (
    AuditEvent,
    JournalEntry,
    Payment,
    ReceiptSequence,
    Sale,
    SaleLine,
    Shift,
    StockMovement,
    table_of,
)

_SALE, _LINE, _PAY = table_of(Sale), table_of(SaleLine), table_of(Payment)
_MOVE, _SHIFT, _EVENT = table_of(StockMovement), table_of(Shift), table_of(AuditEvent)
_SEQ, _JOURNAL = table_of(ReceiptSequence), table_of(JournalEntry)
_BULK = (_SALE, _LINE, _PAY, _MOVE)  # copied by INSERT ... SELECT, in this order
_FEW = (_SHIFT, _EVENT, _SEQ)  # copied through Python
# The columns that hold a receipt number (an event's: a receipt number or a sale's UUID).
_NUMBERS = {("sale", "receipt_number"), ("stock_movement", "reference")}
_ENTITIES = {("audit_event", "entity_id")}
# Which table a journal entry's document is in.
_DOC_TABLE = {
    "sale": "sale",
    "refund": "sale",
    "void": "sale",
    "shift_open": "shift",
    "shift_close": "shift",
    "event": "audit_event",
}
DAYS_PER_COMMIT = 20


@dataclass(frozen=True)
class History:
    days: int
    sales: int  # sales and refunds
    entries: int  # journal entries


def _rules(table: Table) -> dict[str, str]:
    """How a copy changes each column of `table` that it changes: "id:<table>" (the id, or a
    reference to a copied row, moved up), "uuid", "number" (the day in a receipt number),
    "entity" (a UUID or a receipt number), "date" or "time" (a day later each)."""
    rules: dict[str, str] = {}
    for col in table.c:
        targets = {fk.column.table.name for fk in col.foreign_keys if fk.column.name == "id"}
        if col.primary_key and col.name == "id":
            rules[col.name] = f"id:{table.name}"
        elif targets & {"sale", "sale_line", "shift"}:
            rules[col.name] = f"id:{targets.pop()}"
        elif col.name == "uuid":
            rules[col.name] = "uuid"
        elif (table.name, col.name) in _NUMBERS:
            rules[col.name] = "number"
        elif (table.name, col.name) in _ENTITIES:
            rules[col.name] = "entity"
        elif isinstance(col.type, DateTime) or isinstance(
            getattr(col.type, "impl", None), DateTime
        ):
            rules[col.name] = "time"
        elif isinstance(col.type, Date):
            rules[col.name] = "date"
    return rules


_RULES = {t.name: _rules(t) for t in (*_BULK, *_FEW)}


class _Copy:
    """Copy `k` of the day: its changes, in SQL and in Python (the same)."""

    def __init__(self, first: dt.date, k: int, spans: Mapping[str, int]) -> None:
        self.k, self.spans = k, spans
        self.later = dt.timedelta(days=k)
        self.old_date, self.new_date = f"{first:%Y%m%d}", f"{first + self.later:%Y%m%d}"

    def sql(self, rule: str, col: str) -> str:
        if rule.startswith("id:"):
            return f"{col} + {self.k * self.spans[rule[3:]]}"
        if rule == "uuid":
            return f"printf('%08x', {self.k}) || substr({col}, 9)"
        if rule == "number":
            return f"replace({col}, '{self.old_date}', '{self.new_date}')"
        assert rule != "entity", "events are copied through Python"
        if rule == "date":
            return f"date({col}, '+{self.k} days')"
        # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): the day moved, the time kept whole
        return f"date(substr({col}, 1, 10), '+{self.k} days') || substr({col}, 11)"

    def value(self, rule: str) -> Callable[[Any], Any]:
        if rule.startswith("id:"):
            step = self.k * self.spans[rule[3:]]
            return lambda v: v + step
        if rule == "uuid":
            head = f"{self.k:08x}"
            return lambda v: head + v[8:]
        if rule == "number":
            old, new = self.old_date, self.new_date
            return lambda v: v.replace(old, new)
        if rule == "entity":
            uuid, number = self.value("uuid"), self.value("number")
            return lambda v: uuid(v) if len(v) == 36 and v[8] == "-" else number(v)
        later = self.later
        return lambda v: v + later

    def changer(self, table: str, columns: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
        """The values of `columns` of a row of `table` (in that order) as the copy has them."""
        rules = _RULES[table]
        changes = [(i, self.value(rules[c])) for i, c in enumerate(columns) if c in rules]

        def change(values: Sequence[Any]) -> list[Any]:
            out = list(values)
            for i, fn in changes:
                if out[i] is not None:
                    out[i] = fn(out[i])
            return out

        return change

    def insert_select(self, conn: Connection, table: Table, where: str) -> None:
        rules = _RULES[table.name]
        names = [c.name for c in table.c]
        values = [self.sql(rules[n], n) if n in rules else n for n in names]
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(names)}) "
            f"SELECT {', '.join(values)} FROM {table.name} WHERE {where}"
        )


# The columns of each per-sale table that its documents' digests cover (a payment's reversal
# reference last: a void's digest has it).
_DIGESTED = {
    "sale_line": journal.LINE_COLUMNS,
    "payment": (*journal.PAYMENT_COLUMNS, "reversal_reference"),
    "stock_movement": journal.MOVEMENT_COLUMNS,
}


@dataclass
class _Day:
    """The simulated day as read back (column name -> value), and where its rows are."""

    entries: list[dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]]  # by table name
    spans: dict[str, int]  # per table, the highest id: copy k adds k times it
    sales: tuple[int, int]  # the first and last sale id of the day
    # The values of the digested columns of each sale ("sale": SALE_COLUMNS, "void":
    # VOID_COLUMNS) and of each row of the per-sale tables (_DIGESTED), once.
    values: dict[str, list[list[Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        columns = {"sale": journal.SALE_COLUMNS, "void": journal.VOID_COLUMNS, **_DIGESTED}
        for name, cols in columns.items():
            source = self.rows["sale" if name == "void" else name]
            self.values[name] = [[r[c] for c in cols] for r in source]


def build_history(
    factory: sessionmaker[Session],
    first: dt.date,
    days: int,
    sales_per_day: int,
    counters: Sequence[str],
    *,
    seed: int = 5,
) -> History:
    """`days` days from `first` (not after today): `first` simulated, the others its copies."""
    engine = factory.kw["bind"]
    if engine.dialect.name != "sqlite":
        raise ValueError("build_history is for SQLite benchmark stores")
    with factory.begin() as s:
        before = s.scalar(select(func.max(_JOURNAL.c.id))) or 0
    simulate_day(factory, first, sales_per_day, list(counters), seed=seed)
    with factory.begin() as s:
        day = _read_day(s.connection(), before, first)
        heads = {chain: _head(s.connection(), chain) for chain in {e["chain"] for e in day.entries}}
    with engine.connect() as conn:
        # Outside a transaction (or it is ignored); given back before the connection is.
        driver = conn.connection.driver_connection
        synchronous = driver.execute("PRAGMA synchronous").fetchone()[0]
        driver.execute("PRAGMA foreign_keys=OFF")
        driver.execute("PRAGMA synchronous=OFF")  # a benchmark store: a crash loses it anyway
        try:
            for start in range(1, days, DAYS_PER_COMMIT):
                with conn.begin():
                    for k in range(start, min(days, start + DAYS_PER_COMMIT)):
                        _copy(conn, day, _Copy(first, k, day.spans), heads)
        finally:
            driver.execute("PRAGMA foreign_keys=ON")
            driver.execute(f"PRAGMA synchronous={int(synchronous)}")
    sales = sum(1 for e in day.entries if e["kind"] in ("sale", "refund"))
    return History(days, sales * days, len(day.entries) * days)


def _head(conn: Connection, chain: str) -> tuple[int, str]:
    last = conn.execute(
        select(_JOURNAL.c.seq, _JOURNAL.c.hash)
        .where(_JOURNAL.c.chain == chain)
        .order_by(_JOURNAL.c.seq.desc())
        .limit(1)
    ).one()
    return int(last[0]), str(last[1])


def _read_day(conn: Connection, before: int, day: dt.date) -> _Day:
    entries = [
        dict(r)
        for r in conn.execute(
            select(_JOURNAL).where(_JOURNAL.c.id > before).order_by(_JOURNAL.c.id)
        ).mappings()
    ]
    ids: dict[str, set[int]] = {"sale": set(), "shift": set(), "audit_event": set()}
    for e in entries:
        ids[_DOC_TABLE[e["kind"]]].add(e["doc_id"])
    low, high = min(ids["sale"]), max(ids["sale"])
    if len(ids["sale"]) != high - low + 1:
        raise ValueError("the simulated day's sales are not one run of ids")

    def rows(table: Table, where: Any) -> list[dict[str, Any]]:
        found = conn.execute(select(table).where(where).order_by(*table.primary_key)).mappings()
        return [dict(r) for r in found]

    in_day = (low, high)
    day_rows = {
        "shift": rows(_SHIFT, _SHIFT.c.id.in_(sorted(ids["shift"]))),
        "sale": rows(_SALE, _SALE.c.id.between(*in_day)),
        "sale_line": rows(_LINE, _LINE.c.sale_id.between(*in_day)),
        "payment": rows(_PAY, _PAY.c.sale_id.between(*in_day)),
        "stock_movement": rows(_MOVE, _MOVE.c.sale_id.between(*in_day)),
        "audit_event": rows(_EVENT, _EVENT.c.id.in_(sorted(ids["audit_event"]))),
        "receipt_sequence": rows(_SEQ, _SEQ.c.business_date == day),
    }
    spans = {
        name: max((r["id"] for r in day_rows[name]), default=0)
        for name in ("shift", "sale", "sale_line", "payment", "stock_movement", "audit_event")
    }
    return _Day(entries, day_rows, spans, in_day)


def _copy(conn: Connection, day: _Day, copy: _Copy, heads: dict[str, tuple[int, str]]) -> None:
    """Write the copy's rows, then its journal entries after `heads` (moved on)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in _FEW:
        names = [c.name for c in table.c]
        change = copy.changer(table.name, names)
        rows[table.name] = [
            dict(zip(names, change([r[n] for n in names]), strict=True))
            for r in day.rows[table.name]
        ]
    for event in rows["audit_event"]:
        event["hash"] = journal.row_digest([event[c] for c in journal.EVENT_COLUMNS])
    insert_many(conn, _SHIFT, rows["shift"])
    low, high = day.sales
    for table in _BULK:
        column = "id" if table is _SALE else "sale_id"
        copy.insert_select(conn, table, f"{column} BETWEEN {low} AND {high}")
    insert_many(conn, _EVENT, rows["audit_event"])
    insert_many(conn, _SEQ, rows["receipt_sequence"])
    digests = _digests(day, copy, rows)
    events = {r["id"]: r for r in rows["audit_event"]}
    entries = []
    new_id = {t: copy.value(f"id:{t}") for t in ("sale", "shift", "audit_event")}
    number = copy.value("number")
    for e in day.entries:
        kind, chain = e["kind"], e["chain"]
        doc_table = _DOC_TABLE[kind]
        doc_id = new_id[doc_table](e["doc_id"])
        if doc_table == "shift":
            ref = f"shift #{doc_id}"
        elif doc_table == "audit_event":
            ref = f"{events[doc_id]['action']} {events[doc_id]['entity_id']}".strip()[:64]
        else:
            ref = number(e["ref"])
        seq, prev = heads[chain]
        at, digest = e["at"] + copy.later, digests[(kind, doc_id)]
        own = journal.entry_hash(chain, seq + 1, at, kind, doc_id, ref, digest, prev)
        heads[chain] = (seq + 1, own)
        entries.append(
            {
                "chain": chain,
                "seq": seq + 1,
                "at": at,
                "kind": kind,
                "doc_id": doc_id,
                "ref": ref,
                "digest": digest,
                "prev_hash": prev,
                "hash": own,
            }
        )
    insert_many(conn, _JOURNAL, entries)


def _digests(
    day: _Day, copy: _Copy, rows: Mapping[str, list[dict[str, Any]]]
) -> dict[tuple[str, int], str]:
    """The digest of every document of the copy, as `journal.document_digests` reads it."""
    per_sale: dict[str, dict[int, list[list[Any]]]] = {}
    for name, columns in _DIGESTED.items():
        change = copy.changer(name, columns)
        at = columns.index("sale_id")
        grouped = per_sale[name] = {}
        for values in day.values[name]:
            changed = change(values)
            grouped.setdefault(changed[at], []).append(changed)
    sale_values = copy.changer("sale", journal.SALE_COLUMNS)
    void_values = copy.changer("sale", journal.VOID_COLUMNS)
    kind_at = journal.MOVEMENT_COLUMNS.index("kind")
    out: dict[tuple[str, int], str] = {}
    for r, sale_row, void_row in zip(
        day.rows["sale"], day.values["sale"], day.values["void"], strict=True
    ):
        sale = sale_values(sale_row)
        sale_id, kind = sale[0], r["kind"]
        moves = per_sale["stock_movement"].get(sale_id, [])
        pays = per_sale["payment"].get(sale_id, [])
        out[(kind, sale_id)] = journal.sale_values_digest(
            sale,
            per_sale["sale_line"].get(sale_id, []),
            [p[:-1] for p in pays],
            [m for m in moves if m[kind_at] == kind],
        )
        if r["status"] == "voided":
            out[("void", sale_id)] = journal.void_digest(
                void_values(void_row),
                sorted([p[0], p[-1]] for p in pays),
                [m for m in moves if m[kind_at] == "void"],
            )
    for shift in rows["shift"]:
        out[("shift_open", shift["id"])] = journal.row_digest(
            [shift[c] for c in journal.SHIFT_OPEN_COLUMNS]
        )
        out[("shift_close", shift["id"])] = journal.row_digest(
            [shift[c] for c in journal.SHIFT_CLOSE_COLUMNS]
        )
    for event in rows["audit_event"]:
        out[("event", event["id"])] = event["hash"]
    return out
