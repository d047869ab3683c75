"""The screen lock's service (issue 18): journaled, and only the right PIN opens it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import ApprovalRequired, NotAllowed
from kasir.services import screen_lock
from kasir.services.auth import Approval
from kasir.services.catalog import ensure_counter
from kasir.services.journal import verify
from kasir.store.engine import writing
from kasir.store.models import AuditEvent, User

Factory = sessionmaker[Session]


def _ids(demo: Factory) -> tuple[int, int]:
    with demo.begin() as s:
        counter = ensure_counter(s, "K01")
        kasir = s.scalar(select(User.id).where(User.username == "kasir1"))
    assert kasir is not None
    return counter, kasir


def _events(demo: Factory) -> list[tuple[str, str, dict[str, object]]]:
    with demo() as s:
        return [
            (e.action, e.entity_id, json.loads(e.payload))
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_lock_and_unlock_by_the_cashier_are_journaled(demo: Factory) -> None:
    counter, kasir = _ids(demo)
    with writing(demo) as s:
        screen_lock.lock(s, kasir, counter_id=counter, reason="idle")
    with writing(demo) as s:
        who = screen_lock.unlock(s, kasir, Approval("1111", "kasir1"), counter_id=counter)
    assert who.username == "kasir1"
    assert _events(demo) == [
        ("screen_lock", "kasir1", {"reason": "idle"}),
        ("screen_unlock", "kasir1", {}),
    ]
    with demo() as s:
        assert verify(s).ok


def test_a_supervisor_opens_it_a_cashier_cannot(demo: Factory) -> None:
    counter, kasir = _ids(demo)
    with writing(demo) as s:
        screen_lock.unlock(s, kasir, Approval("2222", "spv1"), counter_id=counter)
    with pytest.raises(NotAllowed, match="hanya kasir1 sendiri"), writing(demo) as s:
        screen_lock.unlock(s, kasir, Approval("5555", "admin"), counter_id=counter)
    events = _events(demo)
    assert events[0] == ("screen_unlock", "kasir1", {"locked_by": "kasir1"})
    assert [e[0] for e in events[1:]] == ["refused"]


def test_wrong_pins_at_the_lock_count_towards_the_lockout(demo: Factory) -> None:
    counter, kasir = _ids(demo)
    for _ in range(4):
        with pytest.raises(ApprovalRequired, match="PIN kasir1 salah"), writing(demo) as s:
            screen_lock.unlock(s, kasir, Approval("9999", "kasir1"), counter_id=counter)
    with pytest.raises(ApprovalRequired, match="terkunci 15 menit"), writing(demo) as s:
        screen_lock.unlock(s, kasir, Approval("9999", "kasir1"), counter_id=counter)
    with pytest.raises(ApprovalRequired, match="terkunci sampai"), writing(demo) as s:
        screen_lock.unlock(s, kasir, Approval("1111", "kasir1"), counter_id=counter)
    with demo() as s:
        user = s.scalar(select(User).where(User.username == "kasir1"))
        assert user is not None and user.locked_until is not None
    # The supervisor still opens it.
    with writing(demo) as s:
        screen_lock.unlock(s, kasir, Approval("2222", "spv1"), counter_id=counter)
    actions = [e[0] for e in _events(demo)]
    assert actions.count("login_failed") == 6 and "locked" in actions
    assert actions[-1] == "screen_unlock"
