"""Logging to a file in the data folder; nothing else may reconfigure it.

The log never gets in the user's way: the file (and its folder) is made only when the first
record is written, and when it cannot be written (folder not writable, disk full) logging goes
quiet instead of printing tracebacks on the user's screen.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
from pathlib import Path

from kasir.config import data_dir


def log_path() -> Path:
    return data_dir() / "kasir.log"


class QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file that is opened on the first record and fails silently.

    `logging.Handler.handleError` prints a traceback to stderr for every record that cannot be
    written; at a counter (or in `kasir export` on a full disk) that is three tracebacks for a
    log line nobody asked for. Here a failure closes the file and drops the records from then
    on: the command itself says what went wrong."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8", delay=True)
        self.broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.broken:
            return
        try:
            if self.stream is None:
                Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.handleError(record)
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            return  # a record that cannot be formatted: drop it, keep logging the others
        self.broken = True
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()

    def flush(self) -> None:
        try:
            super().flush()
        except (OSError, ValueError):
            self.broken = True


def setup_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_kasir", False) for h in root.handlers):
        return
    handler = QuietFileHandler(log_path())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._kasir = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise
