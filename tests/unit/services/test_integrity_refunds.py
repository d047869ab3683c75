"""`kasir db check` on refunds: lines of the refund's own original sale, never more than sold.
Run on the real store of tests/data (0001, upgraded), which holds refunds."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine, text

from kasir.services.integrity import check_store
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import upgrade

FIXTURE = Path(__file__).parents[2] / "data" / "store_0001.sqlite"


def _problems(engine: Engine) -> tuple[str, ...]:
    with make_session_factory(engine).begin() as s:
        return check_store(s).problems


def test_over_refunded_and_foreign_lines_are_found(tmp_path: Path) -> None:
    shutil.copy(FIXTURE, tmp_path / "store.sqlite")
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        upgrade(engine)
        assert _problems(engine) == ()
        with engine.begin() as conn:
            line_id, refund_no, sold_no = conn.execute(
                text(
                    "SELECT l.id, r.receipt_number, o.receipt_number FROM sale_line l "
                    "JOIN sale r ON r.id = l.sale_id JOIN sale o ON o.id = r.original_sale_id "
                    "WHERE r.kind = 'refund' ORDER BY l.id LIMIT 1"
                )
            ).one()
            # Refund 50 more units of the same line (qty only: totals and stock stay as they
            # were, so only the refund check can see it).
            conn.execute(text(f"UPDATE sale_line SET qty = qty - 50 WHERE id = {line_id}"))
        found = _problems(engine)
        # The journal names the edited refund too (a line changed after it was journaled).
        assert any(refund_no in p and "jurnal" in p for p in found)
        problems = [p for p in found if "jurnal" not in p]
        assert len(problems) == 1 and problems[0].startswith(f"Struk {sold_no} baris ")
        assert "diretur" in problems[0]
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE sale_line SET qty = qty + 50 WHERE id = {line_id}"))
            other = conn.scalar(
                text(
                    "SELECT min(l.id) FROM sale_line l JOIN sale s ON s.id = l.sale_id "
                    f"WHERE s.kind = 'sale' AND s.receipt_number <> '{sold_no}'"
                )
            )
            conn.execute(
                text(f"UPDATE sale_line SET original_line_id = {other} WHERE id = {line_id}")
            )
        problems = _problems(engine)
        assert any(
            p.startswith(f"Retur {refund_no} baris") and "bukan baris dari struk asal" in p
            for p in problems
        )
    finally:
        engine.dispose()
