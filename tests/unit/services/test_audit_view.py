"""The audit view's listing of the journal (issue 18): newest first, filters, names."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.services import audit_view, journal
from kasir.services.auth import login
from kasir.services.catalog import ensure_counter
from kasir.services.shifts import open_shift
from kasir.store.models import User

Factory = sessionmaker[Session]
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 08:00 in Jakarta


def _user_id(s: Session, username: str) -> int:
    return int(s.scalar(select(User.id).where(User.username == username)) or 0)


@pytest.fixture
def journaled(demo: Factory) -> Factory:
    """A login at K01, a shift opened at K02, a setting change on the store's chain."""
    with demo.begin() as s:
        k01, k02 = ensure_counter(s, "K01"), ensure_counter(s, "K02")
        kasir, manajer = _user_id(s, "kasir1"), _user_id(s, "manajer")
        journal.record_event(s, "login", user_id=kasir, counter_id=k01, entity_id="kasir1", now=T0)
        journal.record_event(
            s,
            "setting",
            user_id=manajer,
            entity="setting",
            entity_id="pin_max_tries",
            detail={"old": 5, "new": 4},
            now=T0 + dt.timedelta(days=1),
        )
        open_shift(s, k02, kasir, 100_000)
    return demo


def test_entries_newest_first_with_indonesian_names(journaled: Factory) -> None:
    with journaled() as s:
        rows = audit_view.list_entries(s)
    assert [r.kind for r in rows] == ["shift_open", "setting", "login"]
    shift, setting, logged_in = rows
    assert (shift.chain, shift.name, shift.username) == ("K02", "Buka shift", "kasir1")
    assert (setting.chain, setting.name, setting.ref) == (
        journal.STORE_CHAIN,
        "Pengaturan diubah",
        "pin_max_tries",
    )
    assert setting.detail == "old: 5, new: 4" and setting.full_name
    assert (logged_in.chain, logged_in.seq, logged_in.name) == ("K01", 1, "Masuk")
    assert logged_in.detail == "" and logged_in.username == "kasir1"


def test_filters_by_chain_user_kind_and_dates(journaled: Factory) -> None:
    with journaled() as s:
        kasir, manajer = _user_id(s, "kasir1"), _user_id(s, "manajer")
        assert [r.kind for r in audit_view.list_entries(s, chain="K01")] == ["login"]
        assert [r.kind for r in audit_view.list_entries(s, user_id=manajer)] == ["setting"]
        assert [r.kind for r in audit_view.list_entries(s, user_id=kasir)] == [
            "shift_open",
            "login",
        ]
        assert [r.kind for r in audit_view.list_entries(s, kind="shift_open")] == ["shift_open"]
        assert [r.kind for r in audit_view.list_entries(s, kind="login")] == ["login"]
        assert audit_view.list_entries(s, kind="approval") == []
        since, until = audit_view.day_bounds(dt.date(2026, 3, 2), dt.date(2026, 3, 3))
        dated = audit_view.list_entries(s, since=since, until=until)
        assert [r.kind for r in dated] == ["setting", "login"]
        since, until = audit_view.day_bounds(dt.date(2026, 3, 2), dt.date(2026, 3, 2))
        assert [r.kind for r in audit_view.list_entries(s, since=since, until=until)] == ["login"]
        assert len(audit_view.list_entries(s, limit=2)) == 2
        assert audit_view.chains(s) == sorted(["K01", "K02", journal.STORE_CHAIN])
        with pytest.raises(ValueError):
            audit_view.list_entries(s, kind="nothing")


def test_day_bounds_are_jakarta_days() -> None:
    since, until = audit_view.day_bounds(dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    assert since == dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)
    assert until - since == dt.timedelta(days=1)


def test_a_login_and_its_wrong_pins_are_listed(demo: Factory) -> None:
    from kasir.errors import UserError
    from kasir.store.engine import writing

    with pytest.raises(UserError), writing(demo) as s:
        login(s, "kasir1", "0000")
    with demo.begin() as s:
        login(s, "kasir1", "1111")
    with demo() as s:
        rows = audit_view.list_entries(s)
    assert [(r.kind, r.name) for r in rows] == [
        ("login", "Masuk"),
        ("login_failed", "PIN salah saat masuk"),
    ]
    assert "wrong_pin" in rows[1].detail
