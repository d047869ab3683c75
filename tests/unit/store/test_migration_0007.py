"""Migration 0007: `shift.close_approved_by_id` (who approved closing another cashier's
shift) is added to a 0004 store with its shifts kept, and taken away again by the downgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from kasir.services import shifts
from kasir.services.auth import Approval
from kasir.services.demo import load_demo_data
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import current_revision, downgrade, head_revision, upgrade


@pytest.fixture
def store_0004(db_url: str) -> Iterator[Engine]:
    """A 0004 store with the demo data and kasir1's shift on K01 (written by SQL, as the
    0004 code did: the models have the new column)."""
    engine = make_engine(db_url)
    upgrade(engine, "0004")
    with engine.begin() as conn:
        load_demo_data(Session(bind=conn))
        conn.execute(
            text(
                "INSERT INTO shift (uuid, counter_id, cashier_id, business_date, status, "
                "opened_at, opening_float) SELECT 'aaaaaaaa-0000-4000-8000-000000000001', "
                "c.id, u.id, '2026-11-22', 'open', '2026-11-22 01:00:00', 150000 "
                "FROM counter c, user_account u WHERE c.code = 'K01' AND u.username = 'kasir1'"
            )
        )
    assert current_revision(engine) == "0004"
    yield engine
    engine.dispose()


def columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("shift")}


def test_upgrade_adds_the_approver_and_the_downgrade_takes_it_away(store_0004: Engine) -> None:
    assert "close_approved_by_id" not in columns(store_0004)
    upgrade(store_0004)
    assert current_revision(store_0004) == head_revision()
    assert "close_approved_by_id" in columns(store_0004)
    factory = make_session_factory(store_0004)
    with factory.begin() as s:
        (shift_id,) = s.execute(text("SELECT id FROM shift")).one()
        assert shifts.shift_view(s, shift_id).close_approved_by_id is None
        kasir2 = s.execute(text("SELECT id FROM user_account WHERE username = 'kasir2'")).one()
        closed = shifts.close_shift(
            s, shift_id, 150_000, kasir2[0], approval=Approval("2222", "spv1")
        )
    assert closed.close_approved_by_id is not None

    downgrade(store_0004, "0004")
    assert current_revision(store_0004) == "0004"
    assert "close_approved_by_id" not in columns(store_0004)
    with store_0004.connect() as conn:
        rows = conn.execute(text("SELECT status, counted_cash FROM shift")).all()
        sales = conn.execute(text("SELECT count(*) FROM sale")).scalar()
    assert [tuple(r) for r in rows] == [("closed", 150_000)] and sales == 0
    upgrade(store_0004)
    assert current_revision(store_0004) == head_revision()
