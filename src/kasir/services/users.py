"""Managing users and the store's settings (issue 18): the checked doors.

Each change is made by a manager or an administrator who gives their own username and PIN
(`kasir.services.permissions.authenticate`), and is journaled with who made it (never a
PIN). A manager manages cashiers, supervisors and stock staff; managers and administrators
are managed by an administrator. Nobody disables themselves, and the last active
administrator stays. The first administrator of an empty store needs no one
(`first_admin`), and only then.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kasir.domain.vocab import Role
from kasir.errors import NotAllowed, NotFound, ValidationError
from kasir.services import journal
from kasir.services.auth import (
    Approval,
    UserView,
    count_users,
    create_user,
    hash_pin,
    list_users,
    role_label,
)
from kasir.services.permissions import authenticate
from kasir.settings import SETTINGS, definition, get_setting, set_setting
from kasir.store.models import User

_ADMIN_MANAGED = frozenset({Role.ADMIN.value, Role.MANAJER.value})


def needs_first_admin(session: Session) -> bool:
    """True for a store with no user at all: the app asks for its first administrator."""
    return count_users(session) == 0


def first_admin(session: Session, username: str, full_name: str, pin: str) -> UserView:
    """The first administrator of a store that has no user (no built-in default PIN)."""
    if not needs_first_admin(session):
        raise NotAllowed(
            "Toko ini sudah punya pengguna; administrator baru ditambahkan oleh administrator."
        )
    user = create_user(session, username, full_name, Role.ADMIN.value, pin)
    journal.record_event(
        session, "first_admin", user_id=user.id, entity="user", entity_id=user.username
    )
    return user


def _may_manage(actor: UserView, role: str) -> None:
    if role in _ADMIN_MANAGED and actor.role != Role.ADMIN.value:
        raise NotAllowed(
            f"Akun {role_label(role)} hanya dapat dikelola oleh administrator "
            f"({actor.full_name} adalah {role_label(actor.role)})."
        )


def _target(session: Session, username: str) -> User:
    user = session.scalar(
        select(User).where(User.username == username.strip().lower()).with_for_update()
    )
    if user is None:
        raise NotFound(f"Pengguna {username.strip()!r} tidak ada.")
    return user


def add_user(
    session: Session,
    actor: Approval | None,
    username: str,
    full_name: str,
    role: str,
    pin: str,
    nip: str | None = None,
    *,
    counter_id: int | None = None,
) -> UserView:
    by = authenticate(session, actor, "users", counter_id=counter_id, what="add")
    _may_manage(by, role)
    user = create_user(session, username, full_name, role, pin, nip)
    journal.record_event(
        session,
        "user_added",
        user_id=by.id,
        counter_id=counter_id,
        entity="user",
        entity_id=user.username,
        detail={"role": role, "full_name": user.full_name},
    )
    return user


def set_active(
    session: Session,
    actor: Approval | None,
    username: str,
    active: bool,
    *,
    counter_id: int | None = None,
) -> UserView:
    by = authenticate(session, actor, "users", counter_id=counter_id, what="disable")
    user = _target(session, username)
    _may_manage(by, user.role)
    if not active and user.id == by.id:
        raise NotAllowed("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if not active and user.role == Role.ADMIN.value and user.active:
        admins = session.scalar(
            select(func.count()).where(User.role == Role.ADMIN.value, User.active)
        )
        if (admins or 0) <= 1:
            raise NotAllowed("Ini administrator aktif terakhir; tambahkan administrator lain dulu.")
    if bool(user.active) != active:
        user.active = active
        session.flush()
        journal.record_event(
            session,
            "user_enabled" if active else "user_disabled",
            user_id=by.id,
            counter_id=counter_id,
            entity="user",
            entity_id=user.username,
        )
    return next(u for u in list_users(session, with_inactive=True) if u.id == user.id)


def reset_pin(
    session: Session,
    actor: Approval | None,
    username: str,
    new_pin: str,
    *,
    counter_id: int | None = None,
) -> UserView:
    """A new PIN (at least 6 digits) for a user; it also ends their lockout."""
    by = authenticate(session, actor, "users", counter_id=counter_id, what="reset-pin")
    user = _target(session, username)
    if user.id != by.id:
        _may_manage(by, user.role)
    user.pin_hash = hash_pin(new_pin)
    user.failed_pins, user.locked_until = 0, None
    session.flush()
    journal.record_event(
        session,
        "pin_reset",
        user_id=by.id,
        counter_id=counter_id,
        entity="user",
        entity_id=user.username,
    )
    return next(u for u in list_users(session, with_inactive=True) if u.id == user.id)


def change_setting(
    session: Session,
    actor: Approval | None,
    key: str,
    value: Any,
    *,
    counter_id: int | None = None,
) -> Any:
    """Change a store setting (checked; the normalised value), journaled with the old and
    the new value."""
    known = {s.key for s in SETTINGS}
    if key not in known:  # refused before the PIN is tried
        raise ValidationError(f"Pengaturan {key!r} tidak ada ({', '.join(sorted(known))}).")
    sdef = definition(key)
    checked = sdef.check(value)
    by = authenticate(session, actor, "settings", counter_id=counter_id, what=key)
    old = get_setting(session, key)
    if old == checked:
        return checked
    set_setting(session, key, checked)
    journal.record_event(
        session,
        "setting",
        user_id=by.id,
        counter_id=counter_id,
        entity="setting",
        entity_id=key,
        detail={"old": sdef.to_json(old), "new": sdef.to_json(checked)},
    )
    return checked
