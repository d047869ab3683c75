"""Table model of catalog search results (ProductView rows)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from kasir.money import format_number
from kasir.services.catalog import ProductView

_Index = QModelIndex | QPersistentModelIndex
HEADERS = ("SKU", "Barcode", "Nama barang", "Kategori", "Harga (Rp)", "Stok", "UPT asal")


class ProductTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ProductView] = []

    def set_rows(self, rows: list[ProductView]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def product_at(self, row: int) -> ProductView:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

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
        p = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                p.sku,
                p.barcode or "",
                p.name,
                p.category,
                format_number(p.price),
                str(p.stock_qty),
                p.upt_name,
            )[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{p.name}\n{p.upt_name} ({p.upt_code})"
        return None
