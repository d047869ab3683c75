"""The benchmark's history (kasir.history): copies of a simulated day that the journal finds as
the tills would have written them, and whose digests really cover the copied rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from kasir.history import build_history
from kasir.services.journal_verify import verify, write_checkpoint
from kasir.simulate import simulate_day
from kasir.store.models import Product, Sale, SaleLine
from kasir.timeutil import business_date

Factory = sessionmaker[Session]


def history(demo: Factory, days: int = 4) -> None:
    with demo.begin() as s:
        s.execute(update(Product).values(stock_qty=100_000))
    first = business_date() - dt.timedelta(days=days)
    built = build_history(demo, first, days, 24, ["KA1", "KA2"])
    assert built.days == days and built.sales >= days * 20


def test_a_copied_history_verifies_clean_day_by_day(demo_sqlite: Factory) -> None:
    history(demo_sqlite)
    with demo_sqlite() as s:
        result = verify(s, full=True)
        assert result.ok, result.breaks[:3]
        per_day = s.execute(
            select(Sale.business_date, func.count()).group_by(Sale.business_date)
        ).all()
        assert len(per_day) == 4 and len({n for _day, n in per_day}) == 1
        numbers = s.scalars(select(Sale.receipt_number).where(Sale.seq == 1)).all()
        assert len(numbers) == 8 and len({n[4:12] for n in numbers}) == 4  # KA1-YYYYMMDD-0001
        assert s.scalar(select(func.count(SaleLine.uuid.distinct()))) == s.scalar(
            select(func.count()).select_from(SaleLine)
        )
    with demo_sqlite.begin() as s:
        write_checkpoint(s, result)
    simulate_day(demo_sqlite, business_date(), 10, ["KA1", "KA2"], seed=3)
    with demo_sqlite() as s:
        quick = verify(s)
        assert quick.ok and not quick.full and quick.entries < result.entries / 3


def test_an_edit_of_a_copied_line_is_caught(demo_sqlite: Factory) -> None:
    history(demo_sqlite, days=2)
    with demo_sqlite.begin() as s:
        s.execute(
            text("UPDATE sale_line SET qty = qty + 1 WHERE id = (SELECT max(id) FROM sale_line)")
        )
    with demo_sqlite() as s:
        breaks = verify(s, full=True).breaks
    assert len(breaks) == 1 and "diubah sesudah dicatat di jurnal" in breaks[0].text
