"""How the sale screen runs its work and its dialogs (a helper it holds, not a base class).

`Actions` puts every service call on the worker (`Ops.write`/`Ops.read`) and keeps the
cashier's keys in order: a scan is queued at once (the worker runs operations in the order they
came), and any other key pressed while operations are still running waits for them, so F9 typed
right after a scanner burst pays for the whole burst. A user error is said on the message line
(or to the dialog that asked); the worker's own route shows environment problems as a banner and
bugs in the crash dialog. When a service asks for a supervisor, the PIN dialog opens and the
same call is tried again with the approval; a wrong PIN is said in the PIN dialog, which stays
open to try again.

`DialogStack` opens dialogs without blocking and gives the focus back where it belongs when
they close (the supervisor's PIN over the void/refund dialog, then the scan field)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy.orm import Session

from kasir.errors import ApprovalRequired, KasirError
from kasir.gui.dialogs import SupervisorDialog
from kasir.gui.ops import ChangesArg, Ops, describe_error
from kasir.services.auth import Approval

T = TypeVar("T")
Say = Callable[[str], None]


class DialogStack:
    def __init__(self, owner: QWidget, focus_back: Callable[[], None]) -> None:
        self.owner = owner
        self.focus_back = focus_back
        self.current: QDialog | None = None  # the dialog open now, if any

    def top(self) -> QWidget:
        """Where a new dialog goes: on top of the one open now, else on the screen."""
        if self.current is not None and self.current.isVisible():
            return self.current
        return self.owner

    def open(self, dialog: QDialog) -> None:
        """Open `dialog` (again, for one kept: the payment dialog) over the one open now."""
        below = self.current if self.current is not None and self.current.isVisible() else None
        self.current = dialog

        def finished(_result: int) -> None:
            dialog.finished.disconnect(finished)  # this opening's: a dialog opened again
            self._closed(dialog, below)  # gets its own

        dialog.finished.connect(finished)
        dialog.open()

    def _closed(self, dialog: QDialog, below: QDialog | None) -> None:
        if self.current is not dialog:
            # Qt emits accepted() before finished(): a dialog opened from an accepted() handler
            # (the supervisor's PIN after a big discount) is already current; leave it so.
            return
        if below is not None and below.isVisible():
            self.current = below
            return
        self.current = None
        self.focus_back()


class Actions:
    """Runs the screen's service calls on the worker, in the cashier's order."""

    def __init__(self, ops: Ops, dialogs: DialogStack, say_error: Say) -> None:
        self.ops = ops
        self.dialogs = dialogs
        self.say_error = say_error
        self.in_flight = 0  # operations of this screen not finished yet
        self._waiting: deque[Callable[[], None]] = deque()
        self.last_approver = (
            ""  # the username of the last approval here (the next dialog starts with it)
        )

    # --- order of keys ----------------------------------------------------------------------

    def when_idle(self, action: Callable[[], None]) -> None:
        """Run `action` now, or after the operations still running (in the order pressed)."""
        if self.in_flight or self._waiting:
            self._waiting.append(action)
            return
        action()

    def _finished(self) -> None:
        self.in_flight -= 1
        while not self.in_flight and self._waiting:
            self._waiting.popleft()()

    # --- service calls ----------------------------------------------------------------------

    def write(
        self,
        fn: Callable[[Session], T],
        done: Callable[[T], None],
        *,
        refused: Callable[[KasirError], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        changes: ChangesArg = None,
    ) -> None:
        """`fn` in one write unit of work; `done(result)` on success. A user error goes to
        `refused` (default: the message line); any failure also to `failed` (after the
        worker's banner or crash dialog)."""
        self._submit(self.ops.write(fn, changes), done, refused, failed)

    def read(
        self,
        fn: Callable[[Session], T],
        done: Callable[[T], None],
        *,
        refused: Callable[[KasirError], None] | None = None,
    ) -> None:
        self._submit(self.ops.read(fn), done, refused, None)

    def _submit(
        self,
        op: Any,
        done: Callable[[Any], None],
        refused: Callable[[KasirError], None] | None,
        failed: Callable[[BaseException], None] | None,
    ) -> None:
        def success(result: Any) -> None:
            try:
                done(result)
            finally:
                self._finished()

        def failure(exc: BaseException) -> None:
            try:
                if isinstance(exc, KasirError):
                    (refused or (lambda e: self.say_error(e.message)))(exc)
                else:
                    self.say_error(describe_error(exc))
                if failed is not None:
                    failed(exc)
            finally:
                self._finished()

        self.in_flight += 1
        op.success(success).failure(failure).run()

    def approved(
        self,
        fn: Callable[[Session, Approval | None], T],
        done: Callable[[T], None],
        *,
        tell: Say | None = None,
        changes: ChangesArg = None,
    ) -> None:
        """`fn` without an approval; when the service asks for a supervisor, the PIN dialog
        opens (saying what is asked), and `fn` runs again with the approval. A wrong PIN is
        said in the PIN dialog, which stays open to retry; Esc there gives up."""
        say = tell or self.say_error

        def first_refusal(exc: KasirError) -> None:
            if isinstance(exc, ApprovalRequired):
                self._ask_supervisor(exc, fn, done, changes)
            else:
                say(exc.message)

        self.write(lambda s: fn(s, None), done, refused=first_refusal, changes=changes)

    def _ask_supervisor(
        self,
        asked: ApprovalRequired,
        fn: Callable[[Session, Approval | None], T],
        done: Callable[[T], None],
        changes: ChangesArg,
    ) -> None:
        """The PIN dialog says what is approved (the action with its amounts); a wrong PIN is
        said there and the same request is tried again with the next PIN."""
        dialog = SupervisorDialog(
            self.dialogs.top(),
            asked.message,
            retry=True,
            action=asked.action,
            user=self.last_approver,
        )

        def try_pin() -> None:
            approval = dialog.value
            assert isinstance(approval, Approval)

            def accepted(result: T) -> None:
                # The supervisor on duty approves again later: the next dialog starts with
                # their name (the PIN is asked for every time).
                self.last_approver = approval.username or ""
                dialog.approved()
                done(result)

            def wrong(exc: KasirError) -> None:
                # Stays open, the request kept: the supervisor types the PIN again.
                dialog.show_error(f"{exc.message} Ketik PIN lagi (Esc: batal).")

            self.write(lambda s: fn(s, approval), accepted, refused=wrong, changes=changes)

        dialog.submitted.connect(try_pin)
        self.dialogs.open(dialog)
