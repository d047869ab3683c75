"""The X / Z report of a shift as an A4 PDF (issue 19), in Indonesian: the same sections as the
paper (`kasir.output.shift_report.sections`), with the counter, the cashier, the times, and for
a Z report the count by denomination, the difference and its reason, and signature lines.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate

from kasir.money import format_number
from kasir.output.shift_report import Line, info_lines, sections, subtitle
from kasir.services.shift_report import ShiftReport

WIDTH = A4[0] - 40 * mm


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(rows: list[list[object]], widths: list[float], bold_rows: list[int]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9.5),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("FONT", (0, r), (-1, r), "Helvetica-Bold", 9.5) for r in bold_rows]
    table.setStyle(TableStyle(style))
    return table


def _page(canvas: object, doc: BaseDocTemplate) -> None:
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
    canvas.drawRightString(  # type: ignore[attr-defined]
        A4[0] - 20 * mm, 12 * mm, f"Halaman {doc.page}"
    )
    canvas.restoreState()  # type: ignore[attr-defined]


def story(report: ShiftReport, store_name: str, store_address: str = "") -> list[Flowable]:
    styles = getSampleStyleSheet()
    title = ParagraphStyle("t", parent=styles["Title"], fontSize=16, spaceAfter=2)
    small = ParagraphStyle("s", parent=styles["Normal"], fontSize=9, alignment=1)
    head = ParagraphStyle("h", parent=styles["Heading3"], spaceBefore=8, spaceAfter=3)
    body = ParagraphStyle("b", parent=styles["Normal"], fontSize=9.5)
    out: list[Flowable] = []
    if store_name.strip():
        out.append(Paragraph(_escape(store_name), small))
    if store_address.strip():
        out.append(Paragraph(_escape(store_address), small))
    out.append(Paragraph(f"{report.title} — Shift #{report.shift_id}", title))
    out.append(Paragraph(_escape(subtitle(report)), small))
    out.append(Spacer(1, 4 * mm))
    info: list[list[object]] = [[line.label, line.value] for line in info_lines(report)]
    out.append(_table(info, [40 * mm, 80 * mm], []))
    for section in sections(report):
        out.append(Paragraph(_escape(section.title), head))
        if section.title == "Hitungan kas" and report.count is not None:
            out.append(_count_table(report))
            rest: list[Line] = [ln for ln in section.lines if " x " not in ln.label]
        else:
            rest = list(section.lines)
        rows: list[list[object]] = []
        bold: list[int] = []
        for line in rest:
            if line.bold:
                bold.append(len(rows))
            if line.value:
                rows.append([Paragraph(_escape(line.label), body), line.value])
            else:
                rows.append([Paragraph(_escape(line.label), body), ""])
        if rows:
            out.append(_table(rows, [WIDTH - 45 * mm, 45 * mm], bold))
    if report.final:
        out.append(Spacer(1, 14 * mm))
        signs = Table(
            [
                ["Kasir", "Supervisor"],
                ["", ""],
                ["", ""],
                [f"( {report.cashier_name} )", "( ............................ )"],
            ],
            colWidths=[WIDTH / 2, WIDTH / 2],
            rowHeights=[6 * mm, 10 * mm, 6 * mm, 6 * mm],
        )
        signs.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), "Helvetica", 10),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ]
            )
        )
        out.append(signs)
    return out


def _count_table(report: ShiftReport) -> Table:
    assert report.count is not None
    rows: list[list[object]] = [["Pecahan", "Jenis", "Jumlah", "Nilai"]]
    for d, n, amount in report.count.rows():
        rows.append([d.label, "logam" if d.coin else "kertas", str(n), format_number(amount)])
    rows.append(["Total hitungan", "", "", format_number(report.count.total)])
    table = Table(rows, colWidths=[45 * mm, 30 * mm, 25 * mm, 40 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9.5),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9.5),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    return table


def pdf_bytes(report: ShiftReport, store_name: str, store_address: str = "") -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Laporan {report.letter} shift #{report.shift_id}",
        author="Kasir",
        invariant=True,
    )
    doc.build(story(report, store_name, store_address), onFirstPage=_page, onLaterPages=_page)
    return buffer.getvalue()


def write_pdf(report: ShiftReport, path: Path, store_name: str, store_address: str = "") -> None:
    from kasir.files import replace_files

    data = pdf_bytes(report, store_name, store_address)
    with replace_files(path, binary=True) as (fh,):
        fh.write(data)
