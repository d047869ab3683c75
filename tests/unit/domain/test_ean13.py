"""Tests for kasir.domain.ean13, cross-checked against python-barcode."""

from __future__ import annotations

import barcode
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.domain.ean13 import (
    ean13_check_digit,
    is_instore,
    is_valid_ean13,
    make_instore_ean13,
    validate_ean13,
)
from kasir.errors import ValidationError

# Real product codes printed on packaging, plus in-store codes.
VALID = [
    "8992761111113",
    "4006381333931",
    "5901234123457",
    "8999999003180",
    "0000000000000",
    "2000000000008",
    "2900000000018",
]


def barcode_fullcode(code: str) -> str:
    return str(barcode.EAN13(code[:12]).get_fullcode())


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code: str) -> None:
    assert is_valid_ean13(code)
    assert validate_ean13(code) == code
    assert ean13_check_digit(code[:12]) == code[12]
    assert barcode_fullcode(code) == code


@pytest.mark.parametrize(
    ("first12", "digit"),
    [("400638133393", "1"), ("590123412345", "7"), ("899276111111", "3"), ("000000000000", "0")],
)
def test_check_digit(first12: str, digit: str) -> None:
    assert ean13_check_digit(first12) == digit


@pytest.mark.parametrize(
    "bad", ["", "12345678901", "1234567890123", "12345678901a", "١٢٣٤٥٦٧٨٩٠١٢"]
)
def test_check_digit_bad_input(bad: str) -> None:
    with pytest.raises(ValidationError):
        ean13_check_digit(bad)


def test_wrong_check_digit_names_expected() -> None:
    assert not is_valid_ean13("4006381333932")
    with pytest.raises(ValidationError, match=r"seharusnya 1, bukan 2"):
        validate_ean13("4006381333932")
    # python-barcode would silently "fix" it: this is why Kasir validates itself.
    assert barcode_fullcode("4006381333932") == "4006381333931"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("400638133393", "13 angka"),
        ("40063813339311", "13 angka"),
        ("", "angka 0-9"),
        ("400638133393A", "angka 0-9"),
        (" 4006381333931", "angka 0-9"),
        ("4006381333931\n", "angka 0-9"),
        ("400638133393١", "angka 0-9"),
    ],
)
def test_validate_reasons(code: str, reason: str) -> None:
    assert not is_valid_ean13(code)
    with pytest.raises(ValidationError, match=reason):
        validate_ean13(code)


def test_non_str() -> None:
    assert not is_valid_ean13(4006381333931)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validate_ean13(4006381333931)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2000000000008", True),
        ("2900000000018", True),
        ("8992761111113", False),
        ("1900000000001", False),
        ("3000000000007", False),
        ("2000000000009", False),  # wrong check digit
        ("20000", False),
    ],
)
def test_is_instore(code: str, expected: bool) -> None:
    assert is_instore(code) is expected


def test_make_instore_examples() -> None:
    assert make_instore_ean13(20, 0) == "2000000000008"
    assert make_instore_ean13(29, 1) == "2900000000018"
    assert make_instore_ean13(21, 9_999_999_999).startswith("219999999999")


@pytest.mark.parametrize(("prefix", "number"), [(19, 1), (30, 1), (2, 1), (20, -1), (20, 10**10)])
def test_make_instore_rejects(prefix: int, number: int) -> None:
    with pytest.raises(ValidationError):
        make_instore_ean13(prefix, number)


def test_make_instore_type_errors() -> None:
    with pytest.raises(TypeError):
        make_instore_ean13(True, 1)
    with pytest.raises(TypeError):
        make_instore_ean13(20, "1")  # type: ignore[arg-type]


@given(st.integers(20, 29), st.integers(0, 10**10 - 1))
def test_make_instore_property(prefix: int, number: int) -> None:
    code = make_instore_ean13(prefix, number)
    assert len(code) == 13
    assert code.startswith(str(prefix))
    assert int(code[2:12]) == number
    assert is_valid_ean13(code)
    assert is_instore(code)
    assert validate_ean13(code) == code
    assert barcode_fullcode(code) == code


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 9))
def test_agrees_with_python_barcode(first12: str, wrong: int) -> None:
    code = first12 + ean13_check_digit(first12)
    assert barcode_fullcode(code) == code
    assert is_valid_ean13(code)
    other = first12 + str(wrong)
    assert is_valid_ean13(other) is (other == code)
