"""The main window: the problem banner over the screens as tabs, and a status bar.

The window listens to its `Ops`: `error` on the status bar, `problem` in the banner,
`crashed` in the crash dialog, `busy` as "Sedang memproses…" and a busy cursor.

It fits any screen from 1024x768 up (shown maximised or full screen, `display.show_window`):
no part of it asks for more room than that; status-bar fields shorten (full text as a tooltip)
rather than widen the window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from kasir.gui.catalog.window import CatalogWidget
from kasir.gui.display import NORMAL_SIZE
from kasir.gui.ops import Ops
from kasir.gui.problems import ProblemBanner, show_crash


class MainWindow(QMainWindow):
    """Emits `closed()` when the window really closes (a close the sale screen refused, to
    ask about the cart first, is not one)."""

    closed = Signal()

    def __init__(self, ops: Ops, *, database: str, counter: str) -> None:
        super().__init__()
        self.ops = ops
        self.setWindowTitle(f"Kasir — Kawasan UMKM Pemasyarakatan — Meja {counter}")
        self.banner = ProblemBanner()
        self.tabs = QTabWidget()
        self.catalog = CatalogWidget(ops)
        self.tabs.addTab(self.catalog, "Katalog")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status_busy = QLabel("Sedang memproses…")
        self.status_busy.setStyleSheet("padding: 0 8px; font-weight: bold;")
        self.status_busy.hide()
        self.statusBar().addPermanentWidget(self.status_busy)
        self.status_counter = QLabel(f"Meja: {counter}")
        self.status_database = QLabel(f"Database: {database}")
        self.status_labels: list[QLabel] = []
        self.add_status(self.status_counter)
        self.add_status(self.status_database)
        ops.error.connect(self.show_error)
        ops.problem.connect(self.banner.show_problem)
        ops.busy.connect(self.show_busy)
        ops.crashed.connect(self.show_crash)
        self.banner.show_problem(ops.current_problem)
        self.show_busy(ops.is_busy)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.resize(*NORMAL_SIZE)
        # Asked before the window closes (the sale screen: a cart in progress asks first).
        self.close_guard: Callable[[], bool] | None = None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_guard is not None and not self.close_guard():
            event.ignore()  # the sale screen asks about its cart first
            return
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

    def add_banner(self, banner: QWidget) -> None:
        """Another banner under the problem banner (the printer's)."""
        central = self.centralWidget()
        layout = central.layout() if central is not None else None
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.banner) + 1, banner)

    def add_status(self, label: QLabel, *, first: bool = False) -> None:
        """A permanent status-bar field, framed so fields never run together."""
        label.setStyleSheet("padding: 0 8px; border-left: 1px solid #bbb;")
        # Shortened on a small screen (full text in the tooltip), never widening the window.
        label.setMinimumWidth(min(label.sizeHint().width(), 110))
        label.setToolTip(label.text())
        bar = self.statusBar()
        if first:
            bar.insertPermanentWidget(0, label)
        else:
            bar.addPermanentWidget(label)
        self.status_labels.append(label)

    def add_screen(self, widget: QWidget, title: str, *, first: bool = False) -> None:
        if first:
            self.tabs.insertTab(0, widget, title)
            self.tabs.setCurrentIndex(0)
        else:
            self.tabs.addTab(widget, title)

    def add_sale_screen(self, screen: QWidget) -> None:
        """The sale screen as the first tab; Enter on a Katalog row puts that product in
        its cart."""
        self.add_screen(screen, "Penjualan", first=True)
        add = getattr(screen, "add_from_catalog", None)
        if add is not None:
            self.catalog.picked.connect(add)

    def _tab_shown(self, index: int) -> None:
        focus = getattr(self.tabs.widget(index), "focus_scan", None)
        if focus is not None:
            focus()  # the sale screen: the focus back in its scan field
        elif self.tabs.widget(index) is self.catalog:
            self.catalog.search_edit.setFocus()

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def show_busy(self, busy: bool) -> None:
        self.status_busy.setVisible(busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def show_crash(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            show_crash(exc, self)
