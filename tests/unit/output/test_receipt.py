"""The receipt preview text: fits the paper, names made printable, documents marked."""

from __future__ import annotations

import datetime as dt

import pytest

from kasir.output.receipt import ReceiptHeader, printable, render_text
from kasir.services.sale_lookup import PaymentView, SaleLineView, SaleView

HEADER = ReceiptHeader("Kawasan Terintegrasi UMKM Pemasyarakatan", "Kota Tangerang", "Terima kasih")


def line(no: int, name: str, qty: int, price: int, discount: int = 0) -> SaleLineView:
    return SaleLineView(
        line_no=no, product_id=no, sku=f"KUL-{no:04d}", barcode=None, name=name,
        upt_code="LPP-TGR", category="kuliner", qty=qty, unit_price=price, list_price=price,
        line_discount=discount, order_discount_share=0, line_total=qty * price - discount,
        original_line_id=None,
    )  # fmt: skip


def sale(**changes: object) -> SaleView:
    lines = (
        line(1, "Kopi Arabika Gayo – Roasted 250 g", 2, 95_000, 9_500),
        line(2, "Café Latte Bubuk 200 g", 1, 40_000),
        line(3, "Bolu Pandan ½ Loyang Spesial Untuk Oleh-Oleh Keluarga", 1, 35_000),
    )
    base = dict(
        id=1, uuid="u", receipt_number="K01-20261122-0007", kind="sale", status="completed",
        counter_code="K01", cashier_name="Siti Rahmawati", business_date=dt.date(2026, 11, 22),
        created_at=dt.datetime(2026, 11, 22, 3, 5, tzinfo=dt.UTC), original_receipt=None,
        subtotal=265_000, line_discount_total=9_500, order_discount=0, tax_total=0,
        total=255_500, lines=lines,
        payments=(PaymentView("tunai", 255_500, 300_000, 44_500, None),),
        reason=None, void_reason=None,
    )  # fmt: skip
    base.update(changes)
    return SaleView(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("width", [32, 42, 48])
def test_fits_the_paper_and_is_plain_ascii(width: int) -> None:
    text = render_text(sale(), HEADER, width)
    for row in text.splitlines():
        assert len(row) <= width, row
        assert row.isascii(), row
    assert "No : K01-20261122-0007" in text
    assert "Tgl: 22-11-2026 10:05" in text  # Asia/Jakarta
    assert "Kopi Arabika Gayo - Roasted" in text  # wrapped on 32 columns
    assert "Cafe Latte Bubuk 200 g" in text
    assert "Bolu Pandan 1/2 Loyang" in text


def test_amounts_and_change() -> None:
    rows = render_text(sale(), HEADER, 32).splitlines()
    assert "  2 x 95.000             190.000" in rows
    assert "  Diskon                  -9.500" in rows
    assert "TOTAL                 Rp 255.500" in rows
    assert "Tunai                    300.000" in rows
    assert "Kembali                Rp 44.500" in rows


def test_documents_are_marked() -> None:
    refund = render_text(
        sale(kind="refund", original_receipt="K01-20261121-0003", total=-35_000), HEADER
    )
    assert "RETUR" in refund and "Atas struk: K01-20261121-0003" in refund
    assert "DIBATALKAN (VOID)" in render_text(sale(status="voided"), HEADER)
    assert "SALINAN" in render_text(sale(), HEADER, copy=True)
    assert "SALINAN" not in render_text(sale(), HEADER)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Café", "Cafe"),
        ("½ kg", "1/2 kg"),
        ("Kopi – Gayo", "Kopi - Gayo"),
        ("2 × 3", "2 x 3"),
        # Other scripts are transliterated (anyascii), not dropped: the name stays readable.
        ("Kopi 咖啡", "Kopi KaFei"),
        ("قهوة", "qhwh"),
        ("Teh ☕", "Teh :coffee:"),
        ("Tab\tdan\nbaris", "Tab dan baris"),
        ("\u200b", "?"),
        ("", "?"),
    ],
)
def test_printable(name: str, expected: str) -> None:
    assert printable(name) == expected


def test_cash_rounding_is_its_own_line_before_the_total() -> None:
    rounded = sale(total=255_000, rounding=-500, payments=(
        PaymentView("tunai", 255_000, 300_000, 45_000, None),
    ))  # fmt: skip
    rows = render_text(rounded, HEADER, 32).splitlines()
    at = rows.index("Pembulatan                  -500")
    assert rows[at + 1] == "TOTAL                 Rp 255.000"
    assert "Kembali                Rp 45.000" in rows
    assert not any("Pembulatan" in row for row in render_text(sale(), HEADER, 32).splitlines())
