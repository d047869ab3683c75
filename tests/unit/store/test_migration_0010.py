"""Migration 0010: a 0009 store (users with the PBKDF2 PINs that code wrote) gets the lockout
columns and the audit_event index; its users log in (and are rehashed to argon2id), lock after
five wrong PINs, the journal verifies clean; the downgrade takes the columns away again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from kasir.errors import UserError
from kasir.services.auth import login
from kasir.services.demo import load_demo_data
from kasir.services.journal import verify
from kasir.store.engine import make_engine, make_session_factory, writing
from kasir.store.migrate import current_revision, downgrade, head_revision, upgrade

SALT = bytes(range(16))
PBKDF2_1111 = "pbkdf2_sha256$60000${}${}".format(
    SALT.hex(), hashlib.pbkdf2_hmac("sha256", b"1111", SALT, 60_000).hex()
)


@pytest.fixture
def store_0009(db_url: str) -> Iterator[Engine]:
    """A 0009 store with the demo data, kasir1's PIN hashed as the 0009 code did (PBKDF2)."""
    engine = make_engine(db_url)
    upgrade(engine, "0009")
    with engine.begin() as conn:
        load_demo_data(Session(bind=conn))
        conn.execute(
            text("UPDATE user_account SET pin_hash = :h WHERE username = 'kasir1'"),
            {"h": PBKDF2_1111},
        )
    assert current_revision(engine) == "0009"
    yield engine
    engine.dispose()


def user_columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("user_account")}


def test_upgrade_then_login_lockout_and_downgrade(store_0009: Engine) -> None:
    assert not {"failed_pins", "locked_until"} & user_columns(store_0009)
    upgrade(store_0009)
    assert current_revision(store_0009) == head_revision()
    assert {"failed_pins", "locked_until"} <= user_columns(store_0009)
    indexes = {i["name"] for i in inspect(store_0009).get_indexes("audit_event")}
    assert "ix_audit_event_entity_entity_id" in indexes
    factory = make_session_factory(store_0009)
    with factory() as s:
        rows = s.execute(text("SELECT failed_pins, locked_until FROM user_account")).all()
        assert set(rows) == {(0, None)}
    with writing(factory) as s:
        assert login(s, "kasir1", "1111").username == "kasir1"
    with factory() as s:
        stored = s.execute(
            text("SELECT pin_hash FROM user_account WHERE username = 'kasir1'")
        ).scalar_one()
        assert stored.startswith("$argon2id$")
    for _ in range(5):
        with pytest.raises(UserError), writing(factory) as s:
            login(s, "kasir2", "0000")
    with pytest.raises(UserError, match="terkunci"), writing(factory) as s:
        login(s, "kasir2", "1212")
    with factory() as s:
        assert verify(s, full=True).ok

    downgrade(store_0009, "0009")
    assert current_revision(store_0009) == "0009"
    assert not {"failed_pins", "locked_until"} & user_columns(store_0009)
    upgrade(store_0009)
    assert {"failed_pins", "locked_until"} <= user_columns(store_0009)
