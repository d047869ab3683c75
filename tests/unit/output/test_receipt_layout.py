"""The receipt layout: rows in order and style, marks of copies and documents, and nothing ever
wider than the paper, whatever the names, quantities and amounts (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kasir.errors import ValidationError
from kasir.output.receipt import (
    Align,
    ReceiptDoc,
    ReceiptHeader,
    Row,
    RowKind,
    layout,
    preview_text,
    render_text,
    row_limit,
    rows_text,
)
from kasir.services.sale_lookup import PaymentView, SaleLineView, SaleView

HEADER = ReceiptHeader("Kawasan Terintegrasi UMKM Pemasyarakatan", "Kota Tangerang", "Terima kasih")
NOW = dt.datetime(2026, 11, 22, 3, 5, tzinfo=dt.UTC)


def line(
    no: int, name: str, qty: int, price: int, discount: int = 0, **more: object
) -> SaleLineView:
    base: dict[str, object] = dict(
        line_no=no, product_id=no, sku=f"SKU-{no}", barcode=None, name=name, upt_code="LPP-TGR",
        category="kuliner", qty=qty, unit_price=price, list_price=price, line_discount=discount,
        order_discount_share=0, line_total=qty * price - discount, original_line_id=None,
    )  # fmt: skip
    base.update(more)
    return SaleLineView(**base)  # type: ignore[arg-type]


def sale(**changes: object) -> SaleView:
    base: dict[str, object] = dict(
        id=1, uuid="u", receipt_number="K01-20261122-0007", kind="sale", status="completed",
        counter_code="K01", cashier_name="Siti Rahmawati", business_date=dt.date(2026, 11, 22),
        created_at=NOW, original_receipt=None, subtotal=57_000, line_discount_total=2_000,
        order_discount=0, tax_total=0, total=55_000,
        lines=(line(1, "Tas Jeans Handmade", 3, 15_000), line(2, "Keripik", 1, 12_000, 2_000)),
        payments=(PaymentView("tunai", 55_000, 60_000, 5_000, None),),
        reason=None, void_reason=None,
    )  # fmt: skip
    base.update(changes)
    return SaleView(**base)  # type: ignore[arg-type]


def texts(rows: tuple[Row, ...]) -> list[str]:
    return [row.text for row in rows]


def test_the_rows_of_a_sale_in_order_and_style() -> None:
    rows = layout(ReceiptDoc(sale(), HEADER, 32))
    name = [row for row in rows if row.text in ("Kawasan", "Terintegrasi", "Pemasyarakatan")]
    assert name and all(r.bold and r.double and r.align == Align.CENTER for r in name)
    (total,) = [row for row in rows if row.text.startswith("TOTAL")]
    assert total == Row("TOTAL                  Rp 55.000", bold=True, tall=True)
    assert [row.kind for row in rows[-4:]] == [RowKind.TEXT, RowKind.QR, RowKind.FEED, RowKind.CUT]
    assert rows[-3].text == "K01-20261122-0007"  # the QR code holds the receipt number
    assert sum(row.kind == RowKind.RULE for row in rows) == 4
    assert not any("SALINAN" in text for text in texts(rows))


def test_a_reprint_is_marked_with_its_count() -> None:
    rows = layout(ReceiptDoc(sale(), HEADER, 32, copy_no=3))
    (mark,) = [row for row in rows if "SALINAN" in row.text]
    assert mark == Row("*** SALINAN ***", Align.CENTER, bold=True, double=True)
    assert Row("Cetak ulang ke-3", Align.CENTER) in rows
    assert "SALINAN" in render_text(sale(), HEADER, 24, copy=True)  # bare word at 12 columns
    assert "Cetak ulang ke-1" in render_text(sale(), HEADER, copy=True)


def test_a_voided_sale_says_why() -> None:
    text = render_text(sale(status="voided", void_reason="salah scan"), HEADER)
    assert "*** DIBATALKAN (VOID) ***" in text and "Alasan batal: salah scan" in text


def test_the_preview_shows_the_qr_code_and_the_cut() -> None:
    rows = preview_text(ReceiptDoc(sale(), HEADER, 32)).splitlines()
    assert rows[-3:] == ["     [QR K01-20261122-0007]", "", " - - - - - - - 8< - - - - - - -"]
    assert max(len(row) for row in rows) == 32


def test_an_order_discount_given_as_a_percent_says_so() -> None:
    """SaleView carries no percentage today: the label is the plain one; a document that
    carries `order_discount_percent` shows it."""

    @dataclasses.dataclass(frozen=True)
    class WithPercent(SaleView):
        order_discount_percent: Decimal | None = None

    plain = sale(order_discount=5_700)
    assert "Diskon transaksi          -5.700" in render_text(plain, HEADER)
    fields = {f.name: getattr(plain, f.name) for f in dataclasses.fields(SaleView)}
    text = render_text(WithPercent(**fields, order_discount_percent=Decimal("12.5")), HEADER)
    assert "Diskon transaksi 12,5%    -5.700" in text


def test_a_weighed_refund_line_has_no_minus_sign() -> None:
    fish = line(1, "Ikan Lele", -500, 25_000, unit="kg", qty_scale=1000, line_total=-12_500)
    refund = sale(
        kind="refund", original_receipt="K01-20261122-0001", subtotal=-12_500,
        line_discount_total=0, total=-12_500, lines=(fish,),
        payments=(PaymentView("tunai", -12_500, -12_500, 0, None),),
    )  # fmt: skip
    rows = render_text(refund, HEADER, 32).splitlines()
    assert "  0,5 kg x 25.000/kg      12.500" in rows
    assert "Dikembalikan           Rp 12.500" in rows


def test_blank_header_texts_print_no_rows() -> None:
    rows = render_text(sale(), ReceiptHeader("", "", ""), 32).splitlines()
    assert rows[0] == "-" * 32  # no "?" for a store without a name yet


def test_the_footer_keeps_its_lines() -> None:
    text = render_text(sale(), ReceiptHeader("Toko", "", "Terima kasih.\n\nKarya binaan."), 32)
    assert "\n         Terima kasih.\n\n         Karya binaan.\n" in text


@pytest.mark.parametrize("width", [23, 65, 0])
def test_a_width_outside_24_to_64_is_refused(width: int) -> None:
    with pytest.raises(ValidationError, match="Lebar struk harus 24 sampai 64 kolom"):
        ReceiptDoc(sale(), HEADER, width)


def test_a_negative_copy_number_is_refused() -> None:
    with pytest.raises(ValidationError):
        ReceiptDoc(sale(), HEADER, 32, copy_no=-1)


# --- nothing overflows --------------------------------------------------------------------------

names = st.text(max_size=200) | st.text(st.characters(codec="ascii"), min_size=150, max_size=250)
money = st.integers(0, 10**15)
units = st.sampled_from([("pcs", 1), ("kg", 1000), ("g", 1), ("l", 1000), ("m", 1000)])


@st.composite
def lines(draw: st.DrawFn, no: int) -> SaleLineView:
    unit, scale = draw(units)
    return line(
        no, draw(names), draw(st.integers(1, 10**9)), draw(money), draw(money),
        unit=unit, qty_scale=scale,
    )  # fmt: skip


@st.composite
def documents(draw: st.DrawFn) -> SaleView:
    refund = draw(st.booleans())
    sign = -1 if refund else 1
    drawn = draw(st.lists(st.integers(0, 5), min_size=0, max_size=4))
    items = tuple(draw(lines(no)) for no, _ in enumerate(drawn, 1))
    if refund:
        items = tuple(dataclasses.replace(item, qty=-item.qty) for item in items)
    payments = tuple(
        PaymentView(draw(st.sampled_from(["tunai", "qris", "debit", "lain"])),
                    sign * draw(money), sign * draw(money), draw(money), draw(st.none() | names))
        for _ in range(draw(st.integers(0, 3)))
    )  # fmt: skip
    return sale(
        kind="refund" if refund else "sale",
        status=draw(st.sampled_from(["completed", "voided"])),
        receipt_number=draw(st.text(min_size=1, max_size=32)),
        counter_code=draw(st.text(max_size=40)), cashier_name=draw(names),
        original_receipt=draw(st.text(max_size=32)), subtotal=sign * draw(money),
        line_discount_total=sign * draw(money), order_discount=sign * draw(money),
        tax_total=sign * draw(money), total=sign * draw(money),
        rounding=draw(st.integers(-(10**6), 10**6)), lines=items, payments=payments,
        reason=draw(st.none() | names), void_reason=draw(st.none() | names),
    )  # fmt: skip


headers = st.builds(ReceiptHeader, names, names, names)


def check_fits(doc: ReceiptDoc) -> None:
    rows = layout(doc)
    for row in rows:
        assert row.text.isascii() and row.text.isprintable(), row
        if row.kind != RowKind.QR:  # a QR code's content is no line of text
            assert len(row.text) <= row_limit(row, doc.width), row
    for printed in preview_text(doc).splitlines():
        assert len(printed) <= doc.width, printed
    assert rows_text(rows, doc.width) == preview_text(doc)


@settings(deadline=None, max_examples=150)
@given(documents(), headers, st.sampled_from([32, 42, 48]), st.integers(0, 10**6))
def test_nothing_overflows_at_32_42_and_48_columns(
    document: SaleView, header: ReceiptHeader, width: int, copy_no: int
) -> None:
    check_fits(ReceiptDoc(document, header, width, copy_no))


@settings(deadline=None, max_examples=60)
@given(documents(), headers, st.integers(24, 64))
def test_nothing_overflows_at_any_width_from_24_to_64(
    document: SaleView, header: ReceiptHeader, width: int
) -> None:
    check_fits(ReceiptDoc(document, header, width))


def test_a_huge_total_and_a_long_name_at_24_columns() -> None:
    huge = 10**18 - 1
    doc = ReceiptDoc(
        sale(total=huge, subtotal=huge, lines=(line(1, "Kopi " * 40, 10**9, 10**9),)), HEADER, 24
    )
    check_fits(doc)
    rows = preview_text(doc).splitlines()
    total_at = rows.index("TOTAL")
    assert rows[total_at + 1 : total_at + 3] == [  # the amount, right-aligned, wrapped
        "                      Rp",
        " 999.999.999.999.999.999",
    ]
