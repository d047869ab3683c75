"""The settlement PDF read back (pypdf: each table cell is a line of its own, in order)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from kasir.domain.settlement import DayFigures
from kasir.errors import EnvironmentProblem
from kasir.money import format_rupiah as rp
from kasir.money import terbilang
from kasir.output.settlement_pdf import (
    METHOD_NAMES,
    PAGE_ROWS,
    SIGNATORY_TITLES,
    SettlementWriteFailed,
    indonesian_date,
    render_settlement,
    scheme_text,
)
from kasir.output.settlement_sample import sample_figures


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def render(figures: DayFigures) -> tuple[bytes, int]:
    out = io.BytesIO()
    pages = render_settlement(figures, out)
    return out.getvalue(), pages


def cells_after(lines: list[str], first: str, n: int) -> list[str]:
    """The `n` cells after the cell `first` (a row of a table)."""
    i = lines.index(first)
    return lines[i + 1 : i + 1 + n]


@pytest.fixture(scope="module")
def closed() -> tuple[DayFigures, list[str]]:
    figures = sample_figures(sales=150, closed=True, deposit=True)
    data, pages = render(figures)
    texts = pages_text(data)
    assert len(texts) == pages
    return figures, texts


@pytest.fixture(scope="module")
def draft() -> tuple[DayFigures, list[str]]:
    figures = sample_figures(sales=150)
    data, _ = render(figures)
    return figures, pages_text(data)


def all_lines(texts: list[str]) -> list[str]:
    return [line.strip() for text in texts for line in text.splitlines()]


def test_header_and_number(closed: tuple[DayFigures, list[str]]) -> None:
    figures, texts = closed
    first = texts[0]
    h = figures.header
    for text in (h.ministry.upper(), h.directorate.upper(), h.satker, h.kawasan, h.address):
        assert text in first
    assert "Minggu, 6 Desember 2026" in first
    assert indonesian_date(figures.day) == "Minggu, 6 Desember 2026"
    assert f"Nomor: {figures.number}" in first


def test_totals_per_method_and_words(closed: tuple[DayFigures, list[str]]) -> None:
    figures, texts = closed
    lines = all_lines(texts)
    for m in figures.methods:
        assert cells_after(lines, METHOD_NAMES[m.method], 4) == [
            str(m.count),
            rp(m.sales),
            rp(m.refunds),
            rp(m.net),
        ]
    t = figures.totals
    assert cells_after(lines, "Jumlah penerimaan hari ini", 1) == [rp(t.net)]
    assert cells_after(lines, "Pembulatan tunai", 1) == [rp(t.rounding)]
    assert t.rounding < 0  # the sample day has cash rounding: shown as its own line
    assert cells_after(lines, "PNBP terutang", 1) == [rp(t.pnbp)]
    joined = " ".join(lines)
    assert f"Terbilang jumlah penerimaan: {terbilang(t.net)}" in joined
    assert f"Terbilang PNBP terutang: {terbilang(t.pnbp)}" in joined


def test_per_upt_rows_with_allocation(closed: tuple[DayFigures, list[str]]) -> None:
    figures, texts = closed
    lines = all_lines(texts)
    start = lines.index("3. Penerimaan per UPT dan alokasinya")
    section = lines[start:]
    assert len(figures.upts) >= 20
    for u in figures.upts:
        row = cells_after(section, u.code, 8)
        assert row[1:] == [
            rp(u.gross),
            rp(u.refunds),
            rp(u.net),
            scheme_text(u.scheme),
            rp(u.allocation.pnbp),
            rp(u.allocation.premi),
            rp(u.allocation.pembinaan),
        ]
        assert u.name.startswith(row[0].rstrip("\u2026"))
    own = [u for u in figures.upts if u.scheme.source == "upt"]
    assert own and all(scheme_text(u.scheme).endswith("*") for u in own)
    assert cells_after(section, "Pembulatan tunai (tanpa UPT)", 1) == [rp(figures.totals.rounding)]


def test_categories_products_documents_cancelled_shifts(
    closed: tuple[DayFigures, list[str]],
) -> None:
    figures, texts = closed
    lines = all_lines(texts)
    for c in figures.categories:
        assert cells_after(lines, c.code, 4) == [c.name, rp(c.gross), rp(c.refunds), rp(c.net)]
    products = lines[lines.index("5. Penjualan per produk") :]
    for p in figures.products:
        row = cells_after(products, p.sku, 4)
        assert row[1] == p.upt_code and row[3] == rp(p.net)
    docs = lines[lines.index("6. Pembatalan dan retur") :]
    assert {d.kind for d in figures.documents} == {"void", "refund"}
    for d in figures.documents:
        row = cells_after(docs, d.receipt_number, 6)
        assert row[0] == d.original_number
        assert row[2:] == [rp(d.amount), d.reason, d.by_name, d.approver_name]
    cancelled = lines[lines.index("7. Keranjang dibatalkan") :]
    for cart in figures.cancelled:
        assert rp(cart.total) in cancelled[:40]
    shifts = lines[lines.index("8. Kas per shift") :]
    for s in figures.shifts:
        who = f"{s.counter_code} {s.cashier_name}"
        name = next(line for line in shifts if line.startswith(who))
        assert cells_after(shifts, name, 8) == [
            rp(s.opening_float),
            rp(s.cash_sales),
            rp(s.cash_refunds),
            rp(s.cash_in),
            rp(s.cash_out),
            rp(s.expected),
            rp(s.counted or 0),
            rp(s.difference or 0),
        ]
    assert "Uang kembalian kurang" in " ".join(shifts)


def test_deposit_and_signatures(closed: tuple[DayFigures, list[str]]) -> None:
    figures, texts = closed
    lines = all_lines(texts)
    d = figures.deposit
    assert d is not None
    assert cells_after(lines, "Kode billing (SIMPONI)", 1) == [d.kode_billing]
    assert cells_after(lines, "NTPN", 1) == [d.ntpn]
    assert cells_after(lines, "Jumlah disetor", 1) == [rp(d.amount)]
    assert cells_after(lines, "Tanggal setor", 1) == [indonesian_date(d.deposit_date)]
    assert "belum disetor" not in lines
    for person in figures.signatories:
        assert person.title in lines and person.name in lines
        if person.nip:
            assert f"NIP. {person.nip}" in lines


def test_page_numbers_and_no_draft_on_a_closed_day(closed: tuple[DayFigures, list[str]]) -> None:
    _, texts = closed
    n = len(texts)
    assert n > 3
    for i, text in enumerate(texts, 1):
        assert f"Halaman {i} dari {n}" in text
        assert "DRAFT" not in text.upper()


def test_draft_on_every_page(draft: tuple[DayFigures, list[str]]) -> None:
    figures, texts = draft
    assert figures.draft
    assert "DRAFT \u2013 hari belum ditutup" in texts[0]
    for i, text in enumerate(texts, 1):
        assert "DRAFT" in text
        assert f"Halaman {i} dari {len(texts)}" in text
    assert "belum disetor" in all_lines(texts)


def test_draft_mark_drawn_on_every_page() -> None:
    """The big mark itself: a stroked path in every page's content (not only the word)."""
    data, _ = render(sample_figures(sales=60))
    closed_data, _ = render(sample_figures(sales=60, closed=True))
    width = b"14 w"
    for page in PdfReader(io.BytesIO(data)).pages:
        assert width in page.get_contents().get_data()  # type: ignore[union-attr]
    for page in PdfReader(io.BytesIO(closed_data)).pages:
        assert width not in page.get_contents().get_data()  # type: ignore[union-attr]


def test_annex_lists_every_receipt(closed: tuple[DayFigures, list[str]]) -> None:
    figures, texts = closed
    lines = all_lines(texts)
    annex = lines[next(i for i, s in enumerate(lines) if s.startswith("Lampiran: daftar struk")) :]
    assert len(figures.receipts) > 150
    for i, r in enumerate(figures.receipts, 1):
        assert cells_after(annex, str(i), 1) == [r.receipt_number]
    assert {r.status for r in figures.receipts} == {"completed", "voided"}


def test_long_tables_one_header_a_page() -> None:
    """Products and receipts over several pages: each page has one header, full pages are
    full, the total row never stands alone, every row is there once."""
    figures = sample_figures(sales=400, products=500)
    texts = pages_text(render(figures)[0])
    pages = [[line.strip() for line in text.splitlines()] for text in texts]
    product_pages = [p for p in pages if "Nama produk" in p]
    annex_pages = [p for p in pages if "No. struk" in p]
    assert len(product_pages) >= 4 and len(annex_pages) >= 6
    for page in pages:
        assert page.count("Nama produk") <= 1 and page.count("No. struk") <= 1
    for page in annex_pages[1:-1]:
        assert sum(line.startswith("KSR-") and len(line) > 10 for line in page) == PAGE_ROWS
    lines = [line for page in pages for line in page]
    assert sum(line == p.sku for line in lines for p in figures.products[:50]) == 50
    total_page = next(p for p in product_pages if any(x.startswith("Jumlah (") for x in p))
    assert sum(line in {p.sku for p in figures.products} for line in total_page) >= 1


def test_same_figures_same_bytes() -> None:
    figures = sample_figures(sales=80, closed=True)
    first, _ = render(figures)
    again, _ = render(sample_figures(sales=80, closed=True))
    assert first == again
    via_json, _ = render(DayFigures.from_json(figures.to_json()))
    assert pages_text(via_json) == pages_text(first)


def test_pdf_dates_from_the_figures() -> None:
    closed, _ = render(sample_figures(sales=10, closed=True))
    draft, _ = render(sample_figures(sales=10))
    closed_meta = PdfReader(io.BytesIO(closed)).metadata
    draft_meta = PdfReader(io.BytesIO(draft)).metadata
    assert closed_meta is not None and draft_meta is not None
    assert closed_meta["/CreationDate"] == "D:20261206210500+07'00'"  # closed_at
    assert draft_meta["/CreationDate"] == "D:20261206000000+07'00'"  # the business day


def test_blank_signature_lines_when_names_are_empty() -> None:
    figures = sample_figures(sales=20, signatories=False)
    lines = all_lines(pages_text(render(figures)[0]))
    assert lines.count("(" + "." * 40 + ")") == 3
    assert lines.count("NIP. " + "." * 30) == 2


def test_no_signatories_gives_blank_blocks() -> None:
    figures = dataclasses.replace(sample_figures(sales=5), signatories=())
    lines = all_lines(pages_text(render(figures)[0]))
    for title in SIGNATORY_TITLES:
        assert title in lines
    assert lines.count("(" + "." * 40 + ")") == 3


def test_any_unicode_is_shown_as_text() -> None:
    figures = sample_figures(sales=10)
    name = "Kopi \u2615 \u5496\u5561 \u201cJape\u201d"
    product = dataclasses.replace(figures.products[0], name=name)
    header = dataclasses.replace(figures.header, satker="Lapas <Kelas> & \u00c9lite")
    figures = dataclasses.replace(figures, products=(product, *figures.products[1:]), header=header)
    text = " ".join(pages_text(render(figures)[0]))
    assert "\u25a0" not in text  # no box for a glyph Helvetica lacks
    assert "\u5496" not in text and "KaFei" in text
    assert "\u201cJape\u201d" in text  # cp1252 has curly quotes: kept
    assert "Lapas <Kelas> & \u00c9lite" in text


def test_times_in_jakarta_and_an_empty_satker() -> None:
    """The store keeps UTC: 02:05 UTC is shown 09:05 (WIB); no empty header line or place."""
    figures = sample_figures(sales=10, closed=True)
    utc = dt.UTC
    receipts = tuple(dataclasses.replace(r, at=r.at.astimezone(utc)) for r in figures.receipts)
    first = dataclasses.replace(receipts[0], at=dt.datetime(2026, 12, 6, 2, 5, tzinfo=utc))
    closed_at = dt.datetime(2026, 12, 6, 14, 5, tzinfo=utc)
    header = dataclasses.replace(figures.header, satker="")
    figures = dataclasses.replace(
        figures, receipts=(first, *receipts[1:]), closed_at=closed_at, header=header
    )
    data, _ = render(figures)
    lines = all_lines(pages_text(data))
    assert cells_after(lines, first.receipt_number, 1) == ["09:05"]
    assert "Hari ditutup 6 Desember 2026 21:05 oleh Hendra Wijaya" in lines
    assert f"{figures.header.kawasan}, 6 Desember 2026" in lines
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta is not None and meta["/CreationDate"] == "D:20261206210500+07'00'"


def test_weighed_quantities() -> None:
    figures = sample_figures(sales=10)
    kopi = dataclasses.replace(figures.products[0], unit="kg", qty_scale=1000, qty=1250)
    figures = dataclasses.replace(figures, products=(kopi, *figures.products[1:]))
    lines = all_lines(pages_text(render(figures)[0]))
    assert cells_after(lines, kopi.sku, 4)[2] == "1,250 kg"


def test_a_day_without_sales() -> None:
    figures = sample_figures(sales=0)
    figures = dataclasses.replace(figures, cancelled=(), documents=())
    data, pages = render(figures)
    assert pages >= 1
    assert "Tidak ada." in " ".join(pages_text(data))


def test_write_to_a_path_and_progress(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    target = tmp_path / "lph.pdf"
    pages = render_settlement(
        sample_figures(sales=300), target, progress=lambda d, t: seen.append((d, t))
    )
    assert len(PdfReader(target).pages) == pages
    assert [name.name for name in tmp_path.iterdir()] == ["lph.pdf"]
    total = seen[0][1]
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert all(t == total for _, t in seen) and len(seen) > 3
    dones = [d for d, _ in seen]
    assert dones == sorted(dones)


def test_unwritable_path_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(SettlementWriteFailed) as caught:
        render_settlement(sample_figures(sales=10), blocker / "lph.pdf")
    assert isinstance(caught.value, EnvironmentProblem)
    assert "tidak dapat ditulis" in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_failure_while_building_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "lph.pdf"
    target.write_bytes(b"old")

    def stop(done: int, total: int) -> None:
        if done > 2:
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        render_settlement(sample_figures(sales=50), target, progress=stop)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["lph.pdf"]
