"""Start the GUI: open (and upgrade) the store, log in, open the shift, show the counter."""

from __future__ import annotations

import logging
import os
import socket
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox
from sqlalchemy.orm import Session

from kasir.config import Config
from kasir.errors import KasirError
from kasir.gui.audit import AuditDialog
from kasir.gui.dialogs import SupervisorDialog
from kasir.gui.display import apply_font_scale, show_window
from kasir.gui.first_run import FirstAdminDialog
from kasir.gui.handover import Handover, HandoverDialog
from kasir.gui.login import LoginDialog, OpenShiftDialog
from kasir.gui.main_window import MainWindow
from kasir.gui.manager import ManagerMenu
from kasir.gui.ops import Change, Ops, as_changes, describe_error
from kasir.gui.printing import PrinterBanner, Printing
from kasir.gui.problems import install_excepthook, show_crash
from kasir.gui.sale.screen import SaleScreen
from kasir.gui.screen_lock import ScreenLock
from kasir.gui.users import UsersDialog
from kasir.money import format_rupiah
from kasir.output.print_queue import PrinterState
from kasir.services import sale_lookup, shifts, till, users
from kasir.services.auth import UserView, not_a_seller_message
from kasir.services.catalog import ensure_counter
from kasir.services.demo import has_data, load_demo_data
from kasir.services.permissions import allowed
from kasir.services.shifts import ShiftView, Till
from kasir.settings import get_all, get_setting
from kasir.store.engine import describe_url
from kasir.store.open import open_store as open_database
from kasir.timeutil import business_date, local

log = logging.getLogger(__name__)

# This running Kasir: the holder of its counter's lease (`kasir.services.till`).
INSTANCE_ID = str(uuid.uuid4())


@dataclass(frozen=True)
class Store:
    ops: Ops
    counter_id: int
    counter_code: str
    database: str  # short description for the status bar
    settings: dict[str, Any] = field(default_factory=dict)  # as read at start (font, window)
    printer: str = "none"  # this counter's printer URL (Config.printer)


def open_store(config: Config, *, demo: bool = False) -> Store:
    """Open the store, bring its schema up to date, and load the demo data when asked."""
    # The app may create the store (first run, --demo); `kasir` checks an explicit --db first.
    factory = open_database(config, create=True).factory
    with factory.begin() as session:
        if demo and not has_data(session):
            load_demo_data(session)
            log.info("demo data loaded into %s", describe_url(config.database_url))
        counter_id = ensure_counter(session, config.counter)
        settings = get_all(session)
    return Store(
        Ops(factory),
        counter_id,
        config.counter,
        describe_url(config.database_url),
        settings,
        config.printer,
    )


def build_main_window(config: Config, *, demo: bool = False) -> MainWindow:
    """The main window with the catalog only (no login): for tools and screenshots."""
    store = open_store(config, demo=demo)
    return MainWindow(store.ops, database=store.database, counter=store.counter_code)


class CounterApp(QObject):
    """Take the counter's lease, log in, open the shift when the counter has none, then show
    the sale screen.

    The lease (one running Kasir per counter) is taken before the login can be used and
    renewed every `till.HEARTBEAT_EVERY`; while another Kasir holds it the login says where
    and stays locked, trying again at every beat; given back by `stop()` on a clean exit.
    `holder` is this instance's id (the process's by default; a test passes another to play
    a second machine)."""

    quit_requested = Signal()  # the cashier closed the login or the main window

    def __init__(self, store: Store, *, holder: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.ops = store.ops
        self.holder = holder or INSTANCE_ID
        self.lease: till.Lease | None = None
        self.beating = False  # a heartbeat queued and not answered yet
        self.heartbeat_timer = QTimer(self)
        self.heartbeat_timer.setInterval(int(till.HEARTBEAT_EVERY.total_seconds() * 1000))
        self.heartbeat_timer.timeout.connect(self.beat)
        self.window: MainWindow | None = None
        self.sale_screen: SaleScreen | None = None
        self.shift: ShiftView | None = None
        self.user: UserView | None = None
        self.shift_dialog: OpenShiftDialog | None = None
        self.handover: Handover | None = None  # a shift left open being counted and closed
        self.first_admin: FirstAdminDialog | None = None  # first run: no user yet
        self.manager: ManagerMenu | None = None  # Pengelolaan (users, audit) from the login
        self.screen_lock: ScreenLock | None = None  # the sale window's lock (F11, idle)
        self.side_dialog: QDialog | None = None  # users or audit opened from the sale window
        # One font scale for every screen, before the first one is made.
        apply_font_scale(int(store.settings.get("font_scale_pct", 100)))
        # The counter's printer: its own worker thread, started with the first sale screen.
        self.printing = Printing(
            store.ops.factory,
            store.counter_id,
            store.printer,
            timeout_s=float(store.settings.get("printer_timeout_s", 3)),
            parent=self,
        )
        self.printing.state_changed.connect(self._printer_state)
        self.login = LoginDialog(self.ops, store.counter_code, counter_id=store.counter_id)
        self.login.logged_in.connect(self.after_login)
        self.login.manage_requested.connect(self.open_manager)
        self.login.rejected.connect(self._login_closed)
        self.login.destroyed.connect(self.heartbeat_timer.stop)  # the app is going away
        self.ops.error.connect(self._error_before_window)
        self.ops.crashed.connect(self._crash_before_window)
        self.ops.problem.connect(self._problem_before_window)
        self.ops.changed.connect(self.refresh_status)
        self.ops.changed.connect(self._settings_changed)

    def start(self) -> None:
        self.take_counter()
        self.heartbeat_timer.start()
        if self._needs_first_admin():
            self.ask_first_admin()
            return
        self.login.show()

    # --- first run ----------------------------------------------------------------------------

    def _needs_first_admin(self) -> bool:
        """A store with no user at all (asked once, at start; a store that cannot answer
        shows the login, which says why)."""
        try:
            return bool(self.ops.call(users.needs_first_admin))
        except Exception:
            log.warning("could not count the users", exc_info=True)
            return False

    def ask_first_admin(self) -> None:
        """First run: the first administrator instead of the login (no default PIN)."""
        dialog = FirstAdminDialog(self.ops)
        dialog.created.connect(self._first_admin_made)
        dialog.rejected.connect(self.quit_requested.emit)
        self.first_admin = dialog
        dialog.show()

    def _first_admin_made(self, user: UserView) -> None:
        self.first_admin = None
        self.login.load_users()
        self.login.reset(
            f"Administrator {user.username} dibuat. Masuk dengan PIN-nya untuk menambah "
            "kasir, supervisor dan manajer (administrator tidak membuka kasir)."
        )
        self.login.show()
        self.login.user.setEditText(user.username)
        self.login.pin.setFocus()

    # --- Pengelolaan (users, audit) from the login --------------------------------------------

    def open_manager(self, user: UserView) -> None:
        """The users and the audit view for a supervisor, manager or administrator, without
        a till; closing it gives an empty login."""
        self.login.hide()
        menu = ManagerMenu(self.ops, user, counter_id=self.store.counter_id)
        menu.finished.connect(lambda _r: self._manager_closed(menu))
        self.manager = menu
        menu.show()
        menu.activateWindow()

    def _manager_closed(self, menu: ManagerMenu) -> None:
        if self.manager is menu:
            self.manager = None
        menu.deleteLater()
        self.back_to_empty_login()

    def stop(self) -> None:
        """A clean exit: no more beats, and the counter is given back at once."""
        self.heartbeat_timer.stop()
        self.printing.stop()
        lease, self.lease = self.lease, None
        if lease is None:
            return
        counter_id, holder = self.store.counter_id, self.holder
        try:
            self.ops.call(lambda s: till.release_lease(s, counter_id, holder))
        except Exception:  # the lease goes stale by itself
            log.warning("could not release the lease of counter %s", counter_id, exc_info=True)

    # --- the counter's lease ----------------------------------------------------------------

    def take_counter(self) -> bool:
        """Take the counter's lease at start, waiting for the answer: the login is usable only
        once it is known. True when taken."""
        try:
            lease = self.ops.call(self._acquire)
        except Exception as exc:
            self._not_taken(exc)
            return False
        self._taken(lease)
        return True

    def _acquire(self, session: Session) -> till.Lease:
        return till.acquire_lease(
            session,
            self.store.counter_id,
            self.holder,
            host=socket.gethostname(),
            pid=os.getpid(),
            user_id=self.user.id if self.user else None,
            pid_alive=till.local_pid_alive,
        )

    def _taken(self, lease: till.Lease) -> None:
        self.beating = False
        note = till.takeover_note(lease)
        if lease.taken_over is not None:
            log.warning("counter %s taken over: %s", self.store.counter_code, note)
        was_refused = bool(self.login.refusal)
        self.lease = lease
        if was_refused or note:
            self.login.allow(
                note or f"Meja {self.store.counter_code} sekarang bebas; silakan masuk."
            )

    def _not_taken(self, exc: BaseException) -> None:
        """Another Kasir holds the counter, or the store cannot be reached: the login says
        so and stays locked; the next beat tries again."""
        self.beating = False
        if isinstance(exc, KasirError):
            log.info("counter %s refused: %s", self.store.counter_code, exc.message)
        else:
            log.warning("counter lease not taken", exc_info=exc)
        self.login.refuse(describe_error(exc))

    def beat(self) -> None:
        """Every `till.HEARTBEAT_EVERY`, on the worker: renew the lease, or, while refused,
        try to take it again."""
        if self.beating:  # the last one still waits for the store: no pile-up
            return
        self.beating = True
        if self.lease is None:
            self.ops.write(self._acquire).success(self._taken).failure(self._not_taken).run()
            return
        counter_id, holder = self.store.counter_id, self.holder
        op = self.ops.write(lambda s: till.heartbeat(s, counter_id, holder))
        op.success(self._beat_done).failure(self._beat_failed).run()

    def _beat_done(self, _at: object) -> None:
        self.beating = False

    def _beat_failed(self, exc: BaseException) -> None:
        """The store unreachable: Ops shows its banner and the next beat tries again. The
        lease taken over (this instance was silent past the stale limit): stop selling."""
        self.beating = False
        if isinstance(exc, till.LeaseLost):
            self.lose_counter(exc.message)

    def lose_counter(self, message: str) -> None:
        log.warning("counter %s lost: %s", self.store.counter_code, message)
        self.lease = None
        if self.window is not None:
            self.logout(message)
        self.login.refuse(message)

    def _lease_user(self, user_id: int | None) -> None:
        """Who is logged in, for the message another instance gets."""
        if self.lease is None:
            return
        counter_id, holder = self.store.counter_id, self.holder
        op = self.ops.write(lambda s: till.set_lease_user(s, counter_id, holder, user_id))
        op.failure(self._beat_failed).run()

    def _login_closed(self) -> None:
        """The login closed by the cashier (Esc, the window's close button): Kasir ends."""
        if self.window is None:
            self.quit_requested.emit()

    def _printer_state(self, state: PrinterState) -> None:
        """The printer's report (from its thread, queued here): banner and status bar."""
        if self.window is None:
            return
        self.printer_banner.show_state(state)
        self.status_printer.setText(self.printing.describe())
        self.status_printer.setToolTip(self.printing.describe())

    def _window_closed(self, window: MainWindow) -> None:
        """The main window closed by the cashier (not by a logout, which shows the login)."""
        if window is self.window:
            self.quit_requested.emit()

    def _crash_before_window(self, exc: object) -> None:
        """A bug while no main window is open (the login): the crash dialog over the login."""
        if self.window is None and isinstance(exc, BaseException):
            show_crash(exc, self.login)

    def _problem_before_window(self, cause: str) -> None:
        """An environment problem while no main window is open: said on the login."""
        if self.window is None and cause:
            self.login.error.setText(cause)

    def _error_before_window(self, message: str) -> None:
        if self.window is None:
            QMessageBox.warning(None, "Kasir", message)

    def after_login(self, user: UserView, note: str = "") -> None:
        if not user.can_sell and allowed(user.role, "audit"):
            # The administrator opens no till: their login is the Pengelolaan.
            self.open_manager(user)
            return
        if not user.can_sell:
            # The stock staff (gudang) may log in elsewhere, never open a till here; the
            # services refuse it too (kasir.services.shifts).
            self.login.reset(not_a_seller_message(user.full_name, user.role))
            self.login.show()
            self.login.user.setFocus()
            return
        self.user = user
        self._lease_user(user.id)
        counter_id = self.store.counter_id
        op = self.ops.read(lambda s: shifts.current_shift(s, counter_id))
        op.success(lambda shift: self._shift_found(user, shift, note))
        op.failure(self._back_to_login).run()

    def _back_to_login(self, exc: BaseException) -> None:
        """The store could not answer (or refused): back to the login, saying why. Never read
        as "no open shift" (which would offer to open a second one)."""
        self.user = None
        self.shift_dialog = self.handover = None
        self.login.reset(describe_error(exc))
        self.login.show()

    def _shift_found(self, user: UserView, shift: ShiftView | None, note: str) -> None:
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
        dialog.rejected.connect(self.back_to_empty_login)
        self.shift_dialog = dialog
        dialog.show()
        dialog.edit.setFocus()

    def back_to_empty_login(self) -> None:
        """The handover or the opening float cancelled: the login is empty again for whoever
        comes next, the focus in the username (never the last user with the focus on the
        masked PIN)."""
        if self.user is not None:
            self._lease_user(None)
        self.user = None
        self.shift_dialog = self.handover = None
        self.login.show()
        self.login.reset()
        self.login.activateWindow()
        self.login.user.setFocus()

    def ask_close_stale(self, shift: ShiftView) -> None:
        """A shift left open on an earlier day, or another cashier's: count the drawer and
        close it (`kasir.gui.handover`), then go on.

        Sales are recorded on the shift's business day, so a new day needs a new shift; and
        one shift is one cashier's cash, so a new cashier needs a new shift."""
        assert self.user is not None
        user = self.user
        # A child of the app, deleted by the event loop once over (never inside its own
        # dialog's signals).
        handover = Handover(self.ops, shift, user, self)
        for over in (handover.closed, handover.cancelled, handover.failed):
            over.connect(handover.deleteLater)

        def closed(done: ShiftView) -> None:
            self.handover = None
            difference = done.difference or 0
            note = f"Shift #{done.id} ditutup (selisih kas {format_rupiah(difference)}).\n"
            self.after_login(user, note)

        handover.closed.connect(closed)
        handover.cancelled.connect(self.back_to_empty_login)
        handover.failed.connect(self._back_to_login)
        self.handover = handover
        handover.start()

    @property
    def close_dialog(self) -> HandoverDialog | None:
        """The count of the handover under way, if any."""
        return self.handover.dialog if self.handover is not None else None

    @property
    def approval_dialog(self) -> SupervisorDialog | None:
        """The supervisor's PIN of the handover under way, while asked."""
        return self.handover.approval if self.handover is not None else None

    def open_shift(self, amount: object) -> None:
        assert self.user is not None and isinstance(amount, int)
        user_id, counter_id = self.user.id, self.store.counter_id
        op = self.ops.write(
            lambda s: shifts.open_shift(s, counter_id, user_id, amount), Change.SHIFT
        )
        op.success(self.show_counter).failure(self._back_to_login).run()

    def show_counter(self, shift: ShiftView) -> None:
        assert self.user is not None
        self.shift = shift
        # The till carries its shift: a sale is refused if the counter's open shift changes.
        at = Till(
            self.store.counter_id,
            self.store.counter_code,
            self.user.id,
            self.user.full_name,
            shift_id=shift.id,
        )
        window = MainWindow(self.ops, database=self.store.database, counter=self.store.counter_code)
        window.closed.connect(lambda: self._window_closed(window))
        screen = SaleScreen(self.ops, at, printing=self.printing)
        screen.logout_requested.connect(self.logout)
        window.add_sale_screen(screen)
        banner = PrinterBanner()
        banner.retry.clicked.connect(self.printing.wake)
        window.add_banner(banner)
        banner.show_state(self.printing.state)
        self.printer_banner = banner
        QShortcut(QKeySequence("Ctrl+P"), window, self.printing.wake)
        self._manager_keys(screen, self.user)
        lock = ScreenLock(
            self.ops,
            window,
            self.user,
            counter_id=self.store.counter_id,
            minutes=int(self.store.settings.get("screen_lock_minutes", 5)),
            parent=window,
        )
        screen.lock_requested.connect(lambda: lock.lock("key"))
        lock.unlocked.connect(lambda _who: self._after_unlock(screen))
        self.screen_lock = lock
        self.status_cashier = QLabel(f"Kasir: {self.user.full_name}")
        self.status_shift = QLabel(
            f"Shift #{shift.id} {local(shift.opened_at):%H:%M}, "
            f"modal {format_rupiah(shift.opening_float)}"
        )
        self.status_printer = QLabel(self.printing.describe())
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
        show_window(window, str(self.store.settings.get("window_mode", "maximized")))
        screen.focus_scan()
        screen.start()  # the counter's cart in progress comes back (a crash, a stale shift)
        self.printing.start()  # jobs left from before (a restart) print now, in order

    # --- the sale window: lock, users, audit ------------------------------------------------

    def _manager_keys(self, screen: SaleScreen, user: UserView) -> None:
        """F5 users (managers), F3 the audit view (supervisors, managers): only for them.
        The screen's own keys (in order with the scans, from any widget of the window)."""
        if allowed(user.role, "users"):
            screen.add_key("F5", self.open_users)
        if allowed(user.role, "audit"):
            screen.add_key("F3", self.open_audit)

    def open_users(self) -> None:
        if self.window is None or self.user is None or self.side_dialog is not None:
            return
        dialog = UsersDialog(
            self.ops, self.user.username, self.window, counter_id=self.store.counter_id
        )
        self._open_side(dialog)

    def open_audit(self) -> None:
        if self.window is None or self.side_dialog is not None:
            return
        self._open_side(AuditDialog(self.ops, self.window))

    def _open_side(self, dialog: QDialog) -> None:
        self.side_dialog = dialog
        screen = self.sale_screen

        def closed() -> None:
            if self.side_dialog is dialog:
                self.side_dialog = None
            dialog.deleteLater()
            if screen is not None and screen is self.sale_screen:
                screen.focus_scan()

        dialog.finished.connect(lambda _r: closed())
        dialog.open()

    def _after_unlock(self, screen: SaleScreen) -> None:
        """The lock opened: back where the cashier was (a dialog still open, or the scan
        field)."""
        if screen is not self.sale_screen:
            return
        front = screen.dialog or self.side_dialog
        if front is not None and front.isVisible():
            front.activateWindow()
        else:
            screen.focus_scan()

    def _settings_changed(self, what: object) -> None:
        if Change.SETTINGS not in as_changes(what) or self.screen_lock is None:
            return
        lock = self.screen_lock
        op = self.ops.read(lambda s: int(get_setting(s, "screen_lock_minutes")))
        op.success(lambda minutes: lock.set_minutes(minutes) if lock is self.screen_lock else None)
        op.failure(lambda _exc: None).run()

    def logout(self, note: str = "") -> None:
        """F12 Keluar (or a shift of an earlier day): back to the login for the next cashier.

        The shift stays open: the same cashier logging in again carries on with it; another
        cashier first counts and closes it."""
        window = self.window
        lock, self.screen_lock = self.screen_lock, None
        if lock is not None:
            lock.stop()
        side, self.side_dialog = self.side_dialog, None
        if side is not None:
            side.done(QDialog.DialogCode.Rejected)
        if self.user is not None:
            self._lease_user(None)
        self.window = self.sale_screen = None
        self.shift = self.user = None
        self.shift_dialog = self.handover = None
        self.login.reset(note)
        self.login.show()  # first, so that closing the window never leaves none open
        if window is not None:
            window.close()
            window.deleteLater()

    def refresh_status(self, what: object) -> None:
        if Change.SALE not in as_changes(what) or self.window is None:
            return
        day = self.shift.business_date if self.shift else business_date()
        counter_id = self.store.counter_id

        def show(summary: sale_lookup.DaySummary) -> None:
            if self.window is not None:
                self.status_sales.setText(
                    f"Hari ini: {summary.sales} penjualan, {format_rupiah(summary.total)}"
                )

        # A failure leaves the last figures; the banner says what is wrong with the store.
        op = self.ops.read(lambda s: sale_lookup.counter_day_summary(s, counter_id, day))
        op.success(show).failure(lambda _exc: None).run()


def run_app(config: Config, *, demo: bool = False) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Kasir")
    try:
        store = open_store(config, demo=demo)
    except Exception as exc:
        if not isinstance(exc, KasirError):
            log.exception("start-up failed")
        QMessageBox.critical(None, "Kasir tidak dapat dibuka", describe_error(exc))
        return 1
    counter = CounterApp(store)
    # Between two windows (the login hidden, the shift dialog or the sale screen not shown yet:
    # their data comes from the worker) no window is visible: Kasir ends only when asked.
    app.setQuitOnLastWindowClosed(False)
    counter.quit_requested.connect(app.quit)
    # Exceptions in Qt slots, timer callbacks and threads: logged, and the crash dialog over
    # the window in front (never lost, never a traceback on a console nobody reads).
    app.aboutToQuit.connect(install_excepthook(lambda: counter.window or counter.login))
    app.aboutToQuit.connect(counter.stop)
    counter.start()
    return app.exec()
