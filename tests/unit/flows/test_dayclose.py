"""The day-close wizard's steps without Qt, on a real store with the real settlement services and
PDF: blocked by an open shift (listed per counter), a refused PIN stays in the step with the
message (only the refusal is written), the draft preview with progress and the final export read
back with pdftotext, the deposit recorded and exported again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
from pathlib import Path

import pytest
from journal_helpers import day as sell_a_day
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import NOW, open_till

from kasir.domain.settlement import DayFigures
from kasir.flows.dayclose import DayCloseState, DayCloseWizard, Step, pdf_name, real_backend
from kasir.output.settlement_pdf import SettlementWriteFailed
from kasir.services.shifts import close_shift, current_shift
from kasir.store.engine import writing
from kasir.store.models import DayClose, User
from kasir.timeutil import JAKARTA, business_date

DAY = business_date(NOW)  # 22-11-2026, the day journal_helpers sells
LATER = NOW + dt.timedelta(days=1)  # when the manager closes it (the deposit may be dated then)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def wizard(tmp_path: Path) -> DayCloseWizard:
    return DayCloseWizard(work_dir=tmp_path / "work", folder=tmp_path / "out",
                          today=lambda: business_date(LATER))  # fmt: skip


@pytest.fixture
def sold(demo_sqlite: sessionmaker[Session]) -> sessionmaker[Session]:
    """Four sales (one voided) and a refund at K01, its shift closed."""
    sell_a_day(demo_sqlite)
    return demo_sqlite


def checked(wizard: DayCloseWizard, factory: sessionmaker[Session]) -> DayCloseState:
    with writing(factory) as session:
        return wizard.choose(session, wizard.start(), DAY)


def close(
    wizard: DayCloseWizard, factory: sessionmaker[Session], state: DayCloseState, pin: str
) -> DayCloseState:
    with writing(factory) as session:
        return wizard.close(session, state, "manajer", pin, now=LATER)


def day_closes(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return s.scalar(select(func.count(DayClose.id))) or 0


def test_the_wizard_starts_on_todays_business_date(tmp_path: Path) -> None:
    state = DayCloseWizard(real_backend(), work_dir=tmp_path).start()
    assert state.step is Step.DATE
    assert state.day == dt.datetime.now(JAKARTA).date()
    assert state.folder.name == "laporan" and state.folder.parent.name == "data"


def test_an_open_shift_blocks_and_is_listed_per_counter(
    wizard: DayCloseWizard, sold: sessionmaker[Session]
) -> None:
    till = open_till(sold, "K02", "kasir2", now=NOW)
    state = checked(wizard, sold)
    assert state.step is Step.CHECK and not state.can_go_on
    (line,) = state.blocking_lines()
    assert line.startswith("Meja K02: shift #") and "10:00, belum ditutup" in line
    refused = wizard.preview(state)
    assert refused.step is Step.CHECK and "Meja K02: shift #" in refused.error
    assert not (wizard.work_dir / pdf_name(DAY, draft=True)).exists()

    with sold.begin() as s:  # the shift is closed at its counter
        shift = current_shift(s, till.counter_id)
        assert shift is not None
        close_shift(s, shift.id, 200_000, till.user_id, now=NOW)
    with writing(sold) as session:
        again = wizard.recheck(session, refused)
    assert again.can_go_on and again.error == "" and again.blocking_lines() == ()


def test_the_summary_is_the_services_figures(
    wizard: DayCloseWizard, sold: sessionmaker[Session]
) -> None:
    state = checked(wizard, sold)
    assert state.figures is not None and state.status is not None
    t = state.figures.totals
    summary = dict(state.summary())
    assert summary["PNBP terutang"] == f"Rp {t.pnbp:,}".replace(",", ".")
    assert summary["Penerimaan bersih"] == f"Rp {t.net:,}".replace(",", ".")
    assert "QRIS (1×)" in summary and not any(k.startswith("Transfer") for k in summary)
    assert (
        state.headline() == f"Hari 22-11-2026 masih terbuka: {state.status.sales_count} penjualan."
    )


def test_a_future_date_is_refused(wizard: DayCloseWizard, sold: sessionmaker[Session]) -> None:
    with writing(sold) as session:
        state = wizard.choose(session, wizard.start(), business_date(LATER) + dt.timedelta(days=1))
    assert state.step is Step.DATE and "belum terjadi" in state.error


def test_preview_close_export_and_deposit(
    wizard: DayCloseWizard, sold: sessionmaker[Session], tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    state = wizard.preview(checked(wizard, sold), progress=lambda d, t: seen.append((d, t)))
    assert state.step is Step.PREVIEW and state.pages >= 1, state.error
    assert seen and seen[-1][0] == seen[-1][1]
    assert state.preview == tmp_path / "work" / "PNBP-2026-11-22-DRAF.pdf"
    assert "DRAFT" in pdf_text(state.preview)

    state = wizard.to_confirm(state)
    assert state.step is Step.CONFIRM
    state = close(wizard, sold, state, "3333")
    assert state.step is Step.EXPORT and state.closed and state.error == ""
    assert state.figures is not None and state.figures.number is not None
    number = state.figures.number
    assert number in state.notice and day_closes(sold) == 1

    state = wizard.export(state)
    assert state.step is Step.DEPOSIT
    assert state.exported == tmp_path / "out" / "PNBP-2026-11-22.pdf"
    text = pdf_text(state.exported)
    assert number in text and "DRAFT" not in text
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["PNBP-2026-11-22.pdf"]

    due = state.figures.totals.pnbp
    billing, ntpn = "123456789012345", "ABCDEF0123456789"

    def deposit(state: DayCloseState, billing: str, amount: str) -> DayCloseState:
        with writing(sold) as session:
            return wizard.deposit(session, state, "manajer", "3333", kode_billing=billing,
                                  ntpn=ntpn, deposit_date=DAY, amount=amount)  # fmt: skip

    bad = deposit(state, billing[:-1], str(due))
    assert bad.step is Step.DEPOSIT and "billing" in bad.error.lower()
    bad = deposit(state, billing, "-5")
    assert bad.step is Step.DEPOSIT and bad.error.startswith("Jumlah setoran:")
    bad = deposit(state, billing, str(due + 1))
    assert bad.step is Step.DEPOSIT and "tidak sama" in bad.error
    state = deposit(bad, billing, f"Rp {due:,}".replace(",", "."))
    assert state.step is Step.EXPORT and state.error == "", state.error
    assert isinstance(state.figures, DayFigures) and state.figures.deposit is not None
    assert state.figures.deposit.amount == due
    state = wizard.export(state)
    assert state.exported is not None
    text = pdf_text(state.exported)
    assert billing in text and ntpn in text and number in text
    assert wizard.finish(state).step is Step.DONE


def test_a_wrong_pin_stays_with_the_message_and_only_the_refusal_is_written(
    wizard: DayCloseWizard, sold: sessionmaker[Session]
) -> None:
    state = wizard.to_confirm(wizard.preview(checked(wizard, sold)))
    refused = close(wizard, sold, state, "0000")
    assert refused.step is Step.CONFIRM and refused.error and not refused.closed
    assert "PIN" in refused.error
    assert day_closes(sold) == 0
    with sold() as session:
        manager = session.scalar(select(User).where(User.username == "manajer"))
        assert manager is not None and manager.failed_pins == 1  # the refusal is kept
    with writing(sold) as session:
        empty = wizard.close(session, refused, "  ", "3333")
    assert empty.error == "Nama pengguna manajer wajib diisi."
    assert close(wizard, sold, refused, "3333").closed


def test_a_closed_day_goes_straight_to_export(
    wizard: DayCloseWizard, sold: sessionmaker[Session], tmp_path: Path
) -> None:
    close(wizard, sold, wizard.to_confirm(wizard.preview(checked(wizard, sold))), "3333")
    state = checked(wizard, sold)  # opened again for the same day
    assert state.closed and state.can_go_on and state.headline().startswith("Hari 22-11-2026 sudah")
    state = wizard.to_confirm(wizard.preview(state))
    assert state.step is Step.EXPORT
    blocker = tmp_path / "file"
    blocker.write_text("")
    refused = wizard.export(state, folder=blocker / "sub")
    assert refused.step is Step.EXPORT and "tidak dapat dibuat" in refused.error


def test_steps_out_of_order_are_refused(
    wizard: DayCloseWizard, sold: sessionmaker[Session]
) -> None:
    start = wizard.start()
    assert wizard.preview(start).error
    assert wizard.to_confirm(start).error
    assert wizard.export(start).error == "Laporan final hanya untuk hari yang sudah ditutup."
    assert wizard.finish(start).error
    assert wizard.back(start).error
    state = checked(wizard, sold)
    assert wizard.back(state).step is Step.DATE
    with writing(sold) as session:
        assert wizard.close(session, state, "manajer", "3333").error
    assert day_closes(sold) == 0


def test_pdf_names() -> None:
    assert pdf_name(dt.date(2026, 12, 6)) == "PNBP-2026-12-06.pdf"
    assert pdf_name(dt.date(2026, 12, 6), draft=True) == "PNBP-2026-12-06-DRAF.pdf"


def test_a_pdf_that_cannot_be_written_is_a_message(
    sold: sessionmaker[Session], tmp_path: Path
) -> None:
    def disk_full(figures: DayFigures, out: Path, *, progress: object = None) -> int:
        raise SettlementWriteFailed(f"Laporan PDF tidak dapat ditulis ke {out}: disk penuh")

    backend = dataclasses.replace(real_backend(), render=disk_full)
    wizard = DayCloseWizard(backend, work_dir=tmp_path / "work", folder=tmp_path / "out",
                            today=lambda: business_date(LATER))  # fmt: skip
    state = checked(wizard, sold)
    refused = wizard.preview(state)
    assert refused.step is Step.CHECK and refused.error.endswith("disk penuh")
