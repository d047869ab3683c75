"""Table model of the cart (CartView lines); the current line is highlighted: the one chosen
with Up/Down, else the last touched (the line F4, F6, F7 and Del act on)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from kasir.gui.table_model import Index, RowsTableModel
from kasir.money import format_number
from kasir.services.cart_edit import CartLineView, CartView

HEADERS = ("Nama barang", "Jml", "Harga", "Diskon", "Subtotal")
_HIGHLIGHT = QColor("#fff3b0")


class CartTableModel(RowsTableModel[CartLineView]):
    HEADERS = HEADERS

    def __init__(self) -> None:
        super().__init__()
        self._last: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_view(self, view: CartView | None, current: int | None = None) -> None:
        lines = view.lines if view else ()
        last = current if current is not None else (view.last_index if view else None)
        if len(lines) == len(self._rows) and lines:
            # Same shape: update the values in place (keeps selection, cheap repaint).
            self._rows, self._last = lines, last
            self.dataChanged.emit(self.index(0, 0), self.index(len(lines) - 1, len(HEADERS) - 1))
            return
        self._last = last
        self.set_rows(lines)

    @property
    def current_row(self) -> int | None:
        """The highlighted row."""
        return self._last

    def line_at(self, row: int) -> CartLineView:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            discount = line.line_discount + line.order_share
            price = format_number(line.unit_price)
            if line.measured:
                price += f"/{line.unit}"  # the price per kg of a weighed line
            if line.price_overridden:
                price += " *"
            return (
                line.name,
                line.qty_text,
                price,
                f"-{format_number(discount)}" if discount else "",
                format_number(line.line_total),
            )[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and index.row() == self._last:
            return QBrush(_HIGHLIGHT)
        if role == Qt.ItemDataRole.FontRole and index.row() == self._last:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{line.name}\nSKU {line.sku} · UPT {line.upt_code}"
            if line.price_overridden:
                tip += f"\nHarga katalog {format_number(line.list_price)}"
            return tip
        return None
