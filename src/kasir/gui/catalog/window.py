"""The catalog screen: search the products of the store (read-only for now).

Searches run as `ops.read` operations off the GUI thread; at most one is in flight, and text
typed meanwhile is searched once when it returns. A sale (stock) or a catalog change refreshes
the list only while the tab is visible; otherwise the tab is marked stale and refreshed when it
is shown. Column widths are set once from the font, never by measuring the rows.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from kasir.gui.catalog.model import COLUMN_SAMPLES, NAME_COLUMN, ProductTableModel
from kasir.gui.ops import Change, Ops, as_changes, describe_error
from kasir.services import catalog
from kasir.services.catalog import ProductView

RESULT_LIMIT = 500
REFRESH_ON = frozenset({Change.CATALOG, Change.SALE})  # a sale changes the stock shown


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
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self._size_columns()
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        self.stale = True  # the rows shown may be out of date: refresh when next shown
        self.refreshes = 0  # searches run (for tests and the bench)
        self._searching = False
        self._again = False
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.search_edit.returnPressed.connect(self.refresh)
        ops.changed.connect(self._on_changed)

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
