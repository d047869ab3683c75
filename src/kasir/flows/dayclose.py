"""The day-close wizard's steps (issue 19), without Qt: a manager closes a business day.

    choose the date → check (open shifts block; the day's figures) → preview (the draft PDF)
    → confirm with a manager's username and PIN (`close_day`) → export the final PDF
    → optionally the deposit data (`record_deposit`), exported again.

Each step is a method of `DayCloseWizard` that takes the current `DayCloseState` (and a
Session when it reads or writes the store) and returns the next one; states are frozen, so the
window may run a step on its worker thread and show the state it gets back. A refusal (a wrong
PIN, an open shift, bad deposit data) is carried in `state.error` and the step stays where it
was; only environment problems and bugs are raised (the window's one error route).

A step that writes runs its service in a savepoint of the caller's unit of work: a refused close
is rolled back and only what the refusal must still write (`KasirError.afterwards`: the wrong
PIN counted, the lockout, the journal's refusal) is kept, as `kasir.store.engine.writing` does
for a whole unit of work.

Rendering needs no Session: `preview` and `export` take a `progress(done, total)` callback, called
on whatever thread renders (the window relays it to its progress bar).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from kasir.config import data_dir
from kasir.domain.payment import method_label
from kasir.domain.settlement import DayFigures
from kasir.errors import KasirError, UserError, ValidationError
from kasir.money import format_rupiah, parse_rupiah
from kasir.services import settlement
from kasir.services.auth import Approval
from kasir.services.settlement import BlockingShift, DayStatus
from kasir.timeutil import business_date, local

T = TypeVar("T")
Progress = Callable[[int, int], None]
REPORTS_DIR = "laporan"  # under the data folder: where the final PDFs go by default


def default_folder() -> Path:
    return data_dir() / REPORTS_DIR


def pdf_name(day: dt.date, *, draft: bool = False) -> str:
    """`PNBP-2026-12-06.pdf`; the preview's `PNBP-2026-12-06-DRAF.pdf`."""
    return f"PNBP-{day:%Y-%m-%d}{'-DRAF' if draft else ''}.pdf"


class Step(enum.StrEnum):
    DATE = "date"
    CHECK = "check"
    PREVIEW = "preview"
    CONFIRM = "confirm"
    EXPORT = "export"
    DEPOSIT = "deposit"
    DONE = "done"


STEP_TITLES: dict[Step, str] = {
    Step.DATE: "1. Pilih tanggal",
    Step.CHECK: "2. Periksa shift dan angka hari ini",
    Step.PREVIEW: "3. Pratinjau laporan (DRAF)",
    Step.CONFIRM: "4. Konfirmasi manajer",
    Step.EXPORT: "5. Simpan laporan PDF",
    Step.DEPOSIT: "6. Data setoran (boleh nanti)",
    Step.DONE: "Selesai",
}


@dataclass(frozen=True)
class Backend:
    """The services and the renderer the wizard drives (passed in: tests give their own)."""

    day_status: Callable[[Session, dt.date], DayStatus]
    day_figures: Callable[[Session, dt.date], DayFigures]
    close_day: Callable[..., DayFigures]  # (session, day, credentials, *, now=None)
    record_deposit: Callable[..., DayFigures]  # (session, day, credentials, billing, ntpn, ...)
    render: Callable[..., int]  # (figures, out, *, progress=None) -> pages


def real_backend() -> Backend:
    from kasir.output import settlement_pdf  # ReportLab: loaded when a wizard is first opened

    return Backend(
        day_status=settlement.day_status,
        day_figures=settlement.day_figures,
        close_day=settlement.close_day,
        record_deposit=settlement.record_deposit,
        render=settlement_pdf.render_settlement,
    )


@dataclass(frozen=True)
class DayCloseState:
    step: Step
    day: dt.date
    folder: Path  # where the final PDF goes
    status: DayStatus | None = None
    figures: DayFigures | None = None
    preview: Path | None = None  # the PDF shown in the preview step
    pages: int = 0
    exported: Path | None = None  # the final PDF, once saved
    error: str = ""  # why the last action was refused (the step stayed)
    notice: str = ""  # what the last action did

    @property
    def title(self) -> str:
        return STEP_TITLES[self.step]

    @property
    def closed(self) -> bool:
        return self.figures is not None and not self.figures.draft

    @property
    def blocking(self) -> tuple[BlockingShift, ...]:
        return () if self.status is None else tuple(self.status.blocking)

    @property
    def can_go_on(self) -> bool:
        """From the check: no shift open on the day (a closed day has none)."""
        return self.figures is not None and (self.closed or not self.blocking)

    def blocking_lines(self) -> tuple[str, ...]:
        """The open shifts that block the close, per counter, in Indonesian."""
        return tuple(
            f"Meja {b.counter_code}: shift #{b.shift_id} {b.cashier_name}, dibuka "
            f"{local(b.opened_at):%d-%m-%Y %H:%M}, belum ditutup"
            for b in sorted(self.blocking, key=lambda b: (b.counter_code, b.shift_id))
        )

    def summary(self) -> tuple[tuple[str, str], ...]:
        """The day's figures in short: (label, amount) rows for the check step: the methods
        used, gross, refunds, cash rounding, net and the PNBP due."""
        f = self.figures
        if f is None:
            return ()
        rows = [
            (f"{method_label(m.method)} ({m.count}×)", format_rupiah(m.net))
            for m in f.methods
            if m.count or m.sales or m.refunds  # a method nobody paid with is left out
        ]
        t = f.totals
        rows += [
            ("Penjualan kotor", format_rupiah(t.gross)),
            ("Retur", format_rupiah(-t.refunds)),
            ("Pembulatan tunai", format_rupiah(t.rounding)),
            ("Penerimaan bersih", format_rupiah(t.net)),
            ("PNBP terutang", format_rupiah(t.pnbp)),
        ]
        return tuple(rows)

    def headline(self) -> str:
        """One line about the day: closed with its number, or open with its sales."""
        if self.figures is None:
            return ""
        if self.closed:
            return f"Hari {self.day:%d-%m-%Y} sudah ditutup: laporan nomor {self.figures.number}."
        count = (
            self.status.sales_count if self.status is not None else self.figures.totals.sales_count
        )
        return f"Hari {self.day:%d-%m-%Y} masih terbuka: {count} penjualan."


def _with(state: DayCloseState, **changes: Any) -> DayCloseState:
    return dataclasses.replace(state, **{"error": "", "notice": "", **changes})


def _refused(state: DayCloseState, message: str) -> DayCloseState:
    return dataclasses.replace(state, error=message, notice="")


def attempt(session: Session, work: Callable[[], T]) -> T | UserError:
    """`work()` in a savepoint; a user error is returned, its work rolled back and only its
    `afterwards` written (in the caller's transaction)."""
    savepoint = session.begin_nested()
    try:
        result = work()
    except UserError as exc:
        savepoint.rollback()
        record, exc.afterwards = exc.afterwards, None
        if record is not None:
            record(session)
        return exc
    savepoint.commit()
    return result


class DayCloseWizard:
    """The steps; holds no state of its own between them (see the module docstring)."""

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        work_dir: Path,
        folder: Path | None = None,
        today: Callable[[], dt.date] = business_date,
    ) -> None:
        self.backend = backend or real_backend()
        self.work_dir = work_dir  # the preview's PDF (a temporary folder of the window)
        self.folder = folder
        self.today = today

    def start(self, day: dt.date | None = None) -> DayCloseState:
        return DayCloseState(Step.DATE, day or self.today(), self.folder or default_folder())

    def choose(self, session: Session, state: DayCloseState, day: dt.date) -> DayCloseState:
        """DATE → CHECK: the day's status (open shifts) and its figures."""
        if day > self.today():
            return _refused(
                state, f"Tanggal {day:%d-%m-%Y} belum terjadi; pilih hari ini atau sebelumnya."
            )
        status = self.backend.day_status(session, day)
        figures = self.backend.day_figures(session, day)
        return _with(state, step=Step.CHECK, day=day, status=status, figures=figures,
                     preview=None, pages=0, exported=None)  # fmt: skip

    def recheck(self, session: Session, state: DayCloseState) -> DayCloseState:
        """CHECK again (a shift was closed meanwhile)."""
        return self.choose(session, state, state.day)

    def preview(self, state: DayCloseState, progress: Progress | None = None) -> DayCloseState:
        """CHECK → PREVIEW: the PDF as it is now (DRAFT while the day is open)."""
        if state.figures is None:
            return _refused(state, "Pilih tanggal dan periksa harinya dulu.")
        if not state.can_go_on:
            lines = "\n".join(state.blocking_lines())
            return _refused(state, f"Masih ada shift terbuka; tutup dulu:\n{lines}")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        out = self.work_dir / pdf_name(state.day, draft=state.figures.draft)
        pages, error = _render(self.backend, state.figures, out, progress)
        if error:
            return _refused(state, error)
        return _with(state, step=Step.PREVIEW, preview=out, pages=pages)

    def to_confirm(self, state: DayCloseState) -> DayCloseState:
        """PREVIEW → CONFIRM (a day closed already skips to EXPORT)."""
        if state.step is not Step.PREVIEW:
            return _refused(state, "Lihat pratinjau laporannya dulu.")
        return _with(state, step=Step.EXPORT if state.closed else Step.CONFIRM)

    def close(
        self,
        session: Session,
        state: DayCloseState,
        username: str,
        pin: str,
        *,
        now: dt.datetime | None = None,
    ) -> DayCloseState:
        """CONFIRM → EXPORT: `close_day` with the manager's username and PIN."""
        if state.step is not Step.CONFIRM:
            return _refused(state, "Periksa hari dan lihat pratinjaunya dulu.")
        if not username.strip():
            return _refused(state, "Nama pengguna manajer wajib diisi.")
        credentials = Approval(pin=pin, username=username.strip())
        outcome = attempt(
            session, lambda: self.backend.close_day(session, state.day, credentials, now=now)
        )
        if isinstance(outcome, UserError):
            return _refused(state, outcome.message)
        notice = f"Hari {state.day:%d-%m-%Y} ditutup: nomor {outcome.number}."
        return _with(state, step=Step.EXPORT, figures=outcome, status=None, notice=notice)

    def export(
        self, state: DayCloseState, folder: Path | None = None, progress: Progress | None = None
    ) -> DayCloseState:
        """EXPORT (or DEPOSIT, again) → DEPOSIT: the final PDF saved in `folder`."""
        if state.figures is None or not state.closed:
            return _refused(state, "Laporan final hanya untuk hari yang sudah ditutup.")
        folder = folder or state.folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return _refused(state, f"Folder {folder} tidak dapat dibuat: {exc.strerror or exc}.")
        out = folder / pdf_name(state.day)  # written whole or not at all (render_settlement)
        pages, error = _render(self.backend, state.figures, out, progress)
        if error:
            return _refused(state, error)
        return _with(state, step=Step.DEPOSIT, folder=folder, exported=out, pages=pages,
                     notice=f"Laporan disimpan: {out} ({pages} halaman).")  # fmt: skip

    def deposit(
        self,
        session: Session,
        state: DayCloseState,
        username: str,
        pin: str,
        *,
        kode_billing: str,
        ntpn: str,
        deposit_date: dt.date,
        amount: str,
    ) -> DayCloseState:
        """DEPOSIT → EXPORT: the deposit data recorded; the PDF is to be exported again."""
        if state.step is not Step.DEPOSIT or not state.closed:
            return _refused(state, "Data setoran hanya untuk hari yang sudah ditutup.")
        try:
            rupiah = parse_rupiah(amount)
        except ValidationError as exc:
            return _refused(state, f"Jumlah setoran: {exc.message}")
        credentials = Approval(pin=pin, username=username.strip() or None)
        backend = self.backend
        outcome = attempt(
            session,
            lambda: backend.record_deposit(
                session, state.day, credentials, kode_billing.strip(), ntpn.strip(),
                deposit_date, rupiah,
            ),
        )  # fmt: skip
        if isinstance(outcome, UserError):
            return _refused(state, outcome.message)
        return _with(state, step=Step.EXPORT, figures=outcome,
                     notice="Data setoran tersimpan.")  # fmt: skip

    def finish(self, state: DayCloseState) -> DayCloseState:
        if state.exported is None:
            return _refused(state, "Simpan laporan PDF-nya dulu.")
        return _with(state, step=Step.DONE, notice=f"Selesai. Laporan: {state.exported}")

    def back(self, state: DayCloseState) -> DayCloseState:
        """One step back, where going back makes sense (never back past a day close)."""
        before = {
            Step.CHECK: Step.DATE,
            Step.PREVIEW: Step.CHECK,
            Step.CONFIRM: Step.PREVIEW,
            Step.DEPOSIT: Step.EXPORT,
        }.get(state.step)
        if before is None:
            return _refused(state, "Tidak bisa kembali dari langkah ini.")
        return _with(state, step=before)


def _render(
    backend: Backend, figures: DayFigures, out: Path, progress: Progress | None
) -> tuple[int, str]:
    """(pages, "") or (0, why it could not be written: a folder the manager can change)."""
    try:
        return backend.render(figures, out, progress=progress), ""
    except KasirError as exc:  # SettlementWriteFailed: read-only folder, disk full
        return 0, exc.message
    except OSError as exc:
        return 0, f"PDF tidak dapat ditulis ke {out.parent}: {exc.strerror or exc}."
