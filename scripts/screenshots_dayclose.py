"""Grab the day-close wizard on a temporary demo store into docs/ (for the README), at 1024x768.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_dayclose.py [OUT_DIR]

A day of a few sales at two counters, counter K02's shift still open: day-close-check.png (the
check step, the open shift listed); then K02's shift is closed and the draft previewed:
day-close-preview.png. Driven by keys from Pengelolaan (F2 at the login, then F4).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.config import Config
from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.gui.app import CounterApp, open_store
from kasir.gui.dayclose.wizard import DayCloseDialog
from kasir.services.cart_edit import add_by_barcode
from kasir.services.catalog import ensure_counter
from kasir.services.checkout import checkout
from kasir.services.shifts import Till, close_shift, current_shift, open_shift
from kasir.store.models import User

SIZE = (1024, 768)
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs"
MAKARONI = "2000000100012"  # Rp 18.000
KERIPIK = "2000000100043"  # Rp 20.000


def till(factory: sessionmaker[Session], code: str, username: str) -> Till:
    with factory.begin() as s:
        counter_id = ensure_counter(s, code)
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        open_shift(s, counter_id, user.id, 200_000)
        return Till(counter_id, code, user.id, user.full_name)


def sell(factory: sessionmaker[Session], at: Till, codes: list[str], pay: PaymentInput) -> None:
    with factory.begin() as s:
        cart = Cart()
        for code in codes:
            add_by_barcode(s, cart, code)
        checkout(s, at, cart, [pay])


def wait(counter: CounterApp, dialog: DayCloseDialog | None = None) -> None:
    for _ in range(200):
        counter.ops.wait_idle(10_000)
        QApplication.processEvents()
        if dialog is None or not dialog.working:
            break


def key(counter: CounterApp, widget: QWidget | None, which: Qt.Key) -> None:
    assert widget is not None
    QTest.keyClick(widget, which)
    wait(counter, widget if isinstance(widget, DayCloseDialog) else None)


def save(widget: QWidget, path: Path) -> None:
    if widget.width() > SIZE[0] or widget.height() > SIZE[1]:
        raise SystemExit(f"screenshot: {path.name} is {widget.width()}x{widget.height()}")
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshot: cannot write {path}")
    print(f"screenshot: {path} ({widget.width()}x{widget.height()})")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KASIR_DATA_DIR"] = tmp
        store = open_store(
            Config(database_url=f"sqlite:///{tmp}/demo.db", counter="K01"), demo=True
        )
        factory = store.ops.factory
        k01, k02 = till(factory, "K01", "kasir1"), till(factory, "K02", "kasir2")
        sell(factory, k01, [MAKARONI, KERIPIK], PaymentInput("tunai", 50_000))
        sell(factory, k01, [KERIPIK], PaymentInput("qris", 20_000, "QR-1"))
        sell(factory, k02, [MAKARONI, MAKARONI], PaymentInput("tunai", 40_000))
        with factory.begin() as s:  # K01 is counted; K02 is still selling
            shift = current_shift(s, k01.counter_id)
            assert shift is not None
            close_shift(s, shift.id, 268_000, k01.user_id)
        counter = CounterApp(store)
        counter.start()
        wait(counter)
        login = counter.login
        QTest.keyClicks(login.user.lineEdit(), "manajer")
        key(counter, login.user.lineEdit(), Qt.Key.Key_Return)
        QTest.keyClicks(login.pin, "3333")
        key(counter, login.pin, Qt.Key.Key_F2)
        menu = counter.manager
        assert menu is not None
        key(counter, menu, Qt.Key.Key_F4)
        dialog = menu.child_dialog
        assert isinstance(dialog, DayCloseDialog)
        dialog.resize(*SIZE)
        key(counter, dialog, Qt.Key.Key_Return)
        save(dialog, out / "day-close-check.png")
        with factory.begin() as s:
            shift = current_shift(s, k02.counter_id)
            assert shift is not None
            close_shift(s, shift.id, 236_000, k02.user_id)
        key(counter, dialog, Qt.Key.Key_F5)
        key(counter, dialog, Qt.Key.Key_Return)
        save(dialog, out / "day-close-preview.png")
        dialog.reject()
        counter.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
