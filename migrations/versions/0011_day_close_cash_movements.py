"""day close with frozen figures, cash movements, shift reports

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:30:00

- `day_close.figures`: the settlement's figures frozen at the close (JSON of
  `kasir.domain.settlement`), `pnbp_due` (what the deposit must equal), `deposited_by_id` and
  `deposited_at` (who entered the deposit data, when). The table was empty in every store.
- `cash_movement`: kas masuk / kas keluar / a safe drop during a shift, with reason and approver.
- `shift.difference_reason`: why the count differs from the expected cash.
- `print_job.kind` also takes `x_report` and `z_report` (the shift reports on the receipt
  printer). On SQLite the CHECK is widened in the stored schema (the documented way to change a
  CHECK without rebuilding the table: rebuilding print_job would trip drawer_opening's foreign
  key, which stays ON in the migration's transaction); no stored row can break a wider CHECK.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kasir.store.types import UtcDateTime, new_uuid

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.func.current_timestamp()
ZERO = sa.text("0")
OLD_KINDS = "kind IN ('receipt', 'reprint', 'test', 'drawer')"
NEW_KINDS = "kind IN ('receipt', 'reprint', 'test', 'drawer', 'x_report', 'z_report')"


def _sparse(table: str, column: str) -> None:
    where = sa.text(f"{column} IS NOT NULL")
    op.create_index(
        f"ix_{table}_{column}", table, [column], sqlite_where=where, postgresql_where=where
    )


def _print_kinds(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        version = op.get_bind().exec_driver_sql("PRAGMA schema_version").scalar_one()
        op.execute("PRAGMA writable_schema=ON")
        op.get_bind().exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
            "WHERE type = 'table' AND name = 'print_job'",
            (old, new),
        )
        op.execute(f"PRAGMA schema_version={int(version) + 1}")
        op.execute("PRAGMA writable_schema=OFF")
    else:
        op.drop_constraint(op.f("ck_print_job_kind"), "print_job", type_="check")
        op.create_check_constraint(op.f("ck_print_job_kind"), "print_job", new)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("day_close", sa.Column("figures", sa.Text(), server_default="{}", nullable=False))
    if sqlite:  # in place: SQLite takes a column CHECK and REFERENCES in ADD COLUMN
        op.execute(
            "ALTER TABLE day_close ADD COLUMN pnbp_due BIGINT DEFAULT 0 NOT NULL "
            "CONSTRAINT ck_day_close_pnbp_due CHECK (pnbp_due >= 0)"
        )
        op.execute(
            "ALTER TABLE day_close ADD COLUMN deposited_by_id INTEGER "
            "CONSTRAINT fk_day_close_deposited_by_id_user_account REFERENCES user_account (id)"
        )
    else:
        op.add_column(
            "day_close",
            sa.Column("pnbp_due", sa.BigInteger(), server_default=ZERO, nullable=False),
        )
        op.create_check_constraint(op.f("ck_day_close_pnbp_due"), "day_close", "pnbp_due >= 0")
        op.add_column("day_close", sa.Column("deposited_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_day_close_deposited_by_id_user_account"),
            "day_close",
            "user_account",
            ["deposited_by_id"],
            ["id"],
        )
    op.add_column("day_close", sa.Column("deposited_at", UtcDateTime(), nullable=True))
    _sparse("day_close", "deposited_by_id")
    op.add_column("shift", sa.Column("difference_reason", sa.Text(), nullable=True))

    op.create_table(
        "cash_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), server_default=new_uuid(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("at", UtcDateTime(), server_default=NOW, nullable=False),
        sa.CheckConstraint("kind IN ('in', 'out', 'drop')", name=op.f("ck_cash_movement_kind")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_cash_movement_amount_positive")),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_cash_movement_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_cash_movement_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_cash_movement_shift_id_shift")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_cash_movement_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_movement")),
        sa.UniqueConstraint("uuid", name=op.f("uq_cash_movement_uuid")),
    )
    op.create_index("ix_cash_movement_shift_id", "cash_movement", ["shift_id"])
    op.create_index("ix_cash_movement_counter_id", "cash_movement", ["counter_id"])
    op.create_index("ix_cash_movement_user_id", "cash_movement", ["user_id"])
    _sparse("cash_movement", "approved_by_id")
    _print_kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Reports leave the printer's log with the kinds that name them.
    op.execute("DELETE FROM print_job WHERE kind IN ('x_report', 'z_report')")
    _print_kinds(NEW_KINDS, OLD_KINDS)
    op.drop_table("cash_movement")  # its indexes go with it
    op.drop_index("ix_day_close_deposited_by_id", table_name="day_close")
    if sqlite:  # in place (SQLite 3.35+); a column with a CHECK or REFERENCES goes with them
        for column in ("difference_reason",):
            op.execute(f"ALTER TABLE shift DROP COLUMN {column}")
        for column in ("deposited_at", "deposited_by_id", "pnbp_due", "figures"):
            op.execute(f"ALTER TABLE day_close DROP COLUMN {column}")
    else:
        op.drop_column("shift", "difference_reason")
        op.drop_column("day_close", "deposited_at")
        op.drop_constraint(
            op.f("fk_day_close_deposited_by_id_user_account"), "day_close", type_="foreignkey"
        )
        op.drop_column("day_close", "deposited_by_id")
        op.drop_constraint(op.f("ck_day_close_pnbp_due"), "day_close", type_="check")
        op.drop_column("day_close", "pnbp_due")
        op.drop_column("day_close", "figures")
