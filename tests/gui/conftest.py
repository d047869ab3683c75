"""Fixtures for the cashier window: a real counter on a fresh demo store, driven by keys.

`counter_app` is the app with the login dialog shown; `screen` is the sale screen after logging
in as kasir1 and opening the shift with the keyboard, exactly as a cashier does it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session, sessionmaker

from kasir.config import Config
from kasir.gui.app import CounterApp, Store, open_store
from kasir.gui.ops import Ops
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.scanner import ScanBurstFilter

WAIT_MS = 3000
_LIVE_OPS: weakref.WeakSet[Ops] = weakref.WeakSet()


def settle() -> None:
    """Let every queued operation finish and its callbacks run."""
    for ops in list(_LIVE_OPS):
        assert ops.wait_idle(WAIT_MS), "an operation did not finish"


@pytest.fixture(autouse=True)
def _keys_settle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The window works off the GUI thread: after each key or click a test sends, wait until
    the operations it queued are done, as a cashier looking at the screen would. Tests of key
    bursts (typed while operations run, or a scanner's burst) send their keys with QTest
    directly instead.

    Each qtbot key call is one action of a person, so a pause follows it: keys the scanner
    filter held back (a run of fast keys that may have been a scanner's) are delivered then,
    as they would be after `scanner_key_interval_ms` of a person's pause."""
    original_init = Ops.__init__

    def init(self: Ops, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        _LIVE_OPS.add(self)

    monkeypatch.setattr(Ops, "__init__", init)
    for name in ("keyClick", "keyClicks", "keyPress", "keyRelease", "mouseClick"):
        original = getattr(QtBot, name)

        def settled(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            result = _original(*args, **kwargs)
            ScanBurstFilter.end_all_bursts()
            settle()
            return result

        monkeypatch.setattr(QtBot, name, staticmethod(settled))
    _LIVE_OPS.clear()  # only this test's workers: an earlier test's may never answer again
    yield
    _LIVE_OPS.clear()


@pytest.fixture
def store(demo_sqlite: sessionmaker[Session]) -> Iterator[Store]:
    """The app's own view of a fresh demo store (counter K01), closed after the test."""
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    opened = open_store(Config(database_url=url, counter="K01"))
    yield opened
    opened.ops.factory.kw["bind"].dispose()


@pytest.fixture
def counter_app(qtbot: QtBot, store: Store) -> Iterator[CounterApp]:
    app = CounterApp(store)
    qtbot.addWidget(app.login)
    app.start()
    yield app
    close_counter(app)


def close_counter(app: CounterApp) -> None:
    """Close every window the app opened (qtbot only knows about the login dialog)."""
    screen = app.sale_screen
    if screen is not None:
        screen.ops.wait_idle()
        screen.close_confirmed = True  # the cart stays stored; no question at teardown
    if screen is not None and screen.dialog is not None:
        # done(), not reject(): the payment dialog asks twice before dropping payments.
        screen.dialog.done(QDialog.DialogCode.Rejected)
    for handover in (app.approval_dialog, app.close_dialog):  # Esc there only steps back
        if handover is not None:
            handover.done(QDialog.DialogCode.Rejected)
    for widget in (app.shift_dialog, app.window):
        if widget is not None:
            widget.close()
            widget.deleteLater()
    # No more beats, and nothing left running on the worker when the store is disposed.
    app.heartbeat_timer.stop()
    app.printing.stop()
    app.ops.wait_idle()
    QApplication.processEvents()


def log_in(qtbot: QtBot, app: CounterApp, username: str = "kasir1", pin: str = "1111") -> None:
    """Type the username, Enter, the PIN, Enter: as at the counter."""
    qtbot.keyClicks(app.login.user.lineEdit(), username)
    qtbot.keyClick(app.login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(app.login.pin, pin)
    qtbot.keyClick(app.login.pin, Qt.Key.Key_Return)


def open_shift(qtbot: QtBot, app: CounterApp, amount: str = "200.000") -> None:
    qtbot.waitUntil(lambda: app.shift_dialog is not None, timeout=WAIT_MS)
    dialog = app.shift_dialog
    assert dialog is not None
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, amount)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.sale_screen is not None, timeout=WAIT_MS)


@pytest.fixture
def screen(qtbot: QtBot, counter_app: CounterApp) -> SaleScreen:
    """The sale screen of kasir1 after logging in and opening the shift by keyboard."""
    log_in(qtbot, counter_app)
    open_shift(qtbot, counter_app)
    assert counter_app.sale_screen is not None
    return counter_app.sale_screen


@pytest.fixture
def scan(qtbot: QtBot, screen: SaleScreen) -> Callable[[str], None]:
    """What a scanner does: type the code into the scan field, then Enter."""

    def scan_code(code: str) -> None:
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)

    return scan_code


@pytest.fixture
def press(qtbot: QtBot, screen: SaleScreen) -> Callable[..., QDialog | None]:
    """Press a key in the scan field; returns the dialog it opened, if any."""

    def press_key(
        key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> QDialog | None:
        qtbot.keyClick(screen.scan, key, modifier)
        return screen.dialog

    return press_key


@pytest.fixture
def type_into(qtbot: QtBot) -> Callable[[QWidget, str], None]:
    """Replace a field's text by typing, then Enter."""

    def type_enter(widget: QWidget, text: str) -> None:
        widget.selectAll()  # type: ignore[attr-defined]
        qtbot.keyClicks(widget, text)
        qtbot.keyClick(widget, Qt.Key.Key_Return)

    return type_enter
