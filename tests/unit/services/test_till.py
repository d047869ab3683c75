"""One till per counter: the lease (second instance refused, stale lease taken over, heartbeat
after a takeover refused, exactly one winner of a race) and the till that carries its shift
(a shift changed underneath, a deactivated cashier)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import MAKARONI, NOW, SPV, cash, make_till, snapshot, user_id

from kasir.domain.cart import Cart
from kasir.errors import NotAllowed, StaleShift
from kasir.services import till as lease
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.shifts import (
    CashierInactive,
    ShiftChanged,
    Till,
    close_shift,
    current_shift,
    open_shift,
    open_shift_for,
)
from kasir.services.till import LeaseLost, TillBusy, acquire_lease, heartbeat, release_lease
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import Counter, User

Factory = sessionmaker[Session]
A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"


def counter_id(factory: Factory, code: str = "K01") -> int:
    with factory() as s:
        cid = s.scalar(select(Counter.id).where(Counter.code == code))
    assert cid is not None
    return cid


def k01(s: Session) -> int:
    cid = s.scalar(select(Counter.id).where(Counter.code == "K01"))
    assert cid is not None
    return cid


def take(
    factory: Factory,
    holder: str,
    at: dt.datetime = NOW,
    *,
    host: str = "kasir-depan",
    pid: int = 4242,
    user: int | None = None,
) -> lease.Lease:
    with factory.begin() as s:
        return acquire_lease(s, k01(s), holder, host=host, pid=pid, user_id=user, now=at)


def later(seconds: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


# --- the lease ------------------------------------------------------------------------------


def test_durations() -> None:
    """A beat every 4 s (an idle counter notices a lost database within 5 s); 30 s without
    one (seven beats missed, more than SQLite's 15 s busy wait) make a lease stale."""
    assert dt.timedelta(seconds=4) == lease.HEARTBEAT_EVERY
    assert dt.timedelta(seconds=30) == lease.STALE_AFTER


def test_a_free_counter_is_taken(demo: Factory) -> None:
    got = take(demo, A, user=user_id(demo, "kasir1"))
    assert (got.holder, got.host, got.pid, got.taken_over) == (A, "kasir-depan", 4242, None)
    with demo() as s:
        stored = lease.lease_of(s, k01(s))
    assert stored is not None
    assert (stored.holder, stored.heartbeat_at, stored.acquired_at) == (A, NOW, NOW)


def test_a_second_instance_is_refused_naming_where_and_since_when(demo: Factory) -> None:
    take(demo, A, user=user_id(demo, "kasir1"))
    with pytest.raises(TillBusy) as refused:
        take(demo, B, later(5), host="kasir-belakang", pid=777)
    message = refused.value.message
    # NOW is 10:00 in Jakarta; the lease is free 30 s after its last heartbeat.
    assert message.startswith("Meja K01 sedang dipakai di kasir-depan (proses 4242, ")
    assert " sejak 10:00; " in message
    assert "(pukul 10:00:30)" in message
    assert isinstance(refused.value, NotAllowed)
    with demo() as s:
        stored = lease.lease_of(s, k01(s))
    assert stored is not None and stored.holder == A  # untouched


def test_the_refusal_names_the_cashier_logged_in(demo: Factory) -> None:
    take(demo, A)
    kasir1 = user_id(demo, "kasir1")
    with demo.begin() as s:
        lease.set_lease_user(s, k01(s), A, kasir1)
        name = s.scalar(select(User.full_name).where(User.username == "kasir1"))
    with pytest.raises(TillBusy, match=f"proses 4242, {name}\\) sejak 10:00"):
        take(demo, B, later(1))


def test_a_lease_of_another_day_says_the_date(demo: Factory) -> None:
    take(demo, A)
    with demo.begin() as s:
        heartbeat(s, k01(s), A, now=NOW + dt.timedelta(days=1))
    with pytest.raises(TillBusy, match=r"sejak 22-11-2026 10:00"):
        take(demo, B, NOW + dt.timedelta(days=1, seconds=1))


def test_the_same_instance_takes_its_own_lease_again(demo: Factory) -> None:
    take(demo, A)
    again = take(demo, A, later(2), pid=5000)
    assert again.taken_over is None and again.pid == 5000


def test_a_stale_lease_is_taken_over(demo: Factory) -> None:
    take(demo, A)
    # 30 s after the last heartbeat the lease is still live; after that it is stale.
    with pytest.raises(TillBusy):
        take(demo, B, later(30))
    got = take(demo, B, later(30.001), host="kasir-belakang", pid=777)
    assert got.holder == B
    assert got.taken_over is not None
    assert (got.taken_over.holder, got.taken_over.host, got.taken_over.pid) == (
        A,
        "kasir-depan",
        4242,
    )
    with demo() as s:
        stored = lease.lease_of(s, k01(s))
    assert stored is not None
    assert (stored.holder, stored.host, stored.acquired_at) == (B, "kasir-belakang", later(30.001))


def test_heartbeats_keep_the_lease(demo: Factory) -> None:
    take(demo, A)
    for second in (10, 20, 30, 40):
        with demo.begin() as s:
            assert heartbeat(s, k01(s), A, now=later(second)) == later(second)
    with pytest.raises(TillBusy, match=r"\(pukul 10:01:10\)"):
        take(demo, B, later(65))


def test_a_heartbeat_after_a_takeover_is_refused(demo: Factory) -> None:
    take(demo, A)
    take(demo, B, later(45), host="kasir-belakang", pid=777)
    with pytest.raises(LeaseLost) as lost, demo.begin() as s:
        heartbeat(s, k01(s), A, now=later(50))
    assert lost.value.message.startswith(
        "Meja K01 sudah diambil alih oleh kasir-belakang (proses 777) sejak 10:00"
    )
    with pytest.raises(LeaseLost), demo.begin() as s:
        lease.set_lease_user(s, k01(s), A, None)
    with demo.begin() as s:  # the new holder is not disturbed
        heartbeat(s, k01(s), B, now=later(55))
        assert not release_lease(s, k01(s), A)


def test_a_heartbeat_without_a_lease_is_refused(demo: Factory) -> None:
    with pytest.raises(LeaseLost, match="tidak lagi dipegang jendela ini"), demo.begin() as s:
        heartbeat(s, k01(s), A, now=NOW)


def test_a_released_counter_is_free_at_once(demo: Factory) -> None:
    take(demo, A)
    with demo.begin() as s:
        assert not release_lease(s, k01(s), B)  # not B's: kept
        assert lease.lease_of(s, k01(s)) is not None
        assert release_lease(s, k01(s), A)
        assert lease.lease_of(s, k01(s)) is None
    assert take(demo, B, later(1)).taken_over is None


def test_leases_are_per_counter(demo: Factory) -> None:
    take(demo, A)
    with demo.begin() as s:
        other = s.scalar(select(Counter.id).where(Counter.code != "K01"))
        if other is None:
            s.add(Counter(code="K02", name="Kasir 2"))
            s.flush()
            other = s.scalar(select(Counter.id).where(Counter.code == "K02"))
        assert other is not None
        acquire_lease(s, other, B, host="x", pid=1, now=later(1))


def test_no_clock_given_uses_the_store_clock(demo: Factory) -> None:
    """Without `now` (the GUI): PostgreSQL's now(), SQLite the local clock; both near now."""
    with demo.begin() as s:
        got = acquire_lease(s, k01(s), A, host="h", pid=1)
        beat = heartbeat(s, k01(s), A)
    wall = dt.datetime.now(dt.UTC)
    assert abs(wall - got.acquired_at) < dt.timedelta(seconds=30)
    assert beat >= got.acquired_at


def race(url: str, cid: int, holders: list[str], at: dt.datetime) -> list[object]:
    """Every holder acquires at the same moment on its own engine; each holds its transaction a
    little after acquiring, so the others' statements overlap it."""
    barrier = threading.Barrier(len(holders))
    results: list[object] = [None] * len(holders)

    def work(n: int, holder: str) -> None:
        engine = make_engine(url)
        try:
            factory = make_session_factory(engine)
            barrier.wait(timeout=30)
            with factory.begin() as s:
                results[n] = acquire_lease(s, cid, holder, host=f"pc-{n}", pid=n, now=at)
                time.sleep(0.05)
        except BaseException as exc:  # reported by the test
            results[n] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(n, h)) for n, h in enumerate(holders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


HOLDERS = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(8)]


def winners(results: list[object]) -> list[lease.Lease]:
    won = [r for r in results if isinstance(r, lease.Lease)]
    lost = [r for r in results if not isinstance(r, lease.Lease)]
    assert all(isinstance(r, TillBusy) for r in lost), lost
    return won


def test_two_instances_acquiring_at_once_one_wins(demo: Factory, demo_url: str) -> None:
    cid = counter_id(demo)
    won = winners(race(demo_url, cid, HOLDERS, NOW))
    assert len(won) == 1
    with demo() as s:
        stored = lease.lease_of(s, cid)
    assert stored is not None and stored.holder == won[0].holder


def test_instances_taking_a_stale_lease_at_once_one_wins(demo: Factory, demo_url: str) -> None:
    cid = counter_id(demo)
    take(demo, A)
    won = winners(race(demo_url, cid, HOLDERS, later(60)))
    assert len(won) == 1
    assert won[0].taken_over is not None and won[0].taken_over.holder == A
    with demo() as s:
        stored = lease.lease_of(s, cid)
    assert stored is not None and stored.holder == won[0].holder


# --- the till carries its shift -------------------------------------------------------------


def shift_till(factory: Factory, user: str = "kasir1") -> Till:
    """kasir1's till at K01 with the shift it opened, as the window builds it after login."""
    with factory.begin() as s:
        till = make_till(s, "K01", user)
        shift = open_shift(s, till.counter_id, till.user_id, 200_000, now=NOW)
    return replace(till, shift_id=shift.id)


def sell(factory: Factory, till: Till) -> str:
    with factory.begin() as s:
        cart = Cart()
        view = add_by_barcode(s, cart, MAKARONI)
        return checkout(s, till, cart, cash(view.total), now=NOW).receipt_number


def test_a_till_with_its_shift_sells(demo: Factory) -> None:
    till = shift_till(demo)
    assert sell(demo, till).startswith("K01-")


def test_a_sale_on_a_shift_changed_underneath_is_refused(demo: Factory) -> None:
    """Another window closed kasir1's shift and kasir2 opened one: kasir1's sale is not booked
    to kasir2's drawer."""
    till = shift_till(demo)
    kasir2 = user_id(demo, "kasir2")
    with demo.begin() as s:
        assert till.shift_id is not None
        close_shift(s, till.shift_id, 200_000, kasir2, approval=SPV, now=NOW)
        reopened = open_shift(s, till.counter_id, kasir2, 100_000, now=NOW)
    before = snapshot(demo)
    with pytest.raises(ShiftChanged) as refused:
        sell(demo, till)
    assert isinstance(refused.value, StaleShift)  # the window parks the cart and logs out
    message = refused.value.message
    assert message.startswith(f"Shift #{till.shift_id} di meja K01 sudah ditutup; ")
    assert f"shift #{reopened.id} ({reopened.cashier_name})" in message
    assert snapshot(demo) == before
    # A till without a shift of its own (the command line) still takes whichever is open.
    assert sell(demo, replace(till, shift_id=None)).startswith("K01-")


def test_a_sale_on_a_shift_closed_underneath_is_refused(demo: Factory) -> None:
    till = shift_till(demo)
    with demo.begin() as s:
        assert till.shift_id is not None
        close_shift(s, till.shift_id, 200_000, till.user_id, now=NOW)
    before = snapshot(demo)
    with pytest.raises(ShiftChanged, match=f"Shift #{till.shift_id} di meja K01 sudah ditutup"):
        sell(demo, till)
    assert snapshot(demo) == before


def test_a_deactivated_cashier_cannot_sell(demo: Factory) -> None:
    till = shift_till(demo)
    with demo.begin() as s:
        s.execute(update(User).where(User.id == till.user_id).values(active=False))
    before = snapshot(demo)
    with pytest.raises(CashierInactive) as refused:
        sell(demo, till)
    assert refused.value.message.startswith(f"Akun kasir {till.user_name} sudah dinonaktifkan")
    assert not isinstance(refused.value, StaleShift)
    assert snapshot(demo) == before
    with demo.begin() as s:  # the rule itself, without a shift of its own either
        with pytest.raises(CashierInactive):
            open_shift_for(s, replace(till, shift_id=None), NOW)
        assert current_shift(s, till.counter_id) is not None  # the shift is left as it was


def test_open_shift_for_is_one_statement(demo: Factory) -> None:
    from sqlalchemy import event

    till = shift_till(demo)
    statements: list[str] = []
    with demo.begin() as s:
        conn = s.connection()
        event.listen(conn, "before_cursor_execute", lambda *a: statements.append(a[2]))
        shift = open_shift_for(s, till, NOW)
    assert shift.id == till.shift_id
    assert len(statements) == 1


def test_a_lease_of_a_dead_process_on_the_same_host_is_taken_at_once(demo: Factory) -> None:
    """A till restarted after a crash: with `pid_alive`, a fresh lease of a process gone from
    this host is taken over; of another host, or without the check, it is not."""
    take(demo, A, host="kasir-depan", pid=4242)

    def gone(pid: int) -> bool:
        return pid != 4242

    with pytest.raises(TillBusy), demo.begin() as s:  # another host: its pids are not ours
        acquire_lease(s, k01(s), B, host="kasir-belakang", pid=1, now=later(1), pid_alive=gone)
    with pytest.raises(TillBusy), demo.begin() as s:  # no check: wait for the stale limit
        acquire_lease(s, k01(s), B, host="kasir-depan", pid=1, now=later(1))
    with demo.begin() as s:
        got = acquire_lease(s, k01(s), B, host="kasir-depan", pid=1, now=later(1), pid_alive=gone)
    assert got.taken_over is not None and got.taken_over.pid == 4242
    assert lease.takeover_note(got) == (
        "Meja ini diambil alih dari kasir-depan (proses 4242), yang berhenti menjawab sejak 10:00."
    )
    with pytest.raises(TillBusy), demo.begin() as s:  # B's process is alive: B keeps it
        acquire_lease(s, k01(s), A, host="kasir-depan", pid=4242, now=later(2), pid_alive=gone)


def test_local_pid_alive() -> None:
    import os
    import subprocess
    import sys

    assert lease.local_pid_alive(os.getpid())
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait(timeout=30)
    assert not lease.local_pid_alive(done.pid) or sys.platform == "win32"
