"""Grab the cashier window on a temporary demo store into docs/ (for the README).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]

Writes login.png, cart.png, payment.png, payment-qris.png, receipt.png and part-paid.png. The
counter is driven with key presses as a cashier would (the same way the GUI tests do). Runs
offscreen by default, so it works on a machine without a display (CI).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kasir.config import Config
from kasir.gui.app import CounterApp, open_store
from kasir.gui.ops import Ops
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.scanner import ScanBurstFilter

WIDTH, HEIGHT = 1280, 760
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs"
# Demo catalog (resources/demo/products.csv); the last one scanned is highlighted.
CART = (
    "2000000100012",  # Makaroni Keju 250 g
    "2000000100081",  # Nastar Keju 500 g
    "8997213400012",  # Jape Coffee Robusta Bubuk 200 g
    "2000000100012",  # Makaroni Keju again: quantity 2
    "2000000100135",  # Sambal Cumi 150 g (gets a 10% discount)
    "2000000100043",  # Keripik Bawang 250 g
    "2000000100203",  # Roti Sobek Cokelat
)


OPS: list[Ops] = []  # the store's worker: every key waits for the operations it queued


def settle() -> None:
    ScanBurstFilter.end_all_bursts()  # a person's pause: keys held as a possible scan typed
    for ops in OPS:
        ops.wait_idle()
    for _ in range(3):
        QApplication.processEvents()


def save(widget: QWidget, path: Path) -> None:
    settle()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshot: cannot write {path}")
    print(f"screenshot: {path} ({widget.width()}x{widget.height()})")


def type_enter(widget: QWidget, text: str) -> None:
    QTest.keyClicks(widget, text)
    ScanBurstFilter.end_all_bursts()  # typed by a person, then Enter: not a scanner's burst
    QTest.keyClick(widget, Qt.Key.Key_Return)
    settle()


def key(widget: QWidget, which: Qt.Key) -> None:
    QTest.keyClick(widget, which)
    settle()


def sale_screen(counter: CounterApp) -> SaleScreen:
    screen = counter.sale_screen
    if screen is None:
        raise SystemExit("screenshot: the sale screen did not open")
    return screen


def payment_dialog(screen: SaleScreen) -> PaymentDialog:
    key(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    if not isinstance(dialog, PaymentDialog):
        raise SystemExit("screenshot: F9 did not open the payment dialog")
    return dialog


def shoot(out: Path, db: Path) -> None:
    store = open_store(Config(database_url=f"sqlite:///{db}", counter="K01"), demo=True)
    # The status bar shows the database: a neutral name, not this temporary folder.
    store = dataclasses.replace(store, database="SQLite kasir.db")
    OPS.append(store.ops)
    counter = CounterApp(store)
    counter.start()
    settle()
    login = counter.login
    login.user.setCurrentIndex(login.user.findData("kasir1"))
    QTest.keyClicks(login.pin, "11")  # half typed: the dots show
    login.adjustSize()
    save(login, out / "login.png")
    type_enter(login.pin, "11")

    shift = counter.shift_dialog
    if shift is None:
        raise SystemExit("screenshot: no opening-float dialog (is the demo store fresh?)")
    type_enter(shift.edit, "200.000")
    screen = sale_screen(counter)
    window = counter.window
    assert window is not None
    window.resize(WIDTH, HEIGHT)

    for i, code in enumerate(CART):
        type_enter(screen.scan, code)
        if i == 4:  # F6 on the line just scanned
            key(screen.scan, Qt.Key.Key_F6)
            assert screen.dialog is not None
            type_enter(screen.dialog.edit, "10%")  # type: ignore[attr-defined]
    save(window, out / "cart.png")

    dialog = payment_dialog(screen)
    dialog.amount.selectAll()
    QTest.keyClicks(dialog.amount, "400.000")  # the customer hands over four notes
    save(dialog, out / "payment.png")
    key(dialog.amount, Qt.Key.Key_F2)
    dialog.adjustSize()
    save(dialog, out / "payment-qris.png")
    key(dialog.amount, Qt.Key.Key_F1)
    dialog.amount.selectAll()
    type_enter(dialog.amount, "400.000")
    save(window, out / "receipt.png")

    # A QRIS part payment, then Esc: the payment stays with the cart, stored.
    for code in CART[:2]:
        type_enter(screen.scan, code)
    dialog = payment_dialog(screen)
    key(dialog.amount, Qt.Key.Key_F2)
    dialog.amount.selectAll()
    QTest.keyClicks(dialog.amount, "50.000")
    type_enter(dialog.reference, "QR-240117")
    key(dialog.amount, Qt.Key.Key_Escape)
    save(window, out / "part-paid.png")

    screen.close_confirmed = True
    window.close()
    store.ops.factory.kw["bind"].dispose()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Kasir")
    with tempfile.TemporaryDirectory(prefix="kasir-shot-") as tmp:
        # Keep the user's data folder and config out of it.
        os.environ["KASIR_DATA_DIR"] = tmp
        os.environ["KASIR_CONFIG"] = str(Path(tmp) / "kasir.toml")
        shoot(out, Path(tmp) / "kasir.db")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
