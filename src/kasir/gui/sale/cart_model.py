"""Table model of the cart (CartView lines); the last touched line is highlighted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from kasir.money import format_number
from kasir.services.selling import CartLineView, CartView

_Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Nama barang", "Jml", "Harga", "Diskon", "Subtotal")
_HIGHLIGHT = QColor("#fff3b0")


class CartTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._lines: tuple[CartLineView, ...] = ()
        self._last: int | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_view(self, view: CartView | None) -> None:
        lines = view.lines if view else ()
        last = view.last_index if view else None
        if len(lines) == len(self._lines) and lines:
            # Same shape: update the values in place (keeps selection, cheap repaint).
            self._lines, self._last = lines, last
            self.dataChanged.emit(self.index(0, 0), self.index(len(lines) - 1, len(HEADERS) - 1))
            return
        self.beginResetModel()
        self._lines, self._last = lines, last
        self.endResetModel()

    def line_at(self, row: int) -> CartLineView:
        return self._lines[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            discount = line.line_discount + line.order_share
            price = format_number(line.unit_price)
            if line.price_overridden:
                price += " *"
            return (
                line.name,
                str(line.qty),
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
