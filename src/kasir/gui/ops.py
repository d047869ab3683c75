"""Run service calls for the GUI: one unit of work per user action, errors routed to one place.

`Ops.run` is for quick calls (a scan, a search): it runs on the GUI thread, because an indexed
look-up costs well under a millisecond and a thread hop would cost more. `Ops.run_background`
is for slow work (printing, PDFs, imports): it runs in the thread pool and reports back by
signal. Either way a `KasirError` is shown to the user and the window stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
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


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # reported to the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class Ops(QObject):
    """Owns the session factory; announces `changed(str)` after a write so screens refresh."""

    error = Signal(str)  # user-facing message
    changed = Signal(str)  # what changed: "sale", "catalog", "shift", "parked"

    def __init__(self, factory: sessionmaker[Session], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.factory = factory
        self.pool = QThreadPool.globalInstance()
        self._pending: set[_Signals] = set()

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

    def run_background(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        signals = _Signals()
        self._pending.add(signals)

        def finish(result: Any) -> None:
            self._pending.discard(signals)
            on_done(result)

        def fail(exc: BaseException) -> None:
            self._pending.discard(signals)
            (on_failed or self.report)(exc)

        signals.done.connect(finish)
        signals.failed.connect(fail)
        self.pool.start(_Job(fn, signals))
