"""Printers: where a receipt goes (one URL), what the printer says about itself, and sending.

A printer is named by one URL (the `printer_url` setting, `KASIR_PRINTER` overrides it)::

    tcp://10.0.0.7[:9100]              a network printer (raw TCP, port 9100 by default)
    usb://04b8:0202                    a USB printer by vendor:product id (hex, 0x optional;
                                       ?in_ep=0x81&out_ep=0x03 where its endpoints differ)
    serial:///dev/ttyS0?baudrate=9600  a serial printer (COM3 on Windows: serial://COM3)
    file:///dev/usb/lp0                a device file (the kernel's printer driver)
    none                               no printer: the preview only

Before a job, a printer that answers (tcp, serial, usb) is asked its status with ``DLE EOT``
1, 2 and 4 (printer, offline cause, paper sensor): a printer with its cover open or out of paper
gets nothing, and the cause is said in Indonesian. After the job the status is asked again: the
answer comes after the printer has read the whole job, so a printer that took the connection but
stopped reading is found too. Every step has a deadline: a dead printer is reported within
`timeout_s` (5 s by default), never a hung counter.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from kasir.errors import EnvironmentProblem, ValidationError

DEFAULT_PORT = 9100
DEFAULT_TIMEOUT_S = 5.0
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
CAUSES = (
    "refused",
    "timeout",
    "closed",
    "paper_out",
    "cover_open",
    "offline",
    "no_device",
    "bad_url",
    "io",
)
DLE_EOT = b"\x10\x04"
STATUS_REQUEST = DLE_EOT + b"\x01" + DLE_EOT + b"\x02" + DLE_EOT + b"\x04"

PAPER_OUT = "Kertas habis"
COVER_OPEN = "Tutup printer terbuka"
OFFLINE = "Printer offline"
PRINTER_ERROR = "Printer offline karena error (pemotong macet?): matikan lalu hidupkan printer"
PAPER_NEAR_END = "Kertas hampir habis"


class PrinterProblem(EnvironmentProblem):
    """A printer could not print. `str()` is one Indonesian line naming the real cause;
    `cause` is one of `CAUSES`; `delivered` is True when some of the job may have reached the
    printer (it may have printed part or all of it)."""

    def __init__(self, message: str, cause: str, delivered: bool = False) -> None:
        super().__init__(message)
        self.cause = cause
        self.delivered = delivered


# --- where the bytes go -------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterTarget:
    scheme: str  # tcp | usb | serial | file | none
    label: str  # for messages: "10.0.0.7:9100", "USB 04b8:0202", "/dev/ttyS0", "pratinjau saja"
    host: str = ""
    port: int = DEFAULT_PORT
    vendor: int = 0
    product: int = 0
    path: str = ""
    baudrate: int = 9600
    in_ep: int = 0x82  # USB endpoints (python-escpos's defaults, right for Epson)
    out_ep: int = 0x01

    @property
    def answers_status(self) -> bool:
        """True when the printer can be asked its status (DLE EOT): tcp, serial and usb."""
        return self.scheme in ("tcp", "serial", "usb")

    @property
    def url(self) -> str:
        """The target as a URL again (canonical form)."""
        if self.scheme == "tcp":
            host = f"[{self.host}]" if ":" in self.host else self.host
            return f"tcp://{host}:{self.port}"
        if self.scheme == "usb":
            eps = (
                ""
                if (self.in_ep, self.out_ep) == (0x82, 0x01)
                else (f"?in_ep=0x{self.in_ep:02x}&out_ep=0x{self.out_ep:02x}")
            )
            return f"usb://{self.vendor:04x}:{self.product:04x}{eps}"
        if self.scheme == "serial":
            return f"serial://{self.path}?baudrate={self.baudrate}"
        if self.scheme == "file":
            return f"file://{self.path}"
        return "none"


PREVIEW_ONLY = PrinterTarget("none", "pratinjau saja")
FORMS = (
    "tcp://HOST[:PORT], usb://VENDOR:PRODUCT, serial:///dev/ttyS0?baudrate=9600, "
    "file:///dev/usb/lp0 atau none"
)
_HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$")
_HEX_RE = re.compile(r"^(0x)?([0-9a-f]{1,4})$", re.IGNORECASE)


def _bad(text: str, reason: str) -> ValidationError:
    return ValidationError(
        f"Alamat printer '{text}' tidak valid: {reason}; bentuk yang diterima: {FORMS}."
    )


def _hex_id(text: str, value: str, what: str) -> int:
    match = _HEX_RE.match(value.strip())
    number = int(match.group(2), 16) if match else 0
    if not number:
        raise _bad(text, f"{what} USB harus angka heksadesimal 1 sampai ffff, bukan '{value}'")
    return number


def _query(text: str, query: str, allowed: tuple[str, ...]) -> dict[str, str]:
    try:
        values = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _bad(text, f"bagian '?{query}' tidak bisa dibaca") from None
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        accepted = ", ".join(allowed) or "tidak ada"
        raise _bad(text, f"pilihan '{unknown[0]}' tidak dikenal (yang dikenal: {accepted})")
    return {key: found[-1] for key, found in values.items()}


def parse_printer_url(text: str) -> PrinterTarget:
    """The printer a URL names (see the module docstring); `ValidationError` in one Indonesian
    sentence saying what is wrong and the accepted forms."""
    shown = text.strip()
    if shown.lower() in ("", "none"):
        return PREVIEW_ONLY
    scheme, sep, rest = shown.partition("://")
    scheme = scheme.lower()
    if not sep:
        hint = f" (mis. tcp://{shown})" if _HOST_RE.match(shown.split(":")[0]) else ""
        raise _bad(shown, f"jenis sambungan tidak ditulis{hint}")
    if scheme == "tcp":
        return _parse_tcp(shown)
    if scheme == "usb":
        ids, _, query = rest.partition("?")
        vendor, colon, product = ids.rstrip("/").partition(":")
        if not colon:
            raise _bad(shown, "USB ditulis VENDOR:PRODUCT, mis. usb://04b8:0202")
        options = _query(shown, query, ("in_ep", "out_ep"))
        vid = _hex_id(shown, vendor, "vendor id")
        pid = _hex_id(shown, product, "product id")
        in_ep = _hex_id(shown, options.get("in_ep", "82"), "endpoint in_ep")
        out_ep = _hex_id(shown, options.get("out_ep", "01"), "endpoint out_ep")
        label = f"USB {vid:04x}:{pid:04x}"
        return PrinterTarget("usb", label, vendor=vid, product=pid, in_ep=in_ep, out_ep=out_ep)
    if scheme == "serial":
        path, _, query = rest.partition("?")
        options = _query(shown, query, ("baudrate",))
        if not path:
            raise _bad(shown, "port serial tidak ditulis (mis. serial:///dev/ttyS0)")
        baud = options.get("baudrate", "9600")
        if not (baud.isdigit() and int(baud) in BAUDRATES):
            choices = ", ".join(str(b) for b in BAUDRATES)
            raise _bad(shown, f"baudrate harus salah satu dari {choices}, bukan '{baud}'")
        return PrinterTarget("serial", path, path=path, baudrate=int(baud))
    if scheme == "file":
        path = rest
        if not path.startswith("/") or "?" in path or path.rstrip("/") == "":
            raise _bad(shown, "berkas perangkat harus jalur lengkap, mis. file:///dev/usb/lp0")
        return PrinterTarget("file", path, path=path)
    raise _bad(shown, f"jenis sambungan '{scheme}' tidak dikenal")


def _parse_tcp(shown: str) -> PrinterTarget:
    parts = urlsplit(shown)
    host = parts.hostname or ""
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise _bad(shown, "setelah HOST:PORT tidak boleh ada apa-apa lagi")
    ipv6 = parts.netloc.startswith("[")
    if not host or not (ipv6 or _HOST_RE.match(host)):
        raise _bad(shown, "nama atau alamat IP printer tidak ditulis dengan benar")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None:
        port = DEFAULT_PORT
    if not 0 < port <= 65535:
        raise _bad(shown, "port harus angka 1 sampai 65535 (printer jaringan biasanya 9100)")
    label = f"[{host}]:{port}" if ipv6 else f"{host}:{port}"
    return PrinterTarget("tcp", label, host=host, port=port)


# --- what the printer says ----------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterStatus:
    problem: str | None = None  # None: ready; else the cause in Indonesian ("Kertas habis")
    paper_near_end: bool = False  # a warning only ("Kertas hampir habis")
    known: bool = True  # False when the target does not answer status (file, none)

    @property
    def cause(self) -> str | None:
        """The `PrinterProblem.cause` of `problem`."""
        if self.problem is None:
            return None
        return {PAPER_OUT: "paper_out", COVER_OPEN: "cover_open"}.get(self.problem, "offline")

    @property
    def warning(self) -> str | None:
        return PAPER_NEAR_END if self.paper_near_end and self.problem is None else None


UNKNOWN = PrinterStatus(known=False)


def _is_status_byte(value: int) -> bool:
    """A DLE EOT answer: bits 1 and 4 set, bits 0 and 7 clear."""
    return value & 0b1001_0011 == 0b0001_0010


def decode_status(answer: bytes) -> PrinterStatus:
    """The status of the three bytes a printer answers to `STATUS_REQUEST` (printer, offline
    cause, roll paper sensor). Anything that is not a status answer is an unknown status."""
    if len(answer) != 3 or not all(_is_status_byte(b) for b in answer):
        return UNKNOWN
    printer, offline, paper = answer
    near_end = bool(paper & 0x0C)
    problem = None
    if offline & 0x04:
        problem = COVER_OPEN
    elif paper & 0x60 or offline & 0x20:
        problem = PAPER_OUT
    elif offline & 0x40:
        problem = PRINTER_ERROR
    elif printer & 0x08:
        problem = OFFLINE
    return PrinterStatus(problem, near_end)


# --- connections --------------------------------------------------------------------------------


class _Closed(Exception):
    """The printer closed the connection."""


class _Timeout(Exception):
    """A deadline passed."""


class _Link(Protocol):
    def write(self, data: bytes, deadline: float) -> None: ...
    def read(self, size: int, deadline: float) -> bytes: ...
    def close(self) -> None: ...


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout
    return left


def _resolve(host: str, port: int, deadline: float) -> tuple[Any, ...]:
    """The first address of `host`, looked up within the deadline (the system's resolver has
    no timeout of its own to give: it runs on a thread left to finish on its own)."""
    found: list[Any] = []

    def look_up() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0])
        except OSError as exc:
            found.append(exc)

    thread = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(_left(deadline))
    if not found:
        raise _Timeout
    if isinstance(found[0], OSError):
        raise found[0]
    return tuple(found[0])


_NO_SIGPIPE = getattr(socket, "MSG_NOSIGNAL", 0)  # a closed printer is an error, not a signal


class _Tcp:
    def __init__(self, target: PrinterTarget, deadline: float) -> None:
        family, kind, proto, _, address = _resolve(target.host, target.port, deadline)
        self.sock = socket.socket(family, kind, proto)
        try:
            self.sock.settimeout(_left(deadline))
            self.sock.connect(address)
        except BaseException:
            self.sock.close()
            raise
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        done = 0
        while done < len(view):
            self.sock.settimeout(_left(deadline))
            done += self.sock.send(view[done:], _NO_SIGPIPE)

    def read(self, size: int, deadline: float) -> bytes:
        got = b""
        while len(got) < size:
            self.sock.settimeout(_left(deadline))
            chunk = self.sock.recv(size - len(got))
            if not chunk:
                raise _Closed
            got += chunk
        return got

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class _File:
    """A device file, written without blocking past the deadline (a printer that is off makes
    the kernel's driver wait forever otherwise). A plain file outside /dev is created."""

    def __init__(self, target: PrinterTarget, deadline: float) -> None:
        flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        if not target.path.startswith("/dev/"):
            flags |= os.O_CREAT | os.O_TRUNC
        self.fd = os.open(target.path, flags, 0o644)

    def write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        done = 0
        while done < len(view):
            try:
                done += os.write(self.fd, view[done:])
            except BlockingIOError:
                select.select([], [self.fd], [], min(_left(deadline), 0.5))

    def read(self, size: int, deadline: float) -> bytes:
        raise _Closed  # never asked: a file does not answer

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class _Serial:
    def __init__(self, target: PrinterTarget, deadline: float) -> None:
        try:
            import serial  # pyserial: python-escpos[serial]
        except ImportError:
            raise PrinterProblem(
                f"Printer serial {target.label} butuh paket pyserial: pip install pyserial",
                "io",
            ) from None
        self.serial = serial
        left = _left(deadline)
        try:
            self.port = serial.Serial(
                target.path, target.baudrate, timeout=left, write_timeout=left, dsrdtr=False
            )
        except serial.SerialException as exc:
            raise _os_error(exc) from exc

    def write(self, data: bytes, deadline: float) -> None:
        self.port.write_timeout = _left(deadline)
        try:
            self.port.write(data)
            self.port.flush()
        except self.serial.SerialTimeoutException:
            raise _Timeout from None

    def read(self, size: int, deadline: float) -> bytes:
        self.port.timeout = _left(deadline)
        got = bytes(self.port.read(size))
        if len(got) < size:
            raise _Timeout
        return got

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.port.close()


def _os_error(exc: Any) -> OSError:
    """pyserial's SerialException as the OSError it wraps (its errno), for one mapping."""
    number = getattr(exc, "errno", None)
    return OSError(number if isinstance(number, int) else errno.EIO, str(exc))


@contextlib.contextmanager
def _root_logger_kept() -> Iterator[None]:
    """python-escpos logs on the root logger (`logging.info`), which configures it when it has
    no handler: keep the root logger as it was."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


class _Usb:
    def __init__(self, target: PrinterTarget, deadline: float) -> None:
        self.label = target.label
        try:
            import usb.core  # pyusb: python-escpos[usb]

            from kasir.output.escpos import python_escpos

            python_escpos()  # python-escpos imported with its side effects contained
            from escpos.exceptions import DeviceNotFoundError
            from escpos.printer import Usb
        except ImportError:
            raise PrinterProblem(
                f"Printer {target.label} butuh paket pyusb: pip install pyusb", "io"
            ) from None
        self.usb = usb
        self.in_ep, self.out_ep = target.in_ep, target.out_ep
        self.printer = Usb(target.vendor, target.product, in_ep=self.in_ep, out_ep=self.out_ep)
        try:
            with _root_logger_kept():
                self.printer.open()
        except DeviceNotFoundError:
            raise PrinterProblem(f"Printer {target.label} tidak ditemukan", "no_device") from None
        except usb.core.NoBackendError:
            raise PrinterProblem(
                f"Printer {target.label}: pustaka libusb tidak terpasang "
                "(Debian/Ubuntu: apt-get install libusb-1.0-0)",
                "io",
            ) from None
        self.device = self.printer.device

    def _ms(self, deadline: float) -> int:
        return max(1, int(_left(deadline) * 1000))

    def write(self, data: bytes, deadline: float) -> None:
        try:
            self.device.write(self.out_ep, data, self._ms(deadline))
        except self.usb.core.USBTimeoutError:
            raise _Timeout from None
        except self.usb.core.USBError as exc:
            raise _Closed from exc

    def read(self, size: int, deadline: float) -> bytes:
        got = b""
        while len(got) < size:
            try:
                got += bytes(self.device.read(self.in_ep, 64, self._ms(deadline)))
            except self.usb.core.USBTimeoutError:
                raise _Timeout from None
            except self.usb.core.USBError as exc:
                raise _Closed from exc
        return got[-size:]

    def close(self) -> None:
        with contextlib.suppress(Exception), _root_logger_kept():
            self.printer.close()


_LINKS: dict[str, Any] = {"tcp": _Tcp, "file": _File, "serial": _Serial, "usb": _Usb}


# --- asking and sending -------------------------------------------------------------------------


def _seconds(timeout_s: float) -> str:
    return f"{timeout_s:g}".replace(".", ",")


def _problem(
    exc: BaseException, target: PrinterTarget, timeout_s: float, delivered: bool
) -> PrinterProblem:
    """The PrinterProblem for what went wrong while talking to `target`."""
    label = target.label
    if isinstance(exc, _Timeout | TimeoutError):
        return PrinterProblem(
            f"Printer {label} tidak menjawab ({_seconds(timeout_s)} dtk)", "timeout", delivered
        )
    if isinstance(exc, _Closed | BrokenPipeError | ConnectionResetError | ConnectionAbortedError):
        if delivered:
            return PrinterProblem(
                f"Sambungan ke printer {label} terputus saat mencetak", "closed", True
            )
        return PrinterProblem(f"Sambungan ke printer {label} terputus", "closed", False)
    if isinstance(exc, ConnectionRefusedError):
        return PrinterProblem(
            f"Printer {label} menolak sambungan (mati atau alamat salah?)", "refused"
        )
    if isinstance(exc, socket.gaierror):
        return PrinterProblem(
            f"Printer {label} tidak dikenal di jaringan (periksa nama atau alamat IP)", "bad_url"
        )
    if isinstance(exc, OSError):
        number = exc.errno
        if number in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
            return PrinterProblem(f"Printer {label} tidak ditemukan", "no_device", delivered)
        if number in (errno.EACCES, errno.EPERM):
            return PrinterProblem(
                f"Tidak boleh menulis ke printer {label} (izin: masukkan pengguna ke grup lp "
                "atau dialout)",
                "io",
            )
        if number in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN):
            return PrinterProblem(
                f"Printer {label} tidak dapat dijangkau (periksa kabel dan jaringan)", "io"
            )
        reason = exc.strerror or str(exc) or type(exc).__name__
        return PrinterProblem(f"Gangguan printer {label}: {reason}", "io", delivered)
    raise exc


def _open(target: PrinterTarget, deadline: float) -> _Link:
    link: _Link = _LINKS[target.scheme](target, deadline)
    return link


def _ask(link: _Link, deadline: float) -> PrinterStatus:
    link.write(STATUS_REQUEST, deadline)
    return decode_status(link.read(3, deadline))


def query_status(target: PrinterTarget, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> PrinterStatus:
    """What the printer says about itself (DLE EOT 1, 2 and 4); `known` False for a target
    that does not answer (file, none). A printer that does not answer within `timeout_s` is a
    `PrinterProblem` ("Printer 10.0.0.7:9100 tidak menjawab (5 dtk)")."""
    if not target.answers_status:
        return UNKNOWN
    deadline = time.monotonic() + timeout_s
    link: _Link | None = None
    try:
        link = _open(target, deadline)
        return _ask(link, deadline)
    except PrinterProblem:
        raise
    except (OSError, _Timeout, _Closed) as exc:
        raise _problem(exc, target, timeout_s, False) from exc
    finally:
        if link is not None:
            link.close()


def send(
    target: PrinterTarget,
    data: bytes,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    check_status: bool = True,
) -> PrinterStatus:
    """Send one job: connect, ask the status first (a target that answers, with
    `check_status`: a problem is raised and nothing is sent), send all of `data`, ask the
    status again (the printer has read the job when it answers), close; all within
    `timeout_s`. Returns the status after the job: a paper-near-end warning, or a problem that
    came up while printing (the job is delivered; the printer keeps what it could not print).
    Every failure is a `PrinterProblem` with the real cause; `delivered` says whether the
    printer may have part of the job. A `none` target does nothing."""
    if target.scheme == "none":
        return UNKNOWN
    deadline = time.monotonic() + timeout_s
    link: _Link | None = None
    delivered = False
    try:
        link = _open(target, deadline)
        asking = check_status and target.answers_status
        if asking:
            before = _ask(link, deadline)
            if before.problem is not None:
                raise PrinterProblem(before.problem, before.cause or "offline")
            asking = before.known
        delivered = True
        link.write(data, deadline)
        return _ask(link, deadline) if asking else UNKNOWN
    except PrinterProblem:
        raise
    except (OSError, _Timeout, _Closed) as exc:
        raise _problem(exc, target, timeout_s, delivered) from exc
    finally:
        if link is not None:
            link.close()
