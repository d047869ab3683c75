"""One till per counter, in the window: a second Kasir on the same counter is refused at its
login (and gets in once the counter is free), a window whose lease was taken over stops
selling, a crashed Kasir's lease on this machine is taken over at once, and the till carries
the shift it opened."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kasir.gui.app import CounterApp, Store
from kasir.services import till
from kasir.timeutil import utcnow

WAIT_MS = 3000


def log_in(qtbot: QtBot, app: CounterApp, username: str = "kasir1", pin: str = "1111") -> None:
    qtbot.keyClicks(app.login.user.lineEdit(), username)
    qtbot.keyClick(app.login.user.lineEdit(), Qt.Key.Key_Return)
    qtbot.keyClicks(app.login.pin, pin)
    qtbot.keyClick(app.login.pin, Qt.Key.Key_Return)


def open_shift(qtbot: QtBot, app: CounterApp, amount: str = "200.000") -> None:
    qtbot.waitUntil(lambda: app.shift_dialog is not None, timeout=WAIT_MS)
    dialog = app.shift_dialog
    assert dialog is not None
    dialog.edit.selectAll()
    qtbot.keyClicks(dialog.edit, amount)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.sale_screen is not None, timeout=WAIT_MS)


@pytest.fixture
def second(qtbot: QtBot, counter_app: CounterApp) -> Iterator[CounterApp]:
    """Another Kasir on counter K01, as if started on another machine (its own holder id)."""
    other = CounterApp(counter_app.store, holder=str(uuid.uuid4()))
    qtbot.addWidget(other.login)
    other.start()
    yield other
    other.stop()


def lease_of(store: Store) -> till.Lease | None:
    return store.ops.call(lambda s: till.lease_of(s, store.counter_id))


def test_the_window_holds_its_counter(counter_app: CounterApp) -> None:
    held = lease_of(counter_app.store)
    assert counter_app.lease is not None and held is not None
    assert (held.holder, held.host, held.pid) == (
        counter_app.holder,
        socket.gethostname(),
        os.getpid(),
    )
    assert counter_app.heartbeat_timer.isActive()
    assert counter_app.heartbeat_timer.interval() == 4_000
    assert not counter_app.login.refusal and counter_app.login.pin.isEnabled()


def test_a_second_window_on_the_same_counter_is_refused(
    qtbot: QtBot, counter_app: CounterApp, second: CounterApp
) -> None:
    login = second.login
    assert second.lease is None
    message = login.error.text()
    assert message == login.refusal
    assert message.startswith(
        f"Meja K01 sedang dipakai di {socket.gethostname()} (proses {os.getpid()}) sejak "
    )
    assert "satu meja hanya untuk satu jendela Kasir" in message
    assert not (login.user.isEnabled() or login.pin.isEnabled() or login.ok.isEnabled())
    # Nothing gets past it: not Enter, not the button.
    with qtbot.assertNotEmitted(login.logged_in, wait=100):
        login.try_login()
    assert second.window is None and second.shift_dialog is None
    held = lease_of(second.store)
    assert held is not None and held.holder == counter_app.holder

    # Its beats try again, off the GUI thread: still held, still refused.
    second.beat()
    assert second.ops.wait_idle(WAIT_MS)
    assert second.lease is None and login.refusal.startswith("Meja K01 sedang dipakai di ")
    assert not login.pin.isEnabled()

    # The first Kasir quits: at its next beat the second one takes the counter.
    counter_app.stop()
    assert lease_of(counter_app.store) is None
    second.beat()
    qtbot.waitUntil(lambda: second.lease is not None, timeout=WAIT_MS)
    assert not login.refusal and login.pin.isEnabled()
    assert login.error.text() == "Meja K01 sekarang bebas; silakan masuk."
    log_in(qtbot, second)
    open_shift(qtbot, second)
    assert second.sale_screen is not None


def test_the_login_names_the_cashier_of_the_other_window(
    qtbot: QtBot, counter_app: CounterApp
) -> None:
    log_in(qtbot, counter_app)
    qtbot.waitUntil(lambda: counter_app.shift_dialog is not None, timeout=WAIT_MS)
    assert counter_app.ops.wait_idle(WAIT_MS)
    other = CounterApp(counter_app.store, holder=str(uuid.uuid4()))
    qtbot.addWidget(other.login)
    other.start()
    try:
        assert f"(proses {os.getpid()}, Siti" in other.login.refusal
    finally:
        other.stop()


def test_the_heartbeat_renews_the_lease(qtbot: QtBot, counter_app: CounterApp) -> None:
    before = lease_of(counter_app.store)
    assert before is not None
    counter_app.beat()
    assert counter_app.ops.wait_idle(WAIT_MS)
    after = lease_of(counter_app.store)
    assert after is not None and after.heartbeat_at > before.heartbeat_at
    assert after.holder == counter_app.holder and counter_app.lease is not None


def test_the_till_carries_the_shift_it_opened(qtbot: QtBot, counter_app: CounterApp) -> None:
    log_in(qtbot, counter_app)
    open_shift(qtbot, counter_app)
    assert counter_app.sale_screen is not None and counter_app.shift is not None
    assert counter_app.sale_screen.till.shift_id == counter_app.shift.id


def test_a_window_whose_lease_was_taken_over_stops_selling(
    qtbot: QtBot, counter_app: CounterApp
) -> None:
    """This window went silent past the stale limit (a machine asleep, a long outage) and
    another Kasir took the counter: its next beat takes it back to a locked login."""
    log_in(qtbot, counter_app)
    open_shift(qtbot, counter_app)
    store = counter_app.store
    later = utcnow() + till.STALE_AFTER + dt.timedelta(seconds=5)
    other = str(uuid.uuid4())
    store.ops.call(
        lambda s: till.acquire_lease(
            s, store.counter_id, other, host="kasir-belakang", pid=777, now=later
        )
    )
    counter_app.beat()
    qtbot.waitUntil(lambda: counter_app.window is None, timeout=WAIT_MS)
    assert counter_app.lease is None and counter_app.sale_screen is None
    refusal = counter_app.login.refusal
    assert refusal.startswith("Meja K01 sudah diambil alih oleh kasir-belakang (proses 777) ")
    assert counter_app.login.error.text() == refusal
    assert counter_app.login.isVisible() and not counter_app.login.pin.isEnabled()
    held = lease_of(store)
    assert held is not None and held.holder == other  # the new holder keeps it


def _lease_of_process(store: Store, pid: int) -> None:
    """A lease as a Kasir with process `pid` on this machine left it, heartbeat fresh."""
    holder = str(uuid.uuid4())
    store.ops.call(
        lambda s: till.acquire_lease(
            s, store.counter_id, holder, host=socket.gethostname(), pid=pid
        )
    )


def test_a_crashed_kasir_on_this_machine_is_taken_over_at_once(qtbot: QtBot, store: Store) -> None:
    """Restarted after a crash: the old process is gone, so its lease is not waited for."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    _lease_of_process(store, dead.pid)
    app = CounterApp(store, holder=str(uuid.uuid4()))
    qtbot.addWidget(app.login)
    app.start()
    try:
        assert app.lease is not None and app.lease.taken_over is not None
        assert app.lease.taken_over.pid == dead.pid
        assert app.login.pin.isEnabled()
        assert app.login.error.text().startswith(
            f"Meja ini diambil alih dari {socket.gethostname()} (proses {dead.pid}), yang "
            "berhenti menjawab sejak "
        )
    finally:
        app.stop()


def test_a_live_kasir_on_this_machine_is_not_taken_over(qtbot: QtBot, store: Store) -> None:
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _lease_of_process(store, alive.pid)
        app = CounterApp(store, holder=str(uuid.uuid4()))
        qtbot.addWidget(app.login)
        app.start()
        try:
            assert app.lease is None
            assert f"(proses {alive.pid}) sejak " in app.login.refusal
        finally:
            app.stop()
    finally:
        alive.kill()
        alive.wait(timeout=30)


def test_a_clean_exit_gives_the_counter_back(counter_app: CounterApp) -> None:
    counter_app.stop()
    assert lease_of(counter_app.store) is None
    assert not counter_app.heartbeat_timer.isActive()
    counter_app.stop()  # twice is harmless
