"""Receipt numbers: unique and gapless per counter and business day.

The next number is taken with one atomic upsert inside the sale's own transaction. On
PostgreSQL the upsert locks the (counter, day) row until the sale commits, so two counters -
or two windows on one counter - never get the same number, and a sale that rolls back gives
its number back: no gaps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from kasir.store.models import ReceiptSequence, table_of

_TABLE = table_of(ReceiptSequence)


def _upsert(insert: Any) -> Any:
    stmt = insert(_TABLE).values(
        counter_id=bindparam("counter_id"), business_date=bindparam("day"), last_seq=1
    )
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.counter_id, _TABLE.c.business_date],
        set_={"last_seq": _TABLE.c.last_seq + 1},
    ).returning(_TABLE.c.last_seq)


# Built once per dialect: the statement is compiled once and reused for every sale.
_NEXT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


def next_receipt_seq(conn: Connection, counter_id: int, day: dt.date) -> int:
    stmt = _NEXT[conn.dialect.name]
    seq = conn.execute(stmt, {"counter_id": counter_id, "day": day}).scalar_one()
    return int(seq)


def format_receipt_number(counter_code: str, day: dt.date, seq: int) -> str:
    return f"{counter_code}-{day:%Y%m%d}-{seq:04d}"
