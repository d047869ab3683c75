"""Receipts that read right: the order discount is its own line, and a refund receipt shows
positive amounts under a REFUND header with what is handed back (no double negatives)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kasir.output.receipt import ReceiptHeader, render_text
from kasir.services.sale_lookup import PaymentView, SaleLineView, SaleView

HEADER = ReceiptHeader("Kawasan UMKM", "Tangerang", "Terima kasih")


def line(no: int, name: str, qty: int, price: int, discount: int, share: int) -> SaleLineView:
    return SaleLineView(
        line_no=no, product_id=no, sku=f"KUL-{no:04d}", barcode=None, name=name,
        upt_code="LPP-TGR", category="kuliner", qty=qty, unit_price=price, list_price=price,
        line_discount=discount, order_discount_share=share,
        line_total=qty * price - discount - share, original_line_id=None,
    )  # fmt: skip


def document(**changes: object) -> SaleView:
    """A sale of 3 x 15.000 and 1 x 12.000 with a line discount of 2.000 and an order
    discount of 8.663: 57.000 - 2.000 - 8.663 = 46.337, paid 50.000 cash."""
    lines = (
        line(1, "Tas Jeans Handmade", 3, 15_000, 0, 6_837),
        line(2, "Keripik Bawang", 1, 12_000, 2_000, 1_826),
    )
    base = dict(
        id=1, uuid="u", receipt_number="K01-20261122-0007", kind="sale", status="completed",
        counter_code="K01", cashier_name="Siti Rahmawati", business_date=dt.date(2026, 11, 22),
        created_at=dt.datetime(2026, 11, 22, 3, 5, tzinfo=dt.UTC), original_receipt=None,
        subtotal=57_000, line_discount_total=2_000, order_discount=8_663, tax_total=0,
        total=46_337, lines=lines,
        payments=(PaymentView("tunai", 46_337, 50_000, 3_663, None),),
        reason=None, void_reason=None,
    )  # fmt: skip
    base.update(changes)
    return SaleView(**base)  # type: ignore[arg-type]


def refund() -> SaleView:
    """The 3 bags back: 45.000 less their share of the order discount, 36.337 by cash...
    (shares as stored: negative on a refund document)."""
    bags = dataclasses.replace(
        line(1, "Tas Jeans Handmade", -3, 15_000, 0, -8_663), line_total=-36_337
    )
    return document(
        receipt_number="K01-20261122-0009", kind="refund", original_receipt="K01-20261122-0007",
        subtotal=-45_000, line_discount_total=0, order_discount=-8_663, total=-36_337,
        lines=(bags,), payments=(PaymentView("tunai", -36_337, -36_337, 0, None),),
        reason="jahitan lepas",
    )  # fmt: skip


def body(text: str) -> str:
    """The receipt between the header and the footer (its lines and totals): from the first
    rule to the last (the footer, the QR code and the cut come after it)."""
    rows = text.splitlines()
    last = len(rows) - 1 - rows[::-1].index("-" * 32)
    return "\n".join(rows[rows.index("-" * 32) + 1 : last])


def test_the_order_discount_is_its_own_line() -> None:
    assert body(render_text(document(), HEADER, 32)) == (
        "No : K01-20261122-0007\n"
        "Tgl: 22-11-2026 10:05  Meja K01\n"
        "Kasir: Siti Rahmawati\n"
        "--------------------------------\n"
        "Tas Jeans Handmade\n"
        "  3 x 15.000              45.000\n"
        "Keripik Bawang\n"
        "  1 x 12.000              12.000\n"
        "  Diskon                  -2.000\n"
        "--------------------------------\n"
        "Subtotal                  57.000\n"
        "Diskon barang             -2.000\n"
        "Diskon transaksi          -8.663\n"
        "TOTAL                  Rp 46.337\n"
        "Tunai                     50.000\n"
        "Kembali                 Rp 3.663"
    )


def test_a_refund_reads_as_a_customer_expects() -> None:
    """A REFUND header, positive amounts, the order discount as less money back, and what is
    handed back: no "Diskon -8.663" under a negative subtotal."""
    assert body(render_text(refund(), HEADER, 32)) == (
        "     *** REFUND / RETUR ***\n"
        "Atas struk: K01-20261122-0007\n"
        "No : K01-20261122-0009\n"
        "Tgl: 22-11-2026 10:05  Meja K01\n"
        "Kasir: Siti Rahmawati\n"
        "Alasan: jahitan lepas\n"
        "--------------------------------\n"
        "Barang dikembalikan:\n"
        "Tas Jeans Handmade\n"
        "  3 x 15.000              45.000\n"
        "--------------------------------\n"
        "Subtotal                  45.000\n"
        "Diskon transaksi          -8.663\n"
        "Dikembalikan           Rp 36.337\n"
        "  Tunai                   36.337"
    )


@pytest.mark.parametrize("width", [32, 42, 48])
def test_a_refund_has_no_negative_amount_at_any_width(width: int) -> None:
    text = render_text(refund(), HEADER, width)
    for row in text.splitlines():
        assert len(row) <= width, row
    assert "-36.337" not in text and "-45.000" not in text and "TOTAL" not in text
    assert "Rp -" not in text and "--8" not in text
    rows = text.splitlines()
    assert "Dikembalikan".ljust(width - len("Rp 36.337")) + "Rp 36.337" in rows
