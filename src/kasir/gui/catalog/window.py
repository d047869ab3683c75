"""The catalog screen: search the products of the store (read-only for now)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from kasir.gui.catalog.model import ProductTableModel
from kasir.gui.ops import Ops
from kasir.services import catalog

RESULT_LIMIT = 500


class CatalogWidget(QWidget):
    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.search_edit = QLineEdit(placeholderText="Cari nama barang, SKU atau barcode...")
        self.search_edit.setClearButtonEnabled(True)
        self.model = ProductTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.search_edit.returnPressed.connect(self.refresh)
        ops.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, what: str) -> None:
        if what in ("catalog", "sale"):
            self.refresh()

    def refresh(self) -> None:
        self._debounce.stop()
        text = self.search_edit.text()
        rows = self.ops.run(lambda s: catalog.search(s, text, limit=RESULT_LIMIT))
        if rows is None:
            return
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        more = " (hasil dibatasi, persempit pencarian)" if len(rows) == RESULT_LIMIT else ""
        self.summary.setText(f"{len(rows)} barang ditampilkan{more}")
