"""schema conventions, UUIDs, approvers, the missing CHECKs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:40:00

- a naming convention with every column of a constraint or index in its name (the three
  multi-column unique constraints and one index are renamed);
- server defaults on every column that has a default;
- an index on every foreign key, partial (WHERE col IS NOT NULL) where the column is mostly empty;
- CHECKs: a refund has its original and a sale none; a voided document its void time and a
  completed one none; a closed shift its close time and cash figures; payment signs per document
  kind (payment.document_kind, kept equal to the sale's kind by a composite foreign key);
  UPT allocation all-or-nothing; the vocabularies (role now includes 'admin');
- UUIDs on sale line, payment, stock movement, shift and parked cart (backfilled by the server
  default), `product.updated_at`, `shift.simulated`;
- approvers: sale_line.discount_approved_by_id and price_approved_by_id (unknown, NULL, for old
  rows); sale.approved_by_id split by kind into order_discount_approved_by_id (sales) and
  refund_approved_by_id (refunds); payment.reversal_reference;
- the product name search index (kasir.store.search_index), installed last.

The schema of both revisions is written out below (`schema(2)` / `schema(1)`), frozen: later
changes to the models do not change what this migration does. SQLite cannot alter constraints,
so there every table is rebuilt (renamed aside, created anew, rows copied, old table dropped);
PostgreSQL is altered in place. Both ways are driven by the difference between the two schemas,
so the downgrade is the same code run the other way.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kasir.errors import StoreUnavailable
from kasir.store import search_index
from kasir.store.types import new_uuid

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONVENTION_1 = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
CONVENTION_2 = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES_1 = "role IN ('kasir', 'supervisor', 'manajer', 'gudang')"
ROLES_2 = "role IN ('kasir', 'supervisor', 'manajer', 'gudang', 'admin')"


def schema(version: int) -> sa.MetaData:
    """The whole schema of revision 0001 or 0002, as Core tables."""
    v2 = version == 2
    md = sa.MetaData(naming_convention=CONVENTION_2 if v2 else CONVENTION_1)
    C = sa.Column
    Int, Big, Str, Txt, Bool = sa.Integer, sa.BigInteger, sa.String, sa.Text, sa.Boolean
    ZERO, NOW, EMPTY = sa.text("0"), sa.func.current_timestamp(), sa.text("''")

    def d(value: object) -> object:
        """A server default, in 0002 only."""
        return value if v2 else None

    def fk(target: str, **kw: object) -> sa.ForeignKey:
        return sa.ForeignKey(target, **kw)  # type: ignore[arg-type]

    def ts(name: str, *, default: bool = True, nullable: bool = False) -> sa.Column[object]:
        server_default = d(NOW) if default else None
        return C(name, sa.DateTime(timezone=True), nullable=nullable, server_default=server_default)

    def uuid() -> list[sa.Column[object]]:
        if not v2:
            return []
        return [C("uuid", Str(36), nullable=False, unique=True, server_default=new_uuid())]

    def sparse(table: str, column: str) -> sa.Index:
        where = sa.text(f"{column} IS NOT NULL")
        return sa.Index(f"ix_{table}_{column}", column, sqlite_where=where, postgresql_where=where)

    def user_fk(name: str, *, index: bool = False) -> sa.Column[object]:
        return C(name, Int, fk("user_account.id"), nullable=True, index=index or None)

    sa.Table(
        "category",
        md,
        C("id", Int, primary_key=True),
        C("code", Str(32), nullable=False, unique=True),
        C("name", Str(100), nullable=False),
    )
    sa.Table(
        "counter",
        md,
        C("id", Int, primary_key=True),
        C("code", Str(16), nullable=False, unique=True),
        C("name", Str(100), nullable=False),
        C("active", Bool, nullable=False, server_default=d(sa.true())),
    )
    sa.Table(
        "setting",
        md,
        C("key", Str(64), primary_key=True),
        C("value", Txt, nullable=False),
    )
    sa.Table(
        "upt",
        md,
        C("id", Int, primary_key=True),
        C("code", Str(32), nullable=False, unique=True),
        C("name", Str(200), nullable=False),
        C("kind", Str(8), nullable=False),
        C("region", Str(100), nullable=False, server_default=d(EMPTY)),
        C("alloc_pnbp_pct", sa.Numeric(5, 2)),
        C("alloc_premi_pct", sa.Numeric(5, 2)),
        C("alloc_pembinaan_pct", sa.Numeric(5, 2)),
        C("alloc_base", Str(16)),
        C("active", Bool, nullable=False, server_default=d(sa.true())),
        sa.CheckConstraint("kind IN ('Lapas', 'Rutan', 'LPKA')", name="kind"),
        sa.CheckConstraint(
            "alloc_pnbp_pct IS NULL OR "
            "alloc_pnbp_pct + alloc_premi_pct + alloc_pembinaan_pct = 100",
            name="alloc_sum",
        ),
        *(
            [
                sa.CheckConstraint(
                    "(alloc_pnbp_pct IS NULL AND alloc_premi_pct IS NULL "
                    "AND alloc_pembinaan_pct IS NULL AND alloc_base IS NULL) OR "
                    "(alloc_pnbp_pct IS NOT NULL AND alloc_premi_pct IS NOT NULL "
                    "AND alloc_pembinaan_pct IS NOT NULL AND alloc_base IS NOT NULL)",
                    name="alloc_all_or_none",
                )
            ]
            if v2
            else []
        ),
    )
    sa.Table(
        "user_account",
        md,
        C("id", Int, primary_key=True),
        C("username", Str(64), nullable=False, unique=True),
        C("full_name", Str(200), nullable=False),
        C("role", Str(16), nullable=False),
        C("pin_hash", Str(200), nullable=False),
        C("nip", Str(32)),
        C("active", Bool, nullable=False, server_default=d(sa.true())),
        sa.CheckConstraint(ROLES_2 if v2 else ROLES_1, name="role"),
    )
    sa.Table(
        "audit_event",
        md,
        C("id", Int, primary_key=True),
        ts("at"),
        user_fk("user_id", index=v2),
        C("action", Str(64), nullable=False),
        C("entity", Str(64), nullable=False, server_default=d(EMPTY)),
        C("entity_id", Str(64), nullable=False, server_default=d(EMPTY)),
        C("payload", Txt, nullable=False, server_default=d("{}")),
        C("prev_hash", Str(64), nullable=False, server_default=d(EMPTY)),
        C("hash", Str(64), nullable=False),
    )
    sa.Table(
        "day_close",
        md,
        C("id", Int, primary_key=True),
        C("business_date", sa.Date, nullable=False, unique=True),
        C("number", Str(32), nullable=False, unique=True),
        C("closed_by_id", Int, fk("user_account.id"), nullable=False, index=v2 or None),
        ts("closed_at"),
        C("kode_billing", Str(15)),
        C("ntpn", Str(16)),
        C("deposit_date", sa.Date),
        C("deposit_amount", Big),
    )
    sa.Table(
        "delivery",
        md,
        C("id", Int, primary_key=True),
        C("upt_id", Int, fk("upt.id"), nullable=False),
        C("note_number", Str(64), nullable=False),
        user_fk("received_by_id", index=v2),
        ts("received_at"),
        C("note", Txt, nullable=False, server_default=d(EMPTY)),
        sa.UniqueConstraint("upt_id", "note_number"),
    )
    sa.Table(
        "parked_cart",
        md,
        C("id", Int, primary_key=True),
        *uuid(),
        C("counter_id", Int, fk("counter.id"), nullable=False, index=True),
        C("cashier_id", Int, fk("user_account.id"), nullable=False, index=v2 or None),
        C("label", Str(100), nullable=False, server_default=d(EMPTY)),
        ts("parked_at"),
        C("item_count", Int, nullable=False, server_default=d(ZERO)),
        C("total", Big, nullable=False, server_default=d(ZERO)),
        C("data", Txt, nullable=False),
    )
    sa.Table(
        "product",
        md,
        C("id", Int, primary_key=True),
        C("sku", Str(32), nullable=False, unique=True),
        C("barcode", Str(32), unique=True),
        C("name", Str(200), nullable=False),
        C("search_name", Str(200), nullable=False, index=True),
        C("category_id", Int, fk("category.id"), nullable=False, index=True),
        C("unit", Str(16), nullable=False, server_default=d("pcs")),
        C("price", Big, nullable=False),
        C("cost", Big, nullable=False, server_default=d(ZERO)),
        C("upt_id", Int, fk("upt.id"), nullable=False, index=True),
        C("stock_qty", Int, nullable=False, server_default=d(ZERO)),
        C("shelf_life_days", Int),
        C("pirt_number", Str(32)),
        C("halal_number", Str(64)),
        C("active", Bool, nullable=False, server_default=d(sa.true())),
        *([ts("updated_at")] if v2 else []),
        sa.CheckConstraint("price >= 0", name="price_nonneg"),
        sa.CheckConstraint("cost >= 0", name="cost_nonneg"),
        sa.CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life"),
    )
    sa.Table(
        "receipt_sequence",
        md,
        C("counter_id", Int, fk("counter.id"), primary_key=True),
        C("business_date", sa.Date, primary_key=True),
        C("last_seq", Int, nullable=False),
    )
    open_only = sa.text("status = 'open'")
    sa.Table(
        "shift",
        md,
        C("id", Int, primary_key=True),
        *uuid(),
        C("counter_id", Int, fk("counter.id"), nullable=False, index=v2 or None),
        C("cashier_id", Int, fk("user_account.id"), nullable=False, index=v2 or None),
        C("business_date", sa.Date, nullable=False),
        C("status", Str(8), nullable=False, server_default=d("open")),
        ts("opened_at"),
        ts("closed_at", default=False, nullable=True),
        C("opening_float", Big, nullable=False, server_default=d(ZERO)),
        C("expected_cash", Big),
        C("counted_cash", Big),
        C("counted_detail", Txt),
        user_fk("closed_by_id", index=v2),
        *([C("simulated", Bool, nullable=False, server_default=sa.false())] if v2 else []),
        sa.CheckConstraint("opening_float >= 0", name="float_nonneg"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
        *(
            [
                sa.CheckConstraint(
                    "(status = 'open' AND closed_at IS NULL AND expected_cash IS NULL "
                    "AND counted_cash IS NULL) OR "
                    "(status = 'closed' AND closed_at IS NOT NULL AND expected_cash IS NOT NULL "
                    "AND counted_cash IS NOT NULL)",
                    name="closed_complete",
                )
            ]
            if v2
            else []
        ),
        sa.Index(
            "ix_shift_counter_id_open" if v2 else "ix_shift_one_open_per_counter",
            "counter_id",
            unique=True,
            sqlite_where=open_only,
            postgresql_where=open_only,
        ),
    )
    sale_checks = [
        sa.CheckConstraint("kind IN ('sale', 'refund')", name="kind"),
        sa.CheckConstraint("status IN ('completed', 'voided')", name="status"),
        sa.CheckConstraint("seq > 0", name="seq_positive"),
        sa.CheckConstraint(
            "(kind = 'sale' AND total >= 0) OR (kind = 'refund' AND total <= 0)", name="total_sign"
        ),
    ]
    if v2:
        sale_checks += [
            sa.CheckConstraint(
                "(kind = 'sale' AND original_sale_id IS NULL) OR "
                "(kind = 'refund' AND original_sale_id IS NOT NULL)",
                name="original_by_kind",
            ),
            sa.CheckConstraint(
                "(status = 'completed' AND voided_at IS NULL) OR "
                "(status = 'voided' AND voided_at IS NOT NULL)",
                name="void_time",
            ),
            sa.CheckConstraint(
                "(kind = 'sale' AND refund_approved_by_id IS NULL) OR "
                "(kind = 'refund' AND order_discount_approved_by_id IS NULL)",
                name="approver_by_kind",
            ),
        ]
    sa.Table(
        "sale",
        md,
        C("id", Int, primary_key=True),
        C("uuid", Str(36), nullable=False, unique=True, server_default=d(new_uuid())),
        C("receipt_number", Str(32), nullable=False, unique=True),
        C("kind", Str(8), nullable=False, server_default=d("sale")),
        C("status", Str(12), nullable=False, server_default=d("completed")),
        C("counter_id", Int, fk("counter.id"), nullable=False),
        C("shift_id", Int, fk("shift.id"), nullable=False, index=True),
        C("cashier_id", Int, fk("user_account.id"), nullable=False, index=v2 or None),
        C("business_date", sa.Date, nullable=False),
        C("seq", Int, nullable=False),
        ts("created_at"),
        C("original_sale_id", Int, fk("sale.id"), index=None if v2 else True),
        C("subtotal", Big, nullable=False),
        C("line_discount_total", Big, nullable=False, server_default=d(ZERO)),
        C("order_discount", Big, nullable=False, server_default=d(ZERO)),
        C("tax_total", Big, nullable=False, server_default=d(ZERO)),
        C("total", Big, nullable=False),
        C("reason", Txt),
        *(
            [user_fk("order_discount_approved_by_id"), user_fk("refund_approved_by_id")]
            if v2
            else [user_fk("approved_by_id")]
        ),
        ts("voided_at", default=False, nullable=True),
        C("void_reason", Txt),
        user_fk("voided_by_id"),
        user_fk("void_approved_by_id"),
        sa.UniqueConstraint("counter_id", "business_date", "seq"),
        *([sa.UniqueConstraint("id", "kind")] if v2 else []),
        *sale_checks,
        sa.Index(
            "ix_sale_business_date_counter_id" if v2 else "ix_sale_business_date_counter",
            "business_date",
            "counter_id",
        ),
        *(
            [
                sparse("sale", "original_sale_id"),
                sparse("sale", "order_discount_approved_by_id"),
                sparse("sale", "refund_approved_by_id"),
                sparse("sale", "voided_by_id"),
                sparse("sale", "void_approved_by_id"),
            ]
            if v2
            else []
        ),
    )
    if v2:
        payment_fk: list[sa.SchemaItem] = [
            C("sale_id", Int, nullable=False, index=True),
            C("document_kind", Str(8), nullable=False),
            sa.ForeignKeyConstraint(
                ["sale_id", "document_kind"], ["sale.id", "sale.kind"], ondelete="CASCADE"
            ),
            sa.CheckConstraint("document_kind IN ('sale', 'refund')", name="document_kind"),
            sa.CheckConstraint(
                "(document_kind = 'sale' AND amount >= 0 AND tendered >= amount) OR "
                "(document_kind = 'refund' AND amount <= 0 AND tendered = amount "
                "AND change = 0)",
                name="sign_by_kind",
            ),
        ]
    else:
        payment_fk = [
            C("sale_id", Int, fk("sale.id", ondelete="CASCADE"), nullable=False, index=True)
        ]
    sa.Table(
        "payment",
        md,
        C("id", Int, primary_key=True),
        *uuid(),
        *payment_fk,
        C("method", Str(12), nullable=False),
        C("amount", Big, nullable=False),
        C("tendered", Big, nullable=False),
        C("change", Big, nullable=False, server_default=d(ZERO)),
        C("reference", Str(100)),
        *([C("reversal_reference", Str(100))] if v2 else []),
        sa.CheckConstraint(
            "method IN ('tunai', 'qris', 'debit', 'kredit', 'transfer')", name="method"
        ),
        sa.CheckConstraint("change >= 0", name="change_nonneg"),
    )
    sa.Table(
        "sale_line",
        md,
        C("id", Int, primary_key=True),
        *uuid(),
        C("sale_id", Int, fk("sale.id", ondelete="CASCADE"), nullable=False),
        C("line_no", Int, nullable=False),
        C("product_id", Int, fk("product.id"), nullable=False, index=True),
        C("sku", Str(32), nullable=False),
        C("barcode", Str(32)),
        C("name", Str(200), nullable=False),
        C("upt_id", Int, fk("upt.id"), nullable=False, index=True),
        C("upt_code", Str(32), nullable=False),
        C("category", Str(32), nullable=False),
        C("unit_price", Big, nullable=False),
        C("list_price", Big, nullable=False),
        C("cost", Big, nullable=False),
        C("qty", Int, nullable=False),
        C("line_discount", Big, nullable=False, server_default=d(ZERO)),
        C("order_discount_share", Big, nullable=False, server_default=d(ZERO)),
        C("tax", Big, nullable=False, server_default=d(ZERO)),
        C("line_total", Big, nullable=False),
        C("original_line_id", Int, fk("sale_line.id"), index=None if v2 else True),
        *([user_fk("discount_approved_by_id"), user_fk("price_approved_by_id")] if v2 else []),
        sa.UniqueConstraint("sale_id", "line_no"),
        sa.CheckConstraint("qty <> 0", name="qty_nonzero"),
        sa.CheckConstraint("unit_price >= 0", name="price_nonneg"),
        *(
            [
                sparse("sale_line", "original_line_id"),
                sparse("sale_line", "discount_approved_by_id"),
                sparse("sale_line", "price_approved_by_id"),
            ]
            if v2
            else []
        ),
    )
    sa.Table(
        "stock_movement",
        md,
        C("id", Int, primary_key=True),
        *uuid(),
        C("product_id", Int, fk("product.id"), nullable=False, index=True),
        C("qty", Int, nullable=False),
        C("kind", Str(12), nullable=False),
        C("sale_id", Int, fk("sale.id"), index=True),
        C("delivery_id", Int, fk("delivery.id"), index=None if v2 else True),
        user_fk("user_id", index=v2),
        C("reference", Str(100), nullable=False, server_default=d(EMPTY)),
        ts("created_at"),
        sa.CheckConstraint(
            "kind IN ('receive', 'sale', 'refund', 'void', 'adjust', 'return', 'writeoff')",
            name="kind",
        ),
        sa.CheckConstraint("qty <> 0", name="qty_nonzero"),
        *([sparse("stock_movement", "delivery_id")] if v2 else []),
    )
    return md


# What a column that the other revision lacks is filled with when rows are copied (SQLite)
# or after it is added (PostgreSQL); columns not listed take their server default, or NULL.
FILL_UP = {
    ("payment", "document_kind"): "(SELECT sale.kind FROM sale WHERE sale.id = {src}.sale_id)",
    ("sale", "order_discount_approved_by_id"): (
        "CASE WHEN {src}.kind = 'sale' THEN {src}.approved_by_id END"
    ),
    ("sale", "refund_approved_by_id"): (
        "CASE WHEN {src}.kind = 'refund' THEN {src}.approved_by_id END"
    ),
}
FILL_DOWN = {
    ("sale", "approved_by_id"): (
        "COALESCE({src}.order_discount_approved_by_id, {src}.refund_approved_by_id)"
    ),
}


# Rows a 0001 store may hold that 0002's new CHECKs refuse (none that Kasir itself wrote):
# found before anything changes, and told in one line instead of a constraint error.
PREFLIGHT = {
    "retur tanpa struk asal / penjualan dengan struk asal": (
        "SELECT receipt_number FROM sale WHERE (kind = 'refund' AND original_sale_id IS NULL) "
        "OR (kind = 'sale' AND original_sale_id IS NOT NULL)"
    ),
    "void tanpa waktu void / selesai dengan waktu void": (
        "SELECT receipt_number FROM sale WHERE (status = 'voided' AND voided_at IS NULL) "
        "OR (status = 'completed' AND voided_at IS NOT NULL)"
    ),
    "shift tertutup tanpa waktu tutup atau uang dihitung": (
        "SELECT CAST(id AS VARCHAR(20)) FROM shift WHERE (status = 'closed' AND "
        "(closed_at IS NULL OR expected_cash IS NULL OR counted_cash IS NULL)) OR "
        "(status = 'open' AND (closed_at IS NOT NULL OR expected_cash IS NOT NULL "
        "OR counted_cash IS NOT NULL))"
    ),
    "pembayaran dengan tanda yang salah": (
        "SELECT s.receipt_number FROM payment p JOIN sale s ON s.id = p.sale_id WHERE "
        "NOT ((s.kind = 'sale' AND p.amount >= 0 AND p.tendered >= p.amount) OR "
        "(s.kind = 'refund' AND p.amount <= 0 AND p.tendered = p.amount AND p.change = 0))"
    ),
    "UPT dengan skema alokasi tidak lengkap": (
        "SELECT code FROM upt WHERE NOT ((alloc_pnbp_pct IS NULL AND alloc_premi_pct IS NULL "
        "AND alloc_pembinaan_pct IS NULL AND alloc_base IS NULL) OR (alloc_pnbp_pct IS NOT NULL "
        "AND alloc_premi_pct IS NOT NULL AND alloc_pembinaan_pct IS NOT NULL "
        "AND alloc_base IS NOT NULL))"
    ),
}


def preflight(conn: sa.Connection) -> None:
    problems = []
    for what, sql in PREFLIGHT.items():
        found = [str(v) for v in conn.execute(sa.text(sql)).scalars()]
        if found:
            more = f" dan {len(found) - 3} lainnya" if len(found) > 3 else ""
            problems.append(f"{what}: {', '.join(found[:3])}{more}")
    if problems:
        raise StoreUnavailable(
            "Database tidak bisa diperbarui ke skema 0002 (tidak ada yang diubah); "
            "perbaiki data ini dulu: " + "; ".join(problems) + "."
        )


def upgrade() -> None:
    preflight(op.get_bind())
    migrate(schema(1), schema(2), FILL_UP)
    # Last: a SQLite table rebuild drops the product table's triggers.
    search_index.install(op.get_bind())


def downgrade() -> None:
    search_index.uninstall(op.get_bind())
    migrate(schema(2), schema(1), FILL_DOWN)


def migrate(old: sa.MetaData, new: sa.MetaData, fill: dict[tuple[str, str], str]) -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _rebuild_sqlite(conn, old, new, fill)
    else:
        _alter_postgresql(conn, old, new, fill)


# --- SQLite: rebuild every table -------------------------------------------------------------


def _rebuild_sqlite(
    conn: sa.Connection, old: sa.MetaData, new: sa.MetaData, fill: dict[tuple[str, str], str]
) -> None:
    """Rename every table aside, create the new ones, copy the rows, drop the old tables.

    Foreign keys stay ON (PRAGMA foreign_keys cannot change inside the migration's
    transaction), so no table that others refer to is ever dropped while they refer to it:
    renaming all tables aside moves the old references along with them (to the `_old_` names),
    the new tables refer to each other, and the old tables are dropped children first. The
    checks are deferred to the commit and run once more by PRAGMA foreign_key_check."""
    exec_ = conn.exec_driver_sql
    exec_("PRAGMA defer_foreign_keys = ON")
    tables = [t.name for t in new.sorted_tables]
    for name in reversed(tables):
        for (index,) in exec_(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (name,),
        ).all():
            exec_(f'DROP INDEX "{index}"')
        exec_(f'ALTER TABLE "{name}" RENAME TO "_old_{name}"')
    for table in new.sorted_tables:
        table.create(conn)
    for table in new.sorted_tables:
        before = old.tables[table.name]
        targets, sources = [], []
        for column in table.columns:
            expr = fill.get((table.name, column.name))
            if expr is not None:
                sources.append(expr.format(src=f'"_old_{table.name}"'))
            elif column.name in before.columns:
                sources.append(f'"{column.name}"')
            else:
                continue  # the server default (a UUID, a time, false), or NULL
            targets.append(f'"{column.name}"')
        exec_(
            f'INSERT INTO "{table.name}" ({", ".join(targets)}) '
            f'SELECT {", ".join(sources)} FROM "_old_{table.name}"'
        )
    for name in reversed(tables):
        exec_(f'DROP TABLE "_old_{name}"')
    broken = exec_("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


# --- PostgreSQL: alter in place -----------------------------------------------------------------


def _constraints(table: sa.Table) -> dict[str, sa.Constraint]:
    return {
        str(c.name): c
        for c in table.constraints
        if not isinstance(c, sa.PrimaryKeyConstraint) and c.name is not None
    }


def _shape(item: sa.Constraint | sa.Index) -> tuple[object, ...]:
    """What a constraint or index is, apart from its name."""
    columns = tuple(c.name for c in item.columns)
    if isinstance(item, sa.ForeignKeyConstraint):
        return ("fk", columns, tuple(e.target_fullname for e in item.elements), item.ondelete)
    if isinstance(item, sa.UniqueConstraint):
        return ("uq", columns)
    if isinstance(item, sa.CheckConstraint):
        return ("ck", str(item.sqltext))
    assert isinstance(item, sa.Index)
    where = item.dialect_options["postgresql"]["where"]
    return ("ix", columns, item.unique, None if where is None else str(where))


def _default_sql(column: sa.Column[object], conn: sa.Connection) -> str | None:
    default = column.server_default
    if default is None:
        return None
    assert isinstance(default, sa.DefaultClause)
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    return str(arg.compile(dialect=conn.dialect))  # type: ignore[union-attr]


def _alter_postgresql(
    conn: sa.Connection, old: sa.MetaData, new: sa.MetaData, fill: dict[tuple[str, str], str]
) -> None:
    exec_ = conn.exec_driver_sql
    # 1. Rename what only changes its name; drop what goes or changes. Foreign keys of every
    #    table first: a unique constraint may be the target of one.
    for fks_pass in (True, False):
        for table in old.sorted_tables:
            after = new.tables[table.name]
            new_items = {**_constraints(after), **{str(i.name): i for i in after.indexes}}
            by_shape = {_shape(item): name for name, item in new_items.items()}
            old_items = {**_constraints(table), **{str(i.name): i for i in table.indexes}}
            for name, item in old_items.items():
                if isinstance(item, sa.ForeignKeyConstraint) != fks_pass:
                    continue
                if name in new_items and _shape(new_items[name]) == _shape(item):
                    continue
                renamed = by_shape.get(_shape(item))
                if renamed is not None and renamed not in old_items:
                    if isinstance(item, sa.Index):
                        exec_(f'ALTER INDEX "{name}" RENAME TO "{renamed}"')
                    else:
                        exec_(
                            f'ALTER TABLE "{table.name}" RENAME CONSTRAINT "{name}" TO "{renamed}"'
                        )
                elif isinstance(item, sa.Index):
                    exec_(f'DROP INDEX "{name}"')
                else:
                    exec_(f'ALTER TABLE "{table.name}" DROP CONSTRAINT "{name}"')
    # 2. New columns (those with a server default are filled by it, row by row), then fills.
    for table in new.sorted_tables:
        before = old.tables[table.name]
        for column in table.columns:
            if column.name in before.columns:
                continue
            default = _default_sql(column, conn)
            sql = f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" '
            sql += column.type.compile(dialect=conn.dialect)
            if default is not None:
                sql += f" DEFAULT {default}"
            if default is not None and not column.nullable:
                sql += " NOT NULL"
            exec_(sql)
            expr = fill.get((table.name, column.name))
            if expr is not None:
                src = f'"{table.name}"'
                exec_(f'UPDATE "{table.name}" SET "{column.name}" = {expr.format(src=src)}')
            if default is None and not column.nullable:
                exec_(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" SET NOT NULL')
    # 3. Columns that go, and server defaults that change.
    for table in old.sorted_tables:
        after = new.tables[table.name]
        for column in table.columns:
            if column.name not in after.columns:
                exec_(f'ALTER TABLE "{table.name}" DROP COLUMN "{column.name}"')
                continue
            wanted = _default_sql(after.columns[column.name], conn)
            if wanted == _default_sql(column, conn):
                continue
            action = "DROP DEFAULT" if wanted is None else f"SET DEFAULT {wanted}"
            exec_(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" {action}')
    # 4. New constraints and indexes: unique ones first (foreign keys may refer to them).
    order = (sa.UniqueConstraint, sa.CheckConstraint, sa.ForeignKeyConstraint)
    for kind in order:
        for table in new.sorted_tables:
            present = {**_constraints(old.tables[table.name])}
            for name, item in _constraints(table).items():
                if (
                    isinstance(item, kind)
                    and not _same(present.get(name), item)
                    and not _renamed(old.tables[table.name], item)
                ):
                    conn.execute(sa.schema.AddConstraint(item))
    for table in new.sorted_tables:
        present_ix = {str(i.name): i for i in old.tables[table.name].indexes}
        for index in table.indexes:
            if _same(present_ix.get(str(index.name)), index) or _renamed(
                old.tables[table.name], index
            ):
                continue
            index.create(conn)


def _same(before: sa.Constraint | sa.Index | None, after: sa.Constraint | sa.Index) -> bool:
    return before is not None and _shape(before) == _shape(after)


def _renamed(before: sa.Table, item: sa.Constraint | sa.Index) -> bool:
    """Whether step 1 renamed an item of `before` into `item` (same shape, other name)."""
    olds = [*_constraints(before).values(), *before.indexes]
    return any(_shape(o) == _shape(item) and o.name != item.name for o in olds) and not any(
        o.name == item.name for o in olds
    )
