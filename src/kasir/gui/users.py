"""User administration for managers and administrators: the list, add, disable or enable,
reset a PIN (which also ends a lockout).

Every change is made by the services of `kasir.services.users`, with the acting manager's or
administrator's own username (filled in) and PIN, through `Ops` off the GUI thread; a refusal
(a wrong PIN, an account only an administrator manages) is the service's message, said in the
form, which stays open.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kasir.errors import ApprovalRequired, NotAllowed
from kasir.gui.display import big_font
from kasir.gui.forms import FormDialog, check_new_pin
from kasir.gui.ops import Change, Ops, describe_error
from kasir.gui.table_model import Index, RowsTableModel
from kasir.services import auth, users
from kasir.services.auth import ROLE_LABELS, UserView
from kasir.timeutil import local, utcnow


def locked_text(user: UserView) -> str:
    if user.locked_until is None or local(user.locked_until) <= local(utcnow()):
        return ""
    return f"{local(user.locked_until):%d-%m-%Y %H:%M}"


class UsersModel(RowsTableModel[UserView]):
    HEADERS = ("Nama pengguna", "Nama lengkap", "Peran", "Aktif", "Terkunci sampai")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        u = self.row_at(index.row())
        return (u.username, u.full_name, u.role_label, "ya" if u.active else "tidak",
                locked_text(u))[index.column()]  # fmt: skip


class AddUserDialog(FormDialog):
    def __init__(self, parent: QWidget | None, actor: str) -> None:
        super().__init__(parent, "Tambah pengguna")
        self.username = self.add_line("Nama pengguna", placeholder="mis. kasir2")
        self.full_name = self.add_line("Nama lengkap")
        self.role = self.add_choice("Peran", [(str(k), v) for k, v in ROLE_LABELS.items()])
        self.pin = self.add_line("PIN (6-12 angka)", pin=True)
        self.pin_again = self.add_line("Ulangi PIN", pin=True)
        self.add_actor(actor, "Ditambahkan oleh")

    def check(self) -> None:
        check_new_pin(self.pin, self.pin_again)


class ResetPinDialog(FormDialog):
    def __init__(self, parent: QWidget | None, target: UserView, actor: str) -> None:
        intro = f"PIN baru untuk {target.username} ({target.full_name})."
        if locked_text(target):
            intro += f" Kuncinya (sampai {locked_text(target)}) ikut dibuka."
        super().__init__(parent, "Atur ulang PIN", intro)
        self.pin = self.add_line("PIN baru (6-12 angka)", pin=True)
        self.pin_again = self.add_line("Ulangi PIN baru", pin=True)
        self.add_actor(actor, "Diatur ulang oleh")

    def check(self) -> None:
        check_new_pin(self.pin, self.pin_again)


class ActiveDialog(FormDialog):
    def __init__(self, parent: QWidget | None, target: UserView, actor: str) -> None:
        verb = "Nonaktifkan" if target.active else "Aktifkan"
        intro = f"{verb} {target.username} ({target.full_name}, {target.role_label})?"
        if target.active:
            intro += " Pengguna nonaktif tidak dapat masuk; riwayatnya tetap tersimpan."
        super().__init__(parent, f"{verb} pengguna", intro)
        self.ok.setText(f"{verb} (Enter)")
        self.add_actor(actor, f"{verb} oleh")


class UsersDialog(QDialog):
    """Ins/F2 add, F3 disable or enable, F4 reset PIN, F5 reload, Esc closes."""

    def __init__(
        self, ops: Ops, actor: str, parent: QWidget | None = None, *, counter_id: int | None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.actor = actor  # the username the forms start with
        self.counter_id = counter_id
        self.form: FormDialog | None = None  # the form open now
        self.setWindowTitle("Kasir — Pengguna")
        title = QLabel("Pengguna")
        title.setFont(big_font(16, bold=True))
        self.model = UsersModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setFont(big_font(12))
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (
            ("Ins", "Tambah", self.add_user),
            ("F3", "Nonaktifkan/Aktifkan", self.toggle_active),
            ("F4", "Atur ulang PIN", self.reset_pin),
            ("F5", "Muat ulang", self.reload),
            ("Esc", "Tutup", self.reject),
        ):
            button = QPushButton(f"{text} ({key})")
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(40)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.resize(900, 520)
        self.reload()

    # --- the list -------------------------------------------------------------------------

    def reload(self, keep: str = "") -> None:
        chosen = self.selected()
        keep = keep or (chosen.username if chosen is not None else "")

        def show(rows: list[UserView]) -> None:
            self.model.set_rows(rows)
            at = next((i for i, u in enumerate(rows) if u.username == keep), 0)
            if rows:
                self.table.selectRow(at)
            self.table.setFocus()

        op = self.ops.read(lambda s: auth.list_users(s, with_inactive=True)).success(show)
        op.failure(lambda exc: self.say(describe_error(exc), error=True)).run()

    def selected(self) -> UserView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_at(rows[0].row()) if rows else None

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        keys = {
            Qt.Key.Key_Insert: self.add_user,
            Qt.Key.Key_F2: self.add_user,
            Qt.Key.Key_F3: self.toggle_active,
            Qt.Key.Key_F4: self.reset_pin,
            Qt.Key.Key_F5: self.reload,
        }
        action = keys.get(Qt.Key(event.key()))
        if action is not None and not event.modifiers():
            action()
            return
        super().keyPressEvent(event)

    # --- the actions ----------------------------------------------------------------------

    def _open(self, form: FormDialog, work: Any, done: str) -> None:
        """Open `form`; on Enter run `work(session, approval)`; `done`: said when it worked."""
        self.form = form
        counter_id = self.counter_id

        def run() -> None:
            approval = form.actor()

            def ok(user: UserView) -> None:
                self.actor = approval.username or self.actor
                form.succeeded()
                self.say(done.format(user=user))
                self.reload(user.username)

            op = self.ops.write(lambda s: work(s, approval, counter_id), Change.USERS)

            def refused(exc: BaseException) -> None:
                # The acting user's own PIN or role refused: only their PIN is typed again
                # (the new user's data and PIN stay).
                mine = isinstance(exc, (ApprovalRequired, NotAllowed))
                form.show_error(describe_error(exc), actor_only=mine)

            op.success(ok).failure(refused).run()

        form.submitted.connect(run)
        form.finished.connect(lambda _r: self._form_closed(form))
        form.open()

    def _form_closed(self, form: FormDialog) -> None:
        if self.form is form:
            self.form = None
            # The activation back here: a closing dialog does not always hand it back (no
            # window manager on a kiosk, the offscreen platform).
            if self.isVisible():
                self.activateWindow()
            self.table.setFocus()

    def add_user(self) -> None:
        form = AddUserDialog(self, self.actor)

        def work(s: Session, approval: auth.Approval, counter_id: int | None) -> UserView:
            return users.add_user(
                s,
                approval,
                form.username.text(),
                form.full_name.text(),
                str(form.role.currentData()),
                form.pin.text(),
                counter_id=counter_id,
            )

        self._open(form, work, "{user.username} ({user.full_name}) ditambahkan.")

    def _target(self) -> UserView | None:
        user = self.selected()
        if user is None:
            self.say("Pilih pengguna dulu (panah atas/bawah).", error=True)
        return user

    def toggle_active(self) -> None:
        target = self._target()
        if target is None:
            return
        form = ActiveDialog(self, target, self.actor)
        active = not target.active

        def work(s: Session, approval: auth.Approval, counter_id: int | None) -> UserView:
            return users.set_active(s, approval, target.username, active, counter_id=counter_id)

        done = "{user.username} diaktifkan." if active else "{user.username} dinonaktifkan."
        self._open(form, work, done)

    def reset_pin(self) -> None:
        target = self._target()
        if target is None:
            return
        form = ResetPinDialog(self, target, self.actor)

        def work(s: Session, approval: auth.Approval, counter_id: int | None) -> UserView:
            return users.reset_pin(
                s, approval, target.username, form.pin.text(), counter_id=counter_id
            )

        self._open(form, work, "PIN {user.username} sudah diatur ulang.")
