"""`kasir close-shift`, `kasir cash-move`, `kasir x-report`: the count by denomination, a
difference needing a reason, bad counts refused with nothing changed, PINs from --pin or stdin."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import open_till

from kasir.cli import main
from kasir.store.models import CashMovement, Shift

Factory = sessionmaker[Session]


def url_of(factory: Factory) -> str:
    return factory.kw["bind"].url.render_as_string(hide_password=False)


def shift_row(demo: Factory) -> tuple[str, int | None, str | None]:
    with demo() as s:
        shift = s.scalars(select(Shift).order_by(Shift.id.desc())).first()
        assert shift is not None
        return shift.status, shift.counted_cash, shift.difference_reason


def test_close_shift_by_count_and_reason(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    open_till(demo_sqlite, now=dt.datetime.now(dt.UTC))
    url = url_of(demo_sqlite)
    base = ["--db", url, "close-shift", "--user", "kasir1", "--pin", "1111"]
    for bad in ("100000xdua", "100000x-1", "abc", "100000x99999999"):
        assert main([*base, "--count", bad]) == 1
        assert "kasir:" in capsys.readouterr().err
    assert main([*base, "--count", "100000x1,50000x1"]) == 1  # 150.000 of 200.000: no reason
    assert "alasan" in capsys.readouterr().err.lower()
    assert shift_row(demo_sqlite) == ("open", None, None)
    monkeypatch.setattr("sys.stdin", io.StringIO("1111\n"))  # the PIN from a script
    args = ["--db", url, "close-shift", "--user", "kasir1", "--count", "100000x1,50000x1"]
    assert main([*args, "--reason", "setor pagi tidak dicatat"]) == 0
    out = capsys.readouterr().out
    assert "LAPORAN Z" in out and "KURANG Rp 50.000" in out
    assert shift_row(demo_sqlite) == ("closed", 150_000, "setor pagi tidak dicatat")


def test_cash_move_and_x_report(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    open_till(demo_sqlite, now=dt.datetime.now(dt.UTC))
    url = url_of(demo_sqlite)
    move = ["--db", url, "cash-move", "--user", "kasir1", "--pin", "1111", "--kind", "in"]
    move += ["--amount", "50.000", "--reason", "receh dari brankas", "--approver"]
    assert main([*move, "kasir1", "--approver-pin", "1111"]) == 1  # not her own
    assert "tidak berwenang menyetujui" in capsys.readouterr().err
    assert main([*move, "spv1", "--approver-pin", "2222"]) == 0
    assert "Kas masuk Rp 50.000" in capsys.readouterr().out
    with demo_sqlite() as s:
        assert s.scalar(select(func.count()).select_from(CashMovement)) == 1
    assert main(["--db", url, "x-report"]) == 0
    out = capsys.readouterr().out
    assert "LAPORAN X" in out and "Rp 250.000" in out and "receh" in out
    assert shift_row(demo_sqlite)[0] == "open"
    pdf = tmp_path / "x.pdf"
    assert main(["--db", url, "x-report", "--out", str(pdf)]) == 0
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "LAPORAN X" in text and "Rp 250.000" in text
