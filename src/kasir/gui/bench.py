"""GUI figures for `make bench`, run in a fresh process by kasir.bench:

    python -m kasir.gui.bench STORE.db

Prints "READY" as soon as the sale screen is shown and painted (the parent measures process
start to that line: window_ready_s), then scans products through the real scan field with key
events and prints one JSON line with scan_to_row_median_ms (keys typed to the row painted).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from kasir.config import Config
from kasir.gui.app import CounterApp, open_store
from kasir.services import auth, shifts
from kasir.store.models import Product

SCANS = 400


def main(argv: list[str]) -> int:
    app = QApplication(argv[:1])
    store = open_store(Config(database_url=f"sqlite:///{argv[1]}", counter="KG1"))
    counter = CounterApp(store)
    user = store.ops.call(lambda s: auth.login(s, "kasir1", "1111"))
    if store.ops.call(lambda s: shifts.current_shift(s, store.counter_id)) is None:
        store.ops.call(lambda s: shifts.open_shift(s, store.counter_id, user.id, 0))
    counter.after_login(user)
    screen = counter.sale_screen
    assert screen is not None and counter.window is not None
    counter.window.repaint()
    app.processEvents()
    print("READY", flush=True)

    query = select(Product.barcode).where(Product.active, Product.barcode.is_not(None))
    codes = [str(c) for c in store.ops.call(lambda s: list(s.scalars(query)))]
    rng = random.Random(4)
    times = []
    for i in range(SCANS):
        if i % 15 == 0:
            screen.cancel()
            screen.ops.wait_idle()
        code = rng.choice(codes)
        rows_before = screen.model.rowCount()
        t0 = time.perf_counter()
        QTest.keyClicks(screen.scan, code)
        QTest.keyClick(screen.scan, Qt.Key.Key_Return)
        screen.ops.wait_idle()
        screen.table.viewport().repaint()
        elapsed = (time.perf_counter() - t0) * 1000
        if screen.model.rowCount() < rows_before:
            raise SystemExit("scan lost a row")
        times.append(elapsed)
    print(json.dumps({"scan_to_row_median_ms": statistics.median(times)}), flush=True)
    store.ops.factory.kw["bind"].dispose()
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    # Skip interpreter teardown: PySide6 can crash while finalizing leftover Qt objects,
    # and there is nothing left to clean up in this throwaway process.
    os._exit(code)
