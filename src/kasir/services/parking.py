"""Park and recall carts: serve the next customer while one fetches another item.

A parked cart is stored in the database, so it survives a restart of the app. It is sold at
the catalog's price of the moment it is recalled, never at the price it was parked at."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart, CartLine, price_cart
from kasir.domain.measure import unit_scale
from kasir.errors import NotFound, ValidationError
from kasir.money import format_rupiah
from kasir.services import approvals, catalog
from kasir.services.cart_edit import tax_rate
from kasir.services.shifts import Till
from kasir.settings import get_setting
from kasir.store.models import ParkedCart
from kasir.timeutil import utcnow


@dataclass(frozen=True)
class ParkedView:
    id: int
    label: str
    parked_at: dt.datetime
    item_count: int
    total: int


def park_cart(session: Session, till: Till, cart: Cart, label: str = "") -> ParkedView:
    if not cart.lines:
        raise ValidationError("Keranjang kosong; tidak ada yang disimpan.")
    totals = price_cart(cart, tax_rate(session))
    row = ParkedCart(
        counter_id=till.counter_id,
        cashier_id=till.user_id,
        label=" ".join(label.split())[:100],
        parked_at=utcnow(),
        item_count=totals.item_count,
        total=totals.total,
        data=json.dumps(cart.to_json()),
    )
    session.add(row)
    session.flush()
    return ParkedView(row.id, row.label, row.parked_at, row.item_count, row.total)


def list_parked(session: Session, counter_id: int) -> list[ParkedView]:
    rows = session.scalars(
        select(ParkedCart).where(ParkedCart.counter_id == counter_id).order_by(ParkedCart.id)
    )
    return [ParkedView(r.id, r.label, r.parked_at, r.item_count, r.total) for r in rows]


@dataclass(frozen=True)
class Recalled:
    """A recalled cart, priced from today's catalog, and what changed since it was parked."""

    cart: Cart
    changes: tuple[str, ...]


def recall_cart(session: Session, parked_id: int, cashier_id: int | None = None) -> Recalled:
    """Take a parked cart back (it leaves the parked list), re-priced from the catalog.

    A product deactivated (or gone) since is taken out; a changed price is taken over (a
    price a supervisor set by hand stays); the product's name, UPT, category and cost are
    taken as they are now; an amount discount that no longer fits the line is dropped. A
    price or a discount above the limit stays only when an approval recorded for the cart
    (`kasir.services.approvals`, by someone other than `cashier_id`) covers it: the stored
    JSON carries no authority. Each change is said in `changes`, for the cashier to tell the
    customer."""
    row = session.get(ParkedCart, parked_id, with_for_update=True)
    if row is None:
        raise NotFound("Keranjang yang disimpan tidak ada lagi (mungkin sudah diambil).")
    cart = Cart.from_json(json.loads(row.data))
    session.execute(delete(ParkedCart).where(ParkedCart.id == parked_id))
    changes: list[str] = []
    kept: list[CartLine] = []
    grants = approvals.granted(session, cart.key)
    limit = Decimal(get_setting(session, "discount_approval_pct"))
    asker = -1 if cashier_id is None else cashier_id
    for line in cart.lines:
        try:
            product = catalog.get_product(session, line.product_id)
        except NotFound:
            changes.append(f"{line.name} tidak ada lagi di katalog; dikeluarkan dari keranjang.")
            continue
        if not product.active:
            changes.append(f"{product.name} tidak aktif lagi; dikeluarkan dari keranjang.")
            continue
        if unit_scale(product.unit) != line.qty_scale:  # kg <-> pcs: the qty means another thing
            changes.append(
                f"Satuan {product.name} berubah menjadi {product.unit}; dikeluarkan dari "
                "keranjang, pindai lagi."
            )
            continue
        old_list, old_price = line.list_price, line.unit_price
        price_grant = approvals.find(
            grants, approvals.PRICE, asker, line.product_id, price=line.unit_price
        )
        overridden = line.price_approved_by is not None and price_grant is not None
        if line.price_approved_by is not None and price_grant is None:
            changes.append(
                f"Harga {line.name} {format_rupiah(line.unit_price)} tidak punya persetujuan "
                "yang tercatat; kembali ke harga katalog."
            )
            old_price = product.price  # said just now
        line.price_approved_by = None if price_grant is None else price_grant.approver_id
        line.sku, line.barcode, line.name = product.sku, product.barcode, product.name
        line.unit, line.category, line.cost = product.unit, product.category, product.cost
        line.upt_id, line.upt_code = product.upt_id, product.upt_code
        line.list_price = product.price
        if not overridden:
            line.unit_price = product.price
            if product.price != old_price:
                changes.append(
                    f"Harga {product.name} berubah: {format_rupiah(old_price)} menjadi "
                    f"{format_rupiah(product.price)}."
                )
        elif product.price != old_list:
            changes.append(
                f"Harga katalog {product.name} berubah menjadi {format_rupiah(product.price)}; "
                f"harga yang disetujui supervisor {format_rupiah(line.unit_price)} tetap."
            )
        if line.discount is not None and line.discount_amount > line.gross:
            changes.append(
                f"Diskon {line.discount.label()} untuk {product.name} melebihi harga baru; "
                "diskon dihapus."
            )
            line.discount = None
            line.discount_approved_by = line.discount_approved_pct = None
        if approvals.needs_approval(limit, line.discount, line.gross):
            assert line.discount is not None
            pct = line.discount.percent_of_base(line.gross)
            found = approvals.find(grants, approvals.LINE_DISCOUNT, asker, line.product_id, pct=pct)
            if found is None:
                changes.append(
                    f"Diskon {line.discount.label()} untuk {product.name} tidak punya "
                    "persetujuan yang tercatat; diskon dihapus."
                )
                line.discount = None
                line.discount_approved_by = line.discount_approved_pct = None
            else:
                line.discount_approved_by, line.discount_approved_pct = found.approver_id, pct
        kept.append(line)
    cart.lines = kept
    cart.last_index = len(kept) - 1 if kept else None
    if not kept:
        cart.order_discount = None
        cart.order_discount_approved_by = cart.order_discount_approved_pct = None
    elif cart.order_discount is not None:
        net = sum(line.net for line in kept)
        if cart.order_discount.amount_of(net) > net:
            changes.append(
                f"Diskon transaksi {cart.order_discount.label()} melebihi total baru "
                f"{format_rupiah(net)}; diskon dihapus."
            )
            cart.order_discount = None
            cart.order_discount_approved_by = cart.order_discount_approved_pct = None
    if kept and approvals.needs_approval(limit, cart.order_discount, sum(ln.net for ln in kept)):
        assert cart.order_discount is not None
        pct = cart.order_discount.percent_of_base(sum(ln.net for ln in kept))
        found = approvals.find(grants, approvals.ORDER_DISCOUNT, asker, None, pct=pct)
        if found is None:
            changes.append(
                f"Diskon transaksi {cart.order_discount.label()} tidak punya persetujuan yang "
                "tercatat; diskon dihapus."
            )
            cart.order_discount = None
            cart.order_discount_approved_by = cart.order_discount_approved_pct = None
        else:
            cart.order_discount_approved_by, cart.order_discount_approved_pct = (
                found.approver_id,
                pct,
            )
    return Recalled(cart, tuple(changes))
