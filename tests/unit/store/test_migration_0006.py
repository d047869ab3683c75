"""Migration 0006: a 0004 store with sales gets sale.rounding (0 for every document, the
CHECK against a rounding of a unit or more), the cancelled-sale and removed-payment tables;
the downgrade takes them away again and the sales are intact."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kasir.services.demo import load_demo_data
from kasir.store.engine import make_engine
from kasir.store.migrate import current_revision, downgrade, head_revision, upgrade

NEW_TABLES = {"cancelled_sale", "cancelled_sale_line", "removed_payment"}
SALE = (
    "INSERT INTO sale (uuid, receipt_number, kind, status, counter_id, shift_id, cashier_id, "
    "business_date, seq, subtotal, total) VALUES (:uuid, :number, 'sale', 'completed', "
    "(SELECT min(id) FROM counter), :shift, (SELECT min(id) FROM user_account), "
    "'2026-11-22', :seq, 18000, 18000)"
)


@pytest.fixture
def store_0004(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine, "0004")
    with engine.begin() as conn:
        load_demo_data(Session(bind=conn))
        shift = conn.execute(
            text(
                "INSERT INTO shift (uuid, counter_id, cashier_id, business_date, status, "
                "opening_float) VALUES ('11111111-1111-4111-8111-111111111111', "
                "(SELECT min(id) FROM counter), (SELECT min(id) FROM user_account), "
                "'2026-11-22', 'open', 0) RETURNING id"
            )
        ).scalar_one()
        for seq in (1, 2):
            conn.execute(
                text(SALE),
                {"uuid": f"2222222{seq}-2222-4222-8222-222222222222", "number": f"K01-{seq}",
                 "shift": shift, "seq": seq},
            )  # fmt: skip
    assert current_revision(engine) == "0004"
    yield engine
    engine.dispose()


def test_upgrade_adds_rounding_and_the_new_tables(store_0004: Engine) -> None:
    upgrade(store_0004)
    assert current_revision(store_0004) == head_revision()
    assert set(inspect(store_0004).get_table_names()) >= NEW_TABLES
    with store_0004.connect() as conn:
        rows = conn.execute(text("SELECT receipt_number, total, rounding FROM sale")).all()
    assert sorted(rows) == [("K01-1", 18_000, 0), ("K01-2", 18_000, 0)]
    for bad in (1000, -1000):
        with pytest.raises(IntegrityError), store_0004.begin() as conn:
            conn.execute(text(f"UPDATE sale SET rounding = {bad}"))
    with store_0004.begin() as conn:
        conn.execute(text("UPDATE sale SET rounding = -999, total = total - 999"))


def test_downgrade_to_0004_and_up_again(store_0004: Engine) -> None:
    upgrade(store_0004)
    downgrade(store_0004, "0004")
    assert current_revision(store_0004) == "0004"
    assert not NEW_TABLES & set(inspect(store_0004).get_table_names())
    assert "rounding" not in {c["name"] for c in inspect(store_0004).get_columns("sale")}
    with store_0004.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sale")).scalar_one() == 2
    upgrade(store_0004)
    assert current_revision(store_0004) == head_revision()
