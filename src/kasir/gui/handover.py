"""The handover: the drawer of a shift left open at this counter (another cashier's, or one of
an earlier day) is counted and the shift closed before the next cashier opens their own.

A typo never closes a shift: the count is shown against what the drawer should hold (and the
difference) and confirmed with a second Enter, or corrected. Another cashier's shift closes with
a supervisor's PIN (`kasir.services.shifts.close_needs_approval`; the service checks it and
records who approved); a wrong PIN stays in the PIN dialog to be typed again, Esc there goes
back to the count, Esc on the count cancels the handover.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kasir.errors import ApprovalRequired, KasirError
from kasir.gui.dialogs import AmountDialog, SupervisorDialog, big_font
from kasir.gui.ops import Change, Ops, describe_error
from kasir.money import format_rupiah
from kasir.services import shifts
from kasir.services.auth import Approval, UserView
from kasir.services.shifts import CountCheck, ShiftView
from kasir.timeutil import business_date


class HandoverDialog(AmountDialog):
    """Count the drawer of a shift left open (another cashier's, or an earlier day's) and close it.

    Two steps, so a typo never closes a shift: Enter with the amount asks the store what the
    drawer should hold (`count_entered`) and shows the count against it (`show_check`); Enter
    again on the same amount confirms (`confirmed`). Changing the amount, or Esc, goes back to
    the count; Esc while counting cancels the handover (`rejected`)."""

    count_entered = Signal(int)
    confirmed = Signal(int)

    def __init__(self, parent: QWidget | None, shift: ShiftView, *, supervisor: bool) -> None:
        if shift.business_date != business_date():
            where = f"dari tanggal {shift.business_date:%d-%m-%Y} masih terbuka"
        else:
            where = "masih terbuka di meja ini"
        needs = (
            "\nMenutup shift kasir lain perlu persetujuan supervisor (PIN)." if supervisor else ""
        )
        super().__init__(
            parent,
            "Tutup shift lama",
            f"Shift #{shift.id} ({shift.cashier_name}) {where}.\n"
            f"Hitung uang di laci, ketik jumlahnya, lalu Enter untuk menutup shift itu:{needs}",
            pad=True,
        )
        self.shift = shift
        self.supervisor = supervisor
        self.checked: CountCheck | None = None
        self.check = QLabel()  # the figures, aligned in a fixed-width font
        figures = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        figures.setPointSize(15)
        figures.setBold(True)
        self.check.setFont(figures)
        self.check_hint = QLabel()  # what Enter does now, and how to correct
        self.check_hint.setFont(big_font(12))
        self.check_hint.setWordWrap(True)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        at = layout.indexOf(self.edit) + 1
        layout.insertWidget(at, self.check)
        layout.insertWidget(at + 1, self.check_hint)
        self.uncheck()
        self.edit.textEdited.connect(lambda _text: self.uncheck())

    def _try_accept(self) -> None:
        try:
            counted = self.parse(self.edit.text())
        except KasirError as exc:
            self.show_error(exc.message)
            return
        self.error.clear()
        self.value = counted
        if self.checked is not None and self.checked.counted == counted:
            self.confirmed.emit(counted)
        else:
            self.count_entered.emit(counted)

    def show_check(self, check: CountCheck) -> None:
        """The count against the expected: Enter confirms, any change goes back."""
        if check.counted != self.value:
            return  # an answer to an amount typed before
        self.checked = check
        then = (
            "Enter: minta PIN supervisor untuk menutup shift."
            if self.supervisor
            else "Enter: tutup shift."
        )
        self.check.setText(check.describe())
        self.check.setStyleSheet("" if check.difference == 0 else "color: #b00020;")
        self.check_hint.setText(
            f"Benar? {then}\nSalah ketik? Ubah jumlahnya (atau Esc), lalu Enter."
        )
        self.check.show()
        self.check_hint.show()
        self.edit.setFocus()

    def uncheck(self) -> None:
        self.checked = None
        for label in (self.check, self.check_hint):
            label.clear()
            label.hide()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.edit.selectAll()
        self.edit.setFocus()

    def reject(self) -> None:
        """Esc on the check goes back to correct the count; Esc while counting cancels."""
        if self.checked is not None:
            self.uncheck()
            self.edit.selectAll()
            self.edit.setFocus()
            return
        super().reject()


class Handover(QObject):
    """One handover, from the count to the closed shift: `closed(ShiftView)` when the shift
    is closed, `cancelled()` when the count is given up, `failed(exc)` when the store could not
    answer (never read as a refusal)."""

    closed = Signal(object)
    cancelled = Signal()
    failed = Signal(object)

    def __init__(
        self, ops: Ops, shift: ShiftView, user: UserView, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.shift = shift
        self.user = user
        supervisor = shifts.close_needs_approval(shift.cashier_id, user.id, user.role)
        self.dialog = HandoverDialog(None, shift, supervisor=supervisor)
        self.approval: SupervisorDialog | None = None  # the supervisor's PIN, while asked
        self.dialog.count_entered.connect(self._check_count)
        self.dialog.confirmed.connect(self._confirmed)
        self.dialog.rejected.connect(self.cancelled.emit)

    def start(self) -> None:
        self.dialog.show()
        self.dialog.edit.setFocus()

    def _check_count(self, counted: int) -> None:
        shift_id, dialog = self.shift.id, self.dialog
        op = self.ops.read(lambda s: shifts.check_count(s, shift_id, counted))
        op.success(dialog.show_check)
        op.failure(lambda exc: dialog.show_error(describe_error(exc))).run()

    def _confirmed(self, counted: int) -> None:
        check = self.dialog.checked
        if not self.dialog.supervisor or check is None:
            self._close(counted, None)
            return
        shift = self.shift
        approval = SupervisorDialog(
            self.dialog,
            f"Tutup shift #{shift.id} ({shift.cashier_name}): dihitung "
            f"{format_rupiah(check.counted)}, seharusnya {format_rupiah(check.expected)}, "
            f"selisih {format_rupiah(check.difference)}.",
            retry=True,
        )
        approval.submitted.connect(lambda: self._close(counted, approval))
        approval.rejected.connect(lambda: self._approval_cancelled(approval))
        self.approval = approval
        approval.show()  # the name field has the focus (the PIN field once a name is there)

    def _approval_cancelled(self, approval: SupervisorDialog) -> None:
        """Esc in the supervisor's PIN: back to the count, to check or correct it."""
        if self.approval is approval:
            self.approval = None
        self.dialog.activateWindow()  # a closing dialog does not always hand it back
        self.dialog.edit.selectAll()
        self.dialog.edit.setFocus()

    def _close(self, counted: int, approval: SupervisorDialog | None) -> None:
        shift_id, user_id = self.shift.id, self.user.id
        given = approval.value if approval is not None else None
        assert given is None or isinstance(given, Approval)
        op = self.ops.write(
            lambda s: shifts.close_shift(s, shift_id, counted, user_id, approval=given),
            Change.SHIFT,
        )
        op.success(self._closed).failure(lambda exc: self._refused(exc, approval)).run()

    def _closed(self, done: ShiftView) -> None:
        self.finish()
        self.closed.emit(done)

    def _refused(self, exc: BaseException, approval: SupervisorDialog | None) -> None:
        if isinstance(exc, ApprovalRequired) and approval is not None:
            approval.show_error(exc.message)  # a wrong PIN: typed again
            return
        if isinstance(exc, KasirError):  # e.g. closed meanwhile elsewhere: said on the count
            if approval is not None:
                self.approval = None
                approval.done(SupervisorDialog.DialogCode.Accepted)  # not "cancelled"
            self.dialog.uncheck()
            self.dialog.show_error(exc.message)
            return
        self.finish()
        self.failed.emit(exc)

    def finish(self) -> None:
        """Close the dialogs without cancelling (the shift closed, the app going back)."""
        approval, self.approval = self.approval, None
        for dialog in (approval, self.dialog):
            if dialog is not None and dialog.isVisible():
                dialog.done(SupervisorDialog.DialogCode.Accepted)
