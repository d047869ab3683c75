"""What the window shows when something goes wrong that the cashier did not cause.

- `ProblemBanner`: an environment problem (database locked or unreachable, disk full, a
  read-only store; later the printer), named in one line at the top of the window. It stays
  until an operation succeeds again (`Ops.problem("")`).
- `CrashDialog`: a bug. Says in Indonesian that the work in progress was cancelled and where
  the log is; the traceback goes to the log and to the clipboard ("Salin rincian"), not on
  the screen.
- `install_excepthook(window)`: exceptions nobody caught (in a Qt slot, a timer callback, a
  thread) are logged with their traceback and shown in the crash dialog instead of being lost
  on stderr.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.logs import log_path

log = logging.getLogger(__name__)

BANNER_STYLE = (
    "ProblemBanner { background: #fff3cd; border-bottom: 2px solid #e0a800; }"
    " QLabel { color: #5c3c00; font-weight: bold; padding: 6px 10px; }"
)


class ProblemBanner(QFrame):
    """One line naming an environment problem; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemBanner")
        self.setStyleSheet(BANNER_STYLE)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.cause = ""
        self.hide()

    def show_problem(self, cause: str) -> None:
        """Name `cause`; an empty cause (the problem is resolved) hides the banner."""
        self.cause = cause
        if not cause:
            self.label.clear()
            self.hide()
            return
        ending = "" if cause.rstrip().endswith((".", "!", "?")) else "."
        self.label.setText(
            f"⚠ {cause}{ending} Yang belum tersimpan tetap di layar; coba lagi setelah "
            "masalahnya beres (pesan ini hilang sendiri)."
        )
        self.show()


def crash_details(exc: BaseException, log_file: Path) -> str:
    """What "Salin rincian" copies: the traceback and where the log is."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{trace}\nLog: {log_file}\n"


class CrashDialog(QDialog):
    """A bug: the work in progress was cancelled; the details are in the log."""

    def __init__(
        self, exc: BaseException, log_file: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.log_file = log_file or log_path()
        self.setWindowTitle("Kasir — kesalahan program")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.exceptions: list[BaseException] = [exc]
        self.text = QLabel(
            "Terjadi kesalahan program yang tidak terduga. Pekerjaan yang sedang berjalan "
            "dibatalkan; data yang sudah tersimpan tetap aman, dan Kasir bisa dipakai lagi.\n\n"
            f"Rinciannya dicatat di berkas log:\n{self.log_file}\n\n"
            "Beri tahu petugas TI dan sertakan berkas itu (atau tekan Salin rincian)."
        )
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #555;")
        self.copy_button = QPushButton("Salin rincian")
        self.copy_button.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox()
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton("Tutup", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.close_button.setDefault(True)
        self._say_summary()

    def add(self, exc: BaseException) -> None:
        """Another bug while this dialog is open: counted here rather than a second dialog."""
        self.exceptions.append(exc)
        self._say_summary()

    def _say_summary(self) -> None:
        last = self.exceptions[-1]
        line = f"{type(last).__name__}: {last}"
        if len(line) > 200:
            line = line[:199] + "…"
        more = len(self.exceptions) - 1
        self.summary.setText(line + (f"\n(dan {more} kesalahan lain sesudahnya)" if more else ""))

    def details(self) -> str:
        return "\n".join(crash_details(exc, self.log_file) for exc in self.exceptions)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())
        self.copy_button.setText("Tersalin")


def open_crash_dialogs() -> list[CrashDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()
    ]


def show_crash(exc: BaseException, parent: QWidget | None = None) -> CrashDialog:
    """Show `exc` (already logged) in the crash dialog: the open one, or a new one."""
    for dialog in open_crash_dialogs():
        dialog.add(exc)
        return dialog
    dialog = CrashDialog(exc, parent=parent)
    if parent is None:  # nothing owns it on the Qt side: keep it alive until it closes
        _parentless.add(dialog)
        dialog.finished.connect(lambda _result: _parentless.discard(dialog))
    dialog.open()  # window-modal, returns at once: the event loop goes on
    return dialog


_parentless: set[CrashDialog] = set()


WindowRef = QWidget | Callable[[], QWidget | None] | None


def _alive(widget: QWidget | None) -> QWidget | None:
    return widget if widget is not None and shiboken6.isValid(widget) else None


class _CrashRelay(QObject):
    """Brings an exception of another thread over to the GUI thread."""

    crashed = Signal(object)


def install_excepthook(window: WindowRef) -> Callable[[], None]:
    """Send uncaught exceptions (Qt slots, timer callbacks, threads) to the log and the crash
    dialog over `window` (a widget, or a function returning the current one, or None).

    Returns a function that puts the previous hooks back. Call on the GUI thread."""
    previous_hook = sys.excepthook
    previous_thread_hook = threading.excepthook
    gui_thread = threading.get_ident()
    relay = _CrashRelay()

    def parent() -> QWidget | None:
        if window is None or isinstance(window, QWidget):
            return _alive(window)
        return _alive(window())

    def show(exc: BaseException) -> None:
        try:
            show_crash(exc, parent())
        except Exception:  # never lose the original: stderr as a last resort
            log.exception("the crash dialog failed")
            previous_hook(type(exc), exc, exc.__traceback__)

    relay.crashed.connect(show)

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            previous_hook(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        if threading.get_ident() == gui_thread:
            show(exc)
        else:
            relay.crashed.emit(exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous_hook
        if threading.excepthook is thread_hook:
            threading.excepthook = previous_thread_hook
        relay.deleteLater()

    return uninstall
