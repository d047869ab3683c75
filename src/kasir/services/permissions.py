"""Who may do what (issue 18): one table, checked in the services, so that neither the window
nor the command line can go around it.

`PERMISSIONS` is the table the README shows. A service that acts for a logged-in user calls
`require(session, user_id, permission)`; one that acts for whoever types a username and PIN
(the command line, a manager's screen) calls `authenticate(session, credentials, permission)`:
the PIN is counted like a login's (lockout), and a refusal is journaled although nothing else
is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kasir.domain.vocab import Role
from kasir.errors import NotAllowed, NotFound, UserError
from kasir.services import journal
from kasir.services.auth import (
    APPROVER_ROLES,
    SELLER_ROLES,
    Approval,
    UserView,
    get_user,
    role_label,
    verify_user_pin,
)

MANAGERS = frozenset({Role.MANAJER.value, Role.ADMIN.value})


@dataclass(frozen=True)
class Permission:
    key: str
    label: str  # Indonesian, for messages and the README's table
    roles: frozenset[str]


_ALL = (
    Permission("sell", "membuka kasir dan berjualan", SELLER_ROLES),
    Permission(
        "approve",
        "menyetujui diskon di atas batas, ubah harga, void, retur, buka laci, tutup shift "
        "kasir lain (bukan transaksinya sendiri)",
        APPROVER_ROLES,
    ),
    Permission("settings", "mengubah pengaturan toko (dengan PIN sendiri)", MANAGERS),
    Permission(
        "users",
        "menambah, menonaktifkan pengguna dan mengatur ulang PIN (dengan PIN sendiri; akun "
        "administrator dan manajer hanya oleh administrator)",
        MANAGERS,
    ),
    Permission(
        "audit", "melihat jurnal audit dan memeriksanya", MANAGERS | {Role.SUPERVISOR.value}
    ),
    # Issue 19: the day close and its deposit data (kasir.services.settlement).
    Permission(
        "close_day",
        "menutup hari (laporan setoran PNBP harian) dan mencatat data setorannya",
        MANAGERS,
    ),
)
PERMISSIONS = {p.key: p for p in _ALL}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission].roles


def refusal_message(user: UserView, permission: str) -> str:
    p = PERMISSIONS[permission]
    who = ", ".join(role_label(r) for r in sorted(p.roles))
    return (
        f"{user.full_name} ({role_label(user.role)}) tidak berwenang {p.label}. "
        f"Yang berwenang: {who}."
    )


def _refuse(user: UserView, permission: str, counter_id: int | None, what: str) -> UserError:
    exc = NotAllowed(refusal_message(user, permission))

    def record(session: Session) -> None:
        journal.record_event(
            session,
            "refused",
            user_id=user.id,
            counter_id=counter_id,
            entity="permission",
            entity_id=permission,
            detail={"what": what},
        )

    exc.afterwards = record
    return exc


def require(
    session: Session,
    user_id: int | None,
    permission: str,
    *,
    counter_id: int | None = None,
    what: str = "",
) -> UserView:
    """The user, when their role has `permission`; else NotAllowed (journaled)."""
    if user_id is None:
        raise NotAllowed("Masuk dulu dengan akun yang berwenang.")
    try:
        user = get_user(session, user_id)
    except NotFound:
        raise NotAllowed("Pengguna ini tidak ada lagi; masuk lagi.") from None
    if not user.active:
        raise NotAllowed(f"{user.full_name} sudah dinonaktifkan.")
    if not allowed(user.role, permission):
        raise _refuse(user, permission, counter_id, what)
    return user


def authenticate(
    session: Session,
    credentials: Approval | None,
    permission: str,
    *,
    counter_id: int | None = None,
    what: str = "",
) -> UserView:
    """Whoever these username and PIN are of, when their role has `permission` (a wrong PIN
    counts towards the lockout; a refusal is journaled)."""
    label = PERMISSIONS[permission].label
    if credentials is None:
        raise NotAllowed(f"Untuk {label}: nama pengguna dan PIN manajer atau administrator.")
    user = verify_user_pin(
        session,
        credentials.username,
        credentials.pin,
        counter_id=counter_id,
        what="login",
        missing=f"Untuk {label}: ketik nama pengguna dan PIN Anda.",
    )
    return require(session, user.id, permission, counter_id=counter_id, what=what)
