"""Payments a cashier can trust (issue 16 items 3 and 7), by keys as at the counter: an
implausible cash amount and a part payment are asked about first, a payment taken can be
removed on its own (a QRIS one with a reason, recorded), quick amounts by key, cash rounding,
a scan kept for the cart, and the dialog fits 1024x768 in every state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.dialogs import DiscountDialog
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services import sale_lookup
from kasir.services.drafts import load_draft
from kasir.services.sale_lookup import SaleView
from kasir.settings import set_setting
from kasir.store.models import RemovedPayment, User

WAIT_MS = 3000
BOLU = "2000000100074"  # Bolu Pandan, Rp 30.000
MAKARONI = "2000000100012"  # Rp 18.000
SCREEN_W, SCREEN_H = 1024, 768
TITLE_BAR = 40  # what a window manager's frame may take of the height

Scan = Callable[[str], None]


def open_payment(qtbot: QtBot, screen: SaleScreen, *codes: str) -> PaymentDialog:
    for code in codes:
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def type_amount(qtbot: QtBot, dialog: PaymentDialog, text: str) -> None:
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, text)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)


def stored(factory: sessionmaker[Session], screen: SaleScreen) -> SaleView:
    assert screen.last_sale is not None
    with factory() as s:
        return sale_lookup.get_sale(s, screen.last_sale.receipt_number)


def test_implausible_cash_asks_first_and_esc_goes_back_to_correct_it(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, BOLU)
    type_amount(qtbot, dialog, "3000000")
    assert dialog.ask.isVisible()
    assert "Uang diterima Rp 3.000.000 untuk sisa Rp 30.000" in dialog.ask.text.text()
    assert "Kembali Rp 2.970.000" in dialog.ask.text.text()
    assert dialog.payments == [] and screen.state is not None and screen.state.payments == ()

    qtbot.keyClick(dialog.amount, Qt.Key.Key_Escape)
    assert dialog.isVisible() and not dialog.ask.isVisible(), "Esc only goes back"
    assert dialog.amount.hasFocus() and dialog.amount.selectedText() == "3.000.000"
    assert dialog.payments == [] and screen.last_sale is None

    qtbot.keyClicks(dialog.amount, "50000")  # typed over the selection
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert not dialog.ask.isVisible() or not dialog.isVisible()
    sale = stored(demo_sqlite, screen)
    assert [(p.amount, p.tendered, p.change) for p in sale.payments] == [(30_000, 50_000, 20_000)]


def test_typing_while_asked_goes_back_to_correct_the_amount(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, BOLU)
    type_amount(qtbot, dialog, "3000000")
    assert dialog.ask.isVisible()
    qtbot.keyClicks(dialog.amount, "40000")  # the first digit answers "back" and replaces
    assert not dialog.ask.isVisible() and dialog.amount.text() == "40000"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert stored(demo_sqlite, screen).change == 10_000


def test_implausible_cash_taken_after_y(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, BOLU)
    type_amount(qtbot, dialog, "3000000")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_N)  # N: back, as Esc
    assert not dialog.ask.isVisible() and dialog.payments == []
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.ask.isVisible()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Y)
    sale = stored(demo_sqlite, screen)
    assert sale.change == 2_970_000


def test_less_than_due_asks_bayar_sebagian(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, BOLU)
    type_amount(qtbot, dialog, "10000")
    assert dialog.ask.isVisible()
    assert dialog.ask.text.text().startswith("Bayar sebagian? Tunai Rp 10.000 dari sisa Rp 30.000")
    assert dialog.payments == []
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Escape)
    assert dialog.amount.selectedText() == "10.000" and dialog.payments == []
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # asked again
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # Enter: yes
    assert len(dialog.payments) == 1 and dialog.isVisible()
    assert dialog.due_label.text() == "Sisa yang harus dibayar: Rp 20.000"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # the rest, exact: no question
    sale = stored(demo_sqlite, screen)
    assert sale.total == 30_000 and sale.payments[0].tendered == 30_000


def take_qris(qtbot: QtBot, dialog: PaymentDialog, amount: str, ref: str) -> None:
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, amount)
    qtbot.keyClicks(dialog.reference, ref)
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)  # "Bayar sebagian?" yes


def test_a_qris_payment_removed_with_a_reason_is_recorded(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, BOLU)
    take_qris(qtbot, dialog, "10.000", "QR-5")
    assert dialog.paid_list.count() == 1 and dialog.amount.hasFocus()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Up)
    assert dialog.paid_list.currentRow() == 0 and dialog.remove_button.isEnabled()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Delete)
    assert dialog.ask.isVisible() and dialog.ask.reason.hasFocus()
    assert "Hapus QRIS Rp 10.000 (ref QR-5)?" in dialog.ask.text.text()
    qtbot.keyClick(dialog.ask.reason, Qt.Key.Key_Return)  # no reason yet
    assert dialog.ask.isVisible() and "alasan" in dialog.ask.problem.text()
    assert dialog.paid_list.count() == 1
    qtbot.keyClicks(dialog.ask.reason, "pelanggan bayar tunai saja")
    qtbot.keyClick(dialog.ask.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.paid_list.count() == 0, timeout=WAIT_MS)
    assert dialog.due_label.text() == "Sisa yang harus dibayar: Rp 30.000"
    assert screen.state is not None and screen.state.payments == ()
    with demo_sqlite() as s:
        row = s.scalars(select(RemovedPayment)).one()
        kasir1 = s.scalar(select(User.id).where(User.username == "kasir1"))
        assert (row.method, row.amount, row.reference, row.reason, row.user_id) == (
            "qris",
            10_000,
            "QR-5",
            "pelanggan bayar tunai saja",
            kasir1,
        )
        assert row.shift_id is not None and row.removed_at is not None
        draft = load_draft(s, screen.till.counter_id)
        assert draft is not None and draft.payments == ()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # all in cash now
    assert [p.method for p in stored(demo_sqlite, screen).payments] == ["tunai"]


def test_a_cash_payment_is_removed_by_up_and_del(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, BOLU)
    take_qris(qtbot, dialog, "10.000", "QR-6")
    type_amount(qtbot, dialog, "5000")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Y)  # part payment: yes
    assert dialog.paid_list.count() == 2
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Up)  # the last one taken: the cash
    assert dialog.paid_list.currentRow() == 1
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Escape)  # Esc: choose nothing, dialog stays
    assert dialog.isVisible() and dialog.paid_list.currentRow() == -1
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Delete)  # cash: removed at once
    qtbot.waitUntil(lambda: dialog.paid_list.count() == 1, timeout=WAIT_MS)
    assert dialog.payments[0].method == "qris"
    with demo_sqlite() as s:
        row = s.scalars(select(RemovedPayment)).one()
        assert (row.method, row.amount, row.reason) == ("tunai", 5_000, None)


def test_quick_amounts_by_key(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI)  # 18.000: pas, 20.000, 50.000, 100.000
    labels = [
        w.text()
        for i in range(dialog.quick.count())
        if isinstance(w := dialog.quick.itemAt(i).widget(), QPushButton) and not w.isHidden()
    ]
    assert labels == ["Alt+1 Uang pas", "Alt+2 20.000", "Alt+3 50.000", "Alt+4 100.000"]
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F9)  # F9 again out of habit: nothing paid
    assert dialog.isVisible() and dialog.payments == []
    qtbot.keyClick(dialog.amount, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert stored(demo_sqlite, screen).change == 32_000

    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert stored(demo_sqlite, screen).change == 2_000


def rounded_cart(
    qtbot: QtBot, screen: SaleScreen, factory: sessionmaker[Session], unit: str
) -> PaymentDialog:
    with factory.begin() as s:
        set_setting(s, "cash_rounding", unit)
    qtbot.keyClicks(screen.scan, MAKARONI)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F6)
    discount = screen.dialog
    assert isinstance(discount, DiscountDialog)
    qtbot.keyClicks(discount.edit, "3%")
    qtbot.keyClick(discount.edit, Qt.Key.Key_Return)
    assert screen.total_label.text() == "Rp 17.460"
    assert screen.totals.paid_label.text() == "Tunai dibulatkan Rp 17.500 (pembulatan +Rp 40)."
    return open_payment(qtbot, screen)


def test_a_cash_sale_rounded_at_rp_500(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = rounded_cart(qtbot, screen, demo_sqlite, "500")
    assert dialog.due_label.text() == "Sisa yang harus dibayar: Rp 17.500"
    assert dialog.rounding_label.text().startswith("Pembulatan +Rp 40")
    assert dialog.amount.text() == "17.500"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # 20.000
    sale = stored(demo_sqlite, screen)
    assert (sale.total, sale.rounding, sale.change) == (17_500, 40, 2_500)
    assert sum(line.line_total for line in sale.lines) == 17_460
    assert "Pembulatan" in screen.receipt.toPlainText()


def test_a_qris_sale_is_not_rounded(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = rounded_cart(qtbot, screen, demo_sqlite, "500")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    assert dialog.due_label.text() == "Sisa yang harus dibayar: Rp 17.460"
    assert dialog.rounding_label.isHidden()
    qtbot.keyClicks(dialog.reference, "QR-77")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    sale = stored(demo_sqlite, screen)
    assert (sale.total, sale.rounding) == (17_460, 0)
    assert "Pembulatan" not in screen.receipt.toPlainText()


def test_a_scan_while_paying_is_never_an_amount(qtbot: QtBot, screen: SaleScreen) -> None:
    dialog = open_payment(qtbot, screen, BOLU)
    dialog.amount.setText("30.0008991234567")  # digits that leaked in before the filter
    dialog.scan_kept("8991234567890", "30.000")
    assert dialog.amount.text() == "30.000" and dialog.amount.selectedText() == "30.000"
    assert dialog.error.text() == (
        "Kode 8991234567890 dipindai — bukan nominal. Disimpan untuk keranjang."
    )
    assert dialog.payments == [] and dialog.isVisible()


def fits(dialog: PaymentDialog, what: str) -> None:
    QApplication.processEvents()
    for hint in (dialog.minimumSizeHint(), dialog.sizeHint()):
        assert hint.width() <= SCREEN_W and hint.height() <= SCREEN_H - TITLE_BAR, (what, hint)
    dialog.resize(dialog.sizeHint())
    QApplication.processEvents()
    inside = dialog.rect()
    for button in dialog.findChildren(QPushButton):
        if button.isVisibleTo(dialog):
            top_left = button.mapTo(dialog, QPoint(0, 0))
            assert inside.contains(top_left), (what, button.text())
            assert inside.contains(top_left + QPoint(button.width() - 1, button.height() - 1)), (
                what,
                button.text(),
            )
    assert dialog.confirm_button.isVisibleTo(dialog) and dialog.cancel_button.isVisibleTo(dialog)


def test_the_dialog_fits_1024x768_in_every_state(qtbot: QtBot, screen: SaleScreen) -> None:
    screen.window().resize(SCREEN_W, SCREEN_H)
    dialog = open_payment(qtbot, screen, BOLU, MAKARONI)  # Rp 48.000
    fits(dialog, "cash")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    assert not dialog.qr_label.pixmap().isNull()
    fits(dialog, "QRIS with its code")
    qtbot.keyClicks(dialog.reference, "QR-1")
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, "10.000")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    fits(dialog, "asking: part payment with the QR")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    type_amount(qtbot, dialog, "5000")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert dialog.paid_list.count() == 2
    fits(dialog, "after part payments")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Delete)
    assert dialog.ask.reason.isVisible()
    fits(dialog, "asking the reason to remove the QRIS payment")
    qtbot.keyClick(dialog.ask.reason, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.paid_list.count() == 2
    type_amount(qtbot, dialog, "3000000")
    fits(dialog, "asking about a large cash amount")
