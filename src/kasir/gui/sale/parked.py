"""The list of parked carts; Enter recalls the highlighted one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kasir.money import format_rupiah
from kasir.services.parking import ParkedView
from kasir.timeutil import local


class ParkedDialog(QDialog):
    recalled = Signal(int)  # parked cart id

    def __init__(self, parked: list[ParkedView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transaksi disimpan")
        self.resize(520, 360)
        self.list = QListWidget()
        for p in parked:
            item = QListWidgetItem(
                f"{local(p.parked_at):%H:%M}  {p.label or 'tanpa nama'} — "
                f"{p.item_count} barang, {format_rupiah(p.total)}"
            )
            item.setData(256, p.id)
            self.list.addItem(item)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Pilih transaksi yang disimpan, lalu Enter (Esc: kembali)."))
        layout.addWidget(self.list)
        self.list.itemActivated.connect(self._recall)
        if parked:
            self.list.setCurrentRow(0)
        self.list.setFocus()

    def _recall(self, item: QListWidgetItem) -> None:
        self.accept()
        self.recalled.emit(int(item.data(256)))
