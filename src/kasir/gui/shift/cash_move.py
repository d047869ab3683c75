"""Kas masuk / kas keluar (Ctrl+K on the sale screen): cash brought into or taken out of the
drawer during the shift. The kind (Up/Down, or 1 / 2 / 3), the amount, the reason; Enter moves
on, Enter in the reason asks for a supervisor's PIN (`kasir.gui.sale.host.Actions.approved`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.vocab import CashMovementKind
from kasir.errors import KasirError, ValidationError
from kasir.gui.dialogs import big_font, fit_height
from kasir.money import parse_rupiah
from kasir.services.cash import KIND_LABELS

KINDS = tuple(k.value for k in CashMovementKind)
HINTS = {
    "in": "uang kembalian dibawa masuk ke laci",
    "out": "uang kecil dibayarkan dari laci (mis. beli galon)",
    "drop": "uang diambil dari laci ke brankas",
}


class CashMoveDialog(QDialog):
    """`entered(kind, amount, reason)` when the form is complete; the caller stores it (with
    the supervisor's approval) and closes the dialog, or says why not with `show_error`."""

    entered = Signal(str, int, str)

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kas masuk / keluar")
        intro = QLabel(
            "Uang masuk atau keluar laci yang bukan penjualan. Perlu alasan dan persetujuan "
            "supervisor. Enter: kolom berikutnya. Esc: batal."
        )
        intro.setWordWrap(True)
        intro.setFont(big_font(12))
        self.kind = QComboBox()
        self.kind.setFont(big_font(15))
        for i, kind in enumerate(KINDS, 1):
            self.kind.addItem(f"{i}. {KIND_LABELS[kind]} ({HINTS[kind]})", kind)
        self.amount = QLineEdit()
        self.amount.setFont(big_font(18))
        self.amount.setPlaceholderText("mis. 50.000")
        self.reason = QLineEdit()
        self.reason.setFont(big_font(15))
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText("mis. tukar receh dari brankas")
        form = QFormLayout()
        for text, widget in (
            ("Jenis", self.kind),
            ("Jumlah", self.amount),
            ("Alasan", self.reason),
        ):
            label = QLabel(text)
            label.setFont(big_font(13))
            form.addRow(label, widget)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setFont(big_font(12))
        self.error.setStyleSheet("color: #b00020;")
        ok = QPushButton("Simpan (Enter)")
        cancel = QPushButton("Batal (Esc)")
        for button in (cancel, ok):
            button.setAutoDefault(False)
            button.setMinimumHeight(40)
        ok.clicked.connect(self._submit)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.amount.returnPressed.connect(self.reason.setFocus)
        self.reason.returnPressed.connect(self._submit)
        self.setTabOrder(self.kind, self.amount)
        self.setTabOrder(self.amount, self.reason)
        self.resize(720, 320)
        self.kind.setFocus()

    @property
    def chosen_kind(self) -> str:
        return str(self.kind.currentData())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if self.focusWidget() is self.kind and text in ("1", "2", "3"):
            self.kind.setCurrentIndex(int(text) - 1)
            self.amount.setFocus()
            return
        if self.focusWidget() is self.kind and text in ("\r", "\n"):
            self.amount.setFocus()
            return
        super().keyPressEvent(event)

    def _submit(self) -> None:
        try:
            amount = parse_rupiah(self.amount.text())
            if amount <= 0:
                raise ValidationError("Jumlah harus lebih dari Rp 0.")
        except KasirError as exc:
            self.show_error(exc.message, self.amount)
            return
        reason = self.reason.text().strip()
        if not reason:
            self.show_error("Alasan wajib diisi.", self.reason)
            return
        self.error.clear()
        self.entered.emit(self.chosen_kind, amount, reason)

    def show_error(self, text: str, field: QLineEdit | None = None) -> None:
        self.error.setText(text)
        fit_height(self)
        target = field or self.amount
        target.setFocus()
        target.selectAll()

    def scan_kept(self, code: str, restore_text: str) -> None:
        widget = self.focusWidget()
        if isinstance(widget, QLineEdit):
            widget.setText(restore_text)
        self.error.setText(f"Pindaian {code} disimpan untuk keranjang setelah dialog ditutup.")
