"""weighed goods

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:40:00

Goods sold by measure (kasir.domain.measure): a product whose unit is kg, g, l or m keeps its
quantities in base units (grams, millilitres, millimetres), its price per unit.

- `product.plu`: the item code of shop-scale labels (kasir.domain.scale_label), a unique index;
- `sale_line.unit` and `sale_line.qty_scale`: the unit as sold and base units per unit (a kg line
  holds grams, qty_scale 1000; its gross is qty * unit_price / qty_scale rounded half-up);
- data: product units spelled as kg/l/m (any case, "kilo", "liter", "meter", ...) are written as
  the code; the stock of kg, l and m products, their stock movements and their sale lines are
  multiplied by 1000 (a line's money is unchanged: 3 kg at Rp 25.000 is 3000 g at Rp 25.000/kg);
  every sale line gets its product's unit. Goods sold by count are untouched. A cart saved
  before (parked, or the counter's draft) is converted when it is read (kasir.domain.cart).
- the demo catalog's weighed products get their demo PLUs (kasir.services.demo), where present.

Columns are added (and dropped by the downgrade) in place on both backends, no SQLite batch
rebuild: the product search triggers stay, the foreign keys to product are not in the way, and
a big catalog is not rewritten; hence plu's uniqueness is a unique index, and the models
declare no new CHECK (SQLite cannot add one in place). The downgrade divides back and refuses a
store holding a quantity that is no whole unit (1,3 kg cannot be written as whole kg).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kasir.errors import StoreUnavailable

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: later changes to kasir.domain.measure do not change what this migration does.
ALIASES = {
    "kg": ("kg", "kilo", "kilogram"),
    "g": ("g", "gr", "gram"),
    "l": ("l", "ltr", "liter", "litre"),
    "m": ("m", "meter", "metre"),
}
SCALED = ("kg", "l", "m")  # 1000 base units per unit; g is its own base unit
SCALE = 1000
INT_MAX = 2**31 - 1
DEMO_PLU = {  # sku -> PLU, as kasir.services.demo sets them
    "PTN-0001": 1,
    "PTN-0002": 2,
    "PTN-0014": 14,
    "PTN-0016": 16,
    "PRK-0008": 108,
    "PRK-0009": 109,
    "PRK-0021": 121,
}

_SCALED_LIST = ", ".join(f"'{u}'" for u in SCALED)
_OF_SCALED = f"product_id IN (SELECT id FROM product WHERE unit IN ({_SCALED_LIST}))"


def _refuse_overflow(conn: sa.Connection) -> None:
    limit = INT_MAX // SCALE
    for table, column, where in (
        ("product", "stock_qty", f"unit IN ({_SCALED_LIST})"),
        ("stock_movement", "qty", _OF_SCALED),
        ("sale_line", "qty", _OF_SCALED),
    ):
        big = conn.execute(
            sa.text(f"SELECT max(abs({column})) FROM {table} WHERE {where}")
        ).scalar()
        if big is not None and big > limit:
            raise StoreUnavailable(
                f"Migrasi 0005 tidak bisa jalan: {table}.{column} {big} (per kg/l/m) terlalu "
                f"besar untuk disimpan dalam gram/ml/mm (maks. {limit})."
            )


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("product", sa.Column("plu", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_product_plu"), "product", ["plu"], unique=True)
    op.add_column(
        "sale_line",
        sa.Column("unit", sa.String(length=16), server_default="pcs", nullable=False),
    )
    op.add_column(
        "sale_line",
        sa.Column("qty_scale", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    for code, spellings in ALIASES.items():
        names = ", ".join(f"'{s}'" for s in spellings)
        conn.execute(
            sa.text(
                f"UPDATE product SET unit = '{code}' "
                f"WHERE lower(trim(unit)) IN ({names}) AND unit <> '{code}'"
            )
        )
    _refuse_overflow(conn)
    conn.execute(sa.text(f"UPDATE stock_movement SET qty = qty * {SCALE} WHERE {_OF_SCALED}"))
    conn.execute(
        sa.text(
            "UPDATE sale_line SET unit = "
            "(SELECT product.unit FROM product WHERE product.id = sale_line.product_id)"
        )
    )
    conn.execute(
        sa.text(
            f"UPDATE sale_line SET qty = qty * {SCALE}, qty_scale = {SCALE} "
            f"WHERE unit IN ({_SCALED_LIST})"
        )
    )
    conn.execute(
        sa.text(
            f"UPDATE product SET stock_qty = stock_qty * {SCALE} WHERE unit IN ({_SCALED_LIST})"
        )
    )
    for sku, plu in DEMO_PLU.items():
        conn.execute(
            sa.text(
                "UPDATE product SET plu = :plu WHERE sku = :sku AND unit = 'kg' AND NOT EXISTS "
                "(SELECT 1 FROM product AS other WHERE other.plu = :plu)"
            ),
            {"plu": plu, "sku": sku},
        )


def downgrade() -> None:
    conn = op.get_bind()
    for table, where in (
        ("product", f"unit IN ({_SCALED_LIST}) AND stock_qty % {SCALE} <> 0"),
        ("stock_movement", f"{_OF_SCALED} AND qty % {SCALE} <> 0"),
        ("sale_line", f"qty_scale = {SCALE} AND qty % {SCALE} <> 0"),
    ):
        if conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar():
            raise StoreUnavailable(
                f"Migrasi 0005 tidak bisa dibatalkan: {table} berisi jumlah barang timbang "
                "yang bukan kg/l/m utuh."
            )
    conn.execute(sa.text(f"UPDATE stock_movement SET qty = qty / {SCALE} WHERE {_OF_SCALED}"))
    conn.execute(
        sa.text(
            f"UPDATE product SET stock_qty = stock_qty / {SCALE} WHERE unit IN ({_SCALED_LIST})"
        )
    )
    conn.execute(sa.text("UPDATE sale_line SET qty = qty / qty_scale WHERE qty_scale <> 1"))
    op.drop_index(op.f("ix_product_plu"), table_name="product")
    # Dropped in place on SQLite too (3.35+: ALTER TABLE DROP COLUMN): a batch rebuild of
    # product fails on the foreign keys that point at it, and would drop the search triggers.
    for table, column in (("sale_line", "qty_scale"), ("sale_line", "unit"), ("product", "plu")):
        if conn.dialect.name == "sqlite":
            conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        else:
            op.drop_column(table, column)
