"""Void or refund a receipt: scan or type its number, pick what comes back, give a reason.

The dialog only gathers the request; the sale screen runs it through the service, which asks
for a supervisor's PIN (ApprovalRequired) before anything is written.

Money goes back the way it was paid: a refund's method starts at the sale's method (the
reference of the payment back is required for QRIS, cards and transfer), and a void asks for
the reference of the reversal of each non-cash payment (the QRIS refund, the EDC void).

Nothing is chosen to start with: the cashier sets how many of each line come back, never more
than is still refundable (sold minus refunded before). Enter never voids or refunds: it loads
the receipt in the number field and moves on in the others; the buttons (Alt+V, Alt+R) act.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
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

from kasir.domain.payment import METHODS, REFERENCE_NAMES, default_refund_method, method_label
from kasir.domain.vocab import PaymentMethod
from kasir.gui.dialogs import big_font
from kasir.gui.ops import Ops, describe_error
from kasir.money import format_number, format_rupiah
from kasir.services import sale_lookup
from kasir.services.returns import RefundItem
from kasir.services.sale_lookup import SaleView


@dataclass(frozen=True)
class ReturnRequest:
    kind: str  # "void" | "refund"
    receipt_number: str
    reason: str
    items: list[RefundItem]
    method: str
    reference: str | None = None
    reversal_references: tuple[str | None, ...] = ()  # void: one per non-cash payment


# Columns of the table; the last holds the spin box of what comes back.
COLUMNS = ("Barang", "Terjual", "Harga", "Bisa diretur", "Diretur")
RETURN_COL = len(COLUMNS) - 1


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
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(0, 320)
        # Tab goes through the spin boxes (set up in load), not cell by cell.
        self.table.setTabKeyNavigation(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Alasan (wajib), mis. barang rusak / salah input")
        self.method = QComboBox()
        for method in METHODS:
            self.method.addItem(f"Uang kembali: {method_label(method)}", method.value)
        self.reference = QLineEdit()
        self.method.currentIndexChanged.connect(self._method_changed)
        self._method_changed()
        # Void of a sale paid by QRIS/card/transfer: the reference of each reversal.
        self.reversals = QFormLayout()
        self.reversal_fields: list[QLineEdit] = []
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.hint = QLabel(
            "Enter tidak menjalankan void/retur. Pilih tombol: Alt+V = void seluruh struk, "
            "Alt+R = retur barang terpilih."
        )
        self.hint.setWordWrap(True)
        self.void_button = QPushButton("&Void seluruh struk (hari ini)")
        self.refund_button = QPushButton("&Retur barang terpilih")
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
        layout.addWidget(self.reference)
        layout.addLayout(self.reversals)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.number.returnPressed.connect(self.load)
        self.number.textEdited.connect(self.unload)
        # Enter in a field only moves on (like Tab): a refund is never one stray Enter away.
        self.reason.returnPressed.connect(self.focusNextChild)
        self.reference.returnPressed.connect(self.focusNextChild)

    def _method_changed(self) -> None:
        method = str(self.method.currentData())
        cash = method == PaymentMethod.TUNAI
        self.reference.setEnabled(not cash)
        self.reference.setPlaceholderText(
            "Uang kembali tunai: tanpa referensi"
            if cash
            else f"{REFERENCE_NAMES[method][:1].upper()}{REFERENCE_NAMES[method][1:]} "
            "uang kembali (wajib)"
        )

    def _set_reversals(self, sale: SaleView | None) -> None:
        """One field per non-cash payment of a sale that can still be voided."""
        while self.reversals.rowCount():
            self.reversals.removeRow(0)
        self.reversal_fields = []
        if sale is None or sale.kind != "sale" or sale.status != "completed":
            return
        for payment in sale.payments:
            if payment.method == PaymentMethod.TUNAI:
                continue
            field = QLineEdit()
            name = REFERENCE_NAMES.get(payment.method, "referensi")
            field.setPlaceholderText(f"{name} pembatalan (wajib untuk void)")
            field.returnPressed.connect(self.focusNextChild)
            label = f"Void: {method_label(payment.method)} {format_rupiah(payment.amount)}"
            self.reversals.addRow(label, field)
            self.reversal_fields.append(field)

    def spin_boxes(self) -> list[QSpinBox]:
        """The 'Diretur' spin box of each line, in order."""
        spins = [self.table.cellWidget(row, RETURN_COL) for row in range(self.table.rowCount())]
        return [spin for spin in spins if isinstance(spin, QSpinBox)]

    def unload(self) -> None:
        """The number was edited: what is shown no longer belongs to it."""
        if self.sale is None:
            return
        self.sale = None
        self.summary.clear()
        self.table.setRowCount(0)
        self._set_reversals(None)
        self.void_button.setEnabled(False)
        self.refund_button.setEnabled(False)

    def load(self) -> None:
        """Look the receipt up on the worker; the table fills in when it answers."""
        text = self.number.text()
        op = self.ops.read(
            lambda s: (sale_lookup.get_sale(s, text), sale_lookup.refundable_qty(s, text))
        )
        op.success(lambda found: self._loaded(text, *found)).failure(self._not_loaded).run()

    def _not_loaded(self, exc: BaseException) -> None:
        self.unload()
        self.error.setText(describe_error(exc))
        self.number.selectAll()

    def _loaded(self, text: str, sale: SaleView, refundable: dict[int, int]) -> None:
        if text != self.number.text():
            return  # typed on meanwhile: that text is looked up when Enter is pressed
        self.error.clear()
        self.sale = sale
        if sale.status != "completed":
            refundable = {}
        kind = "Retur" if sale.kind == "refund" else "Penjualan"
        status = " — SUDAH DI-VOID" if sale.status == "voided" else ""
        self.summary.setText(
            f"{kind} {sale.receipt_number}, {sale.business_date:%d-%m-%Y}, "
            f"kasir {sale.cashier_name}, total {format_rupiah(sale.total)}{status}"
        )
        self.table.setRowCount(len(sale.lines))
        for row, line in enumerate(sale.lines):
            left = max(0, refundable.get(line.line_no, 0))
            cells = (line.name, str(line.qty), format_number(line.unit_price), str(left))
            for col, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
            spin = QSpinBox()
            spin.setRange(0, left)  # starts at 0: the cashier picks what comes back
            spin.setEnabled(left > 0)
            self.table.setCellWidget(row, RETURN_COL, spin)
        default = default_refund_method((p.method, p.amount) for p in sale.payments)
        self.method.setCurrentIndex(max(0, self.method.findData(default)))
        self.reference.clear()
        self._set_reversals(sale)
        chain = [self.number, *self.spin_boxes(), self.reason, self.method, self.reference]
        chain += self.reversal_fields
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)
        self.void_button.setEnabled(True)
        self.refund_button.setEnabled(True)
        self.reason.setFocus()

    def _request(self, kind: str) -> None:
        if self.sale is None:
            self.load()
            return
        items = [
            RefundItem(line.line_no, spin.value())
            for line, spin in zip(self.sale.lines, self.spin_boxes(), strict=True)
            if spin.value() > 0
        ]
        if kind == "refund" and not items:
            self.error.setText("Pilih jumlah barang yang diretur.")
            return
        request = ReturnRequest(
            kind=kind,
            receipt_number=self.sale.receipt_number,
            reason=self.reason.text(),
            items=items,
            method=str(self.method.currentData()),
            reference=self.reference.text().strip() or None,
            reversal_references=tuple(f.text().strip() or None for f in self.reversal_fields),
        )
        self.requested.emit(request)
