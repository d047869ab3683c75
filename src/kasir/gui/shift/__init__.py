"""The cashier's shift keys on the sale screen (issue 19).

- Ctrl+F12 Tutup shift: the blind count by denomination, then expected vs counted and the
  difference (a reason when not zero), confirm; the shift closes and its Z report is queued in
  the same unit of work; the app goes back to the login.
- Ctrl+K Kas masuk / keluar: kind, amount, reason, a supervisor's PIN.
- Shift+F12 Laporan X: the shift's figures so far, queued for the printer and shown in the
  receipt preview; the shift stays open.

Every store call runs on the worker through the screen's `Actions` (in order with the keys
before it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog
from sqlalchemy.orm import Session

from kasir.domain.cash_count import CashCount
from kasir.errors import KasirError
from kasir.gui.ops import Change, describe_error
from kasir.gui.shift.cash_move import CashMoveDialog
from kasir.gui.shift.close import ShiftCloseDialog
from kasir.money import format_rupiah
from kasir.output.shift_report import queue_shift_report, report_text
from kasir.services import printing as printing_service
from kasir.services import shifts
from kasir.services.auth import Approval
from kasir.services.cash import CashMoved, record_cash_movement
from kasir.services.shift_report import shift_report

if TYPE_CHECKING:
    from kasir.gui.sale.screen import SaleScreen

CLOSE_KEY, CASH_KEY, X_KEY = "Ctrl+F12", "Ctrl+K", "Shift+F12"


class ShiftKeys:
    def __init__(self, screen: SaleScreen) -> None:
        self.screen = screen
        self.close_dialog: ShiftCloseDialog | None = None
        self.cash_dialog: CashMoveDialog | None = None
        screen.add_key(CLOSE_KEY, self.close_shift)
        screen.add_key(CASH_KEY, self.cash_move)
        screen.add_key(X_KEY, self.x_report)

    def _shift_id(self, session: Session) -> int:
        till = self.screen.till
        if till.shift_id is not None:
            return till.shift_id
        shift = shifts.current_shift(session, till.counter_id)
        if shift is None:
            raise KasirError(f"Meja {till.counter_code} tidak punya shift terbuka.")
        return shift.id

    # --- Tutup shift ----------------------------------------------------------------------------

    def close_shift(self) -> None:
        screen = self.screen
        if screen.waiting_scans():
            return
        state = screen.state
        if state is not None and not state.empty:
            screen.say(
                "Keranjang masih berisi: selesaikan, simpan (F8) atau batalkan dulu, lalu "
                f"{CLOSE_KEY} untuk menutup shift.",
                error=True,
            )
            return
        till = screen.till
        dialog = ShiftCloseDialog(screen, till.shift_id or 0, till.user_name)
        self.close_dialog = dialog
        dialog.count_entered.connect(lambda count: self._check(dialog, count))
        dialog.confirmed.connect(lambda count, reason: self._close(dialog, count, reason))
        screen.open_dialog(dialog)
        dialog.fields[0].setFocus()

    def _check(self, dialog: ShiftCloseDialog, count: CashCount) -> None:
        def check(s: Session) -> shifts.CountCheck:
            return shifts.check_count(s, self._shift_id(s), count)

        self.screen.work.read(
            check, dialog.show_check, refused=lambda e: dialog.show_error(e.message)
        )

    def _close(self, dialog: ShiftCloseDialog, count: CashCount, reason: str) -> None:
        screen = self.screen
        till, printer = screen.till, screen.printing

        def close(s: Session) -> shifts.ShiftView:
            done = shifts.close_shift(
                s, self._shift_id(s), count, till.user_id, reason=reason or None
            )
            if printer is not None and printer.enabled:  # the Z report with the close
                queue_shift_report(s, done.id, counter_id=till.counter_id, user_id=till.user_id)
            return done

        def closed(done: shifts.ShiftView) -> None:
            if printer is not None:
                printer.wake()
            self.close_dialog = None
            dialog.done(QDialog.DialogCode.Accepted)
            diff = done.difference or 0
            verdict = (
                "tanpa selisih"
                if diff == 0
                else f"{'lebih' if diff > 0 else 'kurang'} {format_rupiah(abs(diff))}"
            )
            printed = (
                " Laporan Z masuk antrean cetak." if printer is not None and printer.enabled else ""
            )
            screen.logout_requested.emit(
                f"Shift #{done.id} ditutup: dihitung {format_rupiah(done.counted_cash or 0)}, "
                f"{verdict}.{printed}"
            )

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, KasirError):
                dialog.show_error(describe_error(exc))

        screen.work.write(
            close,
            closed,
            refused=lambda e: dialog.show_error(e.message),
            failed=failed,
            changes=Change.SHIFT,
        )

    # --- Kas masuk / keluar ---------------------------------------------------------------------

    def cash_move(self) -> None:
        screen = self.screen
        dialog = CashMoveDialog(screen)
        self.cash_dialog = dialog
        dialog.entered.connect(
            lambda kind, amount, reason: self._move(dialog, kind, amount, reason)
        )
        screen.open_dialog(dialog)
        dialog.kind.setFocus()

    def _move(self, dialog: CashMoveDialog, kind: str, amount: int, reason: str) -> None:
        screen, till = self.screen, self.screen.till

        def act(s: Session, approval: Approval | None) -> CashMoved:
            return record_cash_movement(
                s, self._shift_id(s), till.user_id, kind, amount, reason, approval
            )

        def done(moved: CashMoved) -> None:
            self.cash_dialog = None
            dialog.done(QDialog.DialogCode.Accepted)
            screen.say(f"{moved.describe()} dicatat.")

        screen.work.approved(act, done, tell=dialog.show_error, changes=Change.SHIFT)

    # --- Laporan X ------------------------------------------------------------------------------

    def x_report(self) -> None:
        screen = self.screen
        till, printer = screen.till, screen.printing
        width = int(screen.settings.get("receipt_width", 32))

        def make(s: Session) -> str:
            shift_id = self._shift_id(s)
            if printer is not None and printer.enabled:
                queue_shift_report(s, shift_id, counter_id=till.counter_id, user_id=till.user_id)
            store_name = printing_service.receipt_setup(s).store_name
            return report_text(shift_report(s, shift_id), store_name, width)

        def done(text: str) -> None:
            screen.receipt.setPlainText(text)
            if printer is not None and printer.enabled:
                printer.wake()
                screen.say("Laporan X masuk antrean cetak; shift tetap berjalan.")
            else:
                screen.say("Laporan X di pratinjau struk (meja ini tanpa printer).")

        screen.work.write(make, done)
