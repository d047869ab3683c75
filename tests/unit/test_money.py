"""Tests for kasir.money: formatting, parsing, terbilang, rounding and allocation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.errors import ValidationError
from kasir.money import (
    allocate,
    ensure_rupiah,
    format_number,
    format_rupiah,
    parse_rupiah,
    percent_of,
    prorate,
    round_half_up,
    terbilang,
)

INDONESIAN_WORDS = ("tidak", "jumlah", "rupiah", "angka", "ketik", "belum", "paling", "boleh")


# ---------------------------------------------------------------------------- ensure_rupiah


@pytest.mark.parametrize("value", [0, 1, -5, 10**15])
def test_ensure_rupiah_accepts_int(value: int) -> None:
    assert ensure_rupiah(value) == value
    assert type(ensure_rupiah(value)) is int


@pytest.mark.parametrize("value", [1.0, Decimal("1"), True, False, "1", None, [1]])
def test_ensure_rupiah_rejects_non_int(value: object) -> None:
    with pytest.raises(TypeError, match="harga"):
        ensure_rupiah(value, "harga")


# ---------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "Rp 0"),
        (5, "Rp 5"),
        (999, "Rp 999"),
        (1000, "Rp 1.000"),
        (15000, "Rp 15.000"),
        (100000, "Rp 100.000"),
        (1250000, "Rp 1.250.000"),
        (-15000, "-Rp 15.000"),
        (-1, "-Rp 1"),
        (999_999_999_999_999, "Rp 999.999.999.999.999"),
    ],
)
def test_format_rupiah(amount: int, expected: str) -> None:
    text = format_rupiah(amount)
    assert text == expected
    assert "\u00a0" not in text
    assert text.isascii()


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(0, "0"), (15000, "15.000"), (1234567, "1.234.567"), (-2500, "-2.500"), (100, "100")],
)
def test_format_number(amount: int, expected: str) -> None:
    assert format_number(amount) == expected


@pytest.mark.parametrize("bad", [15000.0, Decimal("15000"), True, "15000"])
def test_format_rejects_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_rupiah(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_number(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15000", 15000),
        ("15.000", 15000),
        ("Rp 15.000", 15000),
        ("Rp15.000", 15000),
        ("rp15.000", 15000),
        ("RP. 15.000", 15000),
        (" 15 000 ", 15000),
        ("1.250.000", 1250000),
        ("1 250 000", 1250000),
        ("0", 0),
        ("500", 500),
        ("15rb", 15000),
        ("15 rb", 15000),
        ("15RB", 15000),
        ("15k", 15000),
        ("15K", 15000),
        ("15ribu", 15000),
        ("2,5rb", 2500),
        ("1,5jt", 1500000),
        ("1.5jt", 1500000),
        ("1,25jt", 1250000),
        ("2jt", 2000000),
        ("2 juta", 2000000),
        ("Rp 2jt", 2000000),
        ("999.999.999.999.999", 999_999_999_999_999),
        ("999999999999999", 999_999_999_999_999),
    ],
)
def test_parse_rupiah_good(text: str, expected: int) -> None:
    result = parse_rupiah(text)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Rp",
        "abc",
        "15a00",
        "15,5,5",
        "15.000,50",
        "15000,5",
        "-5.000",
        "-5000",
        "Rp -5.000",
        "+5000",
        "15.00",
        "1.2345",
        "15..000",
        "15.000.",
        ".15000",
        "1.50.000",
        "1234567890123456",
        "1.234.567.890.123.456",
        "1000000000jt",
        "1,2345rb",
        "1.500rb",
        "1,5,5jt",
        "jt",
        "15 rb rb",
        "1e5",
        "٣٣",
        "15000 rupiah sen",
    ],
)
def test_parse_rupiah_bad(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_rupiah(text)
    message = str(info.value).lower()
    assert any(word in message for word in INDONESIAN_WORDS), message


def test_parse_rupiah_messages() -> None:
    with pytest.raises(ValidationError, match=r"Jumlah tidak valid: '15,5,5'\. Ketik angka Rupiah"):
        parse_rupiah("15,5,5")
    with pytest.raises(ValidationError, match="sen"):
        parse_rupiah("15.000,50")
    with pytest.raises(ValidationError, match="negatif"):
        parse_rupiah("-5.000")
    with pytest.raises(ValidationError, match="15 digit"):
        parse_rupiah("1234567890123456")
    with pytest.raises(ValidationError, match="belum diisi"):
        parse_rupiah("")


def test_parse_rupiah_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        parse_rupiah(15000)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_parse_format_round_trip(n: int) -> None:
    assert parse_rupiah(format_rupiah(n)) == n
    assert parse_rupiah(format_number(n)) == n
    assert parse_rupiah(str(n)) == n


# ---------------------------------------------------------------------------- terbilang

TERBILANG_CASES = [
    (0, "nol"),
    (1, "satu"),
    (10, "sepuluh"),
    (11, "sebelas"),
    (12, "dua belas"),
    (19, "sembilan belas"),
    (20, "dua puluh"),
    (21, "dua puluh satu"),
    (100, "seratus"),
    (101, "seratus satu"),
    (110, "seratus sepuluh"),
    (111, "seratus sebelas"),
    (199, "seratus sembilan puluh sembilan"),
    (1000, "seribu"),
    (1001, "seribu satu"),
    (1100, "seribu seratus"),
    (2000, "dua ribu"),
    (11000, "sebelas ribu"),
    (100000, "seratus ribu"),
    (125000, "seratus dua puluh lima ribu"),
    (1000000, "satu juta"),
    (1000000000, "satu miliar"),
    (1000000000000, "satu triliun"),
    (
        999999999999999,
        "sembilan ratus sembilan puluh sembilan triliun "
        "sembilan ratus sembilan puluh sembilan miliar "
        "sembilan ratus sembilan puluh sembilan juta "
        "sembilan ratus sembilan puluh sembilan ribu "
        "sembilan ratus sembilan puluh sembilan",
    ),
    (101000, "seratus satu ribu"),
    (1001000, "satu juta seribu"),
    (2_015_000, "dua juta lima belas ribu"),
]


@pytest.mark.parametrize(("amount", "words"), TERBILANG_CASES)
def test_terbilang(amount: int, words: str) -> None:
    assert terbilang(amount) == words + " rupiah"
    assert terbilang(amount, suffix=False) == words


def test_terbilang_negative_and_limits() -> None:
    assert terbilang(-15000) == "minus lima belas ribu rupiah"
    assert terbilang(-1, suffix=False) == "minus satu"
    with pytest.raises(ValueError):
        terbilang(10**15)
    with pytest.raises(ValueError):
        terbilang(-(10**15))
    with pytest.raises(TypeError):
        terbilang(1.0)  # type: ignore[arg-type]


_UNITS = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
    "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
    "sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000,
}  # fmt: skip
_SMALL_MULT = {"belas": None, "puluh": 10, "ratus": 100}
_BIG = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}


def words_to_number(text: str) -> int:
    """Independent reverse of terbilang, written for the tests."""
    words = text.split(" ")
    sign = 1
    if words and words[-1] == "rupiah":
        words = words[:-1]
    if words and words[0] == "minus":
        sign, words = -1, words[1:]
    total = 0
    group = 0  # value below one thousand being built
    last_big = 10**15
    for word in words:
        if word == "seribu":
            assert group == 0 and last_big > 1000, text
            total += 1000
            last_big = 1000
        elif word in _UNITS:
            group += _UNITS[word]
        elif word == "belas":
            group += 10
        elif word in _SMALL_MULT:
            multiplier = _SMALL_MULT[word]
            assert multiplier is not None
            digit = group % 10
            group = group - digit + digit * multiplier
        elif word in _BIG:
            scale = _BIG[word]
            assert 0 < group < 1000 and scale < last_big, text
            total += group * scale
            group = 0
            last_big = scale
        else:
            raise AssertionError(f"unknown word {word!r} in {text!r}")
    return sign * (total + group)


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_terbilang_round_trip(n: int) -> None:
    text = terbilang(n)
    assert "  " not in text
    assert text == text.strip()
    assert text == text.lower()
    assert text.endswith(" rupiah")
    assert words_to_number(text) == n
    assert words_to_number(terbilang(n, suffix=False)) == n


@pytest.mark.parametrize(("amount", "words"), TERBILANG_CASES)
def test_words_to_number_helper(amount: int, words: str) -> None:
    assert words_to_number(words) == amount


# ---------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("2.4", 2),
        ("2.5", 3),
        ("2.6", 3),
        ("-2.4", -2),
        ("-2.5", -3),
        ("-2.6", -3),
        ("0.5", 1),
        ("-0.5", -1),
        ("1.49999", 1),
        ("3", 3),
        ("999999999999999.5", 1_000_000_000_000_000),
    ],
)
def test_round_half_up(value: str, expected: int) -> None:
    result = round_half_up(Decimal(value))
    assert result == expected
    assert type(result) is int


def test_round_half_up_rejects() -> None:
    with pytest.raises(TypeError):
        round_half_up(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        round_half_up(Decimal("NaN"))
    with pytest.raises(ValueError):
        round_half_up(Decimal("Infinity"))


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        (15000, "10", 1500),
        (15000, "12.5", 1875),
        (10005, "10", 1001),  # 1000.5 -> 1001
        (-10005, "10", -1001),
        (999, "11", 110),  # 109.89
        (100, "0", 0),
        (100, "100", 100),
        (33333, "33.333", 11111),  # 11110.88889
    ],
)
def test_percent_of(amount: int, percent: str, expected: int) -> None:
    assert percent_of(amount, Decimal(percent)) == expected


def test_percent_of_rejects_float() -> None:
    with pytest.raises(TypeError):
        percent_of(1000, 10.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        percent_of(1000.0, Decimal("10"))  # type: ignore[arg-type]


@given(st.integers(-(10**12), 10**12), st.decimals(-200, 200, places=3))
def test_percent_of_matches_exact_fraction(amount: int, percent: Decimal) -> None:
    exact = Fraction(amount) * Fraction(percent) / 100
    result = percent_of(amount, percent)
    assert abs(Fraction(result) - exact) <= Fraction(1, 2)
    if abs(Fraction(result) - exact) == Fraction(1, 2):
        assert abs(result) > abs(exact)  # halves go away from zero


# ---------------------------------------------------------------------------- allocate


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (10, [1, 2, 3, 4], [1, 2, 3, 4]),
        (1000, [50000, 30000, 20000], [500, 300, 200]),
        (5, [0, 0], [3, 2]),
        (0, [1, 2], [0, 0]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (7, [0, 5, 0], [0, 7, 0]),
        (0, [], []),
        (2, [1, 1, 1], [1, 1, 0]),
    ],
)
def test_allocate_examples(total: int, weights: list[int], expected: list[int]) -> None:
    assert allocate(total, weights) == expected


def test_allocate_rejects() -> None:
    with pytest.raises(ValueError):
        allocate(10, [1, -1])
    with pytest.raises(ValueError):
        allocate(10, [])
    with pytest.raises(TypeError):
        allocate(10.0, [1])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allocate(10, [1.5])  # type: ignore[list-item]


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30),
)
def test_allocate_properties(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    assert all(type(p) is int for p in parts)
    effective = weights if any(weights) else [1] * len(weights)
    weight_sum = sum(effective)
    for part, weight in zip(parts, effective, strict=True):
        exact = Fraction(total * weight, weight_sum)
        assert abs(part - exact) < 1
    if total >= 0:
        assert all(p >= 0 for p in parts)
    else:
        assert all(p <= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, effective, strict=True) if w == 0)


@given(
    st.integers(0, 10**15),
    st.integers(1, 10**4).flatmap(lambda w: st.tuples(st.integers(0, w), st.just(w))),
)
def test_prorate_is_the_rounded_exact_share(amount: int, part_whole: tuple[int, int]) -> None:
    part, whole = part_whole
    share = prorate(amount, part, whole)
    assert abs(Fraction(share) - Fraction(amount * part, whole)) <= Fraction(1, 2)
    assert 0 <= share <= amount
    assert prorate(amount, whole, whole) == amount
    if part < whole:
        assert prorate(amount, part + 1, whole) >= share  # never decreases


def test_prorate_examples_and_limits() -> None:
    assert prorate(1, 1, 2) == 1  # half-up
    assert prorate(48_892, 1, 3) == 16_297
    assert prorate(48_892, 2, 3) == 32_595
    with pytest.raises(ValueError):
        prorate(10, 1, 0)
    with pytest.raises(ValueError):
        prorate(-1, 1, 2)
    with pytest.raises(TypeError):
        prorate(10.0, 1, 2)  # type: ignore[arg-type]
