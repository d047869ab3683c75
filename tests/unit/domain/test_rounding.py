"""Cash rounding (pembulatan): only cash is rounded, by less than one unit, and a rounded sale
still adds up: lines per UPT + rounding = total = payments less change."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.domain.cart import Cart, CartLine, price_cart
from kasir.domain.payment import Due, PaymentInput, settle, settlement
from kasir.domain.rounding import (
    NO_ROUNDING,
    ROUNDING_CHOICES,
    CashRounding,
    Direction,
    describe,
    rounding_rule,
)
from kasir.errors import PaymentError, ValidationError

RULES = st.builds(CashRounding, st.sampled_from([100, 500, 1000]), st.sampled_from(list(Direction)))
NON_CASH = ("qris", "debit", "kredit", "transfer")


@pytest.mark.parametrize(
    ("unit", "direction", "amount", "rounded"),
    [
        (500, "nearest", 267_962, 268_000),
        (500, "nearest", 267_749, 267_500),
        (500, "nearest", 267_750, 268_000),  # half a unit goes up
        (100, "nearest", 36_337, 36_300),
        (1000, "down", 267_962, 267_000),
        (1000, "up", 267_001, 268_000),
        (500, "up", 30_000, 30_000),  # a whole multiple stays
        (100, "nearest", 40, 100),  # never to Rp 0
        (1000, "down", 999, 1000),
        (500, "nearest", 0, 0),
    ],
)
def test_examples(unit: int, direction: str, amount: int, rounded: int) -> None:
    rule = rounding_rule(str(unit), direction)
    assert rule.round(amount) == rounded
    assert rule.difference(amount) == rounded - amount


@given(st.integers(0, 10**12), RULES)
def test_rounding_is_less_than_one_unit_and_lands_on_a_multiple(
    amount: int, rule: CashRounding
) -> None:
    rounded = rule.round(amount)
    assert rounded % rule.unit == 0
    assert abs(rounded - amount) < rule.unit
    assert (rounded == 0) == (amount == 0)
    if rule.direction == Direction.DOWN and amount >= rule.unit:
        assert rounded <= amount
    if rule.direction == Direction.UP:
        assert rounded >= amount


@given(st.integers(0, 10**12))
def test_off_changes_nothing(amount: int) -> None:
    assert NO_ROUNDING.round(amount) == amount and not NO_ROUNDING.on


def test_the_rule_from_the_settings() -> None:
    assert rounding_rule("off", "up") == NO_ROUNDING
    assert rounding_rule("500", "down") == CashRounding(500, Direction.DOWN)
    assert ROUNDING_CHOICES == ("off", "100", "500", "1000")
    assert describe(rounding_rule("1000", "nearest")) == (
        "dibulatkan terdekat ke kelipatan Rp 1.000"
    )
    with pytest.raises(ValidationError):
        rounding_rule("250")
    with pytest.raises(ValidationError):
        rounding_rule("500", "sideways")


def test_a_cash_sale_is_rounded_and_a_qris_one_is_not() -> None:
    rule = CashRounding(500)
    cash = settlement(267_962, [PaymentInput("tunai", 300_000)], rule)
    assert cash.rounding == 38 and cash.total(267_962) == 268_000
    assert [(p.amount, p.tendered, p.change) for p in cash.payments] == [(268_000, 300_000, 32_000)]
    qris = settlement(267_962, [PaymentInput("qris", 267_962, "QR-1")], rule)
    assert qris.rounding == 0 and qris.payments[0].amount == 267_962
    with pytest.raises(PaymentError, match=r"tunai dibulatkan Rp 268\.000"):
        settlement(267_962, [PaymentInput("tunai", 267_962)], rule)
    # Rounded down: the exact amount pays, with change.
    down = settlement(267_962, [PaymentInput("tunai", 267_962)], CashRounding(500, Direction.DOWN))
    assert down.rounding == -462 and down.payments[0].change == 462


def test_in_a_mixed_payment_the_cash_part_is_rounded() -> None:
    rule = CashRounding(500)
    payments = [PaymentInput("qris", 60_000, "QR-1"), PaymentInput("tunai", 50_000)]
    result = settlement(103_250, payments, rule)
    assert result.rounding == 250  # the cash part 43.250 -> 43.500
    assert {(p.method, p.amount, p.change) for p in result.payments} == {
        ("qris", 60_000, 0),
        ("tunai", 43_500, 6_500),
    }
    due = Due.of(103_250, payments[:1], rule)
    assert (due.exact_remaining, due.cash_remaining, due.cash_rounding) == (43_250, 43_500, 250)
    assert due.remaining_by("qris") == 43_250 and due.remaining_by("tunai") == 43_500
    assert not due.covered


def test_due_when_cash_rounds_down_or_up() -> None:
    down = Due.of(30_200, [PaymentInput("tunai", 30_000)], CashRounding(500))
    assert down.covered and down.remaining == 0, "Rp 30.200 in cash is Rp 30.000"
    up = Due.of(30_200, [PaymentInput("tunai", 30_200)], CashRounding(500, Direction.UP))
    assert not up.covered and up.exact_remaining == 0 and up.remaining == 300
    assert up.remaining_by("qris") == 0, "only cash can pay a rounding up"
    off = Due.of(30_200, [PaymentInput("tunai", 30_000)])
    assert off.remaining == 200 and off.remaining_by("tunai") == 200


@st.composite
def sales(draw: st.DrawFn) -> tuple[Cart, list[PaymentInput], CashRounding]:
    lines = [
        CartLine(
            product_id=i,
            sku=f"S{i}",
            barcode=None,
            name=f"Barang {i}",
            unit="pcs",
            upt_id=draw(st.integers(1, 4)),
            upt_code="",
            category="kuliner",
            list_price=(price := draw(st.integers(0, 500_000))),
            cost=0,
            qty=draw(st.integers(1, 20)),
            unit_price=price,
        )
        for i in range(1, draw(st.integers(1, 6)) + 1)
    ]
    cart = Cart(lines=lines)
    total = price_cart(cart).total
    rule = draw(st.one_of(st.just(NO_ROUNDING), RULES))
    payments: list[PaymentInput] = []
    non_cash = draw(st.integers(0, total))
    if non_cash:
        payments.append(PaymentInput(draw(st.sampled_from(NON_CASH)), non_cash, "REF-1"))
    cash_part = total - non_cash
    if cash_part or not payments:
        due = rule.round(cash_part)
        payments.append(PaymentInput("tunai", max(due, 1) + draw(st.integers(0, 200_000))))
    return cart, payments, rule


@given(sales())
def test_upt_sums_and_rounding_add_up_to_the_total_paid(
    sale: tuple[Cart, list[PaymentInput], CashRounding],
) -> None:
    cart, payments, rule = sale
    totals = price_cart(cart)
    try:
        result = settlement(totals.total, payments, rule)
    except PaymentError:
        assert totals.total == 0  # Rp 0 with cash handed over: "hapus pembayaran tunai"
        return
    per_upt: dict[int, int] = {}
    for line, priced in zip(cart.lines, totals.lines, strict=True):
        per_upt[line.upt_id] = per_upt.get(line.upt_id, 0) + priced.line_total
    total = result.total(totals.total)
    assert sum(per_upt.values()) + result.rounding == total
    assert sum(p.amount for p in result.payments) == total
    assert abs(result.rounding) < max(rule.unit, 1)
    assert all(p.tendered - p.change == p.amount >= 0 for p in result.payments)
    if not any(p.method == "tunai" for p in payments):
        assert result.rounding == 0
    assert Due.of(totals.total, payments, rule).covered


@given(st.integers(0, 10**9), st.sampled_from(NON_CASH), RULES)
def test_non_cash_is_never_rounded(total: int, method: str, rule: CashRounding) -> None:
    payments = [PaymentInput(method, total, "R")] if total else []
    result = settlement(total, payments, rule)
    assert result.rounding == 0 and result.total(total) == total
    assert settle(total, payments) == result.payments
