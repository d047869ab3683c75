"""Putting receipts in the store's print queue, and the worker that sends them (issue 17).

`queue_receipt` renders a document's receipt for the counter's printer (the exact bytes, with
the drawer pulse for a cash payment) and queues it in the caller's unit of work: called in the
sale's own transaction, the store holds the sale and its receipt job together or neither. Never
before the sale is committed does anything reach the printer: the worker sends jobs after the
commit, off the GUI thread.

`PrintWorker` is one thread per running Kasir: it sends the counter's jobs in the order queued,
each within the printer timeout, asking the printer's status first where the printer answers
(DLE EOT: paper out, cover open, offline). A failed job stays first in line; the worker tells
its listener the cause (the banner) and tries again every `retry_s`, or at once on `wake()`
(the banner's "Coba lagi", a new job). A job is marked sent only after the printer took every
byte; a crash between the two is the one case a receipt can print twice.

`send_pending` does the same once, for `kasir receipt --print` and `kasir printer test` when no
Kasir is running at the counter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from kasir.domain.vocab import PaymentMethod, PrintKind
from kasir.output.escpos import DrawerPulse, drawer_bytes, receipt_bytes
from kasir.output.printer import PrinterProblem, PrinterTarget, send
from kasir.output.receipt import ReceiptDoc, ReceiptHeader, preview_text
from kasir.services import journal, printing
from kasir.services.printing import ReceiptSetup
from kasir.services.sale_lookup import SaleView, sale_view

log = logging.getLogger(__name__)

RETRY_S = 10.0  # a failed job is tried again this often without anyone asking
POLL_S = 2.0  # new jobs queued by another process (the CLI) are noticed this soon


def header_of(setup: ReceiptSetup) -> ReceiptHeader:
    return ReceiptHeader(setup.store_name, setup.store_address, setup.footer)


def pulse_of(setup: ReceiptSetup) -> DrawerPulse:
    return DrawerPulse(setup.drawer_pin, setup.drawer_pulse_ms, 2 * setup.drawer_pulse_ms)


def receipt_doc(session: Session, sale: SaleView, copy_no: int = 0) -> ReceiptDoc:
    """The receipt document of `sale` as the store's settings lay it out."""
    setup = printing.receipt_setup(session)
    return ReceiptDoc(sale, header_of(setup), setup.width, copy_no)


def takes_cash(sale: SaleView) -> bool:
    """Cash changes hands: a cash payment of a sale, or cash handed back by a refund."""
    return sale.status == "completed" and any(
        p.method == PaymentMethod.TUNAI and p.amount != 0 for p in sale.payments
    )


@dataclass(frozen=True)
class Queued:
    job_id: int
    title: str
    drawer: bool  # the job opens the drawer


def queue_receipt(
    session: Session,
    sale: SaleView | int,
    *,
    counter_id: int,
    user_id: int | None,
    reprint: bool = False,
) -> Queued:
    """Queue the receipt of a document (a sale, a refund, a voided sale) for `counter_id`'s
    printer. A reprint is marked SALINAN with its number and recorded as asked for by
    `user_id`; the first receipt of a cash document opens the drawer (recorded)."""
    view = sale if isinstance(sale, SaleView) else sale_view(session, sale)
    if not reprint and (queued := printing.receipt_job_of(session, view.id)) is not None:
        return Queued(queued, f"Struk {view.receipt_number}", False)  # once per document
    setup = printing.receipt_setup(session)
    copy_no = printing.next_copy_no(session, view.id) if reprint else 0
    doc = ReceiptDoc(view, header_of(setup), setup.width, copy_no)
    drawer = not reprint and setup.drawer_on_cash and takes_cash(view)
    payload = receipt_bytes(
        doc,
        profile=setup.profile,
        codepage=setup.codepage,
        drawer=pulse_of(setup) if drawer else None,
    )
    what = "Retur" if view.kind == "refund" else "Struk"
    title = f"{what} {view.receipt_number}" + (f" (salinan ke-{copy_no})" if reprint else "")
    kind = PrintKind.REPRINT if reprint else PrintKind.RECEIPT
    job_id = printing.add_job(
        session,
        counter_id,
        kind,
        payload,
        title=title,
        sale_id=view.id,
        copy_no=copy_no,
        requested_by_id=user_id,
    )
    if reprint:
        journal.record_event(
            session,
            "reprint",
            user_id=user_id,
            counter_id=counter_id,
            entity="sale",
            entity_id=view.receipt_number,
            detail={"copy_no": copy_no, "print_job_id": job_id},
        )
    if drawer and user_id is not None:
        reason = f"{'Retur tunai' if view.kind == 'refund' else 'Pembayaran tunai'} " + (
            view.receipt_number
        )
        printing.record_drawer(
            session, counter_id, user_id, reason, sale_id=view.id, print_job_id=job_id
        )
    return Queued(job_id, title, drawer)


def queue_drawer(
    session: Session, *, counter_id: int, user_id: int, reason: str, approved_by_id: int
) -> Queued:
    """Only the drawer pulse (a supervisor's key), recorded with the reason and approver."""
    setup = printing.receipt_setup(session)
    job_id = printing.add_job(
        session,
        counter_id,
        PrintKind.DRAWER,
        drawer_bytes(pulse_of(setup)),
        title=f"Buka laci: {reason}",
        requested_by_id=user_id,
    )
    printing.record_drawer(
        session, counter_id, user_id, reason, approved_by_id=approved_by_id, print_job_id=job_id
    )
    return Queued(job_id, f"Buka laci: {reason}", True)


def preview(session: Session, sale: SaleView, copy_no: int = 0) -> str:
    """The receipt as the paper will look, at the store's width."""
    return preview_text(receipt_doc(session, sale, copy_no))


# --- sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterState:
    """What the counter shows about its printer."""

    target: str  # "10.0.0.7:9100"
    problem: str = ""  # the cause of the last failure ("Kertas habis"); "" when printing works
    pending: int = 0  # jobs waiting, the failed one included
    warning: str = ""  # "Kertas hampir habis"
    job_title: str = ""  # the job that failed

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class Attempt:
    job_id: int
    title: str
    sent: bool
    error: str = ""


def send_next(
    factory: sessionmaker[Session], counter_id: int, target: PrinterTarget, timeout_s: float
) -> tuple[Attempt | None, str]:
    """Send the counter's next job: (the attempt, or None when nothing waits; a warning)."""
    with factory() as session:
        job = printing.next_job(session, counter_id)
    if job is None:
        return None, ""
    warning = ""
    try:
        status = send(target, job.payload, timeout_s=timeout_s)
        if status.paper_near_end:
            warning = "Kertas hampir habis"
    except PrinterProblem as exc:
        with factory.begin() as session:
            printing.mark_failed(session, job.id, str(exc))
        log.warning("print job %s (%s) failed: %s", job.id, job.title, exc)
        return Attempt(job.id, job.title, False, str(exc)), ""
    with factory.begin() as session:
        printing.mark_sent(session, job.id)
    log.info("print job %s (%s) sent to %s", job.id, job.title, target.label)
    return Attempt(job.id, job.title, True), warning


def send_pending(
    factory: sessionmaker[Session], counter_id: int, target: PrinterTarget, timeout_s: float
) -> list[Attempt]:
    """Send the counter's waiting jobs in order, stopping at the first that fails."""
    done: list[Attempt] = []
    while True:
        attempt, _warning = send_next(factory, counter_id, target, timeout_s)
        if attempt is None:
            return done
        done.append(attempt)
        if not attempt.sent:
            return done


class PrintWorker:
    """The counter's printing thread; `on_state` is called from it with every change."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        counter_id: int,
        target: PrinterTarget,
        on_state: Callable[[PrinterState], None],
        *,
        timeout_s: float = 5.0,
        retry_s: float = RETRY_S,
        poll_s: float = POLL_S,
    ) -> None:
        self.factory = factory
        self.counter_id = counter_id
        self.target = target
        self.timeout_s = timeout_s
        self.retry_s = retry_s
        self.poll_s = poll_s
        self._on_state = on_state
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = PrinterState(target.label)

    def start(self) -> None:
        if self._thread is None and self.target.scheme != "none":
            self._thread = threading.Thread(target=self._run, name="kasir-print", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Look at the queue now: a job was queued, or a person asked to try again."""
        self._wake.set()

    def stop(self, timeout_s: float = 6.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _tell(self, state: PrinterState) -> None:
        if state != self.state:
            self.state = state
            try:
                self._on_state(state)
            except Exception:  # a listener gone (the app quitting): keep printing
                log.debug("printer state listener failed", exc_info=True)

    def _pending(self) -> int:
        with self.factory() as session:
            return printing.unsent_count(session, self.counter_id)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                attempt, warning = send_next(
                    self.factory, self.counter_id, self.target, self.timeout_s
                )
                pending = self._pending()
            except Exception as exc:  # the store unreachable: try again later, say nothing new
                log.warning("print queue: %s", exc)
                self._wake.wait(self.retry_s)
                self._wake.clear()
                continue
            if attempt is not None and not attempt.sent:
                self._tell(
                    PrinterState(self.target.label, attempt.error, pending, job_title=attempt.title)
                )
                self._wake.wait(self.retry_s)
                self._wake.clear()
                continue
            # The paper warning is the last printed job's (nothing sent: the one before).
            kept = warning if attempt is not None else self.state.warning
            self._tell(PrinterState(self.target.label, "", pending, kept))
            if attempt is None:  # nothing waits: sleep until woken or the next look
                self._wake.wait(self.poll_s)
                self._wake.clear()
