"""The sale screen: what the cashier sees all day.

It is composed of small widgets (`panels`: scan bar, cart, totals, receipt, key bar) that render
the `SaleState` of a Qt-free `SaleSession` (`kasir.services.sale_session`): the sale, its
payments, approvals, park and recall and the shift rules live there, and this module only
forwards keys and shows results. Every service call runs on the worker (`host.Actions`): a scan
is queued at once, other keys wait for the operations before them, so nothing typed is lost or
taken out of order. Paying (F9), void/refund (F10) and logging out (F12) are in `checkout.py`.

The scan field always has the focus. A scanner types digits and Enter; the line appears at once
(same item again adds to its quantity). Letters and Enter open the search. A scanner's burst
typed anywhere else in the window, or into a dialog, is recognised too (`kasir.gui.scanner`,
routed by `keys.SaleKeys`), and so are the function keys.

Up/Down in the scan field choose the cart line that F4, F6, F7 and Del act on (highlighted;
by default the line scanned or changed last).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from kasir.domain.cart import Cart
from kasir.domain.measure import format_for_input, is_measured, looks_like_quantity
from kasir.domain.payment import PaymentInput, method_label
from kasir.errors import KasirError, NotFound
from kasir.gui.dialogs import AmountDialog, DiscountDialog, InputDialog, QuantityDialog
from kasir.gui.ops import Change, Ops, describe_error, kind_of
from kasir.gui.printing import Printing
from kasir.gui.sale.cart_model import CartTableModel
from kasir.gui.sale.checkout import Checkout
from kasir.gui.sale.host import Actions, DialogStack
from kasir.gui.sale.keys import SaleKeys
from kasir.gui.sale.panels import ACTIONS, CartPanel, KeyBar, ReceiptPanel, ScanBar, TotalsPanel
from kasir.gui.sale.parked import ParkedDialog, RecallChangesDialog
from kasir.gui.sale.search import SearchDialog
from kasir.gui.scanner import DEFAULT_INTERVAL_MS, ScanBurstFilter
from kasir.gui.shift import ShiftKeys
from kasir.money import format_rupiah
from kasir.output.print_queue import Queued, queue_drawer
from kasir.services import parking
from kasir.services import printing as printing_service
from kasir.services.auth import Approval
from kasir.services.cart_edit import CartView
from kasir.services.catalog import ProductView
from kasir.services.sale_lookup import SaleView
from kasir.services.sale_session import SaleSession, SaleState
from kasir.services.shifts import Till
from kasir.settings import get_all

__all__ = ["ACTIONS", "SaleScreen"]

RETRY_SCANS_MS = 2000  # a scan the store could not take is sent again after this


class SaleScreen(QWidget):
    """Emits `sale_done(SaleView)` after each committed sale or refund,
    `logout_requested(str)` (a note for the login window) when the cashier leaves, and
    `lock_requested()` on F11 (the app locks the window: `kasir.gui.screen_lock`)."""

    sale_done = Signal(object)
    logout_requested = Signal(str)
    lock_requested = Signal()

    def __init__(
        self,
        ops: Ops,
        till: Till,
        parent: QWidget | None = None,
        *,
        printing: Printing | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.till = till
        self.printing = printing  # the counter's printer (None: the preview only)
        self.sale = SaleSession(till)
        self.state: SaleState | None = None
        self.settings: dict[str, Any] = {}
        self.last_sale: SaleView | None = None
        self.chosen: int | None = None  # the line chosen with Up/Down (None: the last touched)
        self.close_confirmed = False  # the window may close although a cart is in progress
        self.unsent: list[tuple[str, int | str]] = []  # scans the store could not take yet
        self._retry = QTimer(self, singleShot=True, interval=RETRY_SCANS_MS)
        self._retry.timeout.connect(self._send_unsent)

        self.scan_bar = ScanBar()
        self.cart_panel = CartPanel()
        self.totals = TotalsPanel()
        self.receipt_panel = ReceiptPanel()
        self.key_bar = KeyBar()
        self.dialogs = DialogStack(self, self._dialogs_closed)
        self.work = Actions(ops, self.dialogs, lambda text: self.say(text, error=True))
        self.checkout = Checkout(self)

        left = QVBoxLayout()
        left.addWidget(self.scan_bar)
        left.addWidget(self.cart_panel, 1)
        right = QVBoxLayout()
        right.addWidget(self.totals)
        right.addWidget(self.receipt_panel, 1)
        top = QHBoxLayout()
        top.addLayout(left, 3)
        top.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.key_bar)

        self._keys: dict[str, Callable[[], None]] = {
            combo: getattr(self, name) for combo, name in self.key_bar.shortcuts.items()
        }
        self._keys["Ctrl+L"] = self.open_drawer  # no button: a supervisor's key
        # Ctrl+F12 Tutup shift, Ctrl+K Kas masuk/keluar, Shift+F12 Laporan X (issue 19).
        self.shift_keys = ShiftKeys(self)
        self.key_bar.triggered.connect(lambda name: self.key(getattr(self, name)))
        self.scan.returnPressed.connect(self.on_scan)
        self.scan.installEventFilter(self)
        self.cart_panel.clicked.connect(lambda index: self.choose_line(index.row()))
        # Scanner bursts and function keys anywhere in the window (and its dialogs).
        self.keys = SaleKeys(self)
        self.scanner = ScanBurstFilter(self.keys, self, interval_ms=DEFAULT_INTERVAL_MS)
        ops.changed.connect(self._changed)
        self._render(None)

    # --- the widgets, by the names the tests and the app use -------------------------------------

    @property
    def scan(self) -> QLineEdit:
        return self.scan_bar.field

    @property
    def message(self) -> QLabel:
        return self.scan_bar.message

    @property
    def table(self) -> QTableView:
        return self.cart_panel

    @property
    def model(self) -> CartTableModel:
        return self.cart_panel.cart_model

    @property
    def total_label(self) -> QLabel:
        return self.totals.total_label

    @property
    def detail_label(self) -> QLabel:
        return self.totals.detail_label

    @property
    def change_label(self) -> QLabel:
        return self.totals.change_label

    @property
    def receipt(self) -> QPlainTextEdit:
        return self.receipt_panel.receipt

    @property
    def dialog(self) -> QDialog | None:
        return self.dialogs.current

    @property
    def view(self) -> CartView | None:
        return self.state.cart if self.state else None

    @property
    def cart(self) -> Cart:
        return self.sale.cart

    @property
    def pending(self) -> list[PaymentInput]:
        """Payments taken for the cart in progress (stored with it)."""
        return list(self.sale.payments)

    # --- starting -------------------------------------------------------------------------------

    def start(self) -> None:
        """Come back to the counter's cart in progress (a crash, a logout on a stale shift)
        and say what is waiting: that cart, or carts parked on this counter (F8)."""
        till = self.till

        def load(s: Any) -> tuple[SaleSession, str | None, SaleState, dict[str, Any], int]:
            sale, note = SaleSession.resume(s, till)
            parked = len(parking.list_parked(s, till.counter_id))
            return sale, note, sale.state(s), get_all(s), parked

        def done(result: tuple[SaleSession, str | None, SaleState, dict[str, Any], int]) -> None:
            self.sale, note, state, self.settings, parked = result
            self._use_settings(self.settings)
            self._render(state)
            if note:
                self.say(note)
            elif parked:
                self.say(f"Siap. Ada {parked} transaksi disimpan; F8 untuk mengambil.")

        self.work.write(load, done)

    def _changed(self, changes: object) -> None:
        if changes == Change.SETTINGS:
            self.work.read(get_all, self._use_settings)

    def _use_settings(self, values: dict[str, Any]) -> None:
        self.settings = values
        self.scanner.interval_ms = int(values.get("scanner_key_interval_ms", DEFAULT_INTERVAL_MS))

    # --- plumbing -------------------------------------------------------------------------------

    def key(self, action: Callable[[], None]) -> None:
        """A function key: run now, or after the operations still running (never dropped).
        The message line is cleared: what it said was about the action before."""
        self.say("")
        self.work.when_idle(action)

    def add_key(self, combo: str, action: Callable[[], None]) -> None:
        """Another key of this window, handled like the screen's own (the app's: F3 audit
        view, F5 users, for the roles allowed)."""
        self._keys[QKeySequence(combo).toString()] = action

    def action_for(self, combo: str) -> Callable[[], None] | None:
        """The action of a function key (QKeySequence text, e.g. "F9", "Shift+F6")."""
        return self._keys.get(combo)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Function keys typed in the scan field run their action (in order with the scans).

        Handled here rather than with window shortcuts so that they work as soon as the scan
        field has the focus, whatever window the system thinks is active."""
        if watched is self.scan and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key == Qt.Key.Key_Delete and self.scan.text():
                return False  # deleting typed characters
            if key == Qt.Key.Key_Escape and self.scan.text():
                self.scan.clear()  # at once: the text is still being typed
                return True
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not event.modifiers():
                self.key(lambda: self.move_line(-1 if key == Qt.Key.Key_Up else 1))
                return True
            combo = QKeySequence(event.keyCombination()).toString()
            action = self._keys.get(combo)
            if action is not None:
                self.key(action)
                return True
        return False

    def showEvent(self, event: Any) -> None:
        """The main window asks this screen before it closes (`close_guard`). Not an event
        filter on the window: that saw every one of its events (some 300 per sale, each
        costing an enum from PySide), about 1.5 ms of the F9-to-next-scan time."""
        super().showEvent(event)
        window = self.window()
        if window is not self and hasattr(window, "close_guard"):
            window.close_guard = self._may_close

    def _may_close(self) -> bool:
        """Closing the window with a cart asks first (without blocking: the question is a
        dialog of this screen); the cart is kept either way, stored as the counter's draft."""
        if self.close_confirmed or self.state is None or self.state.empty:
            return True
        if isinstance(self.dialog, QMessageBox):
            return False  # already asking
        state = self.state
        paid = f", pembayaran {format_rupiah(state.paid)} diterima" if state.payments else ""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Tutup Kasir?",
            f"Keranjang masih berisi ({state.cart.item_count} barang{paid}).\n"
            "Keranjang tetap tersimpan dan kembali saat Kasir dibuka lagi di meja ini.\n\n"
            "Tutup aplikasi sekarang?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText("Ya, tutup")
        box.button(QMessageBox.StandardButton.No).setText("Tidak")
        window = self.window()

        def answered(button: object) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Yes:  # type: ignore[arg-type]
                self.close_confirmed = True
                window.close()
            else:
                self.say("Kasir tidak ditutup; keranjang tetap di layar.")

        box.buttonClicked.connect(answered)
        self.open_dialog(box)
        return False

    def _dialogs_closed(self) -> None:
        self.focus_scan()
        self.keys.send_kept()

    def focus_scan(self) -> None:
        """Back to the scan field, and to this window: a closing dialog does not always hand
        the activation back (no window manager on a kiosk, the offscreen platform)."""
        window = self.window()
        if window.isVisible() and not window.isActiveWindow():
            window.activateWindow()
        self.scan.setFocus()

    def say(self, text: str, *, error: bool = False) -> None:
        self.scan_bar.say(text, error=error)

    def _render(self, state: SaleState | None) -> None:
        self.state = state
        lines = state.cart.lines if state else ()
        if self.chosen is not None and self.chosen >= len(lines):
            self.chosen = None
        self.cart_panel.show_state(state, self.chosen)
        self.totals.show_state(state)
        if state and state.cart.warnings:
            self.say(" ".join(state.cart.warnings))

    def open_dialog(self, dialog: QDialog) -> None:
        self.dialogs.open(dialog)

    def selected_index(self) -> int | None:
        """The line F4, F6, F7 and Del act on: the one chosen, else the last touched."""
        if self.chosen is not None and self.chosen < len(self.sale.cart.lines):
            return self.chosen
        return self.sale.cart.last_index

    def choose_line(self, row: int) -> None:
        view = self.view
        if view is None or not 0 <= row < len(view.lines):
            return
        self.chosen = row
        self.cart_panel.show_state(self.state, row)
        line = view.lines[row]
        self.say(
            f"Baris {row + 1} dari {len(view.lines)}: {line.qty_text} x {line.name}  "
            f"{format_rupiah(line.line_total)} (F4 jumlah, F6 diskon, F7 harga, Del hapus)"
        )
        self.focus_scan()

    def move_line(self, step: int) -> None:
        """Up/Down in the scan field: the line before or after the one chosen."""
        view = self.view
        if view is None or not view.lines:
            self.say("Keranjang kosong; pindai barang dulu.", error=True)
            return
        current = self.selected_index()
        current = len(view.lines) - 1 if current is None else current
        self.choose_line(max(0, min(len(view.lines) - 1, current + step)))

    def _say_line(self, state: SaleState, index: int) -> None:
        lines = state.cart.lines
        if 0 <= index < len(lines) and not state.cart.warnings:
            line = lines[index]
            self.say(f"{line.qty_text} x {line.name}  {format_rupiah(line.line_total)}")

    # --- scanning and the cart ------------------------------------------------------------------

    def on_scan(self) -> None:
        text = self.scan.text().strip()
        self.scan.clear()
        if not text:
            return
        self.say("")  # what the line said was about the scan before
        qty: int | str = 1
        if "*" in text:  # "3*2000000100012": three of that item
            count, _, code = text.partition("*")
            if count.strip().isdigit():
                qty, text = int(count), code.strip()
            elif looks_like_quantity(count):  # "1,3*..." / "500g*...": parsed for the product
                qty, text = count.strip(), code.strip()
        self._send_scan(text, qty)

    def scan_code(
        self, code: str, *, elsewhere: bool = False, kept: bool = False, after_sale: bool = False
    ) -> None:
        """A scanner's code recognised away from the scan field (`keys.SaleKeys`): from
        another tab (`elsewhere`), or kept while a dialog was open (`kept`); `after_sale`:
        that dialog finished a sale, whose message and change stay on the screen."""
        if not after_sale:
            self.say("")
        self._send_scan(code, 1, elsewhere=elsewhere, kept=kept, after_sale=after_sale)

    def _send_scan(
        self,
        text: str,
        qty: int | str,
        *,
        elsewhere: bool = False,
        kept: bool = False,
        after_sale: bool = False,
    ) -> None:
        sale = self.sale

        def not_found(exc: KasirError) -> None:
            if isinstance(exc, NotFound) and any(ch.isalpha() for ch in text):
                self.open_search(text)  # a name, not a code: let them pick
            else:
                self.say(exc.message, error=True)

        def failed(exc: BaseException) -> None:
            # The store could not take it (locked past the busy timeout, unreachable): the scan
            # is kept and sent again by itself, never dropped; paying waits for it.
            if kind_of(exc) != "problem":
                return
            self.unsent.append((text, qty))
            self.say(
                f"Pindaian {text} belum tercatat ({describe_error(exc)}); dicoba lagi otomatis. "
                "Jangan bayar dulu.",
                error=True,
            )
            if not self._retry.isActive():
                self._retry.start()

        def scanned(state: SaleState) -> None:
            before, change = self.message.text(), self.change_label.text()
            self._scanned(state)
            if after_sale:
                # The kept scan starts the next cart: the change to hand back stays on the
                # screen, and so does what the line said about the sale.
                self.totals.change_label.setText(change)
                line = self.message.text()
                self.say(f"{before} Pindaian yang disimpan masuk keranjang baru: {line}")
            elif kept:
                self.say(f"Pindaian yang disimpan masuk keranjang: {self.message.text()}")
            if elsewhere:
                self._tell_window(f"Dipindai ke keranjang Penjualan: {self.message.text()}")

        def refused(exc: KasirError) -> None:
            not_found(exc)
            if elsewhere:
                self._tell_window(f"Pindaian {text}: {exc.message}")

        self.work.write(lambda s: sale.scan(s, text, qty), scanned, refused=refused, failed=failed)

    def _tell_window(self, text: str) -> None:
        """Said on the status bar too: the message line is not shown in another tab."""
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 10000)

    def _send_unsent(self) -> None:
        pending, self.unsent = self.unsent, []
        for text, qty in pending:
            self._send_scan(text, qty)

    def waiting_scans(self) -> bool:
        """Scans the store could not take yet: say so (paying, parking, leaving must wait)."""
        if not self.unsent:
            return False
        codes = ", ".join(text for text, _qty in self.unsent)
        self.say(
            f"Masih ada {len(self.unsent)} pindaian yang belum tercatat ({codes}); tunggu "
            "sampai database bisa dipakai lagi.",
            error=True,
        )
        return True

    def _scanned(self, state: SaleState) -> None:
        self.chosen = None  # the scanned line is the one the keys act on now
        self._render(state)
        if state.cart.last_index is not None:
            self._say_line(state, state.cart.last_index)

    def open_search(self, text: str = "") -> None:
        dialog = SearchDialog(self.ops, text if isinstance(text, str) else "", self)
        dialog.picked.connect(self._add_product)
        self.open_dialog(dialog)

    def _add_product(self, product: ProductView, *, elsewhere: bool = False) -> None:
        sale = self.sale

        def done(state: SaleState) -> None:
            self.chosen = None
            self._render(state)
            self.say(f"1 x {product.name} ditambahkan")
            if elsewhere:
                self._tell_window(f"1 x {product.name} ditambahkan ke keranjang Penjualan")

        self.work.write(lambda s: sale.add_product(s, product.id), done)

    def add_from_catalog(self, product: ProductView) -> None:
        """Enter on a row of the Katalog tab: that product into the cart (the tab stays)."""
        self.say("")
        self.work.when_idle(lambda: self._add_product(product, elsewhere=True))

    def _need_line(self) -> int | None:
        index = self.selected_index()
        if index is None or not self.sale.cart.lines:
            self.say("Keranjang kosong; pindai barang dulu.", error=True)
            return None
        return index

    def ask_quantity(self) -> None:
        index = self._need_line()
        if index is None:
            return
        line = self.sale.cart.lines[index]
        weighed = is_measured(line.unit)
        dialog = QuantityDialog(
            self,
            "Ubah jumlah",
            f"{'Berat' if weighed else 'Jumlah'} untuk {line.name}"
            + (f" ({line.unit}, mis. 1,3 atau 1300g):" if weighed else ":"),
            format_for_input(line.qty, line.unit, line.qty_scale),
            pad=True,
            unit=line.unit,
        )
        sale = self.sale

        def apply() -> None:
            qty = dialog.value
            assert isinstance(qty, int)
            self.work.write(lambda s: sale.set_quantity(s, index, qty), self._changed_line(index))

        dialog.accepted.connect(apply)
        self.open_dialog(dialog)

    def ask_line_discount(self) -> None:
        index = self._need_line()
        if index is None:
            return
        line = self.sale.cart.lines[index]
        dialog = DiscountDialog(
            self, "Diskon baris", f"Diskon untuk {line.name} (mis. 10% atau 5.000; 0 = hapus):"
        )
        sale = self.sale

        def apply() -> None:
            discount = dialog.value
            self.work.approved(
                lambda s, a: sale.set_line_discount(s, index, discount, a),  # type: ignore[arg-type]
                self._changed_line(index),
            )

        dialog.accepted.connect(apply)
        self.open_dialog(dialog)

    def ask_order_discount(self) -> None:
        if not self.sale.cart.lines:
            self.say("Keranjang kosong; tidak ada yang bisa didiskon.", error=True)
            return
        dialog = DiscountDialog(
            self, "Diskon transaksi", "Diskon seluruh belanja (10% atau 5.000):"
        )
        sale = self.sale

        def apply() -> None:
            discount = dialog.value
            self.work.approved(
                lambda s, a: sale.set_order_discount(s, discount, a),  # type: ignore[arg-type]
                self._render,
            )

        dialog.accepted.connect(apply)
        self.open_dialog(dialog)

    def open_drawer(self) -> None:
        """Ctrl+L: open the cash drawer without a sale (change for the next customer, a
        count): a reason, then a supervisor's PIN; recorded, and sent to the printer's
        drawer port through the print queue."""
        printing = self.printing
        if printing is None or not printing.enabled:
            self.say(
                "Laci uang terhubung ke printer struk; meja ini tidak punya printer.", error=True
            )
            return
        dialog = InputDialog(self, "Buka laci uang", "Alasan membuka laci (mis. tukar uang):")
        till = self.till

        def act(s: Session, approval: Approval | None) -> Queued:
            reason = str(dialog.value)
            approver = printing_service.approve_drawer(
                s, till.user_id, reason, approval, till.counter_id
            )
            return queue_drawer(
                s,
                counter_id=till.counter_id,
                user_id=till.user_id,
                reason=str(dialog.value).strip(),
                approved_by_id=approver,
            )

        def done(_queued: Queued) -> None:
            printing.wake()
            self.say(f"Laci dibuka ({str(dialog.value).strip()}); dicatat.")

        dialog.accepted.connect(lambda: self.work.approved(act, done))
        self.open_dialog(dialog)

    def ask_price(self) -> None:
        index = self._need_line()
        if index is None:
            return
        line = self.sale.cart.lines[index]
        dialog = AmountDialog(self, "Ubah harga", f"Harga satuan baru untuk {line.name}:")
        sale = self.sale

        def apply() -> None:
            price = dialog.value
            assert isinstance(price, int)
            self.work.approved(
                lambda s, a: sale.override_price(s, index, price, a), self._changed_line(index)
            )

        dialog.accepted.connect(apply)
        self.open_dialog(dialog)

    def _changed_line(self, index: int) -> Callable[[SaleState], None]:
        """After F4, F6 or F7: show the cart and say the line as it is now."""

        def done(state: SaleState) -> None:
            self._render(state)
            self._say_line(state, index)

        return done

    def remove_selected(self) -> None:
        index = self._need_line()
        if index is None:
            return
        name = self.sale.cart.lines[index].name
        sale = self.sale

        def done(state: SaleState) -> None:
            self.chosen = None
            self._render(state)
            self.say(f"{name} dihapus dari keranjang")

        self.work.write(lambda s: sale.remove_line(s, index), done)

    def cancel(self) -> None:
        """Esc: with text in the scan field, clear it; with a cart (or payments taken), ask
        first, saying what would be cancelled; Enter or Y cancels, Esc or N keeps the cart.
        The session records the cancelled cart (who, when, lines, payments)."""
        if self.scan.text():
            self.scan.clear()
            return
        if self.unsent:  # Esc drops the scans still waiting for the store, and says so
            dropped = ", ".join(text for text, _qty in self.unsent)
            self.unsent = []
            self._retry.stop()
            self.say(f"Pindaian yang belum tercatat dibatalkan: {dropped}.")
            return
        state = self.state
        if state is None or (not self.sale.cart.lines and not self.sale.payments):
            return
        if isinstance(self.dialog, QMessageBox):
            return  # already asking
        self.open_dialog(self._cancel_question(state))

    def _cancel_question(self, state: SaleState) -> QMessageBox:
        view = state.cart
        text = (
            f"Batalkan transaksi ini?\n\n{view.item_count} barang, {len(view.lines)} baris, "
            f"total {format_rupiah(view.total)}."
        )
        if state.payments:
            taken = ", ".join(
                f"{method_label(p.method)} {format_rupiah(p.amount)}" for p in state.payments
            )
            text += f"\nSudah diterima: {taken} (ikut dibatalkan; kembalikan uangnya ke pelanggan)."
        text += "\n\nEnter / Y: batalkan. Esc / N: lanjutkan transaksi."
        box = QMessageBox(QMessageBox.Icon.Warning, "Batalkan transaksi?", text, parent=self)
        yes = box.addButton("&Ya, batalkan", QMessageBox.ButtonRole.YesRole)
        no = box.addButton("Tidak, lanjutkan (&N)", QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(yes)
        box.setEscapeButton(no)
        sale = self.sale

        def done(new_state: SaleState) -> None:
            self.chosen = None
            self._render(new_state)
            self.focus_scan()
            self.say("Transaksi dibatalkan dan dicatat; keranjang dikosongkan.")

        def answered(button: object) -> None:
            if button is yes:
                self.work.write(sale.cancel, done)
            else:
                self.say("Transaksi dilanjutkan; keranjang tetap.")

        box.buttonClicked.connect(answered)
        return box

    def new_sale(self, state: SaleState) -> None:
        """The session has started a new cart (after a sale, a park, a cancel)."""
        self.chosen = None
        self._render(state)
        self.focus_scan()

    # --- park and recall ------------------------------------------------------------------------

    def park_or_recall(self) -> None:
        if self.waiting_scans():
            return
        sale = self.sale
        if sale.payments:
            self.say(
                f"Sudah diterima {format_rupiah(sum(p.amount for p in sale.payments))} untuk "
                "keranjang ini: selesaikan (F9) atau batalkan (Esc) dulu.",
                error=True,
            )
            return
        if sale.cart.lines:

            def parked(result: tuple[parking.ParkedView, SaleState]) -> None:
                view, state = result
                self.new_sale(state)
                self.say(f"Transaksi disimpan ({view.item_count} barang). F8 untuk mengambil.")

            self.work.write(sale.park, parked, changes=Change.PARKED)
            return
        counter_id = self.till.counter_id

        def listed(parked_list: list[parking.ParkedView]) -> None:
            if not parked_list:
                self.say("Tidak ada transaksi yang disimpan.")
                return
            dialog = ParkedDialog(parked_list, self)
            dialog.recalled.connect(self.recall)
            self.open_dialog(dialog)

        self.work.read(lambda s: parking.list_parked(s, counter_id), listed)

    def recall(self, parked_id: int) -> None:
        sale = self.sale

        def done(result: tuple[parking.Recalled, SaleState]) -> None:
            recalled, state = result
            self.chosen = None
            self._render(state)
            if not recalled.changes:
                self.say("Transaksi yang disimpan diambil kembali.")
                return
            # Prices are today's: the cashier sees what changed and tells the customer.
            self.say(f"Transaksi diambil kembali, {len(recalled.changes)} perubahan harga/barang.")
            self.open_dialog(RecallChangesDialog(recalled.changes, self))

        self.work.write(lambda s: sale.recall(s, parked_id), done, changes=Change.PARKED)

    # --- documents (checkout.py) ----------------------------------------------------------------

    def pay(self) -> None:
        self.checkout.pay()

    def open_returns(self) -> None:
        # A number typed before F10 (`7`: today's receipt 7 of this counter) is looked up.
        typed = self.scan.text().strip()
        self.scan.clear()
        self.checkout.open_returns(typed)

    def lock_screen(self) -> None:
        """F11: lock the window while the cashier steps away (the cart stays as it is)."""
        self.lock_requested.emit()

    def logout(self) -> None:
        self.checkout.logout()
