"""The day-close wizard's steps without Qt: blocked by an open shift, a refused PIN stays in the
step with the message (and the refusal's own writes kept, the rest rolled back), the draft
preview and the final export, the deposit exported again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.settlement import DayFigures, Deposit, Header, MethodRow, Totals
from kasir.errors import ApprovalRequired, NotAllowed
from kasir.flows.dayclose import Backend, DayCloseState, DayCloseWizard, Step, pdf_name
from kasir.services.auth import Approval
from kasir.store.engine import writing
from kasir.store.models import User
from kasir.timeutil import JAKARTA

DAY = dt.date(2026, 12, 6)
OPENED = dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)  # 08:00 in Jakarta


# --- thin fakes of kasir.services.settlement and kasir.output.settlement_pdf ------------------


@dataclasses.dataclass(frozen=True)
class _Blocking:
    shift_id: int
    counter_code: str
    cashier_name: str
    opened_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class _Status:
    day: dt.date
    closed: bool
    number: str | None
    blocking: tuple[_Blocking, ...]
    sales_count: int


class FakeStore:
    """The day as the fake services see it: open shifts, closed or not, a deposit."""

    def __init__(self) -> None:
        self.open_shifts = [_Blocking(7, "K02", "Sari Wulandari", OPENED)]
        self.number: str | None = None
        self.deposit: Deposit | None = None
        self.rendered: list[tuple[Path, bool]] = []

    def figures(self, day: dt.date) -> DayFigures:
        header = Header("Kementerian", "Ditjenpas", "Satker", "Kawasan", "Jl.", "425111")
        totals = Totals(gross=150_000, refunds=25_000, net=125_000, pnbp=125_000, sales_count=3)
        methods = (
            MethodRow("tunai", 100_000, 25_000, 75_000, 2),
            MethodRow("qris", 50_000, 0, 50_000, 1),
        )
        return DayFigures(day, header, totals, number=self.number, methods=methods,
                          deposit=self.deposit)  # fmt: skip

    def backend(self) -> Backend:
        def day_status(session: Session, day: dt.date) -> _Status:
            return _Status(day, self.number is not None, self.number, tuple(self.open_shifts), 3)

        def close_day(
            session: Session, day: dt.date, credentials: Approval, *, now: Any = None
        ) -> DayFigures:
            manager = session.scalar(select(User).where(User.username == credentials.username))
            assert manager is not None
            manager.full_name = "half-written"  # a write the refusal must roll back
            if credentials.pin != "3333":
                user_id = manager.id

                def count(s: Session) -> None:
                    u = s.get(User, user_id)
                    assert u is not None
                    u.failed_pins = (u.failed_pins or 0) + 1

                exc = ApprovalRequired("PIN manajer salah.")
                exc.afterwards = count
                raise exc
            if self.open_shifts:
                raise NotAllowed("Masih ada shift terbuka.")
            manager.full_name = "Dewi Lestari"
            self.number = f"PNBP/{day:%Y%m%d}/001"
            return self.figures(day)

        def record_deposit(
            session: Session, day: dt.date, credentials: Approval, kode_billing: str, ntpn: str,
            deposit_date: dt.date, amount: int,
        ) -> DayFigures:  # fmt: skip
            if len(kode_billing) != 15:
                raise NotAllowed("Kode billing harus 15 angka.")
            self.deposit = Deposit(kode_billing, ntpn, deposit_date, amount)
            return self.figures(day)

        def render(figures: DayFigures, out: Path, *, progress: Any = None) -> int:
            for done in range(1, 4):
                if progress is not None:
                    progress(done, 3)
            out.write_text(f"{figures.number or 'DRAFT'} {figures.deposit}")
            self.rendered.append((out, figures.draft))
            return 3

        return Backend(day_status, lambda s, d: self.figures(d), close_day, record_deposit, render)


@pytest.fixture
def fake() -> FakeStore:
    return FakeStore()


@pytest.fixture
def wizard(fake: FakeStore, tmp_path: Path) -> DayCloseWizard:
    return DayCloseWizard(fake.backend(), work_dir=tmp_path / "work", folder=tmp_path / "out",
                          today=lambda: DAY)  # fmt: skip


def checked(wizard: DayCloseWizard, factory: sessionmaker[Session]) -> DayCloseState:
    with writing(factory) as session:
        return wizard.choose(session, wizard.start(), DAY)


# --- the steps --------------------------------------------------------------------------------


def test_the_wizard_starts_on_todays_business_date(tmp_path: Path) -> None:
    state = DayCloseWizard(Backend(*[None] * 5), work_dir=tmp_path).start()  # type: ignore[arg-type]
    assert state.step is Step.DATE
    assert state.day == dt.datetime.now(JAKARTA).date()
    assert state.folder.name == "laporan"


def test_an_open_shift_blocks_and_is_listed_per_counter(
    wizard: DayCloseWizard, fake: FakeStore, demo_sqlite: sessionmaker[Session]
) -> None:
    state = checked(wizard, demo_sqlite)
    assert state.step is Step.CHECK and not state.can_go_on
    assert state.blocking_lines() == (
        "Meja K02: shift #7 Sari Wulandari, dibuka 06-12-2026 08:00, belum ditutup",
    )
    assert dict(state.summary())["PNBP terutang"] == "Rp 125.000"
    assert dict(state.summary())["Tunai (2×)"] == "Rp 75.000"
    assert [label for label, _ in state.summary()][:3] == [
        "Tunai (2×)",
        "QRIS (1×)",
        "Penjualan kotor",
    ]
    assert state.headline() == "Hari 06-12-2026 masih terbuka: 3 penjualan."
    refused = wizard.preview(state)
    assert refused.step is Step.CHECK
    assert "Meja K02: shift #7" in refused.error and fake.rendered == []

    fake.open_shifts.clear()  # the shift is closed at its counter
    with writing(demo_sqlite) as session:
        again = wizard.recheck(session, refused)
    assert again.can_go_on and again.error == "" and again.blocking_lines() == ()


def test_a_future_date_is_refused(
    wizard: DayCloseWizard, demo_sqlite: sessionmaker[Session]
) -> None:
    with writing(demo_sqlite) as session:
        state = wizard.choose(session, wizard.start(), DAY + dt.timedelta(days=1))
    assert state.step is Step.DATE and "belum terjadi" in state.error


def test_preview_close_export_and_deposit(
    wizard: DayCloseWizard, fake: FakeStore, demo_sqlite: sessionmaker[Session], tmp_path: Path
) -> None:
    fake.open_shifts.clear()
    seen: list[tuple[int, int]] = []
    state = wizard.preview(checked(wizard, demo_sqlite), progress=lambda d, t: seen.append((d, t)))
    assert state.step is Step.PREVIEW and state.pages == 3 and seen == [(1, 3), (2, 3), (3, 3)]
    assert state.preview == tmp_path / "work" / "PNBP-2026-12-06-DRAF.pdf"
    assert state.preview.read_text().startswith("DRAFT") and fake.rendered[-1][1] is True

    state = wizard.to_confirm(state)
    assert state.step is Step.CONFIRM
    with writing(demo_sqlite) as session:
        state = wizard.close(session, state, "manajer", "3333")
    assert state.step is Step.EXPORT and state.closed and state.error == ""
    assert "PNBP/20261206/001" in state.notice

    state = wizard.export(state)
    assert state.step is Step.DEPOSIT
    assert state.exported == tmp_path / "out" / "PNBP-2026-12-06.pdf"
    assert state.exported.read_text().startswith("PNBP/20261206/001")
    assert not list((tmp_path / "out").glob("*.part"))

    ntpn = "ABCDEF0123456789"
    with writing(demo_sqlite) as session:
        bad = wizard.deposit(session, state, "manajer", "3333", kode_billing="12345678901234",
                             ntpn=ntpn, deposit_date=DAY, amount="125.000")  # fmt: skip
    assert bad.step is Step.DEPOSIT and bad.error == "Kode billing harus 15 angka."
    with writing(demo_sqlite) as session:
        bad = wizard.deposit(session, state, "manajer", "3333", kode_billing="123456789012345",
                             ntpn=ntpn, deposit_date=DAY, amount="-5")  # fmt: skip
    assert bad.step is Step.DEPOSIT and bad.error.startswith("Jumlah setoran:")
    with writing(demo_sqlite) as session:
        state = wizard.deposit(session, bad, "manajer", "3333", kode_billing="123456789012345",
                               ntpn=ntpn, deposit_date=DAY, amount="125.000")  # fmt: skip
    assert state.step is Step.EXPORT and state.error == ""
    assert state.figures is not None and state.figures.deposit is not None
    assert state.figures.deposit.amount == 125_000
    state = wizard.export(state)
    assert state.exported is not None and "123456789012345" in state.exported.read_text()
    assert wizard.finish(state).step is Step.DONE


def test_a_wrong_pin_stays_with_the_message_and_only_the_refusal_is_written(
    wizard: DayCloseWizard, fake: FakeStore, demo_sqlite: sessionmaker[Session]
) -> None:
    fake.open_shifts.clear()
    state = wizard.to_confirm(wizard.preview(checked(wizard, demo_sqlite)))
    with writing(demo_sqlite) as session:
        refused = wizard.close(session, state, "manajer", "0000")
    assert refused.step is Step.CONFIRM and refused.error == "PIN manajer salah."
    assert not refused.closed and fake.number is None
    with demo_sqlite() as session:
        manager = session.scalar(select(User).where(User.username == "manajer"))
        assert manager is not None
        assert manager.full_name == "Dewi Lestari"  # the refused work rolled back
        assert manager.failed_pins == 1  # the refusal's afterwards kept
    with writing(demo_sqlite) as session:
        empty = wizard.close(session, refused, "  ", "3333")
    assert empty.error == "Nama pengguna manajer wajib diisi."


def test_steps_out_of_order_are_refused(
    wizard: DayCloseWizard, demo_sqlite: sessionmaker[Session]
) -> None:
    start = wizard.start()
    assert wizard.preview(start).error
    assert wizard.to_confirm(start).error
    assert wizard.export(start).error == "Laporan final hanya untuk hari yang sudah ditutup."
    assert wizard.finish(start).error
    assert wizard.back(start).error
    state = checked(wizard, demo_sqlite)
    assert wizard.back(state).step is Step.DATE


def test_an_unwritable_folder_is_a_message(
    wizard: DayCloseWizard, fake: FakeStore, demo_sqlite: sessionmaker[Session], tmp_path: Path
) -> None:
    fake.open_shifts.clear()
    fake.number = "PNBP/20261206/001"  # closed already: the preview goes straight to export
    state = wizard.to_confirm(wizard.preview(checked(wizard, demo_sqlite)))
    assert state.step is Step.EXPORT and state.headline().endswith("nomor PNBP/20261206/001.")
    blocker = tmp_path / "file"
    blocker.write_text("")
    refused = wizard.export(state, folder=blocker / "sub")
    assert refused.step is Step.EXPORT and "tidak dapat dibuat" in refused.error


def test_pdf_names() -> None:
    assert pdf_name(DAY) == "PNBP-2026-12-06.pdf"
    assert pdf_name(DAY, draft=True) == "PNBP-2026-12-06-DRAF.pdf"
