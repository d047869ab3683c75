"""The schema's conventions (models.py docstring, README "Schema"), checked on the models."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from enum import StrEnum

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
    select,
    text,
    update,
)
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.vocab import (
    CashMovementKind,
    DocumentKind,
    MovementKind,
    PaymentMethod,
    PrintKind,
    Role,
    SaleStatus,
    ShiftStatus,
    UptKind,
    in_check,
)
from kasir.store.models import Base, Category, Counter, Product, Shift, Upt, User
from kasir.store.types import UtcDateTime, normalise_uuid, uuid7_text
from kasir.timeutil import JAKARTA

TABLES = Base.metadata.sorted_tables
UUID_TABLES = {
    "cash_movement",
    "sale",
    "sale_line",
    "payment",
    "stock_movement",
    "shift",
    "parked_cart",
    "cancelled_sale",
    "removed_payment",
}


def test_every_constraint_and_index_is_named_after_all_its_columns() -> None:
    for table in TABLES:
        items = [*table.constraints, *table.indexes]
        names = [str(item.name) for item in items]
        assert len(names) == len(set(names)), table.name
        for item in items:
            if isinstance(item, CheckConstraint | PrimaryKeyConstraint):
                continue
            assert isinstance(item, ForeignKeyConstraint | UniqueConstraint | Index)
            name = str(item.name)
            assert table.name in name, name
            for column in item.columns:
                assert column.name in name, (name, column.name)


def test_every_column_with_a_default_has_the_same_server_default() -> None:
    missing = [
        f"{table.name}.{column.name}"
        for table in TABLES
        for column in table.columns
        if column.default is not None and column.server_default is None
    ]
    assert missing == []


def test_every_foreign_key_has_an_index() -> None:
    """An index (or unique constraint, or primary key) that starts with the key's columns."""
    missing = []
    for table in TABLES:
        leads = [
            tuple(c.name for c in item.columns)
            for item in [*table.indexes, *table.constraints]
            if isinstance(item, Index | UniqueConstraint | PrimaryKeyConstraint)
        ]
        for fk in table.foreign_key_constraints:
            cols = tuple(c.name for c in fk.columns)
            # The key's first column leads an index (payment's (sale_id, document_kind) key is
            # served by ix_payment_sale_id).
            if not any(lead[:1] == cols[:1] for lead in leads):
                missing.append(f"{table.name}.{cols}")
            # `WHERE col IS NOT NULL` indexes only where the column may be NULL.
            for index in table.indexes:
                where = index.dialect_options["postgresql"]["where"]
                sparse = where is not None and "IS NOT NULL" in str(where)
                if sparse and [c.name for c in index.columns] == list(cols):
                    assert all(c.nullable for c in fk.columns), index.name
    assert missing == []


@pytest.mark.parametrize(
    ("table", "column", "enum"),
    [
        ("upt", "kind", UptKind),
        ("user_account", "role", Role),
        ("shift", "status", ShiftStatus),
        ("sale", "kind", DocumentKind),
        ("sale", "status", SaleStatus),
        ("payment", "method", PaymentMethod),
        ("payment", "document_kind", DocumentKind),
        ("removed_payment", "method", PaymentMethod),
        ("stock_movement", "kind", MovementKind),
        ("cash_movement", "kind", CashMovementKind),
        ("print_job", "kind", PrintKind),
    ],
)
def test_vocabulary_checks_are_made_from_the_enums(
    table: str, column: str, enum: type[StrEnum]
) -> None:
    checks = {
        str(c.sqltext)
        for c in Base.metadata.tables[table].constraints
        if isinstance(c, CheckConstraint)
    }
    assert in_check(column, enum) in checks
    assert max(len(v) for v in enum) <= Base.metadata.tables[table].c[column].type.length  # type: ignore[attr-defined]


def test_in_check_sql() -> None:
    assert in_check("kind", UptKind) == "kind IN ('Lapas', 'Rutan', 'LPKA')"
    assert "'admin'" in in_check("role", Role)


def test_uuid_columns() -> None:
    have = {t.name for t in TABLES if "uuid" in t.c}
    assert have == UUID_TABLES
    for name in UUID_TABLES:
        column: Column[str] = Base.metadata.tables[name].c.uuid
        assert not column.nullable and column.unique and column.server_default is not None


def test_timestamps_are_all_utc_datetime() -> None:
    for table in TABLES:
        for column in table.columns:
            if column.type.python_type is dt.datetime:
                assert isinstance(column.type, UtcDateTime), f"{table.name}.{column.name}"


def _upt_user_counter(s: Session) -> tuple[int, int, int]:
    upt = Upt(code="LPM-TGR", name="Lapas Pemuda Tangerang", kind="Lapas")
    user = User(username="kasir1", full_name="Siti", role="kasir", pin_hash="x")
    counter = Counter(code="K01", name="Meja K01")
    s.add_all([upt, user, counter])
    s.flush()
    return upt.id, user.id, counter.id


def test_timestamps_come_back_aware_utc_and_naive_ones_are_refused(
    factory: sessionmaker[Session],
) -> None:
    jakarta = dt.datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=JAKARTA)
    with factory.begin() as s:
        _upt, user, counter = _upt_user_counter(s)
        shift = Shift(
            counter_id=counter, cashier_id=user, business_date=jakarta.date(), opened_at=jakarta
        )
        s.add(shift)
    with factory() as s:
        opened = s.scalar(select(Shift.opened_at))
        raw = s.execute(text("SELECT opened_at FROM shift")).scalar()
    assert opened == jakarta and opened.tzinfo == dt.UTC
    assert opened.hour == 3  # stored as UTC, not as Jakarta wall time
    if isinstance(raw, str):  # SQLite: UTC text without an offset
        assert raw.startswith("2026-11-22 03:00:00.123456")
    naive = dt.datetime(2026, 11, 22, 10, 0)
    with pytest.raises(StatementError, match="naive datetime"), factory.begin() as s:
        s.execute(update(Shift).values(opened_at=naive))


def test_product_updated_at_is_set_on_insert_and_on_every_change(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as s:
        upt, _user, _counter = _upt_user_counter(s)
        category = s.scalar(select(Category.id).where(Category.code == "kuliner"))
        product = Product(
            sku="KUL-1",
            name="Makaroni",
            search_name="makaroni",
            category_id=category,
            price=18_000,
            upt_id=upt,
        )
        s.add(product)
        s.flush()
        first = product.updated_at
        product_id = product.id
    assert first is not None and first.tzinfo == dt.UTC
    with factory.begin() as s:
        s.execute(update(Product).where(Product.id == product_id).values(price=19_000))
    with factory.begin() as s:
        second = s.scalar(select(Product.updated_at))
        row = s.get(Product, product_id)
        assert row is not None
        row.name = "Makaroni Keju"
    with factory() as s:
        third = s.scalar(select(Product.updated_at))
    assert first < second < third


def test_uuid7_text_is_a_time_ordered_rfc_uuid() -> None:
    made = []
    for _ in range(3):
        made += [uuid7_text() for _ in range(500)]
        time.sleep(0.002)
    parsed = [uuid.UUID(u) for u in made]
    assert all(p.version == 7 and p.variant == uuid.RFC_4122 for p in parsed)
    assert [str(p) for p in parsed] == made  # canonical lower-case text
    assert len(set(made)) == len(made)
    millis = [p.int >> 80 for p in parsed]
    assert millis == sorted(millis)
    assert abs(millis[-1] - time.time_ns() // 1_000_000) < 60_000
    assert normalise_uuid(made[0].upper()) == made[0]
    with pytest.raises(ValueError):
        normalise_uuid("K01-20261122-0001")
