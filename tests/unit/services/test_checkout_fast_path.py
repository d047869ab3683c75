"""The checkout's fast path: the open shift and the settings in one statement, the settings
parsed only when their stored text changed, the statements on the driver's cursor. A change
made by another connection is seen by the next checkout; driver errors stay SQLAlchemy's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy.exc
from sqlalchemy import Engine
from store_helpers import MAKARONI, NOW, Factory, cash, open_till

from kasir.domain.cart import Cart
from kasir.errors import InsufficientStock, ValidationError
from kasir.services.cart_edit import add_by_barcode
from kasir.services.checkout import checkout
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till, read_open_shift
from kasir.settings import _parsed, get_all, get_setting, set_setting
from kasir.store.bulk import insert_many
from kasir.store.engine import make_engine, make_session_factory
from kasir.store.models import Payment, table_of


def cart_of(factory: Factory, qty: int = 1) -> tuple[Cart, int]:
    with factory.begin() as s:
        cart = Cart()
        return cart, add_by_barcode(s, cart, MAKARONI, qty).total


def pay(factory: Factory, till: Till, cart: Cart, total: int) -> SaleView:
    """The checkout in a unit of work of its own, as the sale screen does it."""
    with factory.begin() as s:
        return checkout(s, till, cart, cash(total), now=NOW)


def sell(factory: Factory, till: Till, qty: int = 1) -> SaleView:
    return pay(factory, till, *cart_of(factory, qty))


@pytest.fixture
def other(demo_engine: Engine) -> Iterator[Factory]:
    """A second engine on the same store: another process's connection."""
    engine = make_engine(demo_engine.url.render_as_string(hide_password=False))
    yield make_session_factory(engine)
    engine.dispose()


def change(factory: Factory, **values: object) -> None:
    with factory.begin() as s:
        for key, value in values.items():
            set_setting(s, key, value)


def test_a_setting_changed_elsewhere_is_seen_by_the_next_checkout(
    demo: Factory, other: Factory
) -> None:
    till = open_till(demo)
    assert sell(demo, till).tax_total == 0  # settings read (and parsed) by this engine
    cart, total = cart_of(demo)
    change(other, tax_rate_pct="11")
    assert pay(demo, till, cart, total).tax_total > 0
    cart, total = cart_of(demo, 3)
    change(other, max_line_qty=2)
    with pytest.raises(ValidationError, match=r"maks\. 2 "):
        pay(demo, till, cart, total)
    change(other, max_line_qty=9999)
    cart, total = cart_of(demo, 100)  # more than the 62 in stock: a warning only
    change(other, oversell="refuse")
    with pytest.raises(InsufficientStock):
        pay(demo, till, cart, total)
    change(other, oversell="warn", tax_rate_pct="0")
    assert sell(demo, till).tax_total == 0  # back to a text parsed before


def test_settings_are_parsed_once_per_stored_text(demo: Factory) -> None:
    with demo() as s:
        first = get_all(s)
    hits = _parsed.cache_info().hits
    with demo() as s:
        assert get_all(s) == first
        assert get_setting(s, "store_name") == first["store_name"]
    assert _parsed.cache_info().hits >= hits + 2


def test_stored_text_of_any_kind_round_trips(demo: Factory) -> None:
    """The stored settings come back through the database's JSON aggregate exactly."""
    name = 'Toko "Karya" \\ Warga\nBaris dua: é ✓ 100%'
    with demo.begin() as s:
        set_setting(s, "store_name", name)
        set_setting(s, "tax_rate_pct", "2.5")
    with demo() as s:
        assert get_setting(s, "store_name") == name
        assert str(get_setting(s, "tax_rate_pct")) == "2.5"
        assert get_all(s)["store_name"] == name


def test_a_setting_added_in_the_unit_is_seen_by_it(demo: Factory) -> None:
    with demo.begin() as s:
        assert get_setting(s, "max_line_qty") == 9999
        set_setting(s, "max_line_qty", 7)
        assert get_setting(s, "max_line_qty") == 7
        assert get_all(s)["max_line_qty"] == 7


def test_the_driver_read_of_the_open_shift_is_the_core_one(demo: Factory) -> None:
    till = open_till(demo)
    with demo() as s:
        core = tuple(read_open_shift(s, till) or ())
        driver = tuple(read_open_shift(s, till, driver=True) or ())
    assert driver == core
    assert [type(v) for v in driver] == [type(v) for v in core]


def test_a_driver_error_is_sqlalchemys(demo: Factory) -> None:
    row = {"sale_id": 10**9, "document_kind": "sale", "method": "tunai", "amount": 1}
    with pytest.raises(sqlalchemy.exc.IntegrityError), demo.begin() as s:
        insert_many(s.connection(), table_of(Payment), [dict(row, tendered=1, change=0)])
    till = open_till(demo)
    assert sell(demo, till).receipt_number.endswith("0001")  # the store carries on
