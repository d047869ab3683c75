"""Table model of catalog search results (ProductView rows)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from kasir.domain.measure import format_quantity
from kasir.gui.table_model import Index, RowsTableModel
from kasir.money import format_number
from kasir.services.catalog import ProductView

HEADERS = ("SKU", "Barcode", "Nama barang", "Kategori", "Harga (Rp)", "Stok", "UPT asal")
# What each column is sized for (the view sets the widths once, from its font, instead of
# measuring every row after every refresh); longer texts are elided, the tooltip has them.
# The name column stretches.
COLUMN_SAMPLES = (
    "KUL-00000",
    "0000000000000",
    "",
    "Pertanian",
    "10.000.000",
    "00.000",
    "Lapas Kelas I Sukamiskin Bandung",
)
NAME_COLUMN = HEADERS.index("Nama barang")


class ProductTableModel(RowsTableModel[ProductView]):
    HEADERS = HEADERS

    def product_at(self, row: int) -> ProductView:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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
                format_quantity(p.stock_qty, p.unit),  # "47 kg": grams kept, kg shown
                p.upt_name,
            )[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{p.name}\n{p.upt_name} ({p.upt_code})"
        return None
