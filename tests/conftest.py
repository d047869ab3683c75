"""Shared fixtures: stores on SQLite (always) and PostgreSQL (when KASIR_TEST_DATABASE_URL is set).

Stores are real: created by the Alembic migrations, exactly as the app creates them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # GUI tests never need a display
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from kasir.services.demo import load_demo_data
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import upgrade

PG_URL = os.environ.get("KASIR_TEST_DATABASE_URL", "")
PG_SKIP_REASON = "PostgreSQL tests need KASIR_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user folders: data, config and the escpos cache go to tmp."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("KASIR_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("KASIR_CONFIG", str(base / "kasir.toml"))
    monkeypatch.delenv("KASIR_DATABASE_URL", raising=False)
    monkeypatch.delenv("KASIR_COUNTER", raising=False)


def reset_postgres(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty (not yet migrated) database on each backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'kasir.db'}"
    else:
        reset_postgres(PG_URL).dispose()
        yield PG_URL


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kasir.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with make_session_factory(eng).begin() as session:
        load_demo_data(session)
    eng.dispose()
    return path


@pytest.fixture
def demo_url(backend: str, tmp_path: Path, _demo_template: Path) -> Iterator[str]:
    """A migrated store with the demo data, on each backend."""
    if backend == "sqlite":
        path = tmp_path / "demo.db"
        shutil.copy(_demo_template, path)
        yield f"sqlite:///{path}"
    else:
        eng = reset_postgres(PG_URL)
        upgrade(eng)
        with make_session_factory(eng).begin() as session:
            load_demo_data(session)
        eng.dispose()
        yield PG_URL


@pytest.fixture
def demo_engine(demo_url: str) -> Iterator[Engine]:
    eng = make_engine(demo_url)
    yield eng
    eng.dispose()


@pytest.fixture
def demo(demo_engine: Engine) -> sessionmaker[Session]:
    """Session factory on a demo store (SQLite, and PostgreSQL when enabled)."""
    return make_session_factory(demo_engine)


@pytest.fixture
def demo_sqlite(tmp_path: Path, _demo_template: Path) -> Iterator[sessionmaker[Session]]:
    """Session factory on a demo store, SQLite only (for tests that need no second backend)."""
    path = tmp_path / "demo-sqlite.db"
    shutil.copy(_demo_template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield make_session_factory(eng)
    eng.dispose()


def pytest_report_header() -> str:
    if PG_URL:
        return "PostgreSQL tests: enabled (KASIR_TEST_DATABASE_URL is set)"
    return f"PostgreSQL tests: skipped. {PG_SKIP_REASON}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if "KASIR_TEST" in str(r.longrepr)
    ]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} PostgreSQL tests skipped: {PG_SKIP_REASON}")
