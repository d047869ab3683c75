"""Small keyboard-first dialogs shared by the screens: amounts, quantities, supervisor PIN."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.cart import Discount
from kasir.domain.measure import is_measured, parse_quantity
from kasir.errors import KasirError, ValidationError
from kasir.gui.display import big_font
from kasir.gui.scanner import TAKES_SCANS
from kasir.money import parse_rupiah
from kasir.services.auth import PIN_MAX, Approval

__all__ = ["AmountDialog", "DiscountDialog", "InputDialog", "QuantityDialog", "SupervisorDialog"]
__all__ += ["PinPad", "big_font", "fit_height", "parse_discount"]


class PinPad(QWidget):
    """Touch-sized digits for a PIN or amount field."""

    def __init__(self, target: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "⌫", "0", "OK"]
        for i, key in enumerate(keys):
            button = QPushButton(key)
            button.setMinimumSize(64, 52)
            button.setFont(big_font(16))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, i // 3, i % 3)

    def _press(self, key: str) -> None:
        if key == "⌫":
            self.target.backspace()
        elif key == "OK":
            self.target.returnPressed.emit()
        else:
            self.target.insert(key)


def fit_height(dialog: QWidget) -> None:
    """Tall enough for its wrapped labels at its width: a dialog's first size is worked out
    before its word-wrapped labels know their height, and the PIN pad got squeezed (its last
    row out of sight at 1024x768)."""
    layout = dialog.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    needed = layout.totalHeightForWidth(dialog.width())
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


class InputDialog(QDialog):
    """One line of input with a prompt and an error line; Enter accepts when `parse` agrees."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        prompt: str,
        text: str = "",
        *,
        password: bool = False,
        pad: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.prompt.setFont(big_font(13))
        self.edit = QLineEdit(text)
        self.edit.setFont(big_font(18))
        self.edit.selectAll()
        if password:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setFont(big_font(12))
        # Plain buttons, not a QDialogButtonBox: that makes OK the dialog's default button, so
        # Enter in the field (returnPressed) and the default button would both run it.
        ok = QPushButton("OK (Enter)")
        cancel = QPushButton("Batal (Esc)")
        for button in (cancel, ok):
            button.setAutoDefault(False)
            button.setMinimumHeight(40)
        ok.clicked.connect(self._try_accept)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout = QVBoxLayout(self)
        # Never smaller than what it holds: a window manager's first size (before the wrapped
        # labels know their height) squeezed the PIN pad's last row out of sight.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(self.prompt)
        layout.addWidget(self.edit)
        if pad:
            layout.addWidget(PinPad(self.edit))
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.edit.returnPressed.connect(self._try_accept)
        self.value: object = None

    def parse(self, text: str) -> object:
        return text

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def scan_kept(self, code: str, restore_text: str) -> None:
        """A scanner's code typed while this dialog was open: it is not input for this field
        (the sale screen keeps it for the cart); the field keeps what was typed."""
        self.edit.setText(restore_text)
        self.error.setText(
            f"Pindaian {code} bukan isian di sini; disimpan dan masuk keranjang setelah "
            "dialog ini ditutup."
        )

    def _try_accept(self) -> None:
        try:
            self.value = self.parse(self.edit.text())
        except KasirError as exc:
            self.error.setText(exc.message)
            self.edit.selectAll()
            self.edit.setFocus()
            return
        self.accept()


class AmountDialog(InputDialog):
    def parse(self, text: str) -> int:
        return parse_rupiah(text)


class QuantityDialog(InputDialog):
    """A line's quantity: a count, or for a product sold by measure (`unit` kg, g, l, m) a
    weight or length in its stored units (``1,3`` or ``1300g`` on a kg product: 1300)."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        prompt: str,
        text: str = "",
        *,
        pad: bool = False,
        unit: str = "pcs",
    ) -> None:
        self.unit = unit
        super().__init__(parent, title, prompt, text, pad=pad)

    def parse(self, text: str) -> int:
        if is_measured(self.unit):
            return parse_quantity(text, self.unit)
        text = text.strip()
        if not text.isascii() or not text.isdigit():
            raise ValidationError("Jumlah harus angka bulat, misalnya 3.")
        return int(text)


def parse_discount(text: str) -> Discount | None:
    """'10%' is a percentage, '5000' or '5.000' an amount; empty or 0 removes the discount."""
    text = text.strip().replace(" ", "")
    if text in ("", "0", "0%"):
        return None
    if text.endswith("%"):
        try:
            value = Decimal(text[:-1].replace(",", "."))
        except InvalidOperation:
            raise ValidationError(f"Persen tidak valid: {text!r}. Contoh: 10%") from None
        if not value.is_finite():
            raise ValidationError(f"Persen tidak valid: {text!r}. Contoh: 10%")
        return Discount("percent", value)
    return Discount("amount", parse_rupiah(text))


class DiscountDialog(InputDialog):
    def parse(self, text: str) -> Discount | None:
        return parse_discount(text)


class SupervisorDialog(InputDialog):
    """Asks for a supervisor's username and PIN; the service checks them (the PIN is tried
    against that one user, never against every supervisor). `user`: the username to start
    with (the last approver at this window), the PIN field then has the focus.

    With `retry`, Enter emits `submitted` and the dialog stays open: the caller closes it when
    the service took the PIN (`done(Accepted)`), or says why not with `show_error` (a wrong
    PIN), and the supervisor types it again. Esc gives up."""

    submitted = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        reason: str,
        *,
        retry: bool = False,
        action: str = "",
        user: str = "",
    ) -> None:
        self.retry = retry
        super().__init__(
            parent,
            "Persetujuan supervisor",
            f"{reason}\nSupervisor: nama pengguna, lalu PIN dan Enter (Esc: batal).",
            password=True,
            pad=True,
        )
        self.user = QLineEdit(user)
        self.user.setFont(big_font(15))
        self.user.setPlaceholderText("nama pengguna supervisor, mis. spv1")
        self.user.setMaxLength(64)
        self.edit.setPlaceholderText("PIN")
        self.user.returnPressed.connect(self.edit.setFocus)
        # What is typed here is the supervisor's, never a scan for the cart: a PIN typed fast
        # (4 digits and Enter within the scanner's 30 ms) was taken as a scan and shown on the
        # message line. A code scanned into the PIN field is refused by its shape (`parse`).
        self.user.setProperty(TAKES_SCANS, True)
        self.edit.setProperty(TAKES_SCANS, True)
        # What is approved, with its amounts, large above the reason.
        self.action_label = QLabel(action)
        self.action_label.setWordWrap(True)
        self.action_label.setFont(big_font(15, bold=True))
        self.action_label.setVisible(bool(action))
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.action_label)
        layout.insertWidget(layout.indexOf(self.edit), self.user)
        self.setTabOrder(self.user, self.edit)
        (self.edit if user else self.user).setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        (self.edit if self.user.text().strip() else self.user).setFocus()

    def _try_accept(self) -> None:
        if not self.retry:
            super()._try_accept()  # `ask`: a modal question, closed by Enter
            return
        try:
            self.value = self.parse(self.edit.text())
        except KasirError as exc:
            self.show_error(exc.message)
            return
        self.error.clear()
        self.submitted.emit()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        fit_height(self)  # a long refusal wraps over more lines
        self.edit.clear()
        (self.edit if self.user.text().strip() else self.user).setFocus()

    def approved(self) -> None:
        """The service took the PIN: no error left showing, and the dialog closes."""
        self.error.clear()
        self.done(QDialog.DialogCode.Accepted)

    def parse(self, text: str) -> Approval:
        username = self.user.text().strip()
        if not username:
            self.user.setFocus()
            raise ValidationError("Nama pengguna supervisor wajib diisi.")
        pin = text.strip()
        if not pin:
            raise ValidationError("PIN supervisor wajib diisi.")
        if not (pin.isascii() and pin.isdigit()) or len(pin) > PIN_MAX:
            # Not tried (and not counted towards a lockout): a barcode scanned into the field.
            raise ValidationError(
                f"Itu bukan PIN (PIN: angka saja, paling banyak {PIN_MAX}). Ketik PIN supervisor."
            )
        return Approval(pin=pin, username=username)

    @classmethod
    def ask(cls, parent: QWidget | None, reason: str) -> Approval | None:
        dialog = cls(parent, reason)
        if dialog.exec() == QDialog.DialogCode.Accepted and isinstance(dialog.value, Approval):
            return dialog.value
        return None
