"""The sale screen: what the cashier sees all day.

The scan field always has the focus. A scanner types digits and Enter; the line appears at
once (same item again adds to its quantity). Letters and Enter open the search. Every action
is a service call through `Ops`; this module only shows results and asks for input.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kasir.domain.cart import Cart
from kasir.domain.payment import PaymentInput
from kasir.errors import KasirError, NotFound
from kasir.gui.dialogs import (
    AmountDialog,
    DiscountDialog,
    QuantityDialog,
    big_font,
)
from kasir.gui.ops import Ops
from kasir.gui.sale.cart_model import CartTableModel
from kasir.gui.sale.checkout import CheckoutScreen
from kasir.gui.sale.parked import ParkedDialog, RecallChangesDialog
from kasir.gui.sale.search import SearchDialog
from kasir.money import format_rupiah
from kasir.services import cart_edit, parking
from kasir.services.cart_edit import CartView
from kasir.services.catalog import ProductView
from kasir.services.sale_lookup import SaleView
from kasir.services.shifts import Till

# (key, label, method name): shown as touch buttons and documented in the README.
ACTIONS = (
    ("F2", "Cari", "open_search"),
    ("F4", "Jumlah", "ask_quantity"),
    ("F6", "Diskon", "ask_line_discount"),
    ("Shift+F6", "Diskon total", "ask_order_discount"),
    ("F7", "Ubah harga", "ask_price"),
    ("Del", "Hapus baris", "remove_selected"),
    ("F8", "Simpan/Ambil", "park_or_recall"),
    ("F9", "Bayar", "pay"),
    ("F10", "Void/Retur", "open_returns"),
    ("F12", "Keluar", "logout"),
    ("Esc", "Batal", "cancel"),
)


class SaleScreen(CheckoutScreen):
    """The cart and the scan field; paying, void/refund and logout are in CheckoutScreen."""

    def __init__(self, ops: Ops, till: Till, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.till = till
        self.cart = Cart()
        self.view: CartView | None = None
        self.last_sale: SaleView | None = None
        self.pending: list[PaymentInput] = []
        self._cancel_asked = False  # Esc pressed once with payments taken

        self.scan = QLineEdit()
        self.scan.setFont(big_font(20))
        self.scan.setPlaceholderText("Pindai barcode atau ketik nama/SKU, lalu Enter")
        self.scan.returnPressed.connect(self.on_scan)
        self.message.setText("Siap. Pindai barang pertama.")
        self.message.setWordWrap(True)
        self.message.setFont(big_font(12))

        self.model = CartTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.setFont(big_font(13))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        self.total_label = QLabel()
        self.total_label.setFont(big_font(34, bold=True))
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.detail_label = QLabel()
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        # After a cash sale: the change to hand back, large, until the next item is scanned.
        self.change_label = QLabel()
        self.change_label.setFont(big_font(24, bold=True))
        self.change_label.setStyleSheet("color: #0b6e2e;")
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.receipt = QPlainTextEdit()
        self.receipt.setReadOnly(True)
        self.receipt.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.receipt.setStyleSheet("font-family: monospace; background: #fffef8;")
        self.receipt.setPlaceholderText("Pratinjau struk terakhir")
        self.receipt.setMinimumWidth(370)  # room for a large total and change, no jumping

        right = QVBoxLayout()
        right.addWidget(self.total_label)
        right.addWidget(self.detail_label)
        right.addWidget(self.change_label)
        right.addWidget(QLabel("Struk terakhir (pratinjau):"))
        right.addWidget(self.receipt, 1)
        left = QVBoxLayout()
        left.addWidget(self.scan)
        left.addWidget(self.message)
        left.addWidget(self.table, 1)
        top = QHBoxLayout()
        top.addLayout(left, 3)
        top.addLayout(right, 1)

        buttons = QGridLayout()
        self._keys: dict[str, Callable[[], None]] = {}
        for i, (key, label, method) in enumerate(ACTIONS):
            button = QPushButton(f"{key}\n{label}")
            button.setMinimumSize(96, 56)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(getattr(self, method))
            buttons.addWidget(button, 0, i)
            self._keys[QKeySequence(key).toString()] = getattr(self, method)
        self.scan.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addLayout(buttons)
        self._show(None)

    # --- plumbing ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Function keys typed in the scan field run their action at once.

        Handled here rather than with window shortcuts so that they work as soon as the scan
        field has the focus, whatever window the system thinks is active."""
        if watched is self.scan and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key == Qt.Key.Key_Delete and self.scan.text():
                return False  # deleting typed characters
            combo = QKeySequence(event.keyCombination()).toString()
            action = self._keys.get(combo)
            if action is not None:
                action()
                return True
        return super().eventFilter(watched, event)

    def focus_scan(self) -> None:
        """Back to the scan field, and to this window: a closing dialog does not always hand
        the activation back (no window manager on a kiosk, the offscreen platform)."""
        window = self.window()
        if window.isVisible() and not window.isActiveWindow():
            window.activateWindow()
        self.scan.setFocus()

    def _show(self, view: CartView | None) -> None:
        self.view = view
        self._cancel_asked = False
        self.model.set_view(view)
        # The last touched line is highlighted by the model; a row the cashier touched or
        # clicked is the selection, and a change in the cart clears it.
        self.table.clearSelection()
        if view and view.last_index is not None:
            self.table.scrollTo(self.model.index(view.last_index, 0))
        total = view.total if view else 0
        self.total_label.setText(format_rupiah(total))
        if view and view.lines:
            self.change_label.clear()
            parts = [f"{view.item_count} barang", f"{len(view.lines)} baris"]
            if view.discount_total:
                parts.append(f"hemat {format_rupiah(view.discount_total)}")
            self.detail_label.setText(" · ".join(parts))
        else:
            self.detail_label.setText("Keranjang kosong")
        if view and view.warnings:
            self.say(" ".join(view.warnings), error=False)

    def selected_index(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        return self.cart.last_index

    # --- scanning and the cart ----------------------------------------------------------------

    def on_scan(self) -> None:
        text = self.scan.text().strip()
        self.scan.clear()
        if not text:
            return
        qty = 1
        if "*" in text:  # "3*2000000100012": three of that item
            count, _, code = text.partition("*")
            if count.strip().isdigit():
                qty, text = int(count), code.strip()
        try:
            view = self.ops.call(lambda s: cart_edit.add_by_code(s, self.cart, text, qty))
        except NotFound as exc:
            if any(ch.isalpha() for ch in text):  # a name, not a code: let them pick
                self.open_search(text)
                return
            self.say(exc.message, error=True)
            return
        except KasirError as exc:
            self.say(exc.message, error=True)
            return
        except Exception as exc:
            self._failed(exc)
            return
        self._show(view)
        line = view.lines[view.last_index] if view.last_index is not None else None
        if line and not view.warnings:
            self.say(f"{line.qty} x {line.name}  {format_rupiah(line.line_total)}")

    def open_search(self, text: str = "") -> None:
        dialog = SearchDialog(self.ops, text if isinstance(text, str) else "", self)
        dialog.picked.connect(self._add_product)
        self._open(dialog)

    def _add_product(self, product: ProductView) -> None:
        view = self._call(lambda s: cart_edit.add_by_id(s, self.cart, product.id))
        if view is not None:
            self._show(view)
            self.say(f"1 x {product.name} ditambahkan")

    def _need_line(self) -> int | None:
        index = self.selected_index()
        if index is None or not self.cart.lines:
            self.say("Keranjang kosong; pindai barang dulu.", error=True)
            return None
        return index

    def ask_quantity(self) -> None:
        index = self._need_line()
        if index is None:
            return
        line = self.cart.lines[index]
        dialog = QuantityDialog(
            self, "Ubah jumlah", f"Jumlah untuk {line.name}:", str(line.qty), pad=True
        )

        def apply() -> None:
            qty = dialog.value
            assert isinstance(qty, int)
            view = self._call(lambda s: cart_edit.set_quantity(s, self.cart, index, qty))
            if view is not None:
                self._show(view)

        dialog.accepted.connect(apply)
        self._open(dialog)

    def ask_line_discount(self) -> None:
        index = self._need_line()
        if index is None:
            return
        line = self.cart.lines[index]
        dialog = DiscountDialog(
            self, "Diskon baris", f"Diskon untuk {line.name} (mis. 10% atau 5.000; 0 = hapus):"
        )

        def apply() -> None:
            discount = dialog.value
            self._approved(
                lambda s, a: cart_edit.set_line_discount(s, self.cart, index, discount, a),  # type: ignore[arg-type]
                self._show,
            )

        dialog.accepted.connect(apply)
        self._open(dialog)

    def ask_order_discount(self) -> None:
        if not self.cart.lines:
            self.say("Keranjang kosong; tidak ada yang bisa didiskon.", error=True)
            return
        dialog = DiscountDialog(
            self, "Diskon transaksi", "Diskon seluruh belanja (10% atau 5.000):"
        )

        def apply() -> None:
            discount = dialog.value
            self._approved(
                lambda s, a: cart_edit.set_order_discount(s, self.cart, discount, a),  # type: ignore[arg-type]
                self._show,
            )

        dialog.accepted.connect(apply)
        self._open(dialog)

    def ask_price(self) -> None:
        index = self._need_line()
        if index is None:
            return
        line = self.cart.lines[index]
        dialog = AmountDialog(self, "Ubah harga", f"Harga satuan baru untuk {line.name}:")

        def apply() -> None:
            price = dialog.value
            assert isinstance(price, int)
            self._approved(
                lambda s, a: cart_edit.override_price(s, self.cart, index, price, a), self._show
            )

        dialog.accepted.connect(apply)
        self._open(dialog)

    def remove_selected(self) -> None:
        index = self._need_line()
        if index is None:
            return
        name = self.cart.lines[index].name
        view = self._call(lambda s: cart_edit.remove_line(s, self.cart, index))
        if view is not None:
            self._show(view)
            self.say(f"{name} dihapus dari keranjang")

    def cancel(self) -> None:
        """Esc: clear the typed text, or else empty the cart (it is not a sale yet).

        With payments taken (a checkout that failed), a second Esc is needed."""
        if self.scan.text():
            self.scan.clear()
            return
        if self.pending and not self._cancel_asked:
            self._cancel_asked = True
            self.say(
                f"Sudah diterima {format_rupiah(self.pending_total())}. Tekan Esc sekali lagi "
                "untuk membatalkan transaksi dan semua pembayaran.",
                error=True,
            )
            return
        if self.cart.lines or self.pending:
            self.new_sale()
            self.say("Transaksi dibatalkan; keranjang dikosongkan.")

    def new_sale(self) -> None:
        self.cart = Cart()
        self.pending = []
        self._show(None)
        self.focus_scan()

    # --- park and recall ------------------------------------------------------------------------

    def park_or_recall(self) -> None:
        if self.pending:
            self.say(
                f"Sudah diterima {format_rupiah(self.pending_total())} untuk keranjang ini: "
                "selesaikan (F9) atau batalkan (Esc) dulu.",
                error=True,
            )
            return
        if self.cart.lines:
            first = self.cart.lines[0].name
            parked = self._call(
                lambda s: parking.park_cart(s, self.till, self.cart, f"{first} dst.")
            )
            if parked is not None:
                self.new_sale()
                self.say(f"Transaksi disimpan ({parked.item_count} barang). F8 untuk mengambil.")
                self.ops.changed.emit("parked")
            return
        parked_list = self._call(lambda s: parking.list_parked(s, self.till.counter_id)) or []
        if not parked_list:
            self.say("Tidak ada transaksi yang disimpan.")
            return
        dialog = ParkedDialog(parked_list, self)
        dialog.recalled.connect(self.recall)
        self._open(dialog)

    def say_parked(self) -> None:
        """At the start of a shift: carts parked on this counter are waiting (F8)."""
        parked = self._call(lambda s: parking.list_parked(s, self.till.counter_id)) or []
        if parked:
            self.say(f"Siap. Ada {len(parked)} transaksi disimpan; F8 untuk mengambil.")

    def recall(self, parked_id: int) -> None:
        recalled = self._call(lambda s: parking.recall_cart(s, parked_id))
        if recalled is None:
            return
        self.cart = recalled.cart
        view = self._call(lambda s: cart_edit.view_cart(s, self.cart))
        self._show(view)
        self.ops.changed.emit("parked")
        if not recalled.changes:
            self.say("Transaksi yang disimpan diambil kembali.")
            return
        # Prices are today's: the cashier sees what changed and tells the customer.
        self.say(f"Transaksi diambil kembali, {len(recalled.changes)} perubahan harga/barang.")
        self._open(RecallChangesDialog(recalled.changes, self))
