"""The counter's printer in the window: the print worker, its banner and status (issue 17).

`Printing` owns the counter's `PrintWorker` (its own thread: a printer problem never holds up
the GUI thread or the sale worker) and turns its reports into `state_changed` on the GUI thread.
A sale's receipt is queued in the sale's own unit of work (`queue` is called on the ops worker);
the worker is woken after the commit. With no printer (`none`) nothing is queued: the window's
preview is the receipt.

`PrinterBanner` names a printer problem with its real cause ("Kertas habis", "Printer
10.0.0.7:9100 tidak menjawab (5 dtk)") and a button (and Ctrl+P) to try again; the next sale
never waits for it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget
from sqlalchemy.orm import Session, sessionmaker

from kasir.errors import KasirError
from kasir.output.print_queue import PrinterState, PrintWorker, Queued, queue_receipt
from kasir.output.printer import PrinterTarget, parse_printer_url
from kasir.services.sale_lookup import SaleView

log = logging.getLogger(__name__)

BANNER_STYLE = (
    "#printerBanner { background: #fff4ce; border-bottom: 1px solid #c8a600; }"
    " #printerBanner QLabel { color: #4a3b00; padding: 6px 10px; font-weight: bold; }"
)


class Printing(QObject):
    """The counter's printer: `enabled` when one is configured."""

    state_changed = Signal(object)  # PrinterState, on the GUI thread

    def __init__(
        self,
        factory: sessionmaker[Session],
        counter_id: int,
        url: str,
        *,
        timeout_s: float = 5.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.counter_id = counter_id
        self.url_error = ""
        try:
            self.target: PrinterTarget = parse_printer_url(url)
        except KasirError as exc:  # a typo in KASIR_PRINTER / kasir.toml: said, never a crash
            self.url_error = f"Alamat printer tidak valid: {exc}"
            self.target = parse_printer_url("none")
        self.state = PrinterState(self.target.label, self.url_error)
        self.worker = PrintWorker(
            factory, counter_id, self.target, self.state_changed.emit, timeout_s=timeout_s
        )
        self.state_changed.connect(self._remember)

    @property
    def enabled(self) -> bool:
        return self.target.scheme != "none"

    def describe(self) -> str:
        """The status bar's text."""
        if self.url_error:
            return "Printer: alamat tidak valid"
        if not self.enabled:
            return "Printer: pratinjau saja"
        state = self.state
        if state.problem:  # the banner says it in full; the cause usually names the printer
            if state.target in state.problem:
                return f"Printer: {state.problem}"
            return f"Printer {state.target}: {state.problem}"
        waiting = f", {state.pending} antre" if state.pending else ""
        warning = f" — {state.warning}" if state.warning else ""
        return f"Printer {state.target}: siap{waiting}{warning}"

    def start(self) -> None:
        """Start sending (once; again after `stop` only by a new Printing)."""
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def _remember(self, state: PrinterState) -> None:
        self.state = state

    # --- called on the ops worker, inside a unit of work -----------------------------------

    def queue(
        self, session: Session, sale: SaleView, user_id: int | None, *, reprint: bool = False
    ) -> Queued | None:
        """The document's receipt job (None without a printer, and for a receipt already
        queued: a sale asked for again after a lost answer prints once)."""
        if not self.enabled:
            return None
        return queue_receipt(
            session, sale, counter_id=self.counter_id, user_id=user_id, reprint=reprint
        )

    def wake(self) -> None:
        """After the commit of a job, or "Coba lagi": the worker looks at the queue now."""
        self.worker.wake()


class PrinterBanner(QFrame):
    """One line naming the printer's problem and what to do; hidden when printing works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printerBanner")
        self.setStyleSheet(BANNER_STYLE)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.retry = QPushButton("Coba lagi (Ctrl+P)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry)
        self.hide()

    def show_state(self, state: PrinterState) -> None:
        if state.ok:
            self.label.clear()
            self.hide()
            return
        waiting = (
            f" {state.pending} tugas cetak menunggu, dicetak berurutan." if state.pending else ""
        )
        self.label.setText(
            f"⚠ {state.problem.rstrip('.')}.{waiting} Penjualan jalan terus; periksa printer "
            "lalu Coba lagi (dicoba sendiri tiap 10 detik)."
        )
        self.show()
