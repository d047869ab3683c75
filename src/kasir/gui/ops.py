"""Run service calls for the GUI off the GUI thread, one unit of work per operation.

In the manner of Anki's `CollectionOp`:

    ops.write(lambda s: checkout(s, ...), Change.SALE).success(show).failure(keep).run()
    ops.read(lambda s: catalog.search(s, text)).success(model.set_rows).run()

One worker thread owns the sessions and runs the operations one at a time, in the order they
were queued (FIFO: a scanner burst lands in order). `fn` runs on the worker; `success` and
`failure` always run on the GUI thread, in the same order. A write runs in `factory.begin()`
(committed when `fn` returns), a read in `kasir.store.engine.reading(factory)` (no write lock
on SQLite, READ ONLY on PostgreSQL).

After a write succeeds `changed` carries a `Changes` (a frozenset of `Change`) so each screen
refreshes only what it shows. `busy(True)` says an operation has been running for
`BUSY_DELAY_MS`; `busy(False)` comes when the queue is empty again.

One error route, by the kind of error (`kind_of`):

- a user error (`KasirError`, not `EnvironmentProblem`): to the operation's `failure`
  callback, else to `error(str)` (the screen's message line);
- an environment problem (`EnvironmentProblem`, or a database locked / unreachable, a disk
  full, a read-only store: `environment_problem(exc)` names the cause): logged, `problem(cause)`
  (a banner that stays until an operation succeeds again: `problem("")`), then `failure`;
- anything else is a bug: logged with its traceback, `crashed(exc)` (the crash dialog), then
  `failure`.

A `failure` callback always gets the exception, never `None`; without one, every failure is
also said on `error`.

`Ops.call`, the one synchronous call (taking the counter's lease before the login can be used,
giving it back at exit, tools and the benchmark), queues its unit of work on the same worker
and blocks until it is done, raising the failure (so it keeps the FIFO order with the
operations queued before it; called on the worker itself it runs inline). It never deadlocks
from a success callback: the worker never waits for the GUI thread. There is no call that
returns `None` on failure.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Generic, Literal, TypeVar, cast

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import EnvironmentProblem, KasirError, environment_problem
from kasir.store.engine import reading, writing

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_DELAY_MS = 150  # an operation shorter than this shows no busy indicator
WORKER_IDLE_EXIT_S = 5.0  # the worker thread ends when idle this long; the next op restarts it


class Change(enum.StrEnum):
    """What a write changed; screens refresh only for what they show."""

    SALE = "sale"  # a sale or refund committed: day totals, stock on hand
    CATALOG = "catalog"  # products, prices, stock corrections
    SHIFT = "shift"  # a shift opened or closed
    PARKED = "parked"  # a cart parked or recalled
    DRAFT = "draft"  # the cart in progress and its payments, as stored
    SETTINGS = "settings"  # store settings (receipt header, QRIS...)
    USERS = "users"  # cashiers and supervisors


class Changes(frozenset[Change]):
    """The changes of one write, as `changed` carries them.

    New code tests membership: `Change.SALE in changes` (a plain string works too: `Change` is
    a `StrEnum`). For listeners written for the old `changed(str)` signal, a `Changes` also
    compares equal to a string it contains (`changes == "sale"`, `changes in ("sale", ...)`)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other in self
        return frozenset.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = frozenset.__hash__

    def __repr__(self) -> str:
        return f"Changes({{{', '.join(sorted(c.name for c in self))}}})"


ChangesArg = Change | str | Iterable[Change | str] | None


def as_changes(value: object) -> Changes:
    """A `changed` payload (or an argument of `write`) as `Changes`: a `Change`, its string
    (older screens still emit `changed.emit("parked")`), a collection of them, or None."""
    if value is None:
        return Changes()
    if isinstance(value, Changes):
        return value
    if isinstance(value, str):
        return Changes({Change(value)})
    if isinstance(value, Iterable):
        return Changes(Change(v) for v in value)
    raise TypeError(f"not a change: {value!r}")


# --- kinds of errors ------------------------------------------------------------------------

Kind = Literal["user", "problem", "bug"]


def problem_cause(exc: BaseException) -> str | None:
    """What the banner says for an environment problem, or None when `exc` is not one.

    `kasir.errors.environment_problem` names the cause; a database error it does not know
    (SQLAlchemy's `OperationalError`: the database's operation failed, not the program) is an
    environment problem all the same."""
    if isinstance(exc, KasirError) and not isinstance(exc, EnvironmentProblem):
        return None
    cause = environment_problem(exc)
    if cause is None and isinstance(exc, OperationalError):
        return "Database sedang tidak dapat dipakai (terkunci atau terputus)."
    return cause


def kind_of(exc: BaseException) -> Kind:
    """The kind of an error: "user" (the cashier can act on it), "problem" (the machine), "bug"."""
    if isinstance(exc, KasirError) and not isinstance(exc, EnvironmentProblem):
        return "user"
    return "problem" if problem_cause(exc) is not None else "bug"


def describe_error(exc: BaseException) -> str:
    """The Indonesian message for an error: a KasirError's own, or a database problem."""
    if isinstance(exc, KasirError):
        return exc.message
    cause = environment_problem(exc)
    if isinstance(exc, OperationalError):
        if cause:
            return f"Database sedang tidak dapat dipakai: {cause[:1].lower()}{cause[1:]}"
        return "Database sedang tidak dapat dipakai (terkunci atau terputus). Coba lagi sebentar."
    if cause is not None:
        return cause
    if isinstance(exc, SQLAlchemyError):
        return "Masalah database; transaksi dibatalkan, tidak ada yang tersimpan setengah."
    return f"Kesalahan tak terduga: {exc!r}"


# --- units of work --------------------------------------------------------------------------


class Op(Generic[T]):
    """One operation: `fn(session)` on the worker, then `success(result)` or
    `failure(exc)` on the GUI thread. Nothing happens until `run()`."""

    __slots__ = ("_failure", "_ops", "_queued", "_success", "changes", "fn", "writes")

    def __init__(
        self, ops: Ops, fn: Callable[[Session], T], *, writes: bool, changes: Changes
    ) -> None:
        self._ops = ops
        self.fn = fn
        self.writes = writes
        self.changes = changes
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._queued = False

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Op[T]:
        """Called with the exception of every failure; user errors then go nowhere else."""
        self._failure = cb
        return self

    def run(self) -> None:
        if self._queued:
            raise RuntimeError("an Op runs once")
        self._queued = True
        self._ops._submit(self)


class _Worker:
    """One thread running jobs in FIFO order; ends when idle, started again on demand."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.put(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()

    def is_current(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def _loop(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=WORKER_IDLE_EXIT_S)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            job()  # jobs catch their own exceptions
            del job  # hold nothing between jobs (see Ops._submit)


def _execute(factory: sessionmaker[Session], fn: Callable[[Session], T], writes: bool) -> T:
    """One unit of work: committed when `fn` returns (a write), or a read-only one."""
    if writes:
        with writing(factory) as session:
            return fn(session)
    with reading(factory) as session:
        return fn(session)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits `done(token)` and Qt queues the call over."""

    done = Signal(int)


# Every Ops with operations in flight: none is collected while its worker works for it.
_WORKING: set[Ops] = set()


class Ops(QObject):
    """Owns the session factory and the worker; see the module docstring."""

    error = Signal(str)  # a user error nobody handled: the message line
    changed = Signal(object)  # Changes after a write (older screens still emit a str)
    busy = Signal(bool)  # True after BUSY_DELAY_MS of work, False when the queue is empty
    problem = Signal(str)  # an environment problem's cause; "" when it is resolved
    crashed = Signal(object)  # an unexpected exception (already logged): the crash dialog

    def __init__(self, factory: sessionmaker[Session], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.factory = factory
        self.current_problem = ""
        self._problem_from_write = False
        self._pending = 0  # queued operations whose callbacks have not run yet
        self._busy = False
        self._worker = _Worker("kasir-ops")
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._token = 0
        self._inflight: dict[int, Op[Any]] = {}  # token -> the operation, on the GUI thread
        self._results: dict[int, tuple[bool, Any]] = {}  # token -> outcome, left by the worker
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._busy_timeout)

    # --- the operations -------------------------------------------------------------------

    def write(self, fn: Callable[[Session], T], changes: ChangesArg = None) -> Op[T]:
        """A unit of work that may write, committed when `fn` returns; `changed(changes)`
        after it succeeds."""
        return Op(self, fn, writes=True, changes=as_changes(changes))

    def read(self, fn: Callable[[Session], T]) -> Op[T]:
        """A unit of work that only reads (never waits for a writer on SQLite)."""
        return Op(self, fn, writes=False, changes=Changes())

    @property
    def pending(self) -> int:
        """Operations queued or running whose callbacks have not run yet."""
        return self._pending

    @property
    def is_busy(self) -> bool:
        return self._busy

    def wait_idle(self, timeout_ms: int = 5000) -> bool:
        """Process events until every queued operation's callbacks ran (tests, bench).

        True when the queue is empty, False after `timeout_ms`."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._pending and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
            if self._pending:
                time.sleep(0.0005)
        QCoreApplication.processEvents()
        return self._pending == 0

    def _execute(self, fn: Callable[[Session], T], writes: bool) -> T:
        return _execute(self.factory, fn, writes)

    # The worker never holds the last reference to anything made on the GUI thread. A QObject
    # without a parent (this Ops, the CounterApp, a dialog) whose last reference is dropped on
    # the worker is destroyed there, its timers and posted events with it, while the GUI thread
    # uses them: a segfault, seen in the suite when a test's app outlived its fixtures. So the
    # operation (its fn and callbacks) stays in `_inflight` on the GUI thread; the job gets fn
    # through a list it empties, leaves its outcome in `_results`, drops its own references,
    # and only then tells the GUI thread, which takes both out. And an Ops is kept alive (in
    # `_WORKING`) while it has operations in flight.

    def _submit(self, op: Op[Any]) -> None:
        self._pending += 1
        if self._pending == 1:
            self._busy_timer.start()
            _WORKING.add(self)
        self._token += 1
        token = self._token
        self._inflight[token] = op
        work: list[Callable[[Session], Any]] = [op.fn]
        factory, writes, results, relay = self.factory, op.writes, self._results, self._relay

        def job() -> None:
            fn = work.pop()
            try:
                outcome: tuple[bool, Any] = (True, _execute(factory, fn, writes))
            except BaseException as exc:
                outcome = (False, exc)
            del fn
            results[token] = outcome
            del outcome
            try:
                relay.done.emit(token)
            except RuntimeError:  # the Ops was deleted (the app quit): nobody to tell
                log.debug("operation finished after its Ops was deleted")

        self._worker.submit(job)

    def _deliver(self, token: int) -> None:
        op = self._inflight.pop(token)
        ok, value = self._results.pop(token)
        self._pending -= 1
        if self._pending == 0:
            _WORKING.discard(self)
        try:
            if ok:
                self._succeeded(op.writes)
                if op._success is not None:
                    op._success(value)
                if op.changes:
                    self.changed.emit(op.changes)
            else:
                self._route(value, op.writes, op._failure)
        except Exception as exc:  # a bug in a callback: the crash dialog, the next op goes on
            self._bug(exc)
        finally:
            self._update_busy()

    # --- busy -----------------------------------------------------------------------------

    def _busy_timeout(self) -> None:
        if self._pending and not self._busy:
            self._busy = True
            self.busy.emit(True)

    def _update_busy(self) -> None:
        if self._pending == 0:
            self._busy_timer.stop()
            if self._busy:
                self._busy = False
                self.busy.emit(False)
        elif not self._busy:
            self._busy_timer.start()  # the next operation starts now: give it its own delay

    # --- errors ---------------------------------------------------------------------------

    def _route(
        self,
        exc: BaseException,
        writes: bool,
        failure: Callable[[BaseException], None] | None,
    ) -> None:
        kind = kind_of(exc)
        if kind == "user":
            log.info("user error: %s", exc)
            if failure is not None:
                failure(exc)
            else:
                self.error.emit(describe_error(exc))
            return
        if kind == "problem":
            self._problem(exc, writes)
        else:
            self._bug(exc)
        if failure is not None:
            failure(exc)
        else:  # said on the message line too: before the window exists nothing else shows it
            self.error.emit(describe_error(exc))

    def _problem(self, exc: BaseException, writes: bool) -> None:
        cause = problem_cause(exc) or describe_error(exc)
        log.warning("environment problem: %s", cause, exc_info=exc)
        self._problem_from_write = writes
        if cause != self.current_problem:
            self.current_problem = cause
            self.problem.emit(cause)

    def _bug(self, exc: BaseException) -> None:
        log.error("unexpected error", exc_info=exc)
        self.crashed.emit(exc)

    def _succeeded(self, writes: bool) -> None:
        # A read may succeed while writes still fail (SQLite: a writer holds the lock; reads
        # go on in WAL mode): a write's problem is resolved by a write.
        if self.current_problem and (writes or not self._problem_from_write):
            self.current_problem = ""
            self.problem.emit("")

    def report(self, exc: BaseException) -> None:
        """For screens that catch errors themselves: log it, say it on `error`, and show an
        environment problem's banner or a bug's crash dialog."""
        kind = kind_of(exc)
        if kind == "user":
            log.info("user error: %s", exc)
        elif kind == "problem":
            self._problem(exc, True)
        else:
            self._bug(exc)
        self.error.emit(describe_error(exc))

    # --- the one synchronous call ---------------------------------------------------------

    def _call_blocking(self, fn: Callable[[Session], T]) -> T:
        if self._worker.is_current():  # called from inside an operation: no thread hop
            with writing(self.factory) as session:
                return fn(session)
        done = threading.Event()
        box: list[tuple[bool, Any]] = []
        work = [fn]  # see _submit: the worker drops its references before it says done
        factory = self.factory

        def job() -> None:
            call = work.pop()
            try:
                box.append((True, _execute(factory, call, True)))
            except BaseException as exc:
                box.append((False, exc))
            del call
            done.set()

        self._worker.submit(job)
        done.wait()
        ok, value = box.pop()
        if not ok:
            raise value
        return cast(T, value)

    def call(self, fn: Callable[[Session], T]) -> T:
        """Like run but raises: for callers that handle errors themselves (dialogs). An
        environment problem still shows its banner."""
        try:
            result = self._call_blocking(fn)
        except Exception as exc:
            if kind_of(exc) == "problem":
                self._problem(exc, True)
            raise
        self._succeeded(True)
        return result
