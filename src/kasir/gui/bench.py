"""GUI figures for `make bench`, run in a fresh process by kasir.bench:

    python -m kasir.gui.bench STORE.db

Prints "READY" as soon as the sale screen is shown and painted (the parent measures process
start to that line: window_ready_s), then drives the real window with key events and prints one
JSON line: scan_to_row_median_ms (keys typed to the whole window repainted with the row, the
worker's unit of work included), gui_checkout_ms (F9 and Enter to the scan field ready for the
next item) and gui_stall_max_ms (the longest event-loop stall while another connection holds
the store's write lock for 3 s and the cashier scans on).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlalchemy import select

from kasir.config import Config
from kasir.gui.app import CounterApp, open_store
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.scanner import ScanBurstFilter
from kasir.services import auth, shifts
from kasir.store.models import Product

SCANS = 400
CHECKOUTS = 60
LOCK_HELD_S = 3.0


def wait_until(app: QApplication, ready: Callable[[], bool], seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > end:
            raise SystemExit("GUI benchmark: timed out")
        app.processEvents()


def painted(app: QApplication, screen: SaleScreen) -> None:
    """Until the operations queued are done and the window's updates are painted: the last
    processEvents delivers the window's pending update request, which paints what changed."""
    screen.ops.wait_idle()
    app.sendPostedEvents()
    app.processEvents()


def scan(screen: SaleScreen, code: str) -> None:
    QTest.keyClicks(screen.scan, code)
    QTest.keyClick(screen.scan, Qt.Key.Key_Return)


def cancel_cart(screen: SaleScreen) -> None:
    """Esc on the cart and Enter on the question it asks (the bench's carts are thrown away)."""
    screen.cancel()
    box = screen.dialog
    if isinstance(box, QMessageBox):
        QTest.keyClick(box, Qt.Key.Key_Return)
    screen.ops.wait_idle()


def bench_scans(app: QApplication, window: QWidget, screen: SaleScreen, codes: list[str]) -> float:
    """Keys typed to the whole window repainted with the new row (the worker included)."""
    rng = random.Random(4)
    times = []
    for i in range(SCANS):
        if i % 15 == 0:
            cancel_cart(screen)
        rows_before = screen.model.rowCount()
        t0 = time.perf_counter()
        scan(screen, rng.choice(codes))
        painted(app, screen)
        times.append((time.perf_counter() - t0) * 1000)
        if screen.model.rowCount() < rows_before:
            raise SystemExit("scan lost a row")
    return statistics.median(times)


def bench_checkouts(
    app: QApplication, window: QWidget, screen: SaleScreen, codes: list[str]
) -> float:
    """F9 and Enter (exact cash) to the scan field ready for the next item, repainted."""
    rng = random.Random(9)
    times = []
    for _ in range(CHECKOUTS):
        for code in rng.sample(codes, 3):
            scan(screen, code)
        screen.ops.wait_idle()
        screen.last_sale = None
        t0 = time.perf_counter()
        QTest.keyClick(screen.scan, Qt.Key.Key_F9)
        wait_until(app, lambda: screen.dialog is not None)
        dialog = screen.dialog
        assert isinstance(dialog, PaymentDialog)
        QTest.keyClick(dialog.amount, Qt.Key.Key_Return)  # uang pas
        # Ready for the next item: the sale stored, the dialog gone, the cart empty, the focus
        # in the scan field, the window painted. (The status bar's day figures are read after
        # that, on the worker; a scan typed now queues behind them.)
        wait_until(
            app,
            lambda: (
                screen.dialog is None
                and screen.state is not None
                and screen.state.empty
                and screen.last_sale is not None
                and screen.scan.hasFocus()
            ),
        )
        app.sendPostedEvents()
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_stall(app: QApplication, screen: SaleScreen, db_path: str, codes: list[str]) -> float:
    """The longest event-loop stall while another connection holds the write lock for 3 s
    and the cashier scans on (the scans land when the lock is given back)."""
    cancel_cart(screen)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    longest = 0.0
    last = time.perf_counter()
    held_until = last + LOCK_HELD_S
    typed = 0
    while time.perf_counter() < held_until:
        if typed < 5 and time.perf_counter() > held_until - LOCK_HELD_S + 0.4 * (typed + 1):
            scan(screen, codes[typed])
            typed += 1
        app.processEvents()
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        time.sleep(0.002)
    other.execute("COMMIT")
    other.close()
    wait_until(app, lambda: screen.ops.pending == 0)
    if screen.model.rowCount() == 0:
        raise SystemExit("GUI benchmark: the scans typed behind the lock were lost")
    return longest * 1000


def main(argv: list[str]) -> int:
    app = QApplication(argv[:1])
    store = open_store(Config(database_url=f"sqlite:///{argv[1]}", counter="KG1"))
    counter = CounterApp(store)
    user = store.ops.call(lambda s: auth.login(s, "kasir1", "1111"))
    if store.ops.call(lambda s: shifts.current_shift(s, store.counter_id)) is None:
        store.ops.call(lambda s: shifts.open_shift(s, store.counter_id, user.id, 0))
    counter.after_login(user)
    wait_until(app, lambda: counter.sale_screen is not None and counter.window is not None)
    screen, window = counter.sale_screen, counter.window
    assert screen is not None and window is not None
    # A common counter screen, 1366x768 (the offscreen platform's own screen is 800x800,
    # which "maximized" would fill): figures comparable from run to run and machine to machine.
    window.showNormal()
    window.resize(1366, 768)
    window.repaint()
    app.processEvents()
    # The scanner-burst filter sees every event of the application: measured with it on.
    assert isinstance(screen.scanner, ScanBurstFilter) and screen.scanner.parent() is screen
    print("READY", flush=True)

    query = select(Product.barcode).where(Product.active, Product.barcode.is_not(None))
    codes = [str(c) for c in store.ops.call(lambda s: list(s.scalars(query)))]
    screen.ops.wait_idle()
    figures = {
        "scan_to_row_median_ms": bench_scans(app, window, screen, codes),
        "gui_checkout_ms": bench_checkouts(app, window, screen, codes),
        "gui_stall_max_ms": bench_stall(app, screen, argv[1], codes),
    }
    print(json.dumps(figures), flush=True)
    store.ops.factory.kw["bind"].dispose()
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    # Skip interpreter teardown: PySide6 can crash while finalizing leftover Qt objects,
    # and there is nothing left to clean up in this throwaway process.
    os._exit(code)
