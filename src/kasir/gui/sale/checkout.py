"""The sale screen's documents: paying (F9), void and refund (F10), and logging out (F12).

Kept apart from the cart handling in `screen.py`. Payments taken in the payment dialog are
kept until the sale is stored or the cart is cancelled: a checkout that fails (a database
problem) does not make the cashier take the customer's money twice.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.domain.qris import make_dynamic
from kasir.errors import KasirError, StaleShift
from kasir.gui.ops import describe_error
from kasir.gui.sale.host import ServiceScreen
from kasir.gui.sale.payment import PaymentDialog
from kasir.gui.sale.returns import ReturnRequest, ReturnsDialog
from kasir.money import format_rupiah
from kasir.output.receipt import ReceiptHeader, render_text
from kasir.services import checkout as checkout_service
from kasir.services import parking, returns
from kasir.services.auth import Approval
from kasir.services.cart_edit import CartView
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till
from kasir.settings import get_all


class CheckoutScreen(ServiceScreen):
    """Emits `sale_done(SaleView)` after each committed sale or refund, and
    `logout_requested(str)` (a note for the login window) when the cashier leaves."""

    sale_done = Signal(object)
    logout_requested = Signal(str)

    # Set up by SaleScreen.
    till: Till
    cart: Cart
    view: CartView | None
    last_sale: SaleView | None
    receipt: QPlainTextEdit
    change_label: QLabel
    pending: list[PaymentInput]  # taken in the payment dialog, sale not stored yet

    def new_sale(self) -> None:
        raise NotImplementedError

    def pending_total(self) -> int:
        return sum(p.amount for p in self.pending)

    # --- paying ---------------------------------------------------------------------------------

    def pay(self) -> None:
        if not self.cart.lines or self.view is None:
            self.say("Keranjang kosong; pindai barang dulu.", error=True)
            return
        if self.view.total == 0 and not self.pending:
            self.finish_sale([])  # nothing to pay (price 0, discount 100%)
            return
        settings = self._call(get_all)
        static = str(settings.get("qris_static", "")) if settings else ""
        qris = (lambda amount: make_dynamic(static, amount)) if static else None
        dialog = PaymentDialog(self, self.view.total, qris, list(self.pending))
        dialog.paid.connect(self.finish_sale)
        dialog.rejected.connect(lambda: self._payments_cancelled(dialog.payments))
        self._open(dialog)

    def _payments_cancelled(self, payments: list[PaymentInput]) -> None:
        # The dialog closes with payments only on a second Esc: they are given back.
        if payments:
            self.say(f"Pembayaran {format_rupiah(sum(p.amount for p in payments))} dibatalkan.")
        self.pending = []

    def finish_sale(self, payments: list[PaymentInput]) -> None:
        self.pending = list(payments)
        try:
            till, cart = self.till, self.cart
            sale = self.ops.call(lambda s: checkout_service.checkout(s, till, cart, payments))
        except KasirError as exc:
            if isinstance(exc, StaleShift):
                self._stale_shift(exc.message)
            else:
                self._not_stored(exc.message)
            return
        except Exception as exc:
            self.ops.report(exc)
            self._not_stored(describe_error(exc))
            return
        self.pending = []
        self.after_document(sale)
        change = f" Kembali {format_rupiah(sale.change)}." if sale.change else ""
        self.say(f"Lunas: {sale.receipt_number}, {format_rupiah(sale.total)}.{change}")
        self.new_sale()
        self.change_label.setText(f"Kembali {format_rupiah(sale.change)}" if sale.change else "")

    def _not_stored(self, text: str) -> None:
        """The sale was not stored: the cart is kept, and so are the payments taken."""
        if self.pending:
            text += (
                f" Pembayaran {format_rupiah(self.pending_total())} yang sudah diterima tetap "
                "dicatat; tekan F9 untuk mencoba lagi."
            )
        self.say(text, error=True)

    def _stale_shift(self, message: str) -> None:
        """The shift is of an earlier day: park the cart and log out, so that logging in
        again counts and closes that shift and opens today's; F8 then recalls the cart."""
        taken = self.pending_total()
        first = self.cart.lines[0].name
        parked = self._call(lambda s: parking.park_cart(s, self.till, self.cart, f"{first} dst."))
        if parked is None:
            self._not_stored(
                f"{message} Simpan keranjang (F8), tekan F12 (Keluar), lalu masuk lagi."
            )
            return
        note = (
            f"{message}\nKeranjang disimpan; tekan F8 untuk mengambilnya setelah masuk lagi "
            "dan membuka shift baru."
        )
        if taken:
            note += (
                f"\nPembayaran {format_rupiah(taken)} yang sudah diterima belum tercatat: "
                "catat lagi saat membayar."
            )
        self.pending = []
        self.new_sale()
        self.ops.changed.emit("parked")
        self.logout_requested.emit(note)

    def after_document(self, sale: SaleView) -> None:
        """A sale or refund is committed: show its receipt and tell the others."""
        self.last_sale = sale
        settings = self._call(get_all) or {}
        header = ReceiptHeader(
            str(settings.get("store_name", "")),
            str(settings.get("store_address", "")),
            str(settings.get("receipt_footer", "")),
        )
        self.receipt.setPlainText(render_text(sale, header, 32))
        self.sale_done.emit(sale)
        self.ops.changed.emit("sale")

    # --- logging out ----------------------------------------------------------------------------

    def logout(self) -> None:
        """F12: leave the counter (another cashier may log in); not with a cart in progress."""
        if self.cart.lines or self.pending:
            self.say(
                "Keranjang masih berisi: simpan (F8) atau selesaikan dulu, lalu F12 untuk keluar.",
                error=True,
            )
            return
        self.logout_requested.emit("")

    # --- void and refund ------------------------------------------------------------------------

    def open_returns(self) -> None:
        dialog = ReturnsDialog(self.ops, self)
        dialog.requested.connect(lambda request: self.run_return(dialog, request))
        self._open(dialog)
        dialog.number.setFocus()

    def run_return(self, dialog: ReturnsDialog, request: ReturnRequest) -> None:
        def act(s: Session, approval: Approval | None) -> SaleView:
            if request.kind == "void":
                return returns.void_sale(
                    s,
                    self.till,
                    request.receipt_number,
                    request.reason,
                    approval,
                    reversal_references=request.reversal_references,
                )
            return returns.refund_sale(
                s,
                self.till,
                request.receipt_number,
                request.items,
                request.reason,
                approval,
                method=request.method,
                reference=request.reference,
            )

        def done(doc: SaleView) -> None:
            dialog.accept()
            self.after_document(doc)
            if request.kind == "void":
                self.say(f"Struk {doc.receipt_number} di-void.")
            else:
                self.say(f"Retur {doc.receipt_number}: kembalikan {format_rupiah(-doc.total)}.")

        def refused(text: str) -> None:
            dialog.error.setText(text)  # said where the cashier is looking
            self.say(text, error=True)

        dialog.error.clear()
        self._approved(act, done, refused)
