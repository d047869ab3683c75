"""A barcode scanner's burst, recognised wherever the focus is in the sale window.

A scanner is a keyboard that types a code and Enter faster than a person can. The scan field
takes it as any typing; but when the focus is elsewhere (the tab bar, the Katalog tab, a button,
the payment dialog's amount) the same keys would be lost, or worse, taken as an amount. So an
event filter (`ScanBurstFilter`) looks at the key presses sent to the widget that has the focus,
when its `BurstTarget` watches it (every widget of the sale window and its dialogs but the scan
field):

- a printable key is held back, not delivered; the next ones too while each comes within
  `interval_ms` of the one before;
- Enter within `interval_ms` after at least `min_length` held keys ends a burst: the held keys
  and the Enter are eaten, and the code goes to `BurstTarget.take_burst(code, widget)`;
- otherwise (a pause longer than `interval_ms`, any other key, an Enter after a short run) the
  held keys were a person typing: they are delivered to the widget they were typed into, in
  order, before anything else happens. A person's first key waits at most `interval_ms`.

A field that takes a scanned code as its input (a payment reference from an EDC slip, a
receipt number) opts out with `widget.setProperty(TAKES_SCANS, True)`: the target does not
watch it. Keys that are not part of a burst are offered to `BurstTarget.other_key` (the
function keys, from any widget of the sale window).

The filter sits on the focus widget only (moved on `QApplication.focusChanged`): keys go to
the focus widget first, and a filter on the whole application would cost a Python call for
each of its events (paints, layouts, timers), measurably slowing every scan and checkout.
While the scan field has the focus the filter is on no widget at all.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

DEFAULT_INTERVAL_MS = 30
TAKES_SCANS = "takes_scans"  # a widget property: this field takes scanned codes itself
MIN_LENGTH = 4  # the shortest code taken as a scan (EAN-8 is 8, a short SKU label 4)
# The clock the gaps between keys are measured by (seconds). A test's scanner sets its own, so
# that a machine busy elsewhere cannot stretch 5 ms between keys into a person's pause.
clock: Callable[[], float] = time.monotonic
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_COMMAND = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


class BurstTarget(Protocol):
    def watches(self, widget: QWidget) -> bool:
        """Keys sent to `widget` may be a scanner's (and are this target's to route)."""
        ...

    def take_burst(self, code: str, widget: QWidget) -> None:
        """A scanner typed `code` and Enter into `widget` (the keys were not delivered)."""
        ...

    def other_key(self, widget: QWidget, event: QKeyEvent) -> bool:
        """A key that is not part of a burst, typed into a watched widget; True when handled
        (the event is eaten)."""
        ...


@dataclass(frozen=True)
class _Held:
    widget: QWidget
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class ScanBurstFilter(QObject):
    """Follows the focus of the application from its creation; owned by its parent (when the
    parent goes, the filter goes, and Qt forgets it)."""

    _live: ClassVar[weakref.WeakSet[ScanBurstFilter]] = weakref.WeakSet()

    def __init__(
        self,
        target: BurstTarget,
        parent: QObject | None = None,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        min_length: int = MIN_LENGTH,
    ) -> None:
        super().__init__(parent)
        self.target = target
        self.interval_ms = interval_ms
        self.min_length = min_length
        self.bursts = 0  # scans recognised (tests, the bench)
        self._held: list[_Held] = []
        self._last_at = 0.0
        self._replaying = False
        self._on: QWidget | None = None  # the widget the filter is installed on
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._pause)
        ScanBurstFilter._live.add(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            self._focus_changed(None, app.focusWidget())

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not shiboken6.isValid(self):
            return
        widget = new if new is not None else QApplication.activeWindow()
        if widget is not None and not self.target.watches(widget):
            widget = None
        if widget is self._on:
            return
        if self._on is not None and shiboken6.isValid(self._on):
            self._on.removeEventFilter(self)
        self._on = widget
        if widget is not None:
            widget.installEventFilter(self)

    @classmethod
    def end_all_bursts(cls) -> None:
        """A pause in the typing: keys held back are delivered now. (The GUI tests call it after
        each key or string they send with qtbot: one action of a person, not a scanner.)"""
        for live in list(cls._live):
            if shiboken6.isValid(live):
                live.deliver_held()

    # --- the filter ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or self._replaying:
            return False
        if not isinstance(watched, QWidget) or not isinstance(event, QKeyEvent):
            return False
        if not self.target.watches(watched):
            self.deliver_held()  # the focus left (to the scan field, another window)
            return False
        now = clock()
        in_time = bool(self._held) and (now - self._last_at) * 1000 <= self.interval_ms
        text = event.text()
        if self._printable(event, text):
            if self._held and (not in_time or self._held[-1].widget is not watched):
                self.deliver_held()  # a pause, another field: what came before was a person's
            self._held.append(_Held(watched, event.key(), event.modifiers(), text))
            self._last_at = now
            self._timer.start(self.interval_ms + 5)
            return True
        if (
            event.key() in _ENTER
            and in_time
            and len(self._held) >= self.min_length
            and not event.modifiers() & _COMMAND
        ):
            held, self._held = self._held, []
            self._timer.stop()
            self.bursts += 1
            self.target.take_burst("".join(h.text for h in held), held[0].widget)
            return True
        self.deliver_held()
        return self.target.other_key(watched, event)

    @staticmethod
    def _printable(event: QKeyEvent, text: str) -> bool:
        return (
            len(text) == 1
            and text.isprintable()
            and not text.isspace()
            and not event.modifiers() & _COMMAND
            and not event.isAutoRepeat()
        )

    # --- a person's keys ----------------------------------------------------------------------

    def _pause(self) -> None:
        if not self._held:
            return
        waited = (clock() - self._last_at) * 1000
        if waited < self.interval_ms:
            self._timer.start(int(self.interval_ms - waited) + 1)
            return
        self.deliver_held()

    def deliver_held(self) -> None:
        """Deliver the keys held back, in order, to the widgets they were typed into."""
        if not self._held:
            return
        held, self._held = self._held, []
        self._timer.stop()
        self._replaying = True
        try:
            for h in held:
                if not shiboken6.isValid(h.widget):
                    continue  # its dialog is gone
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(h.widget, QKeyEvent(kind, h.key, h.modifiers, h.text))
        finally:
            self._replaying = False
