"""Migration 0004: a 0003 store gets the search lookup index on SQLite (kasir.store.search_index
LOOKUP_INDEX), nothing on PostgreSQL; search gives the same results with and without it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from kasir.services import catalog
from kasir.services.demo import load_demo_data
from kasir.store import search_index
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import current_revision, downgrade, head_revision, upgrade

QUERIES = ("kopi", "keripik", "bubuk kopi", "ko", "k", "KUL-00", "fur", "2000000", "zzz")


@pytest.fixture
def store_0003(db_url: str) -> Iterator[Engine]:
    """A store at revision 0003 with the demo catalog, as made before 0004: 0002 installs the
    search index with today's `search_index.install`, which makes the lookup index too, so it
    is dropped here."""
    engine = make_engine(db_url)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        search_index.uninstall_lookup_index(conn)
        load_demo_data(Session(bind=conn))
    assert current_revision(engine) == "0003"
    yield engine
    engine.dispose()


def has_lookup(engine: Engine) -> bool:
    with engine.connect() as conn:
        return search_index.has_lookup_index(conn)


def results(engine: Engine) -> dict[tuple[str, bool], list[str]]:
    with make_session_factory(engine)() as s:
        return {
            (q, inactive): [
                p.sku for p in catalog.search(s, q, limit=60, include_inactive=inactive)
            ]
            for q in QUERIES
            for inactive in (False, True)
        }


def test_upgrade_adds_the_lookup_index_on_sqlite_only(store_0003: Engine, backend: str) -> None:
    assert not has_lookup(store_0003)
    before = results(store_0003)
    assert before[("kopi", False)]
    upgrade(store_0003)
    assert current_revision(store_0003) == head_revision()
    assert has_lookup(store_0003) == (backend == "sqlite")
    assert results(store_0003) == before
    if backend == "sqlite":
        with store_0003.connect() as conn:
            plan = conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT search_name FROM product "
                    f"INDEXED BY {search_index.LOOKUP_INDEX} WHERE id = 1 AND active = 1"
                )
            ).all()
        assert any("COVERING INDEX" in str(row) for row in plan)


def test_downgrade_drops_it_and_search_still_works(store_0003: Engine) -> None:
    before = results(store_0003)
    upgrade(store_0003)
    downgrade(store_0003, "0003")
    assert current_revision(store_0003) == "0003"
    assert not has_lookup(store_0003)
    assert results(store_0003) == before
    upgrade(store_0003)
    assert results(store_0003) == before
