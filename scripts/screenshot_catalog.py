"""Grab the catalog window on a temporary demo store into docs/catalog.png (for the README).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_catalog.py [OUT.png]

Runs offscreen by default, so it works on a machine without a display (CI).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from kasir.config import Config
from kasir.gui.app import build_main_window

WIDTH, HEIGHT = 1100, 700
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "catalog.png"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="kasir-shot-") as tmp:
        # Keep the user's data folder and config out of it.
        os.environ["KASIR_DATA_DIR"] = tmp
        os.environ["KASIR_CONFIG"] = str(Path(tmp) / "kasir.toml")
        config = Config(database_url=f"sqlite:///{Path(tmp) / 'demo.db'}", counter="K01")
        window = build_main_window(config, demo=True)
        window.resize(WIDTH, HEIGHT)
        window.show()
        app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            print(f"screenshot: cannot write {out}", file=sys.stderr)
            return 1
        window.close()
        window.ops.factory.kw["bind"].dispose()
    print(f"screenshot: {out} ({WIDTH}x{HEIGHT})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
