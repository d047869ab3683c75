"""Settling a total: payments minus change equal the total, only cash may exceed it."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kasir.domain.payment import NEEDS_REFERENCE, PaymentInput, SettledPayment, settle
from kasir.errors import KasirError, NotRupiah, PaymentError, ValidationError
from kasir.money import format_rupiah

NON_CASH = ("qris", "debit", "kredit", "transfer")


def non_cash(method: str, amount: int) -> PaymentInput:
    return PaymentInput(method, amount, f"REF-{method}-{amount}")


def check_invariants(total: int, settled: list[SettledPayment]) -> None:
    assert sum(p.amount for p in settled) == total
    assert sum(p.tendered for p in settled) - sum(p.change for p in settled) == total
    for p in settled:
        assert p.change >= 0
        assert p.amount > 0
        assert p.tendered == p.amount + p.change
        if p.method != "tunai":
            assert p.change == 0
    assert sum(1 for p in settled if p.method == "tunai") <= 1  # cash entries merged


@st.composite
def payments_that_cover(draw: st.DrawFn) -> tuple[int, list[PaymentInput]]:
    total = draw(st.integers(1, 10**9))
    # Some non-cash parts that together stay within the total...
    parts: list[PaymentInput] = []
    left = total
    for _ in range(draw(st.integers(0, 3))):
        if left == 0:
            break
        amount = draw(st.integers(1, left))
        parts.append(non_cash(draw(st.sampled_from(NON_CASH)), amount))
        left -= amount
    # ... and cash for the rest, maybe more (change), maybe in several entries.
    if left:
        tendered = left + draw(st.one_of(st.just(0), st.integers(0, 100_000)))
        pieces = draw(st.integers(1, 3))
        split = [tendered // pieces] * pieces
        split[0] += tendered - sum(split)
        parts += [PaymentInput("tunai", amount) for amount in split if amount]
    return total, draw(st.permutations(parts))


@given(payments_that_cover())
def test_payments_minus_change_equal_the_total(case: tuple[int, list[PaymentInput]]) -> None:
    total, payments = case
    settled = settle(total, payments)
    check_invariants(total, settled)
    cash_tendered = sum(p.amount for p in payments if p.method == "tunai")
    non_cash_sum = sum(p.amount for p in payments if p.method != "tunai")
    assert sum(p.change for p in settled) == cash_tendered + non_cash_sum - total
    # Non-cash payments keep their reference.
    refs = sorted(p.reference or "" for p in settled if p.method != "tunai")
    assert refs == sorted(p.reference or "" for p in payments if p.method != "tunai")


@given(st.integers(1, 10**9), st.integers(0, 10**6))
def test_cash_change(total: int, extra: int) -> None:
    [cash] = settle(total, [PaymentInput("tunai", total + extra)])
    assert (cash.method, cash.amount, cash.tendered, cash.change) == (
        "tunai",
        total,
        total + extra,
        extra,
    )


def test_split_payment_cash_and_qris() -> None:
    settled = settle(
        100_000, [PaymentInput("qris", 60_000, " QR123 "), PaymentInput("tunai", 50_000)]
    )
    check_invariants(100_000, settled)
    by_method = {p.method: p for p in settled}
    assert by_method["qris"].amount == 60_000
    assert by_method["qris"].reference == "QR123"
    assert (by_method["tunai"].amount, by_method["tunai"].change) == (40_000, 10_000)


def test_several_cash_entries_are_merged() -> None:
    settled = settle(25_000, [PaymentInput("tunai", 20_000), PaymentInput("tunai", 10_000)])
    assert settled == [SettledPayment("tunai", 25_000, 30_000, 5_000, None)]


def test_zero_total_needs_no_payment() -> None:
    assert settle(0, []) == []


@given(st.integers(0, 10**9), st.sampled_from(NON_CASH), st.integers(1, 10**6))
def test_non_cash_may_not_exceed_the_total(total: int, method: str, extra: int) -> None:
    with pytest.raises(PaymentError, match="hanya tunai"):
        settle(total, [non_cash(method, total + extra)])


def test_non_cash_over_total_with_cash_too() -> None:
    with pytest.raises(PaymentError):
        settle(
            50_000,
            [non_cash("debit", 30_000), non_cash("qris", 30_000), PaymentInput("tunai", 10_000)],
        )


def test_cash_on_a_total_already_paid_is_refused() -> None:
    with pytest.raises(PaymentError):
        settle(50_000, [non_cash("transfer", 50_000), PaymentInput("tunai", 1_000)])


@given(payments_that_cover(), st.integers(1, 10**6))
def test_paying_less_is_refused_with_the_missing_amount(
    case: tuple[int, list[PaymentInput]], short: int
) -> None:
    _paid, payments = case
    total = sum(p.amount for p in payments) + short
    assume(total > 0)
    with pytest.raises(PaymentError) as info:
        settle(total, payments)
    # Indonesian, with what is missing and the total.
    assert f"Pembayaran kurang {format_rupiah(short)}" in str(info.value)
    assert format_rupiah(total) in str(info.value)


def test_paying_nothing_is_refused() -> None:
    with pytest.raises(PaymentError, match=r"kurang Rp 18\.000"):
        settle(18_000, [])


@pytest.mark.parametrize("method", sorted(NEEDS_REFERENCE))
@pytest.mark.parametrize("reference", [None, "", "   "])
def test_card_and_qris_need_a_reference(method: str, reference: str | None) -> None:
    with pytest.raises(ValidationError, match="wajib diisi"):
        settle(10_000, [PaymentInput(method, 10_000, reference)])


def test_transfer_needs_no_reference() -> None:
    [p] = settle(10_000, [PaymentInput("transfer", 10_000)])
    assert (p.method, p.amount, p.reference) == ("transfer", 10_000, None)


def test_reference_too_long() -> None:
    with pytest.raises(ValidationError):
        settle(10_000, [PaymentInput("qris", 10_000, "X" * 101)])


@pytest.mark.parametrize("amount", [10_000.0, 9_999.5, "10000", True])
def test_float_amount_is_not_rupiah(amount: object) -> None:
    with pytest.raises(NotRupiah) as info:
        settle(10_000, [PaymentInput("tunai", amount)])  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, ValidationError)
    assert isinstance(info.value, KasirError)


def test_float_total_is_not_rupiah() -> None:
    with pytest.raises(NotRupiah):
        settle(10_000.0, [PaymentInput("tunai", 10_000)])  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [0, -5_000])
def test_amount_must_be_positive(amount: int) -> None:
    with pytest.raises(ValidationError):
        settle(10_000, [PaymentInput("tunai", 20_000), PaymentInput("tunai", amount)])


def test_unknown_method() -> None:
    with pytest.raises(ValidationError, match="tidak dikenal"):
        settle(10_000, [PaymentInput("bitcoin", 10_000)])
