"""The print queue in the store: a receipt queued with its sale, sent in order to a printer
stand-in on 127.0.0.1 byte for byte, kept when the printer is dead (with the real cause), sent
once by a retry, and printed after a restart; reprints marked and recorded; the drawer."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import KERIPIK, MAKARONI, NOW, SPV, cash, make_till, open_till, user_id

from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.output.escpos import receipt_bytes
from kasir.output.loopback import LoopbackPrinter, free_port
from kasir.output.print_queue import (
    PrinterState,
    PrintWorker,
    queue_drawer,
    queue_receipt,
    receipt_doc,
    send_pending,
)
from kasir.output.printer import parse_printer_url
from kasir.services import printing
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till, current_shift
from kasir.store.models import DrawerOpening, PrintJob, User

Factory = sessionmaker[Session]
ESC_INIT = b"\x1b@"
DRAWER_PULSE = b"\x1bp"


def sell(demo: Factory, payments: list[PaymentInput] | None = None) -> tuple[SaleView, int]:
    """A sale and its receipt queued in the sale's own unit of work; (sale, job id)."""
    with demo() as s:
        shift_open = current_shift(s, make_till(s).counter_id) is not None
    till = make_till_in(demo) if shift_open else open_till(demo)
    with demo.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI)
        add_by_barcode(s, cart, KERIPIK)
        sale = checkout(s, till, cart, payments or cash(50_000), now=NOW)
        queued = queue_receipt(s, sale, counter_id=till.counter_id, user_id=till.user_id)
    return sale, queued.job_id


def make_till_in(demo: Factory) -> Till:
    with demo() as s:
        return make_till(s)


def job_row(demo: Factory, job_id: int) -> PrintJob:
    with demo() as s:
        found = s.get(PrintJob, job_id)
        assert found is not None
        s.expunge(found)
        return found


def test_a_cash_receipt_is_queued_with_its_sale_and_opens_the_drawer(demo: Factory) -> None:
    sale, job_id = sell(demo)
    job = job_row(demo, job_id)
    assert (job.kind, job.status, job.attempts, job.sale_id) == ("receipt", "queued", 0, sale.id)
    assert job.title == f"Struk {sale.receipt_number}"
    assert job.payload.startswith(ESC_INIT) and DRAWER_PULSE in job.payload
    with demo() as s:
        opening = s.scalars(select(DrawerOpening)).one()
        assert opening.sale_id == sale.id and opening.print_job_id == job_id
        assert opening.reason == f"Pembayaran tunai {sale.receipt_number}"
        # Asked again (F9 after a lost answer): the same job, nothing more to print.
        again = queue_receipt(s, sale, counter_id=job.counter_id, user_id=None)
        assert again.job_id == job_id
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 1


def test_a_qris_receipt_opens_no_drawer(demo: Factory) -> None:
    _sale, job_id = sell(demo, [PaymentInput("qris", 38_000, "QR-1")])
    assert DRAWER_PULSE not in job_row(demo, job_id).payload
    with demo() as s:
        assert s.scalar(select(func.count()).select_from(DrawerOpening)) == 0


def test_the_printer_receives_exactly_the_receipt_in_order(demo: Factory) -> None:
    first, first_job = sell(demo)
    second, second_job = sell(demo)
    with LoopbackPrinter() as printer:
        target = parse_printer_url(printer.url)
        attempts = send_pending(demo, first_job_counter(demo, first_job), target, 3)
        assert [a.sent for a in attempts] == [True, True]
        got = printer.data()
    payloads = [job_row(demo, j).payload for j in (first_job, second_job)]
    # What the printer got, the status queries taken out: the two receipts, in order.
    assert strip_status(got) == payloads[0] + payloads[1]
    assert got.find(first.receipt_number.encode()) < got.find(second.receipt_number.encode())
    for job_id in (first_job, second_job):
        job = job_row(demo, job_id)
        assert (job.status, job.attempts, job.last_error) == ("sent", 1, None)
        assert job.sent_at is not None
    with demo() as s:
        assert printing.next_job(s, job.counter_id) is None


def first_job_counter(demo: Factory, job_id: int) -> int:
    return job_row(demo, job_id).counter_id


def strip_status(data: bytes) -> bytes:
    """The bytes without the DLE EOT status queries asked before each job."""
    for n in (1, 2, 4):
        data = data.replace(b"\x10\x04" + bytes([n]), b"")
    return data


@pytest.mark.parametrize(
    ("mode", "cause"),
    [
        ("refused", "menolak sambungan"),
        ("silent", "tidak menjawab"),
        ("paper_out", "Kertas habis"),
        ("cover_open", "Tutup printer terbuka"),
    ],
)
def test_a_dead_printer_keeps_the_job_with_the_cause_and_a_retry_sends_it_once(
    demo: Factory, mode: str, cause: str
) -> None:
    sale, job_id = sell(demo)
    counter_id = first_job_counter(demo, job_id)
    port = free_port()
    dead = None if mode == "refused" else LoopbackPrinter(mode, port)
    try:
        started = time.monotonic()
        attempts = send_pending(demo, counter_id, parse_printer_url(f"tcp://127.0.0.1:{port}"), 3)
        took = time.monotonic() - started
    finally:
        if dead is not None:
            dead.close()
    assert [a.sent for a in attempts] == [False] and cause in attempts[0].error
    assert took < 6  # reported within the timeout (3 s here), never hanging on
    job = job_row(demo, job_id)
    assert (job.status, job.attempts) == ("failed", 1) and cause in (job.last_error or "")
    if dead is not None:
        assert sale.receipt_number.encode() not in dead.data(), "nothing printed"
    with LoopbackPrinter("ok", port) as printer:  # the printer is back
        target = parse_printer_url(printer.url)
        assert [a.sent for a in send_pending(demo, counter_id, target, 3)] == [True]
        assert [a.sent for a in send_pending(demo, counter_id, target, 3)] == []  # once
        got = strip_status(printer.data())
    job = job_row(demo, job_id)
    assert got == job.payload, "exactly the receipt, once"
    assert (job.status, job.attempts) == ("sent", 2)


def test_the_worker_reports_the_cause_and_a_restart_prints_the_queue_in_order(
    demo: Factory,
) -> None:
    _first, first_job = sell(demo)
    counter_id = first_job_counter(demo, first_job)
    port = free_port()
    states: list[PrinterState] = []
    target = parse_printer_url(f"tcp://127.0.0.1:{port}")
    worker = PrintWorker(demo, counter_id, target, states.append, timeout_s=2, retry_s=60)
    worker.start()
    try:
        deadline = time.monotonic() + 8
        while not states and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert states and "menolak sambungan" in states[-1].problem
    assert states[-1].pending == 1 and not states[-1].ok
    _second, second_job = sell(demo)  # sold meanwhile: the counter never waited
    # Kasir restarted (a new worker, the store as it was): the printer is back.
    with LoopbackPrinter("ok", port) as printer:
        states.clear()
        worker = PrintWorker(demo, counter_id, target, states.append, timeout_s=2, poll_s=0.05)
        worker.start()
        try:
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:
                if all(job_row(demo, j).status == "sent" for j in (first_job, second_job)):
                    break
                time.sleep(0.02)
        finally:
            worker.stop()
        got = strip_status(printer.data())
    payloads = [job_row(demo, j).payload for j in (first_job, second_job)]
    assert got == payloads[0] + payloads[1]
    assert states and states[-1].ok and states[-1].pending == 0


def test_a_reprint_is_marked_numbered_and_recorded(demo: Factory) -> None:
    sale, _job = sell(demo)
    spv = user_id(demo, "spv1")
    with demo.begin() as s:
        one = queue_receipt(s, sale, counter_id=1, user_id=spv, reprint=True)
        two = queue_receipt(s, sale, counter_id=1, user_id=spv, reprint=True)
        assert printing.reprint_count(s, sale.id) == 2
        views = printing.jobs(s, 1)
    assert one.title == f"Struk {sale.receipt_number} (salinan ke-1)"
    assert two.title.endswith("(salinan ke-2)")
    second = job_row(demo, two.job_id)
    assert (second.kind, second.copy_no, second.requested_by_id) == ("reprint", 2, spv)
    assert b"SALINAN" in second.payload and DRAWER_PULSE not in second.payload
    with demo() as s:
        spv_name = s.scalar(select(User.full_name).where(User.id == spv))
    assert views[0].requested_by == spv_name  # who asked, for the record
    with demo() as s:
        doc = receipt_doc(s, sale, 2)
        assert second.payload == receipt_bytes(doc, profile="default", codepage="CP858")


def test_the_drawer_by_key_needs_a_supervisor_and_is_recorded(demo: Factory) -> None:
    from kasir.errors import ApprovalRequired, ValidationError
    from kasir.services.auth import Approval

    till = open_till(demo)
    with demo.begin() as s, pytest.raises(ApprovalRequired):
        printing.approve_drawer(s, till.user_id, "tukar uang", Approval("1111"))
    with demo.begin() as s, pytest.raises(ValidationError):
        printing.approve_drawer(s, till.user_id, "  ", SPV)
    with demo.begin() as s:
        approver = printing.approve_drawer(s, till.user_id, "tukar uang", SPV)
        queued = queue_drawer(
            s,
            counter_id=till.counter_id,
            user_id=till.user_id,
            reason="tukar uang",
            approved_by_id=approver,
        )
    job = job_row(demo, queued.job_id)
    assert job.kind == "drawer" and job.payload.startswith(DRAWER_PULSE)
    with demo() as s:
        opening = s.scalars(select(DrawerOpening)).one()
        assert (opening.reason, opening.approved_by_id) == ("tukar uang", approver)
        assert opening.user_id == till.user_id and opening.sale_id is None


def test_a_printer_that_hangs_up_mid_job_keeps_the_job_and_a_retry_prints_it_whole(
    demo: Factory,
) -> None:
    sale, job_id = sell(demo)
    counter_id = first_job_counter(demo, job_id)
    port = free_port()
    with LoopbackPrinter("close", port) as torn:
        attempts = send_pending(demo, counter_id, parse_printer_url(torn.url), 3)
    assert [a.sent for a in attempts] == [False]
    assert "terputus" in attempts[0].error and job_row(demo, job_id).status == "failed"
    with LoopbackPrinter("ok", port) as printer:
        assert [a.sent for a in send_pending(demo, counter_id, parse_printer_url(printer.url), 3)]
        got = strip_status(printer.data())
    assert got == job_row(demo, job_id).payload  # the whole receipt, once, on a retry
    assert sale.receipt_number.encode() in got
