"""The main window: the screens as tabs, and a status bar."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from kasir.gui.catalog.window import CatalogWidget
from kasir.gui.ops import Ops


class MainWindow(QMainWindow):
    def __init__(self, ops: Ops, *, database: str, counter: str) -> None:
        super().__init__()
        self.ops = ops
        self.setWindowTitle(f"Kasir — Kawasan UMKM Pemasyarakatan — {counter}")
        self.tabs = QTabWidget()
        self.catalog = CatalogWidget(ops)
        self.tabs.addTab(self.catalog, "Katalog")
        self.setCentralWidget(self.tabs)
        self.status_database = QLabel(f"Database: {database}")
        self.status_counter = QLabel(f"Meja: {counter}")
        bar = self.statusBar()
        bar.addPermanentWidget(self.status_counter)
        bar.addPermanentWidget(self.status_database)
        ops.error.connect(self.show_error)
        self.resize(1100, 700)

    def add_screen(self, widget: QWidget, title: str, *, first: bool = False) -> None:
        if first:
            self.tabs.insertTab(0, widget, title)
            self.tabs.setCurrentIndex(0)
        else:
            self.tabs.addTab(widget, title)

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        if not self.isVisible():
            QMessageBox.warning(self, "Kasir", message)
