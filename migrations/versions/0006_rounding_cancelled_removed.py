"""cash rounding, cancelled carts, removed payments

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:30:00

- `sale.rounding`: the cash rounding (pembulatan) of a sale or refund, its own line credited to
  no UPT (total = sum of the lines + rounding), 0 for every existing document; a CHECK keeps it
  under one rounding unit (Rp 1.000) either way;
- `cancelled_sale` and `cancelled_sale_line`: a cart given up at the till (who, when, counter,
  shift, its lines and totals as priced);
- `removed_payment`: a payment taken for a cart and removed before the sale was stored (removed
  in the payment dialog, a non-cash one with its reason; or dropped with a cancelled cart).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kasir.store.types import UtcDateTime, new_uuid

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.func.current_timestamp()
ZERO = sa.text("0")
ROUNDING_CHECK = "rounding > -1000 AND rounding < 1000"
METHOD_CHECK = "method IN ('tunai', 'qris', 'debit', 'kredit', 'transfer')"


def _sparse(table: str, column: str) -> None:
    where = sa.text(f"{column} IS NOT NULL")
    op.create_index(
        f"ix_{table}_{column}", table, [column], sqlite_where=where, postgresql_where=where
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not a batch rebuild: dropping the old `sale` table while sale_line and payment refer
        # to it fails the foreign keys (they stay ON in the migration's transaction). SQLite
        # takes a column CHECK in ADD COLUMN.
        op.execute(
            "ALTER TABLE sale ADD COLUMN rounding BIGINT DEFAULT 0 NOT NULL "
            f"CONSTRAINT ck_sale_rounding CHECK ({ROUNDING_CHECK})"
        )
    else:
        op.add_column(
            "sale", sa.Column("rounding", sa.BigInteger(), server_default=ZERO, nullable=False)
        )
        op.create_check_constraint(op.f("ck_sale_rounding"), "sale", ROUNDING_CHECK)

    op.create_table(
        "cancelled_sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), server_default=new_uuid(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("cashier_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("cancelled_at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.Column("item_count", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("subtotal", sa.BigInteger(), server_default=ZERO, nullable=False),
        sa.Column("discount_total", sa.BigInteger(), server_default=ZERO, nullable=False),
        sa.Column("total", sa.BigInteger(), server_default=ZERO, nullable=False),
        sa.Column("paid", sa.BigInteger(), server_default=ZERO, nullable=False),
        sa.ForeignKeyConstraint(
            ["cashier_id"],
            ["user_account.id"],
            name=op.f("fk_cancelled_sale_cashier_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_cancelled_sale_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_cancelled_sale_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancelled_sale")),
        sa.UniqueConstraint("uuid", name=op.f("uq_cancelled_sale_uuid")),
    )
    op.create_index(
        "ix_cancelled_sale_business_date_counter_id",
        "cancelled_sale",
        ["business_date", "counter_id"],
    )
    op.create_index("ix_cancelled_sale_cashier_id", "cancelled_sale", ["cashier_id"])
    op.create_index("ix_cancelled_sale_counter_id", "cancelled_sale", ["counter_id"])
    _sparse("cancelled_sale", "shift_id")

    op.create_table(
        "cancelled_sale_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cancelled_sale_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("upt_code", sa.String(length=32), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), server_default=ZERO, nullable=False),
        sa.Column("line_total", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cancelled_sale_id"],
            ["cancelled_sale.id"],
            name=op.f("fk_cancelled_sale_line_cancelled_sale_id_cancelled_sale"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_cancelled_sale_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancelled_sale_line")),
        sa.UniqueConstraint(
            "cancelled_sale_id",
            "line_no",
            name=op.f("uq_cancelled_sale_line_cancelled_sale_id_line_no"),
        ),
    )
    op.create_index("ix_cancelled_sale_line_product_id", "cancelled_sale_line", ["product_id"])

    op.create_table(
        "removed_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), server_default=new_uuid(), nullable=False),
        sa.Column("sale_uuid", sa.String(length=36), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("cancelled_sale_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(METHOD_CHECK, name=op.f("ck_removed_payment_method")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_removed_payment_amount_positive")),
        sa.CheckConstraint(
            "method = 'tunai' OR reason IS NOT NULL", name=op.f("ck_removed_payment_reason")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_sale_id"],
            ["cancelled_sale.id"],
            name=op.f("fk_removed_payment_cancelled_sale_id_cancelled_sale"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_removed_payment_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_removed_payment_shift_id_shift")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_removed_payment_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_payment")),
        sa.UniqueConstraint("uuid", name=op.f("uq_removed_payment_uuid")),
    )
    op.create_index("ix_removed_payment_counter_id", "removed_payment", ["counter_id"])
    op.create_index("ix_removed_payment_sale_uuid", "removed_payment", ["sale_uuid"])
    op.create_index("ix_removed_payment_user_id", "removed_payment", ["user_id"])
    _sparse("removed_payment", "shift_id")
    _sparse("removed_payment", "cancelled_sale_id")


def downgrade() -> None:
    op.drop_table("removed_payment")  # its indexes go with it
    op.drop_table("cancelled_sale_line")
    op.drop_table("cancelled_sale")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE sale DROP COLUMN rounding")  # its column CHECK goes with it
    else:
        op.drop_constraint(op.f("ck_sale_rounding"), "sale", type_="check")
        op.drop_column("sale", "rounding")
