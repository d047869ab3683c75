"""The problem banner, the crash dialog, and the hook that sends uncaught exceptions to it."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kasir.gui.problems import (
    CrashDialog,
    ProblemBanner,
    install_excepthook,
    open_crash_dialogs,
)
from kasir.logs import log_path

WAIT_MS = 3000


@pytest.fixture(autouse=True)
def close_crash_dialogs() -> Iterator[None]:
    yield
    for dialog in open_crash_dialogs():
        dialog.close()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def hooked(parent: QWidget) -> Iterator[QWidget]:
    """The hook installed over `parent`, and taken out again after the test."""
    uninstall = install_excepthook(parent)
    yield parent
    uninstall()


def test_banner_names_the_cause_and_hides_when_resolved(qtbot: QtBot, parent: QWidget) -> None:
    banner = ProblemBanner(parent)
    assert not banner.isVisibleTo(parent)
    banner.show_problem("Disk penuh: database tidak dapat menyimpan")
    assert banner.isVisibleTo(parent)
    assert "Disk penuh: database tidak dapat menyimpan." in banner.label.text()
    assert banner.cause == "Disk penuh: database tidak dapat menyimpan"
    banner.show_problem("")
    assert not banner.isVisibleTo(parent)
    assert banner.label.text() == ""


def test_crash_dialog_says_where_the_log_is_and_copies_the_details(
    qtbot: QtBot, parent: QWidget
) -> None:
    try:
        raise ValueError("nilai aneh")
    except ValueError as exc:
        error = exc
    dialog = CrashDialog(error, parent=parent)
    qtbot.addWidget(dialog)
    assert str(log_path()) in dialog.text.text()
    assert "kesalahan program" in dialog.text.text()
    assert dialog.summary.text() == "ValueError: nilai aneh"
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "Traceback" in copied and "nilai aneh" in copied and str(log_path()) in copied
    assert dialog.copy_button.text() == "Tersalin"
    assert dialog.close_button.text() == "Tutup"


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_timer_callback_shows_the_crash_dialog(
    qtbot: QtBot, hooked: QWidget, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL, logger="kasir.gui.problems")

    def boom() -> None:
        raise RuntimeError("rusak di timer")

    QTimer.singleShot(0, boom)
    qtbot.waitUntil(lambda: bool(open_crash_dialogs()), timeout=WAIT_MS)
    (dialog,) = open_crash_dialogs()
    assert dialog.parent() is hooked
    assert "RuntimeError: rusak di timer" in dialog.summary.text()
    assert str(log_path()) in dialog.text.text()
    assert "boom" in dialog.details()  # the traceback, for the clipboard
    (record,) = [r for r in caplog.records if r.name == "kasir.gui.problems"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError

    QTimer.singleShot(0, boom)  # another one while the dialog is open: counted, not stacked
    qtbot.waitUntil(lambda: "1 kesalahan lain" in dialog.summary.text(), timeout=WAIT_MS)
    assert open_crash_dialogs() == [dialog]


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_thread_reaches_the_dialog_on_the_gui_thread(
    qtbot: QtBot, hooked: QWidget
) -> None:
    shown_on: list[int] = []

    def fail() -> None:
        raise LookupError("rusak di thread")

    thread = threading.Thread(target=fail)
    thread.start()
    thread.join(WAIT_MS / 1000)
    qtbot.waitUntil(lambda: bool(open_crash_dialogs()), timeout=WAIT_MS)
    shown_on.append(threading.get_ident())
    assert "LookupError: rusak di thread" in open_crash_dialogs()[0].summary.text()
    assert shown_on == [threading.main_thread().ident]


def test_uninstall_puts_the_previous_hooks_back(parent: QWidget) -> None:
    before, before_thread = sys.excepthook, threading.excepthook
    uninstall = install_excepthook(lambda: parent)
    assert sys.excepthook is not before and threading.excepthook is not before_thread
    uninstall()
    assert sys.excepthook is before and threading.excepthook is before_thread


@pytest.mark.qt_no_exception_capture
def test_a_deleted_window_gives_a_dialog_without_parent(qtbot: QtBot) -> None:
    widget = QWidget()
    uninstall = install_excepthook(widget)
    try:
        widget.deleteLater()
        qtbot.waitUntil(lambda: not _alive(widget), timeout=WAIT_MS)

        def boom() -> None:
            raise RuntimeError("setelah jendela ditutup")

        QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda: bool(open_crash_dialogs()), timeout=WAIT_MS)
        assert open_crash_dialogs()[0].parent() is None
    finally:
        uninstall()


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(widget))
