"""Void and refund by receipt number (F10), refused without and done with a supervisor's PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.dialogs import SupervisorDialog
from kasir.gui.sale.returns import COLUMNS, ReturnsDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services import sale_lookup
from kasir.services.sale_lookup import SaleView

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


def open_receipt(qtbot: QtBot, screen: SaleScreen, number: str) -> ReturnsDialog:
    qtbot.keyClick(screen.scan, Qt.Key.Key_F10)
    dialog = screen.dialog
    assert isinstance(dialog, ReturnsDialog)
    qtbot.keyClicks(dialog.number, number)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    return dialog


def status_of(factory: sessionmaker[Session], number: str) -> str:
    with factory() as s:
        return sale_lookup.get_sale(s, number).status


def refundable_column(dialog: ReturnsDialog) -> list[str]:
    column = COLUMNS.index("Bisa diretur")
    items = [dialog.table.item(r, column) for r in range(dialog.table.rowCount())]
    return [item.text() if item is not None else "" for item in items]


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def test_void_refused_without_and_done_with_a_supervisor(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell(qtbot, screen, MAKARONI, KERIPIK)
    dialog = open_receipt(qtbot, screen, sale.receipt_number.lower())  # typed by hand
    assert dialog.sale is not None and dialog.sale.receipt_number == sale.receipt_number
    assert sale.receipt_number in dialog.summary.text()
    assert "Rp 38.000" in dialog.summary.text()
    assert dialog.table.rowCount() == 2
    assert dialog.void_button.isEnabled()
    assert dialog.error.text() == "", "Enter loaded the receipt and did not also try to void it"
    assert screen.dialog is dialog
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason, "salah input")

    # 1. The supervisor dialog, cancelled with Esc: nothing happens.
    click(qtbot, dialog.void_button)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    assert f"Void struk {sale.receipt_number}" in supervisor.prompt.text()
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Escape)
    assert not supervisor.isVisible()
    assert dialog.isVisible() and screen.dialog is dialog, "back in the void/retur dialog"
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"

    # 2. A wrong PIN (the cashier's own): refused in the PIN dialog, which stays open.
    click(qtbot, dialog.void_button)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("kasir1")
    qtbot.keyClicks(supervisor.edit, "1111")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    assert "Siti Rahmawati (Kasir) tidak berwenang menyetujui" in supervisor.error.text()
    assert supervisor.isVisible() and screen.dialog is supervisor
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"

    # 3. The supervisor's PIN, typed again in the same dialog: voided.
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    assert not dialog.isVisible() and screen.dialog is None
    assert status_of(demo_sqlite, sale.receipt_number) == "voided"
    assert screen.message.text() == f"Struk {sale.receipt_number} di-void."
    with demo_sqlite() as s:
        voided = sale_lookup.get_sale(s, sale.receipt_number)
    assert voided.void_reason == "salah input"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)


def test_void_without_a_reason_is_refused_before_any_pin(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell(qtbot, screen, MAKARONI)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    click(qtbot, dialog.void_button)
    assert screen.dialog is dialog, "no supervisor asked"
    assert dialog.error.text() == "Alasan void wajib diisi."
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"


def test_unknown_receipt_number(qtbot: QtBot, screen: SaleScreen) -> None:
    dialog = open_receipt(qtbot, screen, "K01-20000101-9999")
    assert dialog.error.text() == "Struk K01-20000101-9999 tidak ditemukan."
    assert not dialog.void_button.isEnabled() and dialog.sale is None
    qtbot.keyClick(dialog.number, Qt.Key.Key_Escape)
    assert screen.dialog is None


def test_refund_one_line_makes_a_negative_document(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell(qtbot, screen, MAKARONI, KERIPIK, KERIPIK)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    spins = dialog.spin_boxes()
    assert len(spins) == 2
    assert [s.value() for s in spins] == [0, 0], "nothing chosen to start with"
    assert [s.maximum() for s in spins] == [1, 2]
    assert refundable_column(dialog) == ["1", "2"]
    assert dialog.error.text() == ""
    spins[1].setValue(1)  # one of the two keripik comes back
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason, "barang rusak")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter in the reason: only moves on
    assert screen.dialog is dialog, "Enter in the reason asks nothing and refunds nothing"
    assert not dialog.reason.hasFocus()
    assert dialog.error.text() == ""
    assert "Alt+R" in dialog.hint.text() and "Alt+V" in dialog.hint.text()

    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # the Retur button
    # A mnemonic "animates" the click: the button is pressed for a moment first.
    qtbot.waitUntil(lambda: isinstance(screen.dialog, SupervisorDialog), timeout=WAIT_MS)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    assert "Retur" in supervisor.prompt.text() or "retur" in supervisor.prompt.text()
    assert (
        len(
            [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, SupervisorDialog) and w.isVisible()
            ]
        )
        == 1
    ), "Alt+R asks once, for the refund only"
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)

    assert screen.dialog is None and not dialog.isVisible()
    refund = screen.last_sale
    assert refund is not None and refund.kind == "refund"
    with demo_sqlite() as s:
        stored = sale_lookup.get_sale(s, refund.receipt_number)
        kinds = s.execute(text("SELECT kind, total FROM sale ORDER BY id")).all()
    assert stored.total == -20_000
    assert stored.original_receipt == sale.receipt_number
    assert [(ln.name, ln.qty) for ln in stored.lines] == [("Keripik Bawang 250 g", -1)]
    assert [tuple(k) for k in kinds] == [("sale", 58_000), ("refund", -20_000)]
    assert screen.message.text() == f"Retur {refund.receipt_number}: kembalikan Rp 20.000."
    assert refund.receipt_number in screen.receipt.toPlainText()
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"

    # Opened again: only what is left can come back.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.scan, timeout=WAIT_MS)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    assert refundable_column(dialog) == ["1", "1"]
    assert [s.maximum() for s in dialog.spin_boxes()] == [1, 1]
    assert [s.value() for s in dialog.spin_boxes()] == [0, 0]


def test_a_line_refunded_in_full_cannot_be_chosen_again(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell(qtbot, screen, MAKARONI, KERIPIK)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    dialog.spin_boxes()[0].setValue(1)
    qtbot.keyClicks(dialog.reason, "rusak")
    click(qtbot, dialog.refund_button)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    assert screen.dialog is None

    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    spins = dialog.spin_boxes()
    assert refundable_column(dialog) == ["0", "1"]
    assert spins[0].maximum() == 0 and not spins[0].isEnabled()
    spins[0].setValue(1)  # out of range: stays 0
    assert spins[0].value() == 0


def test_refund_with_nothing_chosen(qtbot: QtBot, screen: SaleScreen) -> None:
    sale = sell(qtbot, screen, MAKARONI)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    (spin,) = dialog.spin_boxes()
    assert spin.value() == 0
    qtbot.keyClicks(dialog.reason, "rusak")
    click(qtbot, dialog.refund_button)
    assert dialog.error.text() == "Pilih jumlah barang yang diretur."
    assert screen.dialog is dialog


def test_enter_in_the_reason_never_voids(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell(qtbot, screen, MAKARONI)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason, "salah input")
    for _ in range(3):
        widget = QApplication.focusWidget()
        assert widget is not None
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert screen.dialog is dialog and dialog.isVisible()
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"
    assert dialog.void_button.text().startswith("&Void")
    assert dialog.refund_button.text().startswith("&Retur")

    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)  # the Void button
    qtbot.waitUntil(lambda: isinstance(screen.dialog, SupervisorDialog), timeout=WAIT_MS)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    assert f"Void struk {sale.receipt_number}" in supervisor.prompt.text()
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    assert status_of(demo_sqlite, sale.receipt_number) == "voided"


def test_editing_the_number_unloads_the_receipt(qtbot: QtBot, screen: SaleScreen) -> None:
    first = sell(qtbot, screen, MAKARONI)
    second = sell(qtbot, screen, KERIPIK)
    dialog = open_receipt(qtbot, screen, first.receipt_number)
    assert dialog.sale is not None and dialog.void_button.isEnabled()
    dialog.number.setFocus()
    qtbot.keyClick(dialog.number, Qt.Key.Key_Backspace)  # on its way to another number
    assert dialog.sale is None
    assert not dialog.void_button.isEnabled() and not dialog.refund_button.isEnabled()
    assert dialog.table.rowCount() == 0 and dialog.summary.text() == ""
    qtbot.keyClicks(dialog.number, second.receipt_number[-1])
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.sale is not None and dialog.sale.receipt_number == second.receipt_number
    assert dialog.void_button.isEnabled()


def test_refund_by_qris_needs_a_reference(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell(qtbot, screen, MAKARONI)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    dialog.spin_boxes()[0].setValue(1)
    qtbot.keyClicks(dialog.reason, "rusak")
    dialog.method.setCurrentIndex(dialog.method.findData("qris"))
    click(qtbot, dialog.refund_button)
    assert "wajib diisi" in dialog.error.text()
    assert screen.dialog is dialog, "refused before any PIN"

    qtbot.keyClicks(dialog.reference, "QR-REF-1")
    click(qtbot, dialog.refund_button)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    refund = screen.last_sale
    assert refund is not None and refund.kind == "refund"
    with demo_sqlite() as s:
        stored = sale_lookup.get_sale(s, refund.receipt_number)
    assert [(p.method, p.amount, p.reference) for p in stored.payments] == [
        ("qris", -18_000, "QR-REF-1")
    ]


# --- money back the way it was paid ------------------------------------------------------------


def sell_by_qris(qtbot: QtBot, screen: SaleScreen, code: str, reference: str) -> SaleView:
    qtbot.keyClicks(screen.scan, code)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    paying = screen.dialog
    assert paying is not None
    qtbot.waitUntil(paying.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(paying, Qt.Key.Key_F2)  # QRIS: the reference field has the focus
    qtbot.keyClicks(paying.reference, reference)  # type: ignore[attr-defined]
    qtbot.keyClick(paying.reference, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert screen.last_sale is not None and screen.dialog is None
    return screen.last_sale


def press_alt(qtbot: QtBot, dialog: ReturnsDialog, key: Qt.Key) -> None:
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)


def give_pin(qtbot: QtBot, screen: SaleScreen) -> None:
    qtbot.waitUntil(lambda: isinstance(screen.dialog, SupervisorDialog), timeout=WAIT_MS)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    supervisor.user.setText("spv1")
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)


def test_a_qris_sale_is_refunded_by_qris_unless_the_cashier_chooses(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell_by_qris(qtbot, screen, MAKARONI, "QR-SALE-1")
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    assert dialog.method.currentData() == "qris", "the sale's method is the default"
    assert dialog.reference.isEnabled()
    assert "wajib" in dialog.reference.placeholderText()
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Backtab)  # back to the line's spin box
    (spin,) = dialog.spin_boxes()
    assert spin.hasFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == 1
    qtbot.keyClick(spin, Qt.Key.Key_Tab)
    assert dialog.reason.hasFocus()
    qtbot.keyClicks(dialog.reason, "rusak")
    press_alt(qtbot, dialog, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=WAIT_MS)
    assert dialog.error.text() == "Uang kembali lewat QRIS: referensi QRIS wajib diisi."
    assert screen.dialog is dialog, "refused before any PIN"

    # Tab from the reason: the method, then the reference of the money back.
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Tab)
    assert dialog.method.hasFocus()
    qtbot.keyClick(dialog.method, Qt.Key.Key_Tab)
    assert dialog.reference.hasFocus()
    qtbot.keyClicks(dialog.reference, "QR-BACK-1")
    press_alt(qtbot, dialog, Qt.Key.Key_R)
    give_pin(qtbot, screen)
    assert screen.dialog is None
    refund = screen.last_sale
    assert refund is not None and refund.kind == "refund"
    with demo_sqlite() as s:
        stored = sale_lookup.get_sale(s, refund.receipt_number)
    assert [(p.method, p.amount, p.reference) for p in stored.payments] == [
        ("qris", -18_000, "QR-BACK-1")
    ]


def test_void_of_a_qris_sale_asks_for_the_reversal_reference(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    sale = sell_by_qris(qtbot, screen, KERIPIK, "QR-SALE-2")
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    [field] = dialog.reversal_fields
    assert "referensi QRIS" in field.placeholderText()
    qtbot.keyClicks(dialog.reason, "salah input")
    press_alt(qtbot, dialog, Qt.Key.Key_V)
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=WAIT_MS)
    assert dialog.error.text() == "Pembatalan QRIS Rp 20.000: referensi QRIS wajib diisi."
    assert screen.dialog is dialog, "refused before any PIN"
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"

    field.setFocus()
    qtbot.keyClicks(field, "QR-VOID-2")
    qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter only moves on
    assert screen.dialog is dialog
    press_alt(qtbot, dialog, Qt.Key.Key_V)
    give_pin(qtbot, screen)
    assert status_of(demo_sqlite, sale.receipt_number) == "voided"
    with demo_sqlite() as s:
        rows = s.execute(
            text(
                "SELECT p.method, p.reference, p.reversal_reference FROM payment p "
                "JOIN sale s ON s.id = p.sale_id WHERE s.receipt_number = :n"
            ),
            {"n": sale.receipt_number},
        ).all()
    assert [tuple(r) for r in rows] == [("qris", "QR-SALE-2", "QR-VOID-2")]


def test_a_cash_refund_beyond_the_drawer_is_refused_in_the_dialog(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """The shift opened with Rp 200.000 and took no cash: Rp 360.000 cannot come out of it."""
    sale = sell_by_qris(qtbot, screen, f"20*{MAKARONI}", "QR-BIG")
    assert sale.total == 360_000
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Backtab)
    (spin,) = dialog.spin_boxes()
    qtbot.keyClicks(spin, "20")
    assert spin.value() == 20
    qtbot.keyClick(spin, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.reason, "rusak semua")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.method, Qt.Key.Key_Up)  # QRIS -> Tunai
    assert dialog.method.currentData() == "tunai" and not dialog.reference.isEnabled()
    press_alt(qtbot, dialog, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=WAIT_MS)
    assert dialog.error.text() == (
        "Retur tunai Rp 360.000 melebihi uang tunai di laci shift ini (Rp 200.000); "
        "kembalikan lewat QRIS atau transfer."
    )
    assert screen.dialog is dialog, "refused before any PIN"
    with demo_sqlite() as s:
        assert s.scalar(text("SELECT count(*) FROM sale WHERE kind = 'refund'")) == 0
