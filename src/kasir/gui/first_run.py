"""First run: a store with no user at all asks for its first administrator (no default PIN)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from kasir.gui.forms import FormDialog, check_new_pin
from kasir.gui.ops import Change, Ops, describe_error
from kasir.services import users
from kasir.services.auth import NEW_PIN_MIN, UserView


class FirstAdminDialog(FormDialog):
    """Emits `created(UserView)` once the administrator is stored; bad input is said here and
    nothing is written."""

    created = Signal(object)

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            "Administrator pertama",
            "Toko ini belum punya pengguna. Buat akun administrator pertama. Administrator "
            "menambah kasir, supervisor dan manajer, mengatur ulang PIN, dan tidak berjualan. "
            f"PIN: {NEW_PIN_MIN} sampai 12 angka, diketik dua kali.",
        )
        self.ops = ops
        self.username = self.add_line("Nama pengguna", placeholder="mis. admin")
        self.full_name = self.add_line("Nama lengkap", placeholder="mis. Budi Santoso")
        self.pin = self.add_line("PIN", pin=True)
        self.pin_again = self.add_line("Ulangi PIN", pin=True)
        self.ok.setText("Buat administrator (Enter)")
        self.cancel.setText("Keluar (Esc)")
        self.submitted.connect(self._create)

    def check(self) -> None:
        check_new_pin(self.pin, self.pin_again)

    def _create(self) -> None:
        username, name, pin = self.username.text(), self.full_name.text(), self.pin.text()
        op = self.ops.write(lambda s: users.first_admin(s, username, name, pin), Change.USERS)
        op.success(self._created).failure(lambda exc: self.show_error(describe_error(exc))).run()

    def _created(self, user: UserView) -> None:
        self.succeeded()
        self.created.emit(user)
