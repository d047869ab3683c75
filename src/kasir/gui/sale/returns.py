"""Void or refund a receipt: scan or type its number, pick what comes back, give a reason.

The dialog only gathers the request; the sale screen runs it through the service, which asks
for a supervisor's PIN (ApprovalRequired) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.payment import METHOD_LABELS, METHODS
from kasir.errors import KasirError
from kasir.gui.dialogs import big_font
from kasir.gui.ops import Ops
from kasir.money import format_number, format_rupiah
from kasir.services import sales
from kasir.services.returns import RefundItem
from kasir.services.sales import SaleView


@dataclass(frozen=True)
class ReturnRequest:
    kind: str  # "void" | "refund"
    receipt_number: str
    reason: str
    items: list[RefundItem]
    method: str


class ReturnsDialog(QDialog):
    requested = Signal(object)  # ReturnRequest

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.sale: SaleView | None = None
        self.setWindowTitle("Void / Retur")
        self.resize(760, 520)
        self.number = QLineEdit()
        self.number.setFont(big_font(16))
        self.number.setPlaceholderText("Pindai atau ketik nomor struk, mis. K01-20261122-0007")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Barang", "Terjual", "Harga", "Diretur"])
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(0, 360)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Alasan (wajib), mis. barang rusak / salah input")
        self.method = QComboBox()
        for method in METHODS:
            self.method.addItem(f"Uang kembali: {METHOD_LABELS[method]}", method)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.void_button = QPushButton("Void seluruh struk (hari ini)")
        self.refund_button = QPushButton("Retur barang terpilih")
        for button in (self.void_button, self.refund_button):
            button.setMinimumHeight(48)
            button.setEnabled(False)
            # Not a default button: Enter in the number field loads the receipt, it must not
            # also void it (nor Enter in the reason both refund and void).
            button.setAutoDefault(False)
        self.void_button.clicked.connect(lambda: self._request("void"))
        self.refund_button.clicked.connect(lambda: self._request("refund"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.refund_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(self.reason)
        layout.addWidget(self.method)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.number.returnPressed.connect(self.load)
        self.reason.returnPressed.connect(lambda: self._request("refund"))

    def load(self) -> None:
        text = self.number.text()
        try:
            sale = self.ops.call(lambda s: sales.get_sale(s, text))
        except KasirError as exc:
            self.error.setText(exc.message)
            self.number.selectAll()
            return
        self.error.clear()
        self.sale = sale
        kind = "Retur" if sale.kind == "refund" else "Penjualan"
        status = " — SUDAH DI-VOID" if sale.status == "voided" else ""
        self.summary.setText(
            f"{kind} {sale.receipt_number}, {sale.business_date:%d-%m-%Y}, "
            f"kasir {sale.cashier_name}, total {format_rupiah(sale.total)}{status}"
        )
        self.table.setRowCount(len(sale.lines))
        for row, line in enumerate(sale.lines):
            for col, text in enumerate((line.name, str(line.qty), format_number(line.unit_price))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
            spin = QSpinBox()
            spin.setRange(0, max(0, line.qty))
            spin.setValue(max(0, line.qty))
            self.table.setCellWidget(row, 3, spin)
        self.void_button.setEnabled(True)
        self.refund_button.setEnabled(True)
        self.reason.setFocus()

    def _request(self, kind: str) -> None:
        if self.sale is None:
            self.load()
            return
        items = []
        for row, line in enumerate(self.sale.lines):
            spin = self.table.cellWidget(row, 3)
            if isinstance(spin, QSpinBox) and spin.value() > 0:
                items.append(RefundItem(line.line_no, spin.value()))
        if kind == "refund" and not items:
            self.error.setText("Pilih jumlah barang yang diretur.")
            return
        request = ReturnRequest(
            kind=kind,
            receipt_number=self.sale.receipt_number,
            reason=self.reason.text(),
            items=items,
            method=str(self.method.currentData()),
        )
        self.requested.emit(request)
