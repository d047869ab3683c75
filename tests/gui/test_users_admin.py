"""User administration (Pengelolaan, F2 at the login): list, add, disable, reset a PIN, each
with the acting manager's own PIN; refusals are the service's message."""

from __future__ import annotations

import datetime as dt

from form_keys import focused, log_in_and_open_shift, type_enter, wait_visible
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.app import CounterApp
from kasir.gui.manager import ManagerMenu
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.users import AddUserDialog, UsersDialog
from kasir.store.models import User
from kasir.timeutil import utcnow

WAIT_MS = 3000


def manage_as(qtbot: QtBot, app: CounterApp, username: str, pin: str) -> ManagerMenu:
    login = app.login
    qtbot.keyClicks(login.user.lineEdit(), username)
    qtbot.keyClick(login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin, pin)
    qtbot.keyClick(login.pin, Qt.Key.Key_F2)  # Pengelolaan instead of Enter
    menu = wait_visible(qtbot, lambda: app.manager)
    assert isinstance(menu, ManagerMenu)
    return menu


def open_users(qtbot: QtBot, menu: ManagerMenu) -> UsersDialog:
    qtbot.keyClick(menu, Qt.Key.Key_F2)
    dialog = wait_visible(qtbot, lambda: menu.child_dialog)
    assert isinstance(dialog, UsersDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=WAIT_MS)
    return dialog


def rows(dialog: UsersDialog) -> dict[str, tuple[str, ...]]:
    m = dialog.model
    out = {}
    for r in range(m.rowCount()):
        values = tuple(str(m.index(r, c).data()) for c in range(m.columnCount()))
        out[values[0]] = values[1:]
    return out


def choose(qtbot: QtBot, dialog: UsersDialog, username: str) -> None:
    qtbot.keyClick(dialog.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(dialog.model.rowCount()):
        chosen = dialog.selected()
        if chosen is not None and chosen.username == username:
            return
        qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    raise AssertionError(f"{username} not in the list")


def user(factory: sessionmaker[Session], username: str) -> User:
    with factory() as s:
        found = s.scalar(select(User).where(User.username == username))
        assert found is not None
        return found


def test_the_manager_adds_a_cashier_with_their_own_pin(
    qtbot: QtBot, counter_app: CounterApp, demo_sqlite: sessionmaker[Session]
) -> None:
    menu = manage_as(qtbot, counter_app, "manajer", "3333")
    assert not counter_app.login.isVisible() and counter_app.shift_dialog is None
    dialog = open_users(qtbot, menu)
    listed = rows(dialog)
    assert set(listed) == {"admin", "gudang", "kasir1", "kasir2", "manajer", "spv1"}
    assert listed["kasir1"][1:3] == ("Kasir", "ya")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Insert)
    form = wait_visible(qtbot, lambda: dialog.form)
    assert isinstance(form, AddUserDialog)
    assert form.username.hasFocus() and form.actor_user is not None
    assert form.actor_user.text() == "manajer"  # the acting manager, filled in
    # A wrong PIN of the manager: the service's message, nothing written, the form stays.
    type_enter(qtbot, "kasir9", "Dewi Lestari", None, "123456", "123456", None, "0000")
    qtbot.waitUntil(lambda: "PIN manajer salah" in form.error.text(), timeout=WAIT_MS)
    assert form.isVisible() and "kasir9" not in rows(dialog)
    # Only the manager's own PIN is typed again: the new user's data and PIN stay.
    assert form.actor_pin is not None and form.actor_pin.hasFocus()
    assert form.actor_pin.text() == "" and form.pin.text() == "123456"
    assert form.username.text() == "kasir9"
    type_enter(qtbot, "3333")
    qtbot.waitUntil(lambda: "kasir9" in rows(dialog), timeout=WAIT_MS)
    assert not form.isVisible()
    assert rows(dialog)["kasir9"][:3] == ("Dewi Lestari", "Kasir", "ya")
    assert "kasir9 (Dewi Lestari) ditambahkan" in dialog.message.text()
    assert user(demo_sqlite, "kasir9").role == "kasir"


def test_disable_and_reset_pin_end_a_lockout_and_managers_cannot_touch_admins(
    qtbot: QtBot, counter_app: CounterApp, demo_sqlite: sessionmaker[Session]
) -> None:
    with demo_sqlite.begin() as s:
        s.execute(
            update(User)
            .where(User.username == "kasir1")
            .values(locked_until=utcnow() + dt.timedelta(minutes=15))
        )
    menu = manage_as(qtbot, counter_app, "manajer", "3333")
    dialog = open_users(qtbot, menu)
    assert rows(dialog)["kasir1"][3] != ""  # locked until ...
    # Reset kasir1's PIN: the lockout ends.
    choose(qtbot, dialog, "kasir1")
    qtbot.keyClick(dialog.table, Qt.Key.Key_F4)
    form = wait_visible(qtbot, lambda: dialog.form)
    assert "ikut dibuka" in form.intro.text()  # type: ignore[attr-defined]
    type_enter(qtbot, "112233", "445566", None, "3333")
    assert "tidak sama" in form.error.text()  # type: ignore[attr-defined]
    type_enter(qtbot, "112233", "112233", None, "3333")
    qtbot.waitUntil(lambda: rows(dialog)["kasir1"][3] == "", timeout=WAIT_MS)
    assert user(demo_sqlite, "kasir1").locked_until is None
    # Disable kasir1, then enable again.
    choose(qtbot, dialog, "kasir1")
    qtbot.keyClick(dialog.table, Qt.Key.Key_F3)
    wait_visible(qtbot, lambda: dialog.form)
    type_enter(qtbot, None, "3333")
    qtbot.waitUntil(lambda: rows(dialog)["kasir1"][2] == "tidak", timeout=WAIT_MS)
    assert not user(demo_sqlite, "kasir1").active
    choose(qtbot, dialog, "kasir1")
    qtbot.keyClick(dialog.table, Qt.Key.Key_F3)
    wait_visible(qtbot, lambda: dialog.form)
    type_enter(qtbot, None, "3333")
    qtbot.waitUntil(lambda: rows(dialog)["kasir1"][2] == "ya", timeout=WAIT_MS)
    # A manager may not disable the administrator: the service says so, in the form.
    choose(qtbot, dialog, "admin")
    qtbot.keyClick(dialog.table, Qt.Key.Key_F3)
    form = wait_visible(qtbot, lambda: dialog.form)
    type_enter(qtbot, None, "3333")
    qtbot.waitUntil(
        lambda: "hanya dapat dikelola oleh administrator" in form.error.text(), timeout=WAIT_MS
    )  # type: ignore[attr-defined]
    assert form.isVisible() and user(demo_sqlite, "admin").active
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_who_may_enter_pengelolaan(qtbot: QtBot, counter_app: CounterApp) -> None:
    login = counter_app.login
    qtbot.keyClicks(login.user.lineEdit(), "kasir1")
    qtbot.keyClick(login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin, "1111")
    qtbot.keyClick(login.pin, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: "tidak berwenang" in login.error.text(), timeout=WAIT_MS)
    assert counter_app.manager is None and counter_app.shift_dialog is None
    # The supervisor: the audit view only.
    login.reset()
    menu = manage_as(qtbot, counter_app, "spv1", "2222")
    assert not menu.users_button.isEnabled() and menu.audit_button.isEnabled()
    qtbot.keyClick(menu, Qt.Key.Key_F2)
    assert menu.child_dialog is None
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(login.isVisible, timeout=WAIT_MS)
    assert login.pin.text() == "" and login.user.currentText() == ""
    # The administrator's plain login (Enter) is the Pengelolaan: no till.
    qtbot.keyClicks(login.user.lineEdit(), "admin")
    qtbot.keyClick(login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin, "5555")
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    menu = wait_visible(qtbot, lambda: counter_app.manager)  # type: ignore[assignment]
    assert menu.users_button.isEnabled() and counter_app.shift_dialog is None


def test_f5_and_f3_in_the_sale_window_only_for_the_roles_allowed(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    # kasir1 is logged in (the `screen` fixture): F5 and F3 do nothing.
    for key in (Qt.Key.Key_F5, Qt.Key.Key_F3):
        qtbot.keyClick(screen.scan, key)
        assert counter_app.side_dialog is None


def test_the_manager_at_the_till_opens_users_and_audit(
    qtbot: QtBot, counter_app: CounterApp
) -> None:
    screen = log_in_and_open_shift(qtbot, counter_app, "manajer", "3333")
    qtbot.keyClick(screen.scan, Qt.Key.Key_F5)
    dialog = wait_visible(qtbot, lambda: counter_app.side_dialog)
    assert isinstance(dialog, UsersDialog)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(screen.scan.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F3)
    audit = wait_visible(qtbot, lambda: counter_app.side_dialog)
    assert audit.windowTitle() == "Kasir — Jurnal audit"
