"""users: lockout; audit events as journaled records (approvals among them)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:00:00

- `user_account.failed_pins`: wrong PINs in a row (login or approval); `locked_until`: the user
  may not log in or approve before then (NULL: not locked). Both 0 / NULL for existing users.
- `audit_event` becomes the store's record of sensitive events (logins, lockouts, approvals and
  refusals, settings and user changes, drawer openings, reprints...), each journaled
  (`kasir.services.journal.record_event`): an index on (`entity`, `entity_id`) finds the
  approvals given for one sale. The table was empty in every store (nothing wrote to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place (SQLite too): rebuilding user_account would trip the foreign keys of
    # every table that refers to it.
    op.add_column(
        "user_account",
        sa.Column("failed_pins", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("user_account", sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.create_index("ix_audit_event_entity_entity_id", "audit_event", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_entity_entity_id", table_name="audit_event")
    # In place (SQLite 3.35+), for the same reason.
    op.drop_column("user_account", "locked_until")
    op.drop_column("user_account", "failed_pins")
