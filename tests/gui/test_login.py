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
from kasir.gui.dialogs import AmountDialog, PinPad
from kasir.gui.main_window import MainWindow
from kasir.gui.sale.screen import SaleScreen
from kasir.services import auth, sale_lookup, shifts
from kasir.services.auth import UserView
from kasir.timeutil import business_date

WAIT_MS = 3000
MAKARONI = "2000000100012"  # Rp 18.000


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

    def login_spy(session: Session, username: str, pin: str, **kw: object) -> UserView:
        tried.append(pin)
        return real_login(session, username, pin, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(auth, "login", login_spy)
    login = counter_app.login
    type_user(qtbot, counter_app, "kasir1")
    qtbot.keyClicks(login.pin, "9999")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    assert login.error.text() == (
        "Nama pengguna atau PIN salah. Sisa 4 kali lagi sebelum kasir1 dikunci."
    )
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
    qtbot.waitUntil(closing.check.isVisible, timeout=WAIT_MS)
    assert "Seharusnya Rp 150.000" in closing.check.text()
    qtbot.keyClick(closing.edit, Qt.Key.Key_Return)  # the count is right: confirmed
    approve(qtbot, counter_app)  # kasir2's shift: a supervisor approves

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
    sale = ops.call(lambda s: sale_lookup.get_sale(s, screen.last_sale.receipt_number))  # type: ignore[union-attr]
    assert sale.business_date == business_date()


def approve(qtbot: QtBot, app: CounterApp, pin: str = "2222", user: str = "spv1") -> None:
    """The supervisor types their name and PIN in the handover's approval, then Enter."""
    qtbot.waitUntil(lambda: app.approval_dialog is not None, timeout=WAIT_MS)
    approval = app.approval_dialog
    assert approval is not None
    approval.user.setText(user)
    qtbot.keyClicks(approval.edit, pin)
    qtbot.keyClick(approval.edit, Qt.Key.Key_Return)


# --- F12 Keluar: the next cashier ----------------------------------------------------------------


def log_in_as(qtbot: QtBot, app: CounterApp, username: str, pin: str) -> None:
    qtbot.waitUntil(app.login.isVisible, timeout=WAIT_MS)
    type_user(qtbot, app, username)
    qtbot.keyClicks(app.login.pin, pin)
    qtbot.keyClick(app.login.pin, Qt.Key.Key_Return)


def shown(app: CounterApp) -> tuple[SaleScreen, MainWindow]:
    """The sale screen and window shown now (they change at every login)."""
    assert app.sale_screen is not None and app.window is not None
    return app.sale_screen, app.window


def type_amount(qtbot: QtBot, dialog: AmountDialog | None, amount: str) -> None:
    assert dialog is not None
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, amount)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)


def test_f12_is_refused_while_the_cart_has_lines(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    qtbot.keyClicks(screen.scan, MAKARONI)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F12)
    assert screen.message.text() == (
        "Keranjang masih berisi: simpan (F8) atau selesaikan dulu, lalu F12 untuk keluar."
    )
    assert counter_app.window is not None and counter_app.window.isVisible()
    assert not counter_app.login.isVisible()
    assert screen.model.rowCount() == 1


def test_f12_then_another_cashier_counts_and_closes_the_shift(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    """Two cashiers never share one shift: kasir2 counts kasir1's drawer, then opens their own."""
    window = counter_app.window
    assert window is not None
    first_shift = counter_app.shift
    assert first_shift is not None
    buttons = {b.text().split("\n")[0]: b for b in screen.findChildren(QPushButton)}
    assert buttons["F12"].text() == "F12\nKeluar"
    qtbot.keyClick(screen.scan, Qt.Key.Key_F12)
    qtbot.waitUntil(counter_app.login.isVisible, timeout=WAIT_MS)
    assert not window.isVisible() and counter_app.window is None
    login = counter_app.login
    assert login.user.currentText() == "" and login.pin.text() == "" and login.error.text() == ""

    log_in_as(qtbot, counter_app, "kasir2", "1212")
    qtbot.waitUntil(lambda: counter_app.close_dialog is not None, timeout=WAIT_MS)
    closing = counter_app.close_dialog
    assert closing is not None
    assert (
        f"Shift #{first_shift.id} (Siti Rahmawati) masih terbuka di meja ini"
        in closing.prompt.text()
    )
    assert "Hitung uang di laci" in closing.prompt.text()
    assert counter_app.sale_screen is None, "kasir2 does not join kasir1's shift"
    type_amount(qtbot, closing, "200.000")
    qtbot.waitUntil(closing.check.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(closing.edit, Qt.Key.Key_Return)
    approve(qtbot, counter_app)
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    opening = counter_app.shift_dialog
    assert opening is not None and "selisih kas Rp 0" in opening.prompt.text()
    type_amount(qtbot, opening, "150.000")
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)

    shift = counter_app.shift
    assert shift is not None and shift.id != first_shift.id
    assert shift.cashier_name == "Rudi Hartono" and shift.opening_float == 150_000
    fresh, window = shown(counter_app)
    assert fresh is not screen and fresh.till.user_name == "Rudi Hartono"
    status = [label.text() for label in window.status_labels]
    assert "Kasir: Rudi Hartono" in status
    closed = counter_app.ops.call(lambda s: shifts.shift_view(s, first_shift.id))
    assert (closed.status, closed.counted_cash, closed.difference) == ("closed", 200_000, 0)


def test_f12_then_the_same_cashier_keeps_the_shift(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    first_shift = counter_app.shift
    assert first_shift is not None
    qtbot.keyClick(screen.scan, Qt.Key.Key_F12)
    log_in_as(qtbot, counter_app, "kasir1", "1111")
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)
    assert counter_app.close_dialog is None and counter_app.shift_dialog is None
    assert counter_app.shift is not None and counter_app.shift.id == first_shift.id
    _fresh, window = shown(counter_app)
    counter_app.ops.error.emit("Coba")  # the old window is gone; the new one says it
    assert window.statusBar().currentMessage() == "Coba"


def test_paying_on_a_shift_of_yesterday_logs_out_and_keeps_the_cart(
    qtbot: QtBot,
    counter_app: CounterApp,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    """The shift turned out to be of an earlier day (left open past midnight): the cashier is
    not stuck. The cart and the payment stay stored, the login asks again, the old shift is
    counted and closed, and the cart comes back by itself on today's shift."""
    old = counter_app.shift
    assert old is not None
    yesterday = business_date() - dt.timedelta(days=1)
    with demo_sqlite.begin() as s:
        s.execute(
            text("UPDATE shift SET business_date = :d WHERE id = :id"),
            {"d": yesterday, "id": old.id},
        )
    for code in (MAKARONI, MAKARONI):
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    qtbot.keyClick(screen.dialog.amount, Qt.Key.Key_Return)  # type: ignore[union-attr]

    qtbot.waitUntil(counter_app.login.isVisible, timeout=WAIT_MS)
    assert counter_app.window is None
    note = counter_app.login.error.text()
    assert note.startswith(f"Shift ini dibuka tanggal {yesterday:%d-%m-%Y}")
    assert "Keranjang dan pembayaran yang sudah diterima tetap tersimpan" in note

    log_in_as(qtbot, counter_app, "kasir1", "1111")
    qtbot.waitUntil(lambda: counter_app.close_dialog is not None, timeout=WAIT_MS)
    closing = counter_app.close_dialog
    assert closing is not None
    assert f"dari tanggal {yesterday:%d-%m-%Y} masih terbuka" in closing.prompt.text()
    type_amount(qtbot, closing, "200.000")
    qtbot.waitUntil(closing.check.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(closing.edit, Qt.Key.Key_Return)  # kasir1's own shift: no supervisor
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    type_amount(qtbot, counter_app.shift_dialog, "200.000")
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)
    fresh = counter_app.sale_screen
    assert fresh is not None
    assert fresh.message.text().startswith("Keranjang yang belum selesai dipulihkan (2 barang")
    assert "Tunai Rp 36.000" in fresh.message.text()
    assert fresh.model.rowCount() == 1 and fresh.total_label.text() == "Rp 36.000"
    qtbot.keyClick(fresh.scan, Qt.Key.Key_F9)  # paid already: F9 stores the sale
    assert fresh.last_sale is not None
    sale = counter_app.ops.call(lambda s: sale_lookup.get_sale(s, fresh.last_sale.receipt_number))  # type: ignore[union-attr]
    assert (sale.total, sale.business_date) == (36_000, business_date())
    with demo_sqlite() as s:
        assert s.scalar(text("SELECT count(*) FROM sale")) == 1
