"""shift close approval

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:40:00

- `shift.close_approved_by_id`: the supervisor who approved closing another cashier's shift
  (the handover count), with its sparse index; NULL for a shift its own cashier closed, and for
  every shift closed before this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = sa.text("close_approved_by_id IS NOT NULL")


FK = "fk_shift_close_approved_by_id_user_account"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES in place (no table rebuild); Alembic would
        # only do it by rebuilding the table.
        op.execute(
            "ALTER TABLE shift ADD COLUMN close_approved_by_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES user_account (id)"
        )
    else:
        op.add_column("shift", sa.Column("close_approved_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "shift", "user_account", ["close_approved_by_id"], ["id"])
    op.create_index(
        op.f("ix_shift_close_approved_by_id"),
        "shift",
        ["close_approved_by_id"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shift_close_approved_by_id"), table_name="shift")
    if op.get_bind().dialect.name == "sqlite":
        # In place too (SQLite 3.35+): a column whose only constraint is its own REFERENCES
        # can be dropped; rebuilding the table would trip the foreign keys of the tables that
        # refer to shift (they stay ON inside the migration's transaction).
        op.execute("ALTER TABLE shift DROP COLUMN close_approved_by_id")
    else:
        op.drop_constraint(FK, "shift", type_="foreignkey")
        op.drop_column("shift", "close_approved_by_id")
