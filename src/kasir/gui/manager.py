"""Pengelolaan: the manager's entry (from the login): users, audit view, day close.

Reached from the login dialog (a supervisor's, manager's or administrator's username and PIN,
then "Pengelolaan"), and by the administrator's own login (an administrator opens no till).
Each screen is offered only to the roles `kasir.services.permissions` allows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from kasir.gui.audit import AuditDialog
from kasir.gui.dayclose.wizard import DayCloseDialog
from kasir.gui.display import big_font
from kasir.gui.ops import Ops
from kasir.gui.users import UsersDialog
from kasir.services.auth import UserView
from kasir.services.permissions import allowed


class ManagerMenu(QDialog):
    """F2 users (managers, administrators), F3 the audit view, F4 the day close (managers,
    administrators: the `close_day` permission), Esc back to the login."""

    def __init__(
        self, ops: Ops, user: UserView, parent: QWidget | None = None, *, counter_id: int | None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.user = user
        self.counter_id = counter_id
        self.child_dialog: QDialog | None = None  # the users or audit dialog open now
        self.setWindowTitle("Kasir — Pengelolaan")
        title = QLabel("Pengelolaan")
        title.setFont(big_font(18, bold=True))
        who = QLabel(f"{user.full_name} ({user.role_label})")
        who.setFont(big_font(13))
        self.users_button = QPushButton("Pengguna (F2)")
        self.audit_button = QPushButton("Jurnal audit (F3)")
        self.day_close_button = QPushButton("Tutup hari (PNBP) (F4)")
        done = QPushButton("Selesai, kembali ke layar masuk (Esc)")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(who)
        for button in (self.users_button, self.audit_button, self.day_close_button, done):
            button.setAutoDefault(False)
            button.setMinimumHeight(52)
            button.setFont(big_font(14))
            layout.addWidget(button)
        self.users_button.setEnabled(allowed(user.role, "users"))
        self.audit_button.setEnabled(allowed(user.role, "audit"))
        self.day_close_button.setEnabled(allowed(user.role, "close_day"))
        if not self.day_close_button.isEnabled():
            self.day_close_button.setToolTip("Hanya manajer dan administrator.")
        if not self.users_button.isEnabled():
            self.users_button.setToolTip("Hanya manajer dan administrator.")
        self.users_button.clicked.connect(self.open_users)
        self.audit_button.clicked.connect(self.open_audit)
        self.day_close_button.clicked.connect(self.open_day_close)
        done.clicked.connect(self.reject)
        self.setMinimumWidth(460)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F2:
            self.open_users()
            return
        if event.key() == Qt.Key.Key_F3:
            self.open_audit()
            return
        if event.key() == Qt.Key.Key_F4:
            self.open_day_close()
            return
        super().keyPressEvent(event)

    def open_users(self) -> None:
        if self.users_button.isEnabled():
            self._show(UsersDialog(self.ops, self.user.username, self, counter_id=self.counter_id))

    def open_audit(self) -> None:
        if self.audit_button.isEnabled():
            self._show(AuditDialog(self.ops, self))

    def open_day_close(self) -> None:
        if self.day_close_button.isEnabled():
            self._show(DayCloseDialog(self.ops, self.user, self))

    def _show(self, dialog: QDialog) -> None:
        self.child_dialog = dialog
        dialog.finished.connect(lambda _r: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QDialog) -> None:
        if self.child_dialog is dialog:
            self.child_dialog = None
        dialog.deleteLater()
        if self.isVisible():  # the activation back here (no window manager on a kiosk)
            self.activateWindow()
            self.setFocus()
