"""Weighed goods at the counter, by keys: a scale label scanned, a weight typed in F4 and as
``1,3*CODE``, the cart showing "1,3 kg" and the price per kg, a bad label refused.

Demo products (kasir.services.demo.DEMO_PLU): Ikan Lele Segar Rp 25.000/kg, PLU 108."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.dialogs import QuantityDialog
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen

WAIT_MS = 3000
LELE = "2000000500089"  # Ikan Lele Segar, Rp 25.000/kg
LELE_1300G = "2600108013001"  # weight label, 1300 g
NILA_RP_29750 = "2100109297504"  # price label, Rp 29.750 of Ikan Nila (Rp 35.000/kg) = 850 g
MAKARONI = "2000000100012"

Scan = Callable[[str], None]
Press = Callable[..., object]
TypeInto = Callable[..., None]


def cart_rows(screen: SaleScreen) -> list[tuple[str, ...]]:
    model = screen.model
    return [
        tuple(model.index(r, c).data() for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_scanning_scale_labels(screen: SaleScreen, scan: Scan) -> None:
    scan(LELE_1300G)
    scan(NILA_RP_29750)
    assert cart_rows(screen) == [
        ("Ikan Lele Segar", "1,3 kg", "25.000/kg", "", "32.500"),
        ("Ikan Nila Segar", "0,85 kg", "35.000/kg", "", "29.750"),
    ]
    assert screen.message.text() == "0,85 kg x Ikan Nila Segar  Rp 29.750"
    assert screen.total_label.text() == "Rp 62.250"


def test_a_label_with_a_wrong_check_digit_adds_nothing(screen: SaleScreen, scan: Scan) -> None:
    scan(MAKARONI)
    scan("2600108013002")
    assert "digit pemeriksa salah" in screen.message.text()
    assert "b00020" in screen.message.styleSheet()
    assert len(cart_rows(screen)) == 1
    scan("2600777005000")  # PLU 00777: no product has it
    assert screen.message.text() == (
        "Label timbangan 2600777005000: kode barang (PLU) 00777 tidak terdaftar."
    )
    assert len(cart_rows(screen)) == 1


def test_typing_a_weight_in_the_quantity_dialog(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, press: Press, type_into: TypeInto
) -> None:
    scan(LELE)  # the plain barcode: 1 kg
    assert cart_rows(screen) == [("Ikan Lele Segar", "1 kg", "25.000/kg", "", "25.000")]
    dialog = press(Qt.Key.Key_F4)
    assert isinstance(dialog, QuantityDialog)
    assert "Berat untuk Ikan Lele Segar (kg" in dialog.prompt.text()
    assert dialog.edit.text() == "1"
    type_into(dialog.edit, "1,3")
    assert cart_rows(screen)[0] == ("Ikan Lele Segar", "1,3 kg", "25.000/kg", "", "32.500")
    assert screen.total_label.text() == "Rp 32.500"
    dialog = press(Qt.Key.Key_F4)
    assert isinstance(dialog, QuantityDialog) and dialog.edit.text() == "1,3"
    type_into(dialog.edit, "1.300")  # a thousands separator or a decimal point: asked again
    assert dialog.isVisible() and "membingungkan" in dialog.error.text()
    type_into(dialog.edit, "1250g")
    assert cart_rows(screen)[0][1:] == ("1,25 kg", "25.000/kg", "", "31.250")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)


def test_a_weight_typed_before_the_code(screen: SaleScreen, scan: Scan) -> None:
    scan(f"0,5*{LELE}")
    scan(f"3*{MAKARONI}")
    assert [r[:2] for r in cart_rows(screen)] == [
        ("Ikan Lele Segar", "0,5 kg"),
        ("Makaroni Keju 250 g", "3"),
    ]
    scan(f"1,5*{MAKARONI}")
    assert "angka bulat" in screen.message.text()
    assert len(cart_rows(screen)) == 2


def test_a_weighed_sale_is_stored_in_grams_and_its_receipt_reads_kg(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, demo_sqlite: sessionmaker[Session]
) -> None:
    scan(LELE_1300G)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    assert dialog.amount.text() == "32.500"
    qtbot.waitUntil(dialog.amount.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.last_sale is not None, timeout=WAIT_MS)
    with demo_sqlite() as s:
        row = s.execute(text("SELECT qty, unit, qty_scale, line_total FROM sale_line")).one()
    assert tuple(row) == (1300, "kg", 1000, 32_500)
    assert "1,3 kg x 25.000/kg" in screen.receipt.toPlainText()
