"""Void or refund a receipt: scan or type its number, pick what comes back, give a reason.

The dialog only gathers the request; the sale screen runs it through the service, which asks
for a supervisor's PIN (ApprovalRequired) before anything is written.

Money goes back the way it was paid: a refund's method starts at the sale's method (the
reference of the payment back is required for QRIS, cards and transfer), and a void asks for
the reference of the reversal of each non-cash payment (the QRIS refund, the EDC void).

Nothing is chosen to start with: the cashier sets how many of each line come back, never more
than is still refundable (sold minus refunded before). Each line shows the price actually paid
per unit (after the line's discount and its share of the order discount), and the dialog the
money to hand back for what is chosen, as the refund will book it. Enter never voids or
refunds: it loads the receipt in the number field and moves on in the others; the buttons
(Alt+V, Alt+R) act.

The number may be a bare sequence number of this counter today (`7`); Enter with no number, or
F10, opens the list of today's receipts (`kasir.gui.sale.receipts`), whose Enter loads the one
chosen here.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
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
from kasir.gui.printing import Printing
from kasir.gui.sale.receipts import ReceiptsDialog
from kasir.money import format_number, format_rupiah
from kasir.output.receipt import ReceiptHeader
from kasir.services.refund_quote import RefundQuote, refund_quote
from kasir.services.returns import RefundItem
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till
from kasir.timeutil import business_date


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
COLUMNS = ("Barang", "Terjual", "Harga dibayar", "Bisa diretur", "Diretur")
RETURN_COL = len(COLUMNS) - 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ReturnsDialog(QDialog):
    requested = Signal(object)  # ReturnRequest

    def __init__(
        self,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        till: Till | None = None,
        header: ReceiptHeader | None = None,
        printing: Printing | None = None,
        width: int = 32,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.till = till  # this counter: bare numbers and today's list are its own
        self.header = header or ReceiptHeader("", "", "")
        self.printing = printing  # for reprints from today's list
        self.receipt_width = width
        self.sale: SaleView | None = None
        self.quote: RefundQuote | None = None
        self.receipts: ReceiptsDialog | None = None  # today's list, while open
        self.setWindowTitle("Void / Retur")
        self.resize(760, 560)
        self.number = QLineEdit()
        self.number.setFont(big_font(16))
        self.number.setPlaceholderText(
            "Pindai/ketik nomor struk (7 = struk ke-7 hari ini); Enter kosong/F10: daftar"
            if till is not None
            else "Pindai atau ketik nomor struk, mis. K01-20261122-0007"
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.back_label = QLabel()  # the money to hand back for what is chosen
        self.back_label.setFont(big_font(14, bold=True))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        columns = self.table.horizontalHeader()
        columns.setStretchLastSection(False)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name takes the rest
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
        if till is not None:
            self.hint.setText(
                f"{self.hint.text()} Enter tanpa nomor atau F10: daftar struk hari ini."
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
        layout.addWidget(self.back_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.method)
        layout.addWidget(self.reference)
        layout.addLayout(self.reversals)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.number.returnPressed.connect(self.load)
        self.list_button: QPushButton | None = None
        if till is not None:
            self.list_button = QPushButton("Daftar struk hari ini (F10)")
            self.list_button.setAutoDefault(False)
            self.list_button.clicked.connect(self.open_list)
            buttons.insertWidget(0, self.list_button)
            QShortcut(QKeySequence("F10"), self, self.open_list)
        self.number.textEdited.connect(self.unload)
        # Enter in a field only moves on (like Tab): a refund is never one stray Enter away.
        self.reason.returnPressed.connect(self.focusNextChild)
        self.reference.returnPressed.connect(self.focusNextChild)

    def _method_changed(self) -> None:
        self._show_back()  # cash back may be rounded, other methods never
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
        self.sale = self.quote = None
        self.summary.clear()
        self.back_label.clear()
        self.table.setRowCount(0)
        self._set_reversals(None)
        self.void_button.setEnabled(False)
        self.refund_button.setEnabled(False)

    def load(self) -> None:
        """Look the receipt up on the worker; the table fills in when it answers. A bare
        number is this counter's receipt of today; no number opens today's list."""
        text = self.number.text()
        if not text.strip() and self.till is not None:
            self.open_list()
            return
        counter_id = self.till.counter_id if self.till is not None else None
        day = business_date()
        op = self.ops.read(lambda s: refund_quote(s, text, counter_id=counter_id, day=day))
        op.success(lambda quote: self._loaded(text, quote)).failure(self._not_loaded).run()

    def open_list(self) -> None:
        """Today's receipts of this counter; Enter there loads the chosen one here."""
        if self.till is None or self.receipts is not None:
            return
        dialog = ReceiptsDialog(
            self.ops,
            self.till.counter_id,
            business_date(),
            self.header,
            self,
            counter_code=self.till.counter_code,
            printing=self.printing,
            user_id=self.till.user_id,
            width=self.receipt_width,
        )
        dialog.chosen.connect(self._chosen)
        dialog.finished.connect(lambda _result: self._list_closed(dialog))
        self.receipts = dialog
        dialog.open()
        dialog.filter.setFocus()

    def _list_closed(self, dialog: ReceiptsDialog) -> None:
        if self.receipts is dialog:
            self.receipts = None
        dialog.deleteLater()
        self.activateWindow()  # a closing dialog does not always hand the activation back
        if self.sale is None:
            self.number.setFocus()

    def _chosen(self, receipt_number: str) -> None:
        self.number.setText(receipt_number)
        self.load()

    def _not_loaded(self, exc: BaseException) -> None:
        self.unload()
        self.error.setText(describe_error(exc))
        self.number.selectAll()

    def _loaded(self, text: str, quote: RefundQuote) -> None:
        if text != self.number.text():
            return  # typed on meanwhile: that text is looked up when Enter is pressed
        sale = quote.sale
        self.number.setText(sale.receipt_number)  # `7` shows which receipt it is
        self.error.clear()
        self.sale, self.quote = sale, quote
        refundable = quote.refundable()
        kind = "Retur" if sale.kind == "refund" else "Penjualan"
        status = " — SUDAH DI-VOID" if sale.status == "voided" else ""
        self.summary.setText(
            f"{kind} {sale.receipt_number}, {sale.business_date:%d-%m-%Y}, "
            f"kasir {sale.cashier_name}, total {format_rupiah(sale.total)}{status}"
        )
        self.table.setRowCount(len(sale.lines))
        for row, (line, quoted) in enumerate(zip(sale.lines, quote.lines, strict=True)):
            left = max(0, refundable.get(line.line_no, 0))
            paid = format_number(quoted.paid_unit)
            if quoted.paid_unit != line.unit_price:
                paid += f" (harga {format_number(line.unit_price)})"
            cells = (line.name, str(line.qty), paid, str(left))
            for col, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col in (1, 2, 3):
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(row, col, item)
            spin = QSpinBox()
            spin.setRange(0, left)  # starts at 0: the cashier picks what comes back
            spin.setEnabled(left > 0)
            spin.valueChanged.connect(lambda _value: self._show_back())
            self.table.setCellWidget(row, RETURN_COL, spin)
        self._show_back()
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

    def chosen(self) -> dict[int, int]:
        """line number -> units chosen to come back."""
        if self.sale is None:
            return {}
        return {
            line.line_no: spin.value()
            for line, spin in zip(self.sale.lines, self.spin_boxes(), strict=True)
            if spin.value() > 0
        }

    def amount_back(self) -> int:
        return self.quote.amount_back(self.chosen()) if self.quote is not None else 0

    def _show_back(self) -> None:
        if self.quote is None or not any(line.left for line in self.quote.lines):
            self.back_label.clear()
            return
        chosen = self.chosen()
        if not chosen:
            self.back_label.setText("Dikembalikan: pilih jumlah barang yang diretur.")
            return
        units = sum(chosen.values())
        back = self.amount_back()
        text = f"Dikembalikan ke pelanggan: {format_rupiah(back)} ({units} barang)"
        if str(self.method.currentData()) == PaymentMethod.TUNAI:
            cash = self.quote.cash_back(chosen)
            if cash != back:  # the store rounds cash: what leaves the drawer
                sign = "+" if cash > back else "-"
                text = (
                    f"Dikembalikan ke pelanggan: {format_rupiah(cash)} tunai ({units} barang; "
                    f"{format_rupiah(back)}, pembulatan {sign}{format_number(abs(cash - back))})"
                )
        self.back_label.setText(text)

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
