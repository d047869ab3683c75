"""The X and Z reports of a shift on paper (issue 19): one layout in sections of (label, amount)
lines, shared by the receipt printer (rows, then ESC/POS bytes through the print queue) and the
PDF (`kasir.output.shift_report_pdf`).

`queue_shift_report` renders the report for the counter's printer and queues it (kind
`x_report` or `z_report`) in the caller's unit of work; the print worker sends it after the
commit, like a receipt.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kasir.domain.payment import METHOD_LABELS
from kasir.domain.vocab import PrintKind
from kasir.money import format_number, format_rupiah
from kasir.output.escpos import rows_bytes
from kasir.output.print_queue import Queued
from kasir.output.receipt import (
    Align,
    Row,
    RowKind,
    check_width,
    fit_lr,
    printable,
    rows_text,
    wrap,
)
from kasir.services import printing
from kasir.services.cash import kind_label
from kasir.services.shift_report import ShiftReport, shift_report
from kasir.timeutil import local


@dataclass(frozen=True)
class Line:
    label: str
    value: str = ""
    bold: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]


def _when(report: ShiftReport) -> str:
    return f"{local(report.made_at):%d-%m-%Y %H:%M}"


def signed_text(amount: int) -> str:
    return f"{'+' if amount > 0 else '-' if amount < 0 else ''}{format_number(abs(amount))}"


def minus(amount: int) -> str:
    return f"-{format_number(amount)}" if amount else "0"


def plus(amount: int) -> str:
    return f"+{format_number(amount)}" if amount else "0"


def subtitle(report: ShiftReport) -> str:
    return "Tutup shift" if report.final else "Sementara, shift masih berjalan"


def info_lines(report: ShiftReport) -> tuple[Line, ...]:
    lines = [
        Line("Meja", report.counter_code),
        Line("Kasir", report.cashier_name),
        Line("Shift", f"#{report.shift_id}"),
        Line("Tanggal", f"{report.business_date:%d-%m-%Y}"),
        Line("Dibuka", f"{local(report.opened_at):%d-%m-%Y %H:%M}"),
    ]
    if report.closed_at is not None:
        lines.append(Line("Ditutup", f"{local(report.closed_at):%d-%m-%Y %H:%M}"))
    lines.append(Line("Dicetak", _when(report)))
    return tuple(lines)


def sections(report: ShiftReport) -> tuple[Section, ...]:
    """The report's figures, top to bottom (the info lines come before them)."""
    r = report
    out = [
        Section(
            "Penjualan",
            (
                Line(f"Penjualan ({r.sales_count} transaksi)", format_number(r.sales_gross)),
                Line("Diskon", minus(r.discounts)),
                Line("Pembulatan", signed_text(r.rounding) or "0"),
                Line("Total penjualan", format_rupiah(r.sales_total), bold=True),
                Line(f"Retur ({r.refund_count})", minus(r.refund_total)),
                Line("Bersih", format_rupiah(r.net), bold=True),
                Line(f"Void ({r.void_count}, tidak dihitung)", format_number(r.void_total)),
                Line(
                    f"Keranjang batal ({r.cancelled.count})",
                    format_number(r.cancelled.total),
                ),
            ),
        ),
        Section(
            "Per metode pembayaran",
            tuple(
                Line(f"{METHOD_LABELS.get(m.method, m.method)} ({m.count})", format_number(m.net))
                for m in r.methods
            ),
        ),
        Section(
            "Kas di laci",
            (
                Line("Modal awal", format_number(r.opening_float)),
                Line("Tunai dari penjualan", plus(r.cash_sales)),
                Line("Tunai retur", minus(r.cash_refunds)),
                Line("Kas masuk", plus(r.cash_in)),
                Line("Kas keluar / setor", minus(r.cash_out)),
                Line("Seharusnya di laci", format_rupiah(r.expected), bold=True),
            ),
        ),
    ]
    if r.movements:
        out.append(
            Section(
                "Kas masuk / keluar",
                tuple(
                    Line(
                        f"{local(m.at):%H:%M} {kind_label(m.kind)}: {m.reason}"
                        + (f" (disetujui {m.approver_name})" if m.approver_name else ""),
                        signed_text(m.amount if m.kind == "in" else -m.amount),
                    )
                    for m in r.movements
                ),
            )
        )
    if r.final and r.counted is not None:
        lines: list[Line] = []
        if r.count is not None:
            lines += [
                Line(f"{d.label} x {n}", format_number(amount))
                for d, n, amount in r.count.rows()
                if n
            ]
        diff = r.difference or 0
        verdict = "cocok" if diff == 0 else ("LEBIH " if diff > 0 else "KURANG ")
        lines += [
            Line("Dihitung", format_rupiah(r.counted), bold=True),
            Line("Seharusnya", format_rupiah(r.expected)),
            Line(
                f"Selisih ({verdict.strip()})",
                "Rp 0" if diff == 0 else f"{verdict}{format_rupiah(abs(diff))}",
                bold=True,
            ),
        ]
        if r.difference_reason:
            lines.append(Line(f"Alasan: {r.difference_reason}"))
        if r.closed_by:
            lines.append(Line(f"Ditutup oleh: {r.closed_by}"))
        if r.approved_by and r.approved_by != r.closed_by:
            lines.append(Line(f"Disetujui: {r.approved_by}"))
        out.append(Section("Hitungan kas", tuple(lines)))
    return tuple(out)


# --- the receipt printer --------------------------------------------------------------------


def report_rows(report: ShiftReport, store_name: str, width: int = 32) -> tuple[Row, ...]:
    check_width(width)
    rows: list[Row] = []

    def text(value: str, align: Align = Align.LEFT, *, bold: bool = False) -> None:
        for part in wrap(printable(value), width):
            rows.append(Row(part, align, bold=bold))

    def rule() -> None:
        rows.append(Row("-" * width, kind=RowKind.RULE))

    if store_name.strip():
        text(store_name, Align.CENTER, bold=True)
    for part in wrap(report.title, width // 2):
        rows.append(Row(part, Align.CENTER, bold=True, double=True))
    text(subtitle(report), Align.CENTER)
    rule()
    for line in info_lines(report):
        rows += [Row(t) for t in fit_lr(f"{line.label}:", printable(line.value), width)]
    for section in sections(report):
        rule()
        text(section.title, bold=True)
        for line in section.lines:
            if line.value:
                fitted = fit_lr(printable(line.label), printable(line.value), width)
                rows += [Row(t, bold=line.bold) for t in fitted]
            else:
                text(line.label, bold=line.bold)
    rule()
    if report.final:
        rows += [Row(), Row(), Row("Kasir,"), Row(), Row(), Row("(" + "." * (width - 2) + ")")]
    rows += [Row(), Row(kind=RowKind.FEED), Row(kind=RowKind.CUT)]
    return tuple(rows)


def report_text(report: ShiftReport, store_name: str, width: int = 32) -> str:
    """The report as the paper shows it (the command line, the tests)."""
    return rows_text(report_rows(report, store_name, width), width)


def report_bytes(report: ShiftReport, setup: printing.ReceiptSetup) -> bytes:
    return rows_bytes(
        report_rows(report, setup.store_name, setup.width),
        width=setup.width,
        profile=setup.profile,
        codepage=setup.codepage,
    )


def queue_shift_report(
    session: Session, shift_id: int, *, counter_id: int, user_id: int | None
) -> Queued:
    """Queue the shift's X report (open) or Z report (closed) for `counter_id`'s printer."""
    report = shift_report(session, shift_id)
    setup = printing.receipt_setup(session)
    kind = PrintKind.Z_REPORT if report.final else PrintKind.X_REPORT
    title = f"Laporan {report.letter} shift #{report.shift_id}"
    job_id = printing.add_job(
        session,
        counter_id,
        kind,
        report_bytes(report, setup),
        title=title,
        requested_by_id=user_id,
    )
    return Queued(job_id, title, False)
