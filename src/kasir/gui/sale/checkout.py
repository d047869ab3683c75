"""The sale screen's documents: paying (F9), void and refund (F10), and logging out (F12).

Each payment taken in the payment dialog is stored with the cart at once (the sale session's
draft): a checkout that fails, a crash, or a logout on a stale shift never makes the cashier take
the customer's money twice. The sale is stored with the cart's own UUID, so F9 again after a lost
answer returns the stored sale instead of a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog
from sqlalchemy.orm import Session

from kasir.domain.payment import Due, PaymentInput
from kasir.domain.qris import make_dynamic
from kasir.errors import KasirError, StaleShift
from kasir.gui.ops import BUSY_DELAY_MS, Change, describe_error
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.returns import ReturnRequest, ReturnsDialog
from kasir.money import format_rupiah
from kasir.output.receipt import ReceiptHeader, render_text
from kasir.services import returns
from kasir.services.auth import Approval
from kasir.services.sale_lookup import SaleView
from kasir.services.sale_session import Done, SaleState
from kasir.services.shifts import CashierInactive

if TYPE_CHECKING:
    from kasir.gui.sale.screen import SaleScreen


class Checkout:
    """Paying, void/refund and logging out, for one sale screen."""

    def __init__(self, screen: SaleScreen) -> None:
        self.screen = screen
        self.payment_dialog: PaymentDialog | None = None  # built at the first F9, then reset
        # The payment that covers the sale, stored, not drawn yet (see take).
        self._covered: tuple[PaymentDialog, SaleState] | None = None
        self._draw_covered = QTimer(screen, singleShot=True, interval=BUSY_DELAY_MS)
        self._draw_covered.timeout.connect(self._show_covered)

    # --- paying ---------------------------------------------------------------------------------

    def pay(self) -> None:
        screen = self.screen
        if screen.waiting_scans():
            return
        state = screen.state
        if state is None or not state.cart.lines:
            screen.say("Keranjang kosong; pindai barang dulu.", error=True)
            return
        if state.remaining == 0:
            self.finish(None)  # nothing to pay (price 0, discount 100%), or already paid
            return
        static = str(screen.settings.get("qris_static", ""))
        qris = (lambda amount: make_dynamic(static, amount)) if static else None
        over = int(screen.settings.get("cash_plausible_over", 1_000_000))
        dialog = self.payment_dialog
        if dialog is None:
            dialog = self.payment_dialog = PaymentDialog(screen, state, qris, plausible_over=over)
            dialog.entered.connect(lambda payment: self.take(dialog, payment))
            dialog.removal.connect(lambda index, reason: self.remove(dialog, index, reason))
            dialog.finish_requested.connect(lambda: self.finish(dialog))
            dialog.rejected.connect(self._closed_with_payments)
        else:
            dialog.reset(state, qris, plausible_over=over)
        screen.open_dialog(dialog)

    def _closed_with_payments(self) -> None:
        taken = self.screen.state.paid if self.screen.state else 0
        if taken:
            self.screen.say(
                f"Pembayaran {format_rupiah(taken)} tetap tercatat untuk keranjang ini; F9 untuk "
                "melanjutkan, Esc dua kali untuk membatalkan transaksi."
            )

    def take(self, dialog: PaymentDialog, payment: PaymentInput) -> None:
        """A payment typed in the dialog: stored with the cart, then the sale when covered.

        A payment that covers the sale (as the screen's figures say) has the sale queued
        right behind it: the worker stores it once the payment's unit of work has committed
        and covers the sale (else it does nothing, and the payment's answer says why), without
        waiting for the GUI thread to hear about the payment first (it is painting the dialog
        then: about 5 ms of the cashier's wait). The payment that covers the sale is drawn (the
        screen's paid line, the dialog's list) only if storing the sale takes longer than
        BUSY_DELAY_MS or fails: drawn at once, it repainted the window and the dialog for a
        frame nobody sees (about 5 ms more)."""
        screen, sale = self.screen, self.screen.sale
        answers: list[SaleState] = []  # the payment's, on the worker, for the sale behind it

        def add(s: Session) -> SaleState:
            state = sale.add_payment(s, payment)
            answers.append(state)
            return state

        def covered() -> bool:
            """On the worker, after the payment's unit of work: committed, and it covers."""
            return (
                bool(answers) and answers[0].remaining == 0 and answers[0].payments == sale.payments
            )

        current = screen.state
        queued = current is not None and (
            Due.of(current.cart.total, (*current.payments, payment), current.rounding).remaining
            == 0
        )

        def stored(state: SaleState) -> None:
            if state.remaining == 0:
                screen.state = state  # what is stored; drawn by _show_covered or the next cart
                self._covered = (dialog, state)
                self._draw_covered.start()
                if not queued:
                    self.finish(dialog)
                return
            screen._render(state)
            dialog.take(state)

        def refused(exc: KasirError) -> None:
            dialog.show_error(exc.message)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, KasirError):
                dialog.show_error(describe_error(exc))

        screen.work.write(add, stored, refused=refused, failed=failed)
        dialog.wait()
        if queued:
            self.finish(dialog, only_if=covered)

    def remove(self, dialog: PaymentDialog, index: int, reason: str | None) -> None:
        """A payment chosen in the dialog to remove (recorded by the session, with its
        reason for a non-cash one)."""
        screen, sale = self.screen, self.screen.sale

        def stored(state: SaleState) -> None:
            screen._render(state)
            dialog.take(state)
            screen.say("Pembayaran dihapus dan dicatat.")

        def refused(exc: KasirError) -> None:
            dialog.show_error(exc.message)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, KasirError):
                dialog.show_error(describe_error(exc))

        screen.work.write(
            lambda s: sale.remove_payment(s, index, reason), stored, refused=refused, failed=failed
        )
        dialog.wait()

    def finish(
        self, dialog: PaymentDialog | None, *, only_if: Callable[[], bool] | None = None
    ) -> None:
        """Store the sale; `only_if` (on the worker, before the unit of work): store it only
        if this says so, else the answer is None and nothing is done."""
        screen, sale = self.screen, self.screen.sale
        store = self._with_receipt(sale.checkout)

        def run(s: Session) -> Done | None:
            if only_if is not None and not only_if():
                return None  # nothing read or written: no transaction begun
            return store(s)

        def stored(done: Done | None) -> None:
            if done is None:
                return  # the payment before it was not stored: its own answer said so
            self._drop_covered()
            self._printed()
            if dialog is not None:
                dialog.done(QDialog.DialogCode.Accepted)
            screen.new_sale(done.state)
            self.after_document(done.sale)
            change = f" Kembali {format_rupiah(done.sale.change)}." if done.sale.change else ""
            screen.say(
                f"Lunas: {done.sale.receipt_number}, {format_rupiah(done.sale.total)}.{change}"
            )
            screen.totals.show_change(done.sale.change)

        def refused(exc: KasirError) -> None:
            self._show_covered()
            if isinstance(exc, StaleShift | CashierInactive):
                if dialog is not None:
                    dialog.done(QDialog.DialogCode.Rejected)
                self._stale_shift(exc.message)
                return
            self._not_stored(exc.message, dialog)

        def failed(exc: BaseException) -> None:
            self._show_covered()
            if not isinstance(exc, KasirError):
                self._not_stored(describe_error(exc), dialog)

        screen.work.write(
            run,
            stored,
            refused=refused,
            failed=failed,
            changes=Change.SALE,
        )
        if dialog is not None:
            dialog.wait()

    def _show_covered(self) -> None:
        """Draw the payment that covered the sale, as stored: the sale is slow, or was not
        stored (the dialog then says why, over this)."""
        self._draw_covered.stop()
        if self._covered is None:
            return
        dialog, state = self._covered
        self._covered = None
        self.screen._render(state)
        dialog.take(state)
        dialog.wait()  # the sale is still being stored, or its answer comes right after this

    def _drop_covered(self) -> None:
        """The sale is stored: the next cart is drawn instead."""
        self._draw_covered.stop()
        self._covered = None

    def _with_receipt(self, store: Callable[[Session], Done]) -> Callable[[Session], Done]:
        """`store` (the checkout), and the sale's receipt queued in the same unit of work: the
        store holds the sale and its receipt job, or neither."""
        printing, user_id = self.screen.printing, self.screen.till.user_id
        if printing is None or not printing.enabled:
            return store

        def stored_and_queued(s: Session) -> Done:
            done = store(s)
            printing.queue(s, done.sale, user_id)
            return done

        return stored_and_queued

    def _printed(self) -> None:
        """After the commit: the print worker sends the new job now."""
        if self.screen.printing is not None:
            self.screen.printing.wake()

    def _not_stored(self, text: str, dialog: PaymentDialog | None) -> None:
        """The sale was not stored: the cart is kept, and so are the payments taken."""
        taken = self.screen.state.paid if self.screen.state else 0
        if taken:
            text += (
                f" Pembayaran {format_rupiah(taken)} yang sudah diterima tetap dicatat; tekan F9 "
                "untuk mencoba lagi."
            )
        if dialog is not None and dialog.isVisible():
            dialog.show_error(text)
        self.screen.say(text, error=True)

    def _stale_shift(self, message: str) -> None:
        """The shift is not today's or not this till's any more, or the cashier was deactivated:
        log out, so that logging in again counts and closes that shift and opens today's. The
        cart and its payments stay stored and come back then."""
        state = self.screen.state
        note = message
        if state is not None and not state.empty:
            note += (
                "\nKeranjang dan pembayaran yang sudah diterima tetap tersimpan; setelah masuk "
                "lagi dan membuka shift baru, keranjang kembali."
            )
        self.screen.logout_requested.emit(note)

    def after_document(self, sale: SaleView) -> None:
        """A sale or refund is committed: show its receipt and tell the others."""
        screen = self.screen
        screen.last_sale = sale
        settings = screen.settings
        header = ReceiptHeader(
            str(settings.get("store_name", "")),
            str(settings.get("store_address", "")),
            str(settings.get("receipt_footer", "")),
        )
        width = int(settings.get("receipt_width", 32))  # the preview at the paper's width
        screen.receipt.setPlainText(render_text(sale, header, width))
        screen.sale_done.emit(sale)

    # --- logging out ----------------------------------------------------------------------------

    def logout(self) -> None:
        """F12: leave the counter (another cashier may log in); not with a cart in progress."""
        if self.screen.waiting_scans():
            return
        state = self.screen.state
        if state is not None and not state.empty:
            self.screen.say(
                "Keranjang masih berisi: simpan (F8) atau selesaikan dulu, lalu F12 untuk keluar.",
                error=True,
            )
            return
        self.screen.logout_requested.emit("")

    # --- void and refund ------------------------------------------------------------------------

    def open_returns(self, typed: str = "") -> None:
        """F10: the void/refund dialog of this counter; `typed` (the scan field's text, e.g.
        `7`) is looked up at once."""
        settings = self.screen.settings
        header = ReceiptHeader(
            str(settings.get("store_name", "")),
            str(settings.get("store_address", "")),
            str(settings.get("receipt_footer", "")),
        )
        dialog = ReturnsDialog(
            self.screen.ops,
            self.screen,
            till=self.screen.till,
            header=header,
            printing=self.screen.printing,
            width=int(settings.get("receipt_width", 32)),
        )
        dialog.requested.connect(lambda request: self.run_return(dialog, request))
        self.screen.open_dialog(dialog)
        dialog.number.setFocus()
        if typed:
            dialog.number.setText(typed)
            dialog.load()

    def run_return(self, dialog: ReturnsDialog, request: ReturnRequest) -> None:
        till = self.screen.till

        def act(s: Session, approval: Approval | None) -> SaleView:
            if request.kind == "void":
                return returns.void_sale(
                    s,
                    till,
                    request.receipt_number,
                    request.reason,
                    approval,
                    reversal_references=request.reversal_references,
                )
            refund = returns.refund_sale(
                s,
                till,
                request.receipt_number,
                request.items,
                request.reason,
                approval,
                method=request.method,
                reference=request.reference,
            )
            if printing is not None and printing.enabled:  # in the refund's unit of work
                printing.queue(s, refund, till.user_id)
            return refund

        printing = self.screen.printing

        def done(doc: SaleView) -> None:
            self._printed()
            dialog.accept()
            self.after_document(doc)
            if request.kind == "void":
                self.screen.say(f"Struk {doc.receipt_number} di-void.")
            else:
                self.screen.say(
                    f"Retur {doc.receipt_number}: kembalikan {format_rupiah(-doc.total)}."
                )

        def refused(text: str) -> None:
            dialog.error.setText(text)  # said where the cashier is looking
            self.screen.say(text, error=True)

        dialog.error.clear()
        self.screen.work.approved(act, done, tell=refused, changes=Change.SALE)
