"""Users, PINs, lockout and supervisor approvals (issue 18).

PINs are digits only, at least `NEW_PIN_MIN` long for a user made or reset now (the demo's
documented users keep their 4-digit PINs), hashed with argon2id (argon2-cffi), salted; a
PBKDF2 hash of an older store is still taken, and replaced by an argon2id one at that user's
next good PIN. `pin_max_tries` wrong PINs in a row, at the login or in an approval, lock the
user for `pin_lockout_minutes`. Every login, wrong PIN, lockout, approval and refusal is an
event in the journal (`kasir.services.journal.record_event`); a refusal is written although
the action is not (`kasir.errors.KasirError.afterwards`, `kasir.store.engine.writing`). A PIN
never goes into a message, a log line or the journal.

An approval names its approver (username and PIN): the PIN is tried against that one user,
never against every supervisor. The approver is never the user asking (the cashier of the
sale). Each approval is a record (an `approval` event: who, what, how much, when, for which
sale) that the checkout checks again (`kasir.services.approvals`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kasir.domain.vocab import Role, values
from kasir.errors import ApprovalRequired, NotAllowed, NotFound, UserError, ValidationError
from kasir.services import journal
from kasir.settings import get_setting
from kasir.store.models import User
from kasir.timeutil import local, utcnow

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
NEW_PIN_MIN = 6  # digits, for a user made or a PIN reset now
PIN_MAX = 12
# argon2id at the OWASP minimum (19 MiB, 2 passes): about 50 ms a PIN on the counter's PC,
# so a stolen store file gives up a 6-digit PIN in hours on one core, not seconds.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MAX_USERNAME = 64


def role_label(role: str) -> str:
    return next((text for key, text in ROLE_LABELS.items() if key == role), role)


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    role: str
    active: bool = True
    locked_until: dt.datetime | None = None

    @property
    def can_approve(self) -> bool:
        return self.role in APPROVER_ROLES

    @property
    def can_sell(self) -> bool:
        return self.role in SELLER_ROLES

    @property
    def role_label(self) -> str:
        return role_label(self.role)


def not_a_seller_message(full_name: str, role: str) -> str:
    """Why this user cannot open a till or sell (one text for the login and the services)."""
    return (
        f"{full_name} ({role_label(role)}) tidak boleh membuka kasir atau berjualan. Masuk "
        "dengan akun kasir, supervisor atau manajer."
    )


@dataclass(frozen=True)
class Approval:
    """An approver's username and PIN given for one action; checked by the service."""

    pin: str
    username: str | None = None

    def __repr__(self) -> str:  # never the PIN, in a log line or a traceback
        return f"Approval(username={self.username!r}, pin=***)"


# --- PINs ------------------------------------------------------------------------------------


def check_pin_shape(pin: str, minimum: int = NEW_PIN_MIN) -> None:
    """A PIN of `minimum` to PIN_MAX digits; the Indonesian reason otherwise."""
    if not pin:
        raise ValidationError("PIN wajib diisi.")
    if not (pin.isascii() and pin.isdigit()):
        raise ValidationError("PIN hanya boleh berisi angka.")
    if not minimum <= len(pin) <= PIN_MAX:
        raise ValidationError(f"PIN harus {minimum} sampai {PIN_MAX} angka.")


def hash_pin(pin: str, minimum: int = NEW_PIN_MIN) -> str:
    check_pin_shape(pin, minimum)
    return _HASHER.hash(pin)


def _pbkdf2_matches(pin: str, stored: str) -> bool:
    try:
        algo, iterations, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
        rounds = int(iterations)
    except ValueError:
        return False
    if algo != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, rounds)
    return hmac.compare_digest(digest.hex(), digest_hex)


def _pin_matches(pin: str, user: User) -> bool:
    """Whether `pin` is the user's; an older hash is replaced by an argon2id one on a match."""
    if not pin or len(pin) > PIN_MAX or not (pin.isascii() and pin.isdigit()):
        return False
    stored = user.pin_hash
    if stored.startswith("pbkdf2_sha256$"):
        if not _pbkdf2_matches(pin, stored):
            return False
        user.pin_hash = _HASHER.hash(pin)
        return True
    try:
        _HASHER.verify(stored, pin)
    except (VerificationError, InvalidHashError):
        return False
    if _HASHER.check_needs_rehash(stored):
        user.pin_hash = _HASHER.hash(pin)
    return True


def _view(user: User) -> UserView:
    return UserView(
        user.id, user.username, user.full_name, user.role, bool(user.active), user.locked_until
    )


# --- lockout ---------------------------------------------------------------------------------


def _locked(user: User, now: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _locked_message(user: User) -> str:
    assert user.locked_until is not None
    return (
        f"{user.full_name} terkunci sampai {local(user.locked_until):%H:%M} karena PIN salah "
        "berkali-kali. Tunggu, atau minta administrator mengatur ulang PIN."
    )


def _count_wrong_pin(
    session: Session, user_id: int | None, counter_id: int | None, what: str, tried: str
) -> str:
    """Count one wrong PIN (a new transaction: the refused one was rolled back); lock the
    user at the limit. What to tell them."""
    event = "login_failed" if what == "login" else "approval_refused"
    if user_id is None:
        journal.record_event(
            session,
            event,
            user_id=None,
            counter_id=counter_id,
            entity="user",
            entity_id=tried,
            detail={"reason": "unknown_user"},
        )
        return ""
    user = session.get(User, user_id, with_for_update=True)
    assert user is not None
    now = utcnow()
    tries = int(get_setting(session, "pin_max_tries"))
    user.failed_pins = (user.failed_pins or 0) + 1
    journal.record_event(
        session,
        event,
        user_id=user.id,
        counter_id=counter_id,
        entity="user",
        entity_id=user.username,
        detail={"reason": "wrong_pin", "failed": user.failed_pins},
    )
    if user.failed_pins < tries:
        return f" Sisa {tries - user.failed_pins} kali lagi sebelum {user.username} dikunci."
    minutes = int(get_setting(session, "pin_lockout_minutes"))
    user.locked_until = now + dt.timedelta(minutes=minutes)
    user.failed_pins = 0
    journal.record_event(
        session,
        "locked",
        user_id=user.id,
        counter_id=counter_id,
        entity="user",
        entity_id=user.username,
        detail={"minutes": minutes, "after": what},
    )
    return f" {user.username} sekarang terkunci {minutes} menit."


def _refusal(
    exc: UserError, user_id: int | None, counter_id: int | None, what: str, tried: str
) -> UserError:
    """`exc` with the wrong PIN counted (and said) after its transaction is rolled back."""

    def record(session: Session) -> None:
        _count_wrong_pin(session, user_id, counter_id, what, tried)

    exc.afterwards = record
    return exc


def _still_locked(exc: UserError, user: User, counter_id: int | None, what: str) -> UserError:
    """`exc` (a locked user tried), journaled but not counted."""
    user_id, username = user.id, user.username

    def record(session: Session) -> None:
        journal.record_event(
            session,
            "login_failed" if what == "login" else "approval_refused",
            user_id=user_id,
            counter_id=counter_id,
            entity="user",
            entity_id=username,
            detail={"reason": "locked"},
        )

    exc.afterwards = record
    return exc


def _good_pin(user: User) -> None:
    if user.failed_pins or user.locked_until is not None:
        user.failed_pins, user.locked_until = 0, None


def _tries_left(session: Session, user: User) -> str:
    left = int(get_setting(session, "pin_max_tries")) - (user.failed_pins or 0) - 1
    if left <= 0:
        minutes = int(get_setting(session, "pin_lockout_minutes"))
        return f" {user.username} sekarang terkunci {minutes} menit."
    return f" Sisa {left} kali lagi sebelum {user.username} dikunci."


# --- users -----------------------------------------------------------------------------------


def _clean_username(username: str) -> str:
    name = username.strip().lower()
    if not name:
        raise ValidationError("Nama pengguna wajib diisi.")
    if len(name) > 32 or not all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
        raise ValidationError(
            "Nama pengguna: huruf, angka, titik, garis bawah atau tanda minus, paling banyak 32."
        )
    return name


def create_user(
    session: Session,
    username: str,
    full_name: str,
    role: str,
    pin: str,
    nip: str | None = None,
    *,
    pin_min: int = NEW_PIN_MIN,
) -> UserView:
    """A new user (no permission check: `kasir.services.users.add_user` is the checked door;
    this one is for the demo data and the first administrator)."""
    username = _clean_username(username)
    if role not in ROLES:
        raise ValidationError(f"Peran tidak dikenal: {role!r}. Pilih: {', '.join(ROLES)}.")
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError("Nama lengkap wajib diisi.")
    if len(full_name) > 200:
        raise ValidationError("Nama lengkap paling banyak 200 huruf.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"Nama pengguna {username!r} sudah dipakai.")
    # Only these columns (the rest are the store's defaults): the demo data go into a store
    # at any revision the migration tests start from.
    session.flush()
    user_id = session.execute(
        insert(User)
        .values(
            username=username,
            full_name=full_name,
            role=role,
            pin_hash=hash_pin(pin, pin_min),
            nip=nip or None,
        )
        .returning(User.id)
    ).scalar_one()
    return UserView(int(user_id), username, full_name, role)


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def list_users(session: Session, *, with_inactive: bool = False) -> list[UserView]:
    query = select(User).order_by(User.username)
    if not with_inactive:
        query = query.where(User.active)
    return [_view(u) for u in session.scalars(query)]


def login(session: Session, username: str, pin: str, *, counter_id: int | None = None) -> UserView:
    """The user whose username and PIN these are, with the login journaled. A wrong PIN is
    counted (locking the user at the limit) and journaled although the login is refused."""
    name = username.strip().lower()[:MAX_USERNAME]
    user = session.scalar(select(User).where(User.username == name))
    if user is None or not user.active:
        raise _refusal(UserError("Nama pengguna atau PIN salah."), None, counter_id, "login", name)
    now = utcnow()
    if _locked(user, now):
        raise _still_locked(NotAllowed(_locked_message(user)), user, counter_id, "login")
    if not _pin_matches(pin, user):
        message = "Nama pengguna atau PIN salah." + _tries_left(session, user)
        raise _refusal(UserError(message), user.id, counter_id, "login", name)
    _good_pin(user)
    journal.record_event(
        session, "login", user_id=user.id, counter_id=counter_id, entity="user", entity_id=name
    )
    return _view(user)


def get_user(session: Session, user_id: int) -> UserView:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"Pengguna #{user_id} tidak ada.")
    return _view(user)


def verify_user_pin(
    session: Session,
    username: str | None,
    pin: str,
    *,
    counter_id: int | None,
    what: str,
    missing: str = "Ketik nama pengguna supervisor dan PIN-nya.",
) -> User:
    """The active, unlocked user whose PIN this is (`what`: "approval" or "login" for the
    count). Refusals are counted like a login's."""
    name = (username or "").strip().lower()[:MAX_USERNAME]
    if not name or not pin:
        raise ApprovalRequired(missing)
    user = session.scalar(select(User).where(User.username == name))
    if user is None or not user.active:
        raise _refusal(
            ApprovalRequired(f"Pengguna {name!r} tidak ada atau tidak aktif."),
            None,
            counter_id,
            what,
            name,
        )
    if _locked(user, utcnow()):
        raise _still_locked(ApprovalRequired(_locked_message(user)), user, counter_id, what)
    if not _pin_matches(pin, user):
        message = f"PIN {user.username} salah." + _tries_left(session, user)
        raise _refusal(ApprovalRequired(message), user.id, counter_id, what, name)
    _good_pin(user)
    return user


def check_approval(
    session: Session,
    approval: Approval | None,
    action: str,
    *,
    requester_id: int | None = None,
    counter_id: int | None = None,
    kind: str = "",
    sale_uuid: str = "",
    detail: Mapping[str, Any] | None = None,
    roles: frozenset[str] = APPROVER_ROLES,
    excluded: tuple[int, ...] = (),
) -> UserView:
    """The approver (a supervisor or manager, never `requester_id`) named in `approval` whose
    PIN it is; ApprovalRequired when there is none, with the refusal journaled. The approval
    is journaled as a record: who, `kind` and `action` (what, with its amounts), `detail`
    (how much), for which sale (`sale_uuid`) and who asked."""
    if approval is None or not approval.pin:
        raise ApprovalRequired(
            f"{action} memerlukan persetujuan supervisor (nama pengguna dan PIN).", action
        )
    try:
        user = verify_user_pin(
            session, approval.username, approval.pin, counter_id=counter_id, what="approval"
        )
    except ApprovalRequired as exc:
        exc.action = action
        exc.message = f"{exc.message} {action} tidak disetujui."
        exc.args = (exc.message,)
        raise
    if user.role not in roles:
        raise _refusal_event(
            ApprovalRequired(
                f"{user.full_name} ({role_label(user.role)}) tidak berwenang menyetujui: {action}.",
                action,
            ),
            user.id,
            counter_id,
            action,
        )
    if user.id == requester_id or user.id in excluded:
        raise _refusal_event(
            ApprovalRequired(
                f"{user.full_name} tidak boleh menyetujui transaksinya sendiri; minta "
                f"supervisor lain. {action} tidak disetujui.",
                action,
            ),
            user.id,
            counter_id,
            action,
        )
    journal.record_event(
        session,
        "approval",
        user_id=user.id,
        counter_id=counter_id,
        entity="sale" if sale_uuid else kind,
        entity_id=sale_uuid,
        detail={"kind": kind, "action": action, "requested_by": requester_id, **(detail or {})},
    )
    return _view(user)


def _refusal_event(exc: UserError, user_id: int, counter_id: int | None, action: str) -> UserError:
    """`exc`, journaled as a refused approval after its transaction is rolled back."""

    def record(session: Session) -> None:
        journal.record_event(
            session,
            "approval_refused",
            user_id=user_id,
            counter_id=counter_id,
            entity="approval",
            detail={"reason": "not_allowed", "action": action},
        )

    exc.afterwards = record
    return exc
