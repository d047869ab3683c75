"""Migration 0011: a 0010 store with a printer's log (a drawer opening pointing at its print job)
takes the shift reports' print kinds, cash movements and the day close's frozen figures; the
rows it had are untouched; the downgrade takes them away again (and the reports' jobs with
their kinds), and the store upgrades once more."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kasir.services.demo import load_demo_data
from kasir.store.migrate import current_revision, downgrade, head_revision, upgrade


@pytest.fixture
def store_0010(db_url: str) -> Iterator[Engine]:
    """A 0010 store with the demo data, a shift, a receipt's print job and the drawer opening
    that refers to it."""
    from kasir.store.engine import make_engine

    engine = make_engine(db_url)
    upgrade(engine, "0010")
    with engine.begin() as conn:
        load_demo_data(Session(bind=conn))
        conn.execute(
            text(
                "INSERT INTO shift (uuid, counter_id, cashier_id, business_date, status, "
                "opening_float) SELECT 'aaaaaaaa-0000-0000-0000-000000000001', c.id, u.id, "
                "'2026-12-06', 'open', 200000 FROM counter c, user_account u "
                "WHERE c.code = 'K01' AND u.username = 'kasir1'"
            )
        )
        conn.execute(
            text(
                "INSERT INTO print_job (counter_id, kind, status, payload) "
                "SELECT id, 'drawer', 'queued', :p FROM counter WHERE code = 'K01'"
            ),
            {"p": b"\x1bp\x00"},
        )
        conn.execute(
            text(
                "INSERT INTO drawer_opening (counter_id, user_id, reason, print_job_id) "
                "SELECT c.id, u.id, 'tukar uang', j.id FROM counter c, user_account u, "
                "print_job j WHERE c.code = 'K01' AND u.username = 'spv1'"
            )
        )
    assert current_revision(engine) == "0010"
    yield engine
    engine.dispose()


def columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def queue_report(engine: Engine, kind: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO print_job (counter_id, kind, status, payload) "
                "SELECT id, :k, 'queued', :p FROM counter WHERE code = 'K01'"
            ),
            {"k": kind, "p": b"LAPORAN"},
        )


def test_upgrade_keeps_the_rows_takes_reports_and_downgrades(store_0010: Engine) -> None:
    engine = store_0010
    with pytest.raises(IntegrityError):
        queue_report(engine, "x_report")  # not a kind before 0011
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"figures", "pnbp_due", "deposited_by_id", "deposited_at"} <= columns(
        engine, "day_close"
    )
    assert "difference_reason" in columns(engine, "shift")
    queue_report(engine, "x_report")
    queue_report(engine, "z_report")
    with pytest.raises(IntegrityError):
        queue_report(engine, "laporan")  # the CHECK is still there, only wider
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cash_movement (shift_id, counter_id, kind, amount, reason, user_id) "
                "SELECT s.id, s.counter_id, 'in', 50000, 'uang kecil', s.cashier_id FROM shift s"
            )
        )
        conn.execute(
            text(
                "INSERT INTO day_close (business_date, number, closed_by_id) "
                "SELECT '2026-12-05', 'PNBP-TEST', id FROM user_account WHERE username = 'manajer'"
            )
        )
        assert conn.execute(text("SELECT figures, pnbp_due FROM day_close")).one() == ("{}", 0)
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(text("UPDATE cash_movement SET amount = 0"))
        kinds = conn.execute(text("SELECT kind FROM print_job ORDER BY id")).scalars().all()
        assert kinds == ["drawer", "x_report", "z_report"]
        assert conn.execute(text("SELECT reason FROM drawer_opening")).scalar_one() == "tukar uang"

    downgrade(engine, "0010")
    assert "cash_movement" not in inspect(engine).get_table_names()
    assert "figures" not in columns(engine, "day_close")
    assert "difference_reason" not in columns(engine, "shift")
    with engine.begin() as conn:  # the reports went with their kinds; the drawer's log stays
        kinds = conn.execute(text("SELECT kind FROM print_job")).scalars().all()
        assert kinds == ["drawer"]
        assert conn.execute(text("SELECT count(*) FROM drawer_opening")).scalar_one() == 1
    with pytest.raises(IntegrityError):
        queue_report(engine, "z_report")
    upgrade(engine)
    queue_report(engine, "z_report")
