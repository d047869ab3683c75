"""Plain-text receipt layout (the preview; ESC/POS printing builds on the same lines).

Widths are in characters: 32 for 58 mm paper, 42 or 48 for 80 mm.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass

from kasir.domain.measure import is_measured
from kasir.domain.payment import METHOD_LABELS
from kasir.money import format_number, format_rupiah
from kasir.services.sale_lookup import SaleView
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


def render_text(sale: SaleView, header: ReceiptHeader, width: int = 32, copy: bool = False) -> str:
    rule = "-" * width
    out: list[str] = []
    for text in (header.store_name, header.store_address):
        out.extend(line.center(width).rstrip() for line in textwrap.wrap(printable(text), width))
    out.append(rule)
    if sale.kind == "refund":
        out.append("*** RETUR / PENGEMBALIAN ***".center(width).rstrip())
        out.append(f"Atas struk: {sale.original_receipt}")
    if sale.status == "voided":
        out.append("*** DIBATALKAN (VOID) ***".center(width).rstrip())
    if copy:
        out.append("*** SALINAN ***".center(width).rstrip())
    out.append(f"No : {sale.receipt_number}")
    out.append(f"Tgl: {local(sale.created_at):%d-%m-%Y %H:%M}  Meja {sale.counter_code}")
    out.append(f"Kasir: {printable(sale.cashier_name)}")
    out.append(rule)
    for line in sale.lines:
        out.extend(textwrap.wrap(printable(line.name), width) or ["?"])
        per = f"/{line.unit}" if is_measured(line.unit) else ""  # "1,3 kg x 25.000/kg"
        qty_price = f"  {line.qty_text} x {format_number(line.unit_price)}{per}"
        out.append(_lr(qty_price, format_number(line.gross), width))
        discount = line.line_discount + line.order_discount_share
        if discount:
            out.append(_lr("  Diskon", f"-{format_number(abs(discount))}", width))
    out.append(rule)
    out.append(_lr("Subtotal", format_number(sale.subtotal), width))
    if sale.line_discount_total or sale.order_discount:
        out.append(
            _lr(
                "Diskon",
                f"-{format_number(abs(sale.line_discount_total + sale.order_discount))}",
                width,
            )
        )
    if sale.rounding:  # cash rounding, its own line (in the total, credited to no UPT)
        sign = "+" if sale.rounding > 0 else "-"
        out.append(_lr("Pembulatan", f"{sign}{format_number(abs(sale.rounding))}", width))
    out.append(_lr("TOTAL", format_rupiah(sale.total), width))
    for p in sale.payments:
        label = METHOD_LABELS.get(p.method, p.method)
        out.append(_lr(label, format_number(p.tendered), width))
        if p.reference:
            out.append(f"  Ref: {printable(p.reference)}")
    if sale.change:
        out.append(_lr("Kembali", format_rupiah(sale.change), width))
    if sale.tax_total:
        out.append(_lr("Termasuk pajak", format_number(sale.tax_total), width))
    out.append(rule)
    out.extend(
        line.center(width).rstrip() for line in textwrap.wrap(printable(header.footer), width)
    )
    return "\n".join(out) + "\n"
