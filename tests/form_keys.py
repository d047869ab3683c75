"""Typing into the manager's forms (GUI tests) as a person does: into the focused widget."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

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
