"""Settling a total: payments minus change equal the total, only cash may exceed it."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kasir.domain.payment import (
    METHOD_LABELS,
    METHODS,
    NEEDS_REFERENCE,
    REFERENCE_NAMES,
    PaymentInput,
    SettledPayment,
    check_part,
    check_payment,
    default_refund_method,
    payback,
    reversal_reference,
    settle,
)
from kasir.domain.vocab import PaymentMethod
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


# --- one validation for checkout, the payment dialog, refunds and voids ------------------------


def test_methods_are_the_vocabulary() -> None:
    assert tuple(PaymentMethod) == METHODS
    assert set(METHOD_LABELS) == set(PaymentMethod) == set(REFERENCE_NAMES) | {"tunai"}


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("X" * 101, "terlalu panjang"),
        ("QR\x00123", "karakter kontrol"),
        ("QR\x1b123", "karakter kontrol"),
    ],
)
def test_bad_references_are_refused_everywhere(reference: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settle(10_000, [PaymentInput("qris", 10_000, reference)])
    with pytest.raises(ValidationError, match=message):
        check_part(10_000, PaymentInput("transfer", 5_000, reference))
    with pytest.raises(ValidationError, match=message):
        payback(10_000, "qris", reference)
    with pytest.raises(ValidationError, match=message):
        reversal_reference("debit", reference)


def test_a_reference_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="harus berupa teks"):
        settle(10_000, [PaymentInput("qris", 10_000, 12345)])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="harus berupa teks"):
        reversal_reference("qris", b"QR")  # type: ignore[arg-type]


def test_a_reference_of_100_characters_is_kept_trimmed() -> None:
    ref = "R" * 100
    [p] = settle(10_000, [PaymentInput("qris", 10_000, f"  {ref}\t")])
    assert p.reference == ref
    assert check_payment(PaymentInput("tunai", 5, "ignored")).reference is None


def test_an_amount_beyond_what_can_be_typed_is_refused() -> None:
    with pytest.raises(ValidationError, match="terlalu besar"):
        settle(10**19, [PaymentInput("tunai", 10**19)])
    with pytest.raises(ValidationError, match="terlalu besar"):
        check_part(10**15, PaymentInput("tunai", 10**15))


def test_check_part_keeps_non_cash_within_what_is_due() -> None:
    assert check_part(10_000, PaymentInput("tunai", 50_000)) == PaymentInput("tunai", 50_000)
    assert check_part(10_000, PaymentInput("debit", 10_000, " A1 ")) == PaymentInput(
        "debit", 10_000, "A1"
    )
    with pytest.raises(PaymentError, match=r"sisa Rp 10\.000; hanya tunai"):
        check_part(10_000, PaymentInput("qris", 10_001, "Q"))
    with pytest.raises(ValidationError, match="Kartu Kredit: kode approval EDC wajib"):
        check_part(10_000, PaymentInput("kredit", 1_000))
    with pytest.raises(ValidationError, match="tidak dikenal"):
        check_part(10_000, PaymentInput("emas", 1_000))


@pytest.mark.parametrize("method", ["qris", "debit", "kredit", "transfer"])
def test_money_back_by_a_non_cash_method_needs_its_reference(method: str) -> None:
    with pytest.raises(ValidationError, match="wajib diisi"):
        payback(5_000, method, " ")
    with pytest.raises(ValidationError, match=r"^Pembatalan .*wajib diisi"):
        reversal_reference(method, None)
    assert payback(5_000, method, "R-1") == SettledPayment(method, -5_000, -5_000, 0, "R-1")
    assert reversal_reference(method, " R-1 ") == "R-1"


def test_cash_back_needs_no_reference() -> None:
    assert payback(5_000, "tunai", None) == SettledPayment("tunai", -5_000, -5_000, 0, None)
    assert payback(0, "tunai", None) is None
    assert payback(0, "qris", None) is None  # nothing goes back: no reference to ask for
    with pytest.raises(ValidationError, match="terlalu panjang"):
        payback(0, "qris", "Q" * 101)
    assert reversal_reference("tunai", "x") is None
    with pytest.raises(ValidationError, match="tidak dikenal"):
        payback(5_000, "emas", None)


@pytest.mark.parametrize(
    ("payments", "expected"),
    [
        ([], "tunai"),
        ([("tunai", 10)], "tunai"),
        ([("qris", 10)], "qris"),
        ([("debit", 30_000), ("tunai", 6_000)], "debit"),
        ([("tunai", 30_000), ("qris", 6_000)], "tunai"),
        ([("tunai", 5_000), ("transfer", 5_000)], "transfer"),
    ],
)
def test_a_refund_pays_back_the_way_the_sale_was_paid(
    payments: list[tuple[str, int]], expected: str
) -> None:
    assert default_refund_method(payments) == expected
