"""The X and Z reports on paper: queued as print jobs of their own kind, sent byte for byte to
the printer stand-in, and as an A4 PDF whose text (pdftotext) holds the figures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, cash, open_till

from kasir.domain.cart import Cart
from kasir.domain.cash_count import parse_count
from kasir.domain.payment import PaymentInput
from kasir.output.loopback import LoopbackPrinter
from kasir.output.print_queue import send_pending
from kasir.output.printer import parse_printer_url
from kasir.output.shift_report import queue_shift_report, report_text
from kasir.output.shift_report_pdf import write_pdf
from kasir.services.cart_edit import add_by_barcode
from kasir.services.cash import record_cash_movement
from kasir.services.checkout import checkout
from kasir.services.shift_report import shift_report
from kasir.services.shifts import Till, close_shift, current_shift
from kasir.store.models import PrintJob, Shift

Factory = sessionmaker[Session]


def a_shift(demo: Factory) -> tuple[Till, int]:
    till = open_till(demo)
    with demo.begin() as s:
        shift = current_shift(s, till.counter_id)
        assert shift is not None
        for code, pay in (
            (MAKARONI, cash(20_000)),
            (KERIPIK, [PaymentInput("qris", 20_000, "Q1")]),
        ):
            cart = Cart()
            add_by_barcode(s, cart, code)
            checkout(s, till, cart, pay, now=NOW)
        record_cash_movement(s, shift.id, till.user_id, "in", 50_000, "tukar receh", SPV, now=NOW)
        record_cash_movement(s, shift.id, till.user_id, "drop", 100_000, "ke brankas", SPV, now=NOW)
    return till, shift.id


def test_x_report_goes_through_the_print_queue_and_the_shift_stays_open(demo: Factory) -> None:
    till, shift_id = a_shift(demo)
    with demo.begin() as s:
        queued = queue_shift_report(s, shift_id, counter_id=till.counter_id, user_id=till.user_id)
        job = s.get(PrintJob, queued.job_id)
        assert job is not None and job.kind == "x_report"
        payload = bytes(job.payload)
        shift = s.get(Shift, shift_id)
        assert shift is not None and shift.status == "open"
    with LoopbackPrinter("ok") as printer:
        target = parse_printer_url(f"tcp://127.0.0.1:{printer.port}")
        attempts = send_pending(demo, till.counter_id, target, 3.0)
        assert [a.sent for a in attempts] == [True]
        data = printer.data()
    for n in (1, 2, 4):
        data = data.replace(b"\x10\x04" + bytes([n]), b"")
    assert data == payload
    assert b"LAPORAN X" in data and b"Seharusnya di laci" in data
    assert b"Rp 168.000" in data  # 200.000 + 18.000 + 50.000 - 100.000
    assert b"tukar receh" in data and b"QRIS (1)" in data


def test_z_report_text_and_pdf_hold_the_count_and_the_difference(
    demo: Factory, tmp_path: Path
) -> None:
    till, shift_id = a_shift(demo)
    count = parse_count("100000x1,50000x1,10000x1,5000x1,2000x1,koin1000x1")  # 168.000
    short = parse_count("100000x1,50000x1,10000x1,5000x1,2000x1")  # 167.000
    assert count.total == 168_000
    with demo.begin() as s:
        close_shift(s, shift_id, short, till.user_id, reason="koin terselip", now=NOW)
        queued = queue_shift_report(s, shift_id, counter_id=till.counter_id, user_id=till.user_id)
        job = s.get(PrintJob, queued.job_id)
        assert job is not None and job.kind == "z_report"
        report = shift_report(s, shift_id, now=NOW)
    text = report_text(report, "Toko", 42)
    assert "LAPORAN Z" in text and "KURANG Rp 1.000" in text and "koin terselip" in text
    assert "Rp 50.000 x 1" in text
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    out = tmp_path / "z.pdf"
    write_pdf(report, out, "Kawasan UMKM Pemasyarakatan")
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for wanted in (
        "LAPORAN Z",
        "Shift #",
        "K01",
        till.user_name,
        "Rp 1.000 logam",
        "kertas",
        "Total hitungan",
        "167.000",
        "KURANG Rp 1.000",
        "koin terselip",
        "Seharusnya di laci",
        "Rp 168.000",
        "Setor ke brankas: ke brankas",
    ):
        assert wanted in pdf, wanted
