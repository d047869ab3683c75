"""The main window: the problem banner over the screens as tabs, and a status bar.

The window listens to its `Ops`: `error` on the status bar, `problem` in the banner,
`crashed` in the crash dialog, `busy` as "Sedang memproses…" and a busy cursor.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from kasir.gui.catalog.window import CatalogWidget
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
        self.resize(1280, 760)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

    def add_status(self, label: QLabel, *, first: bool = False) -> None:
        """A permanent status-bar field, framed so fields never run together."""
        label.setStyleSheet("padding: 0 8px; border-left: 1px solid #bbb;")
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
