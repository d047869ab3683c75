"""A power cut mid-sale leaves whole sales or none (DESIGN.md §9): kill -9 a process that is
ringing up sales on SQLite, then check the store."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kasir.services.integrity import check_store
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import JournalEntry, Payment, Sale, SaleLine, StockMovement


def test_kill_9_during_a_simulated_day_leaves_whole_sales(
    demo_sqlite: sessionmaker[Session], tmp_path: Path
) -> None:
    source = Path(str(demo_sqlite.kw["bind"].url.database))
    demo_sqlite.kw["bind"].dispose()
    path = tmp_path / "killed.db"
    shutil.copy(source, path)
    url = f"sqlite:///{path}"
    env = dict(os.environ, KASIR_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasir", "--db", url, "simulate", "--date", "2026-11-20",
         "--sales", "5000", "--counters", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        deadline = time.monotonic() + 60
        sold = 0
        while sold < 40 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            with factory() as s:
                sold = s.scalar(select(func.count()).select_from(Sale)) or 0
        assert proc.poll() is None, "the simulation ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with factory() as s:
        result = check_store(s)
        sales = s.scalar(select(func.count()).select_from(Sale)) or 0
        without_lines = s.scalar(
            select(func.count()).where(
                ~select(SaleLine.id).where(SaleLine.sale_id == Sale.id).exists()
            )
        )
        without_payment = s.scalar(
            select(func.count()).where(
                Sale.total != 0,
                ~select(Payment.id).where(Payment.sale_id == Sale.id).exists(),
            )
        )
        # The journal: one entry per sale, chains without a gap (verify, inside check_store).
        journaled = s.scalar(
            select(func.count()).where(
                JournalEntry.kind == Sale.kind, JournalEntry.doc_id == Sale.id
            )
        )
        without_stock = s.scalar(
            select(func.count()).where(
                ~select(StockMovement.id).where(StockMovement.sale_id == Sale.id).exists()
            )
        )
    engine.dispose()
    assert sales >= 40
    assert result.problems == ()  # numbers 1..N per counter, stock = movements, totals add up
    assert (without_lines, without_payment, without_stock) == (0, 0, 0)
    assert journaled == sales
