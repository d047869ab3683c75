"""Tutup hari (PNBP) from Pengelolaan (F4), driven by keys on a real store: an open shift at
another counter blocks the close and is listed; once it is closed the day is closed with the
manager's PIN (a wrong PIN stays in the wizard with the message) and the final PDF is saved, with
the settlement's number and no DRAFT mark."""

from __future__ import annotations

import subprocess
from pathlib import Path

from form_keys import focused, wait_visible
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import MAKARONI, cash, make_till

from kasir.config import data_dir
from kasir.domain.cart import Cart
from kasir.flows.dayclose import Step
from kasir.gui.app import CounterApp
from kasir.gui.dayclose.wizard import DayCloseDialog
from kasir.gui.manager import ManagerMenu
from kasir.services.cart_edit import add_by_barcode
from kasir.services.catalog import ensure_counter
from kasir.services.checkout import checkout
from kasir.services.shifts import Till, close_shift, current_shift, open_shift
from kasir.store.models import DayClose, User
from kasir.timeutil import business_date

WAIT_MS = 10_000  # a PDF is rendered between two keys


def sell_at_k02(factory: sessionmaker[Session]) -> Till:
    """kasir2 opens a shift at counter K02 today and sells one Makaroni in cash."""
    with factory.begin() as s:
        ensure_counter(s, "K02")
    with factory.begin() as s:
        till = make_till(s, "K02", "kasir2")
        open_shift(s, till.counter_id, till.user_id, 200_000)
    with factory.begin() as s:
        cart = Cart()
        add_by_barcode(s, cart, MAKARONI)
        checkout(s, till, cart, cash(20_000))
    return till


def close_k02(factory: sessionmaker[Session], till: Till) -> None:
    with factory.begin() as s:
        shift = current_shift(s, till.counter_id)
        assert shift is not None
        close_shift(s, shift.id, 218_000, till.user_id)


def manage_as(qtbot: QtBot, app: CounterApp, username: str, pin: str) -> ManagerMenu:
    """Username, Enter, PIN, then F2 (Pengelolaan) at the login."""
    qtbot.keyClicks(app.login.user.lineEdit(), username)
    qtbot.keyClick(app.login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(app.login.pin, pin)
    qtbot.keyClick(app.login.pin, Qt.Key.Key_F2)
    menu = wait_visible(qtbot, lambda: app.manager)
    assert isinstance(menu, ManagerMenu)
    return menu


def open_wizard(qtbot: QtBot, menu: ManagerMenu) -> DayCloseDialog:
    qtbot.keyClick(menu, Qt.Key.Key_F4)
    dialog = wait_visible(qtbot, lambda: menu.child_dialog)
    assert isinstance(dialog, DayCloseDialog)
    return dialog


def key(qtbot: QtBot, dialog: DayCloseDialog, k: Qt.Key) -> None:
    qtbot.keyClick(focused(), k)
    qtbot.waitUntil(lambda: not dialog.working, timeout=WAIT_MS)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def failed_pins(factory: sessionmaker[Session], username: str) -> int:
    with factory() as s:
        return s.scalar(select(User.failed_pins).where(User.username == username)) or 0


def test_blocked_by_an_open_shift_then_closed_with_the_managers_pin(
    qtbot: QtBot, counter_app: CounterApp, demo_sqlite: sessionmaker[Session]
) -> None:
    till = sell_at_k02(demo_sqlite)
    menu = manage_as(qtbot, counter_app, "manajer", "3333")
    assert menu.day_close_button.isEnabled()
    dialog = open_wizard(qtbot, menu)
    assert dialog.state.step is Step.DATE and dialog.state.day == business_date()
    assert dialog.height() <= 768 and dialog.width() <= 1024

    key(qtbot, dialog, Qt.Key.Key_Return)  # today
    assert dialog.state.step is Step.CHECK
    assert dialog.blocking.isVisible()
    assert "Meja K02: shift #" in dialog.blocking.text()
    assert "belum ditutup" in dialog.blocking.text()
    assert not dialog.action.isEnabled()
    key(qtbot, dialog, Qt.Key.Key_Return)  # refused: the shift is still open
    assert dialog.state.step is Step.CHECK
    key(qtbot, dialog, Qt.Key.Key_Escape)  # Esc steps back, Enter checks again
    assert dialog.state.step is Step.DATE and dialog.isVisible()
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.state.step is Step.CHECK and dialog.blocking.isVisible()

    close_k02(demo_sqlite, till)  # kasir2 closes her shift at K02
    key(qtbot, dialog, Qt.Key.Key_F5)
    assert dialog.state.step is Step.CHECK and not dialog.blocking.isVisible()
    assert dialog.action.isEnabled()
    assert "PNBP terutang" in [label for label, _ in dialog.state.summary()]

    steps: list[tuple[int, int]] = []  # the renderer's progress, relayed from the worker
    dialog.relay.step.connect(lambda done, total: steps.append((done, total)))
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    key(qtbot, dialog, Qt.Key.Key_Return)  # the draft preview, rendered off the GUI thread
    assert dialog.state.step is Step.PREVIEW, dialog.state.error
    assert dialog.state.preview is not None and dialog.state.preview.exists()
    assert "DRAFT" in pdf_text(dialog.state.preview)
    assert len(steps) >= 2 and steps[0][0] == 0 and steps[-1][0] == steps[-1][1]
    assert steps[-1][0] in values  # the bar followed the renderer
    assert dialog.progress.isVisible() and dialog.progress.text().startswith("PDF selesai:")
    pixmap = dialog.image_label.pixmap()
    assert dialog.image is not None and not pixmap.isNull() and pixmap.height() > 300

    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.state.step is Step.CONFIRM and focused() is dialog.pin
    qtbot.keyClicks(dialog.pin, "9999")
    key(qtbot, dialog, Qt.Key.Key_Return)  # a wrong PIN: stays, with the message
    assert dialog.state.step is Step.CONFIRM and dialog.isVisible()
    assert dialog.error.isVisible() and dialog.error.text() == dialog.state.error != ""
    assert dialog.pin.text() == ""
    assert failed_pins(demo_sqlite, "manajer") == 1
    with demo_sqlite() as s:
        assert s.scalar(select(DayClose)) is None

    qtbot.keyClicks(dialog.pin, "3333")
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.state.step is Step.EXPORT, dialog.state.error
    number = dialog.state.figures.number if dialog.state.figures else None
    assert number
    with demo_sqlite() as s:
        closed = s.scalar(select(DayClose))
        assert closed is not None and closed.number == number

    key(qtbot, dialog, Qt.Key.Key_Return)  # save the final PDF in the data folder's laporan
    assert dialog.state.step is Step.DEPOSIT, dialog.state.error
    out = data_dir() / "laporan" / f"PNBP-{business_date():%Y-%m-%d}.pdf"
    assert dialog.state.exported == out and out.exists()
    text = pdf_text(out)
    assert number in text and "DRAFT" not in text
    assert str(out) in dialog.notice.text()

    # The deposit data, by keys: billing, NTPN, date (today), amount (the PNBP due), user, PIN.
    assert focused() is dialog.deposit.billing and dialog.deposit.amount.text().startswith("Rp ")
    qtbot.keyClicks(dialog.deposit.billing, "12345678901234")  # 14 digits
    key(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.deposit.ntpn, "ABCDEF0123456789")
    for _ in range(4):  # the date, the amount and the username as they are; Enter in the PIN
        key(qtbot, dialog, Qt.Key.Key_Return)
    assert focused() is dialog.deposit.pin
    qtbot.keyClicks(dialog.deposit.pin, "3333")
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.state.step is Step.DEPOSIT and "billing" in dialog.error.text().lower()
    dialog.deposit.billing.setFocus()
    qtbot.keyClicks(dialog.deposit.billing, "5")
    for _ in range(5):
        key(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.deposit.pin, "3333")
    key(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.state.step is Step.DEPOSIT and dialog.state.error == ""
    assert dialog.notice.text().startswith("Data setoran tersimpan. Laporan disimpan:")
    text = pdf_text(out)
    assert "123456789012345" in text and "ABCDEF0123456789" in text and number in text

    key(qtbot, dialog, Qt.Key.Key_Escape)  # done
    qtbot.waitUntil(lambda: menu.child_dialog is None, timeout=WAIT_MS)


def test_a_cashier_menu_has_no_day_close(qtbot: QtBot, counter_app: CounterApp) -> None:
    menu = manage_as(qtbot, counter_app, "spv1", "2222")
    assert not menu.day_close_button.isEnabled()
    qtbot.keyClick(menu, Qt.Key.Key_F4)
    assert menu.child_dialog is None
