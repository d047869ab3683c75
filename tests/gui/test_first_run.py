"""First run: a store without users asks for its first administrator, then the login."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from form_keys import type_enter, wait_visible
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kasir.config import Config
from kasir.gui.app import CounterApp, Store, open_store
from kasir.services.auth import count_users
from kasir.store.models import AuditEvent, User

WAIT_MS = 3000


@pytest.fixture
def empty_store(sqlite_url: str) -> Iterator[Store]:
    opened = open_store(Config(database_url=sqlite_url, counter="K01"))
    yield opened
    opened.ops.factory.kw["bind"].dispose()


@pytest.fixture
def first_run(qtbot: QtBot, empty_store: Store) -> Iterator[CounterApp]:
    app = CounterApp(empty_store)
    qtbot.addWidget(app.login)
    app.start()
    yield app
    for dialog in (app.first_admin, app.manager):
        if dialog is not None:
            dialog.done(0)
    app.heartbeat_timer.stop()
    app.printing.stop()
    app.ops.wait_idle()


def _users(store: Store) -> int:
    with store.ops.factory() as s:
        return count_users(s)


def test_no_users_asks_for_the_first_admin_and_refuses_bad_input(
    qtbot: QtBot, first_run: CounterApp, empty_store: Store
) -> None:
    dialog = wait_visible(qtbot, lambda: first_run.first_admin)
    assert not first_run.login.isVisible()
    assert dialog.username.hasFocus()  # type: ignore[attr-defined]
    # The PIN typed twice differently: said, nothing written.
    type_enter(qtbot, "admin", "Budi Santoso", "123456", "654321")
    assert "tidak sama" in dialog.error.text()  # type: ignore[attr-defined]
    assert dialog.pin.hasFocus() and dialog.pin.text() == ""  # type: ignore[attr-defined]
    # Too short for a new PIN (no built-in 4-digit default either).
    type_enter(qtbot, "1234", "1234")
    assert dialog.error.text() == "PIN harus 6 sampai 12 angka."  # type: ignore[attr-defined]
    assert dialog.isVisible() and _users(empty_store) == 0
    # A bad username: the service's message.
    dialog.username.setText("ad min")  # type: ignore[attr-defined]
    dialog.pin.setFocus()  # type: ignore[attr-defined]
    type_enter(qtbot, "246810", "246810")
    assert "Nama pengguna: huruf, angka" in dialog.error.text()  # type: ignore[attr-defined]
    assert _users(empty_store) == 0
    with empty_store.ops.factory() as s:
        assert s.scalars(select(AuditEvent.action)).all() == []


def test_the_first_admin_then_logs_in_to_pengelolaan(
    qtbot: QtBot, first_run: CounterApp, empty_store: Store
) -> None:
    dialog = wait_visible(qtbot, lambda: first_run.first_admin)
    type_enter(qtbot, "admin", "Budi Santoso", "246810", "246810")
    login = wait_visible(qtbot, lambda: first_run.login)
    assert not dialog.isVisible() and first_run.first_admin is None
    assert "Administrator admin dibuat" in login.error.text()  # type: ignore[attr-defined]
    with empty_store.ops.factory() as s:
        admin = s.scalars(select(User)).one()
        assert (admin.username, admin.full_name, admin.role) == ("admin", "Budi Santoso", "admin")
        assert s.scalars(select(AuditEvent.action)).all() == ["first_admin"]
    # The username is filled in, the PIN has the focus: the administrator's login opens the
    # Pengelolaan (an administrator opens no till).
    assert login.pin.hasFocus()  # type: ignore[attr-defined]
    type_enter(qtbot, "246810")
    menu = wait_visible(qtbot, lambda: first_run.manager)
    assert menu.users_button.isEnabled()  # type: ignore[attr-defined]
    assert first_run.shift_dialog is None and first_run.window is None
