"""kasir.store.bulk: rows stored exactly as Core stores them; a column left out gets its
server default (so a new column never breaks the checkout's inserts)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine, insert, select

from kasir.store.bulk import insert_many, insert_returning_id
from kasir.store.models import Counter, ParkedCart, User, table_of
from kasir.timeutil import JAKARTA

PARKED = table_of(ParkedCart)


def test_bulk_rows_equal_core_rows_and_missing_columns_take_server_defaults(
    engine: Engine,
) -> None:
    at = dt.datetime(2026, 11, 22, 10, 30, 0, 250_000, tzinfo=JAKARTA)
    with engine.begin() as conn:
        counter = insert_returning_id(conn, table_of(Counter), {"code": "K01", "name": "Meja"})
        user = conn.execute(
            insert(table_of(User)).values(
                username="kasir1", full_name="Siti", role="kasir", pin_hash="x"
            )
        ).inserted_primary_key[0]
        base = {"counter_id": counter, "cashier_id": user, "data": "{}"}
        # Through Core, with every column given ...
        full = {**base, "uuid": str(uuid.uuid4()), "label": "a", "parked_at": at}
        full |= {"item_count": 2, "total": 5_000}
        conn.execute(insert(PARKED), [full])
        # ... the same through bulk, and one row with only the required columns.
        insert_many(conn, PARKED, [{**full, "uuid": str(uuid.uuid4()), "label": "b"}])
        insert_many(conn, PARKED, [{"data": "{}", "counter_id": counter, "cashier_id": user}])
        rows = conn.execute(select(PARKED).order_by(PARKED.c.id)).mappings().all()
    core, bulk, bare = (dict(r) for r in rows)
    assert {k: v for k, v in core.items() if k not in ("id", "uuid", "label")} == {
        k: v for k, v in bulk.items() if k not in ("id", "uuid", "label")
    }
    assert bulk["parked_at"] == at and bulk["parked_at"].tzinfo == dt.UTC
    assert (bare["label"], bare["item_count"], bare["total"]) == ("", 0, 0)
    assert uuid.UUID(bare["uuid"]).version == 4
    assert abs(bare["parked_at"] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
