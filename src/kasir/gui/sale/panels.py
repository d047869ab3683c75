"""The pieces of the sale screen, each showing one thing: the scan bar, the cart, the totals,
the last receipt and the key bar. They render what they are given and hold no sale state.

They fit any screen from 1024x768 up: the total shrinks its font rather than being cut off,
the key bar wraps into two rows when one does not fit, the receipt preview is as wide as a
receipt line needs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
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
    ("F11", "Kunci layar", "lock_screen"),
    ("F12", "Keluar", "logout"),
    ("Esc", "Batal", "cancel"),
)
ERROR_STYLE = "color: #b00020; font-weight: bold;"


class _Holder(QWidget):
    """A widget without a layout whose only child fills it: the child's changes of size hint
    stay here (Qt posts them to a parent without a layout, which ignores them)."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            child.setGeometry(self.rect())


class ScanBar(QWidget):
    """The scan field (it always has the focus) and the message line under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setFont(big_font(20))
        self.field.setPlaceholderText("Pindai barcode atau ketik nama/SKU, lalu Enter")
        # The message line changes at every key and every scan. A QLabel in a layout
        # re-lays out the whole window at each new text (its size hint may have changed), and
        # the window repaints all but the cart each time: twice per scan once the line is
        # cleared at the key and filled by the answer. So the label lives in a holder of a
        # fixed height (two lines) and no layout, which sizes it by hand: its text never
        # reaches the window's layout.
        self.message_box = _Holder()
        self.message = QLabel("Siap. Pindai barang pertama.", self.message_box)
        self.message.setWordWrap(True)
        self.message.setFont(big_font(12))
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.message_box.setFixedHeight(2 * self.message.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.message_box)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setToolTip(text)  # the whole of a message longer than its two lines
        style = ERROR_STYLE if error else ""
        if self.message.styleSheet() != style:  # a new style sheet re-polishes: only on change
            self.message.setStyleSheet(style)
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
        padding = 2 * digits  # narrow enough for the names at 1024 px, wide for Rp 99 juta
        for col, sample in enumerate(("9.999", "9.999.999 *", "-9.999.999", "99.999.999")):
            header.setSectionResizeMode(col + 1, QHeaderView.ResizeMode.Fixed)
            width = max(self.fontMetrics().horizontalAdvance(sample), digits * 4) + padding
            header.resizeSection(col + 1, width)

    def show_state(self, state: SaleState | None, chosen: int | None = None) -> None:
        """The cart, the current line highlighted: `chosen` (Up/Down, a click), else the
        line touched last. The highlight is the model's, not the selection (which a render
        would clear)."""
        view = state.cart if state else None
        self.cart_model.set_view(view, chosen)
        self.clearSelection()
        current = self.cart_model.current_row
        if view and current is not None:
            self.scrollTo(self.cart_model.index(current, 0))


class FitLabel(QLabel):
    """A label in a large font that takes a smaller font rather than being cut off when its
    text does not fit its width (a total of Rp 9.999.999 on a 1024 px screen). With `wrap`,
    it first breaks the text at spaces ("Kembali" over "Rp 32.000") and keeps its size."""

    def __init__(self, font: QFont, parent: QWidget | None = None, *, wrap: bool = False) -> None:
        super().__init__(parent)
        self._wrap = wrap
        self._full = QFont(font)
        self.setFont(font)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self.fontMetrics().height())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def text_width(self, font: QFont | None = None) -> int:
        """The width the text takes: its longest word when wrapped, else the whole line."""
        metrics = QFontMetrics(font or self.font())
        if self.wordWrap():
            return max((metrics.horizontalAdvance(w) for w in self.text().split()), default=0)
        return metrics.horizontalAdvance(self.text())

    def text_fits(self) -> bool:
        return self.text_width() <= self.contentsRect().width()

    def _fit(self) -> None:
        font = QFont(self._full)
        room = self.contentsRect().width() - 2
        if self._wrap:  # wrapped at spaces (by the label) rather than made smaller
            wrap = QFontMetrics(font).horizontalAdvance(self.text()) > room
            if wrap != self.wordWrap():
                self.setWordWrap(wrap)
        size = font.pointSizeF()
        while size > 6:
            font.setPointSizeF(size)
            if self.text_width(font) <= room:
                break
            size -= 1
        if font != self.font():
            super().setFont(font)


class TotalsPanel(QWidget):
    """The total, large; items and savings; the payments taken; the change after a sale.

    Its layout is a column (`layout`) of full-width lines; a new figure (e.g. the cash
    rounding, "Pembulatan") is one more `add_line` under the details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.total_label = FitLabel(big_font(34, bold=True))
        self.detail_label = QLabel()
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.detail_label.setWordWrap(True)
        self.paid_label = QLabel()
        self.paid_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.paid_label.setWordWrap(True)
        self.paid_label.setStyleSheet("color: #1a4f8b; font-weight: bold;")
        # After a cash sale: the change to hand back, large, until the next item is scanned.
        self.change_label = FitLabel(big_font(24, bold=True), wrap=True)
        self.change_label.setStyleSheet("color: #0b6e2e;")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        for widget in (self.total_label, self.detail_label, self.paid_label, self.change_label):
            self.layout_.addWidget(widget)

    def add_line(self, widget: QWidget, *, after: QWidget | None = None) -> None:
        """One more line of figures (after `after`, by default under the details)."""
        anchor = after if after is not None else self.detail_label
        self.layout_.insertWidget(self.layout_.indexOf(anchor) + 1, widget)

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
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(QApplication.font().pointSizeF() * 0.9)
        self.receipt.setFont(mono)
        self.receipt.setStyleSheet("background: #fffef8;")
        self.receipt.setPlaceholderText("Pratinjau struk terakhir")
        # A 32-character receipt line fits (the column also holds the large total).
        self.receipt.setMinimumWidth(QFontMetrics(mono).horizontalAdvance("M" * 34) + 24)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Struk terakhir (pratinjau):"))
        layout.addWidget(self.receipt, 1)


class KeyBar(QWidget):
    """The function keys as touch buttons; `triggered(action name)` when one is pressed.
    One row when the window is wide enough, else two (every key always on the screen)."""

    triggered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.shortcuts: dict[str, str] = {}  # QKeySequence text -> action name
        self.buttons: list[QPushButton] = []
        for key, label, action in ACTIONS:
            button = QPushButton(f"{key}\n{label}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            metrics = button.fontMetrics()
            width = max(metrics.horizontalAdvance(key), metrics.horizontalAdvance(label)) + 16
            button.setMinimumSize(width, 2 * metrics.height() + 14)
            button.clicked.connect(lambda _=False, a=action: self.triggered.emit(a))
            self.buttons.append(button)
            self.shortcuts[QKeySequence(key).toString()] = action
        # Not the one-row width as the minimum: the bar wraps instead of widening the window.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.rows = 0
        self._arrange(1)

    def one_row_width(self) -> int:
        spacing = self.grid.spacing() * (len(self.buttons) - 1)
        return sum(b.minimumWidth() for b in self.buttons) + spacing

    def _arrange(self, rows: int) -> None:
        if rows == self.rows:
            return
        self.rows = rows
        per_row = -(-len(self.buttons) // rows)
        for button in self.buttons:
            self.grid.removeWidget(button)
        for i, button in enumerate(self.buttons):
            self.grid.addWidget(button, i // per_row, i % per_row)
        self.setFixedHeight(self.grid.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(1 if self.one_row_width() <= event.size().width() else 2)
