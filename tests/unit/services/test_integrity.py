"""`kasir db check` finds broken invariants and passes a store the services wrote."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from kasir.cli import main
from kasir.services.integrity import check_store
from kasir.simulate import simulate_day

DAY = dt.date(2026, 11, 20)


def test_a_simulated_day_passes(demo: sessionmaker[Session]) -> None:
    result = simulate_day(demo, DAY, 40, ["K01", "K02"], seed=3)
    assert result.sales > 30
    with demo.begin() as s:
        check = check_store(s)
    assert check.problems == ()
    assert check.sales >= result.sales


def test_gap_stock_and_total_problems_are_found(demo_sqlite: sessionmaker[Session]) -> None:
    simulate_day(demo_sqlite, DAY, 10, ["K01"], seed=4)
    with demo_sqlite.begin() as s:
        s.execute(text("UPDATE sale SET seq = 99 WHERE receipt_number = 'K01-20261120-0005'"))
        s.execute(text("UPDATE product SET stock_qty = stock_qty + 7 WHERE sku = 'KUL-0001'"))
        s.execute(
            text("UPDATE sale SET total = total + 1 WHERE receipt_number = 'K01-20261120-0002'")
        )
    with demo_sqlite.begin() as s:
        problems = check_store(s).problems
    joined = "\n".join(problems)
    assert "Meja K01 20-11-2026: nomor struk tidak urut" in joined
    assert "Stok KUL-0001" in joined
    assert "Struk K01-20261120-0002" in joined


def test_cli_exit_code(demo_sqlite: sessionmaker[Session], capsys: object) -> None:
    url = str(demo_sqlite.kw["bind"].url)
    simulate_day(demo_sqlite, DAY, 5, ["K01"], seed=5)
    assert main(["--db", url, "db", "check"]) == 0
    with demo_sqlite.begin() as s:
        s.execute(text("UPDATE product SET stock_qty = -5 WHERE sku = 'KUL-0002'"))
    assert main(["--db", url, "db", "check"]) == 1
