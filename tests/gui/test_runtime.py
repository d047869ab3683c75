"""The counter never freezes and never forgets: scans typed while another connection holds
the write lock all land, in order, with the event loop running; a real Kasir process killed
with SIGKILL after a QRIS part payment comes back to the cart and the payment."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.gui.app import CounterApp, Store
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.screen import SaleScreen
from kasir.services.auth import Approval
from kasir.services.drafts import load_draft
from kasir.store.models import Payment, Sale

MAKARONI = "2000000100012"  # Rp 18.000
KERIPIK = "2000000100043"  # Rp 20.000
NASTAR = "2000000100081"  # Rp 85.000
BALADO = "2000000100036"  # Makaroni Balado 150 g
WAIT_MS = 5000


def store_path(factory: sessionmaker[Session]) -> Path:
    database = factory.kw["bind"].url.database
    assert database
    return Path(database)


def test_scans_typed_behind_a_held_write_lock_all_land_in_order(
    qtbot: QtBot, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """Another program holds the store's write lock for 3 s; the cashier scans on. The screen
    keeps repainting (the event loop never stops for long) and the scans land when the lock is
    given back, in the order they were typed."""
    other = sqlite3.connect(store_path(demo_sqlite), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    released = False
    rows_while_locked = -1

    def release() -> None:
        nonlocal released, rows_while_locked
        # Counted before the lock goes: once it does, the worker stores the scans at once
        # and their rows may appear before `waitUntil` looks again.
        rows_while_locked = screen.model.rowCount()
        other.execute("COMMIT")
        released = True

    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: gaps.append(clock.restart()))
    ticker.start()
    codes = [MAKARONI, KERIPIK, NASTAR, BALADO, MAKARONI]

    def type_code(code: str) -> None:
        QTest.keyClicks(screen.scan, code)  # straight QTest: no waiting between scans
        QTest.keyClick(screen.scan, Qt.Key.Key_Return)

    try:
        for i, code in enumerate(codes):
            QTimer.singleShot(300 + 400 * i, lambda code=code: type_code(code))
        QTimer.singleShot(3000, release)
        qtbot.waitUntil(lambda: released, timeout=10_000)
        assert rows_while_locked == 0, "nothing could be stored while the lock was held"
        assert screen.ops.wait_idle(WAIT_MS)
    finally:
        ticker.stop()
        if not released:
            other.execute("ROLLBACK")
        other.close()
    names = [screen.model.line_at(i).name for i in range(screen.model.rowCount())]
    assert names == [
        "Makaroni Keju 250 g",
        "Keripik Bawang 250 g",
        "Nastar Keju 500 g",
        "Makaroni Balado 150 g",
    ]
    assert screen.model.line_at(0).qty == 2
    # Measured 14-16 ms on a quiet machine (a 10 ms ticker), once 118 ms with the suite and
    # other work sharing 2 cores; a frozen screen would be 3,000 ms. `make bench` holds the
    # 100 ms target (gui_stall_max_ms) on a machine doing nothing else.
    assert max(gaps) < 500, f"the event loop stalled {max(gaps)} ms"


KILLED_COUNTER = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from kasir.config import Config
    from kasir.gui.app import CounterApp, open_store
    from kasir.gui.scanner import ScanBurstFilter

    app = QApplication([])
    store = open_store(Config(database_url=sys.argv[1], counter="K01"))
    counter = CounterApp(store)
    counter.start()

    def wait(ready, seconds=20):
        end = time.monotonic() + seconds
        while not ready():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.005)
        store.ops.wait_idle()

    def enter(widget, text):
        QTest.keyClicks(widget, text)
        ScanBurstFilter.end_all_bursts()  # a person types, then presses Enter: not a scanner
        QTest.keyClick(widget, Qt.Key.Key_Return)
        store.ops.wait_idle()

    wait(lambda: counter.lease is not None)
    enter(counter.login.user.lineEdit(), "kasir1")
    enter(counter.login.pin, "1111")
    wait(lambda: counter.shift_dialog is not None)
    counter.shift_dialog.edit.selectAll()
    enter(counter.shift_dialog.edit, "200.000")
    wait(lambda: counter.sale_screen is not None)
    screen = counter.sale_screen
    for code in sys.argv[2:]:
        enter(screen.scan, code)
    QTest.keyClick(screen.scan, Qt.Key.Key_F9)
    wait(lambda: screen.dialog is not None)
    dialog = screen.dialog
    QTest.keyClick(dialog.amount, Qt.Key.Key_F2)
    dialog.amount.selectAll()
    QTest.keyClicks(dialog.amount, "50.000")
    enter(dialog.reference, "QR-KILL-1")
    enter(dialog.reference, "")  # "Bayar sebagian?": Enter, yes
    print("PAID", screen.state.remaining, flush=True)
    while True:  # a counter at work, until the power goes
        app.processEvents()
        time.sleep(0.01)
    """
)


def test_a_killed_counter_comes_back_to_the_cart_and_the_qris_payment(
    qtbot: QtBot, store: Store, demo_sqlite: sessionmaker[Session], tmp_path: Path
) -> None:
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_COUNTER, url, NASTAR, MAKARONI],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the payment is taken (or the child dies)
        if not line.startswith("PAID"):
            proc.kill()
            errors = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"the counter did not get to the payment: {line!r} {errors}")
        assert line.split() == ["PAID", "53000"]  # Rp 103.000 - QRIS Rp 50.000
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no clean exit: no lease given back, nothing flushed
        proc.wait(timeout=10)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    assert proc.returncode == -signal.SIGKILL

    with demo_sqlite() as s:
        draft = load_draft(s, store.counter_id)
        assert draft is not None and s.scalar(select(Sale.id)) is None
    assert [(p.method, p.amount, p.reference) for p in draft.payments] == [
        ("qris", 50_000, "QR-KILL-1")
    ]

    app = CounterApp(store)  # the restart on the same counter
    qtbot.addWidget(app.login)
    app.start()
    try:
        qtbot.waitUntil(lambda: app.lease is not None, timeout=WAIT_MS)  # the dead one's lease
        qtbot.keyClicks(app.login.user.lineEdit(), "kasir1")
        qtbot.keyClick(app.login.user.lineEdit(), Qt.Key.Key_Return)
        qtbot.keyClicks(app.login.pin, "1111")
        qtbot.keyClick(app.login.pin, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: app.sale_screen is not None, timeout=WAIT_MS)
        screen = app.sale_screen
        assert screen is not None and store.ops.wait_idle(WAIT_MS)
        assert "Keranjang yang belum selesai dipulihkan (2 barang" in screen.message.text()
        assert "QRIS Rp 50.000" in screen.message.text()
        assert screen.model.rowCount() == 2 and screen.total_label.text() == "Rp 103.000"
        assert "Sisa Rp 53.000" in screen.totals.paid_label.text()

        qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
        dialog = screen.dialog
        assert isinstance(dialog, PaymentDialog)
        assert dialog.paid_list.count() == 1 and dialog.amount.text() == "53.000"
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # the rest in cash
        assert screen.dialog is None and screen.last_sale is not None
        with demo_sqlite() as s:
            sales = s.scalars(select(Sale)).all()
            assert len(sales) == 1 and sales[0].uuid == draft.sale_uuid
            payments = s.execute(
                select(Payment.method, Payment.amount, Payment.reference).where(
                    Payment.sale_id == sales[0].id
                )
            ).all()
            assert load_draft(s, store.counter_id) is None
        assert sorted(payments) == [("qris", 50_000, "QR-KILL-1"), ("tunai", 53_000, None)]
    finally:
        if app.sale_screen is not None:
            app.sale_screen.close_confirmed = True
        app.stop()
        if app.window is not None:
            app.window.close()


def test_a_shift_changed_underneath_is_refused_and_the_cart_kept(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """kasir2 closed and reopened the counter's shift in another window: kasir1's sale is not
    booked to kasir2's drawer. Refused, logged out, the cart stored for later."""
    from kasir.services import shifts
    from kasir.store.models import User

    QTest.keyClicks(screen.scan, MAKARONI)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    with demo_sqlite.begin() as s:
        other = s.scalar(select(User.id).where(User.username == "kasir2"))
        assert other is not None and counter_app.shift is not None
        shifts.close_shift(
            s, counter_app.shift.id, 200_000, other, approval=Approval("2222", "spv1")
        )
        shifts.open_shift(s, screen.till.counter_id, other, 100_000)
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    dialog = screen.dialog
    assert isinstance(dialog, PaymentDialog)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(counter_app.login.isVisible, timeout=WAIT_MS)
    assert counter_app.window is None
    assert "tetap tersimpan" in counter_app.login.error.text()
    with demo_sqlite() as s:
        assert s.scalar(select(Sale.id)) is None
        draft = load_draft(s, screen.till.counter_id)
    assert draft is not None and draft.payments[0].amount == 18_000


def test_closing_the_window_with_a_cart_asks_and_keeps_it(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    from PySide6.QtWidgets import QMessageBox

    qtbot.keyClicks(screen.scan, MAKARONI)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    window = counter_app.window
    assert window is not None
    window.close()  # Alt+F4, or the window manager's close button
    question = screen.dialog
    assert isinstance(question, QMessageBox) and window.isVisible()
    assert "tetap tersimpan" in question.text()
    question.button(QMessageBox.StandardButton.No).click()
    assert window.isVisible() and screen.model.rowCount() == 1
    window.close()
    question = screen.dialog
    assert isinstance(question, QMessageBox)
    question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    with demo_sqlite() as s:
        draft = load_draft(s, screen.till.counter_id)
    assert draft is not None and [line.sku for line in draft.cart.lines] == ["KUL-0001"]


def test_an_idle_counter_shows_a_lost_database_within_5_s(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, tmp_path: Path
) -> None:
    """Nobody scans, the store goes away: the lease's heartbeat (every 4 s) finds out and the
    banner names it; the beat after it is back clears the banner."""
    from kasir.store.engine import make_engine

    assert counter_app.heartbeat_timer.isActive()
    assert counter_app.heartbeat_timer.interval() <= 5000
    factory = screen.ops.factory
    good = factory.kw["bind"]
    broken = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'kasir.db'}")
    factory.configure(bind=broken)
    try:
        with qtbot.waitSignal(screen.ops.problem, timeout=6000) as blocker:
            pass  # the timer fires by itself
        assert blocker.args[0]
        assert counter_app.window is not None
        assert counter_app.window.banner.isVisible()
    finally:
        factory.configure(bind=good)
        broken.dispose()
    with qtbot.waitSignal(screen.ops.problem, timeout=6000) as cleared:
        pass
    assert cleared.args == [""]


def test_a_read_only_store_is_named_and_the_cart_kept(
    qtbot: QtBot, counter_app: CounterApp, screen: SaleScreen, demo_sqlite: sessionmaker[Session]
) -> None:
    """The store can be read but not written (a read-only mount, wrong permissions): the
    scan is refused with the cause in the banner, the cart stays, and selling resumes."""
    from kasir.errors import STORE_READ_ONLY
    from kasir.store.engine import make_engine

    qtbot.keyClicks(screen.scan, MAKARONI)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    factory = screen.ops.factory
    good = factory.kw["bind"]
    read_only = make_engine(f"sqlite:///file:{store_path(demo_sqlite)}?mode=ro&uri=true")
    factory.configure(bind=read_only)
    try:
        with qtbot.waitSignal(screen.ops.problem, timeout=WAIT_MS) as blocker:
            qtbot.keyClicks(screen.scan, KERIPIK)
            qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
        assert blocker.args == [STORE_READ_ONLY]
        assert counter_app.window is not None and counter_app.window.banner.isVisible()
        assert [screen.model.line_at(i).name for i in range(screen.model.rowCount())] == [
            "Makaroni Keju 250 g"
        ]
    finally:
        factory.configure(bind=good)
        read_only.dispose()
    qtbot.keyClicks(screen.scan, KERIPIK)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 2
    assert not counter_app.window.banner.isVisible()


def test_a_store_that_cannot_answer_at_login_never_offers_a_new_shift(
    qtbot: QtBot, counter_app: CounterApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failure is never read as "no open shift": the login says what is wrong instead."""
    from sqlalchemy.exc import OperationalError

    from kasir.services import shifts

    def down(*_args: object, **_kwargs: object) -> object:
        raise OperationalError("SELECT shift", {}, Exception("server closed the connection"))

    monkeypatch.setattr(shifts, "current_shift", down)
    qtbot.keyClicks(counter_app.login.user.lineEdit(), "kasir1")
    qtbot.keyClick(counter_app.login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(counter_app.login.pin, "1111")
    qtbot.keyClick(counter_app.login.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(counter_app.login.isVisible, timeout=WAIT_MS)
    assert counter_app.shift_dialog is None and counter_app.window is None
    assert counter_app.login.error.text()  # the cause, in Indonesian
    assert (
        "Database" in counter_app.login.error.text() or "database" in counter_app.login.error.text()
    )


REAL_APP = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    import kasir.gui.app as app_module
    from kasir.config import Config

    qt = QApplication(sys.argv[:1])  # run_app takes this one (the timers need it first)
    counters = []
    start = app_module.CounterApp.start

    def started(self):
        counters.append(self)
        start(self)

    app_module.CounterApp.start = started

    def log_in():
        login = counters[0].login
        QTest.keyClicks(login.user.lineEdit(), "kasir1")
        QTest.keyClick(login.user.lineEdit(), Qt.Key.Key_Return)
        QTest.keyClicks(login.pin, "1111")
        QTest.keyClick(login.pin, Qt.Key.Key_Return)

    def report():
        counter = counters[0]
        print("ALIVE", counter.shift_dialog is not None, flush=True)
        counter.shift_dialog.edit.selectAll()
        QTest.keyClicks(counter.shift_dialog.edit, "200.000")
        QTest.keyClick(counter.shift_dialog.edit, Qt.Key.Key_Return)
        QTimer.singleShot(1500, close)

    def close():
        counter = counters[0]
        print("WINDOW", counter.window is not None and counter.window.isVisible(), flush=True)
        counter.window.close()  # an empty cart: Kasir ends

    QTimer.singleShot(800, log_in)
    QTimer.singleShot(2500, report)
    code = app_module.run_app(Config(database_url=sys.argv[1], counter="K01"))
    print("ENDED", code, flush=True)
    """
)


def test_the_real_event_loop_goes_from_the_login_to_the_sale_screen(
    demo_sqlite: sessionmaker[Session],
) -> None:
    """`run_app` with its own event loop: between the login and the next window (their data
    comes from the worker) no window is visible, and Kasir must not end there; it ends when
    the cashier closes the main window."""
    url = demo_sqlite.kw["bind"].url.render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-c", REAL_APP, url],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    lines = [
        line
        for line in result.stdout.splitlines()
        if line.split()[0] in ("ALIVE", "WINDOW", "ENDED")
    ]
    assert lines == ["ALIVE True", "WINDOW True", "ENDED 0"], result.stdout + result.stderr


def test_a_scan_the_store_could_not_take_is_sent_again_never_dropped(
    qtbot: QtBot, screen: SaleScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program held the write lock past the busy timeout (15 s): that scan failed.
    It is kept, said, sent again by itself, and paying waits for it."""
    from kasir.services.sale_session import SaleSession

    real_scan = SaleSession.scan
    locked_once = [True]

    def scan_once_locked(self: SaleSession, s: Session, code: str, qty: int = 1) -> object:
        if code == KERIPIK and locked_once[0]:
            locked_once[0] = False
            raise sqlite3.OperationalError("database is locked")
        return real_scan(self, s, code, qty)

    monkeypatch.setattr(SaleSession, "scan", scan_once_locked)
    for code in (MAKARONI, KERIPIK):
        qtbot.keyClicks(screen.scan, code)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 1
    assert f"Pindaian {KERIPIK} belum tercatat" in screen.message.text()
    assert screen.unsent == [(KERIPIK, 1)]
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)  # not yet: the bill would miss an item
    assert screen.dialog is None and "belum tercatat" in screen.message.text()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT_MS)
    assert screen.unsent == [] and screen.total_label.text() == "Rp 38.000"
    qtbot.keyClick(screen.scan, Qt.Key.Key_F9)
    assert isinstance(screen.dialog, PaymentDialog)
