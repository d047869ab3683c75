"""Run service calls for the GUI: one unit of work per user action, errors routed to one place.

Every call so far is quick (a scan, a search, a checkout: about a millisecond), so it runs on
the GUI thread: a thread hop would cost more than the call. Slow work (printing, PDFs) will run
in a thread pool when it arrives. Either way a `KasirError` is shown to the user and the window
stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import EnvironmentProblem, KasirError

log = logging.getLogger(__name__)
T = TypeVar("T")


def describe_error(exc: BaseException) -> str:
    """The Indonesian message for an error: a KasirError's own, or a database problem."""
    if isinstance(exc, KasirError):
        return exc.message
    if isinstance(exc, OperationalError):
        return "Database sedang tidak dapat dipakai (terkunci atau terputus). Coba lagi sebentar."
    if isinstance(exc, SQLAlchemyError):
        return "Masalah database; transaksi dibatalkan, tidak ada yang tersimpan setengah."
    return f"Kesalahan tak terduga: {exc!r}"


class Ops(QObject):
    """Owns the session factory; announces `changed(str)` after a write so screens refresh."""

    error = Signal(str)  # user-facing message
    changed = Signal(str)  # what changed: "sale", "catalog", "shift", "parked"

    def __init__(self, factory: sessionmaker[Session], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.factory = factory

    def run(self, fn: Callable[[Session], T], *, changes: str | None = None) -> T | None:
        """Run `fn` in one transaction; on failure show the message and return None."""
        try:
            with self.factory.begin() as session:
                result = fn(session)
        except Exception as exc:
            self.report(exc)
            return None
        if changes:
            self.changed.emit(changes)
        return result

    def call(self, fn: Callable[[Session], T]) -> T:
        """Like run but raises: for callers that handle KasirError themselves (dialogs)."""
        with self.factory.begin() as session:
            return fn(session)

    def report(self, exc: BaseException) -> None:
        if isinstance(exc, KasirError) and not isinstance(exc, EnvironmentProblem):
            log.info("user error: %s", exc)
        else:
            log.error("operation failed", exc_info=exc)
        self.error.emit(describe_error(exc))
