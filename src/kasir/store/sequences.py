"""Receipt numbers: unique and gapless per counter and business day.

The next number is taken with one atomic upsert inside the sale's own transaction. On
PostgreSQL the upsert locks the (counter, day) row until the sale commits, so two counters -
or two windows on one counter - never get the same number, and a sale that rolls back gives
its number back: no gaps.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from kasir.store.models import ReceiptSequence

_TABLE = ReceiptSequence.__table__


def next_receipt_seq(conn: Connection, counter_id: int, day: dt.date) -> int:
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_TABLE).values(counter_id=counter_id, business_date=day, last_seq=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.counter_id, _TABLE.c.business_date],
        set_={"last_seq": _TABLE.c.last_seq + 1},
    ).returning(_TABLE.c.last_seq)
    seq = conn.execute(stmt).scalar_one()
    return int(seq)


def format_receipt_number(counter_code: str, day: dt.date, seq: int) -> str:
    return f"{counter_code}-{day:%Y%m%d}-{seq:04d}"
