"""Cart arithmetic (`price_cart`): integer Rupiah, one rounding rule, everything adds up."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.domain.cart import Cart, CartLine, Discount, inclusive_tax, price_cart
from kasir.errors import KasirError, NotRupiah, ValidationError


def make_line(
    qty: int = 1, price: int = 10_000, discount: Discount | None = None, pid: int = 1
) -> CartLine:
    return CartLine(
        product_id=pid,
        sku=f"SKU-{pid:04d}",
        barcode=None,
        name=f"Barang {pid}",
        unit="pcs",
        upt_id=1,
        upt_code="LP-TGR",
        category="kuliner",
        list_price=price,
        cost=price // 2,
        qty=qty,
        unit_price=price,
        discount=discount,
    )


percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)


@st.composite
def discounts(draw: st.DrawFn, base: int) -> Discount | None:
    kind = draw(st.sampled_from(["none", "amount", "percent"]))
    if kind == "amount":
        return Discount("amount", draw(st.integers(0, base)))
    if kind == "percent":
        return Discount("percent", draw(percents))
    return None


@st.composite
def carts(draw: st.DrawFn, max_lines: int = 8) -> Cart:
    lines = []
    for i in range(draw(st.integers(0, max_lines))):
        qty = draw(st.integers(1, 50))
        price = draw(st.one_of(st.integers(0, 2_000_000), st.sampled_from([1, 500, 10_050])))
        lines.append(make_line(qty, price, draw(discounts(qty * price)), pid=i + 1))
    cart = Cart(lines=lines)
    if lines:
        net_sum = sum(line.net for line in lines)
        # An amount may exceed what is left: price_cart caps it at the sum of the nets.
        cart.order_discount = draw(discounts(net_sum + 1000))
    return cart


tax_rates = st.sampled_from([Decimal(0), Decimal(11), Decimal(12), Decimal("7.5")])


@given(carts(), tax_rates)
def test_lines_add_up_to_the_total(cart: Cart, rate: Decimal) -> None:
    t = price_cart(cart, rate)
    assert sum(p.line_total for p in t.lines) == t.total
    assert t.subtotal - t.line_discount_total - t.order_discount == t.total
    assert t.subtotal == sum(line.qty * line.unit_price for line in cart.lines)
    assert t.item_count == sum(line.qty for line in cart.lines)
    assert t.tax_total == sum(p.tax for p in t.lines)
    for p, line in zip(t.lines, cart.lines, strict=True):
        assert p.line_total >= 0
        assert p.gross - p.line_discount - p.order_share == p.line_total
        assert 0 <= p.line_discount <= p.gross
        assert 0 <= p.tax <= p.line_total
        assert all(isinstance(v, int) for v in (p.gross, p.line_total, p.tax, p.order_share))
        assert line.net == p.gross - p.line_discount


@given(carts())
def test_order_discount_shares(cart: Cart) -> None:
    t = price_cart(cart)
    nets = [p.gross - p.line_discount for p in t.lines]
    assert sum(p.order_share for p in t.lines) == t.order_discount
    assert 0 <= t.order_discount <= sum(nets)
    for p, net in zip(t.lines, nets, strict=True):
        assert 0 <= p.order_share <= net
        if sum(nets):
            exact = Fraction(t.order_discount * net, sum(nets))
            assert abs(p.order_share - exact) < 1  # largest remainder: within one rupiah


@given(carts(), tax_rates)
def test_tax_is_included_never_added(cart: Cart, rate: Decimal) -> None:
    assert price_cart(cart, rate).total == price_cart(cart).total


def test_percent_discount_rounds_half_up() -> None:
    # 5% of 10.050 = 502,5 -> 503
    t = price_cart(Cart([make_line(1, 10_050, Discount("percent", Decimal(5)))]))
    assert (t.line_discount_total, t.total) == (503, 9_547)
    # 5% of 10.030 = 501,5 -> 502; 5% of 10.010 = 500,5 -> 501; 2,5% of 100 = 2,5 -> 3
    assert Discount("percent", Decimal(5)).amount_of(10_030) == 502
    assert Discount("percent", Decimal(5)).amount_of(10_010) == 501
    assert Discount("percent", Decimal("2.5")).amount_of(100) == 3
    # 5% of 10.049 = 502,45 -> 502 (not rounded up)
    assert Discount("percent", Decimal(5)).amount_of(10_049) == 502
    # Percent of the line's gross (qty * price), not of one unit: 5% of 3 x 10.050 = 1.507,5
    t = price_cart(Cart([make_line(3, 10_050, Discount("percent", Decimal(5)))]))
    assert t.line_discount_total == 1_508


def test_order_percent_discount_is_of_the_nets_and_shared() -> None:
    cart = Cart(
        [
            make_line(1, 10_000, Discount("amount", 1_000), pid=1),  # net 9.000
            make_line(2, 500, pid=2),  # net 1.000
        ],
        order_discount=Discount("percent", Decimal(10)),
    )
    t = price_cart(cart)
    assert t.order_discount == 1_000
    assert [p.order_share for p in t.lines] == [900, 100]
    assert [p.line_total for p in t.lines] == [8_100, 900]
    assert t.total == 9_000


def test_order_discount_leftover_rupiah_goes_to_the_earlier_line() -> None:
    cart = Cart([make_line(1, 1, pid=i) for i in range(3)], order_discount=Discount("amount", 2))
    assert [p.order_share for p in price_cart(cart).lines] == [1, 1, 0]


def test_order_discount_above_the_nets_is_capped() -> None:
    cart = Cart([make_line(1, 5_000)], order_discount=Discount("amount", 7_000))
    t = price_cart(cart)
    assert (t.order_discount, t.total) == (5_000, 0)


def test_inclusive_tax() -> None:
    # 11% contained in 11.100 = 11.100 * 11 / 111 = 1.100
    t = price_cart(Cart([make_line(1, 11_100)]), Decimal(11))
    assert (t.tax_total, t.total) == (1_100, 11_100)
    assert inclusive_tax(11_100, Decimal(11)) == 1_100
    # 12% contained in 42 = 4,5 -> 5 (half-up)
    assert inclusive_tax(42, Decimal(12)) == 5
    assert inclusive_tax(12_345, Decimal(0)) == 0


def test_empty_cart() -> None:
    t = price_cart(Cart())
    assert (t.total, t.subtotal, t.tax_total, t.item_count, t.lines) == (0, 0, 0, 0, ())


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("amount", -1),
        ("percent", Decimal(-1)),
        ("percent", Decimal("100.01")),
        ("percent", Decimal("Infinity")),
        ("percent", Decimal("NaN")),
        ("percent", Decimal("sNaN")),
        ("rabat", 5),
    ],
)
def test_discount_out_of_range_is_a_validation_error(kind: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Discount(kind, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("amount", 1.5),
        ("amount", 1000.0),
        ("amount", Decimal(5)),
        ("amount", "500"),
        ("amount", True),
        ("percent", 5.0),
        ("percent", 5),
    ],
)
def test_discount_of_the_wrong_type_is_a_type_error(kind: str, value: object) -> None:
    with pytest.raises(TypeError):
        Discount(kind, value)  # type: ignore[arg-type]


def test_float_money_is_both_a_type_error_and_a_kasir_error() -> None:
    with pytest.raises(NotRupiah) as info:
        Discount("amount", 1500.0)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, ValidationError)
    assert isinstance(info.value, KasirError)


def test_discount_bounds_are_accepted() -> None:
    assert Discount("percent", Decimal(100)).amount_of(12_345) == 12_345
    assert Discount("percent", Decimal(0)).amount_of(12_345) == 0
    assert Discount("amount", 0).amount_of(10) == 0


@given(carts())
def test_cart_json_round_trip(cart: Cart) -> None:
    for i, line in enumerate(cart.lines):
        line.price_approved_by = 3 if i % 2 else None
        line.discount_approved_by = 4 if line.discount else None
        line.discount_approved_pct = Decimal("12.5") if line.discount else None
    cart.order_discount_approved_by = 3 if cart.order_discount else None
    cart.order_discount_approved_pct = Decimal("33.33") if cart.order_discount else None
    data = json.loads(json.dumps(cart.to_json()))  # what is stored: plain JSON text
    back = Cart.from_json(data)
    assert back.lines == cart.lines
    assert back.order_discount == cart.order_discount
    assert back.order_discount_approved_pct == cart.order_discount_approved_pct
    assert back.order_discount_approved_by == cart.order_discount_approved_by
    assert back.to_json() == cart.to_json()
    assert price_cart(back, Decimal(11)) == price_cart(cart, Decimal(11))
    for line in back.lines:
        assert isinstance(line.qty, int) and isinstance(line.unit_price, int)
        if line.discount is not None and line.discount.kind == "percent":
            assert isinstance(line.discount.value, Decimal)
