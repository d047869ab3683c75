"""Log-in, PINs, lockout and supervisor approvals, on the demo users (issue 18)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import ApprovalRequired, NotAllowed, UserError, ValidationError
from kasir.services.auth import (
    Approval,
    check_approval,
    create_user,
    hash_pin,
    list_users,
    login,
)
from kasir.services.demo import DEMO_USERS
from kasir.services.journal import verify
from kasir.settings import set_setting
from kasir.store.engine import writing
from kasir.store.models import AuditEvent, JournalEntry, User
from kasir.timeutil import utcnow

Factory = sessionmaker[Session]
APPROVERS = [u for u in DEMO_USERS if u[2] in ("supervisor", "manajer")]
NON_APPROVERS = [u for u in DEMO_USERS if u[2] not in ("supervisor", "manajer")]


@pytest.mark.parametrize(
    ("username", "full_name", "role", "pin"),
    [u[:4] for u in DEMO_USERS],
    ids=[u[0] for u in DEMO_USERS],
)
def test_demo_users_log_in_with_their_pin(
    demo_sqlite: Factory, username: str, full_name: str, role: str, pin: str
) -> None:
    with demo_sqlite() as s:
        user = login(s, username, pin)
        assert (user.username, user.full_name, user.role) == (username, full_name, role)
        assert user.can_approve == (role in ("supervisor", "manajer"))
        # The user name is not case sensitive; surrounding blanks are ignored.
        assert login(s, f" {username.upper()} ", pin) == user


def test_one_demo_user_per_role(demo: Factory) -> None:
    with demo() as s:
        roles = {u.role for u in list_users(s)}
    assert roles == {"kasir", "supervisor", "manajer", "gudang", "admin"}


def test_pins_are_hashed_with_argon2id_and_salted(demo_sqlite: Factory) -> None:
    with demo_sqlite() as s:
        stored = s.scalars(select(User.pin_hash)).all()
    assert len(set(stored)) == len(stored) == len(DEMO_USERS)
    assert all(h.startswith("$argon2id$") for h in stored)
    assert not any(u[3] in h for u in DEMO_USERS for h in stored)
    # The same PIN twice: two hashes (salted).
    assert hash_pin("246810") != hash_pin("246810")


def test_an_older_pbkdf2_hash_still_logs_in_and_is_replaced(demo_sqlite: Factory) -> None:
    salt = secrets.token_bytes(16)
    old = "pbkdf2_sha256$60000${}${}".format(
        salt.hex(), hashlib.pbkdf2_hmac("sha256", b"1111", salt, 60_000).hex()
    )
    with demo_sqlite.begin() as s:
        s.execute(update(User).where(User.username == "kasir1").values(pin_hash=old))
    with writing(demo_sqlite) as s:
        assert login(s, "kasir1", "1111").username == "kasir1"
    with demo_sqlite() as s:
        assert s.scalar(select(User.pin_hash).where(User.username == "kasir1")).startswith(
            "$argon2id$"
        )


@pytest.mark.parametrize(
    ("username", "pin"),
    [("tidakada", "1111"), ("", ""), ("x" * 500, "1111")],
)
def test_an_unknown_user_is_refused(demo: Factory, username: str, pin: str) -> None:
    with demo() as s, pytest.raises(UserError) as info:
        login(s, username, pin)
    assert str(info.value) == "Nama pengguna atau PIN salah."


@pytest.mark.parametrize("pin", ["2222", "", "11111", "1" * 200, "abcd", "١١١١"])
def test_a_wrong_pin_is_refused_and_says_what_is_left(demo_sqlite: Factory, pin: str) -> None:
    with pytest.raises(UserError) as info, writing(demo_sqlite) as s:
        login(s, "kasir1", pin)
    assert str(info.value) == (
        "Nama pengguna atau PIN salah. Sisa 4 kali lagi sebelum kasir1 dikunci."
    )
    with demo_sqlite() as s:
        event = s.scalars(select(AuditEvent)).one()
        assert (event.action, event.entity_id) == ("login_failed", "kasir1")
        assert pin not in event.payload or not pin


def test_inactive_user_cannot_log_in(demo_sqlite: Factory) -> None:
    with demo_sqlite.begin() as s:
        s.scalars(select(User).where(User.username == "kasir2")).one().active = False
    with demo_sqlite() as s, pytest.raises(UserError, match="Nama pengguna atau PIN salah"):
        login(s, "kasir2", "1212")


def _try_login(factory: Factory, username: str, pin: str) -> str:
    try:
        with writing(factory) as s:
            login(s, username, pin)
    except UserError as exc:
        return exc.message
    return "ok"


def test_five_wrong_pins_lock_the_user_until_the_time_is_up(demo_sqlite: Factory) -> None:
    said = [_try_login(demo_sqlite, "kasir1", "0000") for _ in range(5)]
    assert said[0].endswith("Sisa 4 kali lagi sebelum kasir1 dikunci.")
    assert said[3].endswith("Sisa 1 kali lagi sebelum kasir1 dikunci.")
    assert said[4].endswith("kasir1 sekarang terkunci 15 menit.")
    # The right PIN does not open a locked user; nor does it count as a try.
    locked = _try_login(demo_sqlite, "kasir1", "1111")
    assert locked.startswith("Siti Rahmawati terkunci sampai ") and "PIN salah" in locked
    # Another user is not affected.
    assert _try_login(demo_sqlite, "kasir2", "1212") == "ok"
    with demo_sqlite() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["login_failed"] * 5 + ["locked", "login_failed", "login"]
        assert verify(s).ok
    # Once the lockout time is over, the right PIN logs in and the count starts again.
    with demo_sqlite.begin() as s:
        s.execute(
            update(User)
            .where(User.username == "kasir1")
            .values(locked_until=utcnow() - dt.timedelta(seconds=1))
        )
    assert _try_login(demo_sqlite, "kasir1", "1111") == "ok"
    assert _try_login(demo_sqlite, "kasir1", "0000").endswith(
        "Sisa 4 kali lagi sebelum kasir1 dikunci."
    )


def test_the_lockout_limit_and_time_are_settings(demo_sqlite: Factory) -> None:
    with demo_sqlite.begin() as s:
        set_setting(s, "pin_max_tries", 3)
        set_setting(s, "pin_lockout_minutes", 2)
    said = [_try_login(demo_sqlite, "kasir2", "0000") for _ in range(3)]
    assert said[-1].endswith("kasir2 sekarang terkunci 2 menit.")
    with demo_sqlite() as s:
        until = s.scalar(select(User.locked_until).where(User.username == "kasir2"))
    assert until is not None
    assert dt.timedelta(minutes=1) < until - utcnow() <= dt.timedelta(minutes=2)


def test_a_good_pin_resets_the_count(demo_sqlite: Factory) -> None:
    for _ in range(4):
        _try_login(demo_sqlite, "kasir1", "0000")
    assert _try_login(demo_sqlite, "kasir1", "1111") == "ok"
    assert _try_login(demo_sqlite, "kasir1", "0000").endswith(
        "Sisa 4 kali lagi sebelum kasir1 dikunci."
    )


# --- approvals -------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "role", "pin"), [(u[0], u[2], u[3]) for u in APPROVERS])
def test_supervisor_and_manager_approve_with_their_name_and_pin(
    demo: Factory, username: str, role: str, pin: str
) -> None:
    with demo.begin() as s:
        approver = check_approval(s, Approval(pin, username.upper()), "Retur", kind="refund")
        assert (approver.username, approver.role) == (username, role)
    with demo() as s:
        event = s.scalars(select(AuditEvent)).one()
        assert (event.action, event.user_id) == ("approval", approver.id)
        assert json.loads(event.payload)["action"] == "Retur"
        assert pin not in event.payload


@pytest.mark.parametrize(("username", "pin"), [(u[0], u[3]) for u in NON_APPROVERS])
def test_cashier_warehouse_and_admin_do_not_approve(
    demo_sqlite: Factory, username: str, pin: str
) -> None:
    refused = pytest.raises(ApprovalRequired, match="tidak berwenang menyetujui: Retur")
    with refused, writing(demo_sqlite) as s:
        check_approval(s, Approval(pin, username), "Retur")
    with demo_sqlite() as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["approval_refused"]


def test_an_approval_names_its_approver_the_pin_is_tried_against_that_one_only(
    demo_sqlite: Factory,
) -> None:
    with demo_sqlite() as s:
        # spv1's PIN given with the manager's name: wrong, counted against the manager.
        with pytest.raises(ApprovalRequired, match=r"PIN manajer salah\. Sisa 4"):
            check_approval(s, Approval("2222", "manajer"), "Diskon")
        # No name: the PIN is not tried against every supervisor.
        with pytest.raises(ApprovalRequired, match="Ketik nama pengguna supervisor"):
            check_approval(s, Approval("2222"), "Diskon")


def test_the_approver_is_never_the_one_asking(demo_sqlite: Factory) -> None:
    with demo_sqlite() as s:
        spv = s.scalar(select(User.id).where(User.username == "spv1"))
        with pytest.raises(ApprovalRequired, match="tidak boleh menyetujui transaksinya sendiri"):
            check_approval(s, Approval("2222", "spv1"), "Diskon 90%", requester_id=spv)


def test_wrong_approval_pins_lock_the_approver(demo_sqlite: Factory) -> None:
    for _ in range(5):
        with pytest.raises(ApprovalRequired), writing(demo_sqlite) as s:
            check_approval(s, Approval("0000", "spv1"), "Diskon")
    with pytest.raises(ApprovalRequired, match="terkunci sampai"), writing(demo_sqlite) as s:
        check_approval(s, Approval("2222", "spv1"), "Diskon")
    with demo_sqlite() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["approval_refused"] * 5 + ["locked", "approval_refused"]


@pytest.mark.parametrize("approval", [None, Approval(""), Approval("", "spv1")])
def test_missing_approval_is_required(demo_sqlite: Factory, approval: Approval | None) -> None:
    with (
        demo_sqlite() as s,
        pytest.raises(ApprovalRequired, match="Diskon memerlukan persetujuan supervisor"),
    ):
        check_approval(s, approval, "Diskon")


def test_a_refused_action_writes_nothing_but_its_journal_entry(demo_sqlite: Factory) -> None:
    with demo_sqlite() as s:
        users_before = s.scalar(select(func.count()).select_from(User))
    with pytest.raises(ApprovalRequired), writing(demo_sqlite) as s:
        create_user(s, "tamu", "Tamu", "kasir", "135791")  # written, then refused:
        check_approval(s, Approval("0000", "spv1"), "Diskon")
    with demo_sqlite() as s:
        assert s.scalar(select(func.count()).select_from(User)) == users_before
        assert s.scalar(select(func.count()).select_from(JournalEntry)) == 1
        assert verify(s).ok


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("12345", "PIN harus 6 sampai 12 angka"),
        ("1234567890123", "PIN harus 6 sampai 12 angka"),
        ("12a456", "PIN hanya boleh berisi angka"),
        ("", "PIN wajib diisi"),
        ("١٢٣٤٥٦", "PIN hanya boleh berisi angka"),
    ],
)
def test_a_new_pin_is_six_to_twelve_digits(pin: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        hash_pin(pin)


def test_create_user_refuses_duplicates_and_unknown_roles(factory: Factory) -> None:
    with factory.begin() as s:
        create_user(s, "Kasir9", "Nur", "kasir", "909090")
    with factory.begin() as s:
        with pytest.raises(UserError, match="sudah dipakai"):
            create_user(s, "kasir9", "Nur Lagi", "kasir", "909091")
        with pytest.raises(ValidationError, match="Peran"):
            create_user(s, "bos", "Bos", "direktur", "909092")
        with pytest.raises(ValidationError, match="Nama pengguna: huruf"):
            create_user(s, "bos besar", "Bos", "kasir", "909093")
    with factory() as s:
        assert login(s, "kasir9", "909090").full_name == "Nur"


def test_a_pin_never_shows_in_a_repr() -> None:
    assert "2222" not in repr(Approval("2222", "spv1"))
    assert "2222" not in str(Approval("2222", "spv1"))


def test_a_locked_login_is_journaled_and_not_counted(demo_sqlite: Factory) -> None:
    with demo_sqlite.begin() as s:
        s.execute(
            update(User)
            .where(User.username == "kasir1")
            .values(locked_until=utcnow() + dt.timedelta(minutes=5))
        )
    with pytest.raises(NotAllowed, match="terkunci"), writing(demo_sqlite) as s:
        login(s, "kasir1", "1111")
    with demo_sqlite() as s:
        event = s.scalars(select(AuditEvent)).one()
        assert (event.action, json.loads(event.payload)) == ("login_failed", {"reason": "locked"})
