"""Log in at the counter (username + PIN, PIN pad for touch) and open the shift if needed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kasir.errors import KasirError
from kasir.gui.dialogs import AmountDialog, PinPad, big_font, fit_height
from kasir.gui.ops import Ops, describe_error
from kasir.services import auth, permissions
from kasir.services.auth import UserView


class LoginDialog(QDialog):
    """Emits `logged_in(UserView)`; wrong PINs are said in the dialog, which stays open.

    "Pengelolaan" (F2) instead of Enter: the same username and PIN, of a supervisor, manager
    or administrator, open the users and the audit view without opening a till
    (`manage_requested(UserView)`)."""

    logged_in = Signal(object)
    manage_requested = Signal(object)

    def __init__(
        self,
        ops: Ops,
        counter_code: str,
        parent: QWidget | None = None,
        *,
        counter_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.counter_id = counter_id  # the journal chain of its logins
        self.setWindowTitle(f"Kasir — Masuk — Meja {counter_code}")
        title = QLabel(f"Masuk ke meja kasir {counter_code}")
        title.setFont(big_font(18, bold=True))
        self.user = QComboBox()
        self.user.setEditable(True)
        self.user.setFont(big_font(16))
        self.trying = False  # a login is being checked: Enter waits for the answer
        self.user_edit = self.user.lineEdit()
        assert self.user_edit is not None  # an editable combo box always has one
        self.user_edit.setPlaceholderText("Nama pengguna")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("PIN")
        self.pin.setFont(big_font(18))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.refusal = ""  # why nobody can log in here now (the counter is in use elsewhere)
        ok = self.ok = QPushButton("Masuk (Enter)")
        ok.setFont(big_font(14))
        ok.setMinimumHeight(48)
        ok.setAutoDefault(False)  # Enter is the PIN field's; a default button would try twice
        ok.clicked.connect(self.try_login)
        manage = self.manage = QPushButton("Pengelolaan (F2)")
        manage.setToolTip("Pengguna dan jurnal audit: supervisor, manajer, administrator")
        manage.setMinimumHeight(48)
        manage.setAutoDefault(False)
        manage.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        manage.clicked.connect(self.try_manage)
        self.pad = PinPad(self.pin)
        layout = QVBoxLayout(self)
        # Never smaller than what it holds: a window manager's first size (before the wrapped
        # labels know their height) squeezed the PIN pad's last row out of sight.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(title)
        layout.addWidget(QLabel("Pengguna"))
        layout.addWidget(self.user)
        layout.addWidget(QLabel("PIN"))
        layout.addWidget(self.pin)
        layout.addWidget(self.pad)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(manage)
        buttons.addWidget(ok, 1)
        layout.addLayout(buttons)
        self.user_edit.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.try_login)
        self.user.setFocus()
        self.load_users()

    def load_users(self) -> None:
        """The users to choose from (again after the first administrator is made)."""
        op = self.ops.read(auth.list_users).success(self._fill_users)
        op.failure(lambda exc: self.error.setText(describe_error(exc))).run()

    def _fill_users(self, users: list[UserView]) -> None:
        typed = self.user.currentText()
        self.user.clear()
        for u in users:
            self.user.addItem(f"{u.username} — {u.full_name}", u.username)
        self.user.setCurrentIndex(-1)
        self.user.setEditText(typed)  # a name typed before the list came stays

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def reset(self, note: str = "") -> None:
        """Empty again for the next cashier (after F12 Keluar); `note` says why, if needed."""
        self.user.setCurrentIndex(-1)
        self.user.clearEditText()
        self.pin.clear()
        self.error.setText(self.refusal or note)
        self.user.setFocus()

    def refuse(self, message: str) -> None:
        """The counter is held by another Kasir: say why, and no login until `allow()`."""
        self.refusal = message
        self.error.setText(message)
        for widget in (self.user, self.pin, self.pad, self.ok, self.manage):
            widget.setEnabled(False)

    def allow(self, note: str = "") -> None:
        """The counter is this window's (again): logging in works; `note` says what happened."""
        was_refused = bool(self.refusal)
        self.refusal = ""
        for widget in (self.user, self.pin, self.pad, self.ok, self.manage):
            widget.setEnabled(True)
        if was_refused or note:
            self.error.setText(note)
        self.user.setFocus()

    def username(self) -> str:
        data = self.user.currentData()
        text = self.user.currentText().strip()
        if data and text == self.user.itemText(self.user.currentIndex()):
            return str(data)
        return text.split(" — ")[0].strip()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F2 and not event.modifiers():
            self.try_manage()
            return
        super().keyPressEvent(event)

    def _credentials(self) -> tuple[str, str] | None:
        if self.refusal:
            self.error.setText(self.refusal)
            return None
        name, pin = self.username(), self.pin.text()
        if not name:
            self.error.setText("Pilih atau ketik nama pengguna.")
            self.user.setFocus()
            return None
        if self.trying:
            return None
        self.trying = True
        return name, pin

    def try_login(self) -> None:
        typed = self._credentials()
        if typed is None:
            return
        name, pin = typed
        counter_id = self.counter_id
        op = self.ops.write(lambda s: auth.login(s, name, pin, counter_id=counter_id))
        op.success(self._logged_in).failure(self._refused).run()

    def try_manage(self) -> None:
        """Pengelolaan: a login (journaled, counted) of a role that may see the audit view,
        without opening a till."""
        typed = self._credentials()
        if typed is None:
            return
        name, pin = typed
        counter_id = self.counter_id

        def enter(s: Session) -> UserView:
            user = auth.login(s, name, pin, counter_id=counter_id)
            return permissions.require(s, user.id, "audit", counter_id=counter_id, what="manage")

        self.ops.write(enter).success(self._managing).failure(self._refused).run()

    def _managing(self, user: UserView) -> None:
        self.trying = False
        self.pin.clear()
        self.manage_requested.emit(user)

    def _refused(self, exc: BaseException) -> None:
        self.trying = False
        self.error.setText(describe_error(exc))
        if isinstance(exc, KasirError):
            self.pin.clear()
            self.pin.setFocus()

    def _logged_in(self, user: UserView) -> None:
        self.trying = False
        self.accept()
        self.logged_in.emit(user)


class OpenShiftDialog(AmountDialog):
    """The opening float (modal awal di laci) for a new shift."""

    def __init__(
        self, parent: QWidget | None, user: UserView, counter_code: str, note: str = ""
    ) -> None:
        super().__init__(
            parent,
            "Buka shift",
            f"{note}{user.full_name}, meja {counter_code} belum punya shift terbuka.\n"
            "Ketik modal awal (uang kembalian di laci), lalu Enter:",
            "0",
            pad=True,
        )
