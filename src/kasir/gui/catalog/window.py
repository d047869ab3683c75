"""The catalog screen: search the products of the store (read-only for now).

Searches run as `ops.read` operations off the GUI thread; at most one is in flight, and text
typed meanwhile is searched once when it returns. A sale (stock) or a catalog change refreshes
the list only while the tab is visible; otherwise the tab is marked stale and refreshed when it
is shown. Column widths are set once from the font, never by measuring the rows.

By keyboard: Down in the search field goes into the list; Up on its first row goes back;
Enter on a row emits `picked(ProductView)` (the sale screen puts it in its cart). A scanner's
code typed here goes to the cart too (`kasir.gui.scanner`), not into the search.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from kasir.gui.catalog.model import COLUMN_SAMPLES, NAME_COLUMN, ProductTableModel
from kasir.gui.ops import Change, Ops, as_changes, describe_error
from kasir.services import catalog
from kasir.services.catalog import ProductView

RESULT_LIMIT = 500
REFRESH_ON = frozenset({Change.CATALOG, Change.SALE})  # a sale changes the stock shown


class CatalogWidget(QWidget):
    picked = Signal(object)  # ProductView: Enter (or a double click) on a row

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
        self.table.setWordWrap(False)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self._size_columns()
        self.summary = QLabel()
        self.hint = QLabel("Panah bawah: ke daftar. Enter pada baris: masukkan ke keranjang.")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        layout.addWidget(self.hint)
        self.stale = True  # the rows shown may be out of date: refresh when next shown
        self.refreshes = 0  # searches run (for tests and the bench)
        self._searching = False
        self._again = False
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.search_edit.returnPressed.connect(self.refresh)
        self.search_edit.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.activated.connect(self._activated)
        ops.changed.connect(self._on_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down from the search field into the rows, Up from the first row back; Enter on a
        row picks it (on every platform, not only where Enter activates)."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.search_edit and key == Qt.Key.Key_Down and self.model.rowCount():
            row = max(self.table.currentIndex().row(), 0)
            self.table.setFocus()
            self.table.selectRow(row)
            return True
        if watched is self.table:
            if key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
                self.search_edit.setFocus()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._activated(self.table.currentIndex())
                return True
        return False

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            product = self.model.product_at(index.row())
            self.summary.setText(f"{product.name} dimasukkan ke keranjang Penjualan.")
            self.picked.emit(product)

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        cells, titles = self.table.fontMetrics(), header.fontMetrics()
        for column, sample in enumerate(COLUMN_SAMPLES):
            if column == NAME_COLUMN:
                continue
            title = str(self.model.headerData(column, header.orientation()))
            width = max(cells.horizontalAdvance(sample), titles.horizontalAdvance(title))
            header.resizeSection(column, width + 24)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def _on_changed(self, what: object) -> None:
        if not as_changes(what) & REFRESH_ON:
            return
        if self.isVisible():
            self.refresh()
        else:
            self.stale = True

    def refresh(self) -> None:
        """Search for the text in the field (again); when a search is running, once more
        after it."""
        self._debounce.stop()
        self.stale = False
        if self._searching:
            self._again = True
            return
        self._searching = True
        self.refreshes += 1
        text = self.search_edit.text()
        self.ops.read(lambda s: catalog.search(s, text, limit=RESULT_LIMIT)).success(
            self._show
        ).failure(self._failed).run()

    def _show(self, rows: list[ProductView]) -> None:
        self._searching = False
        if self._again:  # the text changed while searching: only the latest result counts
            self._again = False
            self.refresh()
            return
        self.model.set_rows(rows)
        more = " (hasil dibatasi, persempit pencarian)" if len(rows) == RESULT_LIMIT else ""
        self.summary.setText(f"{len(rows)} barang ditampilkan{more}")

    def _failed(self, exc: BaseException) -> None:
        self._searching = False
        self.stale = True  # shown again later: try again
        self.summary.setText(describe_error(exc))
        if self._again:
            self._again = False
            self.refresh()
