"""Printers: URLs, status answers, and sending to real endpoints: a network printer on
127.0.0.1 (a thread), a serial port (a pty), device files, a USB printer that is not there.

Timings are bounded loosely (< 6 s for the 5 s deadline), never measured tightly."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kasir.errors import EnvironmentProblem, ValidationError, environment_problem
from kasir.output.escpos import receipt_bytes
from kasir.output.printer import (
    PREVIEW_ONLY,
    STATUS_REQUEST,
    PrinterProblem,
    PrinterStatus,
    PrinterTarget,
    decode_status,
    parse_printer_url,
    query_status,
    send,
)
from kasir.output.receipt import ReceiptDoc, ReceiptHeader
from kasir.services.sale_lookup import PaymentView, SaleLineView, SaleView

READY = {1: 0x16, 2: 0x12, 4: 0x12}
PAPER_OUT = {1: 0x1E, 2: 0x32, 4: 0x7E}  # offline; stopped by paper end; near end and end
COVER_OPEN = {1: 0x1E, 2: 0x16, 4: 0x12}
NEAR_END = {1: 0x16, 2: 0x12, 4: 0x1E}


def receipt(lines: int = 30) -> bytes:
    items = tuple(
        SaleLineView(
            line_no=no, product_id=no, sku=f"SKU-{no}", barcode=None, name=f"Barang nomor {no}",
            upt_code="LPP-TGR", category="kuliner", qty=1, unit_price=10_000, list_price=10_000,
            line_discount=0, order_discount_share=0, line_total=10_000, original_line_id=None,
        )
        for no in range(1, lines + 1)
    )  # fmt: skip
    sale = SaleView(
        id=1, uuid="u", receipt_number="K01-20261122-0007", kind="sale", status="completed",
        counter_code="K01", cashier_name="Siti", business_date=dt.date(2026, 11, 22),
        created_at=dt.datetime(2026, 11, 22, 3, 5, tzinfo=dt.UTC), original_receipt=None,
        subtotal=10_000 * lines, line_discount_total=0, order_discount=0, tax_total=0,
        total=10_000 * lines, lines=items,
        payments=(PaymentView("tunai", 10_000 * lines, 10_000 * lines, 0, None),),
        reason=None, void_reason=None,
    )  # fmt: skip
    return receipt_bytes(ReceiptDoc(sale, ReceiptHeader("Toko", "Jalan", "Terima kasih"), 32))


# --- a network printer on 127.0.0.1 -------------------------------------------------------------


class FakePrinter:
    """A printer on a loopback port, served by a thread: it keeps what it receives and answers
    each DLE EOT n with `status[n]`. `silent`: accepts and never reads nor answers;
    `close_after`: answers the first status request, then closes after that many more bytes."""

    def __init__(
        self, status: dict[int, int], *, silent: bool = False, close_after: int | None = None
    ) -> None:
        self.status, self.silent, self.close_after = status, silent, close_after
        self.received = bytearray()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def target(self) -> PrinterTarget:
        return parse_printer_url(f"tcp://127.0.0.1:{self.port}")

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.2)
                self.talk(conn)

    def talk(self, conn: socket.socket) -> None:
        pending = b""  # the start of a DLE EOT split across reads
        answered = 0
        while not self.stop.is_set():
            if self.silent:
                time.sleep(0.05)
                continue
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return
            if self.close_after is not None and answered:
                self.received += chunk[: self.close_after]
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return  # closed mid-job (a reset: unread data is dropped)
            self.received += chunk
            data, pending = pending + chunk, b""
            i = 0
            while i < len(data):
                if data[i : i + 2] == b"\x10\x04":
                    if i + 2 >= len(data):
                        pending = data[i:]
                        break
                    conn.sendall(bytes((self.status[data[i + 2]],)))
                    answered += 1
                    i += 3
                else:
                    i += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.server.close()


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter(READY)
    yield fake
    fake.close()


def wait_for(condition: object, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:  # type: ignore[operator]
        time.sleep(0.01)


def test_the_network_printer_receives_exactly_the_receipt(printer: FakePrinter) -> None:
    data = receipt()
    status = send(printer.target, data)
    assert status == PrinterStatus()
    wait_for(lambda: len(printer.received) >= len(data) + 2 * len(STATUS_REQUEST))
    assert bytes(printer.received) == STATUS_REQUEST + data + STATUS_REQUEST


def test_without_the_status_check_only_the_receipt_is_sent(printer: FakePrinter) -> None:
    data = receipt()
    assert send(printer.target, data, check_status=False) == PrinterStatus(known=False)
    wait_for(lambda: len(printer.received) >= len(data))
    assert bytes(printer.received) == data


@pytest.mark.parametrize(
    ("status", "message", "cause"),
    [(PAPER_OUT, "Kertas habis", "paper_out"), (COVER_OPEN, "Tutup printer terbuka", "cover_open")],
)
def test_a_printer_with_a_problem_gets_nothing(
    status: dict[int, int], message: str, cause: str
) -> None:
    fake = FakePrinter(status)
    try:
        started = time.monotonic()
        with pytest.raises(PrinterProblem) as caught:
            send(fake.target, receipt())
        assert time.monotonic() - started < 6
        assert (str(caught.value), caught.value.cause, caught.value.delivered) == (
            message, cause, False
        )  # fmt: skip
        assert environment_problem(caught.value) == message  # the banner's one line
        time.sleep(0.2)
        assert bytes(fake.received) == STATUS_REQUEST  # asked, and nothing printed
        assert query_status(fake.target).problem == message
    finally:
        fake.close()


def test_paper_near_end_is_a_warning_only() -> None:
    fake = FakePrinter(NEAR_END)
    try:
        status = send(fake.target, receipt())
        assert status == PrinterStatus(paper_near_end=True)
        assert status.warning == "Kertas hampir habis"
    finally:
        fake.close()


def test_a_printer_that_refuses_the_connection() -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    target = parse_printer_url(f"tcp://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(PrinterProblem) as caught:
        send(target, receipt())
    assert time.monotonic() - started < 6
    assert (
        str(caught.value) == f"Printer 127.0.0.1:{port} menolak sambungan (mati atau alamat salah?)"
    )
    assert (caught.value.cause, caught.value.delivered) == ("refused", False)
    assert isinstance(caught.value, EnvironmentProblem)


def test_a_printer_that_accepts_and_never_answers_is_reported_within_5_s() -> None:
    fake = FakePrinter(READY, silent=True)
    try:
        started = time.monotonic()
        with pytest.raises(PrinterProblem) as caught:
            send(fake.target, receipt())
        assert time.monotonic() - started < 6
        assert str(caught.value) == f"Printer 127.0.0.1:{fake.port} tidak menjawab (5 dtk)"
        assert (caught.value.cause, caught.value.delivered) == ("timeout", False)
        with pytest.raises(PrinterProblem, match=r"tidak menjawab \(1,5 dtk\)"):
            query_status(fake.target, timeout_s=1.5)
    finally:
        fake.close()


def test_a_printer_that_never_reads_a_big_job_times_out_with_part_delivered() -> None:
    fake = FakePrinter(READY, silent=True)
    try:
        started = time.monotonic()
        with pytest.raises(PrinterProblem) as caught:
            send(fake.target, b"x" * 20_000_000, timeout_s=1, check_status=False)
        assert time.monotonic() - started < 6
        assert (caught.value.cause, caught.value.delivered) == ("timeout", True)
    finally:
        fake.close()


def test_a_printer_that_closes_mid_job() -> None:
    fake = FakePrinter(READY, close_after=100)
    try:
        started = time.monotonic()
        with pytest.raises(PrinterProblem) as caught:
            send(fake.target, receipt())
        assert time.monotonic() - started < 6
        assert str(caught.value) == (
            f"Sambungan ke printer 127.0.0.1:{fake.port} terputus saat mencetak"
        )
        assert (caught.value.cause, caught.value.delivered) == ("closed", True)
    finally:
        fake.close()


def test_a_printer_that_answers_garbage_to_the_status_still_prints(printer: FakePrinter) -> None:
    printer.status = {1: 0xFF, 2: 0xFF, 4: 0xFF}  # not a status byte: the status is unknown
    data = receipt()
    assert send(printer.target, data) == PrinterStatus(known=False)
    wait_for(lambda: len(printer.received) >= len(STATUS_REQUEST) + len(data))
    assert bytes(printer.received) == STATUS_REQUEST + data


def test_an_unknown_host_name() -> None:
    """A name the resolver does not know (or does not answer for within the deadline)."""
    target = parse_printer_url("tcp://printer.invalid:9100")
    started = time.monotonic()
    with pytest.raises(PrinterProblem) as caught:
        send(target, b"x", timeout_s=3)
    assert time.monotonic() - started < 6
    expected = {
        "bad_url": "Printer printer.invalid:9100 tidak dikenal di jaringan (periksa nama atau "
        "alamat IP)",
        "timeout": "Printer printer.invalid:9100 tidak menjawab (3 dtk)",
    }
    assert str(caught.value) == expected[caught.value.cause]


# --- status bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (bytes((0x16, 0x12, 0x12)), PrinterStatus()),
        (bytes((0x1E, 0x16, 0x12)), PrinterStatus("Tutup printer terbuka")),
        (bytes((0x1E, 0x32, 0x72)), PrinterStatus("Kertas habis")),
        (bytes((0x16, 0x12, 0x72)), PrinterStatus("Kertas habis")),
        (bytes((0x16, 0x12, 0x1E)), PrinterStatus(paper_near_end=True)),
        (bytes((0x1E, 0x12, 0x12)), PrinterStatus("Printer offline")),
        (bytes((0x1E, 0x52, 0x12)), PrinterStatus(decode_status(b"\x1e\x52\x12").problem)),
        (bytes((0x16, 0x12)), PrinterStatus(known=False)),
        (bytes((0x00, 0x00, 0x00)), PrinterStatus(known=False)),
    ],
)
def test_decode_status(answer: bytes, expected: PrinterStatus) -> None:
    assert decode_status(answer) == expected


def test_a_printer_error_is_offline_with_what_to_do() -> None:
    status = decode_status(bytes((0x1E, 0x52, 0x12)))
    assert status.problem is not None and status.problem.startswith("Printer offline")
    assert "matikan lalu hidupkan" in status.problem and status.cause == "offline"


# --- serial, file, usb, none --------------------------------------------------------------------


@pytest.fixture
def pty_printer() -> Iterator[tuple[str, bytearray, threading.Event]]:
    """A serial printer on a pseudo-terminal: answers READY unless `silent` is set."""
    master, slave = os.openpty()
    got = bytearray()
    silent, stop = threading.Event(), threading.Event()

    def serve() -> None:
        import select

        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            got.extend(chunk)
            if not silent.is_set():
                for at in range(len(chunk) - 2):
                    if chunk[at : at + 2] == b"\x10\x04":
                        os.write(master, bytes((READY[chunk[at + 2]],)))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield os.ttyname(slave), got, silent
    stop.set()
    thread.join(5)
    os.close(slave)
    os.close(master)


def test_a_serial_printer(pty_printer: tuple[str, bytearray, threading.Event]) -> None:
    path, got, silent = pty_printer
    target = parse_printer_url(f"serial://{path}?baudrate=19200")
    data = b"Tes serial\n" * 20
    assert send(target, data) == PrinterStatus()
    wait_for(lambda: len(got) >= len(data) + 2 * len(STATUS_REQUEST))
    assert bytes(got) == STATUS_REQUEST + data + STATUS_REQUEST
    silent.set()
    started = time.monotonic()
    with pytest.raises(PrinterProblem, match=rf"^Printer {path} tidak menjawab \(1 dtk\)$"):
        send(target, data, timeout_s=1)
    assert time.monotonic() - started < 6


def test_a_serial_port_that_is_not_there() -> None:
    target = parse_printer_url("serial:///dev/ttyKASIR9")
    with pytest.raises(PrinterProblem, match=r"^Printer /dev/ttyKASIR9 tidak ditemukan$") as caught:
        send(target, b"x")
    assert caught.value.cause == "no_device"


def test_a_file_target_gets_exactly_the_bytes(tmp_path: Path) -> None:
    out = tmp_path / "struk.bin"
    data = receipt()
    assert send(parse_printer_url(f"file://{out}"), data) == PrinterStatus(known=False)
    assert out.read_bytes() == data
    assert query_status(parse_printer_url(f"file://{out}")) == PrinterStatus(known=False)


def test_a_device_file_that_is_not_there() -> None:
    with pytest.raises(PrinterProblem, match=r"^Printer /dev/kasir-lp9 tidak ditemukan$") as caught:
        send(parse_printer_url("file:///dev/kasir-lp9"), b"x")
    assert (caught.value.cause, caught.value.delivered) == ("no_device", False)


def test_a_device_that_stops_taking_data_times_out(tmp_path: Path) -> None:
    """A pipe whose reader never reads stands in for a printer driver that is stuck."""
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        started = time.monotonic()
        with pytest.raises(PrinterProblem, match="tidak menjawab") as caught:
            send(parse_printer_url(f"file://{fifo}"), b"x" * 1_000_000, timeout_s=1)
        assert time.monotonic() - started < 6
        assert (caught.value.cause, caught.value.delivered) == ("timeout", True)
    finally:
        os.close(reader)


def test_a_usb_printer_that_is_not_there(monkeypatch: pytest.MonkeyPatch) -> None:
    import usb.core

    monkeypatch.setattr(usb.core, "find", lambda **kwargs: None)
    target = parse_printer_url("usb://04b8:0202")
    with pytest.raises(PrinterProblem, match=r"^Printer USB 04b8:0202 tidak ditemukan$") as caught:
        send(target, b"x")
    assert caught.value.cause == "no_device"


def test_usb_without_libusb_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import usb.core

    def no_backend(**kwargs: object) -> None:
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)
    with pytest.raises(PrinterProblem, match="libusb tidak terpasang") as caught:
        send(parse_printer_url("usb://04b8:0202"), b"x")
    assert caught.value.cause == "io"


def test_preview_only_sends_nothing() -> None:
    assert send(PREVIEW_ONLY, b"x") == PrinterStatus(known=False)
    assert query_status(PREVIEW_ONLY) == PrinterStatus(known=False)


# --- printer URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tcp://10.0.0.7", PrinterTarget("tcp", "10.0.0.7:9100", host="10.0.0.7")),
        ("tcp://10.0.0.7:9100", PrinterTarget("tcp", "10.0.0.7:9100", host="10.0.0.7")),
        (" TCP://printer-1.toko.lan:9101/ ",
         PrinterTarget("tcp", "printer-1.toko.lan:9101", host="printer-1.toko.lan", port=9101)),
        ("tcp://[fe80::1]:9100", PrinterTarget("tcp", "[fe80::1]:9100", host="fe80::1")),
        ("usb://04b8:0202", PrinterTarget("usb", "USB 04b8:0202", vendor=0x04B8, product=0x0202)),
        ("usb://0x0416:0x5011",
         PrinterTarget("usb", "USB 0416:5011", vendor=0x0416, product=0x5011)),
        ("usb://0fe6:811e?in_ep=0x81&out_ep=0x03",
         PrinterTarget("usb", "USB 0fe6:811e", vendor=0x0FE6, product=0x811E, in_ep=0x81,
                       out_ep=0x03)),
        ("serial:///dev/ttyS0?baudrate=9600",
         PrinterTarget("serial", "/dev/ttyS0", path="/dev/ttyS0")),
        ("serial:///dev/ttyUSB0?baudrate=115200",
         PrinterTarget("serial", "/dev/ttyUSB0", path="/dev/ttyUSB0", baudrate=115200)),
        ("serial://COM3", PrinterTarget("serial", "COM3", path="COM3")),
        ("file:///dev/usb/lp0", PrinterTarget("file", "/dev/usb/lp0", path="/dev/usb/lp0")),
        ("none", PREVIEW_ONLY),
        ("", PREVIEW_ONLY),
        ("  NONE ", PREVIEW_ONLY),
    ],
)  # fmt: skip
def test_good_printer_urls(url: str, expected: PrinterTarget) -> None:
    target = parse_printer_url(url)
    assert target == expected
    assert parse_printer_url(target.url) == target  # the canonical URL reads back the same
    assert target.answers_status == (target.scheme in ("tcp", "usb", "serial"))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("10.0.0.7:9100", r"jenis sambungan tidak ditulis \(mis\. tcp://10\.0\.0\.7:9100\)"),
        ("http://10.0.0.7", "jenis sambungan 'http' tidak dikenal"),
        ("tcp://", "nama atau alamat IP printer tidak ditulis dengan benar"),
        ("tcp://10.0.0.7:99999", "port harus angka 1 sampai 65535"),
        ("tcp://10.0.0.7:abc", "port harus angka 1 sampai 65535"),
        ("tcp://10.0.0.7:9100/printer", "setelah HOST:PORT tidak boleh ada apa-apa lagi"),
        ("tcp://bad host", "nama atau alamat IP printer tidak ditulis dengan benar"),
        ("usb://04b8", r"USB ditulis VENDOR:PRODUCT, mis\. usb://04b8:0202"),
        ("usb://xyz:0202", "vendor id USB harus angka heksadesimal 1 sampai ffff, bukan 'xyz'"),
        ("usb://04b8:12345", "product id USB harus angka heksadesimal"),
        ("usb://04b8:0202?speed=1", "pilihan 'speed' tidak dikenal"),
        ("serial://", "port serial tidak ditulis"),
        ("serial:///dev/ttyS0?baudrate=9601", "baudrate harus salah satu dari 1200, 2400"),
        ("serial:///dev/ttyS0?parity=N", "pilihan 'parity' tidak dikenal"),
        ("file://dev/usb/lp0", "berkas perangkat harus jalur lengkap"),
        ("file://", "berkas perangkat harus jalur lengkap"),
    ],
)
def test_bad_printer_urls_say_what_is_wrong_and_the_forms(url: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_printer_url(url)
    message = str(caught.value)
    assert message.startswith(f"Alamat printer '{url.strip()}' tidak valid: ")
    assert re.search(reason, message), message
    assert message.endswith(
        "bentuk yang diterima: tcp://HOST[:PORT], usb://VENDOR:PRODUCT, "
        "serial:///dev/ttyS0?baudrate=9600, file:///dev/usb/lp0 atau none."
    )
