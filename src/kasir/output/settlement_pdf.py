"""The daily PNBP settlement as an A4 PDF (Laporan Penerimaan Harian, DESIGN §3, issue 19).

`render_settlement(figures, out)` lays out a `DayFigures` (the service sums, this only
formats): header, summary with the total in words, payment methods, per UPT with its
allocation and a bar chart, categories, products, voids and refunds, cancelled carts, cash per
shift, deposit data, signatures and an annex of every receipt. An open day (no number) carries
a large DRAFT mark on every page; "Halaman X dari Y" on every page (the canvas keeps the pages
until it knows how many there are).

Speed: a day of 5,000 sales has 5,000 receipt rows and thousands of product rows. A long table
is laid out a page at a time (`_Rows`: a plain Table of the rows that fit where it lands, the
header on each page; platypus never splits a big table), with fixed column widths and row
heights; cells are plain strings (cut to their column's width here, not wrapped by platypus)
and every table of a section shares one style: platypus then does no measuring of its own.

Deterministic: invariant mode, the PDF's dates taken from the figures; the same figures give
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from anyascii import anyascii
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from kasir.domain.settlement import DayFigures, Scheme, ShiftCashRow, Signatory
from kasir.errors import EnvironmentProblem, environment_problem
from kasir.files import replace_files
from kasir.money import format_number, format_rupiah, terbilang
from kasir.timeutil import JAKARTA, local

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN_X
ROW_H = 11.0  # points, every row of a data table
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
PAGE_ROWS = int(FRAME_H // ROW_H) - 1  # the rows under a header that fill a page
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
SIZE = 7.5

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
METHOD_NAMES = {
    "tunai": "Tunai",
    "qris": "QRIS",
    "debit": "Kartu debit",
    "kredit": "Kartu kredit",
    "transfer": "Transfer bank",
}
KIND_NAMES = {"void": "Pembatalan", "refund": "Retur"}
MOVE_NAMES = {"in": "Kas masuk", "out": "Kas keluar", "drop": "Setor brankas"}
RECEIPT_KINDS = {"sale": "Penjualan", "refund": "Retur"}
RECEIPT_STATUS = {"completed": "selesai", "voided": "batal"}
DRAFT_LINE = "DRAFT \u2013 hari belum ditutup"

SIGNATORY_TITLES = ("Kasir/Pembuat", "Bendahara Penerimaan", "Mengetahui, Kepala")
"""The blocks printed, names left blank, when the figures carry no signatories."""

Progress = Callable[[int, int], None]


class SettlementWriteFailed(EnvironmentProblem):
    """The settlement PDF could not be written (folder missing or read-only, disk full)."""


# ---------------------------------------------------------------------------------------------
# Words and numbers


def indonesian_date(day: dt.date) -> str:
    """``"Minggu, 6 Desember 2026"``."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def _time(at: dt.datetime) -> str:
    """The time of day in Asia/Jakarta (the store keeps UTC)."""
    return local(at).strftime("%H:%M")


def _stamp(at: dt.datetime) -> str:
    at = local(at)
    return f"{at.day} {MONTHS[at.month - 1]} {at.year} {at:%H:%M}"


def _rp(amount: int) -> str:
    return format_rupiah(amount)


def _pct(value: Any) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return text.replace(".", ",")


def scheme_text(scheme: Scheme) -> str:
    """``"15/35/50 B*"``: PNBP/premi/pembinaan percent, B net sales or M margin, * own."""
    base = "M" if scheme.base == "margin" else "B"
    own = "*" if scheme.source == "upt" else ""
    return (
        f"{_pct(scheme.pnbp_pct)}/{_pct(scheme.premi_pct)}/{_pct(scheme.pembinaan_pct)} {base}{own}"
    )


def _qty(qty: int, scale: int, unit: str) -> str:
    if scale == 1:
        return f"{format_number(qty)} {unit}"
    whole, part = divmod(abs(qty), scale)
    digits = len(str(scale)) - 1
    sign = "-" if qty < 0 else ""
    return f"{sign}{format_number(whole)},{part:0{digits}d} {unit}"


def pdf_text(text: str) -> str:
    """`text` in what the built-in Helvetica can show (WinAnsi, cp1252): anything else
    transliterated (anyascii: "咖啡" -> "KaFei"), never a box or a crash."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(anyascii(ch))
    return "".join(out)


_fit_cache: dict[tuple[str, float, float], str] = {}


def _fit(text: str, width: float, size: float = SIZE, font: str = FONT) -> str:
    """`text` cut (with an ellipsis) to fit `width` points: table cells do not wrap."""
    text = pdf_text(text)
    if len(text) * size * 0.42 < width:  # surely fits (Helvetica's narrowest are wider)
        return text
    key = (text, width, size)
    hit = _fit_cache.get(key)
    if hit is not None:
        return hit
    fitted = text
    if stringWidth(text, font, size) > width:
        while fitted and stringWidth(fitted + "\u2026", font, size) > width:
            fitted = fitted[:-1]
        fitted = fitted.rstrip() + "\u2026"
    if len(_fit_cache) < 20_000:
        _fit_cache[key] = fitted
    return fitted


# ---------------------------------------------------------------------------------------------
# Styles and tables

_BASE = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11)
_TITLE = ParagraphStyle("title", _BASE, fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER)
_HEAD = ParagraphStyle("head", _BASE, fontName=BOLD, fontSize=10, leading=13, alignment=TA_CENTER)
_CENTER = ParagraphStyle("center", _BASE, alignment=TA_CENTER)
_H2 = ParagraphStyle(
    "h2", _BASE, fontName=BOLD, fontSize=10, leading=13, spaceBefore=8, spaceAfter=3
)
_NOTE = ParagraphStyle("note", _BASE, fontSize=7, leading=9, textColor=colors.HexColor("#444444"))
_DRAFT_P = ParagraphStyle(
    "draft", _HEAD, textColor=colors.HexColor("#b00020"), fontSize=11, leading=14
)


def _esc(text: str) -> str:
    return pdf_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Columns:
    """One table layout: widths (fractions of the page width), right-aligned columns; the
    style made once and shared by every chunk."""

    def __init__(
        self,
        titles: Sequence[str],
        widths: Sequence[float],
        right: Sequence[int],
        size: float = SIZE,
    ):
        total = sum(widths)
        self.size = size
        self.titles = list(titles)
        self.widths = [WIDTH * w / total for w in widths]
        self.right = set(right)
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), FONT, size),
            ("FONT", (0, 0), (-1, 0), BOLD, size),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ]
        commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in sorted(self.right)]
        self.style = TableStyle(commands)
        self.total_style = TableStyle(
            [
                *commands,
                ("FONT", (0, -1), (-1, -1), BOLD, size),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
        self.room = [w - 5 for w in self.widths]  # less the padding
        self.header = [_fit(t, r, size, BOLD) for t, r in zip(self.titles, self.room, strict=True)]

    def row(self, cells: Sequence[str]) -> list[str]:
        size = self.size
        return [_fit(c, r, size) for c, r in zip(cells, self.room, strict=True)]

    def table(self, rows: Sequence[Sequence[str]], last: bool) -> Table:
        return Table(
            [self.header, *rows],
            colWidths=self.widths,
            rowHeights=ROW_H,
            style=self.total_style if last else self.style,
            hAlign="LEFT",
        )

    def tables(
        self, rows: Sequence[Sequence[str]], total: Sequence[str] | None = None
    ) -> list[Flowable]:
        """The rows (and `total` as a bold last row) as tables of one page each, the header on
        every page."""
        body = [self.row(r) for r in rows]
        if total is not None:
            body.append(self.row(total))
        if not body:
            return [Paragraph("<i>Tidak ada.</i>", _NOTE)]
        return [_Rows(self, body, total is not None)]


class _Rows(Flowable):
    """Rows of one layout laid out a page at a time: when the frame has room for only part of
    them, a plain Table of exactly the rows that fit is made (with the header), the rest waits
    for the next page. So a page has one header, platypus never splits a big table, and no
    table is made before it is placed."""

    MIN_ROWS = 3  # fewer under a header at a page's foot: start on the next page

    def __init__(self, cols: _Columns, body: list[list[str]], total: bool, start: int = 0):
        super().__init__()
        self.cols = cols
        self.body = body
        self.total = total
        self.start = start
        self.width = sum(cols.widths)
        self.height = (len(body) - start + 1) * ROW_H

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        left = len(self.body) - self.start
        fit = int(ah // ROW_H) - 1
        if fit >= left:
            return [self]
        if self.total and left - fit == 1:
            fit -= 1  # the total row not alone on a page: a row goes with it
        if fit < min(self.MIN_ROWS, left):
            return []
        end = self.start + fit
        piece = self.cols.table(self.body[self.start : end], last=False)
        piece.kasir_rows = fit  # for the progress
        return [piece, _Rows(self.cols, self.body, self.total, end)]

    def draw(self) -> None:
        table = self.cols.table(self.body[self.start :], last=self.total)
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)

    @property
    def kasir_rows(self) -> int:
        """The rows still to place (the progress counts rows)."""
        return len(self.body) - self.start


def _pairs(rows: Sequence[tuple[str, str]], key_w: float = 0.45) -> Table:
    """A two-column key/value block (summary, deposit)."""
    data = [[k, v] for k, v in rows]
    table = Table(
        data,
        colWidths=[WIDTH * key_w, WIDTH * (1 - key_w)],
        rowHeights=12,
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("FONT", (1, 0), (1, -1), BOLD, 8.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        ),
        hAlign="LEFT",
    )
    return table


# ---------------------------------------------------------------------------------------------
# Pages: numbers and the DRAFT mark

# The mark's letters as strokes on a 60 x 100 grid: drawn as lines, not text, so that a text
# reader (pdftotext) does not mix its letters into the figures; the word DRAFT is in the
# footer's text on every page.
_LETTERS: tuple[tuple[tuple[tuple[float, float], ...], ...], ...] = (
    (((0, 0), (0, 100), (28, 100), (50, 88), (60, 65), (60, 35), (50, 12), (28, 0), (0, 0)),),
    (
        ((0, 0), (0, 100), (38, 100), (54, 92), (60, 76), (54, 58), (38, 50), (0, 50)),
        ((30, 50), (60, 0)),
    ),
    (((0, 0), (30, 100), (60, 0)), ((11, 36), (49, 36))),
    (((0, 0), (0, 100), (58, 100)), ((0, 52), (44, 52))),
    (((0, 100), (60, 100)), ((30, 100), (30, 0))),
)


def _draft_mark(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.Color(0.8, 0.1, 0.1, alpha=0.24))
    canvas.setLineWidth(14)
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    scale = 1.45
    width = (5 * 88 - 28) * scale
    canvas.translate(PAGE_W / 2, PAGE_H / 2)
    canvas.rotate(55)
    canvas.translate(-width / 2, -50 * scale)
    canvas.scale(scale, scale)
    for i, strokes in enumerate(_LETTERS):
        path = canvas.beginPath()  # one path a letter: its crossings not darker
        for points in strokes:
            path.moveTo(i * 88 + points[0][0], points[0][1])
            for x, y in points[1:]:
                path.lineTo(i * 88 + x, y)
        canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


def _pdf_time(figures: DayFigures) -> dt.datetime:
    """When the figures were fixed: the day's close, or for a draft the business day's start
    (Asia/Jakarta, UTC+7)."""
    if figures.closed_at is not None:
        return local(figures.closed_at)
    return dt.datetime.combine(figures.day, dt.time(0), JAKARTA)


def _canvas_class(figures: DayFigures) -> type[Canvas]:
    footer_left = f"Laporan Penerimaan Harian PNBP \u00b7 {indonesian_date(figures.day)}"
    footer_left += f" \u00b7 {pdf_text(figures.number)}" if figures.number else " \u00b7 DRAFT"
    draft = figures.draft
    stamp = _pdf_time(figures)

    class SettlementCanvas(Canvas):
        """Keeps each page until the end, then writes "Halaman X dari Y" and the DRAFT mark."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            # The PDF's creation date from the figures, not the clock (invariant mode would
            # write 2000-01-01): the same figures, the same bytes.
            ts = self._doc._timeStamp
            ts.YMDhms = stamp.timetuple()[:6]
            offset = stamp.utcoffset() or dt.timedelta(0)
            minutes = int(offset.total_seconds()) // 60
            ts.dhh, ts.dmm = int(minutes / 60), abs(minutes) % 60

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._decorate(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _decorate(self, number: int, total: int) -> None:
            self.saveState()
            if draft:
                _draft_mark(self)
            self.setFillColor(colors.black)
            self.setFont(FONT, 7)
            self.setStrokeColor(colors.grey)
            self.setLineWidth(0.4)
            y = MARGIN_BOTTOM - 8 * mm
            self.line(MARGIN_X, y + 9, PAGE_W - MARGIN_X, y + 9)
            self.drawString(MARGIN_X, y, footer_left)
            self.drawRightString(PAGE_W - MARGIN_X, y, f"Halaman {number} dari {total}")
            self.restoreState()

    return SettlementCanvas


# ---------------------------------------------------------------------------------------------
# Sections


def _header(f: DayFigures) -> list[Flowable]:
    h = f.header
    lines = [(h.ministry.upper(), _HEAD), (h.directorate.upper(), _HEAD)]
    lines += [(h.satker, _CENTER), (h.kawasan, _CENTER), (h.address, _CENTER)]
    out: list[Flowable] = [
        *(Paragraph(_esc(text), style) for text, style in lines if text.strip()),
        _Rule(),
        Spacer(1, 4),
        Paragraph("LAPORAN PENERIMAAN HARIAN PNBP", _TITLE),
        Paragraph(f"Hari/tanggal: {indonesian_date(f.day)}", _CENTER),
    ]
    if f.number:
        out.append(Paragraph(f"Nomor: <b>{_esc(f.number)}</b>", _CENTER))
        if f.closed_at is not None:
            by = f" oleh {_esc(f.closed_by)}" if f.closed_by else ""
            out.append(Paragraph(f"Hari ditutup {_stamp(f.closed_at)}{by}", _CENTER))
    else:
        out.append(Paragraph(DRAFT_LINE, _DRAFT_P))
    if h.kode_akun:
        out.append(Paragraph(f"Kode akun: {_esc(h.kode_akun)}", _CENTER))
    out.append(Spacer(1, 6))
    return out


class _Rule(Flowable):
    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        return aw, 4

    def draw(self) -> None:
        self.canv.setLineWidth(1.2)
        self.canv.line(0, 2, self.width, 2)


def _summary(f: DayFigures) -> list[Flowable]:
    t = f.totals
    rows = [
        ("Penjualan bruto (setelah diskon)", _rp(t.gross)),
        ("Retur", _rp(t.refunds)),
        ("Penjualan bersih", _rp(t.gross - t.refunds)),
        ("Pembulatan tunai", _rp(t.rounding)),
        ("Jumlah penerimaan hari ini", _rp(t.net)),
        ("PNBP terutang", _rp(t.pnbp)),
        ("Premi warga binaan", _rp(t.premi)),
        ("Dana pembinaan", _rp(t.pembinaan)),
        ("Diskon diberikan", _rp(t.discounts)),
        (f"Penjualan dibatalkan ({t.void_count} struk, tidak dihitung)", _rp(t.voided)),
        (
            "Jumlah transaksi",
            f"{t.sales_count} penjualan, {t.refund_count} retur, "
            f"{t.cancelled_count} keranjang batal",
        ),
    ]
    out: list[Flowable] = [Paragraph("1. Ringkasan", _H2), _pairs(rows)]
    out.append(Spacer(1, 3))
    out.append(Paragraph(f"Terbilang jumlah penerimaan: <i>{_esc(terbilang(t.net))}</i>", _BASE))
    out.append(Paragraph(f"Terbilang PNBP terutang: <i>{_esc(terbilang(t.pnbp))}</i>", _BASE))
    return out


def _methods(f: DayFigures) -> list[Flowable]:
    cols = _Columns(
        ("Metode pembayaran", "Transaksi", "Penjualan", "Retur", "Bersih"),
        (3, 1.2, 2, 2, 2),
        (1, 2, 3, 4),
    )
    rows = [
        (
            METHOD_NAMES.get(m.method, m.method),
            str(m.count),
            _rp(m.sales),
            _rp(m.refunds),
            _rp(m.net),
        )
        for m in f.methods
    ]
    total = (
        "Jumlah",
        str(sum(m.count for m in f.methods)),
        _rp(sum(m.sales for m in f.methods)),
        _rp(sum(m.refunds for m in f.methods)),
        _rp(sum(m.net for m in f.methods)),
    )
    return [Paragraph("2. Penerimaan per metode pembayaran", _H2), *cols.tables(rows, total)]


def _upts(f: DayFigures) -> list[Flowable]:
    cols = _Columns(
        ("Kode", "UPT", "Bruto", "Retur", "Bersih", "Skema", "PNBP", "Premi", "Pembinaan"),
        (1.35, 2.9, 2.05, 1.6, 2.05, 1.45, 2.05, 1.8, 1.9),
        (2, 3, 4, 6, 7, 8),
        size=6.8,
    )
    rows = [
        (
            u.code,
            u.name,
            _rp(u.gross),
            _rp(u.refunds),
            _rp(u.net),
            scheme_text(u.scheme),
            _rp(u.allocation.pnbp),
            _rp(u.allocation.premi),
            _rp(u.allocation.pembinaan),
        )
        for u in f.upts
    ]
    t = f.totals
    rows.append(("", "Pembulatan tunai (tanpa UPT)", "", "", _rp(t.rounding), "", "", "", ""))
    total = (
        "",
        "Jumlah",
        _rp(sum(u.gross for u in f.upts)),
        _rp(sum(u.refunds for u in f.upts)),
        _rp(sum(u.net for u in f.upts) + t.rounding),
        "",
        _rp(sum(u.allocation.pnbp for u in f.upts)),
        _rp(sum(u.allocation.premi for u in f.upts)),
        _rp(sum(u.allocation.pembinaan for u in f.upts)),
    )
    d = f.default_scheme
    legend = (
        "Skema: persen PNBP/premi/dana pembinaan; B = dari penjualan bersih, M = dari penjualan "
        "bersih dikurangi harga pokok; * = skema UPT sendiri, lainnya skema bawaan "
        f"({scheme_text(d)}). Pembulatan tunai tidak dialokasikan ke UPT."
    )
    return [
        CondPageBreak(80 * mm),
        Paragraph("3. Penerimaan per UPT dan alokasinya", _H2),
        *cols.tables(rows, total),
        Spacer(1, 2),
        Paragraph(_esc(legend), _NOTE),
        Spacer(1, 6),
        _chart(f),
    ]


def _chart(f: DayFigures) -> Flowable:
    """Net sales per UPT as horizontal bars (in million Rupiah), largest first."""
    upts = sorted(f.upts, key=lambda u: (-u.net, u.code))
    n = max(len(upts), 1)
    bar_h = 9.0
    height = n * bar_h + 40
    drawing = Drawing(WIDTH, height)
    drawing.add(
        String(0, height - 10, "Penjualan bersih per UPT (juta Rupiah)", fontName=BOLD, fontSize=8)
    )
    chart = HorizontalBarChart()
    chart.x = 70
    chart.y = 18
    chart.width = WIDTH - 110
    chart.height = n * bar_h
    values = [max(u.net, 0) / 1_000_000 for u in reversed(upts)]
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = [u.code for u in reversed(upts)] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.labelTextFormat = lambda v: format_number(round(v))
    chart.bars[0].fillColor = colors.HexColor("#2b6cb0")
    chart.bars[0].strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 2
    drawing.add(chart)
    return KeepTogether([drawing])


def _categories(f: DayFigures) -> list[Flowable]:
    cols = _Columns(("Kode", "Kategori", "Bruto", "Retur", "Bersih"), (2, 4, 2, 2, 2), (2, 3, 4))
    rows = [(c.code, c.name, _rp(c.gross), _rp(c.refunds), _rp(c.net)) for c in f.categories]
    total = (
        "",
        "Jumlah",
        _rp(sum(c.gross for c in f.categories)),
        _rp(sum(c.refunds for c in f.categories)),
        _rp(sum(c.net for c in f.categories)),
    )
    return [Paragraph("4. Penerimaan per kategori", _H2), *cols.tables(rows, total)]


def _products(f: DayFigures) -> list[Flowable]:
    cols = _Columns(
        ("SKU", "Nama produk", "UPT", "Jumlah", "Bersih"), (2.2, 6, 1.6, 1.8, 2.2), (3, 4)
    )
    rows = [
        (p.sku, p.name, p.upt_code, _qty(p.qty, p.qty_scale, p.unit), _rp(p.net))
        for p in f.products
    ]
    total = ("", f"Jumlah ({len(f.products)} produk)", "", "", _rp(sum(p.net for p in f.products)))
    return [
        CondPageBreak(40 * mm),
        Paragraph("5. Penjualan per produk", _H2),
        *cols.tables(rows, total),
    ]


def _documents(f: DayFigures) -> list[Flowable]:
    cols = _Columns(
        ("Jenis", "No. dokumen", "Struk asal", "Jam", "Jumlah", "Alasan", "Oleh", "Disetujui"),
        (1.55, 3.0, 3.0, 0.8, 1.7, 2.25, 1.8, 1.8),
        (4,),
    )
    rows = [
        (
            KIND_NAMES.get(d.kind, d.kind),
            d.receipt_number,
            d.original_number,
            _time(d.at),
            _rp(d.amount),
            d.reason,
            d.by_name,
            d.approver_name,
        )
        for d in f.documents
    ]
    return [CondPageBreak(30 * mm), Paragraph("6. Pembatalan dan retur", _H2), *cols.tables(rows)]


def _cancelled(f: DayFigures) -> list[Flowable]:
    cols = _Columns(
        ("Jam", "Counter", "Kasir", "Barang", "Total keranjang", "Pembayaran dibatalkan"),
        (1, 1.5, 3, 1.2, 2.2, 2.6),
        (3, 4, 5),
    )
    rows = [
        (_time(c.at), c.counter_code, c.cashier_name, str(c.item_count), _rp(c.total), _rp(c.paid))
        for c in f.cancelled
    ]
    return [CondPageBreak(25 * mm), Paragraph("7. Keranjang dibatalkan", _H2), *cols.tables(rows)]


def _shift_name(s: ShiftCashRow) -> str:
    end = _time(s.closed_at) if s.closed_at is not None else "buka"
    return f"{s.counter_code} {s.cashier_name} ({_time(s.opened_at)}-{end})"


def _shifts(f: DayFigures) -> list[Flowable]:
    cols = _Columns(
        (
            "Shift",
            "Modal awal",
            "Tunai",
            "Retur",
            "Kas masuk",
            "Kas keluar",
            "Seharusnya",
            "Dihitung",
            "Selisih",
        ),
        (4.2, 1.6, 1.9, 1.5, 1.5, 1.6, 1.9, 1.9, 1.4),
        (1, 2, 3, 4, 5, 6, 7, 8),
        size=6.8,
    )
    rows = [
        (
            _shift_name(s),
            _rp(s.opening_float),
            _rp(s.cash_sales),
            _rp(s.cash_refunds),
            _rp(s.cash_in),
            _rp(s.cash_out),
            _rp(s.expected),
            _rp(s.counted) if s.counted is not None else "belum",
            _rp(s.difference) if s.difference is not None else "-",
        )
        for s in f.shifts
    ]
    out: list[Flowable] = [
        CondPageBreak(35 * mm),
        Paragraph("8. Kas per shift", _H2),
        *cols.tables(rows),
    ]
    reasons = [f"{_shift_name(s)}: {s.difference_reason}" for s in f.shifts if s.difference_reason]
    if reasons:
        out.append(Paragraph("Alasan selisih: " + _esc("; ".join(reasons)), _NOTE))
    moves = [(s, m) for s in f.shifts for m in s.movements]
    if moves:
        mcols = _Columns(
            ("Jam", "Shift", "Jenis", "Jumlah", "Alasan", "Oleh", "Disetujui"),
            (0.8, 1.6, 1.6, 1.7, 3.2, 2.1, 2.1),
            (3,),
        )
        mrows = [
            (
                _time(m.at),
                f"{s.counter_code} #{s.shift_id}",
                MOVE_NAMES.get(m.kind, m.kind),
                _rp(m.amount),
                m.reason,
                m.by_name,
                m.approver_name,
            )
            for s, m in moves
        ]
        out += [Spacer(1, 4), Paragraph("<b>Kas masuk dan keluar</b>", _BASE), *mcols.tables(mrows)]
    return out


def _deposit(f: DayFigures) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(30 * mm), Paragraph("9. Penyetoran PNBP", _H2)]
    d = f.deposit
    if d is None:
        out.append(_pairs([("PNBP terutang", _rp(f.totals.pnbp)), ("Status", "belum disetor")]))
    else:
        out.append(
            _pairs(
                [
                    ("PNBP terutang", _rp(f.totals.pnbp)),
                    ("Kode billing (SIMPONI)", d.kode_billing),
                    ("NTPN", d.ntpn),
                    ("Tanggal setor", indonesian_date(d.deposit_date)),
                    ("Jumlah disetor", _rp(d.amount)),
                ]
            )
        )
    return out


def _signatures(f: DayFigures) -> list[Flowable]:
    people = list(f.signatories) or [Signatory(title, "", "") for title in SIGNATORY_TITLES]
    blank = "(" + "." * 40 + ")"
    top = [p.title for p in people]
    names = [p.name if p.name else blank for p in people]
    nips = [
        f"NIP. {p.nip}" if p.nip else ("NIP. " + "." * 30 if i > 0 else "")
        for i, p in enumerate(people)
    ]
    width = WIDTH / len(people)
    room = width - 6
    data = [
        [_fit(t, room, 8.5) for t in top],
        ["" for _ in people],
        [_fit(n, room, 8.5, BOLD) for n in names],
        [_fit(n, room, 8) for n in nips],
    ]
    where = f.header.satker or f.header.kawasan
    date = indonesian_date(f.day).split(", ", 1)[1]
    place = f"{where}, {date}" if where else date
    table = Table(
        data,
        colWidths=[width] * len(people),
        rowHeights=[12, 48, 12, 11],
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("FONT", (0, 2), (-1, 2), BOLD, 8.5),
                ("FONT", (0, 3), (-1, 3), FONT, 8),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        ),
    )
    return [
        CondPageBreak(45 * mm),
        Spacer(1, 10),
        KeepTogether(
            [
                Paragraph(_esc(place), ParagraphStyle("place", _BASE, alignment=2)),
                Spacer(1, 4),
                table,
            ]
        ),
    ]


_ANNEX = _Columns(
    ("No.", "No. struk", "Jam", "Counter", "Kasir", "Jenis", "Status", "Metode", "Total"),
    (0.8, 3.1, 0.8, 1.3, 2.6, 1.4, 1.1, 1.9, 2.0),
    (0, 8),
)


def _annex(f: DayFigures) -> list[Flowable]:
    rows = [
        (
            str(i),
            r.receipt_number,
            _time(r.at),
            r.counter_code,
            r.cashier_name,
            RECEIPT_KINDS.get(r.kind, r.kind),
            RECEIPT_STATUS.get(r.status, r.status),
            r.methods,
            _rp(r.total),
        )
        for i, r in enumerate(f.receipts, 1)
    ]
    return [
        PageBreak(),
        Paragraph(f"Lampiran: daftar struk ({len(f.receipts)})", _H2),
        *_ANNEX.tables(rows),
    ]


def story(figures: DayFigures) -> list[Flowable]:
    """Every flowable of the settlement, in order."""
    return [
        *_header(figures),
        *_summary(figures),
        *_methods(figures),
        *_upts(figures),
        *_categories(figures),
        *_products(figures),
        *_documents(figures),
        *_cancelled(figures),
        *_shifts(figures),
        *_deposit(figures),
        *_signatures(figures),
        *_annex(figures),
    ]


# ---------------------------------------------------------------------------------------------
# The document


class _Doc(BaseDocTemplate):
    def __init__(self, out: BinaryIO, figures: DayFigures, progress: Progress | None, total: int):
        title = f"Laporan Penerimaan Harian PNBP {figures.day.isoformat()}"
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=title + ("" if figures.number else " (DRAFT)"),
            author=figures.header.satker,
            subject=figures.number or "DRAFT",
            creator="Kasir",
            invariant=1,
        )
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            WIDTH,
            FRAME_H,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        self._progress = progress
        self._total = total
        self._done = 0
        self._step = max(1, total // 100)  # about 100 calls
        self._next = self._step

    def afterFlowable(self, flowable: Flowable) -> None:
        self._done += getattr(flowable, "kasir_rows", 1)
        if self._progress is not None and self._done >= self._next:
            self._next = self._done + self._step
            self._progress(min(self._done, self._total - 1), self._total)


def _build(figures: DayFigures, out: BinaryIO, progress: Progress | None) -> int:
    flowables = story(figures)
    # A step for each flowable placed and each row of a long table; one for numbering and
    # writing the pages.
    total = sum(getattr(f, "kasir_rows", 1) for f in flowables) + 1
    if progress is not None:
        progress(0, total)
    doc = _Doc(out, figures, progress, total)
    canvas_class = _canvas_class(figures)
    doc.build(flowables, canvasmaker=canvas_class)
    if progress is not None:
        progress(total, total)
    return int(doc.page)


def render_settlement(
    figures: DayFigures,
    out: Path | BinaryIO,
    *,
    progress: Progress | None = None,
) -> int:
    """Write the settlement of `figures` as a PDF to `out` (a path: atomically, through a
    temporary file renamed into place; or a binary stream). `progress(done, total)` is called
    as the document is built. Returns the number of pages. Raises `SettlementWriteFailed`
    when the file cannot be written (nothing is left behind)."""
    if not isinstance(out, Path):
        return _build(figures, out, progress)
    buffer = io.BytesIO()
    pages = _build(figures, buffer, progress)
    try:
        with replace_files(out, binary=True) as (fh,):
            fh.write(buffer.getbuffer())
    except OSError as exc:
        cause = environment_problem(exc) or (exc.strerror or str(exc))
        raise SettlementWriteFailed(f"Laporan PDF tidak dapat ditulis ke {out}: {cause}") from exc
    return pages
