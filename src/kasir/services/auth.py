"""Users, PINs and supervisor approvals."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kasir.domain.vocab import Role, values
from kasir.errors import ApprovalRequired, NotFound, UserError, ValidationError
from kasir.store.models import User

ROLES = values(Role)  # the CHECK on user_account.role is made from the same enum
ROLE_LABELS = {
    Role.KASIR: "Kasir",
    Role.SUPERVISOR: "Supervisor",
    Role.MANAJER: "Manajer Toko",
    Role.GUDANG: "Staf Gudang",
    Role.ADMIN: "Administrator",
}
APPROVER_ROLES = frozenset({Role.SUPERVISOR.value, Role.MANAJER.value})
# Who may open a till and sell: not the stock staff (gudang) nor the administrator.
SELLER_ROLES = frozenset({Role.KASIR.value, Role.SUPERVISOR.value, Role.MANAJER.value})
_ITERATIONS = 60_000


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: str

    @property
    def can_approve(self) -> bool:
        return self.role in APPROVER_ROLES

    @property
    def can_sell(self) -> bool:
        return self.role in SELLER_ROLES


def not_a_seller_message(full_name: str, role: str) -> str:
    """Why this user cannot open a till or sell (one text for the login and the services)."""
    label = next((text for key, text in ROLE_LABELS.items() if key == role), role)
    return (
        f"{full_name} ({label}) tidak boleh membuka kasir atau berjualan. Masuk dengan akun "
        "kasir, supervisor atau manajer."
    )


@dataclass(frozen=True)
class Approval:
    """A supervisor's PIN (and optionally username) given for one action; checked by the service."""

    pin: str
    username: str | None = None


def hash_pin(pin: str) -> str:
    _check_pin_shape(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${salt.hex()}${digest.hex()}"


def _pin_matches(pin: str, stored: str) -> bool:
    try:
        algo, iterations, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if algo != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iterations))
    return hmac.compare_digest(digest.hex(), digest_hex)


def _check_pin_shape(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValidationError("PIN harus 4 sampai 8 angka.")


def _view(user: User) -> UserView:
    return UserView(user.id, user.username, user.full_name, user.role)


def create_user(
    session: Session, username: str, full_name: str, role: str, pin: str, nip: str | None = None
) -> UserView:
    username = username.strip().lower()
    if role not in ROLES:
        raise ValidationError(f"Peran tidak dikenal: {role!r}.")
    if not username:
        raise ValidationError("Nama pengguna wajib diisi.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"Nama pengguna {username!r} sudah dipakai.")
    user = User(username=username, full_name=full_name, role=role, pin_hash=hash_pin(pin), nip=nip)
    session.add(user)
    session.flush()
    return _view(user)


def list_users(session: Session) -> list[UserView]:
    rows = session.scalars(select(User).where(User.active).order_by(User.username))
    return [_view(u) for u in rows]


def login(session: Session, username: str, pin: str) -> UserView:
    user = session.scalar(
        select(User).where(User.username == username.strip().lower(), User.active)
    )
    if user is None or not _pin_matches(pin, user.pin_hash):
        raise UserError("Nama pengguna atau PIN salah.")
    return _view(user)


def get_user(session: Session, user_id: int) -> UserView:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"Pengguna #{user_id} tidak ada.")
    return _view(user)


def check_approval(session: Session, approval: Approval | None, action: str) -> UserView:
    """The supervisor (or manager) whose PIN this is; ApprovalRequired when there is none."""
    if approval is None or not approval.pin:
        raise ApprovalRequired(
            f"{action} memerlukan persetujuan supervisor (PIN supervisor).", action
        )
    query = select(User).where(User.active, User.role.in_(APPROVER_ROLES))
    if approval.username:
        query = query.where(User.username == approval.username.strip().lower())
    for user in session.scalars(query.order_by(User.id)):
        if _pin_matches(approval.pin, user.pin_hash):
            return _view(user)
    raise ApprovalRequired(f"PIN supervisor salah. {action} tidak disetujui.", action)
