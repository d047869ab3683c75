"""One till per counter: a lease in the store, held by one running instance and kept alive by
its heartbeat.

A window takes its counter's lease when it starts (`acquire_lease`), renews it every
`HEARTBEAT_EVERY` (`heartbeat`) and gives it back on a clean exit (`release_lease`). A second
instance on the same counter, on this machine or another (PostgreSQL), is refused with a message
that names where the counter is in use and since when (`TillBusy`). An instance that died
without releasing (a crash, `kill -9`, a power cut) stops renewing: once its heartbeat is older
than `STALE_AFTER` the next instance takes its lease over, and the dead one, should it come back
(a machine woken from sleep), is refused at its next heartbeat (`LeaseLost`).

Race-free on both backends, without reading first and writing after: the lease is taken by
`INSERT ... ON CONFLICT DO NOTHING` (a free counter) or by an `UPDATE` whose WHERE says "still
mine or stale" (a stale one); the row count says who won. On PostgreSQL a second writer waits for
the first's row lock and re-checks the WHERE against the committed row, so of two instances
taking the same stale lease exactly one wins; on SQLite the unit of work is one writer at a time.

Times are the database server's clock on PostgreSQL (`now()`), so two machines whose clocks
disagree do not take each other's leases; on SQLite (one machine) the local clock.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kasir.errors import NotAllowed
from kasir.store.models import Counter, TillLease, User, table_of
from kasir.timeutil import local, utcnow

# The holder renews every 4 s; a lease not renewed for 30 s (seven beats missed) is stale.
# The beat is also how an idle counter notices a lost database within 5 s (the banner); the
# 30 s leave room for a slow unit of work or a database that was busy for a while (SQLite's
# busy wait is 15 s) without a live till losing its counter, and a crashed till's counter is
# free again half a minute after it died.
HEARTBEAT_EVERY = dt.timedelta(seconds=4)
STALE_AFTER = dt.timedelta(seconds=30)

_LEASE = table_of(TillLease)
_ATTEMPTS = 3  # a lease released or renewed between our statements: look again


class TillBusy(NotAllowed):
    """The counter's lease is held by another live instance."""


class LeaseLost(NotAllowed):
    """This instance no longer holds the counter's lease (taken over after it went silent)."""


@dataclass(frozen=True)
class Lease:
    """A counter's lease as held by one instance. `taken_over` is the stale lease this one
    replaced (an instance that died without releasing), for the log and the login screen."""

    counter_id: int
    holder: str
    host: str
    pid: int
    user_id: int | None
    acquired_at: dt.datetime
    heartbeat_at: dt.datetime
    taken_over: Lease | None = None


@dataclass(frozen=True)
class _Held:
    """A lease row as read for a message: with the counter code and the cashier's name."""

    lease: Lease
    counter_code: str
    user_name: str


def _now(session: Session, now: dt.datetime | None) -> dt.datetime:
    if now is not None:
        return now.astimezone(dt.UTC)
    if session.get_bind().dialect.name == "postgresql":
        server = session.scalar(select(func.now()))
        if isinstance(server, dt.datetime):
            return server.astimezone(dt.UTC)
    return utcnow()


def _insert(conn: Connection, values: dict[str, Any]) -> bool:
    """Take a free counter: one row inserted, or none when somebody holds (or just took) it."""
    dialect = conn.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = (
            postgresql.insert(_LEASE)
            .values(values)
            .on_conflict_do_nothing(index_elements=["counter_id"])
        )
    elif dialect == "sqlite":
        stmt = (
            sqlite.insert(_LEASE)
            .values(values)
            .on_conflict_do_nothing(index_elements=["counter_id"])
        )
    else:  # pragma: no cover - make_engine accepts only these two
        raise NotImplementedError(dialect)
    return conn.execute(stmt).rowcount == 1


def _held(conn: Connection, counter_id: int) -> _Held | None:
    row = conn.execute(
        select(
            _LEASE.c.holder,
            _LEASE.c.host,
            _LEASE.c.pid,
            _LEASE.c.user_id,
            _LEASE.c.acquired_at,
            _LEASE.c.heartbeat_at,
            Counter.code,
            User.full_name,
        )
        .join(Counter, Counter.id == _LEASE.c.counter_id)
        .outerjoin(User, User.id == _LEASE.c.user_id)
        .where(_LEASE.c.counter_id == counter_id)
    ).first()
    if row is None:
        return None
    lease = Lease(counter_id, row[0], row[1], row[2], row[3], row[4], row[5])
    return _Held(lease, row[6], row[7] or "")


def _counter_code(conn: Connection, counter_id: int) -> str:
    return conn.execute(select(Counter.code).where(Counter.id == counter_id)).scalar() or "?"


def _moment(moment: dt.datetime, now: dt.datetime) -> str:
    """14:02 today, 01-12-2026 14:02 on another day (Asia/Jakarta)."""
    there, here = local(moment), local(now)
    if there.date() == here.date():
        return f"{there:%H:%M}"
    return f"{there:%d-%m-%Y %H:%M}"


def _where(held: _Held) -> str:
    who = f", {held.user_name}" if held.user_name else ""
    return f"{held.lease.host or 'komputer lain'} (proses {held.lease.pid}{who})"


def _busy_message(held: _Held, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER) -> str:
    free_at = local(held.lease.heartbeat_at + stale_after)
    return (
        f"Meja {held.counter_code} sedang dipakai di {_where(held)} sejak "
        f"{_moment(held.lease.acquired_at, now)}; satu meja hanya untuk satu jendela Kasir. "
        f"Tutup Kasir di sana, atau pakai meja lain. Bila Kasir di sana sudah mati, meja ini "
        f"bebas {int(stale_after.total_seconds())} detik setelah tanda hidup terakhirnya "
        f"(pukul {free_at:%H:%M:%S})."
    )


def acquire_lease(
    session: Session,
    counter_id: int,
    holder: str,
    *,
    host: str,
    pid: int,
    user_id: int | None = None,
    now: dt.datetime | None = None,
    stale_after: dt.timedelta = STALE_AFTER,
    pid_alive: Callable[[int], bool] | None = None,
) -> Lease:
    """Take the counter's lease for `holder` (this instance's UUID), or raise `TillBusy`.

    A free counter is taken; so is one whose lease is `holder`'s own already (a restart of the
    same instance) or stale (no heartbeat for `stale_after`: an instance that died). With
    `pid_alive` (the window passes `local_pid_alive`), a lease held on this same `host` by a
    process that no longer exists is taken over at once: a till restarted after a crash does
    not wait for the stale limit."""
    moment = _now(session, now)
    stale_before = moment - stale_after
    conn = session.connection()
    values = {
        "counter_id": counter_id,
        "holder": holder,
        "host": host[:255],
        "pid": pid,
        "user_id": user_id,
        "acquired_at": moment,
        "heartbeat_at": moment,
    }
    mine = Lease(counter_id, holder, host[:255], pid, user_id, moment, moment)
    for _ in range(_ATTEMPTS):
        if _insert(conn, values):
            return mine
        held = _held(conn, counter_id)
        if held is None:
            continue  # released between the insert and the read: try the insert again
        takeable = or_(_LEASE.c.holder == holder, _LEASE.c.heartbeat_at < stale_before)
        if held.lease.holder != holder and held.lease.heartbeat_at >= stale_before:
            if not _dead_here(held.lease, host[:255], pid_alive):
                raise TillBusy(_busy_message(held, moment, stale_after))
            # Its process is gone: only it could renew the lease, so "still that holder's"
            # is the condition (of two instances taking it at once, the second finds ours).
            takeable = or_(takeable, _LEASE.c.holder == held.lease.holder)
        taken = conn.execute(
            update(_LEASE)
            .where(_LEASE.c.counter_id == counter_id, takeable)
            .values({k: v for k, v in values.items() if k != "counter_id"})
        ).rowcount
        if taken == 1:
            if held.lease.holder == holder:
                return mine
            return replace(mine, taken_over=held.lease)
        # Renewed or taken by another instance in between: read it again.
    held = _held(conn, counter_id)
    if held is not None:
        raise TillBusy(_busy_message(held, moment, stale_after))
    raise TillBusy(
        f"Meja {_counter_code(conn, counter_id)} sedang direbut jendela Kasir lain; coba lagi."
    )


def _dead_here(held: Lease, host: str, pid_alive: Callable[[int], bool] | None) -> bool:
    return (
        pid_alive is not None
        and bool(host)
        and held.host == host
        and held.pid > 0
        and not pid_alive(held.pid)
    )


def local_pid_alive(pid: int) -> bool:
    """Whether a process `pid` exists on this machine; True when it cannot be told (Windows,
    where `os.kill(pid, 0)` would end the process), so the lease then waits to go stale."""
    if sys.platform == "win32" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, run by another user
        return True
    return True


def takeover_note(lease: Lease) -> str:
    """For the login screen, when `lease` replaced one of an instance that had stopped."""
    old = lease.taken_over
    if old is None:
        return ""
    return (
        f"Meja ini diambil alih dari {old.host or 'komputer lain'} (proses {old.pid}), yang "
        f"berhenti menjawab sejak {_moment(old.heartbeat_at, lease.acquired_at)}."
    )


def _lost(conn: Connection, counter_id: int, now: dt.datetime) -> LeaseLost:
    held = _held(conn, counter_id)
    if held is None:
        return LeaseLost(
            f"Meja {_counter_code(conn, counter_id)} tidak lagi dipegang jendela ini; "
            "penjualan di sini dihentikan. Tutup Kasir lalu buka lagi."
        )
    return LeaseLost(
        f"Meja {held.counter_code} sudah diambil alih oleh {_where(held)} sejak "
        f"{_moment(held.lease.acquired_at, now)}, karena jendela ini lama tidak menjawab; "
        "penjualan di sini dihentikan. Tutup jendela ini."
    )


def heartbeat(
    session: Session, counter_id: int, holder: str, now: dt.datetime | None = None
) -> dt.datetime:
    """Renew `holder`'s lease; returns the time written. `LeaseLost` when the lease is no
    longer `holder`'s (another instance took it over after this one went silent)."""
    moment = _now(session, now)
    conn = session.connection()
    renewed = conn.execute(
        update(_LEASE)
        .where(_LEASE.c.counter_id == counter_id, _LEASE.c.holder == holder)
        .values(heartbeat_at=moment)
    ).rowcount
    if renewed != 1:
        raise _lost(conn, counter_id, moment)
    return moment


def set_lease_user(session: Session, counter_id: int, holder: str, user_id: int | None) -> None:
    """Who is logged in at the till (None after logging out): named when another instance is
    refused. `LeaseLost` when the lease is no longer `holder`'s."""
    conn = session.connection()
    changed = conn.execute(
        update(_LEASE)
        .where(_LEASE.c.counter_id == counter_id, _LEASE.c.holder == holder)
        .values(user_id=user_id)
    ).rowcount
    if changed != 1:
        raise _lost(conn, counter_id, _now(session, None))


def release_lease(session: Session, counter_id: int, holder: str) -> bool:
    """Give the counter back (a clean exit); False when `holder` did not hold it."""
    released = (
        session.connection()
        .execute(delete(_LEASE).where(_LEASE.c.counter_id == counter_id, _LEASE.c.holder == holder))
        .rowcount
    )
    return bool(released == 1)


def lease_of(session: Session, counter_id: int) -> Lease | None:
    """The counter's lease as stored, whoever holds it (None when the counter is free)."""
    held = _held(session.connection(), counter_id)
    return None if held is None else held.lease
