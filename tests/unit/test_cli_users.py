"""`kasir user ...` and `kasir settings KEY VALUE --user`: the first administrator, who may
manage whom, PINs asked for on standard input (never on the command line), all journaled."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from kasir.cli import main
from kasir.services.journal import verify
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import AuditEvent, JournalEntry, Setting, User


def kasir(argv: list[str], pins: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(pins))
    try:
        return main(argv)
    except SystemExit as exit_info:
        return int(exit_info.code or 0)


@pytest.fixture
def new_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'toko.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    return url


def events(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            assert verify(s).ok
            return [(e.action, e.entity_id) for e in s.scalars(select(AuditEvent))]
    finally:
        engine.dispose()


def test_a_new_store_asks_for_its_first_administrator(
    new_store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", new_store]
    assert main([*db, "user", "list"]) == 0
    assert "Belum ada pengguna" in capsys.readouterr().out
    # Not a cashier first; not a short PIN; not two different PINs.
    assert kasir([*db, "user", "add", "ani", "Ani", "--role", "kasir"], "", monkeypatch) == 1
    assert "administrator pertama" in capsys.readouterr().err
    assert (
        kasir([*db, "user", "add", "bos", "Bu Bos", "--role", "admin"], "1234\n1234\n", monkeypatch)
        == 1
    )
    assert "PIN harus 6 sampai 12 angka" in capsys.readouterr().err
    assert (
        kasir(
            [*db, "user", "add", "bos", "Bu Bos", "--role", "admin"],
            "135790\n135791\n",
            monkeypatch,
        )
        == 1
    )
    assert "tidak sama" in capsys.readouterr().err
    assert events(new_store) == []
    assert (
        kasir(
            [*db, "user", "add", "bos", "Bu Bos", "--role", "admin"],
            "135790\n135790\n",
            monkeypatch,
        )
        == 0
    )
    # Now the store has a user: another needs an administrator's or manager's PIN.
    assert kasir([*db, "user", "add", "ani", "Ani", "--role", "kasir"], "", monkeypatch) == 1
    assert "--user" in capsys.readouterr().err
    assert (
        kasir(
            [*db, "user", "add", "ani", "Ani", "--role", "kasir", "--user", "bos"],
            "135790\n246802\n246802\n",
            monkeypatch,
        )
        == 0
    )
    assert main([*db, "user", "list"]) == 0
    out = capsys.readouterr().out
    assert "bos" in out and "Administrator" in out and "ani" in out and "Kasir" in out
    assert events(new_store) == [("first_admin", "bos"), ("user_added", "ani")]


@pytest.fixture
def demo_store(tmp_path: Path, _demo_template: Path) -> str:
    path = tmp_path / "demo.db"
    shutil.copy(_demo_template, path)
    return f"sqlite:///{path}"


def setting_rows(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            return {r.key: r.value for r in s.scalars(select(Setting))}
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("user", "pin", "refusal"),
    [
        (None, "", "--user"),
        ("kasir1", "1111", "Siti Rahmawati (Kasir) tidak berwenang mengubah pengaturan"),
        ("spv1", "2222", "Budi Santoso (Supervisor) tidak berwenang mengubah pengaturan"),
        ("gudang", "4444", "tidak berwenang mengubah pengaturan"),
        ("manajer", "0000", "PIN manajer salah. Sisa 4 kali lagi"),
        ("manajer", "", "ketik nama pengguna dan PIN Anda"),
        ("siapa", "3333", "Pengguna 'siapa' tidak ada atau tidak aktif"),
    ],
)
def test_a_setting_is_changed_only_by_a_manager_or_admin_with_their_pin(
    demo_store: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    user: str | None,
    pin: str,
    refusal: str,
) -> None:
    db = ["--db", demo_store]
    before = setting_rows(demo_store)
    who = [] if user is None else ["--user", user]
    assert (
        kasir([*db, "settings", "discount_approval_pct", "100", *who], f"{pin}\n", monkeypatch) == 1
    )
    err = capsys.readouterr().err
    assert refusal in err and len(err.splitlines()) == 1
    assert pin not in err or not pin
    assert setting_rows(demo_store) == before
    # Nothing written but the refusal's journal entry (none when nobody was named).
    assert all(
        action in ("refused", "approval_refused", "login_failed")
        for action, _ in events(demo_store)
    )


@pytest.mark.parametrize(("user", "pin"), [("manajer", "3333"), ("admin", "5555")])
def test_a_manager_or_admin_changes_a_setting_journaled_with_old_and_new(
    demo_store: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    user: str,
    pin: str,
) -> None:
    db = ["--db", demo_store]
    argv = [*db, "settings", "discount_approval_pct", "25", "--user", user]
    assert kasir(argv, f"{pin}\n", monkeypatch) == 0
    assert "discount_approval_pct = 25" in capsys.readouterr().out
    engine = make_engine(demo_store)
    try:
        with make_session_factory(engine)() as s:
            event = s.scalars(select(AuditEvent)).one()
            who = s.scalar(select(User.username).where(User.id == event.user_id))
            assert (event.action, event.entity_id, who) == (
                "setting",
                "discount_approval_pct",
                user,
            )
            assert json.loads(event.payload) == {"old": '"10"', "new": '"25"'}
            assert pin not in event.payload
            entry = s.scalars(select(JournalEntry)).one()
            assert (entry.kind, entry.doc_id) == ("event", event.id)
    finally:
        engine.dispose()


def test_disable_enable_and_reset_pin(
    demo_store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", demo_store]
    # A manager does not manage an administrator, nor another manager.
    assert kasir([*db, "user", "disable", "admin", "--user", "manajer"], "3333\n", monkeypatch) == 1
    assert "hanya dapat dikelola oleh administrator" in capsys.readouterr().err
    # A supervisor manages nobody.
    assert kasir([*db, "user", "disable", "kasir2", "--user", "spv1"], "2222\n", monkeypatch) == 1
    assert "tidak berwenang menambah, menonaktifkan" in capsys.readouterr().err
    assert (
        kasir([*db, "user", "disable", "kasir2", "--user", "manajer"], "3333\n", monkeypatch) == 0
    )
    assert kasir([*db, "user", "disable", "admin", "--user", "admin"], "5555\n", monkeypatch) == 1
    assert "akun Anda sendiri" in capsys.readouterr().err
    capsys.readouterr()
    assert main([*db, "user", "list"]) == 0
    assert "kasir2" in (listing := capsys.readouterr().out) and "nonaktif" in listing
    assert kasir([*db, "user", "enable", "kasir2", "--user", "manajer"], "3333\n", monkeypatch) == 0
    # Five wrong PINs lock kasir1; a reset gives a new PIN (6 digits) and ends the lockout.
    for _ in range(5):
        kasir([*db, "settings", "tax_rate_pct", "11", "--user", "kasir1"], "0000\n", monkeypatch)
    capsys.readouterr()
    assert main([*db, "user", "list"]) == 0
    assert "terkunci" in capsys.readouterr().out
    reset = [*db, "user", "reset-pin", "kasir1", "--user", "manajer"]
    assert kasir(reset, "3333\n1234\n1234\n", monkeypatch) == 1
    assert "PIN harus 6 sampai 12 angka" in capsys.readouterr().err
    assert kasir(reset, "3333\n864200\n864200\n", monkeypatch) == 0
    capsys.readouterr()
    assert main([*db, "user", "list"]) == 0
    assert "terkunci" not in capsys.readouterr().out
    actions = [a for a, _ in events(demo_store)]
    assert actions.count("user_disabled") == 1 and actions.count("user_enabled") == 1
    assert "locked" in actions and actions[-1] == "pin_reset"


def test_pins_never_reach_the_log_the_journal_or_a_message(
    demo_store: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = ["--db", demo_store]
    secret, wrong = "918273645", "564738291"
    kasir(
        [*db, "user", "add", "rina", "Rina", "--role", "kasir", "--user", "admin"],
        f"5555\n{secret}\n{secret}\n",
        monkeypatch,
    )
    kasir([*db, "settings", "tax_rate_pct", "12", "--user", "admin"], f"{wrong}\n", monkeypatch)
    kasir(
        [*db, "user", "reset-pin", "rina", "--user", "admin"],
        f"{wrong}\n{secret}\n{secret}\n",
        monkeypatch,
    )
    kasir(
        [*db, "user", "reset-pin", "rina", "--user", "admin"],
        f"5555\n{wrong}\n{secret}\n",
        monkeypatch,
    )
    out, err = capsys.readouterr()
    engine = make_engine(demo_store)
    try:
        with make_session_factory(engine)() as s:
            stored = [
                *(f"{e.action} {e.entity_id} {e.payload}" for e in s.scalars(select(AuditEvent))),
                *(f"{j.ref} {j.digest}" for j in s.scalars(select(JournalEntry))),
            ]
    finally:
        engine.dispose()
    # The process's log file (set up once per process, wherever the first command put it).
    import logging

    files = [
        Path(h.baseFilename)
        for h in logging.getLogger().handlers
        if getattr(h, "_kasir", False) and isinstance(h, logging.FileHandler)
    ]
    for h in logging.getLogger().handlers:
        h.flush()
    logs = "".join(p.read_text() for p in files if p.exists())
    assert "user rina added" in logs
    for pin in (secret, wrong):
        assert pin not in out + err
        assert pin not in logs
        assert not any(pin in text for text in stored)
