"""The sale window's screen lock (issue 18): who locked it, and who may open it again.

The cashier locks the window when stepping away (a key, or `screen_lock_minutes` without
activity); only that cashier's own PIN opens it, or a supervisor's or manager's username and
PIN. A wrong PIN counts towards the lockout like a login's (`auth.verify_user_pin`). Both the
lock and the unlock are journaled events ("screen_lock", "screen_unlock"); a refusal is
journaled although nothing else is written.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kasir.errors import NotAllowed, UserError
from kasir.services import journal
from kasir.services.auth import APPROVER_ROLES, Approval, UserView, get_user, verify_user_pin

LOCK_REASONS = ("key", "idle")


def lock(session: Session, user_id: int, *, counter_id: int | None, reason: str = "key") -> None:
    """Journal that `user_id` locked the counter's window (`reason`: "key" or "idle")."""
    if reason not in LOCK_REASONS:
        raise ValueError(f"screen lock reason: {reason!r}")
    user = get_user(session, user_id)
    journal.record_event(
        session,
        "screen_lock",
        user_id=user.id,
        counter_id=counter_id,
        entity="user",
        entity_id=user.username,
        detail={"reason": reason},
    )


def _refused(exc: UserError, user_id: int, counter_id: int | None) -> UserError:
    def record(session: Session) -> None:
        journal.record_event(
            session,
            "refused",
            user_id=user_id,
            counter_id=counter_id,
            entity="permission",
            entity_id="screen_unlock",
            detail={"what": "screen_unlock"},
        )

    exc.afterwards = record
    return exc


def unlock(
    session: Session, locked_by: int, credentials: Approval, *, counter_id: int | None
) -> UserView:
    """The user who opens the window locked by `locked_by`: that user, or a supervisor or
    manager, whose username and PIN these are. Journaled; a wrong PIN is counted."""
    owner = get_user(session, locked_by)
    user = verify_user_pin(
        session,
        credentials.username or owner.username,
        credentials.pin,
        counter_id=counter_id,
        what="login",
        missing="Ketik PIN Anda, lalu Enter.",
    )
    if user.id != owner.id and user.role not in APPROVER_ROLES:
        raise _refused(
            NotAllowed(
                f"{user.full_name} tidak dapat membuka layar {owner.full_name}: hanya "
                f"{owner.username} sendiri, atau supervisor atau manajer."
            ),
            user.id,
            counter_id,
        )
    detail = {} if user.id == owner.id else {"locked_by": owner.username}
    journal.record_event(
        session,
        "screen_unlock",
        user_id=user.id,
        counter_id=counter_id,
        entity="user",
        entity_id=owner.username,
        detail=detail,
    )
    return get_user(session, user.id)
