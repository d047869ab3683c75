"""The payment dialog: cash with quick amounts and large change, QRIS, cards, transfer, split.

Enter confirms the obvious choice: the amount field starts at what is still due, in cash, so
an exact cash payment is just Enter. Each payment typed is checked here (`check_part`) and sent
with `entered(PaymentInput)`; the sale screen stores it with the cart (the sale session) and
hands the new state back with `take(state)`, so a payment taken is on disk before the dialog
shows it. Nothing left to pay (a total of Rp 0, or payments that already cover it): Enter asks to
finish (`finish_requested`). Esc closes the dialog; the payments taken stay with the cart.

Amounts that look wrong are asked about first, in the dialog (Enter/Y yes, Esc/N back to the
amount, selected for correction): cash more than `plausible_over` above what is due (a typo, a
barcode read as an amount), and anything below what is due ("Bayar sebagian?"). Each payment
taken can be removed on its own: Up/Down choose it in the list, Del removes it (`removal`; a
non-cash one asks for the reason). Quick amounts: Alt+1..Alt+5. With cash rounding on,
the cash due is rounded (`kasir.domain.rounding`) and the rounding is shown.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import qrcode
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.payment import (
    METHODS,
    NEEDS_REFERENCE,
    REFERENCE_NAMES,
    Due,
    PaymentInput,
    check_part,
    method_label,
    settlement,
)
from kasir.domain.vocab import PaymentMethod
from kasir.errors import KasirError, ValidationError
from kasir.gui.dialogs import big_font
from kasir.gui.sale.ask import AskBar
from kasir.gui.sale.paid import PaidPanel
from kasir.money import format_number, format_rupiah, parse_rupiah
from kasir.services.sale_session import SaleState

QUICK_NOTES = (5_000, 10_000, 20_000, 50_000, 100_000)
# Not F-keys: F1..F5 are the methods, and F6..F10 are the sale screen's keys (F9 pressed again
# out of habit must not pay with a quick amount).
QUICK_KEYS = ("Alt+1", "Alt+2", "Alt+3", "Alt+4", "Alt+5")
QR_MAX_PX = 240  # the QR fits beside the form at 1024x768


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


def qr_pixmap(payload: str, max_px: int = QR_MAX_PX) -> QPixmap:
    qr = qrcode.QRCode(border=2, box_size=1)
    qr.add_data(payload)
    qr.make(fit=True)
    qr.box_size = max(2, min(5, max_px // (qr.modules_count + 4)))
    buffer = io.BytesIO()
    qr.make_image().save(buffer, format="PNG")
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


def _button(text: str, height: int = 48) -> QPushButton:
    button = QPushButton(text)
    button.setMinimumHeight(height)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class PaymentDialog(QDialog):
    """Emits `entered(PaymentInput)` for each payment typed, `removal(index, reason)` for a
    payment to remove and `finish_requested()` when the payments cover the total; `take(state)`
    shows the payments stored.

    The payments already taken for the cart (`state.payments`) are listed and count."""

    entered = Signal(object)
    removal = Signal(int, object)  # index in state.payments, the reason (None for cash)
    finish_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        state: SaleState,
        qris_payload: Callable[[int], str] | None,
        *,
        plausible_over: int = 1_000_000,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pembayaran")
        self.total = 0
        self.rule = state.rounding
        self.plausible_over = plausible_over
        self.qris_payload = qris_payload
        self.payments: list[PaymentInput] = []
        self.method: str = PaymentMethod.TUNAI.value
        self.waiting = False  # a payment or the sale is being stored: Enter waits

        self.total_label = QLabel()
        self.total_label.setFont(big_font(22, bold=True))
        self.due_label = QLabel()
        self.due_label.setFont(big_font(16))
        self.rounding_label = QLabel()  # cash rounding on: what cash pays, and the rounding
        self.rounding_label.setStyleSheet("color: #1a4f8b; font-weight: bold;")
        self.change_label = QLabel()
        self.change_label.setFont(big_font(28, bold=True))
        self.change_label.setStyleSheet("color: #0b6e2e;")

        methods = QHBoxLayout()
        self.method_buttons = QButtonGroup(self)
        for i, method in enumerate(METHODS, start=1):
            button = _button(f"F{i} {method_label(method)}")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, m=method: self.set_method(m))
            self.method_buttons.addButton(button, i)
            methods.addWidget(button)
            shortcut = QShortcut(QKeySequence(f"F{i}"), self)
            shortcut.activated.connect(lambda m=method: self._key(lambda: self.set_method(m)))
        self.quick_values: list[int] = []
        self.quick = QHBoxLayout()
        self.quick_buttons: list[QPushButton] = []  # labelled and shown by _fill_quick
        for i, key in enumerate(QUICK_KEYS):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda n=i: self._key(lambda: self.quick_key(n)))
            button = _button(key)
            button.clicked.connect(lambda _=False, n=i: self._quick(self.quick_values[n]))
            button.hide()
            self.quick.addWidget(button)
            self.quick_buttons.append(button)

        self.amount = QLineEdit()
        self.amount.setFont(big_font(22))
        self.amount.textChanged.connect(self._amount_changed)
        self.amount.returnPressed.connect(self.confirm)
        self.reference = QLineEdit()
        self.reference.setFont(big_font(14))
        self.reference.returnPressed.connect(self.confirm)
        self.reference_label = QLabel()
        self.qr_label = QLabel()
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setWordWrap(True)
        self.qr_label.setMaximumWidth(QR_MAX_PX + 20)
        self.paid_box = PaidPanel()  # shown once a payment is taken (split)
        self.paid_box.remove_clicked.connect(self.remove_chosen)
        self.paid_list, self.remove_button = self.paid_box.list, self.paid_box.remove_button
        self.ask = AskBar(self)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        confirm = _button("Bayar (Enter)", 52)
        confirm.setFont(big_font(14, bold=True))
        confirm.clicked.connect(self.confirm)
        cancel = _button("Batal (Esc)", 52)
        cancel.clicked.connect(self.reject)
        self.confirm_button, self.cancel_button = confirm, cancel

        form = QGridLayout()
        form.addWidget(QLabel("Jumlah"), 0, 0)
        form.addWidget(self.amount, 0, 1)
        form.addWidget(self.reference_label, 1, 0)
        form.addWidget(self.reference, 1, 1)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addLayout(self.quick)
        left.addWidget(self.change_label)
        left.addWidget(self.paid_box)
        left.addStretch(1)
        middle = QHBoxLayout()
        middle.addLayout(left, 1)
        middle.addWidget(self.qr_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.total_label)
        layout.addWidget(self.due_label)
        layout.addWidget(self.rounding_label)
        layout.addLayout(methods)
        layout.addLayout(middle, 1)
        layout.addWidget(self.ask)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(confirm)
        layout.addLayout(buttons)
        for field in (self.amount, self.reference, self.ask.reason):
            field.installEventFilter(self)
        self.reset(state, qris_payload, plausible_over=plausible_over)

    def reset(
        self,
        state: SaleState,
        qris_payload: Callable[[int], str] | None,
        *,
        plausible_over: int = 1_000_000,
    ) -> None:
        """For the cart `state`, as a dialog built anew for it: the sale screen keeps one
        dialog and resets it at each F9 (building one took about 5 ms of the cashier's wait).
        Nothing of an earlier payment stays: no question open, no payment chosen, no error,
        no typed reference (nor its undo history), cash chosen, the focus in the amount."""
        self.total = state.cart.total
        self.rule = state.rounding
        self.plausible_over = plausible_over
        self.qris_payload = qris_payload
        self.waiting = False
        self.setResult(0)
        self.ask.reset()
        self.total_label.setText(f"Total {format_rupiah(self.total)}")
        self.amount.setText("")  # setText, not clear(): no undo history left
        self.reference.setText("")
        self._show_payments(state.payments)
        self.set_method(PaymentMethod.TUNAI.value)
        if self._due().remaining == 0:
            self.error.setText(self._nothing_due())

    def showEvent(self, event: object) -> None:
        """Never larger than the screen it opens on (1024x768 and up)."""
        super().showEvent(event)  # type: ignore[arg-type]
        screen = self.screen()
        if screen is not None:
            self.setMaximumSize(screen.availableGeometry().size())

    # --- figures --------------------------------------------------------------------------------

    def _due(self) -> Due:
        return Due.of(self.total, self.payments, self.rule)

    @property
    def due(self) -> int:
        return self.total - sum(min(p.amount, self.total) for p in self.payments)

    def _remaining(self) -> int:
        """What the chosen method still has to pay (cash rounded, see the module docstring)."""
        return self._due().remaining_by(self.method)

    def _amount(self) -> int:
        return parse_rupiah(self.amount.text())

    # --- keys -----------------------------------------------------------------------------------

    def _key(self, action: Callable[[], None]) -> None:
        """A shortcut: not while a question is open (it is answered first)."""
        if not self.ask.open:
            action()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        if self.ask.open:
            if self.ask.handle_key(event):
                return True
            if watched is self.ask.reason:
                return False  # typing the reason
            if event.text() and event.text().isprintable():
                self.ask.answer(False)  # typing again: back to the amount, then the key
                return watched is not self.amount
            return True  # other keys wait for the answer
        key = event.key()
        if watched is self.amount and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.paid_box.choose(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if key == Qt.Key.Key_Delete and self.paid_box.chosen >= 0:
            self.remove_chosen()
            return True
        if self.paid_box.chosen >= 0 and event.text() and event.text().isprintable():
            self.paid_box.unchoose()  # typing: back to the amount
        return super().eventFilter(watched, event)

    def reject(self) -> None:
        """Esc: back from a question, or from choosing a payment; else close (payments taken
        stay with the cart)."""
        if self.ask.open:
            self.ask.answer(False)
            return
        if self.paid_box.chosen >= 0:
            self.paid_box.unchoose()
            return
        super().reject()

    # --- the method and the amount --------------------------------------------------------------

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
            self._select_amount()

    def _select_amount(self) -> None:
        self.amount.setFocus()
        self.amount.selectAll()

    def _fill_quick(self, show: bool) -> None:
        """The quick amounts for cash (none for the other methods): the buttons are made once
        and labelled here, the ones not needed hidden."""
        self.quick_values = quick_amounts(self._remaining()) if show else []
        for i, button in enumerate(self.quick_buttons):
            if i < len(self.quick_values):
                label = "Uang pas" if i == 0 else format_number(self.quick_values[i])
                button.setText(f"{QUICK_KEYS[i]} {label}")
                button.show()
            else:
                button.setText(QUICK_KEYS[i])  # as built
                button.hide()

    def quick_key(self, n: int) -> None:
        """Alt+1..Alt+5: the n-th quick amount, as its button."""
        if n < len(self.quick_values):
            self._quick(self.quick_values[n])

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

    def _update_due(self) -> None:
        self.due_label.setText(f"Sisa yang harus dibayar: {format_rupiah(self._remaining())}")
        due = self._due()
        if self.rule.on and self.method == PaymentMethod.TUNAI and due.cash_rounding:
            sign = "+" if due.cash_rounding > 0 else "-"
            self.rounding_label.setText(
                f"Pembulatan {sign}{format_rupiah(abs(due.cash_rounding))} "
                f"(tunai dibulatkan; tanpa pembulatan {format_rupiah(due.exact_remaining)})"
            )
            self.rounding_label.show()
        else:
            self.rounding_label.clear()
            self.rounding_label.hide()
        self._update_change()

    def _update_change(self) -> None:
        try:
            amount = self._amount()
        except KasirError:
            self.change_label.setText("")
            self.change_label.hide()
            return
        remaining = self._remaining()
        if self.method == PaymentMethod.TUNAI and amount > remaining:
            self.change_label.setText(f"Kembali {format_rupiah(amount - remaining)}")
        else:
            self.change_label.setText("")
        self.change_label.setVisible(bool(self.change_label.text()))  # no empty 28 pt row

    def _nothing_due(self) -> str:
        if self.payments:
            return "Pembayaran sudah cukup. Tekan Enter untuk menyelesaikan."
        return "Total Rp 0: tekan Enter untuk menyelesaikan tanpa pembayaran."

    # --- the payments taken ---------------------------------------------------------------------

    def _show_payments(self, payments: tuple[PaymentInput, ...]) -> None:
        self.payments = list(payments)
        self.paid_box.show_payments(payments)

    def remove_chosen(self) -> None:
        row = self.paid_box.chosen
        if self.waiting or not 0 <= row < len(self.payments):
            return
        payment = self.payments[row]
        if payment.method == PaymentMethod.TUNAI:
            self.waiting = True
            self.removal.emit(row, None)  # cash goes back to the hand: just removed
            return
        ref = f" (ref {payment.reference})" if payment.reference else ""
        self.ask.ask(
            f"Hapus {method_label(payment.method)} {format_rupiah(payment.amount)}{ref}? "
            f"Uangnya dikembalikan ke pelanggan lewat {method_label(payment.method)}. "
            "Ketik alasannya:",
            lambda reason: self._remove(row, reason),
            self._select_amount,
            reason=True,
        )

    def _remove(self, row: int, reason: str | None) -> None:
        self.waiting = True
        self.removal.emit(row, reason)

    # --- talking to the sale screen ------------------------------------------------------------

    def wait(self) -> None:
        """A payment or the sale is being stored: Enter does nothing until the answer."""
        self.waiting = True

    def take(self, state: SaleState) -> None:
        """The payments as stored (one taken or removed): list them, and ask for the rest (in
        cash by default)."""
        self.waiting = False
        self._show_payments(state.payments)
        if self._due().remaining == 0:
            self.error.setText(self._nothing_due())
            return
        self.set_method(PaymentMethod.TUNAI.value)

    def show_error(self, text: str) -> None:
        self.waiting = False
        self.error.setText(text)

    def scan_kept(self, code: str, restore_text: str | None = None) -> None:
        """A scanner burst arrived while this dialog is open (the sale screen's scan filter
        keeps it for the cart): never an amount. Say so, beep, and put the amount field back
        to `restore_text` (what it held before the burst) when digits leaked into it."""
        if restore_text is not None:
            self.amount.setText(restore_text)
            self._select_amount()
        shown = code if len(code) <= 20 else f"{code[:20]}…"
        self.error.setText(f"Kode {shown} dipindai — bukan nominal. Disimpan untuk keranjang.")
        QApplication.beep()

    def _finish(self) -> None:
        try:
            # The rule checkout applies, checked here first.
            settlement(self.total, self.payments, self.rule)
        except KasirError as exc:
            self.error.setText(exc.message)
            return
        self.waiting = True
        self.finish_requested.emit()

    def confirm(self) -> None:
        """Enter: take the typed payment (asking first when it looks wrong); finish when the
        total is covered."""
        if self.ask.open:
            self.ask.answer(True)
            return
        if self.waiting:
            return
        if self._due().remaining == 0:
            self._finish()
            return
        remaining = self._remaining()
        try:
            typed = PaymentInput(self.method, self._amount(), self.reference.text())
            payment = check_part(self._due().exact_remaining, typed)
        except KasirError as exc:
            self.error.setText(exc.message)
            return
        self.error.clear()
        if payment.amount < remaining:
            self.ask.ask(
                f"Bayar sebagian? {method_label(payment.method)} "
                f"{format_rupiah(payment.amount)} dari sisa {format_rupiah(remaining)}; "
                f"kurang {format_rupiah(remaining - payment.amount)} dibayar berikutnya.",
                lambda _reason: self._send(payment),
                lambda: self._correct(payment.amount),
                yes_label="Ya, bayar sebagian (Enter/Y)",
            )
            return
        if payment.method == PaymentMethod.TUNAI and payment.amount > (
            remaining + self.plausible_over
        ):
            self.ask.ask(
                f"Uang diterima {format_rupiah(payment.amount)} untuk sisa "
                f"{format_rupiah(remaining)}? Kembali {format_rupiah(payment.amount - remaining)}"
                " — periksa lagi jumlahnya.",
                lambda _reason: self._send(payment),
                lambda: self._correct(payment.amount),
                yes_label="Ya, benar (Enter/Y)",
            )
            return
        self._send(payment)

    def _correct(self, amount: int) -> None:
        """Back from a question about `amount`: it stays in the field, selected to retype."""
        self.amount.setText(format_number(amount))
        self._select_amount()

    def _send(self, payment: PaymentInput) -> None:
        self.waiting = True
        self.entered.emit(payment)
