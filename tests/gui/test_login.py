"""Logging in at the counter and opening the shift, by keyboard and by the touch PIN pad."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.app import CounterApp
from kasir.gui.dialogs import PinPad
from kasir.services import auth, sales, shifts
from kasir.services.auth import UserView
from kasir.timeutil import business_date

WAIT_MS = 3000


def type_user(qtbot: QtBot, app: CounterApp, username: str) -> None:
    qtbot.keyClicks(app.login.user.lineEdit(), username)
    qtbot.keyClick(app.login.user.lineEdit(), Qt.Key.Key_Return)


def pad_button(pad: PinPad, label: str) -> QPushButton:
    (button,) = [b for b in pad.findChildren(QPushButton) if b.text() == label]
    return button


def test_login_dialog_starts_on_the_username(counter_app: CounterApp) -> None:
    login = counter_app.login
    assert login.isVisible()
    assert "K01" in login.windowTitle()
    usernames = [login.user.itemData(i) for i in range(login.user.count())]
    assert {"kasir1", "kasir2", "spv1", "manajer"} <= set(usernames)
    assert login.user.currentText() == ""
    assert login.pin.echoMode() == login.pin.EchoMode.Password


def test_keyboard_login_then_opening_float_opens_the_shift(
    qtbot: QtBot, counter_app: CounterApp, demo_sqlite: sessionmaker[Session]
) -> None:
    login = counter_app.login
    type_user(qtbot, counter_app, "kasir1")
    assert login.pin.hasFocus(), "Enter after the username moves on to the PIN"
    qtbot.keyClicks(login.pin, "1111")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    assert not login.isVisible()
    dialog = counter_app.shift_dialog
    assert dialog is not None and dialog.isVisible()
    assert "belum punya shift" in dialog.prompt.text()
    qtbot.waitUntil(dialog.edit.hasFocus, timeout=WAIT_MS)
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, "200.000")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)
    assert counter_app.window is not None and counter_app.window.isVisible()
    screen = counter_app.sale_screen
    assert screen is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)
    status = [label.text() for label in counter_app.window.status_labels]
    assert "Meja: K01" in status
    assert "Kasir: Siti Rahmawati" in status
    assert any(t.startswith("Shift #") and "Rp 200.000" in t for t in status), status
    assert "Hari ini: 0 penjualan, Rp 0" in status
    with demo_sqlite() as s:
        row = s.execute(text("SELECT opening_float, closed_at FROM shift")).one()
    assert tuple(row) == (200_000, None)


def test_wrong_pin_says_so_in_indonesian_and_stays(
    qtbot: QtBot, counter_app: CounterApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[str] = []
    real_login = auth.login

    def login_spy(session: Session, username: str, pin: str) -> UserView:
        tried.append(pin)
        return real_login(session, username, pin)

    monkeypatch.setattr(auth, "login", login_spy)
    login = counter_app.login
    type_user(qtbot, counter_app, "kasir1")
    qtbot.keyClicks(login.pin, "9999")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    assert login.error.text() == "Nama pengguna atau PIN salah."
    assert tried == ["9999"], "one Enter, one attempt (no second try by a default button)"
    assert login.isVisible()
    assert login.pin.text() == "", "the wrong PIN is cleared for the next try"
    assert login.pin.hasFocus()
    assert counter_app.shift_dialog is None and counter_app.window is None

    qtbot.keyClicks(login.pin, "1111")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)


def test_enter_without_a_username_asks_for_one(qtbot: QtBot, counter_app: CounterApp) -> None:
    login = counter_app.login
    login.pin.setFocus()
    qtbot.keyClicks(login.pin, "1111")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    assert login.error.text() == "Pilih atau ketik nama pengguna."
    assert login.isVisible()


def test_pin_pad_by_touch(qtbot: QtBot, counter_app: CounterApp) -> None:
    """Pick the user from the list, tap the PIN (with a correction) and OK."""
    login = counter_app.login
    login.user.setCurrentIndex(login.user.findData("kasir2"))
    (pad,) = login.findChildren(PinPad)
    for label in ("1", "2", "1", "9", "⌫", "2"):
        qtbot.mouseClick(pad_button(pad, label), Qt.MouseButton.LeftButton)
    assert login.pin.text() == "1212"
    qtbot.mouseClick(pad_button(pad, "OK"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    assert counter_app.user is not None and counter_app.user.username == "kasir2"

    # The opening float by touch too.
    shift = counter_app.shift_dialog
    (shift_pad,) = shift.findChildren(PinPad)
    shift.edit.clear()
    for label in ("1", "5", "0", "0", "0", "0", "OK"):
        qtbot.mouseClick(pad_button(shift_pad, label), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)
    assert counter_app.shift is not None and counter_app.shift.opening_float == 150_000


def test_bad_opening_float_is_refused_in_the_dialog(qtbot: QtBot, counter_app: CounterApp) -> None:
    type_user(qtbot, counter_app, "kasir1")
    qtbot.keyClicks(counter_app.login.pin, "1111")
    qtbot.keyClick(counter_app.login.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    dialog = counter_app.shift_dialog
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, "dua ratus")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error.text()
    assert counter_app.window is None


def test_second_login_finds_the_open_shift(qtbot: QtBot, counter_app: CounterApp) -> None:
    """A counter whose shift is already open goes straight to the sale screen."""
    type_user(qtbot, counter_app, "kasir1")
    qtbot.keyClicks(counter_app.login.pin, "1111")
    qtbot.keyClick(counter_app.login.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    type_float = counter_app.shift_dialog
    type_float.edit.selectAll()
    qtbot.keyClicks(type_float.edit, "100000")
    qtbot.keyClick(type_float.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)

    again = CounterApp(counter_app.store)
    qtbot.addWidget(again.login)
    again.start()
    try:
        type_user(qtbot, again, "kasir1")
        qtbot.keyClicks(again.login.pin, "1111")
        qtbot.keyClick(again.login.pin, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: again.sale_screen is not None, timeout=WAIT_MS)
        assert again.shift_dialog is None
        assert again.shift is not None and again.shift.id == counter_app.shift.id
    finally:
        if again.window is not None:
            again.window.close()
            again.window.deleteLater()


def test_a_shift_left_open_yesterday_is_closed_first(qtbot: QtBot, counter_app: CounterApp) -> None:
    """Nobody is stuck: the drawer of yesterday's shift is counted and closed, then today's
    shift opens, and selling is on today's date."""
    ops = counter_app.ops
    yesterday = business_date() - dt.timedelta(days=1)
    old = ops.call(
        lambda s: shifts.open_shift(
            s,
            counter_app.store.counter_id,
            auth.login(s, "kasir2", "1212").id,
            150_000,
            day=yesterday,
        )
    )
    type_user(qtbot, counter_app, "kasir1")
    qtbot.keyClicks(counter_app.login.pin, "1111")
    qtbot.keyClick(counter_app.login.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.close_dialog is not None, timeout=WAIT_MS)
    closing = counter_app.close_dialog
    assert closing is not None
    assert f"Shift #{old.id} (Rudi Hartono)" in closing.prompt.text()
    closing.edit.selectAll()
    qtbot.keyClicks(closing.edit, "140.000")
    qtbot.keyClick(closing.edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    opening = counter_app.shift_dialog
    assert opening is not None
    assert "selisih kas -Rp 10.000" in opening.prompt.text()
    opening.edit.selectAll()
    qtbot.keyClicks(opening.edit, "200000")
    qtbot.keyClick(opening.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)
    assert counter_app.shift is not None and counter_app.shift.business_date == business_date()

    closed = ops.call(lambda s: shifts.shift_view(s, old.id))
    assert (closed.status, closed.expected_cash, closed.counted_cash) == (
        "closed",
        150_000,
        140_000,
    )
    screen = counter_app.sale_screen
    assert screen is not None
    qtbot.keyClicks(screen.scan, "2000000100012")
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: screen.dialog is not None, timeout=WAIT_MS)
    qtbot.keyClick(screen.dialog.amount, Qt.Key.Key_Return)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: screen.last_sale is not None, timeout=WAIT_MS)
    sale = ops.call(lambda s: sales.get_sale(s, screen.last_sale.receipt_number))  # type: ignore[union-attr]
    assert sale.business_date == business_date()
