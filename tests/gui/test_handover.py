"""The next cashier's handover: another cashier's shift is counted against what the drawer
should hold (a typo corrected before it is final), closed with a supervisor's PIN, and a
cancelled handover leaves an empty login; the stock staff cannot open a till."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.app import CounterApp
from kasir.gui.handover import HandoverDialog
from kasir.gui.login import OpenShiftDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services import shifts
from kasir.services.auth import UserView
from kasir.store.models import Shift, User

WAIT_MS = 3000


def log_in_as(qtbot: QtBot, app: CounterApp, username: str, pin: str) -> None:
    qtbot.waitUntil(app.login.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(app.login.user.lineEdit(), username)
    qtbot.keyClick(app.login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(app.login.pin, pin)
    qtbot.keyClick(app.login.pin, Qt.Key.Key_Return)


def hand_over(qtbot: QtBot, app: CounterApp, screen: SaleScreen) -> HandoverDialog:
    """kasir1 (whose shift is open, float Rp 200.000) leaves with F12; kasir2 logs in."""
    qtbot.keyClick(screen.scan, Qt.Key.Key_F12)
    log_in_as(qtbot, app, "kasir2", "1212")
    qtbot.waitUntil(lambda: app.close_dialog is not None, timeout=WAIT_MS)
    dialog = app.close_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.edit.hasFocus, timeout=WAIT_MS)
    return dialog


def count(qtbot: QtBot, dialog: HandoverDialog, amount: str) -> None:
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, amount)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)


def shift_row(factory: sessionmaker[Session], shift_id: int) -> Shift:
    with factory() as s:
        shift = s.get(Shift, shift_id)
        assert shift is not None
        return shift


def test_a_typo_is_shown_against_the_expected_and_corrected_before_closing(
    qtbot: QtBot,
    counter_app: CounterApp,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    first = counter_app.shift
    assert first is not None
    dialog = hand_over(qtbot, counter_app, screen)
    assert "perlu persetujuan supervisor" in dialog.prompt.text()

    count(qtbot, dialog, "1.000.000")  # meant 200.000
    qtbot.waitUntil(dialog.check.isVisible, timeout=WAIT_MS)
    text = dialog.check.text()
    assert "Dihitung   Rp 1.000.000" in text and "Seharusnya Rp 200.000" in text
    assert "LEBIH Rp 800.000" in text and "Salah ketik?" in dialog.check_hint.text()
    assert "minta PIN supervisor" in dialog.check_hint.text()
    assert shift_row(demo_sqlite, first.id).status == "open", "nothing closed yet"
    assert counter_app.approval_dialog is None

    qtbot.keyClick(dialog.edit, Qt.Key.Key_Escape)  # back to the count, not out
    assert dialog.isVisible() and not dialog.check.isVisible()
    assert dialog.edit.hasFocus() and dialog.edit.selectedText() == "1.000.000"
    count(qtbot, dialog, "199.000")
    qtbot.waitUntil(dialog.check.isVisible, timeout=WAIT_MS)
    assert "KURANG Rp 1.000" in dialog.check.text()
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Backspace)  # an edit drops the check
    assert not dialog.check.isVisible()
    count(qtbot, dialog, "200.000")
    qtbot.waitUntil(dialog.check.isVisible, timeout=WAIT_MS)
    assert "cocok, tanpa selisih" in dialog.check.text()
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # confirmed: the supervisor's turn

    qtbot.waitUntil(lambda: counter_app.approval_dialog is not None, timeout=WAIT_MS)
    approval = counter_app.approval_dialog
    assert approval is not None
    assert (
        f"Tutup shift #{first.id} (Siti Rahmawati): dihitung Rp 200.000, seharusnya "
        "Rp 200.000, selisih Rp 0." in approval.prompt.text()
    )
    approval.user.setText("kasir2")
    qtbot.keyClicks(approval.edit, "1212")  # kasir2's own PIN approves nothing
    qtbot.keyClick(approval.edit, Qt.Key.Key_Return)
    refused = "Rudi Hartono (Kasir) tidak berwenang menyetujui"
    qtbot.waitUntil(lambda: refused in approval.error.text(), timeout=WAIT_MS)
    assert approval.isVisible() and approval.edit.text() == ""
    assert shift_row(demo_sqlite, first.id).status == "open"
    approval.user.setText("spv1")
    qtbot.keyClicks(approval.edit, "2222")
    qtbot.keyClick(approval.edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    opening = counter_app.shift_dialog
    assert opening is not None and "selisih kas Rp 0" in opening.prompt.text()
    closed = shift_row(demo_sqlite, first.id)
    with demo_sqlite() as s:
        spv = s.scalar(select(User.id).where(User.username == "spv1"))
        kasir2 = s.scalar(select(User.id).where(User.username == "kasir2"))
    assert (closed.status, closed.counted_cash, closed.expected_cash) == (
        "closed",
        200_000,
        200_000,
    )
    assert (closed.closed_by_id, closed.close_approved_by_id) == (kasir2, spv)


def test_the_count_shows_the_carts_given_up_on_the_shift(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    """A cart cancelled with Esc shows up in the shift's figures at the count."""
    qtbot.keyClicks(screen.scan, "2000000100012")  # Makaroni Keju 18.000
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT_MS)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Escape)
    box = screen.dialog
    assert isinstance(box, QMessageBox) and box.windowTitle() == "Batalkan transaksi?"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.dialog is None, timeout=WAIT_MS)
    assert screen.ops.wait_idle(WAIT_MS)
    dialog = hand_over(qtbot, counter_app, screen)
    count(qtbot, dialog, "200.000")
    qtbot.waitUntil(dialog.check.isVisible, timeout=WAIT_MS)
    assert "Keranjang batal 1 (Rp 18.000)" in dialog.check.text()
    assert "cocok, tanpa selisih" in dialog.check.text()


def test_esc_in_the_supervisor_pin_goes_back_to_the_count(
    qtbot: QtBot,
    counter_app: CounterApp,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    first = counter_app.shift
    assert first is not None
    dialog = hand_over(qtbot, counter_app, screen)
    count(qtbot, dialog, "200.000")
    qtbot.waitUntil(dialog.check.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.approval_dialog is not None, timeout=WAIT_MS)
    approval = counter_app.approval_dialog
    assert approval is not None
    qtbot.keyClick(approval.edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: counter_app.approval_dialog is None, timeout=WAIT_MS)
    qtbot.waitUntil(dialog.edit.hasFocus, timeout=WAIT_MS)
    assert dialog.isVisible() and not approval.isVisible()
    assert shift_row(demo_sqlite, first.id).status == "open"
    assert counter_app.shift_dialog is None


def test_cancelling_the_handover_gives_an_empty_login(
    qtbot: QtBot,
    counter_app: CounterApp,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    first = counter_app.shift
    assert first is not None
    dialog = hand_over(qtbot, counter_app, screen)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Escape)
    login = counter_app.login
    qtbot.waitUntil(login.isVisible, timeout=WAIT_MS)
    assert not dialog.isVisible() and counter_app.user is None
    assert login.user.currentText() == "" and login.pin.text() == ""
    qtbot.waitUntil(login.user.lineEdit().hasFocus, timeout=WAIT_MS)  # type: ignore[union-attr]
    assert shift_row(demo_sqlite, first.id).status == "open"
    # The next name typed goes into the username, not into the masked PIN.
    log_in_as(qtbot, counter_app, "kasir1", "1111")
    qtbot.waitUntil(lambda: counter_app.sale_screen is not None, timeout=WAIT_MS)
    assert counter_app.shift is not None and counter_app.shift.id == first.id


def test_cancelling_the_opening_float_gives_an_empty_login(
    qtbot: QtBot, counter_app: CounterApp
) -> None:
    log_in_as(qtbot, counter_app, "kasir1", "1111")
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    opening = counter_app.shift_dialog
    assert isinstance(opening, OpenShiftDialog)
    qtbot.keyClick(opening.edit, Qt.Key.Key_Escape)
    login = counter_app.login
    qtbot.waitUntil(login.isVisible, timeout=WAIT_MS)
    assert login.user.currentText() == "" and login.pin.text() == ""
    qtbot.waitUntil(login.user.lineEdit().hasFocus, timeout=WAIT_MS)  # type: ignore[union-attr]


def test_the_stock_staff_cannot_open_a_till(
    qtbot: QtBot, counter_app: CounterApp, demo_sqlite: sessionmaker[Session]
) -> None:
    log_in_as(qtbot, counter_app, "gudang", "4444")
    login = counter_app.login
    qtbot.waitUntil(lambda: "Staf Gudang" in login.error.text(), timeout=WAIT_MS)
    assert login.error.text() == (
        "Agus Pratama (Staf Gudang) tidak boleh membuka kasir atau berjualan. Masuk dengan "
        "akun kasir, supervisor atau manajer."
    )
    assert login.isVisible() and counter_app.shift_dialog is None
    assert counter_app.sale_screen is None and counter_app.user is None
    assert login.user.currentText() == "" and login.pin.text() == ""
    with demo_sqlite() as s:
        assert shifts.current_shift(s, counter_app.store.counter_id) is None


def test_the_shift_dialogs_fit_1024x768(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    dialog = hand_over(qtbot, counter_app, screen)
    count(qtbot, dialog, "1.000.000")
    qtbot.waitUntil(dialog.check.isVisible, timeout=WAIT_MS)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter_app.approval_dialog is not None, timeout=WAIT_MS)
    approval = counter_app.approval_dialog
    assert approval is not None
    opening = OpenShiftDialog(None, UserView(2, "kasir2", "Rudi Hartono", "kasir"), "K01")
    qtbot.addWidget(opening)
    for widget in (dialog, approval, opening, counter_app.login):
        hint = widget.sizeHint().expandedTo(widget.minimumSizeHint())
        assert hint.width() <= 1024 and hint.height() <= 740, (widget, hint)
