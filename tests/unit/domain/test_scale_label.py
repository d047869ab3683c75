"""Scale labels: layout and prefix settings, decoding, the check digit, price to quantity."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.domain.ean13 import ean13_check_digit, is_valid_ean13
from kasir.domain.measure import line_gross
from kasir.domain.scale_label import (
    DEFAULT_LAYOUT,
    decode,
    encode,
    parse_layout,
    parse_prefixes,
    qty_for_price,
)
from kasir.errors import ValidationError
from kasir.services.demo import DEMO_PLU, scale_label_examples

LAYOUT = parse_layout(DEFAULT_LAYOUT)
PRICE = parse_prefixes("21-25")
WEIGHT = parse_prefixes("26-29")
EXAMPLES = Path(__file__).parents[3] / "resources" / "demo" / "scale_labels.txt"


def test_the_default_layout() -> None:
    assert (LAYOUT.item, LAYOUT.value) == (slice(2, 7), slice(7, 12))
    other = parse_layout("2P IIII X VVVVV C")
    assert (other.item, other.value) == (slice(2, 6), slice(7, 12))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2P IIIII VVVV C", "13 karakter"),
        ("20 IIIII VVVVV C", "diawali '2P'"),
        ("2P IIIII VVVVV 0", "diakhiri 'C'"),
        ("2P IIAII VVVVV C", "hanya boleh"),
        ("2P IIVII VVVVV C", "satu deret"),
        ("2P VVVVVVVVVV C", "kode barang"),
        ("2P IIIIII XX VV C", "harga/berat"),
    ],
)
def test_a_bad_layout_is_refused(text: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        parse_layout(text)


def test_prefix_lists() -> None:
    assert parse_prefixes("21-25") == {21, 22, 23, 24, 25}
    assert parse_prefixes("21, 23,26-27") == {21, 23, 26, 27}
    assert parse_prefixes("") == frozenset()
    for bad in ("19", "21-30", "2a", "25-21", "123"):
        with pytest.raises(ValidationError):
            parse_prefixes(bad)


def test_decoding_price_and_weight_labels() -> None:
    weight = decode("2600108013001", LAYOUT, PRICE, WEIGHT)
    assert weight is not None
    assert (weight.kind, weight.prefix, weight.plu, weight.value) == ("weight", 26, 108, 1300)
    price = decode("2100109297504", LAYOUT, PRICE, WEIGHT)
    assert price is not None and (price.kind, price.plu, price.value) == ("price", 109, 29750)
    assert decode("2000000100012", LAYOUT, PRICE, WEIGHT) is None  # a product code (20)
    assert decode("8991234567891", LAYOUT, PRICE, WEIGHT) is None
    assert decode("KUL-0001", LAYOUT, PRICE, WEIGHT) is None


def test_a_wrong_check_digit_is_refused_with_the_right_one_named() -> None:
    with pytest.raises(ValidationError, match=r"digit pemeriksa salah.*seharusnya 1"):
        decode("2600108013002", LAYOUT, PRICE, WEIGHT)


def test_a_prefix_set_as_price_and_weight_is_a_settings_problem() -> None:
    with pytest.raises(ValidationError, match="sekaligus"):
        decode("2600108013001", LAYOUT, parse_prefixes("26"), WEIGHT)


@given(
    st.sampled_from(sorted(PRICE | WEIGHT)),
    st.integers(0, 99_999),
    st.integers(0, 99_999),
    st.sampled_from([DEFAULT_LAYOUT, "2P IIII X VVVVV C", "2P IIII VVVVVV C"]),
)
def test_labels_round_trip(prefix: int, plu: int, value: int, layout_text: str) -> None:
    layout = parse_layout(layout_text)
    plu %= 10**layout.item_digits
    code = encode(prefix, plu, value, layout)
    assert is_valid_ean13(code) and code[:2] == str(prefix)
    label = decode(code, layout, PRICE, WEIGHT)
    assert label is not None
    assert (label.plu, label.value) == (plu, value)
    assert label.kind == ("price" if prefix in PRICE else "weight")
    wrong = code[:12] + str((int(code[12]) + 1) % 10)
    with pytest.raises(ValidationError):
        decode(wrong, layout, PRICE, WEIGHT)


@given(st.integers(1, 99_999), st.integers(1, 500_000), st.sampled_from([1, 1000]))
def test_a_price_label_gives_a_quantity_of_exactly_that_price(
    weight: int, price: int, scale: int
) -> None:
    """A scale that priced `weight` at the catalog's price prints round(weight x price): the
    quantity found for that printed price gives the same line total."""
    printed = line_gross(weight, price, scale)
    qty = qty_for_price(printed, price, scale)
    if printed == 0:
        assert qty is None
        return
    assert qty is not None and line_gross(qty, price, scale) == printed
    assert abs(qty - weight) * price <= scale  # at most one gram's worth off


def test_a_price_no_quantity_gives_is_none() -> None:
    assert qty_for_price(32_510, 25_000, 1000) is None  # 1300 g = 32.500, 1301 g = 32.525
    assert qty_for_price(32_500, 25_000, 1000) == 1300
    assert qty_for_price(36_000, 18_000, 1) == 2
    assert qty_for_price(30_000, 18_000, 1) is None


def test_the_demo_examples_decode_and_are_listed_in_resources() -> None:
    listed = [
        line.split()[0]
        for line in EXAMPLES.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    examples = scale_label_examples()
    assert listed == [e.code for e in examples]
    plus = set(DEMO_PLU.values())
    for example in examples:
        label = decode(example.code, LAYOUT, PRICE, WEIGHT)
        assert label is not None and label.plu in plus
    assert ean13_check_digit("260010801300") == "1"
