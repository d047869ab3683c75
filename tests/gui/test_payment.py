"""The payment dialog as the cashier uses it: cash, quick amounts, QRIS, cards, split payments."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.payment import PaymentInput
from kasir.domain.qris import payload_amount
from kasir.errors import InsufficientStock
from kasir.gui.sale.payment import PaymentDialog, quick_amounts
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.scanner import ScanBurstFilter
from kasir.services import checkout as checkout_service
from kasir.services import sale_lookup
from kasir.services.cart_edit import CartView
from kasir.services.drafts import load_draft
from kasir.services.sale_lookup import SaleView
from kasir.services.sale_session import SaleSession, SaleState
from kasir.store.models import CancelledSale, RemovedPayment

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
        return sale_lookup.get_sale(s, screen.last_sale.receipt_number)


def set_amount(qtbot: QtBot, dialog: PaymentDialog, text: str) -> None:
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, text)


def quick_buttons(dialog: PaymentDialog) -> dict[str, QPushButton]:
    """The quick amounts offered (the dialog keeps five buttons and hides those not needed)."""
    buttons = {}
    for i in range(dialog.quick.count()):
        widget = dialog.quick.itemAt(i).widget()
        assert isinstance(widget, QPushButton)
        if not widget.isHidden():
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
    assert list(quick_buttons(dialog)) == [
        "Alt+1 Uang pas", "Alt+2 105.000", "Alt+3 110.000", "Alt+4 120.000", "Alt+5 150.000",
    ]  # fmt: skip
    assert dialog.change_label.text() == ""
    assert dialog.qr_label.isHidden()
    assert dialog.paid_box.isHidden(), "the list of part payments shows once there is one"


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
    qtbot.mouseClick(quick_buttons(dialog)["Alt+3 50.000"], Qt.MouseButton.LeftButton)
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
    qtbot.mouseClick(quick_buttons(dialog)["Alt+1 Uang pas"], Qt.MouseButton.LeftButton)
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
    assert dialog.ask.isVisible() and dialog.ask.text.text().startswith("Bayar sebagian?")
    assert dialog.paid_list.count() == 0, "not taken before the cashier says so"
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)  # yes

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
    monkeypatch.setattr(screen, "settings", {**screen.settings, "qris_static": ""})
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
    assert dialog.error.text() == "Kartu Debit: kode approval EDC wajib diisi."
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
    assert dialog.error.text() == "Jumlah pembayaran harus lebih dari 0."
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


# --- nothing to pay -------------------------------------------------------------------------------


def test_price_changed_to_0_is_completed_by_f9(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """A free item (price 0, approved by the supervisor): F9 stores the sale, no payment."""
    qtbot.keyClicks(screen.scan, MAKARONI)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F7)
    price = screen.dialog
    assert price is not None and price.windowTitle() == "Ubah harga"
    qtbot.keyClicks(price.edit, "0")  # type: ignore[attr-defined]
    qtbot.keyClick(price.edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    supervisor = screen.dialog
    assert supervisor is not None
    supervisor.user.setText("spv1")  # type: ignore[attr-defined]
    qtbot.keyClicks(supervisor.edit, "2222")  # type: ignore[attr-defined]
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert screen.total_label.text() == "Rp 0"

    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    assert screen.dialog is None
    sale = stored(demo_sqlite, screen)
    assert (sale.total, sale.payments, sale.status) == (0, (), "completed")
    assert [(ln.name, ln.unit_price) for ln in sale.lines] == [("Makaroni Keju 250 g", 0)]
    assert screen.message.text() == f"Lunas: {sale.receipt_number}, Rp 0."
    assert screen.model.rowCount() == 0


def test_full_discount_is_completed_by_f9(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    qtbot.keyClicks(screen.scan, NASTAR)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    discount = screen.dialog
    assert discount is not None
    qtbot.keyClicks(discount.edit, "100%")  # type: ignore[attr-defined]
    qtbot.keyClick(discount.edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    supervisor = screen.dialog
    assert supervisor is not None
    supervisor.user.setText("spv1")  # type: ignore[attr-defined]
    qtbot.keyClicks(supervisor.edit, "2222")  # type: ignore[attr-defined]
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert screen.total_label.text() == "Rp 0"
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    sale = stored(demo_sqlite, screen)
    assert (sale.total, sale.order_discount, sale.payments) == (0, 85_000, ())


def test_dialog_with_nothing_due_finishes_on_enter(qtbot: QtBot) -> None:
    nothing = CartView((), 0, 0, 0, "", 0, 0, 0, None)
    dialog = PaymentDialog(None, SaleState("u", nothing, ()), None)
    qtbot.addWidget(dialog)
    dialog.open()
    assert "Total Rp 0" in dialog.error.text()
    with qtbot.waitSignal(dialog.finish_requested, timeout=WAIT_MS):
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # waiting for the sale: not asked twice
    dialog.done(0)


# --- payments taken are never lost silently -------------------------------------------------------


def take_qris_part(qtbot: QtBot, dialog: PaymentDialog, amount: str, reference: str) -> None:
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    set_amount(qtbot, dialog, amount)
    qtbot.keyClicks(dialog.reference, reference)
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert dialog.ask.isVisible()  # "Bayar sebagian?"
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Y)
    assert dialog.isVisible() and dialog.paid_list.count() >= 1


def test_esc_after_a_part_payment_keeps_it_with_the_cart(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """A QRIS part payment is stored with the cart as it is taken: Esc closes the dialog and
    the payment stays; F9 carries on with the rest."""
    dialog = open_payment(qtbot, screen, MAKARONI, NASTAR)  # Rp 103.000
    take_qris_part(qtbot, dialog, "60.000", "QR-1")
    with demo_sqlite() as s:
        draft = load_draft(s, screen.till.counter_id)
    assert draft is not None and draft.payments == (PaymentInput("qris", 60_000, "QR-1"),)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and screen.dialog is None
    assert screen.message.text().startswith("Pembayaran Rp 60.000 tetap tercatat")
    assert "Sudah dibayar: QRIS Rp 60.000. Sisa Rp 43.000." in screen.totals.paid_label.text()
    assert screen.model.rowCount() == 2 and screen.last_sale is None

    again = open_payment(qtbot, screen)
    assert again.paid_list.count() == 1 and again.amount.text() == "43.000"
    qtbot.keyClick(again.amount, Qt.Key.Key_Return)
    sale = stored(demo_sqlite, screen)
    assert sorted((p.method, p.amount) for p in sale.payments) == [
        ("qris", 60_000),
        ("tunai", 43_000),
    ]


def test_a_failed_checkout_keeps_the_payments_taken(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    real_checkout = checkout_service.checkout

    def locked(*_args: object, **_kwargs: object) -> object:
        raise OperationalError("INSERT INTO sale", {}, Exception("database is locked"))

    monkeypatch.setattr(checkout_service, "checkout", locked)
    dialog = open_payment(qtbot, screen, MAKARONI, NASTAR)  # Rp 103.000
    take_qris_part(qtbot, dialog, "60.000", "QR-1")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # the rest in cash: the checkout fails
    assert screen.dialog is dialog and screen.last_sale is None  # said where the cashier looks
    assert "Database sedang tidak dapat dipakai" in dialog.error.text()
    assert "Pembayaran Rp 103.000 yang sudah diterima tetap dicatat" in screen.message.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Escape)
    assert screen.dialog is None

    # Not parked (the payments belong to this cart); the database is back: F9, Enter.
    qtbot.keyClick(screen.scan, Qt.Key.Key_F8)
    assert "Sudah diterima Rp 103.000" in screen.message.text()
    assert screen.model.rowCount() == 2
    assert screen.totals.paid_label.text() == (
        "Sudah dibayar: QRIS Rp 60.000, Tunai Rp 43.000. Sisa Rp 0."
    )
    monkeypatch.setattr(checkout_service, "checkout", real_checkout)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)  # paid in full already: F9 stores the sale
    assert screen.dialog is None
    sale = stored(demo_sqlite, screen)
    assert {(p.method, p.amount, p.reference) for p in sale.payments} == {
        ("qris", 60_000, "QR-1"),
        ("tunai", 43_000, None),
    }
    assert screen.pending == []


def test_a_refused_checkout_shows_the_payment_taken(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, screen: SaleScreen
) -> None:
    """The sale refused (stock ran out meanwhile): the payment that covered it is kept and
    shown, in the dialog (with the reason) and on the screen."""

    def refused(*_args: object, **_kwargs: object) -> object:
        raise InsufficientStock("Stok Makaroni Keju 250 g tidak cukup; penjualan dibatalkan.")

    monkeypatch.setattr(checkout_service, "checkout", refused)
    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert screen.dialog is dialog and screen.last_sale is None
    assert dialog.error.text().startswith("Stok Makaroni Keju 250 g tidak cukup")
    assert "Pembayaran Rp 18.000 yang sudah diterima tetap dicatat" in dialog.error.text()
    assert dialog.paid_list.count() == 1 and dialog.payments[0].amount == 18_000
    assert screen.totals.paid_label.text() == "Sudah dibayar: Tunai Rp 18.000. Sisa Rp 0."
    assert not dialog.waiting, "Enter tries again"


@pytest.mark.parametrize("where", ["payment", "its commit"])
def test_a_last_payment_not_stored_stores_no_sale(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
    where: str,
) -> None:
    """The sale is queued behind the payment that covers it; when that payment is not stored
    (refused by the store, or its commit fails), the sale is not stored either: the dialog
    says why and Enter tries the payment again."""
    real_checkout = checkout_service.checkout
    checkouts: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> SaleView:
        checkouts.append(args)
        return real_checkout(*args, **kwargs)

    monkeypatch.setattr(checkout_service, "checkout", counted)
    fail: list[bool] = []  # armed for the next unit of work

    def locked(*_args: object) -> None:
        if fail and fail.pop():
            raise OperationalError("COMMIT", {}, Exception("database is locked"))

    if where == "payment":
        real_add = SaleSession.add_payment

        def add_payment(self: SaleSession, s: Session, payment: PaymentInput) -> object:
            locked()
            return real_add(self, s, payment)

        monkeypatch.setattr(SaleSession, "add_payment", add_payment)
    else:
        factory = screen.ops.factory
        event.listen(factory, "before_commit", locked)
    dialog = open_payment(qtbot, screen, MAKARONI)
    fail.append(True)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert checkouts == [] and screen.last_sale is None
    assert screen.dialog is dialog and "Database sedang tidak dapat dipakai" in dialog.error.text()
    assert dialog.paid_list.count() == 0 and not dialog.waiting
    assert screen.state is not None and screen.state.payments == ()
    with demo_sqlite() as s:
        draft = load_draft(s, screen.till.counter_id)
    assert draft is not None and draft.payments == ()

    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # again: stored, and the sale
    assert screen.dialog is None and len(checkouts) == 1
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount) for p in sale.payments] == [("tunai", 18_000)]
    if where != "payment":
        event.remove(factory, "before_commit", locked)


def test_a_slow_sale_shows_the_payment_taken_meanwhile(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    """The payment that covers the sale is drawn when storing the sale takes a while (it is
    not drawn for the few ms a sale usually takes): the dialog lists it, the screen shows it
    paid, Enter waits, until the sale is stored."""
    real_checkout = checkout_service.checkout
    go_on = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> SaleView:
        assert go_on.wait(WAIT_MS / 1000)
        return real_checkout(*args, **kwargs)

    monkeypatch.setattr(checkout_service, "checkout", slow)
    dialog = open_payment(qtbot, screen, MAKARONI)
    QTest.keyClick(dialog.amount, Qt.Key.Key_Return)  # not qtbot's: that waits for the sale
    qtbot.waitUntil(lambda: dialog.paid_list.count() == 1, timeout=WAIT_MS)
    assert dialog.paid_list.item(0).text() == "Tunai: Rp 18.000"
    assert screen.totals.paid_label.text() == "Sudah dibayar: Tunai Rp 18.000. Sisa Rp 0."
    assert dialog.isVisible() and screen.last_sale is None
    QTest.keyClick(dialog.amount, Qt.Key.Key_Return)  # again: waits for the sale
    ScanBurstFilter.end_all_bursts()
    go_on.set()
    qtbot.waitUntil(lambda: screen.dialog is None and screen.last_sale is not None)
    assert screen.ops.wait_idle(WAIT_MS)
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount) for p in sale.payments] == [("tunai", 18_000)]
    assert screen.state is not None and screen.state.empty
    assert screen.totals.paid_label.text() == ""


def test_cancelling_the_cart_drops_the_payments_taken_after_asking(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    screen: SaleScreen,
    demo_sqlite: sessionmaker[Session],
) -> None:
    real_checkout = checkout_service.checkout

    def locked(*_args: object, **_kwargs: object) -> object:
        raise OperationalError("INSERT INTO sale", {}, Exception("database is locked"))

    monkeypatch.setattr(checkout_service, "checkout", locked)
    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # cash 18.000; the checkout fails
    monkeypatch.setattr(checkout_service, "checkout", real_checkout)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Escape)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Escape)
    assert screen.model.rowCount() == 1, "Esc only asks"
    box = screen.dialog
    assert box is not None and box.windowTitle() == "Batalkan transaksi?"
    assert "Sudah diterima: Tunai Rp 18.000" in box.text()  # type: ignore[attr-defined]
    qtbot.keyClick(box, Qt.Key.Key_Return)  # yes
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=3000)
    assert screen.ops.wait_idle(3000)
    assert screen.pending == []
    with demo_sqlite() as s:
        assert load_draft(s, screen.till.counter_id) is None
        # The cancelled cart is recorded, with the payment dropped with it.
        cancelled = s.scalars(select(CancelledSale)).one()
        assert (cancelled.item_count, cancelled.total, cancelled.paid) == (1, 18_000, 18_000)
        dropped = s.scalars(select(RemovedPayment)).one()
        assert (dropped.method, dropped.amount, dropped.cancelled_sale_id) == (
            "tunai",
            18_000,
            cancelled.id,
        )

    dialog = open_payment(qtbot, screen, NASTAR)
    assert dialog.paid_list.count() == 0 and dialog.amount.text() == "85.000"
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount) for p in sale.payments] == [("tunai", 85_000)]


def test_the_dialog_refuses_what_checkout_would_refuse(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """The dialog checks each entry with the domain's one payment validation: a QRIS reference
    of 101 characters is refused where it is typed (it used to reach the database)."""
    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F2)
    assert dialog.method == "qris" and dialog.reference.hasFocus()
    qtbot.keyClicks(dialog.reference, "Q" * 101)
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error.text() == "Referensi pembayaran terlalu panjang (101 huruf, maks. 100)."
    assert dialog.payments == []
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.reference) for p in sale.payments] == [("qris", "Q" * 100)]


def test_transfer_reference_is_optional_when_taking_money(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    dialog = open_payment(qtbot, screen, MAKARONI)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_F5)
    assert dialog.reference_label.text() == "Referensi transfer (opsional)"
    assert dialog.amount.hasFocus()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount, p.reference) for p in sale.payments] == [
        ("transfer", 18_000, None)
    ]
