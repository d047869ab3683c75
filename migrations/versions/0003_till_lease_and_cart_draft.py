"""till lease and cart draft

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 15:29:10

- `till_lease`: one running instance per counter (holder UUID, host, pid, heartbeat), so a
  second window on the same counter is refused, on one machine or several (PostgreSQL);
- `cart_draft`: the cart in progress at a counter with the payments taken so far, saved at every
  change so a crash loses nothing; its `sale_uuid` becomes the sale's UUID (one checkout per sale).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kasir.store.types import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.func.current_timestamp()


def upgrade() -> None:
    op.create_table(
        "till_lease",
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=36), nullable=False),
        sa.Column("host", sa.String(length=255), server_default=sa.text("''"), nullable=False),
        sa.Column("pid", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("acquired_at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.Column("heartbeat_at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_till_lease_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_till_lease_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("counter_id", name=op.f("pk_till_lease")),
    )
    op.create_index(op.f("ix_till_lease_user_id"), "till_lease", ["user_id"])
    op.create_table(
        "cart_draft",
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("sale_uuid", sa.String(length=36), nullable=False),
        sa.Column("cashier_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cashier_id"], ["user_account.id"], name=op.f("fk_cart_draft_cashier_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_cart_draft_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_cart_draft_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("counter_id", name=op.f("pk_cart_draft")),
        sa.UniqueConstraint("sale_uuid", name=op.f("uq_cart_draft_sale_uuid")),
    )
    op.create_index(op.f("ix_cart_draft_cashier_id"), "cart_draft", ["cashier_id"])
    op.create_index(op.f("ix_cart_draft_shift_id"), "cart_draft", ["shift_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cart_draft_shift_id"), table_name="cart_draft")
    op.drop_index(op.f("ix_cart_draft_cashier_id"), table_name="cart_draft")
    op.drop_table("cart_draft")
    op.drop_index(op.f("ix_till_lease_user_id"), table_name="till_lease")
    op.drop_table("till_lease")
