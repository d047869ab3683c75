"""The receipt: one layout (rows with alignment and style) and its text renderer (the preview).

`layout(doc)` turns a sale, refund or voided sale into `Row`s; `preview_text(doc)` is the paper as
text; `kasir.output.escpos` makes the printer's bytes of the same rows. Widths are in characters:
32 for 58 mm paper, 42 or 48 for 80 mm (any 24..64 works).

Row text is plain printable ASCII: every name is transliterated (`printable`, anyascii) *before* it
is fitted, so a row's length is its width on paper, nothing overflows, and the preview and the
printer show the same characters whatever the printer's code page.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from anyascii import anyascii

from kasir.domain.measure import format_quantity, is_measured, line_gross
from kasir.domain.payment import METHOD_LABELS
from kasir.errors import ValidationError
from kasir.money import format_number, format_rupiah
from kasir.services.sale_lookup import SaleLineView, SaleView
from kasir.timeutil import local

MIN_WIDTH, MAX_WIDTH = 24, 64
WIDTHS = (32, 42, 48)  # 58 mm (Font A), 80 mm (42 on TM-m30II-like, 48 on TM-T82/TM-T20)


@dataclass(frozen=True)
class ReceiptHeader:
    store_name: str
    store_address: str
    footer: str


@dataclass(frozen=True)
class ReceiptDoc:
    """What one receipt prints: the document, the store's header and footer, the paper width,
    and which copy (0: the original; n >= 1: the n-th reprint, marked SALINAN)."""

    sale: SaleView
    header: ReceiptHeader
    width: int = 32
    copy_no: int = 0

    def __post_init__(self) -> None:
        check_width(self.width)
        if isinstance(self.copy_no, bool) or not isinstance(self.copy_no, int) or self.copy_no < 0:
            raise ValidationError(f"Nomor salinan harus 0 atau lebih, bukan {self.copy_no!r}.")


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class RowKind(StrEnum):
    TEXT = "text"
    RULE = "rule"  # a line of dashes across the paper
    QR = "qr"  # text is the QR code's content
    CUT = "cut"  # cut the paper (the feed before it is a FEED row)
    FEED = "feed"  # feed the paper past the cutter


@dataclass(frozen=True)
class Row:
    """One printed line. `text` is already fitted: at most the width, or width // 2 when
    `double` (double height and width). `tall` is double height at normal width (the total:
    bold and big, and still a whole line wide)."""

    text: str = ""
    align: Align = Align.LEFT
    bold: bool = False
    double: bool = False
    kind: RowKind = RowKind.TEXT
    tall: bool = False


def check_width(width: int) -> int:
    if isinstance(width, bool) or not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValidationError(
            f"Lebar struk harus {MIN_WIDTH} sampai {MAX_WIDTH} kolom (58 mm: 32; 80 mm: 42 atau "
            f"48), bukan {width!r}."
        )
    return width


def row_limit(row: Row, width: int) -> int:
    """How many characters `row` may hold on paper `width` columns wide."""
    return width // 2 if row.double else width


# --- text the paper can show ----------------------------------------------------------------

# Receipt symbols anyascii reads otherwise ("×" is "*" there; on a receipt it is the "x" of
# "2 x 95.000").
_SYMBOLS = str.maketrans({"×": "x", "–": "-", "—": "-", "−": "-", "\u00a0": " "})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """One line of plain printable ASCII for any Unicode text: accents dropped, other scripts
    and symbols transliterated (anyascii: "Kopi 咖啡" -> "Kopi KaFei", "½" -> "1/2"), control
    characters made spaces. "?" when nothing printable is left."""
    if not (text.isascii() and text.isprintable()):
        text = anyascii(unicodedata.normalize("NFC", text).translate(_SYMBOLS))
        text = _CONTROL.sub(" ", text)
    return text if text.strip() else "?"


def wrap(text: str, limit: int) -> list[str]:
    """`text` (printable) in lines of at most `limit` characters; a word longer than a line
    starts a line of its own and is cut there."""
    out: list[str] = []
    for line in textwrap.wrap(text, limit, break_long_words=False, break_on_hyphens=False):
        out += [line[i : i + limit] for i in range(0, len(line), limit)]
    return out or [""]


def fit_lr(left: str, right: str, width: int) -> list[str]:
    """`left` and `right` on one line of `width` (right-aligned amount), or, when they do not
    fit together, `left` wrapped (keeping its indent) and `right` right-aligned below it."""
    if len(left) + 1 + len(right) <= width:
        return [left + " " * (width - len(left) - len(right)) + right]
    indent = left[: len(left) - len(left.lstrip())][: width // 2]
    rows = textwrap.wrap(left, width, initial_indent="", subsequent_indent=indent) if left else []
    rows = [row for row in rows if row.strip()]
    return rows + [part.rjust(width) for part in wrap(right, width)]


def item_rows(line: SaleLineView, width: int, sign: int = 1) -> list[str]:
    """One line of the document: its name, quantity x price and amount, and the line's own
    discount (the order discount is a line of the totals). `sign` -1 shows a refund's
    negative quantities and amounts as the positive ones the customer returns."""
    rows = wrap(printable(line.name), width)
    qty = sign * line.qty
    amount = format_number(line_gross(qty, line.unit_price, line.qty_scale))
    per = f"/{line.unit}" if is_measured(line.unit) else ""  # "1,3 kg x 25.000/kg"
    text = f"{format_quantity(qty, line.unit, line.qty_scale)} x {format_number(line.unit_price)}"
    rows += fit_lr(f"  {printable(text + per)}", amount, width)
    if line.line_discount:
        rows += fit_lr("  Diskon", f"-{format_number(abs(line.line_discount))}", width)
    return rows


def quantity_text(qty: int, unit_price: int) -> str:
    """``2 x 95.000``: the quantity and the unit price of a line."""
    return f"{qty} x {format_number(unit_price)}"


def percent_text(pct: Decimal) -> str:
    """``15%``, ``12,5%`` (decimal comma)."""
    return f"{pct.normalize():f}".replace(".", ",") + "%"


def order_discount_label(sale: SaleView) -> str:
    """ "Diskon transaksi", with its percentage when the document says the cashier gave one
    (a SaleView field `order_discount_percent`, a Decimal, when the store keeps it)."""
    pct = getattr(sale, "order_discount_percent", None)
    if isinstance(pct, Decimal | int) and not isinstance(pct, bool) and pct > 0:
        return f"Diskon transaksi {percent_text(Decimal(pct))}"
    return "Diskon transaksi"


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
        rows.append((order_discount_label(sale), f"-{format_number(order_discount)}"))
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
        label = printable(METHOD_LABELS.get(p.method, p.method))
        if sale.kind == "refund":
            label = f"  {label}"  # how the amount handed back (the row above) is paid
        out += fit_lr(label, format_number(sign * p.tendered), width)
        if p.reference:
            out += wrap(f"  Ref: {printable(p.reference)}", width)
    if sale.change:
        out += fit_lr("Kembali", format_rupiah(sale.change), width)
    if sale.tax_total:
        out += fit_lr("Termasuk pajak", format_number(sign * sale.tax_total), width)
    return out


# --- the layout ---------------------------------------------------------------------------------


class _Rows:
    """Rows being laid out at one width; every text is fitted as it is added."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[Row] = []

    def text(
        self, text: str, align: Align = Align.LEFT, *, bold: bool = False, double: bool = False
    ) -> None:
        """`text` (any Unicode; paragraphs on several lines) made printable and wrapped to
        the row's limit; nothing for a blank text."""
        if not text.strip():
            return
        limit = self.width // 2 if double else self.width
        for paragraph in text.strip("\n").split("\n"):
            shown = printable(paragraph) if paragraph.strip() else ""
            for part in wrap(shown, limit):
                self.rows.append(Row(part, align, bold=bold, double=double))

    def lines(self, lines: Sequence[str], *, bold: bool = False, tall: bool = False) -> None:
        """Lines already fitted to the width (amount rows)."""
        self.rows += [Row(line, bold=bold, tall=tall) for line in lines]

    def mark(self, words: str, *, double: bool = False) -> None:
        """A bold centred "*** WORDS ***", or the bare words where the stars do not fit."""
        limit = self.width // 2 if double else self.width
        starred = f"*** {words} ***"
        self.text(
            starred if len(starred) <= limit else words, Align.CENTER, bold=True, double=double
        )

    def rule(self) -> None:
        self.rows.append(Row("-" * self.width, kind=RowKind.RULE))

    def end(self, qr: str) -> None:
        self.rows.append(Row())
        if qr:
            self.rows.append(Row(qr, Align.CENTER, kind=RowKind.QR))
        self.rows.append(Row(kind=RowKind.FEED))
        self.rows.append(Row(kind=RowKind.CUT))


def layout(doc: ReceiptDoc) -> tuple[Row, ...]:
    """The rows of a receipt, top to bottom (see the module docstring for the rules)."""
    sale, header, width = doc.sale, doc.header, doc.width
    out = _Rows(width)
    out.text(header.store_name, Align.CENTER, bold=True, double=True)
    out.text(header.store_address, Align.CENTER)
    out.rule()
    refund = sale.kind == "refund"
    if refund:
        out.mark("REFUND / RETUR")
        out.text(f"Atas struk: {sale.original_receipt or '-'}")
    if sale.status == "voided":
        out.mark("DIBATALKAN (VOID)")
        if sale.void_reason:
            out.text(f"Alasan batal: {sale.void_reason}")
    if doc.copy_no:
        out.mark("SALINAN", double=True)
        out.text(f"Cetak ulang ke-{doc.copy_no}", Align.CENTER)
    out.text(f"No : {sale.receipt_number}")
    out.text(f"Tgl: {local(sale.created_at):%d-%m-%Y %H:%M}  Meja {sale.counter_code}")
    out.text(f"Kasir: {sale.cashier_name}")
    if refund and sale.reason:
        out.text(f"Alasan: {sale.reason}")
    out.rule()
    if refund:
        out.text("Barang dikembalikan:")
    for line in sale.lines:
        out.lines(item_rows(line, width, -1 if refund else 1))
    out.rule()
    *sums, (last, amount) = total_rows(sale)
    for label, value in sums:
        out.lines(fit_lr(label, value, width))
    out.lines(fit_lr(last, amount, width), bold=True, tall=True)
    out.lines(payment_rows(sale, width))
    out.rule()
    out.text(header.footer, Align.CENTER)
    out.end(printable(sale.receipt_number))
    return tuple(out.rows)


# --- the text renderer --------------------------------------------------------------------------


def scissors(width: int) -> str:
    """The cut, as the preview shows it: ``- - - 8< - - -`` across the paper."""
    dashes = ["-"] * ((width - 2) // 4)
    return " ".join([*dashes, "8<", *dashes]).center(width).rstrip()


def qr_text(content: str, width: int) -> list[str]:
    """Where the QR code is printed: ``[QR K01-20261122-0007]`` centred, or a small block."""
    label = f"[QR {content}]"
    if len(label) <= width:
        return [label.center(width).rstrip()]
    return [line.center(width).rstrip() for line in ["[QR]", *wrap(content, width)]]


def row_text(row: Row, width: int) -> list[str]:
    """The preview lines of one row (a double row is shown at single width, in its place)."""
    if row.kind == RowKind.QR:
        return qr_text(printable(row.text), width)
    if row.kind == RowKind.CUT:
        return [scissors(width)]
    if row.kind == RowKind.FEED:
        return [""]
    text = row.text[: row_limit(row, width)]
    if row.align == Align.CENTER:
        return [text.center(width).rstrip()]
    if row.align == Align.RIGHT:
        return [text.rjust(width)]
    return [text.rstrip()]


def rows_text(rows: Sequence[Row], width: int) -> str:
    """Rows as the paper shows them, one line per printed line (never wider than `width`)."""
    out: list[str] = []
    for row in rows:
        out += row_text(row, width)
    return "\n".join(out) + "\n"


def preview_text(doc: ReceiptDoc) -> str:
    """The receipt as text, as the paper will look at `doc.width` columns."""
    return rows_text(layout(doc), doc.width)


def render_text(
    sale: SaleView, header: ReceiptHeader, width: int = 32, copy: bool | int = False
) -> str:
    """`preview_text` of a receipt (`copy`: True or n for the n-th reprint)."""
    return preview_text(ReceiptDoc(sale, header, width, int(copy)))
