"""Ops: units of work on one worker thread, callbacks on the GUI thread, one error route.

Each test has its own small SQLite store (one table) whose busy timeout is 50 ms, so a lock
held by another connection fails fast instead of after Kasir's 15 s."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kasir.errors import NotFound, StoreUnavailable
from kasir.gui.main_window import MainWindow
from kasir.gui.ops import Change, Changes, Ops, as_changes, kind_of
from kasir.gui.problems import CrashDialog, open_crash_dialogs
from kasir.logs import log_path
from kasir.store.engine import make_engine, make_session_factory

WAIT_MS = 3000
GUI_THREAD = threading.get_ident()


def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA busy_timeout=50")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ops.db"


@pytest.fixture
def ops(qtbot: QtBot, db_path: Path) -> Iterator[Ops]:
    engine = make_engine(f"sqlite:///{db_path}")
    event.listen(engine, "connect", short_busy_timeout)  # after Kasir's own: it wins
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE item (n INTEGER NOT NULL)"))
    ops = Ops(make_session_factory(engine))
    yield ops
    ops.wait_idle(WAIT_MS)
    for dialog in open_crash_dialogs():
        dialog.close()
    engine.dispose()


@pytest.fixture
def window(qtbot: QtBot, ops: Ops) -> MainWindow:
    """Not shown: the catalog tab (which would search a store this test does not have) stays
    hidden; the banner and dialogs are checked with isVisibleTo / isHidden."""
    win = MainWindow(ops, database="SQLite ops.db", counter="K01")
    qtbot.addWidget(win)
    return win


def insert(n: int) -> Any:
    def fn(s: Session) -> int:
        s.execute(text("INSERT INTO item (n) VALUES (:n)"), {"n": n})
        return n

    return fn


def count(s: Session) -> int:
    return int(s.execute(text("SELECT count(*) FROM item")).scalar_one())


@pytest.fixture
def locked(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock (BEGIN IMMEDIATE) until the test releases
    it with `.rollback()`."""
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.rollback()
    other.close()


# --- order and threads ----------------------------------------------------------------------


def test_operations_run_in_order_and_call_back_on_the_gui_thread(ops: Ops) -> None:
    seen: list[tuple[str, int, int]] = []
    worker_threads: set[int] = set()

    def counted(s: Session) -> int:
        worker_threads.add(threading.get_ident())
        return count(s)

    for i in range(20):
        ops.write(insert(i)).success(
            lambda n: seen.append(("wrote", n, threading.get_ident()))
        ).run()
        if i % 5 == 4:
            ops.read(counted).success(
                lambda c: seen.append(("read", c, threading.get_ident()))
            ).run()
    assert ops.pending == 24
    assert ops.wait_idle(WAIT_MS)
    expected: list[tuple[str, int]] = []
    for i in range(20):
        expected.append(("wrote", i))
        if i % 5 == 4:
            expected.append(("read", i + 1))  # each read sees every write queued before it
    assert [(what, n) for what, n, _ in seen] == expected
    assert {thread for _, _, thread in seen} == {GUI_THREAD}
    assert worker_threads and GUI_THREAD not in worker_threads


def test_failures_keep_their_place_in_the_order(ops: Ops) -> None:
    seen: list[object] = []

    def missing(_s: Session) -> None:
        raise NotFound("Barcode 123 tidak dikenal.")

    ops.write(insert(1)).success(seen.append).run()
    ops.read(missing).success(seen.append).failure(lambda e: seen.append(str(e))).run()
    ops.write(insert(2)).success(seen.append).run()
    assert ops.wait_idle(WAIT_MS)
    assert seen == [1, "Barcode 123 tidak dikenal.", 2]


def test_a_slow_operation_does_not_block_the_event_loop(qtbot: QtBot, ops: Ops) -> None:
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    done: list[int] = []

    def slow(s: Session) -> int:
        time.sleep(0.5)
        return count(s)

    started = time.perf_counter()
    ops.read(slow).success(done.append).run()
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)
    timer.stop()
    assert time.perf_counter() - started >= 0.5
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 20, ticks
    assert max(gaps) < 0.1, max(gaps)


def test_wait_idle_gives_up_after_its_timeout(ops: Ops) -> None:
    ops.read(lambda _s: time.sleep(0.4)).run()
    assert not ops.wait_idle(50)
    assert ops.pending == 1
    assert ops.wait_idle(WAIT_MS)


# --- busy -----------------------------------------------------------------------------------


def test_busy_shows_only_after_150_ms(qtbot: QtBot, ops: Ops, window: MainWindow) -> None:
    states: list[tuple[bool, float]] = []
    ops.busy.connect(lambda b: states.append((b, time.perf_counter())))

    for _ in range(20):  # 20 quick operations, 200 ms in all: each is quick, so never busy
        ops.read(lambda _s: time.sleep(0.01)).run()
    assert ops.wait_idle(WAIT_MS)
    assert states == []
    assert window.status_busy.isHidden()

    started = time.perf_counter()
    ops.read(lambda _s: time.sleep(0.5)).run()
    qtbot.waitUntil(lambda: len(states) == 1, timeout=WAIT_MS)
    assert states[0][0] is True
    assert 0.14 <= states[0][1] - started < 0.45
    assert not window.status_busy.isHidden()
    assert ops.wait_idle(WAIT_MS)
    assert [b for b, _ in states] == [True, False]
    assert states[1][1] - started >= 0.5
    assert window.status_busy.isHidden()


# --- the error route ------------------------------------------------------------------------


def test_a_user_error_goes_to_the_failure_callback(qtbot: QtBot, ops: Ops) -> None:
    errors: list[str] = []
    ops.error.connect(errors.append)
    failures: list[BaseException] = []

    def missing(_s: Session) -> None:
        raise NotFound("Barcode 123 tidak dikenal.")

    ops.write(missing).failure(failures.append).run()
    assert ops.wait_idle(WAIT_MS)
    assert len(failures) == 1 and isinstance(failures[0], NotFound)
    assert errors == []  # handled by the callback: not said twice

    with qtbot.waitSignal(ops.error, timeout=WAIT_MS) as blocker:
        ops.write(missing).run()  # no failure callback: the message line
    assert blocker.args == ["Barcode 123 tidak dikenal."]
    assert ops.current_problem == ""


def test_a_locked_database_shows_the_banner_until_a_write_succeeds(
    qtbot: QtBot,
    ops: Ops,
    window: MainWindow,
    locked: sqlite3.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures: list[BaseException] = []
    caplog.set_level(logging.WARNING, logger="kasir.gui.ops")
    with qtbot.waitSignal(ops.problem, timeout=WAIT_MS) as blocker:
        ops.write(insert(1)).failure(failures.append).run()
    cause = blocker.args[0]
    # The driver's error: SQLite refuses the BEGIN IMMEDIATE itself.
    assert cause and "locked" in str(failures[0])
    assert kind_of(failures[0]) == "problem"
    assert window.banner.isVisibleTo(window)
    assert window.centralWidget().layout().itemAt(0).widget() is window.banner  # on top
    assert cause in window.banner.label.text()
    assert ops.current_problem == cause
    assert any(r.exc_info and "environment problem" in r.getMessage() for r in caplog.records)
    assert open_crash_dialogs() == []  # not a bug

    # The same cause again: the banner stays, no second signal.
    problems: list[str] = []
    ops.problem.connect(problems.append)
    ops.write(insert(2)).failure(failures.append).run()
    assert ops.wait_idle(WAIT_MS)
    assert problems == [] and window.banner.isVisibleTo(window)

    # A read goes on meanwhile (no write lock) but does not prove writes work again.
    counted: list[int] = []
    ops.read(count).success(counted.append).run()
    assert ops.wait_idle(WAIT_MS)
    assert counted == [0]
    assert window.banner.isVisibleTo(window)

    locked.rollback()  # the other program lets go
    done: list[int] = []
    with qtbot.waitSignal(ops.problem, timeout=WAIT_MS) as cleared:
        ops.write(insert(3)).success(done.append).run()
    assert cleared.args == [""]
    assert done == [3]
    assert not window.banner.isVisibleTo(window)
    assert ops.current_problem == ""


def test_old_synchronous_calls_show_the_banner_too(
    qtbot: QtBot, ops: Ops, window: MainWindow, locked: sqlite3.Connection
) -> None:
    with pytest.raises((OperationalError, sqlite3.OperationalError)):
        ops.call(insert(1))
    assert window.banner.isVisibleTo(window)
    locked.rollback()
    assert ops.call(insert(2)) == 2
    assert not window.banner.isVisibleTo(window)


def test_an_environment_problem_of_kasir_is_a_problem_not_a_user_error(ops: Ops) -> None:
    failures: list[BaseException] = []
    problems: list[str] = []
    ops.problem.connect(problems.append)

    def unavailable(_s: Session) -> None:
        raise StoreUnavailable("Database tidak dapat dibuka.")

    ops.read(unavailable).failure(failures.append).run()
    assert ops.wait_idle(WAIT_MS)
    assert len(failures) == 1
    assert len(problems) == 1 and problems[0]


def test_an_unexpected_error_opens_the_crash_dialog_with_the_log_path(
    qtbot: QtBot, ops: Ops, window: MainWindow, caplog: pytest.LogCaptureFixture
) -> None:
    failures: list[BaseException] = []
    caplog.set_level(logging.ERROR, logger="kasir.gui.ops")
    ops.write(lambda _s: 1 // 0).failure(failures.append).run()
    qtbot.waitUntil(lambda: bool(open_crash_dialogs()), timeout=WAIT_MS)
    (dialog,) = open_crash_dialogs()
    assert isinstance(dialog, CrashDialog)
    assert str(log_path()) in dialog.text.text()
    assert "ZeroDivisionError" in dialog.summary.text()
    assert "Traceback" in dialog.details()
    assert len(failures) == 1 and isinstance(failures[0], ZeroDivisionError)
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and logged[0].exc_info[0] is ZeroDivisionError  # type: ignore[index]
    assert not window.banner.isVisibleTo(window)

    # A second bug while the dialog is open: counted in it, no second dialog.
    ops.read(lambda _s: [][1]).run()
    assert ops.wait_idle(WAIT_MS)
    assert open_crash_dialogs() == [dialog]
    assert "IndexError" in dialog.summary.text()
    assert "1 kesalahan lain" in dialog.summary.text()


def test_a_bug_in_a_callback_is_reported_and_the_next_operation_goes_on(
    qtbot: QtBot, ops: Ops, window: MainWindow
) -> None:
    seen: list[int] = []

    def broken(_n: int) -> None:
        raise RuntimeError("bug in a screen")

    ops.write(insert(1)).success(broken).run()
    ops.write(insert(2)).success(seen.append).run()
    assert ops.wait_idle(WAIT_MS)
    assert seen == [2]
    qtbot.waitUntil(lambda: bool(open_crash_dialogs()), timeout=WAIT_MS)
    assert "bug in a screen" in open_crash_dialogs()[0].summary.text()


# --- change notices -------------------------------------------------------------------------


def test_a_write_announces_its_changes_after_its_success_callback(ops: Ops) -> None:
    order: list[object] = []
    ops.changed.connect(lambda what: order.append(what))
    ops.write(insert(1), Change.SALE).success(lambda _n: order.append("success")).run()
    ops.write(insert(2), {Change.CATALOG, Change.SALE}).run()
    ops.write(insert(3)).run()  # no changes: no notice
    ops.read(count).run()
    ops.write(lambda _s: 1 // 0, Change.SALE).failure(lambda _e: None).run()  # failed: none
    assert ops.wait_idle(WAIT_MS)
    assert order == ["success", Changes({Change.SALE}), Changes({Change.CATALOG, Change.SALE})]
    assert all(isinstance(c, Changes) for c in order[1:])
    for dialog in open_crash_dialogs():
        dialog.close()


def test_changes_answer_old_string_listeners() -> None:
    changes = as_changes({Change.SALE, "catalog"})
    assert Change.SALE in changes and "sale" in changes and "catalog" in changes
    assert changes == "sale" and changes != "shift"
    assert changes in ("catalog", "sale")
    assert changes == Changes({Change.CATALOG, Change.SALE})
    assert as_changes("parked") == Changes({Change.PARKED})
    assert as_changes(None) == Changes() and not as_changes(None)
    with pytest.raises(ValueError):
        as_changes("stok")


# --- the old synchronous calls --------------------------------------------------------------


def test_call_keeps_the_order(ops: Ops) -> None:
    seen: list[int] = []
    for i in range(3):
        ops.write(insert(i)).success(seen.append).run()
    # Queued behind the three writes: sees them all, although their callbacks have not run.
    assert ops.call(count) == 3
    with pytest.raises(NotFound):
        ops.call(lambda _s: (_ for _ in ()).throw(NotFound("tidak ada")))
    assert ops.wait_idle(WAIT_MS)
    assert seen == [0, 1, 2]


def test_call_from_a_success_callback_or_an_operation_does_not_deadlock(ops: Ops) -> None:
    seen: list[int] = []
    ops.write(insert(1)).success(lambda _n: seen.append(ops.call(count))).run()
    assert ops.wait_idle(WAIT_MS)
    assert seen == [1]
    # Inside an operation (on the worker) a call runs at once, in a transaction of its own.
    ops.write(lambda s: ops.call(insert(2)) * 10 + count(s)).success(seen.append).run()
    assert ops.wait_idle(WAIT_MS)
    assert seen == [1, 2 * 10 + 2]


def test_what_an_operation_holds_is_let_go_on_the_gui_thread(qtbot: QtBot, ops: Ops) -> None:
    """Objects an operation holds (its fn, its callbacks, a failure's traceback) are let go on
    the GUI thread, never on the worker: a parentless QObject (an Ops, the CounterApp) whose
    last reference went on the worker was destroyed there, with its timers, while the GUI
    thread used them (a segfault in the suite). The old worker kept its last job until the
    next one came, up to WORKER_IDLE_EXIT_S later, and let it go on its own thread."""
    import gc

    from kasir.errors import ValidationError

    let_go: list[str] = []

    class Held:
        def __del__(self) -> None:
            let_go.append(threading.current_thread().name)

    def queue_one(fail: bool) -> None:
        held = Held()

        def fn(_s: Session) -> int:
            assert held is not None
            if fail:
                raise ValidationError("ditolak")
            return 1

        op = ops.read(fn).success(lambda _v, held=held: None)
        op.failure(lambda _e, held=held: None).run()

    queue_one(False)
    queue_one(True)
    del queue_one
    assert ops.wait_idle(WAIT_MS)
    gc.collect()
    qtbot.waitUntil(lambda: len(let_go) == 2, timeout=WAIT_MS)
    assert let_go == [threading.main_thread().name] * 2
