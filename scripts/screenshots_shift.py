"""Grab the cashier's shift dialogs on a temporary demo store into docs/, at 1024x768.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_shift.py [OUT_DIR]

Writes shift-close.png (Ctrl+F12: the count by denomination checked against the expected cash,
with a difference and its reason) and cash-move.png (Ctrl+K: kas masuk/keluar), each the sale
window at 1024x768 with the dialog over it, driven by keys.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kasir.config import Config
from kasir.gui.app import CounterApp, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots_admin import SIZE, key, settle, type_enter

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs"


def save_over(counter: CounterApp, window: QWidget, dialog: QWidget, path: Path) -> None:
    """The window at 1024x768 with the dialog drawn centred over it."""
    settle(counter)
    if dialog.width() > SIZE[0] or dialog.height() > SIZE[1]:
        raise SystemExit(f"screenshot: {path.name}: dialog {dialog.width()}x{dialog.height()}")
    image = window.grab()
    shot = dialog.grab()
    painter = QPainter(image)
    painter.drawPixmap(
        QPoint((image.width() - shot.width()) // 2, (image.height() - shot.height()) // 2), shot
    )
    painter.end()
    if not image.save(str(path)):
        raise SystemExit(f"screenshot: cannot write {path}")
    print(f"screenshot: {path} (dialog {dialog.width()}x{dialog.height()})")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(
            Config(database_url=f"sqlite:///{Path(tmp) / 'demo.db'}", counter="K01"), demo=True
        )
        counter = CounterApp(store)
        counter.start()
        settle(counter)
        type_enter(counter, "kasir1", "1111")
        shift = counter.shift_dialog
        assert shift is not None
        shift.edit.selectAll()
        type_enter(counter, "200.000")
        window, screen = counter.window, counter.sale_screen
        assert window is not None and screen is not None
        window.showNormal()
        window.resize(*SIZE)
        type_enter(counter, "2000000100012", "2000000100043")
        key(counter, screen.scan, Qt.Key.Key_F9)
        type_enter(counter, "50.000")  # change Rp 12.000
        QTest.keyClick(screen.scan, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        settle(counter)
        moving = screen.dialog
        assert moving is not None
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
        key(counter, QApplication.focusWidget(), Qt.Key.Key_Return)
        type_enter(counter, "15.000")
        QTest.keyClicks(QApplication.focusWidget(), "beli air galon")
        save_over(counter, window, moving, out / "cash-move.png")
        type_enter(counter, None, "spv1", "2222")
        QTest.keyClick(screen.scan, Qt.Key.Key_F12, Qt.KeyboardModifier.ControlModifier)
        settle(counter)
        closing = screen.dialog
        assert closing is not None
        # 223.000 expected (200.000 + 38.000 - 15.000); 222.500 counted
        type_enter(counter, "1", "1", "3", "1", None, "1", None, None, "1", None, None)
        QTest.keyClicks(QApplication.focusWidget(), "uang receh kurang Rp 500")
        save_over(counter, window, closing, out / "shift-close.png")
        counter.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
