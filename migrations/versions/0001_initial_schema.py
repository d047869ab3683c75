"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 06:43:49.910251

The whole domain of DESIGN.md section 7, and the five product categories of the kawasan.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    category = op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("code", name=op.f("uq_category_code")),
    )
    op.bulk_insert(
        category,
        [
            {"code": "kuliner", "name": "Kuliner"},
            {"code": "kerajinan", "name": "Kerajinan"},
            {"code": "furnitur", "name": "Furnitur"},
            {"code": "pertanian", "name": "Pertanian"},
            {"code": "perikanan", "name": "Perikanan"},
        ],
    )
    op.create_table(
        "counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter")),
        sa.UniqueConstraint("code", name=op.f("uq_counter_code")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "upt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("alloc_pnbp_pct", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("alloc_premi_pct", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("alloc_pembinaan_pct", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("alloc_base", sa.String(length=16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('Lapas', 'Rutan', 'LPKA')", name=op.f("ck_upt_kind")),
        sa.CheckConstraint(
            "alloc_pnbp_pct IS NULL OR alloc_pnbp_pct + alloc_premi_pct + alloc_pembinaan_pct = 100",
            name=op.f("ck_upt_alloc_sum"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upt")),
        sa.UniqueConstraint("code", name=op.f("uq_upt_code")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("nip", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role IN ('kasir', 'supervisor', 'manajer', 'gudang')",
            name=op.f("ck_user_account_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_audit_event_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_table(
        "day_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kode_billing", sa.String(length=15), nullable=True),
        sa.Column("ntpn", sa.String(length=16), nullable=True),
        sa.Column("deposit_date", sa.Date(), nullable=True),
        sa.Column("deposit_amount", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_day_close_closed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_close")),
        sa.UniqueConstraint("business_date", name=op.f("uq_day_close_business_date")),
        sa.UniqueConstraint("number", name=op.f("uq_day_close_number")),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upt_id", sa.Integer(), nullable=False),
        sa.Column("note_number", sa.String(length=64), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["received_by_id"],
            ["user_account.id"],
            name=op.f("fk_delivery_received_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(["upt_id"], ["upt.id"], name=op.f("fk_delivery_upt_id_upt")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("upt_id", "note_number", name=op.f("uq_delivery_upt_id")),
    )
    op.create_table(
        "parked_cart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("cashier_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cashier_id"],
            ["user_account.id"],
            name=op.f("fk_parked_cart_cashier_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counter.id"],
            name=op.f("fk_parked_cart_counter_id_counter"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parked_cart")),
    )
    with op.batch_alter_table("parked_cart", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parked_cart_counter_id"), ["counter_id"], unique=False)

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("barcode", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("upt_id", sa.Integer(), nullable=False),
        sa.Column("stock_qty", sa.Integer(), nullable=False),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("pirt_number", sa.String(length=32), nullable=True),
        sa.Column("halal_number", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_product_cost_nonneg")),
        sa.CheckConstraint("price >= 0", name=op.f("ck_product_price_nonneg")),
        sa.CheckConstraint(
            "shelf_life_days IS NULL OR shelf_life_days > 0",
            name=op.f("ck_product_shelf_life"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
            name=op.f("fk_product_category_id_category"),
        ),
        sa.ForeignKeyConstraint(["upt_id"], ["upt.id"], name=op.f("fk_product_upt_id_upt")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("barcode", name=op.f("uq_product_barcode")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_sku")),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_search_name"), ["search_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_upt_id"), ["upt_id"], unique=False)

    op.create_table(
        "receipt_sequence",
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counter.id"],
            name=op.f("fk_receipt_sequence_counter_id_counter"),
        ),
        sa.PrimaryKeyConstraint("counter_id", "business_date", name=op.f("pk_receipt_sequence")),
    )
    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("cashier_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opening_float", sa.BigInteger(), nullable=False),
        sa.Column("expected_cash", sa.BigInteger(), nullable=True),
        sa.Column("counted_cash", sa.BigInteger(), nullable=True),
        sa.Column("counted_detail", sa.Text(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_shift_status")),
        sa.CheckConstraint("opening_float >= 0", name=op.f("ck_shift_float_nonneg")),
        sa.ForeignKeyConstraint(
            ["cashier_id"],
            ["user_account.id"],
            name=op.f("fk_shift_cashier_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_shift_closed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_shift_counter_id_counter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shift_one_open_per_counter",
            ["counter_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("receipt_number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("cashier_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("original_sale_id", sa.Integer(), nullable=True),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("line_discount_total", sa.BigInteger(), nullable=False),
        sa.Column("order_discount", sa.BigInteger(), nullable=False),
        sa.Column("tax_total", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_approved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'sale' AND total >= 0) OR (kind = 'refund' AND total <= 0)",
            name=op.f("ck_sale_total_sign"),
        ),
        sa.CheckConstraint("kind IN ('sale', 'refund')", name=op.f("ck_sale_kind")),
        sa.CheckConstraint("status IN ('completed', 'voided')", name=op.f("ck_sale_status")),
        sa.CheckConstraint("seq > 0", name=op.f("ck_sale_seq_positive")),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_sale_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["cashier_id"],
            ["user_account.id"],
            name=op.f("fk_sale_cashier_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counter.id"], name=op.f("fk_sale_counter_id_counter")
        ),
        sa.ForeignKeyConstraint(
            ["original_sale_id"],
            ["sale.id"],
            name=op.f("fk_sale_original_sale_id_sale"),
        ),
        sa.ForeignKeyConstraint(["shift_id"], ["shift.id"], name=op.f("fk_sale_shift_id_shift")),
        sa.ForeignKeyConstraint(
            ["void_approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_sale_void_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"],
            ["user_account.id"],
            name=op.f("fk_sale_voided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale")),
        sa.UniqueConstraint("counter_id", "business_date", "seq", name=op.f("uq_sale_counter_id")),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_sale_receipt_number")),
        sa.UniqueConstraint("uuid", name=op.f("uq_sale_uuid")),
    )
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sale_business_date_counter",
            ["business_date", "counter_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sale_original_sale_id"), ["original_sale_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sale_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tendered", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "method IN ('tunai', 'qris', 'debit', 'kredit', 'transfer')",
            name=op.f("ck_payment_method"),
        ),
        sa.CheckConstraint("change >= 0", name=op.f("ck_payment_change_nonneg")),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sale.id"],
            name=op.f("fk_payment_sale_id_sale"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_sale_id"), ["sale_id"], unique=False)

    op.create_table(
        "sale_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("barcode", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("upt_id", sa.Integer(), nullable=False),
        sa.Column("upt_code", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("list_price", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("line_discount", sa.BigInteger(), nullable=False),
        sa.Column("order_discount_share", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("line_total", sa.BigInteger(), nullable=False),
        sa.Column("original_line_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("qty <> 0", name=op.f("ck_sale_line_qty_nonzero")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_sale_line_price_nonneg")),
        sa.ForeignKeyConstraint(
            ["original_line_id"],
            ["sale_line.id"],
            name=op.f("fk_sale_line_original_line_id_sale_line"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_sale_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"],
            ["sale.id"],
            name=op.f("fk_sale_line_sale_id_sale"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["upt_id"], ["upt.id"], name=op.f("fk_sale_line_upt_id_upt")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale_line")),
        sa.UniqueConstraint("sale_id", "line_no", name=op.f("uq_sale_line_sale_id")),
    )
    with op.batch_alter_table("sale_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sale_line_original_line_id"),
            ["original_line_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_sale_line_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sale_line_upt_id"), ["upt_id"], unique=False)

    op.create_table(
        "stock_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('receive', 'sale', 'refund', 'void', 'adjust', 'return', 'writeoff')",
            name=op.f("ck_stock_movement_kind"),
        ),
        sa.CheckConstraint("qty <> 0", name=op.f("ck_stock_movement_qty_nonzero")),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_stock_movement_delivery_id_delivery"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_stock_movement_product_id_product"),
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_stock_movement_sale_id_sale")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_stock_movement_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_movement_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stock_movement_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stock_movement_sale_id"), ["sale_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movement_sale_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movement_product_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movement_delivery_id"))

    op.drop_table("stock_movement")
    with op.batch_alter_table("sale_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_line_upt_id"))
        batch_op.drop_index(batch_op.f("ix_sale_line_product_id"))
        batch_op.drop_index(batch_op.f("ix_sale_line_original_line_id"))

    op.drop_table("sale_line")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_sale_id"))

    op.drop_table("payment")
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_shift_id"))
        batch_op.drop_index(batch_op.f("ix_sale_original_sale_id"))
        batch_op.drop_index("ix_sale_business_date_counter")

    op.drop_table("sale")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_shift_one_open_per_counter",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.drop_table("shift")
    op.drop_table("receipt_sequence")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_upt_id"))
        batch_op.drop_index(batch_op.f("ix_product_search_name"))
        batch_op.drop_index(batch_op.f("ix_product_category_id"))

    op.drop_table("product")
    with op.batch_alter_table("parked_cart", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parked_cart_counter_id"))

    op.drop_table("parked_cart")
    op.drop_table("delivery")
    op.drop_table("day_close")
    op.drop_table("audit_event")
    op.drop_table("user_account")
    op.drop_table("upt")
    op.drop_table("setting")
    op.drop_table("counter")
    op.drop_table("category")
