"""The sale window's screen lock: F11, or `screen_lock_minutes` without a key, a click or a
touch (0: never).

`LockDialog` covers the window, application-modal: no key, click or scan reaches the sale
screen or its dialogs while it is up. It says who locked it and when; the cashier's own PIN
opens it, or a supervisor's or manager's username and PIN (`kasir.services.screen_lock`; a
wrong PIN counts towards the lockout). A scanner's burst typed into it is recognised and
dropped (never taken as a PIN, never kept for the cart); function keys, Esc and Ctrl
combinations do nothing; the lock cannot be closed but by a PIN.

`ActivityWatch` notices activity from the window system's input events of the focused window
(a filter on that `QWindow` only, moved when the focus window changes: not one Python call per
event of the whole application)."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.gui.dialogs import PinPad
from kasir.gui.display import big_font
from kasir.gui.ops import Ops, describe_error
from kasir.gui.scanner import TAKES_SCANS, ScanBurstFilter
from kasir.services import screen_lock
from kasir.services.auth import Approval, UserView
from kasir.timeutil import local, utcnow

log = logging.getLogger(__name__)

_COMMAND = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
# Keys the lock's fields use; any other key that is not typing is dropped.
_EDITING = {
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
}
_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
}


class LockDialog(QDialog):
    """Emits `unlocked(UserView)` (who opened it) and closes; nothing else closes it."""

    unlocked = Signal(object)

    def __init__(
        self, ops: Ops, window: QWidget, user: UserView, *, counter_id: int | None
    ) -> None:
        super().__init__(window, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.ops = ops
        self.owner = user
        self.counter_id = counter_id
        self.opening = False  # a PIN is being checked
        self._may_close = False
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowTitle("Kasir — Layar terkunci")
        self.setObjectName("screenLock")
        self.setStyleSheet(
            "#screenLock { background: #263238; } "
            "#lockBox { background: white; border-radius: 8px; }"
        )
        self.locked_at = utcnow()
        box = QFrame()
        box.setObjectName("lockBox")
        box.setFixedWidth(560)
        title = QLabel("Layar terkunci")
        title.setFont(big_font(20, bold=True))
        self.who = QLabel(
            f"Dikunci oleh {user.full_name} ({user.role_label}) pukul "
            f"{local(self.locked_at):%H:%M}."
        )
        self.who.setWordWrap(True)
        self.who.setFont(big_font(13))
        hint = QLabel(
            "Ketik PIN Anda lalu Enter. Supervisor atau manajer: ganti nama pengguna, lalu PIN."
        )
        hint.setWordWrap(True)
        self.user = QLineEdit(user.username)
        self.user.setFont(big_font(15))
        self.user.setMaxLength(64)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("PIN")
        self.pin.setFont(big_font(18))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setFont(big_font(12))
        self.open_button = QPushButton("Buka (Enter)")
        self.open_button.setAutoDefault(False)
        self.open_button.setMinimumHeight(44)
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button.clicked.connect(self.try_open)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 20, 24, 20)
        for widget in (title, self.who, hint, QLabel("Pengguna"), self.user):
            inner.addWidget(widget)
        inner.addWidget(QLabel("PIN"))
        inner.addWidget(self.pin)
        inner.addWidget(PinPad(self.pin))
        inner.addWidget(self.error)
        inner.addWidget(self.open_button)
        # The wrapped lines' height at this width: the PIN pad never squeezed under them.
        box.setMinimumHeight(inner.totalHeightForWidth(560))
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        # The sale screen's scanner routing leaves these alone; the lock's own filter drops
        # a burst.
        self.setProperty(TAKES_SCANS, True)
        self.user.setProperty(TAKES_SCANS, True)
        self.pin.setProperty(TAKES_SCANS, True)
        self.user.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.try_open)
        self.scanner = ScanBurstFilter(self, self)
        self.dropped = 0  # scans dropped (tests)

    # --- covering the window --------------------------------------------------------------

    def cover(self) -> None:
        window = self.parentWidget()
        if window is not None:
            self.setGeometry(window.frameGeometry())
        self.show()
        self.activateWindow()
        self.pin.setFocus()

    # --- BurstTarget: the lock's own widgets ------------------------------------------------

    def watches(self, widget: QWidget) -> bool:
        return shiboken6.isValid(self) and widget.window() is self

    def take_burst(self, code: str, widget: QWidget) -> None:
        self.dropped += 1
        QApplication.beep()
        self.error.setText(f"Layar terkunci: pindaian {code} diabaikan. Buka dulu dengan PIN.")

    def other_key(self, widget: QWidget, event: QKeyEvent) -> bool:
        """True (dropped) for every key but the fields' own editing keys."""
        if event.modifiers() & _COMMAND:
            return True
        return Qt.Key(event.key()) not in _EDITING and not event.text().isprintable()

    # --- opening --------------------------------------------------------------------------

    def try_open(self) -> None:
        if self.opening:
            return
        username, pin = self.user.text().strip(), self.pin.text()
        if not pin:
            self.error.setText("Ketik PIN, lalu Enter.")
            self.pin.setFocus()
            return
        self.opening = True
        owner, counter_id = self.owner.id, self.counter_id
        credentials = Approval(pin=pin, username=username or self.owner.username)
        op = self.ops.write(
            lambda s: screen_lock.unlock(s, owner, credentials, counter_id=counter_id)
        )
        op.success(self._opened).failure(self._refused).run()

    def _refused(self, exc: BaseException) -> None:
        self.opening = False
        self.error.setText(describe_error(exc))
        self.pin.clear()
        self.pin.setFocus()

    def _opened(self, user: UserView) -> None:
        self.opening = False
        self.force_close()
        self.unlocked.emit(user)

    def force_close(self) -> None:
        """Closed by a good PIN, or by the app (a logout, the counter lost)."""
        self._may_close = True
        self.done(QDialog.DialogCode.Accepted)

    def reject(self) -> None:  # Esc
        self.pin.setFocus()

    def done(self, result: int) -> None:
        if self._may_close:
            super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:
            event.ignore()
            return
        super().closeEvent(event)


class ActivityWatch(QObject):
    """`active()` on each key, click, touch or mouse move in the focused window."""

    active = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on: QWindow | None = None
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._focus_window)
            self._focus_window(QGuiApplication.focusWindow())

    def _focus_window(self, window: QWindow | None) -> None:
        if not shiboken6.isValid(self) or window is self._on:
            return
        if self._on is not None and shiboken6.isValid(self._on):
            self._on.removeEventFilter(self)
        self._on = window
        if window is not None:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.active.emit()
        return False


class ScreenLock(QObject):
    """The lock of one sale window: F11 (`lock()`), and the idle timer."""

    locked = Signal()
    unlocked = Signal(object)  # UserView: who opened it

    def __init__(
        self,
        ops: Ops,
        window: QWidget,
        user: UserView,
        *,
        counter_id: int | None,
        minutes: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.window = window
        self.user = user
        self.counter_id = counter_id
        self.dialog: LockDialog | None = None
        self.idle = QTimer(self, singleShot=True)
        self.idle.timeout.connect(lambda: self.lock("idle"))
        self.watch = ActivityWatch(self)
        self.watch.active.connect(self.touch)
        self.set_minutes(minutes)

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def set_minutes(self, minutes: int) -> None:
        """The idle timeout (`screen_lock_minutes`; 0: never)."""
        self.minutes = max(0, int(minutes))
        if self.minutes:
            self.idle.setInterval(self.minutes * 60_000)
            self.touch()
        else:
            self.idle.stop()

    def touch(self) -> None:
        """Activity: the idle time starts again."""
        if self.minutes and self.dialog is None and self.idle.interval() > 0:
            self.idle.start()

    def lock(self, reason: str = "key") -> None:
        if self.dialog is not None or not self.window.isVisible():
            return
        self.idle.stop()
        dialog = LockDialog(self.ops, self.window, self.user, counter_id=self.counter_id)
        dialog.unlocked.connect(self._unlocked)
        self.dialog = dialog
        dialog.cover()
        user_id, counter_id = self.user.id, self.counter_id
        op = self.ops.write(
            lambda s: screen_lock.lock(s, user_id, counter_id=counter_id, reason=reason)
        )
        # Locked either way: a store that cannot write now does not keep the window open.
        op.failure(lambda exc: log.warning("screen lock not journaled: %s", exc)).run()
        self.locked.emit()

    def _unlocked(self, user: UserView) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.touch()
        self.unlocked.emit(user)

    def stop(self) -> None:
        """The window goes away (a logout): no timer, no lock left over it."""
        self.idle.stop()
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.force_close()
            dialog.deleteLater()
