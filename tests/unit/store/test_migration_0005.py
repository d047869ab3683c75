"""Migration 0005 (weighed goods) on a real store at 0004: tests/data/store_0001.sqlite (sales,
refunds, voids of the demo's kg products in whole kg) upgraded to 0004, on SQLite and
PostgreSQL. The kg products' stock, movements and sale lines become grams with their money
unchanged, every sale line gets its unit, the demo's PLUs are set, `kasir db check` stays
clean; the upgraded store sells by scale label and refunds an old kg line in grams; the
downgrade gives the 0004 rows back and refuses a store holding 1,3 kg."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, text
from store_helpers import NOW, SPV, cash
from unit.store.test_migration_0002 import rows, store_0001  # noqa: F401 (a fixture)
from unit.store.test_migrations import schema_diff

from kasir.domain.cart import Cart
from kasir.errors import StoreUnavailable
from kasir.services.cart_edit import add_by_code
from kasir.services.checkout import checkout
from kasir.services.demo import DEMO_PLU
from kasir.services.integrity import check_store
from kasir.services.returns import RefundItem, refund_sale
from kasir.services.shifts import Till, open_shift
from kasir.store.engine import make_session_factory
from kasir.store.migrate import current_revision, downgrade, head_revision, upgrade

KG_SKUS = set(DEMO_PLU)


@pytest.fixture
def store_0004(store_0001: Engine) -> Engine:  # noqa: F811
    upgrade(store_0001, "0004")
    with store_0001.begin() as conn:  # a unit spelled otherwise is a kg product too
        conn.execute(text("UPDATE product SET unit = 'Kilo' WHERE sku = 'PTN-0002'"))
    assert current_revision(store_0001) == "0004"
    return store_0001


def kg_ids(rows_: dict[str, Any]) -> set[int]:
    return {pk[0] for pk, p in rows_["product"].items() if p["sku"] in KG_SKUS}


def test_upgrade_writes_weighed_goods_in_grams(store_0004: Engine) -> None:
    before = rows(store_0004)
    kg = kg_ids(before)
    assert len(kg) == 7
    sold_kg = [ln for ln in before["sale_line"].values() if ln["product_id"] in kg]
    assert len(sold_kg) > 50  # the fixture sold and refunded them in whole kg
    upgrade(store_0004)
    assert current_revision(store_0004) == head_revision()
    after = rows(store_0004)
    for pk, old in before["product"].items():
        new = after["product"][pk]
        factor = 1000 if pk[0] in kg else 1
        assert new["stock_qty"] == old["stock_qty"] * factor, old["sku"]
        assert new["unit"] == ("kg" if pk[0] in kg else old["unit"])
        assert new["plu"] == DEMO_PLU.get(old["sku"])
    for pk, old in before["stock_movement"].items():
        factor = 1000 if old["product_id"] in kg else 1
        assert after["stock_movement"][pk]["qty"] == old["qty"] * factor
    for pk, old in before["sale_line"].items():
        new = after["sale_line"][pk]
        product = after["product"][(old["product_id"],)]
        weighed = old["product_id"] in kg
        assert new["unit"] == product["unit"]
        assert new["qty_scale"] == (1000 if weighed else 1)
        assert new["qty"] == old["qty"] * new["qty_scale"]
        for money in ("unit_price", "line_total", "line_discount", "order_discount_share"):
            assert new[money] == old[money]
        gross = new["line_total"] + new["line_discount"] + new["order_discount_share"]
        assert gross * new["qty_scale"] == new["qty"] * new["unit_price"]
    # Unchanged, column for column; later revisions add columns (sale.rounding in 0006,
    # shift.close_approved_by_id in 0007) with their default for every older row.
    for table in ("sale", "payment", "shift", "parked_cart"):
        assert after[table].keys() == before[table].keys(), table
        for pk, old in before[table].items():
            assert {key: after[table][pk][key] for key in old} == old, (table, pk)
    assert {row["rounding"] for row in after["sale"].values()} == {0}
    assert {row["close_approved_by_id"] for row in after["shift"].values()} == {None}
    with make_session_factory(store_0004).begin() as s:
        assert check_store(s).problems == ()
    assert schema_diff(store_0004) == []


def test_the_upgraded_store_sells_by_label_and_refunds_old_kg_lines(store_0004: Engine) -> None:
    upgrade(store_0004)
    factory = make_session_factory(store_0004)
    with store_0004.connect() as conn:
        old = conn.execute(
            text(
                "SELECT s.receipt_number, l.line_no, l.qty FROM sale_line l "
                "JOIN sale s ON s.id = l.sale_id JOIN product p ON p.id = l.product_id "
                "WHERE p.sku = 'PRK-0008' AND s.kind = 'sale' AND s.status = 'completed' "
                "AND NOT EXISTS (SELECT 1 FROM sale_line r WHERE r.original_line_id = l.id) "
                "ORDER BY s.id DESC"
            )
        ).first()
        counter_id, cashier_id, name = conn.execute(
            text(
                "SELECT c.id, u.id, u.full_name FROM counter c, user_account u "
                "WHERE c.code = 'K02' AND u.username = 'kasir2'"
            )
        ).one()
    assert old is not None and old.qty % 1000 == 0
    now = NOW + dt.timedelta(days=1)
    with factory.begin() as s:
        open_shift(s, counter_id, cashier_id, 500_000, now=now)
    till = Till(counter_id, "K02", cashier_id, name)
    with factory.begin() as s:
        cart = Cart()
        (line,) = add_by_code(s, cart, "2600108013001").lines  # Ikan Lele, 1,3 kg
        assert (line.qty, line.line_total) == (1300, 32_500)
        checkout(s, till, cart, cash(32_500), now=now)
    with factory.begin() as s:
        refund = refund_sale(
            s,
            till,
            old.receipt_number,
            [RefundItem(old.line_no, 500)],
            "busuk",
            SPV,
            method="tunai",
            now=now,
        )
        assert refund.lines[0].qty_text == "-0,5 kg"
        assert check_store(s).problems == ()
    with pytest.raises(StoreUnavailable, match="bukan kg/l/m utuh"):
        downgrade(store_0004, "0004")
    assert current_revision(store_0004) == head_revision()


def test_downgrade_gives_the_0004_rows_back(store_0004: Engine) -> None:
    before = rows(store_0004)
    upgrade(store_0004)
    downgrade(store_0004, "0004")
    assert current_revision(store_0004) == "0004"
    back = rows(store_0004)
    for table, by_pk in before.items():
        for pk, row in by_pk.items():
            got = dict(back[table][pk])
            if table == "product" and row["unit"] == "Kilo":
                assert got.pop("unit") == "kg"  # the spelling stays normalised
                row = {k: v for k, v in row.items() if k != "unit"}
                got.pop("updated_at", None)
                row = {k: v for k, v in row.items() if k != "updated_at"}
            assert got == row, (table, pk)
    upgrade(store_0004)
    assert schema_diff(store_0004) == []
