"""Grab the sale window at the smallest supported screen and at full HD into docs/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_sizes.py [OUT_DIR]

Writes sale-1024x768.png and sale-1920x1080.png: a cart of the demo store with a long total,
the key bar and the status bar, as the cashier sees them on such a screen (the window filling
it). Driven with key presses like scripts/screenshots.py, on a temporary demo store.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtWidgets import QApplication
from screenshots import CART, DEFAULT_OUT, OPS, sale_screen, save, settle, type_enter

from kasir.config import Config
from kasir.gui.app import CounterApp, open_store

SIZES = ((1024, 768), (1920, 1080))


def shoot(out: Path, db: Path) -> None:
    store = open_store(Config(database_url=f"sqlite:///{db}", counter="K01"), demo=True)
    store = dataclasses.replace(store, database="SQLite kasir.db")
    OPS.append(store.ops)
    counter = CounterApp(store)
    counter.start()
    settle()
    login = counter.login
    login.user.setCurrentIndex(login.user.findData("kasir1"))
    type_enter(login.pin, "1111")
    shift = counter.shift_dialog
    if shift is None:
        raise SystemExit("screenshot: no opening-float dialog (is the demo store fresh?)")
    type_enter(shift.edit, "200.000")
    screen = sale_screen(counter)
    window = counter.window
    assert window is not None
    for code in CART + ("2000000100081",) * 9:  # Nastar Keju x 10: a total over a million
        type_enter(screen.scan, code)
    for width, height in SIZES:
        window.showNormal()
        window.resize(width, height)
        settle()
        save(window, out / f"sale-{width}x{height}.png")
    screen.close_confirmed = True
    window.close()
    store.ops.factory.kw["bind"].dispose()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Kasir")
    with tempfile.TemporaryDirectory(prefix="kasir-shot-") as tmp:
        os.environ["KASIR_DATA_DIR"] = tmp
        os.environ["KASIR_CONFIG"] = str(Path(tmp) / "kasir.toml")
        shoot(out, Path(tmp) / "kasir.db")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
