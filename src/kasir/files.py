"""Files that are never half-written, and CSV cells a spreadsheet never runs.

Every file Kasir writes for a person (exports, catalog files, later PDFs) goes through
`replace_files`: each file is written to a temporary file in its target folder, flushed to disk,
and only when all of them are complete are they renamed into place. On any failure (a full disk,
a bad row, Ctrl+C) the previous files are untouched and no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: formula-like text gets a leading quote.

    Numbers stay numbers (a refund's -15000 is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def utf8_lines(raw: Iterable[bytes]) -> Iterator[str]:
    """The lines of a binary file as text, decoded one line at a time (a BOM dropped).

    A text-mode file decodes ahead in 8 KiB blocks, so a bad byte would surface several
    lines before its own and hide the lines before it in the same block; here the
    `UnicodeDecodeError` comes exactly when the bad line is asked for."""
    first = True
    for line in raw:
        if first:
            first = False
            if line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
        yield line.decode("utf-8")


def write_csv_rows(fh: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header and rows with every text cell escaped; returns the number of rows."""
    # CRLF rows (RFC 4180): the csv module quotes a cell only for the characters of the line
    # terminator, so with "\n" alone a bare CR inside a cell would split the row.
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    return count


@contextlib.contextmanager
def replace_files(*targets: Path, binary: bool = False) -> Iterator[tuple[IO[Any], ...]]:
    """Open text handles (bytes with `binary`) for `targets`; on success all of them replace
    their targets at once.

    Usage::

        with replace_files(a, b) as (fa, fb):
            write_csv_rows(fa, ...)
            write_csv_rows(fb, ...)
    """
    handles: list[tuple[IO[Any], str, Path]] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            _chmod_like(fd, target)
            handle: IO[Any] = (
                os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
            )
            handles.append((handle, tmp, target))
        yield tuple(out for out, _, _ in handles)
        for out, _, _ in handles:
            out.flush()
            os.fsync(out.fileno())
            out.close()
        for _, tmp, target in handles:
            os.replace(tmp, target)
        _fsync_dirs({target.parent for target in targets})
    finally:
        for out, tmp, _ in handles:
            with contextlib.suppress(OSError):
                out.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()  # read once at import, before any thread could create files


def _chmod_like(fd: int, target: Path) -> None:
    """mkstemp makes the file 0600; give it the target's mode, or what a plain open() would."""
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_UMASK
    with contextlib.suppress(OSError):
        os.fchmod(fd, mode)


def _fsync_dirs(folders: Iterable[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
