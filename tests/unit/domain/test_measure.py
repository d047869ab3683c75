"""Weighed and measured goods: typed quantities, display and the line arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.domain.cart import Cart, CartLine, Discount, price_cart
from kasir.domain.measure import (
    format_for_input,
    format_quantity,
    is_measured,
    item_count,
    line_gross,
    looks_like_quantity,
    parse_quantity,
    unit_scale,
)
from kasir.errors import ValidationError
from kasir.money import round_half_up


@pytest.mark.parametrize(
    ("text", "unit", "qty"),
    [
        ("1,3", "kg", 1300),
        ("1300g", "kg", 1300),
        ("1300 g", "kg", 1300),
        ("1300 gr", "kg", 1300),
        ("0,25", "kg", 250),
        ("1,3kg", "kg", 1300),
        ("1,3 KG", "kg", 1300),
        ("2", "kg", 2000),
        ("1.3", "kg", 1300),
        ("0.250", "kg", 250),
        ("1.250,5", "kg", 1_250_500),
        ("1,5", "l", 1500),
        ("500ml", "l", 500),
        ("1,5 liter", "l", 1500),
        ("2,5", "m", 2500),
        ("250cm", "m", 2500),
        ("2500mm", "m", 2500),
        ("1300", "g", 1300),
        ("1,3kg", "g", 1300),
        ("3", "pcs", 3),
        ("12", "bungkus", 12),
        ("1,3", "Kg", 1300),  # a unit spelled otherwise is the same unit
    ],
)
def test_typed_quantities(text: str, unit: str, qty: int) -> None:
    assert parse_quantity(text, unit) == qty


@pytest.mark.parametrize(
    ("text", "unit", "says"),
    [
        ("1.300", "kg", "membingungkan"),  # a thousands separator or a decimal point?
        ("1,3005", "kg", "paling kecil 1 g"),
        ("500ml", "kg", "tidak cocok"),
        ("1,3", "pcs", "angka bulat"),
        ("abc", "kg", "tidak valid"),
        ("-1", "kg", "negatif"),
        ("", "kg", "belum diisi"),
        ("1,25cm", "m", "paling kecil 1 mm"),
        ("99999999999999", "kg", "terlalu besar"),
        ("١٢", "kg", "tidak valid"),  # Arabic-Indic digits are no quantity
    ],
)
def test_bad_quantities_say_why_in_indonesian(text: str, unit: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        parse_quantity(text, unit)


def test_display_of_quantities() -> None:
    assert format_quantity(1300, "kg") == "1,3 kg"
    assert format_quantity(250, "kg") == "0,25 kg"
    assert format_quantity(2000, "kg") == "2 kg"
    assert format_quantity(1_250_500, "kg") == "1.250,5 kg"
    assert format_quantity(-1300, "kg") == "-1,3 kg"
    assert format_quantity(1300, "g") == "1.300 g"
    assert format_quantity(1500, "l") == "1,5 l"
    assert format_quantity(3, "pcs") == "3"
    assert format_quantity(3, "kg", 1) == "3 kg"  # a line kept in whole kg
    assert format_for_input(1_250_500, "kg") == "1250,5"


@given(st.sampled_from(["kg", "g", "l", "m", "pcs"]), st.integers(1, 10**9))
def test_what_is_shown_types_back_to_the_same_quantity(unit: str, qty: int) -> None:
    assert parse_quantity(format_for_input(qty, unit), unit) == qty
    assert parse_quantity(format_quantity(qty, unit).replace(".", ""), unit) == qty


def test_units_and_counts() -> None:
    assert [unit_scale(u) for u in ("kg", "g", "l", "m", "pcs", "bungkus")] == [
        1000,
        1,
        1000,
        1000,
        1,
        1,
    ]
    assert is_measured("kg") and is_measured("Liter") and not is_measured("pak")
    assert item_count(1300, "kg") == 1 and item_count(-1300, "kg") == -1
    assert item_count(3, "pcs") == 3
    assert looks_like_quantity("1,3") and looks_like_quantity("500 g")
    assert not looks_like_quantity("KUL-0001")


@given(st.integers(-(10**9), 10**9), st.integers(0, 10**7), st.sampled_from([1, 10, 1000]))
def test_line_gross_is_rounded_half_up_once(qty: int, price: int, scale: int) -> None:
    assert line_gross(qty, price, scale) == round_half_up(Decimal(qty) * price / scale)


def _line(i: int, qty: int, price: int, upt: int, unit: str = "kg") -> CartLine:
    return CartLine(
        product_id=i,
        sku=f"S{i}",
        barcode=None,
        name=f"Barang {i}",
        unit=unit,
        upt_id=upt,
        upt_code=f"U{upt}",
        category="perikanan",
        list_price=price,
        cost=0,
        qty=qty,
        unit_price=price,
        qty_scale=unit_scale(unit),
    )


weighed_lines = st.lists(
    st.tuples(
        st.integers(1, 50_000),  # grams
        st.integers(0, 200_000),  # Rp per kg
        st.integers(1, 4),  # UPT
        st.sampled_from(["kg", "kg", "pcs", "l"]),
        st.one_of(st.none(), st.decimals(0, 100, places=1), st.integers(0, 5_000)),
    ),
    min_size=1,
    max_size=8,
)


@given(
    weighed_lines,
    st.one_of(st.none(), st.decimals(0, 100, places=2)),
    st.sampled_from([Decimal(0), Decimal(11), Decimal(12)]),
)
def test_weighed_lines_upt_sums_and_tax_add_up_to_the_total(
    rows: list[tuple[int, int, int, str, object]], order_pct: Decimal | None, tax: Decimal
) -> None:
    cart = Cart()
    for i, (qty, price, upt, unit, disc) in enumerate(rows):
        if unit == "pcs":
            qty = qty % 20 + 1
        line = _line(i, qty, price, upt, unit)
        gross = line.gross
        if isinstance(disc, Decimal):
            line.discount = Discount("percent", disc)
        elif isinstance(disc, int) and disc <= gross:
            line.discount = Discount("amount", disc)
        cart.lines.append(line)
    if order_pct is not None:
        cart.order_discount = Discount("percent", order_pct)
    totals = price_cart(cart, tax)
    for line, priced in zip(cart.lines, totals.lines, strict=True):
        assert priced.gross == round_half_up(Decimal(line.qty) * line.unit_price / line.qty_scale)
        assert priced.line_total == priced.gross - priced.line_discount - priced.order_share
        assert priced.line_total >= 0 and 0 <= priced.tax <= priced.line_total
    by_upt: dict[int, int] = {}
    for line, priced in zip(cart.lines, totals.lines, strict=True):
        by_upt[line.upt_id] = by_upt.get(line.upt_id, 0) + priced.line_total
    assert sum(by_upt.values()) == totals.total
    assert totals.subtotal - totals.line_discount_total - totals.order_discount == totals.total
    assert totals.item_count == sum(1 if line.qty_scale > 1 else line.qty for line in cart.lines)


def test_a_cart_saved_before_weighed_goods_reads_back_in_grams() -> None:
    cart = Cart(lines=[_line(1, 1300, 25_000, 1), _line(2, 2, 18_000, 1, "pcs")])
    data = cart.to_json()
    assert Cart.from_json(data).lines == cart.lines
    for raw in data["lines"]:  # as written before migration 0005: whole kg, no qty_scale
        del raw["qty_scale"], raw["label"]
    data["lines"][0]["qty"] = 3
    old = Cart.from_json(data)
    assert (old.lines[0].qty, old.lines[0].qty_scale, old.lines[0].gross) == (3000, 1000, 75_000)
    assert (old.lines[1].qty, old.lines[1].qty_scale) == (2, 1)
