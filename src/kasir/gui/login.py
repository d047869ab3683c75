"""Log in at the counter (username + PIN, PIN pad for touch) and open the shift if needed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.errors import KasirError
from kasir.gui.dialogs import AmountDialog, PinPad, big_font
from kasir.gui.ops import Ops, describe_error
from kasir.services import auth
from kasir.services.auth import UserView
from kasir.services.shifts import CountCheck, ShiftView
from kasir.timeutil import business_date


class LoginDialog(QDialog):
    """Emits `logged_in(UserView)`; wrong PINs are said in the dialog, which stays open."""

    logged_in = Signal(object)

    def __init__(self, ops: Ops, counter_code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
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
        self.pad = PinPad(self.pin)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(QLabel("Pengguna"))
        layout.addWidget(self.user)
        layout.addWidget(QLabel("PIN"))
        layout.addWidget(self.pin)
        layout.addWidget(self.pad)
        layout.addWidget(self.error)
        layout.addWidget(ok)
        self.user_edit.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.try_login)
        self.user.setFocus()
        op = ops.read(auth.list_users).success(self._fill_users)
        op.failure(lambda exc: self.error.setText(describe_error(exc))).run()

    def _fill_users(self, users: list[UserView]) -> None:
        typed = self.user.currentText()
        for u in users:
            self.user.addItem(f"{u.username} — {u.full_name}", u.username)
        self.user.setCurrentIndex(-1)
        self.user.setEditText(typed)  # a name typed before the list came stays

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
        for widget in (self.user, self.pin, self.pad, self.ok):
            widget.setEnabled(False)

    def allow(self, note: str = "") -> None:
        """The counter is this window's (again): logging in works; `note` says what happened."""
        was_refused = bool(self.refusal)
        self.refusal = ""
        for widget in (self.user, self.pin, self.pad, self.ok):
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

    def try_login(self) -> None:
        if self.refusal:
            self.error.setText(self.refusal)
            return
        name, pin = self.username(), self.pin.text()
        if not name:
            self.error.setText("Pilih atau ketik nama pengguna.")
            self.user.setFocus()
            return
        if self.trying:
            return
        self.trying = True
        op = self.ops.write(lambda s: auth.login(s, name, pin))
        op.success(self._logged_in).failure(self._refused).run()

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


class HandoverDialog(AmountDialog):
    """Count the drawer of a shift left open (another cashier's, or an earlier day's) and close it.

    Two steps, so a typo never closes a shift: Enter with the amount asks the store what the
    drawer should hold (`count_entered`) and shows the count against it (`show_check`); Enter
    again on the same amount confirms (`confirmed`). Changing the amount, or Esc, goes back to
    the count; Esc while counting cancels the handover (`rejected`)."""

    count_entered = Signal(int)
    confirmed = Signal(int)

    def __init__(self, parent: QWidget | None, shift: ShiftView, *, supervisor: bool) -> None:
        if shift.business_date != business_date():
            where = f"dari tanggal {shift.business_date:%d-%m-%Y} masih terbuka"
        else:
            where = "masih terbuka di meja ini"
        needs = (
            "\nMenutup shift kasir lain perlu persetujuan supervisor (PIN)." if supervisor else ""
        )
        super().__init__(
            parent,
            "Tutup shift lama",
            f"Shift #{shift.id} ({shift.cashier_name}) {where}.\n"
            f"Hitung uang di laci, ketik jumlahnya, lalu Enter untuk menutup shift itu:{needs}",
            pad=True,
        )
        self.shift = shift
        self.supervisor = supervisor
        self.checked: CountCheck | None = None
        self.check = QLabel()
        self.check.setFont(big_font(14, bold=True))
        self.check.setWordWrap(True)
        self.check.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.edit) + 1, self.check)
        self.edit.textEdited.connect(lambda _text: self.uncheck())

    def _try_accept(self) -> None:
        try:
            counted = self.parse(self.edit.text())
        except KasirError as exc:
            self.show_error(exc.message)
            return
        self.error.clear()
        self.value = counted
        if self.checked is not None and self.checked.counted == counted:
            self.confirmed.emit(counted)
        else:
            self.count_entered.emit(counted)

    def show_check(self, check: CountCheck) -> None:
        """The count against the expected: Enter confirms, any change goes back."""
        if check.counted != self.value:
            return  # an answer to an amount typed before
        self.checked = check
        then = (
            "Enter: minta PIN supervisor untuk menutup shift."
            if self.supervisor
            else "Enter: tutup shift."
        )
        self.check.setText(
            f"{check.describe()}\nBenar? {then}\n"
            "Salah ketik? Ubah jumlahnya (atau Esc), lalu Enter."
        )
        self.check.show()
        self.edit.setFocus()

    def uncheck(self) -> None:
        self.checked = None
        self.check.clear()
        self.check.hide()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.edit.selectAll()
        self.edit.setFocus()

    def reject(self) -> None:
        """Esc on the check goes back to correct the count; Esc while counting cancels."""
        if self.checked is not None:
            self.uncheck()
            self.edit.selectAll()
            self.edit.setFocus()
            return
        super().reject()
