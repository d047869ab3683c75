"""Every permission of the README's table, refused through the services for every role that
lacks it and allowed for every role that has it (issue 18): neither the window nor the command
line can go around them, because the services themselves check."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from store_helpers import NOW, Factory, make_till

from kasir.errors import ApprovalRequired, NotAllowed, UserError
from kasir.services import permissions, users
from kasir.services.auth import Approval, check_approval
from kasir.services.demo import DEMO_USERS
from kasir.services.shifts import open_shift
from kasir.store.engine import writing
from kasir.store.models import AuditEvent, Setting, User

PIN = {u[0]: u[3] for u in DEMO_USERS}
ROLE = {u[0]: u[2] for u in DEMO_USERS}
WHO = sorted(PIN)


def creds(username: str) -> Approval:
    return Approval(PIN[username], username)


def attempt(permission: str, username: str, s: object) -> object:
    """Do what `permission` allows, as `username`, through the service that does it."""
    session = s  # a Session
    if permission == "sell":
        till = make_till(session, user=username)  # type: ignore[arg-type]
        return open_shift(session, till.counter_id, till.user_id, 0, now=NOW)  # type: ignore[arg-type]
    if permission == "approve":
        return check_approval(session, creds(username), "Void struk X")  # type: ignore[arg-type]
    if permission == "settings":
        return users.change_setting(session, creds(username), "tax_rate_pct", "12")  # type: ignore[arg-type]
    if permission == "users":
        return users.add_user(session, creds(username), "baru", "Pengguna Baru", "kasir", "135792")  # type: ignore[arg-type]
    if permission == "audit":
        uid = session.scalar(select(User.id).where(User.username == username))  # type: ignore[attr-defined]
        return permissions.require(session, uid, "audit")  # type: ignore[arg-type]
    if permission == "close_day":
        from kasir.services.settlement import close_day

        return close_day(session, NOW.date(), creds(username), now=NOW)  # type: ignore[arg-type]
    raise AssertionError(permission)


CASES = [(p, u) for p in permissions.PERMISSIONS for u in WHO]


@pytest.mark.parametrize(("permission", "username"), CASES, ids=[f"{p}-{u}" for p, u in CASES])
def test_each_permission_for_each_role(
    demo_sqlite: Factory, permission: str, username: str
) -> None:
    may = permissions.allowed(ROLE[username], permission)
    with demo_sqlite() as s:
        settings_before = s.execute(select(Setting.key, Setting.value)).all()
        users_before = s.scalar(select(func.count()).select_from(User))
    if may:
        with writing(demo_sqlite) as s:
            assert attempt(permission, username, s) is not None
        return
    with pytest.raises((NotAllowed, ApprovalRequired)) as info, writing(demo_sqlite) as s:
        attempt(permission, username, s)
    assert isinstance(info.value, UserError)
    assert "tidak berwenang" in info.value.message or "tidak boleh" in info.value.message
    with demo_sqlite() as s:  # nothing changed but (for some) the refusal's record
        assert s.execute(select(Setting.key, Setting.value)).all() == settings_before
        assert s.scalar(select(func.count()).select_from(User)) == users_before
        actions = set(s.scalars(select(AuditEvent.action)))
        assert actions <= {"refused", "approval_refused"}


def test_the_table_is_what_the_issue_asks() -> None:
    roles = {p.key: p.roles for p in permissions.PERMISSIONS.values()}
    assert roles["settings"] == roles["users"] == {"manajer", "admin"}
    assert roles["approve"] == {"supervisor", "manajer"}
    assert roles["sell"] == {"kasir", "supervisor", "manajer"}
    assert "kasir" not in roles["audit"] and "gudang" not in roles["audit"]
    assert roles["close_day"] == {"manajer", "admin"}
