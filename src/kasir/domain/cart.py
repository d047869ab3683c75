"""The cart and its arithmetic: pure rules, no I/O.

Rounding rule (the only one): a percentage of an amount is rounded half-up to 1 rupiah
(`kasir.money.percent_of`). Per line:

    gross       = qty * unit_price / qty_scale, half-up once        (kasir.domain.measure)
                  (qty_scale 1 for goods sold by count; a kg product's qty is in grams and
                  its qty_scale 1000, its price per kg)
    line_disc   = the amount, or percent_of(gross, pct)          (0 <= line_disc <= gross)
    net         = gross - line_disc
Order discount (amount, or percent_of(sum of nets, pct)) is apportioned to the lines in
proportion to their nets by largest remainder (`kasir.money.allocate`), so that every line, and
so every UPT, carries exactly its share:
    line_total  = net - order_share
    tax         = line_total * rate / (100 + rate), half-up       (prices include tax)
    total       = sum of line_total
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from kasir.domain.measure import item_count, line_gross, unit_scale
from kasir.errors import ValidationError
from kasir.money import allocate, ensure_rupiah, format_rupiah, percent_of, round_half_up

DiscountKind = Literal["amount", "percent"]


@dataclass(frozen=True)
class Discount:
    """A discount typed by the cashier: whole Rupiah, or a percentage (Decimal 0-100)."""

    kind: DiscountKind
    value: int | Decimal

    def __post_init__(self) -> None:
        if self.kind == "amount":
            ensure_rupiah(self.value, "diskon")
            if int(self.value) < 0:
                raise ValidationError("Diskon tidak boleh negatif.")
        elif self.kind == "percent":
            if not isinstance(self.value, Decimal):
                raise TypeError("percent discount must be a Decimal")
            # NaN would make the comparison raise InvalidOperation instead of refusing it.
            if not self.value.is_finite() or not Decimal(0) <= self.value <= Decimal(100):
                raise ValidationError("Diskon persen harus antara 0 dan 100.")
        else:
            raise ValidationError(f"Jenis diskon tidak dikenal: {self.kind!r}.")

    def amount_of(self, base: int) -> int:
        if self.kind == "amount":
            return int(self.value)
        assert isinstance(self.value, Decimal)
        return percent_of(base, self.value)

    def percent_of_base(self, base: int) -> Decimal:
        """This discount as a percentage of `base` (for the approval limit)."""
        if self.kind == "percent":
            assert isinstance(self.value, Decimal)
            return self.value
        if base <= 0:
            return Decimal(100) if int(self.value) > 0 else Decimal(0)
        return Decimal(int(self.value)) * 100 / Decimal(base)

    def label(self) -> str:
        if self.kind == "percent":
            return f"{self.value}%"
        return format_rupiah(int(self.value))

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "value": str(self.value)}

    @classmethod
    def from_json(cls, data: dict[str, str] | None) -> Discount | None:
        if not data:
            return None
        if data["kind"] == "percent":
            return cls("percent", Decimal(data["value"]))
        return cls("amount", int(data["value"]))


def _dec_out(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec_in(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass
class CartLine:
    """One product in the cart, with the catalogue snapshot taken when it was scanned."""

    product_id: int
    sku: str
    barcode: str | None
    name: str
    unit: str
    upt_id: int
    upt_code: str
    category: str
    list_price: int
    cost: int
    qty: int
    unit_price: int
    discount: Discount | None = None
    price_approved_by: int | None = None  # supervisor who approved a price override
    # A discount above the limit: who approved it, and up to what percentage of the line.
    discount_approved_by: int | None = None
    discount_approved_pct: Decimal | None = None
    # Base units per sold unit (kasir.domain.measure): 1000 on a kg, l or m product, whose
    # qty is then grams, millilitres or millimetres; 1 for goods sold by count.
    qty_scale: int = 1
    # The scale label this line was scanned from (a weighed package): its own line, never
    # merged with another scan of the product.
    label: str | None = None

    @property
    def gross(self) -> int:
        return line_gross(self.qty, self.unit_price, self.qty_scale)

    @property
    def items(self) -> int:
        """What the line counts for in the item count: its quantity, 1 if weighed."""
        return item_count(self.qty, self.unit)

    @property
    def discount_amount(self) -> int:
        return self.discount.amount_of(self.gross) if self.discount else 0

    @property
    def net(self) -> int:
        return self.gross - self.discount_amount


@dataclass
class Cart:
    """What the customer is buying. Mutated only through kasir.services.cart_edit."""

    lines: list[CartLine] = field(default_factory=list)
    order_discount: Discount | None = None
    order_discount_approved_by: int | None = None
    order_discount_approved_pct: Decimal | None = None
    last_index: int | None = None  # the line touched last (highlighted in the window)
    # What the approvals given for this cart are recorded under (kasir.services.approvals):
    # the sale's UUID when a sale session holds the cart. The `*_approved_*` fields above are
    # what the window shows; the checkout believes only the records.
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    def copy(self) -> Cart:
        """A cart that can be edited without touching this one (lines copied, the rest frozen)."""
        return replace(self, lines=[replace(line) for line in self.lines])

    def to_json(self) -> dict[str, Any]:
        lines = []
        for line in self.lines:
            data = asdict(line)
            data["discount"] = line.discount.to_json() if line.discount else None
            data["discount_approved_pct"] = _dec_out(line.discount_approved_pct)
            lines.append(data)
        return {
            "lines": lines,
            "order_discount": self.order_discount.to_json() if self.order_discount else None,
            "order_discount_approved_by": self.order_discount_approved_by,
            "order_discount_approved_pct": _dec_out(self.order_discount_approved_pct),
            "key": self.key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cart:
        lines = []
        for raw in data["lines"]:
            raw = dict(raw)
            raw["discount"] = Discount.from_json(raw.get("discount"))
            raw["discount_approved_pct"] = _dec_in(raw.get("discount_approved_pct"))
            if "qty_scale" not in raw:
                # Saved before weighed goods (migration 0005): a kg line's qty was whole kg.
                raw["qty_scale"] = unit_scale(raw["unit"])
                raw["qty"] = raw["qty"] * raw["qty_scale"]
            lines.append(CartLine(**raw))
        return cls(
            lines=lines,
            order_discount=Discount.from_json(data.get("order_discount")),
            order_discount_approved_by=data.get("order_discount_approved_by"),
            order_discount_approved_pct=_dec_in(data.get("order_discount_approved_pct")),
            last_index=len(lines) - 1 if lines else None,
            **({"key": str(data["key"])} if data.get("key") else {}),
        )


@dataclass(frozen=True)
class PricedLine:
    index: int
    gross: int
    line_discount: int
    order_share: int
    line_total: int
    tax: int


@dataclass(frozen=True)
class CartTotals:
    lines: tuple[PricedLine, ...]
    subtotal: int  # sum of gross
    line_discount_total: int
    order_discount: int
    tax_total: int  # included in total
    total: int
    item_count: int


def inclusive_tax(amount: int, rate_pct: Decimal) -> int:
    """The tax contained in a tax-inclusive `amount` at `rate_pct` percent."""
    if rate_pct == 0:
        return 0
    return round_half_up(Decimal(amount) * rate_pct / (Decimal(100) + rate_pct))


def price_cart(cart: Cart, tax_rate_pct: Decimal = Decimal(0)) -> CartTotals:
    nets = [line.net for line in cart.lines]
    net_sum = sum(nets)
    order_discount = cart.order_discount.amount_of(net_sum) if cart.order_discount else 0
    order_discount = min(order_discount, net_sum)
    shares = allocate(order_discount, nets) if cart.lines else []
    priced = []
    for i, line in enumerate(cart.lines):
        total = nets[i] - shares[i]
        priced.append(
            PricedLine(
                index=i,
                gross=line.gross,
                line_discount=line.discount_amount,
                order_share=shares[i],
                line_total=total,
                tax=inclusive_tax(total, tax_rate_pct),
            )
        )
    return CartTotals(
        lines=tuple(priced),
        subtotal=sum(p.gross for p in priced),
        line_discount_total=sum(p.line_discount for p in priced),
        order_discount=order_discount,
        tax_total=sum(p.tax for p in priced),
        total=sum(p.line_total for p in priced),
        item_count=sum(line.items for line in cart.lines),
    )
