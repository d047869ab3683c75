"""Weighed goods through the services: typed weights, scale labels, checkout, stock, refunds.

On SQLite and PostgreSQL (the `demo` fixture). Demo products sold per kg, with their scale
label PLUs (kasir.services.demo.DEMO_PLU): Ikan Lele Segar Rp 25.000/kg (PLU 108), Ikan Nila
Segar Rp 35.000/kg (PLU 109), Udang Vaname Segar Rp 95.000/kg (PLU 121, no stock)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from store_helpers import (
    MAKARONI,
    NOW,
    SPV,
    Factory,
    cash,
    make_till,
    open_till,
    snapshot,
    stock_of,
)

from kasir.domain.cart import Cart, Discount
from kasir.domain.scale_label import encode, parse_layout
from kasir.errors import ImportFailed, NotAllowed, NotFound, ValidationError
from kasir.output.receipt import ReceiptHeader, render_text
from kasir.services.cart_edit import add_by_code, set_order_discount, set_quantity, view_cart
from kasir.services.catalog_io import export_products, import_products
from kasir.services.checkout import checkout
from kasir.services.integrity import check_store
from kasir.services.parking import park_cart, recall_cart
from kasir.services.returns import LineMoney, RefundItem, refund_money, refund_sale
from kasir.services.sale_lookup import get_sale
from kasir.settings import set_setting
from kasir.store.models import Product, SaleLine, StockMovement

LELE = "2000000500089"  # PRK-0008, Rp 25.000/kg, stock 47 kg
NILA = "2000000500096"  # PRK-0009, Rp 35.000/kg
LELE_1300G = "2600108013001"  # weight label: PLU 108, 1300 g
NILA_RP_29750 = "2100109297504"  # price label: PLU 109, Rp 29.750 (= 850 g)
LAYOUT = parse_layout("2P IIIII VVVVV C")
HEADER = ReceiptHeader("Toko", "Alamat", "Terima kasih")


def test_a_weight_label_adds_its_weight_and_the_sale_stores_grams(demo: Factory) -> None:
    till = open_till(demo)
    before = stock_of(demo, LELE)
    assert before == 47_000  # the demo's stock of a kg product is in grams
    with demo.begin() as s:
        cart = Cart()
        view = add_by_code(s, cart, LELE_1300G)
        (line,) = view.lines
        assert (line.qty, line.unit, line.qty_scale, line.unit_price) == (1300, "kg", 1000, 25_000)
        assert line.qty_text == "1,3 kg" and line.line_total == 32_500
        assert view.total == 32_500 and view.item_count == 1
        sale = checkout(s, till, cart, cash(50_000), now=NOW)
    assert sale.total == 32_500 and sale.change == 17_500 and sale.item_count == 1
    assert stock_of(demo, LELE) == before - 1300
    with demo() as s:
        row = s.scalars(select(SaleLine).where(SaleLine.sale_id == sale.id)).one()
        assert (row.qty, row.unit, row.qty_scale, row.line_total) == (1300, "kg", 1000, 32_500)
        moved = s.scalar(select(StockMovement.qty).where(StockMovement.sale_id == sale.id))
        assert moved == -1300
        stored = get_sale(s, sale.receipt_number)
        assert check_store(s).problems == ()
    assert stored.lines[0].qty_text == "1,3 kg" and stored.lines[0].gross == 32_500
    text = render_text(stored, HEADER, 32)
    assert "1,3 kg x 25.000/kg" in text and "32.500" in text


def test_a_price_label_adds_the_weight_of_exactly_that_price(demo: Factory) -> None:
    with demo.begin() as s:
        cart = Cart()
        (line,) = add_by_code(s, cart, NILA_RP_29750).lines
        assert (line.qty, line.qty_text, line.line_total) == (850, "0,85 kg", 29_750)
        assert line.label == NILA_RP_29750


def test_a_label_whose_price_no_weight_gives_is_refused(demo: Factory) -> None:
    with demo.begin() as s:
        cart = Cart()
        code = encode(21, 108, 32_510, LAYOUT)  # 1300 g = Rp 32.500, 1301 g = Rp 32.525
        with pytest.raises(ValidationError, match="tidak cocok dengan harga Ikan Lele"):
            add_by_code(s, cart, code)
        assert cart.lines == []


def test_a_wrong_check_digit_adds_nothing(demo: Factory) -> None:
    before = snapshot(demo)
    with demo.begin() as s:
        cart = Cart()
        with pytest.raises(ValidationError, match="digit pemeriksa salah"):
            add_by_code(s, cart, "2600108013002")
        assert cart.lines == []
    assert snapshot(demo) == before


def test_an_unknown_plu_is_named(demo: Factory) -> None:
    with demo.begin() as s:
        cart = Cart()
        with pytest.raises(NotFound, match="PLU\\) 00777 tidak terdaftar"):
            add_by_code(s, cart, encode(26, 777, 500, LAYOUT))
        assert cart.lines == []


def test_a_weight_label_for_goods_sold_by_count_is_refused(demo: Factory) -> None:
    with demo.begin() as s:
        s.execute(update(Product).where(Product.barcode == MAKARONI).values(plu=555))
        cart = Cart()
        with pytest.raises(NotAllowed, match="bukan ditimbang"):
            add_by_code(s, cart, encode(26, 555, 500, LAYOUT))
        # A price label of a count product: the count whose total is that price.
        (line,) = add_by_code(s, cart, encode(21, 555, 36_000, LAYOUT)).lines
        assert (line.qty, line.qty_text, line.line_total) == (2, "2", 36_000)
        with pytest.raises(ValidationError, match="tidak cocok"):
            add_by_code(s, cart, encode(21, 555, 30_000, LAYOUT))


def test_a_products_own_barcode_wins_over_a_label_prefix(demo: Factory) -> None:
    code = encode(21, 1, 500, LAYOUT)  # would be a price label of Beras Pandan Wangi
    with demo.begin() as s:
        s.execute(update(Product).where(Product.barcode == MAKARONI).values(barcode=code))
        cart = Cart()
        (line,) = add_by_code(s, cart, code).lines
        assert line.name.startswith("Makaroni") and line.qty == 1


def test_label_settings_change_what_a_code_means(demo: Factory) -> None:
    with demo.begin() as s:
        set_setting(s, "scale_label_weight_prefixes", "")
        set_setting(s, "scale_label_price_prefixes", "21-29")
        cart = Cart()
        # 26... is now a price label: Rp 1.300 of Ikan Lele is 52 g.
        (line,) = add_by_code(s, cart, LELE_1300G).lines
        assert (line.qty, line.line_total) == (52, 1300)
        with pytest.raises(ValidationError):
            set_setting(s, "scale_label_layout", "2P IIIII VVVV C")
        with pytest.raises(ValidationError):
            set_setting(s, "scale_label_price_prefixes", "19-21")


def test_each_label_is_its_own_line_and_a_repeat_is_pointed_out(demo: Factory) -> None:
    with demo.begin() as s:
        cart = Cart()
        add_by_code(s, cart, LELE_1300G)
        view = add_by_code(s, cart, LELE_1300G)
        assert [line.qty for line in view.lines] == [1300, 1300]
        assert any("sudah dipindai" in w for w in view.warnings)
        view = add_by_code(s, cart, LELE)  # the plain barcode: 1 kg, a line of its own
        assert [line.qty for line in view.lines] == [1300, 1300, 1000]
        with pytest.raises(ValidationError, match="tidak bisa dikalikan"):
            add_by_code(s, cart, LELE_1300G, 2)


def test_typed_weights(demo: Factory) -> None:
    with demo.begin() as s:
        cart = Cart()
        (line,) = add_by_code(s, cart, LELE, "1,3").lines
        assert (line.qty, line.line_total) == (1300, 32_500)
        (line,) = add_by_code(s, cart, LELE, "200g").lines  # the same product adds up
        assert line.qty == 1500
        (line,) = set_quantity(s, cart, 0, "0,25").lines
        assert (line.qty, line.line_total) == (250, 6250)
        (line,) = set_quantity(s, cart, 0, 1333).lines  # base units as an int
        assert line.line_total == 33_325
        with pytest.raises(ValidationError, match="tidak valid"):
            set_quantity(s, cart, 0, "1,3*2")
        with pytest.raises(ValidationError, match="angka bulat"):
            add_by_code(s, cart, MAKARONI, "1,5")
        assert [ln.qty for ln in cart.lines] == [1333]


def test_the_line_limit_counts_kilograms(demo: Factory) -> None:
    with demo.begin() as s:
        set_setting(s, "max_line_qty", 50)
        cart = Cart()
        add_by_code(s, cart, LELE, "50")
        with pytest.raises(ValidationError, match=r"50,001 kg terlalu besar \(maks\. 50 kg"):
            set_quantity(s, cart, 0, "50001g")
        with pytest.raises(ValidationError, match="lebih dari 0"):
            set_quantity(s, cart, 0, "0")


def test_the_oversell_warning_speaks_in_kilograms(demo: Factory) -> None:
    with demo.begin() as s:
        cart = Cart()
        view = add_by_code(s, cart, NILA, "81,5")
        assert view.warnings == (
            "Stok tercatat Ikan Nila Segar tinggal 81 kg, di keranjang 81,5 kg.",
        )


def test_refunds_of_a_weighed_line_add_up_and_put_the_grams_back(demo: Factory) -> None:
    till = open_till(demo)
    with demo.begin() as s:
        cart = Cart()
        add_by_code(s, cart, LELE_1300G)
        add_by_code(s, cart, NILA, "0,777")
        add_by_code(s, cart, MAKARONI, 2)
        set_order_discount(s, cart, Discount("percent", Decimal("7")))
        sale = checkout(s, till, cart, cash(200_000), now=NOW)
    stock = stock_of(demo, LELE)
    with demo.begin() as s, pytest.raises(NotAllowed, match=r"diretur 1,301 kg.*tinggal 1,3 kg"):
        refund_sale(s, till, sale.receipt_number, [RefundItem(1, 1301)], "rusak", SPV, now=NOW)
    with demo.begin() as s:
        first = refund_sale(
            s, till, sale.receipt_number, [RefundItem(1, 500)], "rusak", SPV, now=NOW
        )
    assert stock_of(demo, LELE) == stock + 500
    with demo.begin() as s:
        rest = refund_sale(s, till, sale.receipt_number, None, "rusak", SPV, now=NOW)
        assert check_store(s).problems == ()
    assert stock_of(demo, LELE) == stock + 1300
    assert first.total + rest.total == -sale.total
    sold = {ln.line_no: ln for ln in sale.lines}
    back_lele = [ln for ln in (*first.lines, *rest.lines) if ln.sku == sold[1].sku]
    assert sum(ln.qty for ln in back_lele) == -1300
    assert sum(ln.line_total for ln in back_lele) == -sold[1].line_total
    assert all(ln.unit == "kg" and ln.qty_scale == 1000 for ln in back_lele)
    # The refund receipt lists the goods that come back, without minus signs (issue 16 item 11).
    assert render_text(first, HEADER, 32).count("  0,5 kg x 25.000/kg      12.500") == 1


@st.composite
def weighed_line(draw: st.DrawFn) -> LineMoney:
    qty = draw(st.integers(1, 5000))
    price = draw(st.integers(0, 200_000))
    scale = draw(st.sampled_from([10, 1000]))
    gross = (2 * qty * price + scale) // (2 * scale)
    line_discount = draw(st.integers(0, gross))
    share = draw(st.integers(0, gross - line_discount))
    total = gross - line_discount - share
    tax = draw(st.integers(0, total))
    return LineMoney(qty, price, line_discount, share, tax, total, scale)


@st.composite
def steps_of(draw: st.DrawFn, qty: int) -> list[int]:
    """Up to 6 refunds that together take back the whole line (grams)."""
    cuts = sorted(draw(st.sets(st.integers(1, qty - 1), max_size=5))) if qty > 1 else []
    ends = [*cuts, qty]
    return [b - a for a, b in zip([0, *cuts], ends, strict=True)]


@given(weighed_line().flatmap(lambda line: st.tuples(st.just(line), steps_of(line.qty))))
def test_refund_steps_of_weighed_lines_are_never_negative_and_add_up(
    case: tuple[LineMoney, list[int]],
) -> None:
    line, steps = case
    already = LineMoney(0, line.unit_price, 0, 0, 0, 0, line.qty_scale)
    for qty in steps:
        back = refund_money(line, already, qty)
        assert back.qty == qty
        for column in (back.line_discount, back.order_share, back.tax, back.line_total):
            assert column >= 0, (line, steps, back)
        assert back.tax <= back.line_total
        assert abs(back.line_total * line.qty - line.line_total * qty) <= line.qty
        already = LineMoney(
            already.qty + back.qty,
            line.unit_price,
            already.line_discount + back.line_discount,
            already.order_share + back.order_share,
            already.tax + back.tax,
            already.line_total + back.line_total,
            line.qty_scale,
        )
    assert already == line


def test_view_of_a_cart_with_weighed_lines(demo: Factory) -> None:
    with demo.begin() as s:
        cart = Cart()
        add_by_code(s, cart, LELE_1300G)
        add_by_code(s, cart, MAKARONI, 3)
        view = view_cart(s, cart)
    assert [ln.qty_text for ln in view.lines] == ["1,3 kg", "3"]
    assert view.item_count == 4 and view.total == 32_500 + 54_000


CSV_HEAD = "sku,name,category,unit,price,stock,upt_code,plu\n"


def test_catalog_import_and_export_carry_the_plu(demo: Factory) -> None:
    with demo.begin() as s:
        import_products(
            s,
            StringIO(CSV_HEAD + "PRK-0101,Ikan Mas Segar,perikanan,kg,30000,12500,LP-CBN,1101\n"),
        )
        cart = Cart()
        (line,) = add_by_code(s, cart, encode(27, 1101, 500, LAYOUT)).lines
        assert (line.name, line.qty, line.line_total) == ("Ikan Mas Segar", 500, 15_000)
        out = StringIO()
        export_products(s, out)
    rows = out.getvalue().splitlines()
    assert rows[0].endswith(",plu")
    mas = next(r for r in rows if r.startswith("PRK-0101"))
    assert mas.startswith("PRK-0101,,Ikan Mas Segar,perikanan,kg,30000,0,12500,LP-CBN,")
    assert mas.endswith(",1,1101")
    assert next(r for r in rows if r.startswith("PRK-0008")).endswith(",1,108")
    for body, says in (
        ("PRK-0102,Ikan A,perikanan,kg,1000,0,LP-CBN,108\n", "PLU 108 sudah dipakai"),
        (
            "PRK-0102,Ikan A,perikanan,kg,1000,0,LP-CBN,7\n"
            "PRK-0103,Ikan B,perikanan,kg,1000,0,LP-CBN,7\n",
            "PLU 7 ganda",
        ),
        ("PRK-0102,Ikan A,perikanan,kg,1000,0,LP-CBN,1234567\n", "PLU 1234567 di luar batas"),
    ):
        with demo.begin() as s, pytest.raises(ImportFailed) as failed:
            import_products(s, StringIO(CSV_HEAD + body))
        assert any(says in reason for _line, reason in failed.value.problems), failed.value


def test_a_parked_weighed_line_comes_back_in_grams_or_goes_if_its_unit_changed(
    demo: Factory,
) -> None:
    with demo.begin() as s:
        till = make_till(s)
        cart = Cart()
        add_by_code(s, cart, LELE_1300G)
        add_by_code(s, cart, NILA, "2")
        parked = park_cart(s, till, cart, "ikan")
        again = park_cart(s, till, cart, "ikan lagi")
    assert parked.item_count == 2
    with demo.begin() as s:
        back = recall_cart(s, parked.id)
        assert back.cart.lines == cart.lines and back.changes == ()
        s.execute(update(Product).where(Product.barcode == NILA).values(unit="ekor"))
    with demo.begin() as s:
        back = recall_cart(s, again.id)
    assert [ln.qty for ln in back.cart.lines] == [1300]
    assert back.changes == (
        "Satuan Ikan Nila Segar berubah menjadi ekor; dikeluarkan dari keranjang, pindai lagi.",
    )
