"""A screen that runs service calls for the cashier: says what went wrong in its message line,
asks a supervisor for a PIN when a service requires one, and stacks its dialogs so that the
focus goes back where it belongs when they close."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget
from sqlalchemy.orm import Session

from kasir.errors import ApprovalRequired, KasirError
from kasir.gui.dialogs import SupervisorDialog
from kasir.gui.ops import Ops, describe_error
from kasir.services.auth import Approval

T = TypeVar("T")


class ServiceScreen(QWidget):
    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.dialog: QDialog | None = None  # the dialog open now, if any (for tests too)
        self.message = QLabel()

    def focus_scan(self) -> None:
        """Where the focus goes when a dialog closes; screens override it."""
        self.setFocus()

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;" if error else "")
        if error:
            QApplication.beep()

    def _failed(self, exc: Exception) -> None:
        """A problem the cashier cannot fix here (database, bug): logged, shown, keep selling."""
        self.ops.report(exc)
        self.say(describe_error(exc), error=True)

    def _call(self, fn: Callable[[Session], T]) -> T | None:
        """Run a service call; a problem is said on screen and the cart stays as it was."""
        try:
            return self.ops.call(fn)
        except KasirError as exc:
            self.say(exc.message, error=True)
        except Exception as exc:
            self._failed(exc)
        return None

    def _approved(
        self,
        fn: Callable[[Session, Approval | None], T],
        done: Callable[[T], None],
        tell: Callable[[str], None] | None = None,
    ) -> None:
        """Call `fn`; when the service asks for a supervisor, ask for the PIN and call again.

        A refusal (wrong PIN, a rule) is said with `tell` (default: the screen's message)."""
        say = tell or (lambda text: self.say(text, error=True))

        def attempt(approval: Approval | None) -> None:
            try:
                result = self.ops.call(lambda s: fn(s, approval))
            except ApprovalRequired as exc:
                if approval is None:
                    self._ask_supervisor(exc.message, attempt)
                else:
                    say(exc.message)  # wrong PIN, or not a supervisor: refused
                return
            except KasirError as exc:
                say(exc.message)
                return
            except Exception as exc:
                self.ops.report(exc)
                say(describe_error(exc))
                return
            done(result)

        attempt(None)

    def _ask_supervisor(self, reason: str, then: Callable[[Approval], None]) -> None:
        # On top of the dialog that asked (void/refund), so closing it goes back there.
        parent = self.dialog if self.dialog is not None and self.dialog.isVisible() else self
        dialog = SupervisorDialog(parent, reason)

        def approved() -> None:
            assert isinstance(dialog.value, Approval)
            then(dialog.value)

        dialog.accepted.connect(approved)
        self._open(dialog)

    def _open(self, dialog: QDialog) -> None:
        """Open `dialog` without blocking; a dialog still open under it becomes current again
        when it closes (the supervisor's PIN over the void/refund dialog)."""
        below = self.dialog if self.dialog is not None and self.dialog.isVisible() else None
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog, below))
        dialog.open()

    def _dialog_closed(self, dialog: QDialog, below: QDialog | None) -> None:
        if self.dialog is not dialog:
            # Qt emits accepted() before finished(): a dialog opened from an accepted() handler
            # (the supervisor's PIN after a big discount) is already current; leave it so.
            return
        if below is not None and below.isVisible():
            self.dialog = below
            return
        self.dialog = None
        self.focus_scan()
