"""print queue and cash drawer

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 14:40:00

- `print_job`: one row per thing to print on a counter's printer (a receipt after its sale, a
  reprint asked for by a person, a test page, a drawer pulse): the exact ESC/POS bytes, its
  status (queued, sent, failed), attempts, the last error, who asked, when it was sent;
- `drawer_opening`: every opening of a cash drawer (who, when, why, the sale or the approver).

- `sale.order_discount_bp`: the order discount as the cashier gave it when it was a percentage,
  in basis points (1500 = 15%), for the receipt's "Diskon transaksi 15%"; NULL for an amount and
  for every older sale (their receipts say "Diskon transaksi").

Added in place on both backends; the downgrade drops the column and the two tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kasir.store.types import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.func.current_timestamp()
ZERO = sa.text("0")


def _sparse(table: str, column: str) -> None:
    where = sa.text(f"{column} IS NOT NULL")
    op.create_index(
        f"ix_{table}_{column}", table, [column], sqlite_where=where, postgresql_where=where
    )


def upgrade() -> None:
    # SQLite adds a plain nullable column in place (no table rebuild).
    op.add_column("sale", sa.Column("order_discount_bp", sa.Integer(), nullable=True))
    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("copy_no", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column(
            "status", sa.String(length=12), server_default=sa.text("'queued'"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("title", sa.String(length=200), server_default=sa.text("''"), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('receipt', 'reprint', 'test', 'drawer')", name=op.f("ck_print_job_kind")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed')", name=op.f("ck_print_job_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_print_job_attempts")),
        sa.CheckConstraint("copy_no >= 0", name=op.f("ck_print_job_copy_no")),
        sa.CheckConstraint(
            "(status = 'sent') = (sent_at IS NOT NULL)", name=op.f("ck_print_job_sent_at")
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_print_job_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_print_job_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(["sale_id"], ["sale.id"], name=op.f("fk_print_job_sale_id_sale")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
    )
    op.create_index(
        "ix_print_job_counter_id_status_id", "print_job", ["counter_id", "status", "id"]
    )
    _sparse("print_job", "sale_id")
    _sparse("print_job", "requested_by_id")

    op.create_table(
        "drawer_opening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("print_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_drawer_opening_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_drawer_opening_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["print_job_id"],
            ["print_job.id"],
            name=op.f("fk_drawer_opening_print_job_id_print_job"),
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_drawer_opening_sale_id_sale")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_drawer_opening_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawer_opening")),
    )
    op.create_index("ix_drawer_opening_counter_id", "drawer_opening", ["counter_id"])
    op.create_index("ix_drawer_opening_user_id", "drawer_opening", ["user_id"])
    _sparse("drawer_opening", "sale_id")
    _sparse("drawer_opening", "approved_by_id")
    _sparse("drawer_opening", "print_job_id")


def downgrade() -> None:
    op.drop_table("drawer_opening")  # its indexes go with it
    op.drop_table("print_job")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE sale DROP COLUMN order_discount_bp")  # in place (3.35+)
    else:
        op.drop_column("sale", "order_discount_bp")
