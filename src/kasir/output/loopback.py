"""A network receipt printer stand-in on 127.0.0.1 (tests, `make bench`, trying Kasir without
hardware): it takes raw ESC/POS over TCP like a printer's port 9100, answers DLE EOT status
queries, and keeps what it received, one bytes object per connection.

`mode` plays the printers that go wrong: "ok"; "paper_out" (DLE EOT says the roll is empty);
"cover_open"; "near_end" (paper near its end, still printing); "silent" (accepts and never reads
nor answers); "close" (reads a little, then hangs up mid-job). A `refused` printer is a port
nothing listens on: `free_port()`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

DLE_EOT = b"\x10\x04"
READY = 0x12  # the fixed bits of every DLE EOT answer, nothing wrong
MODES = ("ok", "paper_out", "cover_open", "near_end", "silent", "close")


def status_byte(n: int, mode: str) -> int:
    """The answer to DLE EOT n for a printer in `mode` (Epson's bit layout)."""
    value = READY
    if n == 1 and mode in ("paper_out", "cover_open"):
        value |= 0x08  # offline
    if n == 2 and mode == "cover_open":
        value |= 0x04
    if n == 2 and mode == "paper_out":
        value |= 0x20  # stopped by the paper end
    if n == 4 and mode == "paper_out":
        value |= 0x60
    if n == 4 and mode == "near_end":
        value |= 0x0C
    return value


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (a printer that refuses the connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoopbackPrinter:
    def __init__(self, mode: str = "ok", port: int = 0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} not in {MODES}")
        self.mode = mode
        self.received: list[bytes] = []
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", port))
        self._server.listen(8)
        self.port = int(self._server.getsockname()[1])
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="loopback-printer", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def data(self) -> bytes:
        """Everything received, all connections in order."""
        with self._lock:
            return b"".join(self.received)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _addr = self._server.accept()
            except OSError:
                return
            # Answers go out at once, as a printer's do (Nagle would hold the second status
            # byte until the client's delayed ACK: 40 ms).
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        got = bytearray()
        answered = 0  # status queries answered so far
        with self._lock:
            self.received.append(b"")
            slot = len(self.received) - 1
        try:
            if self.mode == "silent":
                self._stopped.wait()
                return
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                got += chunk
                with self._lock:
                    self.received[slot] = bytes(got)
                if self.mode == "close" and len(got) > 64:
                    return  # hangs up mid-job, before answering anything more
                # Answer each status query in what came so far (once per query).
                queries = got.count(DLE_EOT)
                for i in range(answered, queries):
                    at = _nth(got, DLE_EOT, i)
                    n = got[at + 2] if at + 2 < len(got) else 1
                    conn.sendall(bytes([status_byte(n, self.mode)]))
                answered = queries
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        self._stopped.set()
        # shutdown wakes the accept() blocked in the thread; close alone may not
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._server.close()
        self._thread.join(2)
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.close()

    def __enter__(self) -> LoopbackPrinter:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()


def _nth(data: bytearray, needle: bytes, n: int) -> int:
    at = -1
    for _ in range(n + 1):
        at = data.find(needle, at + 1)
    return at
