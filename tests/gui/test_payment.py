"""The payment dialog as the cashier uses it: cash, quick amounts, QRIS, cards, split payments."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.qris import payload_amount
from kasir.gui.sale.payment import PaymentDialog, quick_amounts
from kasir.gui.sale.screen import SaleScreen
from kasir.services import sales
from kasir.services.sales import SaleView

WAIT_MS = 3000
MAKARONI = "2000000100012"  # Rp 18.000
NASTAR = "2000000100081"  # Rp 85.000

Scan = Callable[[str], None]
Press = Callable[..., object]


def open_payment(qtbot: QtBot, screen: SaleScreen, *codes: str) -> PaymentDialog:
    for code in codes:
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    # Shortcuts (F1-F5) work in the active window: wait until the dialog is it.
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def stored(factory: sessionmaker[Session], screen: SaleScreen) -> SaleView:
    assert screen.last_sale is not None
    with factory() as s:
        return sales.get_sale(s, screen.last_sale.receipt_number)


def set_amount(qtbot: QtBot, dialog: PaymentDialog, text: str) -> None:
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, text)


def quick_buttons(dialog: PaymentDialog) -> dict[str, QPushButton]:
    buttons = {}
    for i in range(dialog.quick.count()):
        widget = dialog.quick.itemAt(i).widget()
        assert isinstance(widget, QPushButton)
        buttons[widget.text()] = widget
    return buttons


def test_quick_amounts() -> None:
    assert quick_amounts(18_000) == [18_000, 20_000, 50_000, 100_000]
    assert quick_amounts(103_000) == [103_000, 105_000, 110_000, 120_000, 150_000]
    assert quick_amounts(100_000) == [100_000]


def test_dialog_opens_on_cash_for_what_is_due(qtbot: QtBot, screen: SaleScreen) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI, NASTAR)
    assert dialog.total_label.text() == "Total Rp 103.000"
    assert dialog.due_label.text() == "Sisa yang harus dibayar: Rp 103.000"
    assert dialog.method == "tunai"
    assert dialog.amount.text() == "103.000" and dialog.amount.selectedText() == "103.000"
    assert not dialog.reference.isEnabled()
    assert list(quick_buttons(dialog)) == ["Uang pas", "105.000", "110.000", "120.000", "150.000"]
    assert dialog.change_label.text() == ""
    assert dialog.qr_label.isHidden()
    assert dialog.paid_list.isHidden(), "the list of part payments shows once there is one"


def test_cash_typed_shows_the_change_and_records_it(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI)
    set_amount(qtbot, dialog, "50.000")
    assert dialog.change_label.text() == "Kembali Rp 32.000"
    assert dialog.change_label.font().pointSize() >= 24, "the change is shown large"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount, p.tendered, p.change) for p in sale.payments] == [
        ("tunai", 18_000, 50_000, 32_000)
    ]
    assert screen.change_label.text() == "Kembali Rp 32.000"
    assert "Kembali Rp 32.000" in screen.message.text()


def test_quick_amount_button_pays_and_shows_the_change_large(
    qtbot: QtBot, screen: SaleScreen, scan: Scan, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.mouseClick(quick_buttons(dialog)["50.000"], Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and screen.dialog is None
    sale = stored(demo_sqlite, screen)
    assert sale.change == 32_000
    assert sale.payments[0].tendered == 50_000
    assert screen.change_label.text() == "Kembali Rp 32.000"
    assert screen.change_label.font().pointSize() >= 24
    scan(MAKARONI)  # the next customer: the old change goes away
    assert screen.change_label.text() == ""


def test_uang_pas_button(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, NASTAR)
    qtbot.mouseClick(quick_buttons(dialog)["Uang pas"], Qt.MouseButton.LeftButton)
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount, p.change) for p in sale.payments] == [("tunai", 85_000, 0)]
    assert screen.change_label.text() == ""


def test_split_qris_part_then_cash(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI, NASTAR)  # Rp 103.000
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    assert dialog.method == "qris"
    assert dialog.reference_label.text() == "Referensi QRIS"
    assert dialog.reference.hasFocus()
    assert payload_amount(dialog.qr_label.toolTip()) == 103_000
    set_amount(qtbot, dialog, "60.000")
    assert payload_amount(dialog.qr_label.toolTip()) == 60_000, "the QR is for the part typed"
    qtbot.keyClicks(dialog.reference, "QR-778899")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)

    assert dialog.isVisible(), "a part payment: the dialog asks for the rest"
    assert dialog.method == "tunai"
    assert dialog.paid_list.isVisible()
    assert dialog.paid_list.item(0).text() == "QRIS: Rp 60.000 (ref QR-778899)"
    assert dialog.due_label.text() == "Sisa yang harus dibayar: Rp 43.000"
    assert dialog.amount.text() == "43.000"
    set_amount(qtbot, dialog, "50.000")
    assert dialog.change_label.text() == "Kembali Rp 7.000"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)

    assert screen.dialog is None
    sale = stored(demo_sqlite, screen)
    assert sale.total == 103_000
    assert {(p.method, p.amount, p.tendered, p.change, p.reference) for p in sale.payments} == {
        ("qris", 60_000, 60_000, 0, "QR-778899"),
        ("tunai", 43_000, 50_000, 7_000, None),
    }


def test_qris_shows_the_qr_for_the_exact_amount(qtbot: QtBot, screen: SaleScreen) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    assert dialog.qr_label.isVisible()
    pixmap = dialog.qr_label.pixmap()
    assert not pixmap.isNull() and pixmap.width() >= 150
    assert payload_amount(dialog.qr_label.toolTip()) == 18_000
    set_amount(qtbot, dialog, "20.000")  # more than due: no QR, and no overpaying by QRIS
    assert dialog.qr_label.pixmap().isNull()
    assert "Ketik jumlah QRIS" in dialog.qr_label.text()
    qtbot.keyClicks(dialog.reference, "X1")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "hanya tunai yang ada kembalian" in dialog.error.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F1)  # back to cash: the QR goes away
    assert dialog.method == "tunai" and dialog.qr_label.isHidden()


def test_qris_without_a_static_code_says_so(
    qtbot: QtBot,
    screen: SaleScreen,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from kasir.gui.sale import screen as screen_module

    monkeypatch.setattr(screen_module, "get_all", lambda _s: {"qris_static": ""})
    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    assert dialog.qr_label.pixmap().isNull()
    assert "QRIS statis belum diatur" in dialog.qr_label.text()


def test_debit_needs_the_approval_code(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, NASTAR)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F3)
    assert dialog.method == "debit"
    assert dialog.reference_label.text() == "Kode approval EDC"
    assert list(quick_buttons(dialog)) == [], "quick notes are for cash"
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert dialog.isVisible() and screen.dialog is dialog
    assert dialog.error.text() == "Kode approval EDC wajib diisi."
    qtbot.keyClicks(dialog.reference, "123456")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount, p.reference) for p in sale.payments] == [
        ("debit", 85_000, "123456")
    ]


def test_bad_amounts_are_refused_in_the_dialog(qtbot: QtBot, screen: SaleScreen) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI)
    set_amount(qtbot, dialog, "0")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.error.text() == "Jumlah harus lebih dari 0."
    set_amount(qtbot, dialog, "abc")
    assert dialog.change_label.text() == ""
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.text()
    assert screen.last_sale is None


def test_esc_cancels_payment_and_keeps_the_cart(qtbot: QtBot, screen: SaleScreen) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI, NASTAR)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and screen.dialog is None
    assert screen.model.rowCount() == 2
    assert screen.last_sale is None
    qtbot.waitUntil(screen.scan.hasFocus, timeout=WAIT_MS)
