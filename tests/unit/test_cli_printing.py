"""`kasir receipt` and `kasir printer`: what is printed written out, a reprint sent to a
network printer (a stand-in on 127.0.0.1) and recorded, a test page, the queue, and what a dead
printer says."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import MAKARONI, NOW, cash, open_till

from kasir.cli import main
from kasir.domain.cart import Cart
from kasir.output.escpos import receipt_bytes
from kasir.output.loopback import LoopbackPrinter, free_port
from kasir.output.print_queue import preview, receipt_doc
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.store.models import PrintJob

Factory = sessionmaker[Session]


def url_of(factory: Factory) -> str:
    return factory.kw["bind"].url.render_as_string(hide_password=False)


def sold(demo: Factory) -> str:
    till = open_till(demo)
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI, 2)
        return checkout(s, till, cart, cash(50_000), now=NOW).receipt_number


def test_receipt_out_writes_exactly_what_is_printed(
    demo_sqlite: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = sold(demo_sqlite)
    url = url_of(demo_sqlite)
    assert main(["--db", url, "receipt", number, "--out", str(tmp_path / "r.bin")]) == 0
    assert main(["--db", url, "receipt", number, "--out", str(tmp_path / "r.txt")]) == 0
    with demo_sqlite() as s:
        from kasir.services.sale_lookup import get_sale

        doc = receipt_doc(s, get_sale(s, number))
        text = preview(s, doc.sale)
    assert (tmp_path / "r.bin").read_bytes() == receipt_bytes(
        doc, profile="default", codepage="CP858"
    )
    assert (tmp_path / "r.txt").read_text(encoding="utf-8") == text
    assert main(["--db", url, "receipt", number]) == 0
    assert number in capsys.readouterr().out
    assert main(["--db", url, "receipt", number, "--out", str(tmp_path / "r.pdf")]) == 1
    assert ".bin" in capsys.readouterr().err and not (tmp_path / "r.pdf").exists()


def test_receipt_print_sends_a_recorded_copy(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = sold(demo_sqlite)
    url = url_of(demo_sqlite)
    with LoopbackPrinter() as printer:
        monkeypatch.setenv("KASIR_PRINTER", printer.url)
        assert main(["--db", url, "receipt", number, "--print"]) == 0
        data = printer.data()
    assert b"SALINAN" in data and number.encode() in data
    assert "terkirim ke printer 127.0.0.1" in capsys.readouterr().out
    with demo_sqlite() as s:
        job = s.scalars(select(PrintJob)).one()
        assert (job.kind, job.copy_no, job.status) == ("reprint", 1, "sent")
    assert main(["--db", url, "printer", "queue"]) == 0
    assert f"Struk {number} (salinan ke-1): terkirim (1x)" in capsys.readouterr().out


def test_receipt_print_to_a_dead_printer_keeps_the_job_and_says_why(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = sold(demo_sqlite)
    url = url_of(demo_sqlite)
    port = free_port()
    monkeypatch.setenv("KASIR_PRINTER", f"tcp://127.0.0.1:{port}")
    assert main(["--db", url, "receipt", number, "--print"]) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port} menolak sambungan" in err and "tetap di antrean" in err
    assert "Traceback" not in err
    with LoopbackPrinter("ok", port) as printer:
        assert main(["--db", url, "printer", "retry"]) == 0
        assert main(["--db", url, "printer", "retry"]) == 0  # nothing twice
        assert printer.data().count(b"SALINAN") == 1


def test_printer_test_page_and_its_failures(
    demo_sqlite: Factory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = url_of(demo_sqlite)
    with LoopbackPrinter() as printer:
        assert main(["--db", url, "printer", "test", "--printer", printer.url]) == 0
        assert b"TES PRINTER" in printer.data()
    out = capsys.readouterr().out
    assert "Halaman tes terkirim ke printer 127.0.0.1" in out and "32 kolom" in out
    with LoopbackPrinter("paper_out") as printer:
        assert main(["--db", url, "printer", "test", "--printer", printer.url]) == 1
    assert "Kertas habis" in capsys.readouterr().err
    monkeypatch.delenv("KASIR_PRINTER", raising=False)
    assert main(["--db", url, "printer", "test"]) == 1
    assert "Tidak ada printer untuk meja ini" in capsys.readouterr().err
    assert main(["--db", url, "printer", "test", "--printer", "lpt1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kasir: ") and "Traceback" not in err


def test_receipt_out_that_cannot_be_written_is_one_line_and_leaves_nothing(
    demo_sqlite: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = sold(demo_sqlite)
    url = url_of(demo_sqlite)
    (tmp_path / "r.bin").write_bytes(b"old")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["--db", url, "receipt", number, "--out", str(blocker / "r.bin")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kasir: Tidak dapat menulis") and "Traceback" not in err
    assert main(["--db", url, "receipt", number, "--out", str(tmp_path / "r.bin")]) == 0
    assert (tmp_path / "r.bin").read_bytes().startswith(b"\x1b@")  # replaced whole
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # none left
