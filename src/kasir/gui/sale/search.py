"""Pick a product from search results (typed letters + Enter, or F2)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kasir.gui.catalog.model import ProductTableModel
from kasir.gui.ops import Ops, describe_error
from kasir.services import catalog
from kasir.services.catalog import ProductView


class SearchDialog(QDialog):
    """Emits `picked(ProductView)`. Up/Down move in the results, Enter picks."""

    picked = Signal(object)

    def __init__(self, ops: Ops, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle("Cari barang")
        self.resize(900, 500)
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText("Ketik nama barang, lalu Enter / panah bawah")
        self.model = ProductTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.info = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.table)
        layout.addWidget(self.info)
        self._asked = 0  # searches asked for; only the last one's rows are shown
        self.edit.textChanged.connect(self.refresh)
        self.edit.returnPressed.connect(self.pick_current)
        self.table.activated.connect(self._activated)
        self.refresh()

    def refresh(self) -> None:
        """Search on the worker; only the answer to the latest text is shown."""
        text = self.edit.text()
        self._asked += 1
        asked = self._asked
        op = self.ops.read(lambda s: catalog.search(s, text, limit=100))
        op.success(lambda rows: self._found(asked, rows))
        op.failure(lambda exc: self._failed(asked, exc)).run()

    def _failed(self, asked: int, exc: BaseException) -> None:
        if asked == self._asked:
            self.info.setText(describe_error(exc))

    def _found(self, asked: int, rows: list[ProductView]) -> None:
        if asked != self._asked:
            return  # an older text's answer
        self.model.set_rows(rows)
        self.info.setText(
            f"{len(rows)} barang. Enter memilih baris yang disorot." if rows else "Tidak ditemukan."
        )
        if rows:
            self.table.selectRow(0)

    def scan_kept(self, code: str, restore_text: str) -> None:
        """A scanner's code typed while searching: not a search; the sale screen keeps it for
        the cart (added when this dialog closes)."""
        self.edit.setText(restore_text)
        self.info.setText(f"Pindaian {code} disimpan; masuk keranjang setelah pencarian ditutup.")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.edit.hasFocus():
            row = self.table.currentIndex().row()
            row += 1 if event.key() == Qt.Key.Key_Down else -1
            if 0 <= row < self.model.rowCount():
                self.table.selectRow(row)
            return
        super().keyPressEvent(event)

    def _activated(self, index: QModelIndex) -> None:
        self.table.selectRow(index.row())
        self.pick_current()

    def pick_current(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        product = self.model.product_at(rows[0].row())
        self.accept()
        self.picked.emit(product)
