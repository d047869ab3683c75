"""Void and refund by receipt number (F10), refused without and done with a supervisor's PIN."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.dialogs import SupervisorDialog
from kasir.gui.sale.returns import ReturnsDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services import sales
from kasir.services.sales import SaleView

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
        return sales.get_sale(s, number).status


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

    # 2. A wrong PIN (the cashier's own): refused, said in the dialog.
    click(qtbot, dialog.void_button)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    qtbot.keyClicks(supervisor.edit, "1111")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    assert "PIN supervisor salah" in dialog.error.text()
    assert dialog.isVisible() and screen.dialog is dialog
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"

    # 3. The supervisor's PIN: voided.
    click(qtbot, dialog.void_button)
    supervisor = screen.dialog
    assert isinstance(supervisor, SupervisorDialog)
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)
    assert not dialog.isVisible() and screen.dialog is None
    assert status_of(demo_sqlite, sale.receipt_number) == "voided"
    assert screen.message.text() == f"Struk {sale.receipt_number} di-void."
    with demo_sqlite() as s:
        voided = sales.get_sale(s, sale.receipt_number)
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
    spins = [dialog.table.cellWidget(r, 3) for r in range(dialog.table.rowCount())]
    assert all(isinstance(s, QSpinBox) for s in spins)
    assert [s.value() for s in spins] == [1, 2], "everything selected to start with"
    assert dialog.error.text() == ""
    spins[0].setValue(0)  # keep the makaroni
    spins[1].setValue(1)  # one of the two keripik comes back
    qtbot.keyClicks(dialog.reason, "barang rusak")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter in the reason: refund
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
    ), "Enter in the reason asks once, for the refund only"
    qtbot.keyClicks(supervisor.edit, "2222")
    qtbot.keyClick(supervisor.edit, Qt.Key.Key_Return)

    assert screen.dialog is None and not dialog.isVisible()
    refund = screen.last_sale
    assert refund is not None and refund.kind == "refund"
    with demo_sqlite() as s:
        stored = sales.get_sale(s, refund.receipt_number)
        kinds = s.execute(text("SELECT kind, total FROM sale ORDER BY id")).all()
    assert stored.total == -20_000
    assert stored.original_receipt == sale.receipt_number
    assert [(ln.name, ln.qty) for ln in stored.lines] == [("Keripik Bawang 250 g", -1)]
    assert [tuple(k) for k in kinds] == [("sale", 58_000), ("refund", -20_000)]
    assert screen.message.text() == f"Retur {refund.receipt_number}: kembalikan Rp 20.000."
    assert refund.receipt_number in screen.receipt.toPlainText()
    assert status_of(demo_sqlite, sale.receipt_number) == "completed"


def test_refund_with_nothing_chosen(qtbot: QtBot, screen: SaleScreen) -> None:
    sale = sell(qtbot, screen, MAKARONI)
    dialog = open_receipt(qtbot, screen, sale.receipt_number)
    spin = dialog.table.cellWidget(0, 3)
    assert isinstance(spin, QSpinBox)
    spin.setValue(0)
    qtbot.keyClicks(dialog.reason, "rusak")
    click(qtbot, dialog.refund_button)
    assert dialog.error.text() == "Pilih jumlah barang yang diretur."
    assert screen.dialog is dialog
