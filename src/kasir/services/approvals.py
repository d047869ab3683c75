"""Approvals as records (issue 18): what a cart may claim, the checkout and the recall check.

A cart's approved price or discount is only as good as the `approval` event behind it
(`kasir.services.auth.check_approval` writes one: approver, kind, product, amount, for which
cart). A cart carries no authority of its own: its `*_approved_*` fields are what the window
shows, never what the checkout believes. `authority` finds, for each line whose price is not
the catalog's and each discount above the limit, the record that allows it, for this cart's
key (`Cart.key`, the sale's UUID) and given by someone other than its cashier.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, CartLine, Discount
from kasir.errors import ApprovalRequired
from kasir.money import format_rupiah
from kasir.settings import get_setting
from kasir.store.bulk import column_by_id
from kasir.store.models import AuditEvent, Product, table_of

PRICE, LINE_DISCOUNT, ORDER_DISCOUNT = "price", "line_discount", "order_discount"

_PRODUCT = table_of(Product)
_GRANTED = select(AuditEvent.user_id, AuditEvent.payload).where(
    AuditEvent.entity == "sale",
    AuditEvent.entity_id == bindparam("key"),
    AuditEvent.action == "approval",
)


@dataclass(frozen=True)
class Granted:
    """One approval recorded for a cart."""

    approver_id: int
    kind: str
    product_id: int | None
    price: int | None
    pct: Decimal | None


def price_detail(product_id: int, price: int) -> dict[str, Any]:
    return {"product_id": product_id, "price": price}


def discount_detail(product_id: int | None, pct: Decimal) -> dict[str, Any]:
    return {"product_id": product_id, "pct": str(pct)}


def granted(session: Session, key: str) -> list[Granted]:
    """The approvals recorded for the cart with this key."""
    out = []
    for user_id, payload in session.execute(_GRANTED, {"key": key}):
        if user_id is None:
            continue  # an approval always names its approver
        data = json.loads(payload)
        pct = data.get("pct")
        out.append(
            Granted(
                int(user_id),
                str(data.get("kind", "")),
                data.get("product_id"),
                data.get("price"),
                None if pct is None else Decimal(pct),
            )
        )
    return out


def catalog_prices(session: Session, cart: Cart) -> dict[int, int]:
    """The catalog price of each product in the cart (straight to the driver: every checkout
    runs this)."""
    ids = sorted({line.product_id for line in cart.lines})
    return column_by_id(session.connection(), _PRODUCT, "price", ids)


def needs_approval(limit: Decimal, discount: Discount | None, base: int) -> bool:
    return discount is not None and discount.percent_of_base(base) > limit


@dataclass(frozen=True)
class Authority:
    """Who approved what in a cart, from the records: per line (price, discount) and the order
    discount's approver; and the catalog price each product was sold as (`catalog`, product
    id -> price, for the stock update to check: kasir.services.stock.move_stock), None when
    the cart's own lines disagree on it (one of them cannot be the catalog's)."""

    lines: tuple[tuple[int | None, int | None], ...]
    order_discount_by: int | None
    catalog: dict[int, int] | None


def find(
    grants: Sequence[Granted], kind: str, cashier_id: int, product_id: int | None, **want: Any
) -> Granted | None:
    for g in reversed(grants):  # the latest first
        if g.kind != kind or g.approver_id == cashier_id or g.product_id != product_id:
            continue
        if "price" in want and g.price != want["price"]:
            continue
        if "pct" in want and (g.pct is None or g.pct < want["pct"]):
            continue
        return g
    return None


def _unapproved_price(line: CartLine, catalog: int | None) -> str:
    if catalog is None:
        return f"{line.name} tidak ada lagi di katalog; hapus dari keranjang."
    return (
        f"Harga {line.name} {format_rupiah(line.unit_price)} bukan harga katalog "
        f"({format_rupiah(catalog)}) dan tidak ada persetujuan supervisor yang tercatat. "
        "Hapus baris itu dan pindai lagi, atau minta persetujuan ubah harga."
    )


def check_catalog(session: Session, cart: Cart) -> None:
    """ApprovalRequired naming the first line whose catalog price is not the one the cart
    holds for it (read now: after the stock update found one)."""
    prices = catalog_prices(session, cart)
    for line in cart.lines:
        catalog = prices.get(line.product_id)
        if catalog != line.list_price:
            raise ApprovalRequired(_unapproved_price(line, catalog))


def authority(
    session: Session,
    cart: Cart,
    cashier_id: int,
    *,
    limit: Decimal | None = None,
) -> Authority:
    """The records behind every price that is not the line's catalog price and every discount
    above the limit in `cart`; ApprovalRequired naming the first that has none (nothing is
    written). That each line's catalog price (`list_price`) is still the catalog's is checked
    by the caller's stock update with `Authority.catalog` (no statement of its own)."""
    if limit is None:
        limit = Decimal(get_setting(session, "discount_approval_pct"))
    grants: list[Granted] | None = None

    def grants_now() -> list[Granted]:
        nonlocal grants
        if grants is None:
            grants = granted(session, cart.key)
        return grants

    lines: list[tuple[int | None, int | None]] = []
    catalog: dict[int, int] | None = {}
    for line in cart.lines:
        price_by = discount_by = None
        if catalog is not None and (
            catalog.setdefault(line.product_id, line.list_price) != line.list_price
        ):
            catalog = None
        if line.unit_price != line.list_price:
            g = find(grants_now(), PRICE, cashier_id, line.product_id, price=line.unit_price)
            if g is None:
                raise ApprovalRequired(_unapproved_price(line, line.list_price))
            price_by = g.approver_id
        if needs_approval(limit, line.discount, line.gross):
            assert line.discount is not None
            pct = line.discount.percent_of_base(line.gross)
            g = find(grants_now(), LINE_DISCOUNT, cashier_id, line.product_id, pct=pct)
            if g is None:
                raise ApprovalRequired(
                    f"Diskon {line.discount.label()} untuk {line.name} melebihi batas; "
                    "minta persetujuan supervisor."
                )
            discount_by = g.approver_id
        lines.append((price_by, discount_by))
    order_by = None
    base = sum(line.net for line in cart.lines)
    if needs_approval(limit, cart.order_discount, base):
        assert cart.order_discount is not None
        pct = cart.order_discount.percent_of_base(base)
        g = find(grants_now(), ORDER_DISCOUNT, cashier_id, None, pct=pct)
        if g is None:
            raise ApprovalRequired(
                f"Diskon transaksi {cart.order_discount.label()} melebihi batas; "
                "minta persetujuan supervisor."
            )
        order_by = g.approver_id
    if catalog is None:
        check_catalog(session, cart)  # raises: two lines of one product, two prices
    return Authority(tuple(lines), order_by, catalog)
