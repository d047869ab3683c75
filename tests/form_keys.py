"""Typing into the windows (GUI tests) as a person does, into the focused widget, and as a
scanner does."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kasir.gui import scanner

WAIT_MS = 3000


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def type_enter(qtbot: QtBot, *values: str | None) -> None:
    """For each value: type it into the focused field (None: leave it as it is), then Enter."""
    for value in values:
        widget = focused()
        if value is not None:
            assert isinstance(widget, QLineEdit), widget
            widget.selectAll()
            qtbot.keyClicks(widget, value)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)


def wait_visible(qtbot: QtBot, get: object) -> QWidget:
    assert callable(get)
    qtbot.waitUntil(lambda: get() is not None and get().isVisible(), timeout=WAIT_MS)
    widget = get()
    assert isinstance(widget, QWidget)
    return widget


def log_in_and_open_shift(qtbot: QtBot, app: Any, username: str, pin: str) -> Any:
    """Log in at the counter app's login and open the shift with a float of 200.000: the
    sale screen."""
    login = app.login
    qtbot.keyClicks(login.user.lineEdit(), username)
    qtbot.keyClick(login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(login.pin, pin)
    qtbot.keyClick(login.pin, Qt.Key.Key_Return)
    dialog = wait_visible(qtbot, lambda: app.shift_dialog)
    dialog.edit.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.edit, "200.000")  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: app.sale_screen is not None, timeout=WAIT_MS)
    return app.sale_screen


def burst(widget: QWidget | QWindow, code: str, gap_ms: int = 5) -> None:
    """A barcode scanner: the code at `gap_ms` a key, then Enter, into `widget`.

    The scan filter measures the gaps on its own clock; here that clock moves by `gap_ms` a key,
    whatever the machine is busy with, so a loaded CI machine cannot turn the burst into a
    person's typing. (The keys are still real key events through Qt, in real time.)"""
    real = scanner.clock
    now = [real()]

    def key(k: str | Qt.Key) -> None:
        now[0] += gap_ms / 1000
        QTest.keyClick(widget, k, Qt.KeyboardModifier.NoModifier, gap_ms)  # type: ignore[arg-type]

    scanner.clock = lambda: now[0]
    try:
        for ch in code:
            key(ch)
        key(Qt.Key.Key_Return)
    finally:
        scanner.clock = real
