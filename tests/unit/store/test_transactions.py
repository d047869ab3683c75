"""Units of work: reads never wait behind a writer, writes stay serialised; PostgreSQL timeouts;
and `environment_problem` naming real, provoked failures (locked, read-only, full, lost)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

import kasir
from kasir.config import Config, DbTimeouts, load_config
from kasir.errors import (
    DB_LOCK_TIMEOUT,
    DB_LOCKED,
    DB_STATEMENT_TIMEOUT,
    DB_UNREACHABLE,
    DISK_FULL,
    DISK_IO,
    STORE_READ_ONLY,
    EnvironmentProblem,
    NotFound,
    environment_problem,
)
from kasir.services.catalog import find_by_barcode
from kasir.store.engine import make_engine, make_session_factory, reading, reading_engine
from kasir.store.models import Product
from kasir.store.open import open_store

MAKARONI = "2000000100012"
HOLD_S = 2.0


def sqlite_file(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.fixture
def hold_write_lock() -> Iterator[object]:
    """Another connection takes the SQLite write lock (BEGIN IMMEDIATE + an uncommitted
    update of Makaroni's stock) and commits it after HOLD_S seconds, in a thread."""
    started: list[float] = []
    threads: list[threading.Thread] = []

    def hold(path: str) -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE product SET stock_qty = stock_qty + 100 WHERE barcode = ?", (MAKARONI,)
        )
        started.append(time.perf_counter())
        ready.set()
        time.sleep(HOLD_S)
        conn.execute("COMMIT")
        conn.close()

    ready = threading.Event()

    def start(path: str) -> float:
        t = threading.Thread(target=hold, args=(path,))
        threads.append(t)
        t.start()
        assert ready.wait(5)
        return started[0]

    yield start
    for t in threads:
        t.join()


def test_reading_does_not_wait_behind_a_writer(
    demo_sqlite: sessionmaker[Session], hold_write_lock: object
) -> None:
    factory = demo_sqlite
    path = str(factory.kw["bind"].url.database)
    with factory() as s:
        before = s.scalar(select(Product.stock_qty).where(Product.barcode == MAKARONI))
    assert before is not None
    t0 = hold_write_lock(path)  # type: ignore[operator]

    with reading(factory) as s:
        product = find_by_barcode(s, MAKARONI)
    read_s = time.perf_counter() - t0
    assert read_s < 0.2, f"a read waited {read_s:.3f} s behind a writer"
    assert product.stock_qty == before  # the snapshot before the writer commits

    # A write unit still waits for the lock and sees the other writer's committed change.
    with factory.begin() as s:
        s.execute(
            update(Product)
            .where(Product.barcode == MAKARONI)
            .values(stock_qty=Product.stock_qty + 1)
        )
        waited = time.perf_counter() - t0
    assert waited >= HOLD_S * 0.8, f"a write did not wait for the lock ({waited:.3f} s)"
    with reading(factory) as s:
        assert (
            s.scalar(select(Product.stock_qty).where(Product.barcode == MAKARONI)) == before + 101
        )


def test_a_plain_session_still_takes_the_write_lock(
    demo_sqlite: sessionmaker[Session], hold_write_lock: object
) -> None:
    """What `reading()` fixes: a read in `factory()` (BEGIN IMMEDIATE) waits for the writer."""
    factory = demo_sqlite
    t0 = hold_write_lock(str(factory.kw["bind"].url.database))  # type: ignore[operator]
    with factory() as s:
        find_by_barcode(s, MAKARONI)
    assert time.perf_counter() - t0 >= HOLD_S * 0.8


def test_reading_is_one_snapshot_and_writes_nothing(demo: sessionmaker[Session]) -> None:
    with reading(demo) as s:
        first = find_by_barcode(s, MAKARONI).stock_qty
        with demo.begin() as w:  # another unit of work commits meanwhile
            w.execute(update(Product).where(Product.barcode == MAKARONI).values(stock_qty=7))
        assert find_by_barcode(s, MAKARONI).stock_qty == first  # one snapshot
        with pytest.raises(NotFound):
            find_by_barcode(s, "0000000000000")
    with reading(demo) as s:
        assert find_by_barcode(s, MAKARONI).stock_qty == 7


@pytest.mark.postgres
def test_postgres_reading_is_read_only_and_the_pool_is_not(demo: sessionmaker[Session]) -> None:
    if demo.kw["bind"].dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    for _ in range(3):  # the same pooled connection goes back and forth
        with reading(demo) as s:
            assert s.scalar(text("SHOW transaction_read_only")) == "on"
            assert s.scalar(text("SHOW transaction_isolation")) == "repeatable read"
            with pytest.raises(Exception) as err:
                s.execute(update(Product).values(stock_qty=0))
            assert getattr(getattr(err.value, "orig", None), "sqlstate", None) == "25006"
        with demo.begin() as s:
            assert s.scalar(text("SHOW transaction_read_only")) == "off"
            assert s.scalar(text("SHOW transaction_isolation")) == "read committed"
        with demo() as s:
            assert s.scalar(text("SHOW transaction_read_only")) == "off"


def test_reading_needs_a_factory_bound_to_an_engine() -> None:
    with pytest.raises(TypeError), reading(sessionmaker()):
        pass


# --- PostgreSQL timeouts ----------------------------------------------------------------------


def pg_engine(demo_engine: Engine, timeouts: DbTimeouts) -> Engine:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    return make_engine(demo_engine.url.render_as_string(hide_password=False), timeouts=timeouts)


@pytest.mark.postgres
def test_postgres_timeouts_are_set_on_every_connection(demo_engine: Engine) -> None:
    engine = pg_engine(demo_engine, DbTimeouts(connect=3, lock=1.5, statement=4))
    try:
        with make_session_factory(engine).begin() as s:
            assert s.scalar(text("SHOW lock_timeout")) == "1500ms"
            assert s.scalar(text("SHOW statement_timeout")) == "4s"
    finally:
        engine.dispose()
    default = pg_engine(demo_engine, DbTimeouts())
    try:
        with reading(make_session_factory(default)) as s:
            assert s.scalar(text("SHOW lock_timeout")) == "5s"
            assert s.scalar(text("SHOW statement_timeout")) == "15s"
    finally:
        default.dispose()


@pytest.mark.postgres
def test_postgres_lock_timeout_names_the_cause(demo_engine: Engine) -> None:
    engine = pg_engine(demo_engine, DbTimeouts(lock=0.5))
    factory = make_session_factory(engine)
    try:
        with factory.begin() as holder:
            holder.execute(update(Product).where(Product.barcode == MAKARONI).values(stock_qty=1))
            t0 = time.perf_counter()
            with pytest.raises(OperationalError) as err, factory.begin() as s:
                s.execute(update(Product).where(Product.barcode == MAKARONI).values(stock_qty=2))
            assert time.perf_counter() - t0 < 2
            assert environment_problem(err.value) == DB_LOCK_TIMEOUT
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_statement_timeout_names_the_cause(demo_engine: Engine) -> None:
    engine = pg_engine(demo_engine, DbTimeouts(statement=1))
    try:
        t0 = time.perf_counter()
        with pytest.raises(OperationalError) as err, reading(make_session_factory(engine)) as s:
            s.execute(text("SELECT pg_sleep(5)"))
        assert time.perf_counter() - t0 < 3
        assert environment_problem(err.value) == DB_STATEMENT_TIMEOUT
    finally:
        engine.dispose()


def test_postgres_server_not_listening_is_unreachable_at_once() -> None:
    """No server on the port: refused at once (no PostgreSQL needed for this one)."""
    engine = make_engine("postgresql+psycopg://kasir@127.0.0.1:1/kasir")
    try:
        t0 = time.perf_counter()
        with pytest.raises(OperationalError) as err, reading(make_session_factory(engine)) as s:
            s.execute(text("SELECT 1"))
        assert time.perf_counter() - t0 < 5
        assert environment_problem(err.value) == DB_UNREACHABLE
    finally:
        engine.dispose()


def test_open_store_refuses_an_unreachable_server_with_one_line() -> None:
    with pytest.raises(EnvironmentProblem) as err:
        open_store("postgresql+psycopg://kasir@127.0.0.1:1/kasir", create=False)
    assert environment_problem(err.value) == str(err.value).splitlines()[0]


# --- config ------------------------------------------------------------------------------------


def test_timeouts_default(tmp_path: Path) -> None:
    assert load_config().db_timeouts == DbTimeouts(connect=5, lock=5.0, statement=15.0)


def test_timeouts_from_the_environment_win_over_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cfg = tmp_path / "kasir.toml"
    cfg.write_text("db_connect_timeout = 10\ndb_lock_timeout = 2.5\ndb_statement_timeout = 30\n")
    monkeypatch.setenv("KASIR_CONFIG", str(cfg))
    assert load_config().db_timeouts == DbTimeouts(connect=10, lock=2.5, statement=30)
    monkeypatch.setenv("KASIR_DB_LOCK_TIMEOUT", "1,5")
    monkeypatch.setenv("KASIR_DB_CONNECT_TIMEOUT", "2.2")  # libpq takes whole seconds: up
    assert load_config().db_timeouts == DbTimeouts(connect=3, lock=1.5, statement=30)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("db_connect_timeout", "0"),
        ("db_connect_timeout", "1"),
        ("db_lock_timeout", '"lima"'),
        ("db_lock_timeout", "true"),
        ("db_statement_timeout", "100000"),
        ("db_statement_timeout", "nan"),
        ("db_statement_timeout", "-1"),
    ],
)
def test_timeouts_out_of_bounds_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str, value: str
) -> None:
    cfg = tmp_path / "kasir.toml"
    cfg.write_text(f"{key} = {value}\n")
    monkeypatch.setenv("KASIR_CONFIG", str(cfg))
    with pytest.raises(EnvironmentProblem, match=key):
        load_config()


def test_timeout_variable_out_of_bounds_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KASIR_DB_STATEMENT_TIMEOUT", "0")
    with pytest.raises(EnvironmentProblem, match="KASIR_DB_STATEMENT_TIMEOUT"):
        load_config()


# --- environment_problem on real failures ---------------------------------------------------


def test_sqlite_locked_is_named(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    event.listen(  # after the engine's own pragmas: 100 ms, not 15 s, for a test
        engine, "connect", lambda dbapi, _rec: dbapi.execute("PRAGMA busy_timeout=100")
    )
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    other = sqlite3.connect(sqlite_file(sqlite_url), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # At BEGIN IMMEDIATE, in the engine's begin listener: the bare driver error.
        with pytest.raises(sqlite3.OperationalError) as err, engine.begin() as c:
            c.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert environment_problem(err.value) == DB_LOCKED
        try:  # an error raised from it is named too
            raise RuntimeError("wrapped") from err.value
        except RuntimeError as wrapped:
            assert environment_problem(wrapped) == DB_LOCKED
        # A deferred unit of work (reading) that writes: SQLAlchemy's error, wrapping it.
        with pytest.raises(OperationalError) as wrapped_err, reading_engine(engine).connect() as c:
            c.exec_driver_sql("SELECT count(*) FROM t").scalar()
            c.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert environment_problem(wrapped_err.value) == DB_LOCKED
    finally:
        other.execute("ROLLBACK")
        other.close()
        engine.dispose()


def test_sqlite_read_only_store_is_named(demo_sqlite: sessionmaker[Session]) -> None:
    """A store the process may only read (opened read-only, as a file on read-only media or
    without write permission is): the write is refused by SQLite, and named."""
    path = Path(str(demo_sqlite.kw["bind"].url.database)).resolve()
    demo_sqlite.kw["bind"].dispose()
    ro = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with pytest.raises(OperationalError) as err, make_session_factory(ro).begin() as s:
            s.execute(update(Product).values(stock_qty=0))
        assert environment_problem(err.value) == STORE_READ_ONLY
    finally:
        ro.dispose()


def test_sqlite_file_without_write_permission_is_named(tmp_path: Path) -> None:
    """chmod 0444, written by an ordinary user: root ignores file modes, so as root the write
    is tried in a forked child that became the `postgres` (else `nobody`) user."""
    if os.geteuid() == 0:  # pytest's own tmp folders are root's alone (0700)
        tmp_path = Path(tempfile.mkdtemp(prefix="kasir-ro-"))
    path = tmp_path / "ro" / "kasir.db"
    path.parent.mkdir()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.close()
    path.chmod(0o444)
    if os.geteuid() != 0:
        assert _try_write(path) == STORE_READ_ONLY
        return
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        user = pwd.getpwnam("nobody")
    for folder in (tmp_path, path.parent):
        folder.chmod(0o777)  # the child may enter (and make its journal in) the folder
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no pytest from here on, only os._exit
        try:
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            os.write(write_fd, str(_try_write(path)).encode())
        except BaseException as exc:
            os.write(write_fd, repr(exc).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    shutil.rmtree(tmp_path)
    assert answer == STORE_READ_ONLY


def _try_write(path: Path) -> str | None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("INSERT INTO t VALUES (1)")
    except sqlite3.Error as exc:
        return environment_problem(exc)
    finally:
        conn.close()
    return "written"


def _env() -> dict[str, str]:

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(kasir.__file__).parent.parent)
    return env


_FILL = textwrap.dedent(
    """
    import os, resource, signal, sqlite3, sys
    from kasir.errors import environment_problem
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
    path, limit = sys.argv[1], int(sys.argv[2])
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("CREATE TABLE t (x BLOB)")
    if limit:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        for _ in range(100_000):
            c.execute("INSERT INTO t VALUES (?)", (os.urandom(4000),))
    except sqlite3.Error as exc:
        print(exc.sqlite_errorname, environment_problem(exc), sep="|")
    """
)


def test_sqlite_file_size_limit_is_an_environment_problem(tmp_path: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE): SQLite reports an I/O error, named as such."""
    out = subprocess.run(
        [sys.executable, "-c", _FILL, str(tmp_path / "full.db"), "300000"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    name, _, cause = out.stdout.strip().partition("|")
    assert name.startswith("SQLITE_"), out.stderr
    assert cause in (DISK_FULL, DISK_IO)


def test_sqlite_disk_full_is_named(tmp_path: Path) -> None:
    """A really full disk: a 256 KiB tmpfs (needs the right to mount, else skipped)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {made.stderr.strip()[:200]}")
    try:
        out = subprocess.run(
            [sys.executable, "-c", _FILL, str(mount / "full.db"), "0"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert out.stdout.strip() == f"SQLITE_FULL|{DISK_FULL}", out.stderr
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_os_errors_are_named(tmp_path: Path) -> None:
    with pytest.raises(OSError) as full, open("/dev/full", "w") as f:
        f.write("x")
        f.flush()
    assert environment_problem(full.value) == DISK_FULL
    denied = PermissionError(13, "Permission denied", str(tmp_path / "ekspor.csv"))
    cause = environment_problem(denied)
    assert cause is not None and "ekspor.csv" in cause


def test_other_errors_are_not_environment_problems() -> None:
    assert environment_problem(NotFound("Barcode tidak dikenal.")) is None
    assert environment_problem(ValueError("bug")) is None
    assert environment_problem(FileNotFoundError(2, "No such file")) is None
    assert environment_problem(sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert environment_problem(EnvironmentProblem("Printer mati.")) == "Printer mati."
    try:
        try:
            raise OSError(28, "No space left on device")
        except OSError:
            raise KeyError("a bug while handling it") from None
    except KeyError as bug:
        assert environment_problem(bug) is None


def test_postgres_server_that_never_answers_times_out_on_connect() -> None:
    """A port that accepts the connection and then says nothing (a hung server): the connect
    timeout ends the wait (no PostgreSQL needed for this one)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        engine = make_engine(
            f"postgresql+psycopg://kasir@127.0.0.1:{port}/kasir", timeouts=DbTimeouts(connect=2)
        )
        try:
            t0 = time.perf_counter()
            with pytest.raises(OperationalError) as err, reading(make_session_factory(engine)) as s:
                s.execute(text("SELECT 1"))
            waited = time.perf_counter() - t0
        finally:
            engine.dispose()
    assert 1.5 < waited < 4.5, f"connect gave up after {waited:.2f} s"
    assert environment_problem(err.value) == DB_UNREACHABLE


def test_open_store_uses_the_configured_timeouts(db_url: str) -> None:
    """`open_store(config)` passes the config's timeouts to the engine (PostgreSQL), and a
    new store is made (migrated) whatever the statement timeout of selling."""
    config = Config(db_url, "K01", db_timeouts=DbTimeouts(connect=3, lock=1.5, statement=2))
    store = open_store(config, create=True)
    try:
        assert store.created
        with reading(store.factory) as s:
            assert s.scalar(select(func.count()).select_from(Product)) == 0
            if store.engine.dialect.name == "postgresql":
                assert s.scalar(text("SHOW lock_timeout")) == "1500ms"
                assert s.scalar(text("SHOW statement_timeout")) == "2s"
    finally:
        store.engine.dispose()
