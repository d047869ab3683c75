"""The payment dialog: cash with quick amounts and large change, QRIS, cards, transfer, split.

Enter confirms the obvious choice: the amount field starts at what is still due, in cash, so
an exact cash payment is just Enter. Each payment typed is checked here (`check_part`) and sent
with `entered(PaymentInput)`; the sale screen stores it with the cart (the sale session) and
hands the new state back with `take(state)`, so a payment taken is on disk before the dialog
shows it. An amount below what is due is a part payment (split) and the dialog asks for the
rest. Nothing left to pay (a total of Rp 0, or payments that already cover it): Enter asks to
finish (`finish_requested`). Esc closes the dialog; the payments taken stay with the cart.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import qrcode
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.payment import (
    METHODS,
    NEEDS_REFERENCE,
    REFERENCE_NAMES,
    PaymentInput,
    check_part,
    method_label,
    settle,
)
from kasir.domain.vocab import PaymentMethod
from kasir.errors import KasirError, ValidationError
from kasir.gui.dialogs import big_font
from kasir.money import format_number, format_rupiah, parse_rupiah
from kasir.services.sale_session import SaleState

QUICK_NOTES = (5_000, 10_000, 20_000, 50_000, 100_000)


def quick_amounts(due: int) -> list[int]:
    """Uang pas, then the next round amounts a customer is likely to hand over."""
    amounts = [due]
    for note in QUICK_NOTES:
        rounded = -(-due // note) * note
        if rounded > due and rounded not in amounts:
            amounts.append(rounded)
    return amounts[:5]


def _first_upper(text: str) -> str:
    """'kode approval EDC' -> 'Kode approval EDC' (str.capitalize would give 'edc')."""
    return text[:1].upper() + text[1:]


def qr_pixmap(payload: str, box: int = 5) -> QPixmap:
    qr = qrcode.QRCode(border=2, box_size=box)
    qr.add_data(payload)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer, format="PNG")
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class PaymentDialog(QDialog):
    """Emits `entered(PaymentInput)` for each payment typed and `finish_requested()` when the
    payments cover the total; `take(state)` shows a payment stored.

    The payments already taken for the cart (`state.payments`) are listed and count."""

    entered = Signal(object)
    finish_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        state: SaleState,
        qris_payload: Callable[[int], str] | None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pembayaran")
        total = state.cart.total
        self.total = total
        self.qris_payload = qris_payload
        self.payments: list[PaymentInput] = []
        self.method: str = PaymentMethod.TUNAI.value
        self.waiting = False  # a payment or the sale is being stored: Enter waits

        self.total_label = QLabel(f"Total {format_rupiah(total)}")
        self.total_label.setFont(big_font(22, bold=True))
        self.due_label = QLabel()
        self.due_label.setFont(big_font(16))
        self.change_label = QLabel()
        self.change_label.setFont(big_font(28, bold=True))
        self.change_label.setStyleSheet("color: #0b6e2e;")

        methods = QHBoxLayout()
        self.method_buttons = QButtonGroup(self)
        for i, method in enumerate(METHODS, start=1):
            button = QPushButton(f"F{i} {method_label(method)}")
            button.setCheckable(True)
            button.setMinimumHeight(48)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, m=method: self.set_method(m))
            self.method_buttons.addButton(button, i)
            methods.addWidget(button)
            shortcut = QShortcut(QKeySequence(f"F{i}"), self)
            shortcut.activated.connect(lambda m=method: self.set_method(m))

        self.amount = QLineEdit()
        self.amount.setFont(big_font(22))
        self.amount.textChanged.connect(self._amount_changed)
        self.amount.returnPressed.connect(self.confirm)
        self.reference = QLineEdit()
        self.reference.setFont(big_font(14))
        self.reference.returnPressed.connect(self.confirm)
        self.reference_label = QLabel()
        self.quick = QHBoxLayout()
        self.qr_label = QLabel()
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paid_list = QListWidget()
        self.paid_list.setMaximumHeight(90)
        self.paid_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.paid_list.hide()  # shown once a part payment is taken (split)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        confirm = QPushButton("Bayar (Enter)")
        confirm.setMinimumHeight(52)
        confirm.setFont(big_font(14, bold=True))
        confirm.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        confirm.clicked.connect(self.confirm)
        cancel = QPushButton("Batal (Esc)")
        cancel.setMinimumHeight(52)
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cancel.clicked.connect(self.reject)

        form = QGridLayout()
        form.addWidget(QLabel("Jumlah"), 0, 0)
        form.addWidget(self.amount, 0, 1)
        form.addWidget(self.reference_label, 1, 0)
        form.addWidget(self.reference, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.total_label)
        layout.addWidget(self.due_label)
        layout.addLayout(methods)
        layout.addLayout(form)
        layout.addLayout(self.quick)
        layout.addWidget(self.qr_label)
        layout.addWidget(self.change_label)
        layout.addWidget(self.paid_list)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(confirm)
        layout.addLayout(buttons)
        for payment in state.payments:
            self._add_payment(payment)
        self.set_method(PaymentMethod.TUNAI.value)
        if self._remaining() == 0:
            self.error.setText(self._nothing_due())

    @property
    def due(self) -> int:
        return self.total - sum(min(p.amount, self.total) for p in self.payments)

    def _remaining(self) -> int:
        return max(0, self.total - sum(p.amount for p in self.payments))

    def set_method(self, method: str) -> None:
        self.method = method
        self.method_buttons.button(METHODS.index(PaymentMethod(method)) + 1).setChecked(True)
        needs = method in NEEDS_REFERENCE
        name = REFERENCE_NAMES.get(method, "referensi")
        self.reference_label.setText(_first_upper(name if needs else f"{name} (opsional)"))
        self.reference.setEnabled(method != PaymentMethod.TUNAI)
        self.reference.clear()
        self.amount.setText(format_number(self._remaining()))  # also draws the QR for it
        self._fill_quick(method == PaymentMethod.TUNAI)
        self._show_qr()
        self.error.clear()
        self._update_due()
        if needs:
            self.reference.setFocus()
        else:
            self.amount.setFocus()
            self.amount.selectAll()

    def _fill_quick(self, show: bool) -> None:
        while self.quick.count():
            item = self.quick.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not show:
            return
        for i, value in enumerate(quick_amounts(self._remaining())):
            label = "Uang pas" if i == 0 else format_number(value)
            button = QPushButton(label)
            button.setMinimumHeight(48)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, v=value: self._quick(v))
            self.quick.addWidget(button)

    def _quick(self, value: int) -> None:
        self.amount.setText(format_number(value))
        self.confirm()

    def _show_qr(self) -> None:
        """QRIS: the code for the amount in the field (a part payment gets its own amount)."""
        if self.method != PaymentMethod.QRIS:
            self.qr_label.clear()
            self.qr_label.setToolTip("")
            self.qr_label.hide()
            return
        self.qr_label.show()
        if self.qris_payload is None:
            self.qr_label.setText(
                "QRIS statis belum diatur (Pengaturan). Minta pelanggan scan QR statis."
            )
            return
        try:
            amount = self._amount()
            if not 0 < amount <= self._remaining():
                raise ValidationError(
                    f"Ketik jumlah QRIS 1 sampai {format_rupiah(self._remaining())}."
                )
            payload = self.qris_payload(amount)
        except KasirError as exc:
            self.qr_label.clear()
            self.qr_label.setToolTip("")
            self.qr_label.setText(exc.message)
            return
        self.qr_label.setPixmap(qr_pixmap(payload))
        self.qr_label.setToolTip(payload)

    def _amount_changed(self) -> None:
        self._update_change()
        if self.method == PaymentMethod.QRIS:
            self._show_qr()

    def _amount(self) -> int:
        return parse_rupiah(self.amount.text())

    def _update_due(self) -> None:
        self.due_label.setText(f"Sisa yang harus dibayar: {format_rupiah(self._remaining())}")
        self._update_change()

    def _update_change(self) -> None:
        try:
            amount = self._amount()
        except KasirError:
            self.change_label.setText("")
            return
        remaining = self._remaining()
        if self.method == PaymentMethod.TUNAI and amount > remaining:
            self.change_label.setText(f"Kembali {format_rupiah(amount - remaining)}")
        else:
            self.change_label.setText("")

    def _nothing_due(self) -> str:
        if self.payments:
            return "Pembayaran sudah cukup. Tekan Enter untuk menyelesaikan."
        return "Total Rp 0: tekan Enter untuk menyelesaikan tanpa pembayaran."

    def _add_payment(self, payment: PaymentInput) -> None:
        self.payments.append(payment)
        self.paid_list.addItem(
            f"{method_label(payment.method)}: {format_rupiah(payment.amount)}"
            + (f" (ref {payment.reference})" if payment.reference else "")
        )
        self.paid_list.show()

    # --- talking to the sale screen ------------------------------------------------------------

    def wait(self) -> None:
        """A payment or the sale is being stored: Enter does nothing until the answer."""
        self.waiting = True

    def take(self, state: SaleState) -> None:
        """The payment was stored: list it, and ask for the rest (in cash by default)."""
        self.waiting = False
        for payment in state.payments[len(self.payments) :]:
            self._add_payment(payment)
        if self._remaining() == 0:
            self.error.setText(self._nothing_due())
            return
        self.set_method(PaymentMethod.TUNAI.value)

    def show_error(self, text: str) -> None:
        self.waiting = False
        self.error.setText(text)

    def _finish(self) -> None:
        try:
            settle(self.total, self.payments)  # the rule checkout applies, checked here first
        except KasirError as exc:
            self.error.setText(exc.message)
            return
        self.waiting = True
        self.finish_requested.emit()

    def confirm(self) -> None:
        """Enter: take the typed payment; finish when the total is covered."""
        if self.waiting:
            return
        if self._remaining() == 0:
            self._finish()
            return
        try:
            typed = PaymentInput(self.method, self._amount(), self.reference.text())
            payment = check_part(self._remaining(), typed)
        except KasirError as exc:
            self.error.setText(exc.message)
            return
        self.error.clear()
        self.waiting = True
        self.entered.emit(payment)
