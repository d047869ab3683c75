"""One exception tree for Kasir.

- `UserError`: the person at the counter can act on it (unknown barcode, not enough stock).
  Its message is Indonesian and is shown as it is.
- `EnvironmentProblem`: the machine or a device is at fault (database locked, printer offline).
  Shown, logged, and selling continues where it can.
- Anything else is a bug: the GUI shows a crash dialog with the log path.
"""

from __future__ import annotations


class KasirError(Exception):
    """Base of every error Kasir raises on purpose. `str(err)` is the user-facing message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(KasirError):
    """Bad input or a refused action; the message tells the user what to do."""


class ValidationError(UserError):
    """Input that does not have the right shape (amount, barcode, quantity...)."""


class NotRupiah(ValidationError, TypeError):
    """Money given as something other than an int of Rupiah (a float, a Decimal, a string).

    A TypeError for code (a programming error) and a KasirError for whoever shows it."""


class NotFound(UserError):
    """A barcode, SKU, receipt or user that the store does not know."""


class ApprovalRequired(UserError):
    """The action needs a supervisor's approval (PIN) that was not given or not valid."""


class NotAllowed(UserError):
    """The action is refused by a business rule (closed day, no open shift, refund a refund...)."""


class StaleShift(NotAllowed):
    """The counter's open shift belongs to an earlier business day: close it, open a new one."""


class InsufficientStock(UserError):
    """Selling more than is on hand while the store refuses overselling."""


class PaymentError(UserError):
    """Payments do not cover the total, or a non-cash method pays more than is due."""


class ImportFailed(UserError):
    """A CSV import had bad rows; nothing was written. `problems` lists (line, reason)."""

    def __init__(self, message: str, problems: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.problems = problems


class EnvironmentProblem(KasirError):
    """The database, the disk or a device failed; not the user's fault."""


class StoreUnavailable(EnvironmentProblem):
    """The database cannot be opened or is locked."""
