"""F10 with today's receipts at hand: a bare number (`7`), the list of today's receipts
(filtered, by keyboard, Enter opens one for void or refund), and the refund dialog's paid
price per unit and the money to hand back."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.cart import Cart, Discount
from kasir.domain.payment import PaymentInput
from kasir.gui.dialogs import SupervisorDialog
from kasir.gui.sale.receipts import HEADERS, ReceiptsDialog, ReceiptsModel
from kasir.gui.sale.returns import COLUMNS, ReturnsDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services import sale_lookup
from kasir.services.auth import Approval
from kasir.services.cart_edit import add_by_barcode, set_order_discount
from kasir.services.checkout import checkout
from kasir.services.sale_lookup import SaleView
from kasir.settings import set_setting
from kasir.timeutil import business_date

WAIT_MS = 3000
MAKARONI = "2000000100012"  # Rp 18.000
KERIPIK = "2000000100043"  # Rp 20.000


def sell(qtbot: QtBot, screen: SaleScreen, *codes: str) -> SaleView:
    for code in codes:
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    assert screen.dialog is not None
    qtbot.keyClick(screen.dialog.amount, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert screen.last_sale is not None and screen.dialog is None
    return screen.last_sale


def f10(qtbot: QtBot, screen: SaleScreen) -> ReturnsDialog:
    qtbot.keyClick(screen.scan, Qt.Key.Key_F10)
    dialog = screen.dialog
    assert isinstance(dialog, ReturnsDialog)
    return dialog


def the_list(qtbot: QtBot, dialog: ReturnsDialog) -> ReceiptsDialog:
    qtbot.waitUntil(lambda: dialog.receipts is not None, timeout=WAIT_MS)
    receipts = dialog.receipts
    assert receipts is not None
    qtbot.waitUntil(lambda: receipts.model.rowCount() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(receipts.filter.hasFocus, timeout=WAIT_MS)
    return receipts


def numbers(receipts: ReceiptsDialog) -> list[str]:
    return [receipts.model.row_at(r).receipt_number for r in range(receipts.model.rowCount())]


def shows(receipts: ReceiptsDialog, sale: SaleView) -> bool:
    return sale.receipt_number in receipts.preview.toPlainText()


def cells(receipts: ReceiptsDialog, row: int) -> list[str]:
    model = receipts.model
    return [str(model.data(model.index(row, col))) for col in range(len(HEADERS))]


def test_a_bare_number_opens_todays_receipt_of_this_counter(
    qtbot: QtBot, screen: SaleScreen
) -> None:
    first = sell(qtbot, screen, MAKARONI)
    second = sell(qtbot, screen, KERIPIK)
    assert first.receipt_number.endswith("-0001") and len(first.receipt_number) == 17
    dialog = f10(qtbot, screen)
    qtbot.keyClicks(dialog.number, "2")
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.sale is not None and dialog.sale.receipt_number == second.receipt_number
    assert dialog.number.text() == second.receipt_number, "the full number is shown"
    assert dialog.void_button.isEnabled() and dialog.error.text() == ""

    dialog.number.selectAll()
    qtbot.keyClicks(dialog.number, "9")
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.sale is None and "Struk nomor 9 meja K01" in dialog.error.text()
    dialog.number.selectAll()
    qtbot.keyClicks(dialog.number, first.receipt_number)  # the 17 characters still work
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.sale is not None and dialog.sale.receipt_number == first.receipt_number
    qtbot.keyClick(dialog.number, Qt.Key.Key_Escape)
    assert screen.dialog is None

    # Typed in the scan field, then F10: looked up at once.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)
    qtbot.keyClicks(screen.scan, "1")
    dialog = f10(qtbot, screen)
    assert dialog.sale is not None and dialog.sale.receipt_number == first.receipt_number
    assert screen.scan.text() == ""


def test_todays_list_filter_and_enter_then_void(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sales = [sell(qtbot, screen, code) for code in (MAKARONI, KERIPIK, MAKARONI, KERIPIK)]
    dialog = f10(qtbot, screen)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)  # nothing typed: today's list
    receipts = the_list(qtbot, dialog)
    assert numbers(receipts) == [s.receipt_number for s in reversed(sales)], "newest first"
    row = cells(receipts, 0)
    assert row[1:] == ["4", sales[3].receipt_number, "20.000", "Tunai", "lunas"]
    assert row[0].count(":") == 1  # the time, HH:MM
    qtbot.waitUntil(
        lambda: sales[3].receipt_number in receipts.preview.toPlainText(), timeout=WAIT_MS
    )

    qtbot.keyClicks(receipts.filter, "18")  # by amount: the two makaroni
    qtbot.waitUntil(lambda: receipts.model.rowCount() == 2, timeout=WAIT_MS)
    assert numbers(receipts) == [sales[2].receipt_number, sales[0].receipt_number]
    assert receipts.table.currentIndex().row() == 0
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Down)  # Up/Down from the filter field
    assert receipts.table.currentIndex().row() == 1
    qtbot.waitUntil(
        lambda: sales[0].receipt_number in receipts.preview.toPlainText(), timeout=WAIT_MS
    )
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Down)  # stays on the last row
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Up)
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Down)
    assert receipts.table.currentIndex().row() == 1
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Return)  # Enter: shown for void/refund

    assert not receipts.isVisible()
    qtbot.waitUntil(lambda: dialog.receipts is None, timeout=WAIT_MS)
    assert dialog.sale is not None and dialog.sale.receipt_number == sales[0].receipt_number
    assert dialog.number.text() == sales[0].receipt_number
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason, "salah input")
    qtbot.mouseClick(dialog.void_button, Qt.MouseButton.LeftButton)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    assert screen.dialog is None
    assert screen.message.text() == f"Struk {sales[0].receipt_number} di-void."

    # The list says so; F10 in the void/refund dialog opens it too; the filter by number.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)
    dialog = f10(qtbot, screen)
    qtbot.keyClick(dialog.number, Qt.Key.Key_F10)
    receipts = the_list(qtbot, dialog)
    assert cells(receipts, 3)[5] == "void"
    qtbot.keyClicks(receipts.filter, "3")
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Return)  # typed and Enter at once
    qtbot.waitUntil(lambda: dialog.sale is not None, timeout=WAIT_MS)
    assert dialog.sale is not None and dialog.sale.receipt_number == sales[2].receipt_number


def test_esc_in_the_list_goes_back_to_the_number(qtbot: QtBot, screen: SaleScreen) -> None:
    sell(qtbot, screen, MAKARONI)
    dialog = f10(qtbot, screen)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    receipts = the_list(qtbot, dialog)
    assert not receipts.reprint_button.isEnabled(), "reprint: a hook until printing exists"
    qtbot.keyClicks(receipts.filter, "99999")
    qtbot.waitUntil(lambda: receipts.model.rowCount() == 0, timeout=WAIT_MS)
    assert receipts.status.text() == "Tidak ada struk yang cocok."
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Return)  # nothing to open: stays
    assert receipts.isVisible()
    qtbot.keyClick(receipts.filter, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.receipts is None, timeout=WAIT_MS)
    assert screen.dialog is dialog and dialog.isVisible() and dialog.sale is None
    qtbot.waitUntil(dialog.number.hasFocus, timeout=WAIT_MS)


def test_the_receipts_model(qtbot: QtBot, qtmodeltester: object, screen: SaleScreen) -> None:
    sell(qtbot, screen, MAKARONI)
    sell(qtbot, screen, KERIPIK, MAKARONI)
    model = ReceiptsModel()
    with screen.ops.factory() as s:
        rows = sale_lookup.list_receipts(s, screen.till.counter_id, business_date())
    model.set_rows(rows)
    assert model.rowCount() == 2
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_the_refund_dialog_shows_the_price_paid_and_the_money_back(
    qtbot: QtBot, screen: SaleScreen
) -> None:
    """A 15% order discount: Makaroni (18.000) was paid 15.300 a unit, Keripik 17.000."""
    cart = Cart()

    def sell_discounted(s: Session) -> str:
        add_by_barcode(s, cart, MAKARONI, 2)
        add_by_barcode(s, cart, KERIPIK, 1)
        view = set_order_discount(
            s, cart, Discount("percent", Decimal(15)), Approval("2222", "spv1")
        )
        pay = [PaymentInput("tunai", view.total)]
        return checkout(s, screen.till, cart, pay).receipt_number

    number = screen.ops.call(sell_discounted)
    dialog = f10(qtbot, screen)
    qtbot.keyClicks(dialog.number, number[-1])
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.sale is not None and dialog.sale.total == 47_600
    column = COLUMNS.index("Harga dibayar")
    paid = [dialog.table.item(r, column).text() for r in range(2)]  # type: ignore[union-attr]
    assert paid == ["15.300 (harga 18.000)", "17.000 (harga 20.000)"]
    assert dialog.back_label.text() == "Dikembalikan: pilih jumlah barang yang diretur."
    spins = dialog.spin_boxes()
    spins[0].setValue(1)
    assert dialog.back_label.text() == "Dikembalikan ke pelanggan: Rp 15.300 (1 barang)"
    spins[1].setValue(1)
    assert dialog.back_label.text() == "Dikembalikan ke pelanggan: Rp 32.300 (2 barang)"

    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason, "rusak")
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    refund = screen.last_sale
    assert refund is not None and refund.kind == "refund"
    assert refund.total == -32_300, "the dialog said what the refund pays"
    receipt = screen.receipt.toPlainText()
    assert "REFUND" in receipt and "Dikembalikan           Rp 32.300" in receipt
    assert "Diskon transaksi 15%      -5.700" in receipt  # 15% of the 38.000 back
    assert "-32.300" not in receipt and "TOTAL" not in receipt


def test_a_cash_refund_shows_the_cash_rounded_as_it_will_be_paid(
    qtbot: QtBot, screen: SaleScreen
) -> None:
    """With cash rounding to Rp 500 the 15.300 paid for a Makaroni goes back as Rp 15.500 in
    cash: the dialog says so before the refund, and QRIS is never rounded."""
    cart = Cart()

    def sell_discounted(s: Session) -> str:
        add_by_barcode(s, cart, MAKARONI, 2)
        view = set_order_discount(
            s, cart, Discount("percent", Decimal(15)), Approval("2222", "spv1")
        )
        number = checkout(s, screen.till, cart, [PaymentInput("qris", view.total, "QR-1")])
        set_setting(s, "cash_rounding", "500")
        return number.receipt_number

    number = screen.ops.call(sell_discounted)
    dialog = f10(qtbot, screen)
    qtbot.keyClicks(dialog.number, number[-1])
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.sale is not None
    dialog.spin_boxes()[0].setValue(1)
    assert dialog.back_label.text() == "Dikembalikan ke pelanggan: Rp 15.300 (1 barang)"  # QRIS
    dialog.method.setCurrentIndex(dialog.method.findData("tunai"))
    assert dialog.back_label.text() == (
        "Dikembalikan ke pelanggan: Rp 15.500 tunai (1 barang; Rp 15.300, pembulatan +200)"
    )
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason, "rusak")
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    refund = screen.last_sale
    assert refund is not None and refund.kind == "refund"
    assert refund.total == -15_500 and refund.rounding == -200, "the dialog said what is paid"
