"""Plain-text receipt layout (the preview; ESC/POS printing builds on the same lines).

Widths are in characters: 32 for 58 mm paper, 42 or 48 for 80 mm.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass

from kasir.domain.measure import format_quantity, is_measured, line_gross
from kasir.domain.payment import METHOD_LABELS
from kasir.money import format_number, format_rupiah
from kasir.services.sale_lookup import SaleLineView, SaleView
from kasir.timeutil import local


@dataclass(frozen=True)
class ReceiptHeader:
    store_name: str
    store_address: str
    footer: str


def printable(text: str) -> str:
    """Plain Latin text for any Unicode name: accents dropped, other symbols made ASCII."""
    replaced = text.replace("–", "-").replace("—", "-").replace("½", "1/2").replace("×", "x")
    decomposed = unicodedata.normalize("NFKD", replaced)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return ascii_text if ascii_text.strip() else "?"


def _lr(left: str, right: str, width: int) -> str:
    space = max(1, width - len(left) - len(right))
    return f"{left}{' ' * space}{right}"[: max(width, len(left) + 1 + len(right))]


def item_rows(line: SaleLineView, width: int, sign: int = 1) -> list[str]:
    """One line of the document: its name, quantity x price and amount, and the line's own
    discount (the order discount is a line of the totals). `sign` -1 shows a refund's
    negative quantities and amounts as the positive ones the customer returns."""
    rows = textwrap.wrap(printable(line.name), width) or ["?"]
    qty = sign * line.qty
    amount = format_number(line_gross(qty, line.unit_price, line.qty_scale))
    per = f"/{line.unit}" if is_measured(line.unit) else ""  # "1,3 kg x 25.000/kg"
    text = f"{format_quantity(qty, line.unit, line.qty_scale)} x {format_number(line.unit_price)}"
    rows.append(_lr(f"  {text}{per}", amount, width))
    if line.line_discount:
        rows.append(_lr("  Diskon", f"-{format_number(abs(line.line_discount))}", width))
    return rows


def quantity_text(qty: int, unit_price: int) -> str:
    """``2 x 95.000``: the quantity and the unit price of a line."""
    return f"{qty} x {format_number(unit_price)}"


def total_rows(sale: SaleView) -> list[tuple[str, str]]:
    """The totals block as (label, amount) rows, amounts as the customer reads them: a
    refund's are positive, discounts are shown with a minus, the last row is what is paid
    (TOTAL) or handed back (Dikembalikan)."""
    sign = -1 if sale.kind == "refund" else 1
    rows = [("Subtotal", format_number(sign * sale.subtotal))]
    line_discount = sign * sale.line_discount_total
    order_discount = sign * sale.order_discount
    if line_discount:
        rows.append(("Diskon barang", f"-{format_number(line_discount)}"))
    if order_discount:
        rows.append(("Diskon transaksi", f"-{format_number(order_discount)}"))
    rounding = sign * sale.rounding
    if rounding:  # cash rounding, its own line (in the total, credited to no UPT)
        rows.append(("Pembulatan", f"{'+' if rounding > 0 else '-'}{format_number(abs(rounding))}"))
    if sale.kind == "refund":
        rows.append(("Dikembalikan", format_rupiah(-sale.total)))
    else:
        rows.append(("TOTAL", format_rupiah(sale.total)))
    return rows


def payment_rows(sale: SaleView, width: int) -> list[str]:
    """How it was paid (tendered per method, change), or how a refund is paid back."""
    out: list[str] = []
    sign = -1 if sale.kind == "refund" else 1
    for p in sale.payments:
        label = METHOD_LABELS.get(p.method, p.method)
        if sale.kind == "refund":
            label = f"  {label}"  # how the amount handed back (the row above) is paid
        out.append(_lr(label, format_number(sign * p.tendered), width))
        if p.reference:
            out.append(f"  Ref: {printable(p.reference)}")
    if sale.change:
        out.append(_lr("Kembali", format_rupiah(sale.change), width))
    if sale.tax_total:
        out.append(_lr("Termasuk pajak", format_number(sign * sale.tax_total), width))
    return out


def render_text(sale: SaleView, header: ReceiptHeader, width: int = 32, copy: bool = False) -> str:
    rule = "-" * width
    out: list[str] = []
    for text in (header.store_name, header.store_address):
        out.extend(line.center(width).rstrip() for line in textwrap.wrap(printable(text), width))
    out.append(rule)
    refund = sale.kind == "refund"
    if refund:
        out.append("*** REFUND / RETUR ***".center(width).rstrip())
        out.append(f"Atas struk: {sale.original_receipt}")
    if sale.status == "voided":
        out.append("*** DIBATALKAN (VOID) ***".center(width).rstrip())
    if copy:
        out.append("*** SALINAN ***".center(width).rstrip())
    out.append(f"No : {sale.receipt_number}")
    out.append(f"Tgl: {local(sale.created_at):%d-%m-%Y %H:%M}  Meja {sale.counter_code}")
    out.append(f"Kasir: {printable(sale.cashier_name)}")
    if refund and sale.reason:
        out.extend(textwrap.wrap(f"Alasan: {printable(sale.reason)}", width))
    out.append(rule)
    if refund:
        out.append("Barang dikembalikan:")
    for line in sale.lines:
        out.extend(item_rows(line, width, -1 if refund else 1))
    out.append(rule)
    out.extend(_lr(label, amount, width) for label, amount in total_rows(sale))
    out.extend(payment_rows(sale, width))
    out.append(rule)
    out.extend(
        line.center(width).rstrip() for line in textwrap.wrap(printable(header.footer), width)
    )
    return "\n".join(out) + "\n"
