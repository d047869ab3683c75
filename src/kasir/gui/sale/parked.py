"""The list of parked carts (Enter recalls the highlighted one), and what changed in a
recalled cart since it was parked (prices, products no longer sold)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

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
        layout.addWidget(QLabel("Total saat disimpan; diambil dengan harga katalog sekarang."))
        layout.addWidget(self.list)
        self.list.itemActivated.connect(self._recall)
        if parked:
            self.list.setCurrentRow(0)
        self.list.setFocus()

    def _recall(self, item: QListWidgetItem) -> None:
        self.accept()
        self.recalled.emit(int(item.data(256)))


class RecallChangesDialog(QDialog):
    """What changed in a recalled cart; Enter or Esc closes it (the cart is already back)."""

    def __init__(self, changes: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transaksi diambil: ada perubahan")
        self.resize(560, 300)
        self.list = QListWidget()
        self.list.addItems(list(changes))
        self.list.setWordWrap(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        ok = QPushButton("OK (Enter)")
        ok.setMinimumHeight(44)
        ok.setDefault(True)
        ok.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Sejak disimpan, katalog berubah. Keranjang memakai harga sekarang:")
        )
        layout.addWidget(self.list)
        layout.addWidget(ok)
        ok.setFocus()
