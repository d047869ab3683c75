"""Store-wide settings: declared defaults, stored values, and refusal of bad values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.qris import build_static_example
from kasir.errors import ValidationError
from kasir.settings import SETTINGS, definition, get_all, get_setting, set_setting
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
