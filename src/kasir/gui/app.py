"""Start the GUI: open (and upgrade) the store, log in, open the shift, show the counter."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from kasir.config import Config
from kasir.errors import KasirError
from kasir.gui.dialogs import AmountDialog
from kasir.gui.login import LoginDialog, OpenShiftDialog
from kasir.gui.main_window import MainWindow
from kasir.gui.ops import Ops, describe_error
from kasir.gui.sale.screen import SaleScreen
from kasir.money import format_rupiah
from kasir.services import sale_lookup, shifts
from kasir.services.auth import UserView
from kasir.services.catalog import ensure_counter
from kasir.services.demo import has_data, load_demo_data
from kasir.services.shifts import ShiftView, Till
from kasir.store.engine import describe_url
from kasir.store.open import open_store as open_database
from kasir.timeutil import business_date, local

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Store:
    ops: Ops
    counter_id: int
    counter_code: str
    database: str  # short description for the status bar


def open_store(config: Config, *, demo: bool = False) -> Store:
    """Open the store, bring its schema up to date, and load the demo data when asked."""
    # The app may create the store (first run, --demo); `kasir` checks an explicit --db first.
    factory = open_database(config, create=True).factory
    with factory.begin() as session:
        if demo and not has_data(session):
            load_demo_data(session)
            log.info("demo data loaded into %s", describe_url(config.database_url))
        counter_id = ensure_counter(session, config.counter)
    return Store(Ops(factory), counter_id, config.counter, describe_url(config.database_url))


def build_main_window(config: Config, *, demo: bool = False) -> MainWindow:
    """The main window with the catalog only (no login): for tools and screenshots."""
    store = open_store(config, demo=demo)
    return MainWindow(store.ops, database=store.database, counter=store.counter_code)


class CounterApp(QObject):
    """Log in, open the shift when the counter has none, then show the sale screen."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.ops = store.ops
        self.window: MainWindow | None = None
        self.sale_screen: SaleScreen | None = None
        self.shift: ShiftView | None = None
        self.user: UserView | None = None
        self.shift_dialog: OpenShiftDialog | None = None
        self.close_dialog: AmountDialog | None = None
        self.login = LoginDialog(self.ops, store.counter_code)
        self.login.logged_in.connect(self.after_login)
        self.ops.error.connect(self._error_before_window)
        self.ops.changed.connect(self.refresh_status)

    def start(self) -> None:
        self.login.show()

    def _error_before_window(self, message: str) -> None:
        if self.window is None:
            QMessageBox.warning(None, "Kasir", message)

    def after_login(self, user: UserView, note: str = "") -> None:
        self.user = user
        shift = self.ops.run(lambda s: shifts.current_shift(s, self.store.counter_id))
        # A shift of another day (an earlier one, or a future one after the clock went back),
        # or another cashier's (each cashier counts their own drawer): counted and closed
        # first, then this cashier opens their own.
        if shift is not None and (
            shift.business_date != business_date() or shift.cashier_id != user.id
        ):
            self.ask_close_stale(shift)
            return
        if shift is not None:
            self.show_counter(shift)
            return
        dialog = OpenShiftDialog(None, user, self.store.counter_code, note)
        dialog.accepted.connect(lambda: self.open_shift(dialog.value))
        dialog.rejected.connect(self.login.show)
        self.shift_dialog = dialog
        dialog.show()
        dialog.edit.setFocus()

    def ask_close_stale(self, shift: ShiftView) -> None:
        """A shift left open on an earlier day, or another cashier's: count the drawer and
        close it, then go on.

        Sales are recorded on the shift's business day, so a new day needs a new shift; and
        one shift is one cashier's cash, so a new cashier needs a new shift."""
        if shift.business_date != business_date():
            where = f"dari tanggal {shift.business_date:%d-%m-%Y} masih terbuka"
        else:
            where = "masih terbuka di meja ini"
        dialog = AmountDialog(
            None,
            "Tutup shift lama",
            f"Shift #{shift.id} ({shift.cashier_name}) {where}.\n"
            "Hitung uang di laci, ketik jumlahnya, lalu Enter untuk menutup shift itu:",
            pad=True,
        )
        dialog.accepted.connect(lambda: self.close_stale(shift, dialog.value))
        dialog.rejected.connect(self.login.show)
        self.close_dialog = dialog
        dialog.show()
        dialog.edit.setFocus()

    def close_stale(self, shift: ShiftView, counted: object) -> None:
        assert self.user is not None and isinstance(counted, int)
        user = self.user
        closed = self.ops.run(
            lambda s: shifts.close_shift(s, shift.id, counted, user.id), changes="shift"
        )
        if closed is None:
            self.login.show()
            return
        difference = closed.difference or 0
        note = f"Shift #{closed.id} ditutup (selisih kas {format_rupiah(difference)}).\n"
        self.after_login(user, note)

    def open_shift(self, amount: object) -> None:
        assert self.user is not None and isinstance(amount, int)
        user_id = self.user.id
        shift = self.ops.run(
            lambda s: shifts.open_shift(s, self.store.counter_id, user_id, amount), changes="shift"
        )
        if shift is None:
            self.login.show()
            return
        self.show_counter(shift)

    def show_counter(self, shift: ShiftView) -> None:
        assert self.user is not None
        self.shift = shift
        till = Till(
            self.store.counter_id, self.store.counter_code, self.user.id, self.user.full_name
        )
        window = MainWindow(self.ops, database=self.store.database, counter=self.store.counter_code)
        screen = SaleScreen(self.ops, till)
        screen.logout_requested.connect(self.logout)
        window.add_screen(screen, "Penjualan", first=True)
        self.status_cashier = QLabel(f"Kasir: {self.user.full_name}")
        self.status_shift = QLabel(
            f"Shift #{shift.id} {local(shift.opened_at):%H:%M}, "
            f"modal {format_rupiah(shift.opening_float)}"
        )
        self.status_printer = QLabel("Printer: pratinjau saja")
        self.status_sales = QLabel()
        for label in (
            self.status_cashier,
            self.status_shift,
            self.status_printer,
            self.status_sales,
        ):
            window.add_status(label)
        self.window, self.sale_screen = window, screen
        self.refresh_status("sale")
        window.show()
        screen.focus_scan()
        screen.say_parked()

    def logout(self, note: str = "") -> None:
        """F12 Keluar (or a shift of an earlier day): back to the login for the next cashier.

        The shift stays open: the same cashier logging in again carries on with it; another
        cashier first counts and closes it."""
        window = self.window
        self.window = self.sale_screen = None
        self.shift = self.user = None
        self.shift_dialog = self.close_dialog = None
        self.login.reset(note)
        self.login.show()  # first, so that closing the window never leaves none open
        if window is not None:
            window.close()
            window.deleteLater()

    def refresh_status(self, what: str) -> None:
        if what != "sale" or self.window is None:
            return
        day = self.shift.business_date if self.shift else business_date()
        counter_id = self.store.counter_id
        summary = self.ops.run(lambda s: sale_lookup.counter_day_summary(s, counter_id, day))
        if summary is not None:
            self.status_sales.setText(
                f"Hari ini: {summary.sales} penjualan, {format_rupiah(summary.total)}"
            )


def run_app(config: Config, *, demo: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Kasir")
    try:
        store = open_store(config, demo=demo)
    except Exception as exc:
        if not isinstance(exc, KasirError):
            log.exception("start-up failed")
        QMessageBox.critical(None, "Kasir tidak dapat dibuka", describe_error(exc))
        return 1
    counter = CounterApp(store)
    counter.start()
    return app.exec()
