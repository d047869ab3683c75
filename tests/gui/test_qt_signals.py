"""The Qt binding itself: a signal emitted many times must not eat references.

PySide6 6.12.0 drops a reference to the slot's return value (None, True, ...) on every
emission; a counter that emits a few signals per scan died of `none_dealloc` after a working
morning (found by `make bench`). pyproject.toml excludes that release; this test catches the
next one that does the same."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Relay(QObject):
    done = Signal(object)


def test_emitting_a_signal_keeps_the_reference_counts() -> None:
    relay = _Relay()
    received: list[int] = []
    relay.done.connect(lambda value: received.append(value[0]))  # the slot returns None
    before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(2000):
        relay.done.emit((i, i))
    after = sys.getrefcount(None), sys.getrefcount(True)
    assert len(received) == 2000
    # A few references come and go with the interpreter; 2000 emissions must not show.
    assert abs(after[0] - before[0]) < 100 and abs(after[1] - before[1]) < 100
