"""The main window: the screens as tabs, and a status bar."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from kasir.gui.catalog.window import CatalogWidget
from kasir.gui.ops import Ops


class MainWindow(QMainWindow):
    def __init__(self, ops: Ops, *, database: str, counter: str) -> None:
        super().__init__()
        self.ops = ops
        self.setWindowTitle(f"Kasir — Kawasan UMKM Pemasyarakatan — Meja {counter}")
        self.tabs = QTabWidget()
        self.catalog = CatalogWidget(ops)
        self.tabs.addTab(self.catalog, "Katalog")
        self.setCentralWidget(self.tabs)
        self.status_counter = QLabel(f"Meja: {counter}")
        self.status_database = QLabel(f"Database: {database}")
        self.status_labels: list[QLabel] = []
        self.add_status(self.status_counter)
        self.add_status(self.status_database)
        ops.error.connect(self.show_error)
        self.resize(1280, 760)

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
