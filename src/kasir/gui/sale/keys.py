"""Keys that reach the sale window away from the scan field: scanner bursts and function keys.

`SaleKeys` is the sale screen's `BurstTarget` (`kasir.gui.scanner`): it watches every widget of
the screen's window and of its dialogs, except the scan field (which takes a scan as typing)
and fields that take scanned codes themselves (property `scanner.TAKES_SCANS`).

- A burst typed where the sale screen is shown (the tab bar, the cart, a button) is scanned at
  once, as from the scan field, and the focus goes back to the scan field.
- A burst typed in another tab (the Katalog) goes to the cart too; the status bar says so
  and the focus stays where the cashier was looking.
- A burst typed in a dialog (the payment dialog's amount, a quantity, the search) is never
  typed into it: it is kept, the dialog is told (`scan_kept(code, restore_text)`, e.g. "not an
  amount") and it beeps; the kept scans go into the cart once the last dialog closes (after a
  payment that finished the sale: into the next cart). Adding it at once would change the total
  the cashier is taking payment for.
- A function key of the sale screen pressed in any widget of the window runs its action
  (showing the sale screen first when another tab is shown) and the focus goes back to the
  scan field. Esc in another tab only goes back to the sale screen; Del there is the tab's own.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QTabWidget, QWidget

from kasir.gui.scanner import TAKES_SCANS

if TYPE_CHECKING:
    from kasir.gui.sale.screen import SaleScreen


class SaleKeys:
    def __init__(self, screen: SaleScreen) -> None:
        self.screen = screen
        # Scans typed into a dialog, for the cart when it closes (with the last sale then).
        self.kept: list[tuple[str, object]] = []

    # --- BurstTarget --------------------------------------------------------------------------

    def watches(self, widget: QWidget) -> bool:
        screen = self.screen
        if widget is screen.scan or widget.property(TAKES_SCANS):
            return False
        window = screen.window()
        if not window.isVisible():
            return False
        w: QWidget | None = widget
        while w is not None:  # parentWidget() crosses into the dialogs' owners
            if w is window:
                return True
            w = w.parentWidget()
        return False

    def take_burst(self, code: str, widget: QWidget) -> None:
        screen = self.screen
        window = widget.window()
        dialog = window if isinstance(window, QDialog) else screen.dialog
        if dialog is not None and dialog.isVisible():
            self.keep(code, dialog, widget)
        elif self._in_sale_tab(widget):
            screen.focus_scan()
            screen.scan_code(code)
        else:
            screen.scan_code(code, elsewhere=True)

    def other_key(self, widget: QWidget, event: QKeyEvent) -> bool:
        screen = self.screen
        if widget.window() is not screen.window():
            return False  # a dialog's own keys
        combo = QKeySequence(event.keyCombination()).toString()
        action = screen.action_for(combo)
        if action is None:
            return False
        if not self._in_sale_tab(widget):
            if combo == "Del":
                return False  # the other tab's own
            self.show_sale_tab()
            if combo == "Esc":
                screen.focus_scan()
                return True  # back to the sale screen, nothing cancelled
        screen.focus_scan()
        screen.key(action)
        return True

    # --- kept scans ---------------------------------------------------------------------------

    def keep(self, code: str, dialog: QDialog, widget: QWidget) -> None:
        self.kept.append((code, self.screen.last_sale))
        QApplication.beep()
        restore = widget.text() if isinstance(widget, QLineEdit) else ""
        told = getattr(dialog, "scan_kept", None)
        if callable(told):
            told(code, restore)  # said in the dialog, where the cashier looks
        else:
            self.screen.say(f"Pindaian {code} disimpan; masuk keranjang setelah dialog ditutup.")

    def send_kept(self) -> None:
        """The last dialog closed: the kept scans go into the cart (after the operations still
        running, such as the checkout that closed the payment dialog)."""
        kept, self.kept = self.kept, []
        screen = self.screen
        for code, last_sale in kept:
            screen.work.when_idle(partial(self._send_kept, code, last_sale))

    def _send_kept(self, code: str, last_sale: object) -> None:
        after_sale = self.screen.last_sale is not last_sale  # the dialog finished a sale
        self.screen.scan_code(code, kept=True, after_sale=after_sale)

    # --- tabs ---------------------------------------------------------------------------------

    def _tabs(self) -> QTabWidget | None:
        w = self.screen.parentWidget()
        while w is not None and not isinstance(w, QTabWidget):
            w = w.parentWidget()
        return w

    def _in_sale_tab(self, widget: QWidget) -> bool:
        """The key came while the sale screen is shown (its widgets, the tab bar, the window):
        the other tabs' widgets are hidden then and get no keys."""
        tabs = self._tabs()
        return tabs is None or tabs.currentWidget() is self.screen

    def show_sale_tab(self) -> None:
        tabs = self._tabs()
        if tabs is not None and tabs.currentWidget() is not self.screen:
            tabs.setCurrentWidget(self.screen)
