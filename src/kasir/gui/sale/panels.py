"""The pieces of the sale screen, each showing one thing: the scan bar, the cart, the totals,
the last receipt and the key bar. They render what they are given and hold no sale state."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.payment import method_label
from kasir.gui.dialogs import big_font
from kasir.gui.sale.cart_model import CartTableModel
from kasir.money import format_rupiah
from kasir.services.sale_session import SaleState

# (key, label, action name): shown as touch buttons and documented in the README.
ACTIONS = (
    ("F2", "Cari", "open_search"),
    ("F4", "Jumlah", "ask_quantity"),
    ("F6", "Diskon", "ask_line_discount"),
    ("Shift+F6", "Diskon total", "ask_order_discount"),
    ("F7", "Ubah harga", "ask_price"),
    ("Del", "Hapus baris", "remove_selected"),
    ("F8", "Simpan/Ambil", "park_or_recall"),
    ("F9", "Bayar", "pay"),
    ("F10", "Void/Retur", "open_returns"),
    ("F12", "Keluar", "logout"),
    ("Esc", "Batal", "cancel"),
)
ERROR_STYLE = "color: #b00020; font-weight: bold;"


class ScanBar(QWidget):
    """The scan field (it always has the focus) and the message line under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setFont(big_font(20))
        self.field.setPlaceholderText("Pindai barcode atau ketik nama/SKU, lalu Enter")
        self.message = QLabel("Siap. Pindai barang pertama.")
        self.message.setWordWrap(True)
        self.message.setFont(big_font(12))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.message)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        if error:
            QApplication.beep()


class CartPanel(QTableView):
    """The cart's lines; the line touched last is highlighted by the model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cart_model = CartTableModel()
        self.setModel(self.cart_model)
        self.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)
        self.setFont(big_font(13))
        # Fixed widths from the font, not ResizeToContents: that measures every row's every
        # cell again after each scan (most of a scan's time in a long cart).
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        digits = self.fontMetrics().horizontalAdvance("0")
        padding = 3 * digits
        for col, sample in enumerate(("Jml 9.999", "99.999.999 *", "-99.999.999", "999.999.999")):
            header.setSectionResizeMode(col + 1, QHeaderView.ResizeMode.Fixed)
            width = max(self.fontMetrics().horizontalAdvance(sample), digits * 4) + padding
            header.resizeSection(col + 1, width)

    def show_state(self, state: SaleState | None) -> None:
        view = state.cart if state else None
        self.cart_model.set_view(view)
        # A row the cashier clicked is the selection; a change in the cart clears it.
        self.clearSelection()
        if view and view.last_index is not None:
            self.scrollTo(self.cart_model.index(view.last_index, 0))

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None


class TotalsPanel(QWidget):
    """The total, large; items and savings; the payments taken; the change after a sale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.total_label = QLabel()
        self.total_label.setFont(big_font(34, bold=True))
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.detail_label = QLabel()
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.paid_label = QLabel()
        self.paid_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.paid_label.setWordWrap(True)
        self.paid_label.setStyleSheet("color: #1a4f8b; font-weight: bold;")
        # After a cash sale: the change to hand back, large, until the next item is scanned.
        self.change_label = QLabel()
        self.change_label.setFont(big_font(24, bold=True))
        self.change_label.setStyleSheet("color: #0b6e2e;")
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.total_label, self.detail_label, self.paid_label, self.change_label):
            layout.addWidget(widget)

    def show_state(self, state: SaleState | None) -> None:
        view = state.cart if state else None
        self.total_label.setText(format_rupiah(view.total if view else 0))
        if view and view.lines:
            self.change_label.clear()
            parts = [f"{view.item_count} barang", f"{len(view.lines)} baris"]
            if view.discount_total:
                parts.append(f"hemat {format_rupiah(view.discount_total)}")
            self.detail_label.setText(" · ".join(parts))
        else:
            self.detail_label.setText("Keranjang kosong")
        if state and state.payments:
            taken = ", ".join(
                f"{method_label(p.method)} {format_rupiah(p.amount)}" for p in state.payments
            )
            self.paid_label.setText(
                f"Sudah dibayar: {taken}. Sisa {format_rupiah(state.remaining)}."
                + (f" {state.cash_note}." if state.cash_note else "")
            )
        else:  # cash rounding on: what cash would pay (issue 16 item 7)
            self.paid_label.setText(f"{state.cash_note}." if state and state.cash_note else "")

    def show_change(self, change: int) -> None:
        self.change_label.setText(f"Kembali {format_rupiah(change)}" if change else "")


class ReceiptPanel(QWidget):
    """The last receipt, as it would be printed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.receipt = QPlainTextEdit()
        self.receipt.setReadOnly(True)
        self.receipt.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.receipt.setStyleSheet("font-family: monospace; background: #fffef8;")
        self.receipt.setPlaceholderText("Pratinjau struk terakhir")
        self.receipt.setMinimumWidth(370)  # room for a large total and change, no jumping
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Struk terakhir (pratinjau):"))
        layout.addWidget(self.receipt, 1)


class KeyBar(QWidget):
    """The function keys as touch buttons; `triggered(action name)` when one is pressed."""

    triggered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.shortcuts: dict[str, str] = {}  # QKeySequence text -> action name
        for i, (key, label, action) in enumerate(ACTIONS):
            button = QPushButton(f"{key}\n{label}")
            button.setMinimumSize(96, 56)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, a=action: self.triggered.emit(a))
            grid.addWidget(button, 0, i)
            self.shortcuts[QKeySequence(key).toString()] = action
