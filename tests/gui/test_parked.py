"""A parked cart recalled (F8) after the catalog changed: today's prices, products no longer
sold taken out, and a window saying what changed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.sale.parked import ParkedDialog, RecallChangesDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services import sale_lookup
from kasir.store.models import Product

WAIT_MS = 3000
MAKARONI = "2000000100012"  # Rp 18.000
KERIPIK = "2000000100043"  # Rp 20.000

Scan = Callable[[str], None]
Press = Callable[..., QDialog | None]


def set_product(factory: sessionmaker[Session], barcode: str, **values: object) -> None:
    """What a manager does in the catalog meanwhile (another window, another counter)."""
    with factory.begin() as s:
        s.execute(update(Product).where(Product.barcode == barcode).values(**values))


def recall_first(qtbot: QtBot, screen: SaleScreen, press: Press) -> None:
    parked = press(Qt.Key.Key_F8)
    assert isinstance(parked, ParkedDialog)
    qtbot.keyClick(parked.list, Qt.Key.Key_Return)


def test_recall_after_the_catalog_changed_shows_what_changed(
    qtbot: QtBot,
    screen: SaleScreen,
    scan: Scan,
    press: Press,
    demo_sqlite: sessionmaker[Session],
) -> None:
    scan(MAKARONI)
    scan(KERIPIK)
    assert press(Qt.Key.Key_F8) is None  # parked at Rp 38.000
    set_product(demo_sqlite, MAKARONI, price=21_000)
    set_product(demo_sqlite, KERIPIK, active=False)

    recall_first(qtbot, screen, press)
    notice = screen.dialog
    assert isinstance(notice, RecallChangesDialog)
    shown = [notice.list.item(i).text() for i in range(notice.list.count())]
    assert shown == [
        "Harga Makaroni Keju 250 g berubah: Rp 18.000 menjadi Rp 21.000.",
        "Keripik Bawang 250 g tidak aktif lagi; dikeluarkan dari keranjang.",
    ]
    assert screen.message.text() == "Transaksi diambil kembali, 2 perubahan harga/barang."
    # The cart behind it is already today's.
    assert screen.model.rowCount() == 1
    assert screen.view is not None and screen.view.total == 21_000
    qtbot.waitUntil(notice.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(notice, Qt.Key.Key_Return)  # read, Enter: back to selling
    assert not notice.isVisible() and screen.dialog is None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)

    paying = press(Qt.Key.Key_F9)
    assert paying is not None
    qtbot.keyClick(paying.amount, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert screen.last_sale is not None
    with demo_sqlite() as s:
        sale = sale_lookup.get_sale(s, screen.last_sale.receipt_number)
    assert [(ln.name, ln.unit_price) for ln in sale.lines] == [("Makaroni Keju 250 g", 21_000)]
    assert sale.total == 21_000


def test_recall_with_nothing_changed_opens_no_window(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, press: Press
) -> None:
    scan(MAKARONI)
    press(Qt.Key.Key_F8)
    recall_first(qtbot, screen, press)
    assert screen.dialog is None
    assert screen.message.text() == "Transaksi yang disimpan diambil kembali."
    assert screen.model.rowCount() == 1
