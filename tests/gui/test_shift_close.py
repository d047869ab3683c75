"""The cashier closes her own shift from the sale screen with the keyboard: Ctrl+F12, the count
by denomination before the expected amount is shown, the check, a reason for a difference, the
Z report printed (a printer stand-in on 127.0.0.1) and back to the login; Ctrl+K kas
masuk/keluar with a supervisor's PIN; Shift+F12 the X report, the shift staying open."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from form_keys import focused, type_enter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kasir.gui.app import CounterApp, Store
from kasir.gui.dialogs import SupervisorDialog
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.shift.cash_move import CashMoveDialog
from kasir.gui.shift.close import ShiftCloseDialog
from kasir.output.loopback import LoopbackPrinter, free_port
from kasir.store.models import CashMovement, PrintJob, Shift

WAIT_MS = 3000
PRINT_WAIT_MS = 8000
MAKARONI = "2000000100012"  # Rp 18.000
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def store(store: Store, port: int) -> Store:
    return dataclasses.replace(store, printer=f"tcp://127.0.0.1:{port}")


def sell_cash(qtbot: QtBot, screen: SaleScreen) -> None:
    qtbot.keyClicks(screen.scan, MAKARONI)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # exact cash
    assert screen.dialog is None


def shown_text(dialog: QDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())


def the_shift(app: CounterApp) -> Shift:
    def read(s: object) -> Shift:
        shift = s.scalars(select(Shift).order_by(Shift.id.desc())).first()  # type: ignore[attr-defined]
        s.expunge(shift)  # type: ignore[attr-defined]
        return shift  # type: ignore[no-any-return]

    return app.ops.call(read)


def count_in(qtbot: QtBot, dialog: ShiftCloseDialog, pieces: list[str | None]) -> None:
    """Type the pieces of each denomination in order (None: leave empty), Enter after each."""
    assert focused() is dialog.fields[0]
    type_enter(qtbot, *pieces)


# 100.000 x2, 10.000, 5.000, 2.000, the Rp 1.000 note: Rp 218.000 (200.000 float + 18.000)
EXACT = ["2", None, None, "1", "1", "1", "1", None, None, None, None]


def test_ctrl_f12_counts_blind_closes_prints_z_and_logs_out(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, port: int
) -> None:
    with LoopbackPrinter("ok", port) as printer:
        sell_cash(qtbot, screen)
        qtbot.keyClick(screen.scan, Qt.Key.Key_F12, CTRL)
        dialog = screen.dialog
        assert isinstance(dialog, ShiftCloseDialog)
        assert "218" not in shown_text(dialog)  # blind: nothing says what the drawer holds
        type_enter(qtbot, *EXACT[:-1])
        assert "Total dihitung: Rp 218.000" in dialog.total.text()
        assert "Seharusnya" not in shown_text(dialog)
        type_enter(qtbot, EXACT[-1])  # Enter in the last field: the check
        assert dialog.checked is not None
        assert "Seharusnya Rp 218.000" in dialog.check.text() and "cocok" in dialog.check.text()
        assert not dialog.reason.isVisible()
        qtbot.keyClick(focused(), Qt.Key.Key_Return)  # confirm
        qtbot.waitUntil(lambda: counter_app.sale_screen is None, timeout=WAIT_MS)
        assert counter_app.login.isVisible()
        shift = the_shift(counter_app)
        assert shift.status == "closed" and shift.counted_cash == 218_000
        assert shift.counted_detail is not None
        detail = json.loads(shift.counted_detail)
        assert detail["notes"]["100000"] == 2 and detail["notes"]["1000"] == 1
        assert detail["coins"]["1000"] == 0
        qtbot.waitUntil(lambda: b"LAPORAN Z" in printer.data(), timeout=PRINT_WAIT_MS)
        assert b"Rp 218.000" in printer.data()


def test_a_difference_needs_a_reason_and_bad_counts_are_refused(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    qtbot.keyClick(screen.scan, Qt.Key.Key_F12, CTRL)
    dialog = screen.dialog
    assert isinstance(dialog, ShiftCloseDialog)
    type_enter(qtbot, "1", "abc", *[None] * 9)  # letters: refused, nothing closed
    assert dialog.checked is None and "bukan 'abc'" in dialog.error.text()
    assert focused() is dialog.fields[1]
    type_enter(qtbot, "-2")
    assert dialog.checked is None
    dialog.fields[1].setFocus()
    type_enter(qtbot, "1", *[None] * 9)  # 150.000 of 200.000
    assert dialog.checked is not None and "KURANG Rp 50.000" in dialog.check.text()
    assert dialog.reason.isVisible() and focused() is dialog.reason
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason: refused
    assert "alasan" in dialog.error.text() and the_shift(counter_app).status == "open"
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)  # back to the count
    assert dialog.checked is None and not dialog.fields[0].isReadOnly()
    dialog.fields[6].setFocus()
    type_enter(qtbot, "5", *[None] * 4)  # + 5 x Rp 1.000: 155.000
    assert dialog.checked is not None and "KURANG Rp 45.000" in dialog.check.text()
    type_enter(qtbot, "setoran siang belum dicatat")
    qtbot.waitUntil(lambda: counter_app.sale_screen is None, timeout=WAIT_MS)
    shift = the_shift(counter_app)
    assert (shift.counted_cash, shift.difference_reason) == (155_000, "setoran siang belum dicatat")
    assert "ditutup" in counter_app.login.error.text()
    assert "kurang Rp 45.000" in counter_app.login.error.text()


def test_ctrl_k_cash_in_with_a_supervisor_then_shift_f12_x_report(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, port: int
) -> None:
    qtbot.keyClick(screen.scan, Qt.Key.Key_K, CTRL)
    dialog = screen.dialog
    assert isinstance(dialog, CashMoveDialog)
    assert dialog.chosen_kind == "in"
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Return)
    type_enter(qtbot, "50.000", "receh dari brankas")
    approval = screen.dialog
    assert isinstance(approval, SupervisorDialog)
    type_enter(qtbot, "spv1", "2222")
    assert screen.dialog is None and not dialog.isVisible()
    assert "Kas masuk Rp 50.000" in screen.message.text()
    moves = counter_app.ops.call(lambda s: s.scalars(select(CashMovement)).all())
    assert [(m.kind, m.amount, m.reason) for m in moves] == [("in", 50_000, "receh dari brankas")]
    with LoopbackPrinter("ok", port) as printer:
        qtbot.keyClick(screen.scan, Qt.Key.Key_F12, SHIFT)
        assert "LAPORAN X" in screen.receipt.toPlainText()
        assert "Rp 250.000" in screen.receipt.toPlainText()
        qtbot.waitUntil(lambda: b"LAPORAN X" in printer.data(), timeout=PRINT_WAIT_MS)
    kinds = counter_app.ops.call(lambda s: s.scalars(select(PrintJob.kind)).all())
    assert "x_report" in kinds and the_shift(counter_app).status == "open"


def test_dialogs_fit_1024x768(qtbot: QtBot, screen: SaleScreen) -> None:
    window = screen.window()
    window.resize(1024, 768)
    opened: list[Callable[[], None]] = [
        lambda: qtbot.keyClick(screen.scan, Qt.Key.Key_F12, CTRL),
        lambda: qtbot.keyClick(screen.scan, Qt.Key.Key_K, CTRL),
    ]
    for open_it in opened:
        open_it()
        dialog = screen.dialog
        assert dialog is not None
        QApplication.processEvents()
        assert dialog.width() <= 1024 and dialog.height() <= 768, dialog
        dialog.done(QDialog.DialogCode.Rejected)
        QApplication.processEvents()
