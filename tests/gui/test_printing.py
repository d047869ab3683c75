"""The counter with a network receipt printer (a stand-in on 127.0.0.1): a sale prints its
receipt, a dead printer shows its cause in a banner while the next sale goes on, "Coba lagi"
prints what waited once and in order, and F5 in today's receipts prints a marked copy."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kasir.gui.app import CounterApp, Store
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.returns import ReturnsDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.output.loopback import LoopbackPrinter, free_port
from kasir.store.models import PrintJob

WAIT_MS = 3000
PRINT_WAIT_MS = 8000  # the print worker's own thread, a 3 s printer timeout
MAKARONI = "2000000100012"  # Rp 18.000
KERIPIK = "2000000100043"  # Rp 20.000


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def store(store: Store, port: int) -> Store:
    """The conftest's store, with this counter's printer on the stand-in's port."""
    return dataclasses.replace(store, printer=f"tcp://127.0.0.1:{port}")


@pytest.fixture
def app(counter_app: CounterApp, screen: SaleScreen) -> CounterApp:
    return counter_app


def payloads(app: CounterApp, kind: str = "receipt") -> list[bytes]:
    """The jobs' bytes, in the order queued."""
    query = select(PrintJob.payload).where(PrintJob.kind == kind).order_by(PrintJob.id)
    return [bytes(p) for p in app.ops.call(lambda s: list(s.scalars(query)))]


def strip_status(data: bytes) -> bytes:
    for n in (1, 2, 4):
        data = data.replace(b"\x10\x04" + bytes([n]), b"")
    return data


def sell(qtbot: QtBot, screen: SaleScreen, *codes: str) -> str:
    for code in codes:
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # exact cash
    assert screen.last_sale is not None and screen.dialog is None
    return screen.last_sale.receipt_number


def test_a_sale_prints_its_receipt(qtbot: QtBot, app: CounterApp, port: int) -> None:
    screen = app.sale_screen
    assert screen is not None
    with LoopbackPrinter("ok", port) as printer:
        number = sell(qtbot, screen, MAKARONI, KERIPIK)
        qtbot.waitUntil(lambda: number.encode() in printer.data(), timeout=PRINT_WAIT_MS)
        qtbot.waitUntil(lambda: "siap" in app.status_printer.text(), timeout=PRINT_WAIT_MS)
        data = printer.data()
    assert strip_status(data) == payloads(app)[0]  # exactly the receipt, once
    assert number.encode() in data and b"\x1bp" in data  # and the drawer opened
    assert not app.printer_banner.isVisible()
    assert f"127.0.0.1:{port}" in app.status_printer.text()


def test_a_dead_printer_is_named_the_next_sale_goes_on_and_a_retry_prints_once(
    qtbot: QtBot, app: CounterApp, port: int
) -> None:
    screen = app.sale_screen
    assert screen is not None
    with LoopbackPrinter("paper_out", port):
        first = sell(qtbot, screen, MAKARONI)
        qtbot.waitUntil(app.printer_banner.isVisible, timeout=PRINT_WAIT_MS)
        assert "Kertas habis" in app.printer_banner.label.text()
        assert "Penjualan jalan terus" in app.printer_banner.label.text()
        # The counter did not wait: the next item goes in at once.
        qtbot.keyClicks(screen.scan, KERIPIK)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
        assert screen.model.rowCount() == 1
    second = sell(qtbot, screen)
    with LoopbackPrinter("ok", port) as printer:  # paper in
        qtbot.mouseClick(app.printer_banner.retry, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: second.encode() in printer.data(), timeout=PRINT_WAIT_MS)
        qtbot.waitUntil(lambda: not app.printer_banner.isVisible(), timeout=PRINT_WAIT_MS)
        data = printer.data()
    # Each once, in the order sold (the paper-out printer got only status queries).
    assert strip_status(data) == b"".join(payloads(app))
    assert data.find(first.encode()) < data.find(second.encode())


def test_f5_in_todays_receipts_prints_a_marked_copy(
    qtbot: QtBot, app: CounterApp, port: int
) -> None:
    screen = app.sale_screen
    assert screen is not None
    with LoopbackPrinter("ok", port) as printer:
        number = sell(qtbot, screen, MAKARONI)
        qtbot.waitUntil(lambda: number.encode() in printer.data(), timeout=PRINT_WAIT_MS)
        qtbot.keyClick(screen.scan, Qt.Key.Key_F10)
        returns = screen.dialog
        assert isinstance(returns, ReturnsDialog)
        qtbot.keyClick(returns.number, Qt.Key.Key_F10)  # today's list
        qtbot.waitUntil(lambda: returns.receipts is not None, timeout=WAIT_MS)
        receipts = returns.receipts
        assert receipts is not None and receipts.reprint_button.isEnabled()
        qtbot.waitUntil(lambda: receipts.model.rowCount() == 1, timeout=WAIT_MS)
        qtbot.keyClick(receipts.filter, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: b"SALINAN" in printer.data(), timeout=PRINT_WAIT_MS)
        assert "salinan ke-1" in receipts.status.text()
        data = printer.data()
    assert strip_status(data) == payloads(app)[0] + payloads(app, "reprint")[0]
    assert b"\x1bp" not in payloads(app, "reprint")[0], "a reprint never opens the drawer"


def test_ctrl_l_opens_the_drawer_with_a_reason_and_a_supervisor(
    qtbot: QtBot, app: CounterApp, port: int
) -> None:
    from kasir.gui.dialogs import InputDialog, SupervisorDialog
    from kasir.store.models import DrawerOpening

    screen = app.sale_screen
    assert screen is not None
    with LoopbackPrinter("ok", port) as printer:
        qtbot.keyClick(screen.scan, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        reason = screen.dialog
        assert isinstance(reason, InputDialog)
        qtbot.keyClicks(reason.edit, "tukar uang")
        qtbot.keyClick(reason.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: isinstance(screen.dialog, SupervisorDialog), timeout=WAIT_MS)
        pin = screen.dialog
        assert isinstance(pin, SupervisorDialog) and "laci" in pin.prompt.text().lower()
        pin.user.setText("spv1")
        qtbot.keyClicks(pin.edit, "2222")
        qtbot.keyClick(pin.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: b"\x1bp" in printer.data(), timeout=PRINT_WAIT_MS)
    assert "Laci dibuka (tukar uang); dicatat." in screen.message.text()
    openings = app.ops.call(lambda s: list(s.scalars(select(DrawerOpening))))
    assert [(o.reason, o.sale_id is None, o.approved_by_id is not None) for o in openings] == [
        ("tukar uang", True, True)
    ]


def test_the_status_bar_names_the_printer_once(qtbot: QtBot, app: CounterApp, port: int) -> None:
    """A refused connection: the banner says it all, the status bar once and short."""
    screen = app.sale_screen
    assert screen is not None
    sell(qtbot, screen, MAKARONI)  # nothing listens on the port
    qtbot.waitUntil(app.printer_banner.isVisible, timeout=PRINT_WAIT_MS)
    assert app.printer_banner.label.text().startswith(f"⚠ Printer 127.0.0.1:{port} menolak")
    text = app.status_printer.text()
    assert text.count(f"127.0.0.1:{port}") == 1 and "menolak sambungan" in text
