"""search lookup index

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:30:00

- SQLite: `ix_product_search_key` on product (id, search_name, active), which name search reads
  to put the candidates of the trigram index in name order (kasir.store.search_index). Like the
  trigram index it is not in the models. PostgreSQL: nothing (the planner sorts from pg_trgm).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from kasir.store import search_index

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.install_lookup_index(op.get_bind())


def downgrade() -> None:
    search_index.uninstall_lookup_index(op.get_bind())
