"""journal

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:10:00

- `journal_entry`: the hash-chained journal, one chain per counter (kasir.services.journal):
  chain, sequence number (unique per chain), time, kind, document, reference, the document's
  digest, the previous entry's hash and its own.
- data: every document already in the store is journaled at the upgrade (shifts opened, sales
  and refunds, voids, shifts closed, per counter in that order), so that `kasir audit verify`
  vouches for the store as it was found; what was changed before the upgrade cannot be told.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from kasir.store.types import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "journal_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.String(length=64), server_default=sa.text("''"), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq > 0", name=op.f("ck_journal_entry_seq")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entry")),
        sa.UniqueConstraint("chain", "seq", name=op.f("uq_journal_entry_chain_seq")),
    )
    op.create_index("ix_journal_entry_kind_doc_id", "journal_entry", ["kind", "doc_id"])
    from kasir.services.journal import journal_existing

    journal_existing(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table("journal_entry")
