"""Store-wide settings: declared defaults, stored values, and refusal of bad values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.qris import build_static_example
from kasir.errors import ValidationError
from kasir.settings import (
    MAX_LINE_QTY_LIMIT,
    SETTINGS,
    definition,
    get_all,
    get_setting,
    parse_text,
    set_setting,
)
from kasir.store.models import Setting


def test_every_setting_is_declared_once_with_a_valid_default() -> None:
    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys))
    for sdef in SETTINGS:
        assert sdef.description.strip()
        assert sdef.check(sdef.default) == sdef.default


def test_defaults_on_an_empty_store(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        values = get_all(s)
        assert values == {sdef.key: sdef.default for sdef in SETTINGS}
        assert get_setting(s, "tax_rate_pct") == Decimal("0")
        assert get_setting(s, "oversell") == "warn"
        assert get_setting(s, "qris_static") == ""
        assert s.scalars(select(Setting)).all() == []


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("tax_rate_pct", Decimal("11"), Decimal("11")),
        ("tax_rate_pct", "12.5", Decimal("12.5")),
        ("tax_rate_pct", 0, Decimal("0")),
        ("discount_approval_pct", Decimal("100"), Decimal("100")),
        ("oversell", "refuse", "refuse"),
        ("max_line_qty", 250, 250),
        ("store_name", "Toko UMKM Lapas", "Toko UMKM Lapas"),
        (
            "receipt_footer",
            "Terima kasih — karya warga binaan",
            "Terima kasih — karya warga binaan",
        ),
    ],
)
def test_set_get_round_trip(
    factory: sessionmaker[Session], key: str, value: Any, expected: Any
) -> None:
    with factory.begin() as s:
        assert set_setting(s, key, value) == expected
    with factory() as s:
        got = get_setting(s, key)
        assert got == expected and type(got) is type(expected)
        assert get_all(s)[key] == expected


def test_setting_twice_keeps_one_row(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        set_setting(s, "oversell", "refuse")
    with factory.begin() as s:
        set_setting(s, "oversell", "warn")
    with factory() as s:
        assert get_setting(s, "oversell") == "warn"
        assert len(s.scalars(select(Setting)).all()) == 1


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("tax_rate_pct", -1),
        ("tax_rate_pct", "101"),
        ("tax_rate_pct", 11.0),  # a float is never a rate
        ("tax_rate_pct", "sebelas"),
        ("tax_rate_pct", "NaN"),
        ("tax_rate_pct", "Infinity"),
        ("tax_rate_pct", None),
        ("discount_approval_pct", "200"),
        ("oversell", "maybe"),
        ("oversell", None),
        ("max_line_qty", -5),
        ("max_line_qty", 2.5),
        ("max_line_qty", True),
        ("max_line_qty", "10"),
        ("store_name", 42),
        ("qris_static", "bukan qris"),
        ("qris_static", 123),
    ],
)
def test_invalid_values_are_refused(factory: sessionmaker[Session], key: str, value: Any) -> None:
    with factory.begin() as s:
        with pytest.raises(ValidationError):
            set_setting(s, key, value)
        assert get_setting(s, key) == definition(key).default


def test_qris_static_is_validated(factory: sessionmaker[Session]) -> None:
    good = build_static_example()
    bad_crc = good[:-4] + ("0000" if good[-4:] != "0000" else "FFFF")
    with factory.begin() as s:
        assert set_setting(s, "qris_static", f"  {good}\n") == good
        with pytest.raises(ValidationError, match="CRC"):
            set_setting(s, "qris_static", bad_crc)
        with pytest.raises(ValidationError):
            set_setting(s, "qris_static", good[:-10])
    with factory.begin() as s:
        assert get_setting(s, "qris_static") == good
        assert set_setting(s, "qris_static", "") == ""  # clearing it is allowed


def test_demo_store_has_a_static_qris(demo_sqlite: sessionmaker[Session]) -> None:
    with demo_sqlite() as s:
        assert get_setting(s, "qris_static") == build_static_example()


def test_unknown_key_is_a_bug_not_a_user_error(factory: sessionmaker[Session]) -> None:
    with factory() as s, pytest.raises(KeyError):
        get_setting(s, "tidak_ada")


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("max_line_qty", "1000000", 1_000_000),
        ("max_line_qty", " 12 ", 12),
        ("tax_rate_pct", "1e1", Decimal("10")),
        ("tax_rate_pct", "11.50", Decimal("11.5")),
        ("receipt_footer", "Terima kasih.\nKarya binaan.", "Terima kasih.\nKarya binaan."),
    ],
)
def test_typed_values_within_bounds(
    factory: sessionmaker[Session], key: str, text: str, expected: Any
) -> None:
    with factory.begin() as s:
        assert set_setting(s, key, parse_text(key, text)) == expected
    with factory() as s:
        assert get_setting(s, key) == expected


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("max_line_qty", "²"),  # "²".isdigit() is True, int("²") fails
        ("max_line_qty", "١٢"),
        ("max_line_qty", str(MAX_LINE_QTY_LIMIT + 1)),
        ("max_line_qty", "3000000000"),  # beyond PostgreSQL's INTEGER
        ("max_line_qty", "1" * 5000),  # beyond int()'s digit limit
        ("tax_rate_pct", "12.345"),
        ("tax_rate_pct", "1e-999999999"),
        ("discount_approval_pct", "100.01"),
        ("store_name", "Toko\x00"),
        ("store_address", "Jl. \x1b[31mMerah"),
        ("receipt_footer", "x" * 1001),
    ],
)
def test_typed_values_out_of_bounds_are_refused(key: str, text: str) -> None:
    with pytest.raises(ValidationError):
        definition(key).check(parse_text(key, text))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_typed_value_is_refused_or_stored_within_bounds(
    factory: sessionmaker[Session], data: st.DataObject
) -> None:
    """What `kasir settings KEY VALUE` does with any text: a ValidationError (one line on the
    command line), or a value that is stored, reads back the same, and keeps to its bounds."""
    sdef = data.draw(st.sampled_from(SETTINGS))
    text = data.draw(
        st.one_of(
            st.text(max_size=30),
            st.integers(-(10**20), 10**20).map(str),
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.sampled_from(["warn", "refuse", "0", "100", "1000000", "²", "1e2", " 7 "]),
        )
    )
    with factory() as s:
        try:
            stored = set_setting(s, sdef.key, parse_text(sdef.key, text))
        except ValidationError:
            assert get_setting(s, sdef.key) == sdef.default
            s.rollback()
            return
        assert get_setting(s, sdef.key) == stored
        if sdef.key == "max_line_qty":
            assert 1 <= stored <= MAX_LINE_QTY_LIMIT
        elif sdef.key.endswith("_pct"):
            assert Decimal(0) <= stored <= Decimal(100)
        s.rollback()
