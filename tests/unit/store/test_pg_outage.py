"""PostgreSQL stopped and started under a selling loop: no sale lost or doubled, the counter
resumes on the same engine.

The test runs its own throwaway PostgreSQL server (initdb into a temporary folder, a free port),
never the shared one. It runs with the other PostgreSQL tests (KASIR_TEST_DATABASE_URL set) and
needs the server binaries (`/usr/lib/postgresql/*/bin`); as root they run as `postgres`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import PG_SKIP_REASON, PG_URL
from sqlalchemy import func, select
from store_helpers import KERIPIK, MAKARONI, NOW, cash, open_till

from kasir.config import DbTimeouts
from kasir.domain.cart import Cart
from kasir.errors import DB_UNREACHABLE, environment_problem
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.demo import load_demo_data
from kasir.store.engine import make_engine, make_session_factory, reading
from kasir.store.migrate import upgrade
from kasir.store.models import Sale, SaleLine

pytestmark = pytest.mark.postgres

OUTAGE_S = 2.0


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    bin: Path
    data: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        cmd = [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), *args]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data} -c fsync=off"
        )
        self.ctl("-w", "-l", str(self.data / "server.log"), "-o", opts, "start")

    def kill(self) -> None:
        self.ctl("-m", "immediate", "stop")


@pytest.fixture
def server() -> Iterator[Server]:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    pg_bin = _pg_bin()
    if pg_bin is None or not (pg_bin / "initdb").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="kasir-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root
        runuser = shutil.which("runuser")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            owner = None
        if runuser is None or owner is None:
            shutil.rmtree(base)
            pytest.skip("running as root without runuser or a postgres user")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        as_user = [runuser, "-u", "postgres", "--"]
    srv = Server(pg_bin, base / "data", _free_port(), as_user)
    try:
        initdb = [str(pg_bin / "initdb"), "-D", str(srv.data), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            [*as_user, *initdb, "--no-sync", "-E", "UTF8", "--locale=C"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        srv.start()
        yield srv
    finally:
        subprocess.run(
            [*as_user, str(pg_bin / "pg_ctl"), "-D", str(srv.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class Loop:
    """What the selling loop believes: the UUIDs it sold, and every failure it saw."""

    sold: list[tuple[str, str]] = field(default_factory=list)  # (uuid, receipt number)
    failures: list[tuple[float, BaseException]] = field(default_factory=list)
    successes: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    crashed: list[BaseException] = field(default_factory=list)
    answer_lost: list[str] = field(default_factory=list)  # the sale whose answer was lost


def test_postgres_stopped_and_started_under_a_selling_loop(server: Server) -> None:
    engine = make_engine(server.url, timeouts=DbTimeouts(connect=2, lock=2, statement=5))
    factory = make_session_factory(engine)
    upgrade(engine)
    with factory.begin() as s:
        load_demo_data(s)
    till = open_till(factory)
    loop = Loop()

    def sell_forever() -> None:
        """The counter: one cart after another, each with its UUID made when it starts; after a
        failure the same cart is checked out again (same UUID) until it goes through."""
        try:
            while not loop.stop.is_set():
                key = str(uuid.uuid4())
                while True:
                    try:
                        with factory.begin() as s:
                            cart = Cart()
                            add_by_barcode(s, cart, MAKARONI)
                            total = add_by_barcode(s, cart, KERIPIK).total
                            sale = checkout(s, till, cart, cash(total), now=NOW, sale_uuid=key)
                        if len(loop.sold) == 10 and not loop.answer_lost:
                            # Committed, but the answer never reaches the counter: F9 again.
                            loop.answer_lost.append(sale.receipt_number)
                            raise ConnectionError("the commit's answer was lost")
                        loop.sold.append((key, sale.receipt_number))
                        loop.successes.append(time.perf_counter())
                        break
                    except Exception as exc:
                        loop.failures.append((time.perf_counter(), exc))
                        time.sleep(0.05)
        except BaseException as exc:  # pragma: no cover - reported by the test
            loop.crashed.append(exc)

    def wait_for(count: int, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while len(loop.sold) < count and time.perf_counter() < deadline and not loop.crashed:
            time.sleep(0.01)
        assert len(loop.sold) >= count, f"only {len(loop.sold)} sales after {timeout} s"

    worker = threading.Thread(target=sell_forever, daemon=True)
    worker.start()
    try:
        wait_for(20, 15)
        stopped_at = time.perf_counter()
        server.kill()
        time.sleep(OUTAGE_S)
        sold_before_start = len(loop.sold)
        server.start()
        started_at = time.perf_counter()
        wait_for(sold_before_start + 20, 15)
    finally:
        loop.stop.set()
        worker.join(30)
    assert not loop.crashed
    assert not worker.is_alive()

    # The outage was seen, at once, and named; and the loop resumed on the same engine.
    during = [(t, e) for t, e in loop.failures if t >= stopped_at]
    assert during, "no failure seen while the server was down"
    detected_s = during[0][0] - stopped_at
    assert detected_s < 5, f"the lost server was noticed after {detected_s:.2f} s"
    causes = {environment_problem(e) for _t, e in during}
    assert causes == {DB_UNREACHABLE}, [repr(e) for _t, e in during[:3]]
    resumed = [t for t in loop.successes if t >= started_at]
    assert resumed, "no sale after the server came back"
    print(
        f"\nlost server noticed after {detected_s * 1000:.0f} ms; first sale "
        f"{(resumed[0] - started_at) * 1000:.0f} ms after the start; "
        f"{len(during)} failed tries, {len(loop.sold)} sales"
    )

    # No sale lost or doubled: every UUID the loop believes sold is stored exactly once, and
    # nothing else; receipt numbers 1..n without a gap; two lines per sale.
    with reading(factory) as s:
        stored = dict(s.execute(select(Sale.uuid, Sale.receipt_number)).all())
        seqs = sorted(s.scalars(select(Sale.seq)).all())
        lines = s.scalar(select(func.count()).select_from(SaleLine))
    keys = [k for k, _n in loop.sold]
    assert loop.sold[10][1] == loop.answer_lost[0]  # the retry got the stored sale back
    assert len(set(keys)) == len(keys)
    assert stored == dict(loop.sold)
    assert seqs == list(range(1, len(keys) + 1))
    assert lines == 2 * len(keys)
    engine.dispose()
