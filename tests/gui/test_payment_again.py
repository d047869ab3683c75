"""The payment dialog opened again: the sale screen keeps one and resets it at each F9, and what
the cashier finds must be exactly what a dialog built anew for that cart shows (every field, its
state, the focus, the questions, the quick amounts, the QR), whatever the last one was left at."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QListWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.qris import make_dynamic
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services import sale_lookup
from kasir.services.sale_lookup import SaleView

WAIT_MS = 3000
MAKARONI = "2000000100012"  # Rp 18.000
KERIPIK = "2000000100043"  # Rp 20.000
NASTAR = "2000000100081"  # Rp 85.000


def open_payment(qtbot: QtBot, screen: SaleScreen, *codes: str) -> PaymentDialog:
    for code in codes:
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def set_amount(qtbot: QtBot, dialog: PaymentDialog, text: str) -> None:
    dialog.amount.selectAll()
    qtbot.keyClicks(dialog.amount, text)


def stored(factory: sessionmaker[Session], screen: SaleScreen) -> SaleView:
    assert screen.last_sale is not None
    with factory() as s:
        return sale_lookup.get_sale(s, screen.last_sale.receipt_number)


def widget_state(dialog: PaymentDialog, widget: QWidget) -> list[Any]:
    state: list[Any] = [type(widget).__name__, widget.isHidden(), widget.isEnabled()]
    state.append(widget.toolTip())
    empty = False
    if isinstance(widget, QLabel):
        state += [widget.text(), widget.pixmap().isNull()]
        empty = not widget.text() and widget.pixmap().isNull()
    if isinstance(widget, QAbstractButton):
        state += [widget.text(), widget.isChecked()]
    if isinstance(widget, QLineEdit):
        state += [
            widget.text(),
            widget.selectedText(),
            widget.cursorPosition(),
            widget.isUndoAvailable(),
            widget.isRedoAvailable(),
            widget.isModified(),
        ]
    if isinstance(widget, QListWidget):
        state += [[widget.item(i).text() for i in range(widget.count())], widget.currentRow()]
    # Where it is, when it is seen. (An empty label takes no room or a line depending on the
    # text it held before: a QLabel detail that shows nothing, so not compared.)
    if widget.isVisibleTo(dialog) and not empty:
        state.append(widget.mapTo(dialog, widget.rect().topLeft()))
        state.append(widget.size())
    return state


def dialog_state(dialog: PaymentDialog) -> dict[str, Any]:
    """Everything a cashier could see or reach in the shown dialog, and what it holds."""
    widgets = dialog.findChildren(QWidget)
    focus = dialog.focusWidget()
    return {
        "widgets": [widget_state(dialog, w) for w in widgets],
        "focus": widgets.index(focus) if focus in widgets else None,
        "size": dialog.size(),
        "figures": (dialog.total, dialog.rule, dialog.plausible_over, dialog.due),
        "method": dialog.method,
        "payments": list(dialog.payments),
        "quick_values": list(dialog.quick_values),
        "waiting": dialog.waiting,
        "asking": dialog.ask.open,
        "chosen": dialog.paid_box.chosen,
        "result": dialog.result(),
    }


def fresh_state(qtbot: QtBot, screen: SaleScreen) -> dict[str, Any]:
    """What a dialog built anew for the screen's cart shows, as the sale screen used to."""
    assert screen.state is not None
    static = str(screen.settings.get("qris_static", ""))
    fresh = PaymentDialog(
        screen,
        screen.state,
        (lambda amount: make_dynamic(static, amount)) if static else None,
        plausible_over=int(screen.settings.get("cash_plausible_over", 1_000_000)),
    )
    qtbot.addWidget(fresh)
    fresh.open()
    qtbot.waitUntil(fresh.isActiveWindow, timeout=WAIT_MS)
    state = dialog_state(fresh)
    fresh.done(0)
    return state


def assert_as_new(qtbot: QtBot, screen: SaleScreen, dialog: PaymentDialog) -> None:
    assert dialog.isVisible() and dialog.amount.hasFocus()
    again, fresh = dialog_state(dialog), fresh_state(qtbot, screen)
    widgets, fresh_widgets = again.pop("widgets"), fresh.pop("widgets")
    pairs = enumerate(zip(widgets, fresh_widgets, strict=True))
    differ = [(i, a, b) for i, (a, b) in pairs if a != b]
    assert differ == [], "widgets (index, opened again, new)"
    assert again == fresh
    dialog.activateWindow()  # back from the new one (no window manager offscreen)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)


def test_the_dialog_after_a_qris_part_payment_and_esc_is_as_new(
    qtbot: QtBot, screen: SaleScreen
) -> None:
    """Left with a QRIS part payment taken (its removal asked and a reason half typed), a card
    chosen with its code half typed, a payment chosen in the list; closed; the cart cancelled:
    the next cart's dialog is as new."""
    first = open_payment(qtbot, screen, MAKARONI, NASTAR)  # Rp 103.000
    qtbot.keyClick(first.amount, Qt.Key.Key_F2)
    set_amount(qtbot, first, "60.000")
    assert not first.qr_label.pixmap().isNull()
    qtbot.keyClicks(first.reference, "QR-778899")
    qtbot.keyClick(first.reference, Qt.Key.Key_Return)
    assert first.ask.isVisible()  # "Bayar sebagian?"
    qtbot.keyClick(first.reference, Qt.Key.Key_Return)  # yes
    assert first.paid_list.count() == 1 and first.method == "tunai"
    qtbot.keyClick(first.amount, Qt.Key.Key_Up)
    qtbot.keyClick(first.amount, Qt.Key.Key_Delete)  # QRIS: asks for the reason
    assert first.ask.wants_reason
    qtbot.keyClicks(first.ask.reason, "sal")
    qtbot.keyClick(first.ask.reason, Qt.Key.Key_Escape)  # back: kept
    assert not first.ask.open and first.ask.reason.text() == "sal"
    qtbot.keyClick(first.amount, Qt.Key.Key_Escape)  # back from choosing
    qtbot.keyClick(first.amount, Qt.Key.Key_F3)
    qtbot.keyClicks(first.reference, "12")
    set_amount(qtbot, first, "999.999")
    qtbot.keyClick(first.amount, Qt.Key.Key_Up)
    assert first.paid_box.chosen == 0
    qtbot.keyClick(first.amount, Qt.Key.Key_Escape)  # back from choosing
    qtbot.keyClick(first.amount, Qt.Key.Key_Escape)  # closed, the payment kept
    assert screen.dialog is None
    qtbot.keyClick(screen.scan, Qt.Key.Key_Escape)
    box = screen.dialog
    assert box is not None and box.windowTitle() == "Batalkan transaksi?"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.state is not None and screen.state.empty, timeout=WAIT_MS)

    second = open_payment(qtbot, screen, KERIPIK)
    assert second is first, "one dialog per sale screen"
    assert second.total_label.text() == "Total Rp 20.000"
    assert second.paid_box.isHidden() and second.paid_list.count() == 0
    assert second.qr_label.isHidden() and second.qr_label.pixmap().isNull()
    assert second.reference.text() == "" and not second.reference.isUndoAvailable()
    assert second.amount.selectedText() == "20.000"
    assert_as_new(qtbot, screen, second)


def test_the_dialog_after_a_split_sale_is_as_new_and_pays_only_the_new_cart(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """A sale paid by QRIS in part and the rest in cash with change, then another cart with
    another total: the dialog is as new, and the second sale holds only its own payment."""
    first = open_payment(qtbot, screen, MAKARONI, NASTAR)  # Rp 103.000
    qtbot.keyClick(first.amount, Qt.Key.Key_F2)
    set_amount(qtbot, first, "60.000")
    qtbot.keyClicks(first.reference, "QR-1")
    qtbot.keyClick(first.reference, Qt.Key.Key_Return)
    qtbot.keyClick(first.reference, Qt.Key.Key_Return)  # yes, a part
    set_amount(qtbot, first, "50.000")
    assert first.change_label.text() == "Kembali Rp 7.000"
    qtbot.keyClick(first.amount, Qt.Key.Key_Return)
    assert screen.dialog is None
    assert stored(demo_sqlite, screen).total == 103_000

    second = open_payment(qtbot, screen, NASTAR)  # Rp 85.000
    assert second is first
    assert second.change_label.isHidden() and second.change_label.text() == ""
    assert second.due_label.text() == "Sisa yang harus dibayar: Rp 85.000"
    assert_as_new(qtbot, screen, second)
    qtbot.keyClick(second.amount, Qt.Key.Key_Return)  # uang pas
    sale = stored(demo_sqlite, screen)
    assert [(p.method, p.amount, p.change) for p in sale.payments] == [("tunai", 85_000, 0)]
    assert screen.dialog is None and screen.scan.hasFocus()


def test_the_dialog_after_a_question_left_open_is_as_new(qtbot: QtBot, screen: SaleScreen) -> None:
    """Closed while it asked (the sale screen closes it itself on a stale shift): the question
    is gone, its answer never given."""
    first = open_payment(qtbot, screen, MAKARONI)
    set_amount(qtbot, first, "5.000.000")
    qtbot.keyClick(first.amount, Qt.Key.Key_Return)
    assert first.ask.open and "periksa lagi" in first.ask.text.text()
    first.done(0)
    assert screen.dialog is None

    second = open_payment(qtbot, screen, NASTAR)
    assert not second.ask.open and second.ask.isHidden() and second.ask.text.text() == ""
    assert second.payments == [] and screen.state is not None
    assert [p.amount for p in screen.state.payments] == [], "nothing was taken"
    assert_as_new(qtbot, screen, second)
