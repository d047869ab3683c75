"""Cart editing: add by scan, quantity, remove, discounts and price overrides (with approvals).

Weighed and measured goods (kasir.domain.measure): a kg, g, l or m product's line holds base
units (grams, ml, mm). Quantities given as an `int` to the add functions are a count of the
product's units (1 = 1 kg); as text they are parsed for the product (``1,3`` or ``1300g`` on a
kg product). `set_quantity` takes base units as an `int`, or text. A scale label (EAN-13 with a
price or weight, kasir.domain.scale_label) scanned into `add_by_code` adds its own line.

The cart lives in memory (`kasir.domain.cart.Cart`) while the customer is served: a scan is one
indexed look-up and no write. Every function returns a `CartView`, what the window shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kasir.domain import scale_label
from kasir.domain.cart import Cart, CartLine, CartTotals, Discount, price_cart
from kasir.domain.measure import format_quantity, is_measured, parse_quantity, unit_scale
from kasir.errors import (
    InsufficientStock,
    NotAllowed,
    NotFound,
    ValidationError,
)
from kasir.money import ensure_rupiah, format_rupiah
from kasir.services import approvals, catalog
from kasir.services.auth import Approval, check_approval
from kasir.services.catalog import ProductView
from kasir.settings import get_setting
from kasir.store.bulk import Prepared, prepared
from kasir.store.models import Product

MAX_PRICE = 10**12
# Built once: prepared statements keep a scan near the bare-SQL cost.
_STOCK_OF = select(Product.stock_qty).where(Product.id == bindparam("pid"))
_STOCK_COMPILED: dict[str, Prepared] = {}  # per dialect: run on the driver's cursor


@dataclass(frozen=True)
class CartLineView:
    index: int
    product_id: int
    sku: str
    barcode: str | None
    name: str
    unit: str
    upt_code: str
    qty: int
    unit_price: int
    list_price: int
    discount_label: str
    line_discount: int
    order_share: int
    line_total: int
    qty_scale: int = 1
    label: str | None = None  # the scale label the line was scanned from

    @property
    def price_overridden(self) -> bool:
        return self.unit_price != self.list_price

    @property
    def measured(self) -> bool:
        return is_measured(self.unit)

    @property
    def qty_text(self) -> str:
        """The quantity as shown: ``3``, ``1,3 kg``."""
        return format_quantity(self.qty, self.unit, self.qty_scale)


@dataclass(frozen=True)
class CartView:
    lines: tuple[CartLineView, ...]
    subtotal: int
    line_discount_total: int
    order_discount: int
    order_discount_label: str
    tax_total: int
    total: int
    item_count: int
    last_index: int | None
    warnings: tuple[str, ...] = ()

    @property
    def discount_total(self) -> int:
        return self.line_discount_total + self.order_discount


def view_cart(session: Session, cart: Cart, warnings: tuple[str, ...] = ()) -> CartView:
    totals = price_cart(cart, tax_rate(session))
    return _view(cart, totals, warnings)


def _view(cart: Cart, totals: CartTotals, warnings: tuple[str, ...]) -> CartView:
    lines = tuple(
        CartLineView(
            index=i,
            product_id=line.product_id,
            sku=line.sku,
            barcode=line.barcode,
            name=line.name,
            unit=line.unit,
            upt_code=line.upt_code,
            qty=line.qty,
            unit_price=line.unit_price,
            list_price=line.list_price,
            discount_label=line.discount.label() if line.discount else "",
            line_discount=priced.line_discount,
            order_share=priced.order_share,
            line_total=priced.line_total,
            qty_scale=line.qty_scale,
            label=line.label,
        )
        for i, (line, priced) in enumerate(zip(cart.lines, totals.lines, strict=True))
    )
    return CartView(
        lines=lines,
        subtotal=totals.subtotal,
        line_discount_total=totals.line_discount_total,
        order_discount=totals.order_discount,
        order_discount_label=cart.order_discount.label() if cart.order_discount else "",
        tax_total=totals.tax_total,
        total=totals.total,
        item_count=totals.item_count,
        last_index=cart.last_index,
        warnings=warnings,
    )


def tax_rate(session: Session) -> Decimal:
    rate: Decimal = get_setting(session, "tax_rate_pct")
    return rate


def check_qty(session: Session, qty: object, unit: str = "pcs", qty_scale: int = 1) -> int:
    """A line's quantity in its stored units; `max_line_qty` counts the product's units (kg
    for a kg product, whose qty is grams)."""
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise ValidationError("Jumlah barang harus bilangan bulat.")
    limit: int = get_setting(session, "max_line_qty")
    if qty <= 0:
        if is_measured(unit):
            raise ValidationError("Jumlah harus lebih dari 0 (hapus baris untuk membatalkan).")
        raise ValidationError("Jumlah barang harus 1 atau lebih (hapus baris untuk membatalkan).")
    if qty > limit * qty_scale:
        shown = format_quantity(qty, unit, qty_scale)
        most = format_quantity(limit * qty_scale, unit, qty_scale)
        raise ValidationError(
            f"Jumlah {shown} terlalu besar (maks. {most} per baris). Salah ketik?"
        )
    return qty


def _line(cart: Cart, index: int) -> CartLine:
    if not 0 <= index < len(cart.lines):
        raise ValidationError("Baris keranjang tidak ada; pilih baris dulu.")
    return cart.lines[index]


def _stock_warnings(session: Session, cart: Cart, product_id: int) -> tuple[str, ...]:
    """Compare what the cart holds of a product with the recorded stock (setting `oversell`)."""
    wanted = sum(line.qty for line in cart.lines if line.product_id == product_id)
    conn = session.connection()
    found = _STOCK_COMPILED.get(conn.dialect.name)
    if found is None:
        found = _STOCK_COMPILED[conn.dialect.name] = prepared(_STOCK_OF, conn.dialect)
    row = found.first(conn, {"pid": product_id})
    on_hand = (row[0] if row else 0) or 0
    if wanted <= on_hand:
        return ()
    first = next(line for line in cart.lines if line.product_id == product_id)
    shown = format_quantity(on_hand, first.unit, first.qty_scale)
    message = (
        f"Stok tercatat {first.name} tinggal {shown}, di keranjang "
        f"{format_quantity(wanted, first.unit, first.qty_scale)}."
    )
    if get_setting(session, "oversell") == "refuse":
        raise InsufficientStock(message + " Penjualan melebihi stok tidak diizinkan.")
    return (message,)


def _base_qty(product: ProductView, qty: int | str) -> int:
    """`qty` of the add functions in the product's stored units."""
    if isinstance(qty, str):
        return parse_quantity(qty, product.unit)
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise ValidationError("Jumlah barang harus bilangan bulat.")
    return qty * unit_scale(product.unit)


def add_product(session: Session, cart: Cart, product: ProductView, qty: int | str = 1) -> CartView:
    """Add `qty` of a product (a count of its units, or typed text); the same product again
    adds to its line's quantity."""
    return _add(session, cart, product, _base_qty(product, qty))


def _add(
    session: Session,
    cart: Cart,
    product: ProductView,
    qty: int,
    label: str | None = None,
    warnings: tuple[str, ...] = (),
) -> CartView:
    scale = unit_scale(product.unit)
    qty = check_qty(session, qty, product.unit, scale)
    if not product.active:
        raise NotAllowed(f"{product.name} tidak aktif dan tidak dapat dijual.")
    for i, line in enumerate(cart.lines):
        if (
            label is None
            and line.label is None
            and line.product_id == product.id
            and line.unit_price == line.list_price
        ):
            return set_quantity(session, cart, i, line.qty + qty)
    cart.lines.append(
        CartLine(
            product_id=product.id,
            sku=product.sku,
            barcode=product.barcode,
            name=product.name,
            unit=product.unit,
            upt_id=product.upt_id,
            upt_code=product.upt_code,
            category=product.category,
            list_price=product.price,
            cost=product.cost,
            qty=qty,
            unit_price=product.price,
            qty_scale=scale,
            label=label,
        )
    )
    try:
        warnings = warnings + _stock_warnings(session, cart, product.id)
    except Exception:
        cart.lines.pop()
        raise
    cart.last_index = len(cart.lines) - 1
    return view_cart(session, cart, warnings)


def add_by_barcode(session: Session, cart: Cart, code: str, qty: int | str = 1) -> CartView:
    return add_product(session, cart, catalog.find_by_barcode(session, code), qty)


def add_by_sku(session: Session, cart: Cart, sku: str, qty: int | str = 1) -> CartView:
    return add_product(session, cart, catalog.find_by_sku(session, sku), qty)


def add_by_code(session: Session, cart: Cart, code: str, qty: int | str = 1) -> CartView:
    """What the scan field does: a barcode, or else an SKU typed by hand; a scale label (a
    13-digit code with a scale-label prefix that is no product's own barcode) adds its
    weighed package."""
    label = read_scale_label(session, code)
    if label is None:
        return add_product(session, cart, catalog.find_by_code(session, code), qty)
    try:
        product = catalog.find_by_barcode(session, label.code)  # a product's own code wins
    except NotFound:
        return add_scale_label(session, cart, label, qty)
    return add_product(session, cart, product, qty)


def read_scale_label(session: Session, code: str) -> scale_label.ScaleLabel | None:
    """The scale label in a scanned `code` (settings `scale_label_*`), or None when it is
    none; a label with a wrong check digit raises ValidationError."""
    code = code.strip()
    if len(code) != 13 or not code.isdigit():
        return None
    return scale_label.decode(
        code,
        scale_label.parse_layout(get_setting(session, "scale_label_layout")),
        scale_label.parse_prefixes(get_setting(session, "scale_label_price_prefixes")),
        scale_label.parse_prefixes(get_setting(session, "scale_label_weight_prefixes")),
    )


def add_scale_label(
    session: Session, cart: Cart, label: scale_label.ScaleLabel, qty: int | str = 1
) -> CartView:
    """The package of a scale label as its own line. A weight label gives the quantity; a
    price label gives the quantity whose line total is exactly the printed price (refused
    when none does: the scale's price per unit is not the catalog's), so that a line's total
    is always qty x price per unit, rounded once."""
    if qty != 1:
        raise ValidationError(
            f"Label timbangan {label.code} tidak bisa dikalikan; pindai setiap label."
        )
    digits = scale_label.parse_layout(get_setting(session, "scale_label_layout")).item_digits
    plu = f"{label.plu:0{digits}d}"
    product = catalog.find_by_plu(session, label.plu)
    if product is None:
        raise NotFound(f"Label timbangan {label.code}: kode barang (PLU) {plu} tidak terdaftar.")
    scale = unit_scale(product.unit)
    measured = is_measured(product.unit)
    if label.kind == "weight":
        if not measured:
            raise NotAllowed(
                f"Label berat {label.code} untuk {product.name}, padahal barang ini dijual "
                f"per {product.unit}, bukan ditimbang. Periksa PLU {plu} di timbangan."
            )
        if label.value <= 0:
            raise ValidationError(f"Label timbangan {label.code} berisi berat 0.")
        base = label.value
    else:
        found = scale_label.qty_for_price(label.value, product.price, scale)
        if found is None:
            per = f"/{product.unit}" if measured else f" per {product.unit}"
            raise ValidationError(
                f"Harga label {format_rupiah(label.value)} tidak cocok dengan harga "
                f"{product.name} {format_rupiah(product.price)}{per}: tidak ada jumlah yang "
                "tepat menghasilkan harga itu. Periksa harga di timbangan, atau pindai "
                "barcode barangnya dan ketik jumlahnya (F4)."
            )
        base = found
    warnings: tuple[str, ...] = ()
    if any(line.label == label.code for line in cart.lines):
        warnings = (
            f"Label {label.code} sudah dipindai sebelumnya; hapus baris ini jika terpindai "
            "dua kali.",
        )
    return _add(session, cart, product, base, label=label.code, warnings=warnings)


def add_by_id(session: Session, cart: Cart, product_id: int, qty: int | str = 1) -> CartView:
    """A product picked from search results."""
    return add_product(session, cart, catalog.get_product(session, product_id), qty)


def set_quantity(session: Session, cart: Cart, index: int, qty: int | str) -> CartView:
    """The line's quantity: stored units (grams on a kg line) as an int, or typed text."""
    line = _line(cart, index)
    if isinstance(qty, str):
        qty = parse_quantity(qty, line.unit)
    qty = check_qty(session, qty, line.unit, line.qty_scale)
    old, line.qty = line.qty, qty
    try:
        _check_discount_fits(line)
        warnings = _stock_warnings(session, cart, line.product_id)
    except Exception:
        line.qty = old
        raise
    cart.last_index = index
    return view_cart(session, cart, warnings)


def remove_line(session: Session, cart: Cart, index: int) -> CartView:
    _line(cart, index)
    del cart.lines[index]
    cart.last_index = min(index, len(cart.lines) - 1) if cart.lines else None
    if not cart.lines:
        cart.order_discount = None
        cart.order_discount_approved_by = cart.order_discount_approved_pct = None
    return view_cart(session, cart)


def _check_discount_fits(line: CartLine) -> None:
    if line.discount is not None and line.discount_amount > line.gross:
        raise ValidationError(
            f"Diskon {format_rupiah(line.discount_amount)} melebihi harga baris "
            f"{format_rupiah(line.gross)}."
        )


def _needs_approval(
    session: Session, discount: Discount, base: int, approved_pct: Decimal | None = None
) -> bool:
    """True when `discount` of `base` is above the limit and above what was approved."""
    limit: Decimal = get_setting(session, "discount_approval_pct")
    pct = discount.percent_of_base(base)
    return pct > limit and (approved_pct is None or pct > approved_pct)


@dataclass(frozen=True)
class Asker:
    """Who asks for an approval and for which cart: the approver must be someone else, and
    the record is kept under the cart's key (kasir.services.approvals)."""

    user_id: int | None
    counter_id: int | None = None


def _approve(
    session: Session,
    cart: Cart,
    approval: Approval | None,
    action: str,
    asker: Asker | None,
    kind: str,
    detail: dict[str, object],
) -> int:
    asker = asker or Asker(None)
    return check_approval(
        session,
        approval,
        action,
        requester_id=asker.user_id,
        counter_id=asker.counter_id,
        kind=kind,
        sale_uuid=cart.key,
        detail=detail,
    ).id


def set_line_discount(
    session: Session,
    cart: Cart,
    index: int,
    discount: Discount | None,
    approval: Approval | None = None,
    asker: Asker | None = None,
) -> CartView:
    """A discount on one line; above the approval limit it needs a supervisor's PIN."""
    line = _line(cart, index)
    if discount is not None and discount.amount_of(line.gross) > line.gross:
        raise ValidationError(
            f"Diskon {discount.label()} melebihi harga baris {format_rupiah(line.gross)}."
        )
    approver, approved_pct = None, None
    if discount is not None and _needs_approval(session, discount, line.gross):
        # What is approved, with its amounts (shown in the supervisor's PIN dialog).
        action = (
            f"Diskon {discount.label()} untuk {line.name} = "
            f"{format_rupiah(discount.amount_of(line.gross))} dari {format_rupiah(line.gross)}"
        )
        approved_pct = discount.percent_of_base(line.gross)
        approver = _approve(
            session,
            cart,
            approval,
            action,
            asker,
            approvals.LINE_DISCOUNT,
            approvals.discount_detail(line.product_id, approved_pct),
        )
    # An approval belongs to the discount it was given for: a new discount starts without one.
    line.discount = discount
    line.discount_approved_by, line.discount_approved_pct = approver, approved_pct
    cart.last_index = index
    return view_cart(session, cart)


def set_order_discount(
    session: Session,
    cart: Cart,
    discount: Discount | None,
    approval: Approval | None = None,
    asker: Asker | None = None,
) -> CartView:
    """A discount on the whole sale, shared over the lines; big ones need a supervisor."""
    base = sum(line.net for line in cart.lines)
    if discount is not None:
        if not cart.lines:
            raise ValidationError("Keranjang kosong; tidak ada yang bisa didiskon.")
        if discount.amount_of(base) > base:
            raise ValidationError(
                f"Diskon {discount.label()} melebihi total {format_rupiah(base)}."
            )
    approver, approved_pct = None, None
    if discount is not None and _needs_approval(session, discount, base):
        action = (
            f"Diskon transaksi {discount.label()} = {format_rupiah(discount.amount_of(base))} "
            f"dari {format_rupiah(base)}"
        )
        approved_pct = discount.percent_of_base(base)
        approver = _approve(
            session,
            cart,
            approval,
            action,
            asker,
            approvals.ORDER_DISCOUNT,
            approvals.discount_detail(None, approved_pct),
        )
    cart.order_discount = discount
    cart.order_discount_approved_by, cart.order_discount_approved_pct = approver, approved_pct
    return view_cart(session, cart)


def override_price(
    session: Session,
    cart: Cart,
    index: int,
    price: int,
    approval: Approval | None,
    asker: Asker | None = None,
) -> CartView:
    """Sell a line at another unit price: always needs a supervisor's approval."""
    line = _line(cart, index)
    ensure_rupiah(price, "harga")
    if not 0 <= price <= MAX_PRICE:
        raise ValidationError("Harga harus 0 atau lebih.")
    action = (
        f"Ubah harga {line.name} dari {format_rupiah(line.unit_price)} "
        f"menjadi {format_rupiah(price)}"
    )
    old = line.unit_price
    line.unit_price = price
    try:
        _check_discount_fits(line)
    finally:
        line.unit_price = old
    approver = _approve(
        session,
        cart,
        approval,
        action,
        asker,
        approvals.PRICE,
        approvals.price_detail(line.product_id, price),
    )
    line.unit_price = price
    line.price_approved_by = approver
    cart.last_index = index
    return view_cart(session, cart)
