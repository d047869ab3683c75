"""The payments taken for the cart, in the payment dialog: listed, one chosen by Up/Down to be
removed with Del (the dialog forwards the keys and asks for a reason when one is needed)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from kasir.domain.payment import PaymentInput, method_label
from kasir.money import format_rupiah


def payment_text(payment: PaymentInput) -> str:
    ref = f" (ref {payment.reference})" if payment.reference else ""
    return f"{method_label(payment.method)}: {format_rupiah(payment.amount)}{ref}"


class PaidPanel(QWidget):
    """Hidden until a payment is taken; `remove_clicked()` for the touch button."""

    remove_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setMaximumHeight(90)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.currentRowChanged.connect(self._chosen_changed)
        self.hint = QLabel()
        self.remove_button = QPushButton("Hapus (Del)")
        self.remove_button.setMinimumHeight(36)
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.clicked.connect(self.remove_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        keys = QHBoxLayout()
        keys.addWidget(self.hint, 1)
        keys.addWidget(self.remove_button)
        layout.addLayout(keys)
        self.hide()

    def show_payments(self, payments: tuple[PaymentInput, ...]) -> None:
        self.list.clear()
        for payment in payments:
            self.list.addItem(payment_text(payment))
        self.list.setCurrentRow(-1)
        self.setVisible(bool(payments))
        self._chosen_changed(-1)

    @property
    def chosen(self) -> int:
        """The row chosen, or -1."""
        return self.list.currentRow()

    def choose(self, step: int) -> None:
        """Up (-1) or Down (+1): from nothing, Up chooses the last payment taken and Down the
        first; past either end, nothing is chosen."""
        count = self.list.count()
        if not count:
            return
        row = self.list.currentRow()
        row = (count - 1 if step < 0 else 0) if row < 0 else row + step
        self.list.setCurrentRow(row if 0 <= row < count else -1)

    def unchoose(self) -> None:
        self.list.setCurrentRow(-1)

    def _chosen_changed(self, row: int) -> None:
        chosen = 0 <= row < self.list.count()
        self.remove_button.setEnabled(chosen)
        self.hint.setText(
            "Del: hapus pembayaran terpilih · Esc: batal pilih"
            if chosen
            else "↑/↓: pilih pembayaran untuk dihapus"
        )
