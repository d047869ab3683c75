"""Grab the manager's screens on temporary stores into docs/ (for the README), at 1024x768.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_admin.py [OUT_DIR]

Writes first-run.png (a store without users), users-admin.png, audit-view.png (Pengelolaan
from the login) and screen-lock.png (the sale window locked with F11), each driven by keys.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

from kasir.config import Config
from kasir.gui.app import CounterApp, open_store
from kasir.gui.scanner import ScanBurstFilter

SIZE = (1024, 768)
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs"


def settle(counter: CounterApp) -> None:
    ScanBurstFilter.end_all_bursts()
    counter.ops.wait_idle()
    for _ in range(3):
        QApplication.processEvents()


def type_enter(counter: CounterApp, *values: str | None) -> None:
    """Into the focused field: each value (None: as it is), then Enter."""
    for value in values:
        widget = QApplication.focusWidget()
        assert widget is not None
        if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
            widget = widget.lineEdit()
        if value is not None:
            assert isinstance(widget, QLineEdit), widget
            widget.selectAll()
            QTest.keyClicks(widget, value)
        settle(counter)
        QTest.keyClick(widget, Qt.Key.Key_Return)
        settle(counter)


def key(counter: CounterApp, widget: QWidget | None, which: Qt.Key) -> None:
    assert widget is not None
    QTest.keyClick(widget, which)
    settle(counter)


def save(counter: CounterApp, widget: QWidget | None, path: Path) -> None:
    assert widget is not None
    settle(counter)
    if widget.width() > SIZE[0] or widget.height() > SIZE[1]:
        raise SystemExit(f"screenshot: {path.name} is {widget.width()}x{widget.height()}")
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshot: cannot write {path}")
    print(f"screenshot: {path} ({widget.width()}x{widget.height()})")


def first_run(tmp: Path, out: Path) -> None:
    store = open_store(Config(database_url=f"sqlite:///{tmp / 'empty.db'}", counter="K01"))
    counter = CounterApp(store)
    counter.start()
    settle(counter)
    dialog = counter.first_admin
    type_enter(counter, "admin", "Budi Santoso", "123456", "654321")  # typed differently
    save(counter, dialog, out / "first-run.png")
    counter.stop()


def demo_screens(tmp: Path, out: Path) -> None:
    store = open_store(
        Config(database_url=f"sqlite:///{tmp / 'demo.db'}", counter="K01"), demo=True
    )
    counter = CounterApp(store)
    counter.start()
    settle(counter)
    login = counter.login
    # A wrong PIN first, so that the audit view shows one.
    type_enter(counter, "manajer", "9999")
    login.pin.setFocus()
    QTest.keyClicks(login.pin, "3333")
    key(counter, login.pin, Qt.Key.Key_F2)
    menu = counter.manager
    assert menu is not None
    key(counter, menu, Qt.Key.Key_F2)
    users = menu.child_dialog
    assert users is not None
    users.resize(*SIZE)
    key(counter, QApplication.focusWidget(), Qt.Key.Key_Insert)
    type_enter(counter, "kasir3", "Dewi Lestari", None, "135790", "135790", None, "3333")
    key(counter, QApplication.focusWidget(), Qt.Key.Key_Insert)  # the form over the list
    QTest.keyClicks(QApplication.focusWidget(), "kasir4")
    save(counter, users, out / "users-admin.png")
    save(counter, users.form, out / "users-add.png")
    key(counter, QApplication.focusWidget(), Qt.Key.Key_Escape)
    key(counter, QApplication.focusWidget(), Qt.Key.Key_Escape)
    key(counter, menu, Qt.Key.Key_F3)
    audit = menu.child_dialog
    assert audit is not None
    audit.resize(*SIZE)
    key(counter, QApplication.focusWidget(), Qt.Key.Key_F6)
    save(counter, audit, out / "audit-view.png")
    key(counter, QApplication.focusWidget(), Qt.Key.Key_Escape)
    key(counter, menu, Qt.Key.Key_Escape)
    # The sale window of kasir1, locked.
    type_enter(counter, "kasir1", "1111")
    shift = counter.shift_dialog
    assert shift is not None
    shift.edit.selectAll()
    type_enter(counter, "200.000")
    window, screen = counter.window, counter.sale_screen
    assert window is not None and screen is not None
    window.showNormal()
    window.resize(*SIZE)
    type_enter(counter, "2000000100012")
    key(counter, screen.scan, Qt.Key.Key_F11)
    lock = counter.screen_lock.dialog if counter.screen_lock else None
    assert lock is not None
    lock.setGeometry(window.geometry())  # the frame is the window manager's
    type_enter(counter, "9999")
    save(counter, lock, out / "screen-lock.png")
    counter.stop()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        first_run(Path(tmp), out)
        demo_screens(Path(tmp), out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
