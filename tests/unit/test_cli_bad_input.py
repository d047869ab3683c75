"""Bad input never ends in a traceback: one `kasir:` line, a non-zero exit, the store unchanged.

The store's fingerprint is the SHA-256 of its SQL dump (read-only connection), so "unchanged"
covers every table; a store that did not exist must still not exist, and nothing else may
appear in its folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kasir.cli import main
from kasir.errors import ValidationError
from kasir.services.catalog import ensure_counter
from kasir.store.models import Counter
from kasir.timeutil import business_date

DAY = "2026-11-20"


def fingerprint(path: Path) -> str:
    """SHA-256 of the store's dump, or "absent"; reading it changes nothing."""
    if not path.exists():
        return "absent"
    if path.stat().st_size == 0:
        return "empty file"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for statement in conn.iterdump():
            digest.update(statement.encode())
        return digest.hexdigest()
    finally:
        conn.close()


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_line_refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run `kasir argv` in-process; exit code non-zero, exactly one stderr line `kasir: ...`."""
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse's own refusal (exit code 2)
        code = int(exit_info.code or 0)
    out, err = capsys.readouterr()
    assert code != 0, out
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kasir: ")
    return lines[0]


@pytest.fixture
def store(tmp_path: Path, _demo_template: Path) -> Path:
    """A demo store (SQLite file) in its own folder."""
    folder = tmp_path / "toko"
    folder.mkdir()
    path = folder / "kasir.db"
    shutil.copy(_demo_template, path)
    return path


def db(path: Path) -> list[str]:
    return ["--db", f"sqlite:///{path}"]


MANAGER = ["--user", "manajer"]  # the demo's manager; the PIN comes on standard input


def manager_pin(monkeypatch: pytest.MonkeyPatch, times: int = 10) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("3333\n" * times))


# --- a store is created only on purpose ------------------------------------------------------

REFUSED_ON_A_NEW_PATH = [
    ["db", "check"],
    ["settings"],
    ["settings", "tax_rate_pct", "11"],
    ["settings", "tax_rate_pct", "500"],
    ["products", "export", "katalog.csv"],
    ["export", "--date", DAY, "--out", "ekspor"],
    ["simulate", "--date", DAY, "--sales", "5"],
    ["qris", "--amount", "1000"],
]


@pytest.mark.parametrize("argv", REFUSED_ON_A_NEW_PATH, ids=lambda a: " ".join(a))
def test_a_new_path_is_refused_and_nothing_is_created(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "baru" / "kasir.db"  # neither the folder nor the file exist
    line = one_line_refusal([*db(path), *argv], capsys)
    assert listing(tmp_path) == []  # no store, no folder, no export, no log
    if argv == ["settings", "tax_rate_pct", "500"]:
        assert "0 dan 100" in line  # the value is refused before any store is looked for
    else:
        assert str(path) in line and "kasir db upgrade" in line


def test_the_default_store_is_not_created_by_other_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = Path(os.environ["KASIR_DATA_DIR"])
    line = one_line_refusal(["db", "check"], capsys)
    assert "kasir db upgrade" in line
    assert not data.exists()


def test_a_bad_import_into_a_new_path_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "buruk.csv"
    bad.write_text("sku,name\nX,Y\n", encoding="utf-8")
    path = tmp_path / "baru.db"
    assert main([*db(path), "products", "import", str(bad)]) != 0
    err = capsys.readouterr().err
    assert err.startswith("kasir: ") and "Traceback" not in err
    assert listing(tmp_path) == ["buruk.csv"]


def test_a_zero_byte_file_is_not_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kasir.db"
    path.touch()
    for argv in (["db", "check"], ["demo-data"], ["db", "upgrade"], ["settings"]):
        line = one_line_refusal([*db(path), *argv], capsys)
        assert "0 byte" in line
    assert path.stat().st_size == 0 and listing(tmp_path) == ["kasir.db"]


def test_a_database_of_something_else_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lain.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE pelanggan (id INTEGER PRIMARY KEY, nama TEXT)")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    for argv in (["db", "upgrade"], ["demo-data"], ["settings"]):
        assert "tanpa skema Kasir" in one_line_refusal([*db(path), *argv], capsys)
    assert fingerprint(path) == before and listing(tmp_path) == ["lain.db"]


def test_a_file_that_is_no_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "catatan.db"
    path.write_text("bukan database\n" * 100)
    before = path.read_bytes()
    assert str(path) in one_line_refusal([*db(path), "db", "check"], capsys)
    assert path.read_bytes() == before


def test_an_empty_database_is_no_store(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """On each backend (an empty PostgreSQL database, a SQLite path not yet made)."""
    from sqlalchemy import text

    from kasir.store.engine import make_engine
    from kasir.store.open import StoreState, store_state

    for argv in (["settings"], ["db", "check"], ["export", "--date", DAY, "--out", "x"]):
        assert "kasir db upgrade" in one_line_refusal(["--db", db_url, *argv], capsys)
    assert store_state(db_url) is StoreState.MISSING  # not a table was made
    assert main(["--db", db_url, "db", "upgrade"]) == 0
    assert "toko baru dibuat" in capsys.readouterr().out
    assert store_state(db_url) is StoreState.KASIR
    engine = make_engine(db_url)
    with engine.begin() as conn:  # someone else's table next to no Kasir schema
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    assert "tanpa skema Kasir" in one_line_refusal(["--db", db_url, "db", "upgrade"], capsys)


def test_the_commands_that_create_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*db(tmp_path / "a" / "satu.db"), "db", "upgrade"]) == 0
    assert "toko baru dibuat" in capsys.readouterr().out
    assert main([*db(tmp_path / "b" / "dua.db"), "demo-data"]) == 0
    assert (tmp_path / "a" / "satu.db").stat().st_size > 0
    assert (tmp_path / "b" / "dua.db").stat().st_size > 0


def test_the_app_refuses_a_mistyped_store_but_not_its_first_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[bool] = []
    import kasir.gui.app

    monkeypatch.setattr(kasir.gui.app, "run_app", lambda config, demo: started.append(demo) or 0)
    line = one_line_refusal([*db(tmp_path / "salah-ketik.db")], capsys)
    assert "salah-ketik.db" in line and not started and listing(tmp_path) == []
    assert main([*db(tmp_path / "salah-ketik.db"), "--demo"]) == 0  # --demo may create
    assert main([]) == 0  # the first run on this machine: the default store may be created
    assert started == [True, False]


# --- input that is refused and changes nothing ------------------------------------------------

BAD_SETTINGS = [
    ("max_line_qty", "²"),
    ("max_line_qty", "١٠"),
    ("max_line_qty", "0"),
    ("max_line_qty", "3000000000"),
    ("max_line_qty", "10000000000000000000"),
    ("max_line_qty", "9" * 5000),
    ("max_line_qty", "-1"),
    ("tax_rate_pct", "500"),
    ("tax_rate_pct", "-1"),
    ("tax_rate_pct", "12.345"),
    ("tax_rate_pct", "1e-999999999"),
    ("tax_rate_pct", "NaN"),
    ("discount_approval_pct", "100.5"),
    ("store_name", "Toko\x00Lapas"),
    ("receipt_footer", "x" * 1001),
    ("oversell", "kadang"),
    ("tidak_ada", "1"),
]


@pytest.mark.parametrize(("key", "value"), BAD_SETTINGS)
def test_bad_settings_change_nothing(
    key: str, value: str, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(store)
    one_line_refusal([*db(store), "settings", key, value], capsys)
    assert fingerprint(store) == before


def test_bounded_settings_at_their_limits(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manager_pin(monkeypatch)
    for key, value in (
        ("max_line_qty", "1000000"),
        ("max_line_qty", "1"),
        ("tax_rate_pct", "100"),
        ("discount_approval_pct", "0"),
        ("tax_rate_pct", "11.5"),
    ):
        assert main([*db(store), "settings", key, value, *MANAGER]) == 0
        assert f"{key} = {value}" in capsys.readouterr().out
    before = fingerprint(store)
    one_line_refusal([*db(store), "settings", "max_line_qty", "1000001"], capsys)
    assert fingerprint(store) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["--counter", "", "settings"],
        ["--db", "", "settings"],
        ["--db", "  ", "settings"],
        ["--counter", "é1", "settings"],
        ["--counter", "K0١", "settings"],
        ["--counter", "K-01", "settings"],
        ["--counter", "K0123456789", "settings"],
        ["simulate", "--date", DAY, "--sales", "5", "--counter", "é1"],
        ["simulate", "--date", DAY, "--sales", "5", "--counter", ""],
        ["simulate", "--date", "20261120", "--sales", "5"],
        ["simulate", "--date", "2026-W47-5", "--sales", "5"],
        ["simulate", "--date", DAY, "--sales", "²"],
        ["simulate", "--date", DAY, "--sales", "5", "--counters", "100"],
        ["export", "--date", "20261120", "--out", "x"],
        ["export", "--date", DAY, "--out", ""],
        ["export", "--from", DAY, "--out", "x"],
        ["export", "--from", "2026-11-21", "--to", DAY, "--out", "x"],
        ["export", "--date", DAY, "--from", DAY, "--to", DAY, "--out", "x"],
        ["export", "--out", "x"],
        ["products", "export", ""],
        ["qris", "--amount", "1000", "--static", ""],
    ],
    ids=lambda a: " ".join(repr(x) if not x.strip() else x for x in a),
)
def test_bad_options_change_nothing(
    argv: list[str],
    store: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(store.parent)
    before, files = fingerprint(store), listing(store.parent)
    full = argv if argv[0] == "--db" else [*db(store), *argv]
    one_line_refusal(full, capsys)
    assert fingerprint(store) == before and listing(store.parent) == files


def test_an_export_folder_that_is_a_file(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = store.parent / "ekspor"
    taken.write_text("bukan folder")
    line = one_line_refusal([*db(store), "export", "--date", DAY, "--out", str(taken)], capsys)
    assert "sudah ada berkas" in line and "tetap utuh" in line
    assert taken.read_text() == "bukan folder"


def test_a_config_file_that_is_not_utf8(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Path(os.environ["KASIR_CONFIG"])
    config.write_bytes(b"\xff\xfedatabase_url = 'x'\n")
    assert "UTF-8" in one_line_refusal([*db(store), "settings"], capsys)
    config.write_bytes(b"database_url = \n")
    assert str(config) in one_line_refusal(["settings"], capsys)
    config.write_text('database_url = ""\n', encoding="utf-8")
    assert "database_url" in one_line_refusal(["settings"], capsys)
    config.write_text(f'database_url = "sqlite:///{store}"\ncounter = "é1"\n', encoding="utf-8")
    assert "é1" in one_line_refusal(["settings"], capsys)
    config.write_text(f'database_url = "sqlite:///{store}"\ncounter = "k07"\n', encoding="utf-8")
    assert main(["settings"]) == 0


def test_counter_codes_in_the_service(demo_sqlite: sessionmaker[Session]) -> None:
    with demo_sqlite.begin() as s:
        for bad in ("é1", "K0١", "", "K-01", "K 1", "ß", "K01234567"):
            with pytest.raises(ValidationError):
                ensure_counter(s, bad)
        assert ensure_counter(s, " k09 ") == ensure_counter(s, "K09")
        counter = s.get(Counter, ensure_counter(s, "K09"))
        assert counter is not None and counter.code == "K09"


def test_a_new_counter_code_is_created_once_under_a_race(
    demo: sessionmaker[Session],
) -> None:
    """Two machines use a new counter code at the same moment: one row, the same id for both.

    The first transaction inserts and holds its commit back; the second's insert has to wait
    for it (PostgreSQL) or cannot begin before it (SQLite), then finds the row."""
    inserted, ids, errors = threading.Event(), [], []

    def first() -> None:
        try:
            with demo.begin() as s:
                ids.append(ensure_counter(s, "K77"))
                inserted.set()
                time.sleep(0.5)
        except Exception as exc:  # reported below
            errors.append(exc)
            inserted.set()

    def second() -> None:
        inserted.wait(10)
        try:
            with demo.begin() as s:
                ids.append(ensure_counter(s, "K77"))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(ids) == 2 and ids[0] == ids[1]
    with demo() as s:
        from sqlalchemy import func, select

        assert s.scalar(select(func.count()).where(Counter.code == "K77")) == 1


# --- simulate: only on purpose, and never leaving a shift open ---------------------------------


def test_simulate_refuses_a_future_day(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(store)
    tomorrow = business_date() + dt.timedelta(days=1)
    line = one_line_refusal(
        [*db(store), "simulate", "--date", tomorrow.isoformat(), "--sales", "5"], capsys
    )
    assert "masa depan" in line and fingerprint(store) == before


def real_sale(path: Path, counter: str) -> None:
    """One sale rung up at the counter (not simulated), on DAY."""
    from kasir.domain.cart import Cart
    from kasir.domain.payment import PaymentInput
    from kasir.services import cart_edit, checkout, shifts
    from kasir.services.auth import login
    from kasir.store.engine import make_engine, make_session_factory

    now = dt.datetime.combine(dt.date.fromisoformat(DAY), dt.time(10), dt.UTC)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with make_session_factory(engine).begin() as s:
            user = login(s, "kasir1", "1111")
            till = shifts.Till(ensure_counter(s, counter), counter, user.id)
            shift = shifts.open_shift(s, till.counter_id, user.id, 0, now=now)
            cart = Cart()
            view = cart_edit.add_by_barcode(s, cart, "2000000100012")
            checkout.checkout(s, till, cart, [PaymentInput("tunai", view.total)], now=now)
            shifts.close_shift(s, shift.id, shifts.expected_cash(s, shift.id), user.id, now=now)
    finally:
        engine.dispose()


def test_simulate_refuses_a_counter_with_real_sales_unless_forced(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Simulated sales do not count: a demo day can be simulated again on the same counter.
    again = [*db(store), "simulate", "--date", DAY, "--sales", "4", "--counter", "K02"]
    assert main(again) == 0 and main(again) == 0
    assert capsys.readouterr().out.count("4 penjualan di 1 meja (K02)") == 2

    real_sale(store, "K03")
    argv = [*db(store), "simulate", "--date", DAY, "--sales", "4", "--counter", "K03"]
    before = fingerprint(store)
    line = one_line_refusal(argv, capsys)
    assert "K03" in line and "1 transaksi sungguhan" in line and "--force" in line
    assert fingerprint(store) == before
    line = one_line_refusal([*db(store), "simulate", "--date", DAY, "--sales", "4",
                             "--counters", "3"], capsys)  # fmt: skip
    assert "K03" in line and fingerprint(store) == before
    assert main([*argv, "--force"]) == 0
    assert "4 penjualan" in capsys.readouterr().out


def kasir_env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "KASIR_CONFIG": str(tmp_path / "tidak-ada.toml")}
    env["KASIR_DATA_DIR"] = os.environ["KASIR_DATA_DIR"]
    env.pop("KASIR_DATABASE_URL", None)
    return env


def shift_statuses(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT status FROM shift")]
    finally:
        conn.close()


def sale_count(path: Path, kind: str = "%") -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        query = "SELECT count(*) FROM sale WHERE kind LIKE ?"
        return int(conn.execute(query, (kind,)).fetchone()[0])
    finally:
        conn.close()


def test_simulate_interrupted_closes_its_shifts_and_says_so(store: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasir", *db(store), "simulate", "--date", DAY,
         "--sales", "20000", "--counters", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kasir_env(tmp_path),
        # As from a terminal: an earlier test of the suite may leave SIGINT ignored in this
        # process, and a child started so ignores Ctrl+C for good (Python keeps SIG_IGN).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while sale_count(store) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    # Ctrl+C (again every 2 s while it runs, should one land before the handler is set).
    proc.send_signal(signal.SIGINT)
    for _ in range(30):
        try:
            out, err = proc.communicate(timeout=2)
            break
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
    else:
        proc.kill()
        out, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err
    assert len(err.splitlines()) == 1 and err.startswith("kasir: dihentikan (Ctrl+C)")
    said = int(err.split("setelah ")[1].split()[0])
    assert said >= 5 and abs(said - sale_count(store, "sale")) <= 1  # Ctrl+C may hit a commit
    assert "2 shift ditutup" in out and "2 shift simulasi sudah ditutup" in err
    assert shift_statuses(store) == ["closed", "closed"]


def test_a_broken_pipe_after_the_work_ends_quietly(store: Path, tmp_path: Path) -> None:
    """`kasir simulate ... | true`: the sales are committed; no traceback for the lost report."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasir", *db(store), "simulate", "--date", DAY, "--sales", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=kasir_env(tmp_path),
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything is printed
    with proc.stderr:
        err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == "" and proc.returncode in (0, 141)
    assert sale_count(store) == 5 and shift_statuses(store) == ["closed"]


# --- the log never gets in the way ---------------------------------------------------------------


def run_kasir(
    env: dict[str, str], *argv: str, python: str = "", stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    how = ["-c", python] if python else ["-m", "kasir"]
    cmd = [sys.executable, *how, *argv]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=120, check=False, input=stdin
    )


# A bug in a command: its traceback goes to the log (which cannot be written), one line here.
BUG = """
import sys, kasir.cli as c
c.cmd_settings = lambda args, config: 1 // 0
sys.exit(c.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("where", ["folder under a file", "full disk"])
def test_an_unwritable_log_is_quiet(where: str, store: Path, tmp_path: Path) -> None:
    env = kasir_env(tmp_path)
    if where == "folder under a file":
        (tmp_path / "berkas").write_text("x")
        env["KASIR_DATA_DIR"] = str(tmp_path / "berkas" / "data")
    else:
        if not Path("/dev/full").exists():
            pytest.skip("no /dev/full on this system")
        data = tmp_path / "data"
        data.mkdir()
        (data / "kasir.log").symlink_to("/dev/full")  # every write: ENOSPC
        env["KASIR_DATA_DIR"] = str(data)
    changed = run_kasir(env, *db(store), "settings", "tax_rate_pct", "11", *MANAGER, stdin="3333\n")
    assert changed.returncode == 0 and changed.stderr == ""
    assert "tax_rate_pct = 11" in changed.stdout
    refused = run_kasir(env, *db(store), "settings", "max_line_qty", "²")
    assert refused.returncode == 1 and len(refused.stderr.splitlines()) == 1
    bug = run_kasir(env, *db(store), "settings", python=BUG)  # logs a traceback to the file
    assert bug.returncode == 2 and "Traceback" not in bug.stderr
    assert len(bug.stderr.splitlines()) == 1 and bug.stderr.startswith("kasir: kesalahan tak")


def test_an_import_with_a_bad_byte_names_its_line_and_changes_nothing(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file is streamed: the rows before the bad byte were read, yet nothing is stored."""
    bad = store.parent / "katalog.csv"
    good = "".join(f"ZZ-{i:04d},Barang {i},kerajinan,10000,LPP-TGR\n" for i in range(3000))
    bad.write_bytes(
        b"sku,name,category,price,upt_code\n"
        + good.encode()
        + b"ZZ-9,R\xe9ndang,kuliner,5000,LPP-TGR\n"
    )
    before = fingerprint(store)
    assert main([*db(store), "products", "import", str(bad)]) != 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "baris 3002" in err and "UTF-8" in err
    assert fingerprint(store) == before


def test_reading_commands_do_not_wait_for_a_tills_write_lock(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A till holds the store's write lock (a checkout under way): the accountant's export,
    the catalog export and `db check` read a snapshot and never wait for it (the busy
    timeout is 15 s)."""
    import time

    till = sqlite3.connect(store, isolation_level=None)
    till.execute("BEGIN IMMEDIATE")
    try:
        t0 = time.monotonic()
        assert main([*db(store), "products", "export", str(store.parent / "k.csv")]) == 0
        assert main([*db(store), "export", "--date", DAY, "--out", str(store.parent / "e")]) == 0
        assert main([*db(store), "db", "check"]) == 0
        assert time.monotonic() - t0 < 10, "a reading command waited for the write lock"
    finally:
        till.execute("ROLLBACK")
        till.close()
    out = capsys.readouterr().out
    assert "barang diekspor" in out and "OK:" in out


def test_a_locked_store_is_one_line_naming_the_lock(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writing command behind another program's write lock: one Indonesian line, exit 1,
    nothing changed (the busy timeout shortened for the test)."""
    from kasir.errors import DB_LOCKED
    from kasir.store import engine

    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(store, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        manager_pin(monkeypatch)
        line = one_line_refusal([*db(store), "settings", "tax_rate_pct", "11", *MANAGER], capsys)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert line == f"kasir: {DB_LOCKED}"
