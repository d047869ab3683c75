"""Allocation (issue 19, DESIGN §2): the parts add up to their base exactly, for any base and
any scheme that sums to 100; a scheme that does not is refused with a clear message."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasir.domain.allocation import allocate_upt, base_of, make_scheme, split
from kasir.domain.settlement import Scheme
from kasir.errors import ValidationError


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    """Three parts in hundredths of a percent that sum to 100%."""
    a = draw(st.integers(0, 10_000))
    b = draw(st.integers(0, 10_000 - a))
    parts = [a, b, 10_000 - a - b]
    draw(st.randoms()).shuffle(parts)
    pct = [Decimal(p) / 100 for p in parts]
    return make_scheme(pct[0], pct[1], pct[2], draw(st.sampled_from(("net", "margin"))))


@given(base=st.integers(-(10**13), 10**13), scheme=schemes())
def test_parts_add_up_to_the_base_and_stay_within_a_rupiah(base: int, scheme: Scheme) -> None:
    a = split(base, scheme)
    assert a.base == base
    assert a.pnbp + a.premi + a.pembinaan == base
    for part, pct in (
        (a.pnbp, scheme.pnbp_pct),
        (a.premi, scheme.premi_pct),
        (a.pembinaan, scheme.pembinaan_pct),
    ):
        exact = Fraction(base) * Fraction(pct) / 100
        assert abs(part - exact) < 1
        if pct == 0:
            assert part == 0


@given(base=st.integers(0, 10**13), scheme=schemes())
def test_a_negative_base_is_the_mirror_of_the_positive(base: int, scheme: Scheme) -> None:
    pos, neg = split(base, scheme), split(-base, scheme)
    assert (neg.pnbp, neg.premi, neg.pembinaan) == (-pos.pnbp, -pos.premi, -pos.pembinaan)


@given(net=st.integers(-(10**9), 10**9), cost=st.integers(0, 10**9), scheme=schemes())
def test_margin_base_is_net_minus_cost(net: int, cost: int, scheme: Scheme) -> None:
    a = allocate_upt(scheme, net, cost)
    assert a.base == (net - cost if scheme.base == "margin" else net) == base_of(scheme, net, cost)
    assert a.pnbp + a.premi + a.pembinaan == a.base


def test_examples() -> None:
    assert split(125_000, Scheme()).pnbp == 125_000  # the default: 100% PNBP
    thirds = make_scheme("33.33", "33.33", "33.34")
    a = split(100, thirds)
    assert (a.pnbp, a.premi, a.pembinaan) == (33, 33, 34)
    lapas = make_scheme(50, 35, 15)
    a = split(1_000_001, lapas)
    assert (a.pnbp, a.premi, a.pembinaan) == (500_001, 350_000, 150_000)
    a = split(-1_000_001, lapas)
    assert (a.pnbp, a.premi, a.pembinaan) == (-500_001, -350_000, -150_000)


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        (("50", "35", "14"), "Alokasi harus berjumlah 100%"),
        (("50", "35", "16"), "= 101%"),
        (("99", "0", "0"), "= 99%"),
        (("-1", "51", "50"), "antara 0 dan 100"),
        (("33.333", "33.333", "33.334"), "dua angka"),
        (("abc", "0", "100"), "tidak valid"),
        ((50.0, 35, 15), "antara 0 dan 100"),  # a float is never taken
    ],
)
def test_bad_schemes_are_refused(parts: tuple[object, object, object], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        make_scheme(*parts)
    assert words in info.value.message


def test_bad_base_is_refused() -> None:
    with pytest.raises(ValidationError, match="Dasar alokasi"):
        make_scheme(100, 0, 0, "gross")


def test_a_scheme_that_does_not_sum_to_100_is_not_split() -> None:
    with pytest.raises(ValidationError, match="Alokasi harus berjumlah 100%"):
        split(1000, Scheme(Decimal(50), Decimal(0), Decimal(0)))
