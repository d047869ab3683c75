"""Log-in with PINs and supervisor approvals, on the demo users."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import ApprovalRequired, UserError, ValidationError
from kasir.services.auth import (
    Approval,
    check_approval,
    create_user,
    hash_pin,
    list_users,
    login,
)
from kasir.services.demo import DEMO_USERS
from kasir.store.models import User

APPROVERS = [u for u in DEMO_USERS if u[2] in ("supervisor", "manajer")]
NON_APPROVERS = [u for u in DEMO_USERS if u[2] not in ("supervisor", "manajer")]


@pytest.mark.parametrize(
    ("username", "full_name", "role", "pin"),
    [u[:4] for u in DEMO_USERS],
    ids=[u[0] for u in DEMO_USERS],
)
def test_demo_users_log_in_with_their_pin(
    demo_sqlite: sessionmaker[Session], username: str, full_name: str, role: str, pin: str
) -> None:
    with demo_sqlite() as s:
        user = login(s, username, pin)
        assert (user.username, user.full_name, user.role) == (username, full_name, role)
        assert user.can_approve == (role in ("supervisor", "manajer"))
        # The user name is not case sensitive; surrounding blanks are ignored.
        assert login(s, f" {username.upper()} ", pin) == user


def test_one_demo_user_per_role(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        roles = {u.role for u in list_users(s)}
    assert roles == {"kasir", "supervisor", "manajer", "gudang"}


def test_pins_are_not_stored_in_clear(demo_sqlite: sessionmaker[Session]) -> None:
    with demo_sqlite() as s:
        stored = s.scalars(select(User.pin_hash)).all()
    assert len(set(stored)) == len(stored) == len(DEMO_USERS)
    assert all(h.startswith("pbkdf2_sha256$") for h in stored)
    assert not {u[3] for u in DEMO_USERS} & {part for h in stored for part in h.split("$")}


@pytest.mark.parametrize(
    ("username", "pin"),
    [("kasir1", "2222"), ("kasir1", ""), ("kasir1", "11111"), ("tidakada", "1111"), ("", "")],
)
def test_wrong_pin_or_user_is_refused(demo: sessionmaker[Session], username: str, pin: str) -> None:
    with demo() as s, pytest.raises(UserError) as info:
        login(s, username, pin)
    # The same Indonesian message either way: it does not reveal which user names exist.
    assert str(info.value) == "Nama pengguna atau PIN salah."


def test_inactive_user_cannot_log_in(demo_sqlite: sessionmaker[Session]) -> None:
    with demo_sqlite.begin() as s:
        s.scalars(select(User).where(User.username == "kasir2")).one().active = False
    with demo_sqlite() as s, pytest.raises(UserError):
        login(s, "kasir2", "1212")


@pytest.mark.parametrize(("username", "role", "pin"), [(u[0], u[2], u[3]) for u in APPROVERS])
def test_supervisor_and_manager_pins_approve(
    demo: sessionmaker[Session], username: str, role: str, pin: str
) -> None:
    with demo() as s:
        approver = check_approval(s, Approval(pin), "Pembatalan transaksi")
        assert (approver.username, approver.role) == (username, role)
        assert check_approval(s, Approval(pin, username.upper()), "Retur").username == username


@pytest.mark.parametrize(("username", "pin"), [(u[0], u[3]) for u in NON_APPROVERS])
def test_cashier_and_warehouse_pins_do_not_approve(
    demo_sqlite: sessionmaker[Session], username: str, pin: str
) -> None:
    with demo_sqlite() as s:
        with pytest.raises(ApprovalRequired, match=r"PIN supervisor salah\. Retur tidak disetujui"):
            check_approval(s, Approval(pin), "Retur")
        with pytest.raises(ApprovalRequired):
            check_approval(s, Approval(pin, username), "Retur")


def test_approver_pin_with_another_name_is_refused(demo_sqlite: sessionmaker[Session]) -> None:
    spv_pin = next(u[3] for u in DEMO_USERS if u[0] == "spv1")
    with demo_sqlite() as s, pytest.raises(ApprovalRequired):
        check_approval(s, Approval(spv_pin, "manajer"), "Diskon")


@pytest.mark.parametrize("approval", [None, Approval(""), Approval("", "spv1")])
def test_missing_approval_is_required(
    demo_sqlite: sessionmaker[Session], approval: Approval | None
) -> None:
    with (
        demo_sqlite() as s,
        pytest.raises(ApprovalRequired, match="Diskon memerlukan persetujuan supervisor"),
    ):
        check_approval(s, approval, "Diskon")


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "١٢٣٤"])
def test_pin_shape_is_checked(pin: str) -> None:
    with pytest.raises(ValidationError, match="PIN harus 4 sampai 8 angka"):
        hash_pin(pin)


def test_create_user_refuses_duplicates_and_unknown_roles(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        create_user(s, "Kasir9", "Nur", "kasir", "9999")
    with factory.begin() as s:
        with pytest.raises(UserError, match="sudah dipakai"):
            create_user(s, "kasir9", "Nur Lagi", "kasir", "9998")
        with pytest.raises(ValidationError, match="Peran"):
            create_user(s, "bos", "Bos", "direktur", "9997")
    with factory() as s:
        assert login(s, "kasir9", "9999").full_name == "Nur"
