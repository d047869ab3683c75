"""Migration 0002 on a real 0001 store (tests/data/store_0001.sqlite, see store_0001.md): every
row survives with its figures, the new columns are filled, `kasir db check` is clean, and the
downgrade to 0001 and the upgrade again give the same rows. On SQLite and PostgreSQL (the
fixture's rows are copied into a PostgreSQL database migrated to 0001)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError
from unit.store.test_migrations import schema_diff

from kasir.errors import StoreUnavailable
from kasir.services.integrity import check_store
from kasir.store import search_index
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.migrate import current_revision, downgrade, head_revision, upgrade

FIXTURE = Path(__file__).parents[2] / "data" / "store_0001.sqlite"
UUID_TABLES = ("sale", "sale_line", "payment", "stock_movement", "shift", "parked_cart")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# Columns of 0001 that 0002 replaces (checked on their own below).
REPLACED = {("sale", "approved_by_id")}


def _copy_rows(source: Engine, target: Engine) -> None:
    """Every row of the SQLite fixture into a PostgreSQL store at 0001, in FK order."""
    md = MetaData()
    md.reflect(source)
    with source.connect() as src, target.begin() as dst:
        dst.execute(text("DELETE FROM category"))  # 0001 inserted its own five
        for table in md.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [dict(r) for r in src.execute(select(table)).mappings()]
            if rows:
                dst.execute(insert(table), rows)
            if "id" in table.c:
                dst.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )


@pytest.fixture
def store_0001(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A store at revision 0001 holding the fixture's sales, voids, refunds and parked carts."""
    if db_url.startswith("sqlite"):
        path = tmp_path / "store.sqlite"
        shutil.copy(FIXTURE, path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(db_url)
        upgrade(engine, "0001")
        copy = tmp_path / "fixture.sqlite"  # opening a store sets WAL mode: never the original
        shutil.copy(FIXTURE, copy)
        fixture = make_engine(f"sqlite:///{copy}")
        _copy_rows(fixture, engine)
        fixture.dispose()
    assert current_revision(engine) == "0001"
    yield engine
    engine.dispose()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # 0001 on SQLite reads naive UTC
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def rows(engine: Engine) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every table, by primary key, as plain values."""
    md = MetaData()
    md.reflect(engine)
    out: dict[str, dict[Any, dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in md.sorted_tables:
            if table.name == "alembic_version" or table.name in search_index.SEARCH_TABLES:
                continue
            pk = [c.name for c in table.primary_key.columns]
            out[table.name] = {
                tuple(r[c] for c in pk): {k: _plain(v) for k, v in r.items()}
                for r in conn.execute(select(table)).mappings()
            }
    return out


def figures(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {
            "sales": conn.execute(
                text(
                    "SELECT kind, status, count(*), sum(total), sum(tax_total) FROM sale "
                    "GROUP BY kind, status ORDER BY kind, status"
                )
            ).all(),
            "payments": conn.execute(
                text("SELECT method, sum(amount), sum(change) FROM payment GROUP BY method")
            ).all(),
            "stock": conn.execute(text("SELECT sum(stock_qty) FROM product")).scalar(),
            "lines": conn.execute(text("SELECT sum(line_total), sum(qty) FROM sale_line")).one(),
        }


# Made by later migrations (0003, 0006), empty after the upgrade.
LATER_TABLES = {
    "till_lease",
    "cart_draft",
    "cancelled_sale",
    "cancelled_sale_line",
    "removed_payment",
}


def same_rows_on_common_columns(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert set(before) == set(after) - LATER_TABLES
    assert all(not after.get(table) for table in LATER_TABLES)
    for table, by_pk in before.items():
        assert set(by_pk) == set(after[table]), table
        for pk, row in by_pk.items():
            new = after[table][pk]
            common = {c for c in row if c in new and (table, c) not in REPLACED}
            assert {c: row[c] for c in common} == {c: new[c] for c in common}, (table, pk)


def db_check(engine: Engine) -> tuple[str, ...]:
    with make_session_factory(engine).begin() as s:
        result = check_store(s)
    assert result.sales > 200
    return result.problems


def test_upgrade_keeps_every_row_and_fills_the_new_columns(store_0001: Engine) -> None:
    before, before_figures = rows(store_0001), figures(store_0001)
    # (today's `db check` reads today's columns, e.g. sale.rounding of 0006: it runs on the
    # upgraded store below, not on the 0001 one.)
    # Through 0002 to 0004, each migration upgrading the one before; 0005 then writes the
    # quantities of weighed goods in grams (its own test: test_migration_0005.py).
    upgrade(store_0001, "0004")
    assert current_revision(store_0001) == "0004"
    assert {"till_lease", "cart_draft"} <= set(inspect(store_0001).get_table_names())
    after = rows(store_0001)
    same_rows_on_common_columns(before, after)
    assert figures(store_0001) == before_figures
    upgrade(store_0001)
    assert current_revision(store_0001) == head_revision()
    assert db_check(store_0001) == ()
    assert schema_diff(store_0001) == []

    for table in UUID_TABLES:
        uuids = [r["uuid"] for r in after[table].values()]
        assert uuids and all(UUID4.match(u) for u in uuids), table
        assert len(set(uuids)) == len(uuids), table
    assert len(after["parked_cart"]) == 2
    # The ambiguous approver, split by the document's kind.
    approvers = 0
    for pk, old in before["sale"].items():
        new = after["sale"][pk]
        if old["kind"] == "sale":
            assert (new["order_discount_approved_by_id"], new["refund_approved_by_id"]) == (
                old["approved_by_id"],
                None,
            )
        else:
            assert (new["order_discount_approved_by_id"], new["refund_approved_by_id"]) == (
                None,
                old["approved_by_id"],
            )
        approvers += old["approved_by_id"] is not None
    assert approvers >= 4
    for payment in after["payment"].values():
        assert payment["document_kind"] == after["sale"][(payment["sale_id"],)]["kind"]
        assert payment["reversal_reference"] is None
    for line in after["sale_line"].values():
        assert line["discount_approved_by_id"] is line["price_approved_by_id"] is None
    assert all(p["updated_at"] is not None for p in after["product"].values())
    assert not any(s["simulated"] for s in after["shift"].values())
    with store_0001.connect() as conn:
        assert search_index.is_installed(conn)


def test_downgrade_gives_back_the_0001_rows_and_upgrades_again(store_0001: Engine) -> None:
    before = rows(store_0001)
    upgrade(store_0001)
    upgraded = rows(store_0001)
    downgrade(store_0001, "0001")
    assert current_revision(store_0001) == "0001"
    assert rows(store_0001) == before  # approved_by_id merged back too
    with store_0001.connect() as conn:
        assert not search_index.is_installed(conn)
    upgrade(store_0001)
    again = rows(store_0001)
    # The same rows; the UUIDs and updated_at made by the upgrade are made anew, and with them
    # the journal written at the upgrade (0009: its digests cover the UUIDs).
    made = {"uuid", "updated_at"}
    for table, by_pk in upgraded.items():
        if table == "journal_entry":
            assert len(by_pk) == len(again[table])
            continue
        for pk, row in by_pk.items():
            keep = set(row) - made if table != "sale" else set(row) - {"updated_at"}
            assert {c: row[c] for c in keep} == {c: again[table][pk][c] for c in keep}
    assert db_check(store_0001) == ()
    assert schema_diff(store_0001) == []


def test_the_upgraded_store_refuses_what_0002_forbids(store_0001: Engine) -> None:
    upgrade(store_0001)
    with store_0001.connect() as conn:
        refund_id = conn.scalar(text("SELECT min(id) FROM sale WHERE kind = 'refund'"))
        sale_id = conn.scalar(text("SELECT min(id) FROM sale WHERE kind = 'sale'"))
    bad = [
        f"UPDATE sale SET original_sale_id = NULL WHERE id = {refund_id}",
        f"UPDATE sale SET status = 'voided' WHERE id = {sale_id}",
        f"UPDATE payment SET amount = -1, tendered = -1 WHERE sale_id = {sale_id}",
        f"UPDATE payment SET document_kind = 'refund' WHERE sale_id = {sale_id}",
        "UPDATE upt SET alloc_base = 'net' WHERE alloc_pnbp_pct IS NULL",
        "UPDATE shift SET status = 'closed' WHERE status = 'open'",
        "UPDATE user_account SET role = 'root'",
    ]
    for sql in bad:
        with pytest.raises(IntegrityError), store_0001.begin() as conn:
            assert conn.execute(text(sql)).rowcount > 0, sql
    with store_0001.begin() as conn:  # admin is a role now
        conn.execute(text("UPDATE user_account SET role = 'admin' WHERE id = 1"))


def test_new_rows_get_a_uuid_from_the_server(store_0001: Engine) -> None:
    upgrade(store_0001)
    with store_0001.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO parked_cart (counter_id, cashier_id, data) "
                "SELECT id, 1, '{}' FROM counter"
            )
        )
        made = conn.scalars(text("SELECT uuid FROM parked_cart")).all()
        parked_at = conn.scalars(text("SELECT parked_at FROM parked_cart")).all()
        count = conn.scalar(select(func.count()).select_from(text("parked_cart")))
    assert all(UUID4.match(u) for u in made) and len(set(made)) == count
    assert all(p is not None for p in parked_at)
    assert uuid.UUID(made[-1]).version == 4


def test_rows_that_0002_would_refuse_are_named_and_nothing_changes(store_0001: Engine) -> None:
    with store_0001.begin() as conn:
        conn.execute(text("UPDATE shift SET counted_cash = NULL WHERE status = 'closed'"))
        conn.execute(
            text("UPDATE upt SET alloc_base = 'net' WHERE code = (SELECT min(code) FROM upt)")
        )
    before = rows(store_0001)
    with pytest.raises(StoreUnavailable, match="skema 0002") as refused:
        upgrade(store_0001)
    message = str(refused.value)
    assert "shift tertutup tanpa waktu tutup atau uang dihitung: 1, 2, 3" in message
    assert "UPT dengan skema alokasi tidak lengkap" in message and "\n" not in message
    assert current_revision(store_0001) == "0001"
    assert rows(store_0001) == before
