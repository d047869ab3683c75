"""One exception tree for Kasir.

- `UserError`: the person at the counter can act on it (unknown barcode, not enough stock).
  Its message is Indonesian and is shown as it is.
- `EnvironmentProblem`: the machine or a device is at fault (database locked, printer offline).
  Shown, logged, and selling continues where it can.
- Anything else is a bug: the GUI shows a crash dialog with the log path.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any


class KasirError(Exception):
    """Base of every error Kasir raises on purpose. `str(err)` is the user-facing message.

    `afterwards`: what must be written although the action is refused (a wrong PIN counted, a
    lockout, the refusal's journal entry). `kasir.store.engine.writing` rolls the refused unit
    of work back, then writes just that in a transaction of its own."""

    afterwards: Callable[[Any], None] | None = None

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
    """The action needs a supervisor's approval (PIN) that was not given or not valid.

    `action` says what is to be approved, with its amounts (shown in the PIN dialog)."""

    def __init__(self, message: str, action: str = "") -> None:
        super().__init__(message)
        self.action = action


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


# One line per cause, for the banner that stays until the problem is gone.
DB_LOCKED = "Database sedang dikunci oleh proses lain; coba lagi sebentar lagi."
DB_UNREACHABLE = (
    "Server database tidak dapat dihubungi atau koneksi terputus; periksa jaringan dan server."
)
DB_LOCK_TIMEOUT = "Database sibuk: terlalu lama menunggu kunci dari kasir lain; coba lagi."
DB_STATEMENT_TIMEOUT = "Perintah database terlalu lama dan dihentikan; coba lagi."
DISK_FULL = "Disk penuh: data tidak dapat disimpan; kosongkan ruang disk."
STORE_READ_ONLY = "Database hanya-baca: data tidak dapat disimpan; periksa izin berkas atau disk."
DISK_IO = "Gangguan baca/tulis disk database; periksa disk."
STORE_CANNOT_OPEN = "Berkas database tidak dapat dibuka; periksa folder dan izinnya."
STORE_CORRUPT = "Berkas database rusak atau bukan database Kasir; pulihkan dari cadangan."

_SQLITE_CODES = (  # primary result code name prefix -> cause
    ("SQLITE_BUSY", DB_LOCKED),
    ("SQLITE_LOCKED", DB_LOCKED),
    ("SQLITE_FULL", DISK_FULL),
    ("SQLITE_READONLY", STORE_READ_ONLY),
    ("SQLITE_IOERR", DISK_IO),
    ("SQLITE_CANTOPEN", STORE_CANNOT_OPEN),
    ("SQLITE_CORRUPT", STORE_CORRUPT),
    ("SQLITE_NOTADB", STORE_CORRUPT),
)
_SQLITE_MESSAGES = (  # the same by message, for a driver that gives no code
    ("database is locked", DB_LOCKED),
    ("database table is locked", DB_LOCKED),
    ("database or disk is full", DISK_FULL),
    ("readonly database", STORE_READ_ONLY),
    ("disk i/o error", DISK_IO),
    ("unable to open database file", STORE_CANNOT_OPEN),
    ("file is not a database", STORE_CORRUPT),
    ("database disk image is malformed", STORE_CORRUPT),
)
_PG_STATES = {  # SQLSTATE -> cause; a class "08" (connection exception) is unreachable too
    "55P03": DB_LOCK_TIMEOUT,  # lock_not_available (lock_timeout)
    "57014": DB_STATEMENT_TIMEOUT,  # query_canceled (statement_timeout)
    "40P01": DB_LOCK_TIMEOUT,  # deadlock_detected
    "57P01": DB_UNREACHABLE,  # admin_shutdown
    "57P02": DB_UNREACHABLE,  # crash_shutdown
    "57P03": DB_UNREACHABLE,  # cannot_connect_now (starting up, shutting down)
    "53300": DB_UNREACHABLE,  # too_many_connections
    "53100": DISK_FULL,  # disk_full (on the server)
    "25006": STORE_READ_ONLY,  # read_only_sql_transaction (a standby server)
}
_OS_ERRNOS = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EFBIG: DISK_FULL,
    errno.EROFS: STORE_READ_ONLY,
    errno.EIO: DISK_IO,
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, the driver error a SQLAlchemy error wraps (`orig`), and their explicit causes
    (`raise ... from`; not the implicit context: a bug in an except block stays a bug)."""
    seen: set[int] = set()
    todo = [exc]
    while todo and len(seen) < 16:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [x for x in (getattr(e, "orig", None), e.__cause__) if isinstance(x, BaseException)]


def _class_names(exc: BaseException) -> set[str]:
    return {f"{c.__module__.partition('.')[0]}.{c.__name__}" for c in type(exc).__mro__}


def _one(exc: BaseException) -> str | None:
    if isinstance(exc, EnvironmentProblem):
        return exc.message.strip().splitlines()[0] if exc.message.strip() else DB_UNREACHABLE
    if isinstance(exc, KasirError):
        return None
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        for prefix, cause in _SQLITE_CODES:
            if name.startswith(prefix):
                return cause
        text = str(exc).lower()
        return next((cause for part, cause in _SQLITE_MESSAGES if part in text), None)
    names = _class_names(exc)
    if any(n.startswith("psycopg.") for n in names):
        state = getattr(exc, "sqlstate", None) or ""
        if state in _PG_STATES:
            return _PG_STATES[state]
        if state.startswith("08") or (not state and "psycopg.OperationalError" in names):
            return DB_UNREACHABLE
        if "psycopg.InterfaceError" in names and "closed" in str(exc).lower():
            return DB_UNREACHABLE
        return None
    if "sqlalchemy.DisconnectionError" in names or getattr(exc, "connection_invalidated", False):
        return DB_UNREACHABLE
    if "sqlalchemy.TimeoutError" in names:  # no pooled connection came free in time
        return DB_LOCK_TIMEOUT
    if isinstance(exc, OSError):
        if exc.errno in (errno.EACCES, errno.EPERM):
            where = f" {exc.filename}" if exc.filename else ""
            return f"Izin ditolak: berkas{where} tidak dapat ditulis; periksa izin berkas."
        return _OS_ERRNOS.get(exc.errno) if exc.errno is not None else None
    return None


def environment_problem(exc: BaseException) -> str | None:
    """The cause, in one Indonesian line, when `exc` is an environment problem: the database
    locked (SQLite busy) or busy past the lock or statement timeout (PostgreSQL), the server
    unreachable or the connection lost, the disk full, the store read-only, a disk error, an
    `EnvironmentProblem` (its own message). None for anything else (a user error, a bug)."""
    for e in _chain(exc):
        if isinstance(e, KasirError) and not isinstance(e, EnvironmentProblem):
            return None
        cause = _one(e)
        if cause is not None:
            return cause
    return None
