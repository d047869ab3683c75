"""The sale window's screen lock: F11 or idle; nothing reaches the sale screen while locked;
only the cashier's PIN (or a supervisor's) opens it; wrong PINs count; both journaled."""

from __future__ import annotations

import json
from collections.abc import Callable

import shiboken6
from form_keys import burst, type_enter, wait_visible
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.app import CounterApp
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.screen_lock import LockDialog
from kasir.store.models import AuditEvent

WAIT_MS = 3000
MAKARONI = "2000000100012"  # Rp 18.000
KERIPIK = "2000000100043"  # Rp 20.000
Scan = Callable[[str], None]


def gone(dialog: QWidget) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def cart(screen: SaleScreen) -> list[tuple[str, int]]:
    view = screen.view
    return [] if view is None else [(line.name, line.qty) for line in view.lines]


def events(factory: sessionmaker[Session]) -> list[tuple[str, dict[str, object]]]:
    with factory() as s:
        return [
            (e.action, json.loads(e.payload))
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action not in ("login",)
        ]


def lock_with_f11(qtbot: QtBot, app: CounterApp, screen: SaleScreen) -> LockDialog:
    qtbot.keyClick(screen.scan, Qt.Key.Key_F11)
    lock = app.screen_lock
    assert lock is not None
    dialog = wait_visible(qtbot, lambda: lock.dialog)
    assert isinstance(dialog, LockDialog)
    qtbot.waitUntil(dialog.pin.hasFocus, timeout=WAIT_MS)
    return dialog


def test_f11_locks_and_nothing_reaches_the_sale_screen(
    qtbot: QtBot,
    counter_app: CounterApp,
    screen: SaleScreen,
    scan: Scan,
    demo_sqlite: sessionmaker[Session],
) -> None:
    scan(MAKARONI)
    before = cart(screen)
    assert len(before) == 1
    dialog = lock_with_f11(qtbot, counter_app, screen)
    window = counter_app.window
    assert window is not None
    assert dialog.who.text().startswith("Dikunci oleh ")
    assert "(Kasir) pukul" in dialog.who.text()
    assert dialog.geometry() == window.frameGeometry()  # it covers the window
    # A scanner's burst into the lock: recognised and dropped, not a PIN, not kept.
    burst(QApplication.focusWidget(), KERIPIK)
    qtbot.waitUntil(lambda: dialog.dropped == 1, timeout=WAIT_MS)
    assert dialog.pin.text() == "" and "diabaikan" in dialog.error.text()
    # Function keys, Esc and Ctrl keys where the focus is (the lock's PIN field), and at the
    # sale window itself (blocked by the modal lock).
    for key, mod in (
        (Qt.Key.Key_F9, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F12, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F10, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F8, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier),
    ):
        qtbot.keyClick(QApplication.focusWidget(), key, mod)
        QTest.keyClick(window.windowHandle(), key, mod)
    burst(window.windowHandle(), KERIPIK)  # type: ignore[arg-type]
    QTest.qWait(100)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F11)
    assert dialog.isVisible() and counter_app.screen_lock is not None
    assert counter_app.screen_lock.dialog is dialog
    assert cart(screen) == before and screen.dialog is None
    assert screen.keys.kept == [] and screen.scan.text() == ""
    assert counter_app.window is window and counter_app.user is not None
    # A wrong PIN is said and counted; the right one opens it, the cart as it was.
    type_enter(qtbot, "9999")
    qtbot.waitUntil(lambda: "PIN kasir1 salah" in dialog.error.text(), timeout=WAIT_MS)
    assert "Sisa 4 kali" in dialog.error.text() and dialog.isVisible()
    type_enter(qtbot, "1111")
    qtbot.waitUntil(lambda: gone(dialog), timeout=WAIT_MS)
    assert counter_app.screen_lock is not None and counter_app.screen_lock.dialog is None
    qtbot.waitUntil(screen.scan.hasFocus, timeout=WAIT_MS)
    assert cart(screen) == before
    scan(KERIPIK)  # selling goes on
    assert len(cart(screen)) == 2
    assert [e[0] for e in events(demo_sqlite)] == ["screen_lock", "login_failed", "screen_unlock"]
    assert events(demo_sqlite)[0][1] == {"reason": "key"}


def test_a_supervisor_opens_it_another_cashier_cannot(
    qtbot: QtBot,
    counter_app: CounterApp,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    dialog = lock_with_f11(qtbot, counter_app, screen)
    assert dialog.user.text() == "kasir1"
    dialog.user.setFocus()
    type_enter(qtbot, "gudang", "4444")
    qtbot.waitUntil(lambda: "tidak dapat membuka layar" in dialog.error.text(), timeout=WAIT_MS)
    assert dialog.isVisible()
    dialog.user.setFocus()
    type_enter(qtbot, "spv1", "2222")
    qtbot.waitUntil(lambda: gone(dialog), timeout=WAIT_MS)
    assert counter_app.user is not None and counter_app.user.username == "kasir1"
    assert [e[0] for e in events(demo_sqlite)] == ["screen_lock", "refused", "screen_unlock"]
    assert events(demo_sqlite)[-1][1] == {"locked_by": "kasir1"}


def test_the_window_locks_itself_when_idle_and_activity_delays_it(
    qtbot: QtBot,
    counter_app: CounterApp,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    lock = counter_app.screen_lock
    window = counter_app.window
    assert lock is not None and window is not None
    assert lock.minutes == 5 and lock.idle.isActive()  # the store's screen_lock_minutes
    lock.idle.setInterval(3000)
    lock.touch()
    handle = window.windowHandle()
    for i in range(8):  # each move of the mouse starts the idle time again
        QTest.qWait(100)
        QTest.mouseMove(handle, QPoint(100 + 10 * (i % 2), 100))
        QApplication.processEvents()
        assert lock.dialog is None
        assert lock.idle.remainingTime() > 2500, "the move started the 3 s again"
    qtbot.waitUntil(lambda: lock.dialog is not None, timeout=5000)
    dialog = wait_visible(qtbot, lambda: lock.dialog)
    assert isinstance(dialog, LockDialog)
    assert events(demo_sqlite)[0] == ("screen_lock", {"reason": "idle"})
    qtbot.waitUntil(dialog.pin.hasFocus, timeout=WAIT_MS)
    type_enter(qtbot, "1111")
    qtbot.waitUntil(lambda: lock.dialog is None, timeout=WAIT_MS)
    lock.set_minutes(0)  # 0: never
    assert not lock.idle.isActive()


def test_f12_while_locked_never_logs_out_and_a_logout_takes_the_lock_away(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen
) -> None:
    dialog = lock_with_f11(qtbot, counter_app, screen)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_F12)
    assert counter_app.window is not None
    counter_app.logout("Meja diambil alih.")  # the counter lost, say: the lock goes too
    assert gone(dialog) and counter_app.screen_lock is None
    assert counter_app.login.isVisible()
