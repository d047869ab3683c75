"""A shift opened on one counter while a manager closes its day on another (issue 19): the two
are serialised (PostgreSQL: an advisory lock per business date; SQLite: the single writer), so
the close sees the new shift and lists it, never a closed day with an open shift."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import make_till

from kasir.errors import NotAllowed
from kasir.services import settlement, shifts
from kasir.services.auth import Approval
from kasir.store.models import DayClose, Shift
from kasir.timeutil import JAKARTA

DAY = dt.date(2026, 12, 5)
NOON = dt.datetime(2026, 12, 5, 12, tzinfo=JAKARTA)


def test_a_shift_opening_during_the_close_blocks_it(demo: sessionmaker[Session]) -> None:
    outcome: list[object] = []
    started = threading.Event()

    def close() -> None:
        started.set()
        try:
            with demo.begin() as s:
                outcome.append(settlement.close_day(s, DAY, Approval("3333", "manajer"), now=NOON))
        except NotAllowed as exc:
            outcome.append(exc)

    with demo.begin() as s:  # a cashier opens a shift of DAY; not committed yet
        till = make_till(s, "K02", "kasir2")
        shifts.open_shift(s, till.counter_id, till.user_id, 0, now=NOON, day=DAY)
        closer = threading.Thread(target=close)
        closer.start()
        started.wait(5)
        closer.join(1.0)  # the close waits for this unit of work, it does not run past it
        assert closer.is_alive() and outcome == []
    closer.join(30)
    assert not closer.is_alive()
    (result,) = outcome
    assert isinstance(result, NotAllowed), result
    assert "K02" in result.message and "Rudi Hartono" in result.message
    with demo() as s:
        assert s.scalar(select(func.count()).select_from(DayClose)) == 0
        assert s.scalar(select(func.count()).where(Shift.status == "open")) == 1


@pytest.mark.parametrize("first", ["close", "open"])
def test_after_the_close_no_shift_opens_and_no_second_close(
    demo: sessionmaker[Session], first: str
) -> None:
    with demo.begin() as s:
        settlement.close_day(s, DAY, Approval("3333", "manajer"), now=NOON)
    with pytest.raises(NotAllowed, match="sudah ditutup"), demo.begin() as s:
        if first == "open":
            till = make_till(s, "K01", "kasir1")
            shifts.open_shift(s, till.counter_id, till.user_id, 0, now=NOON, day=DAY)
        else:
            settlement.close_day(s, DAY, Approval("3333", "manajer"), now=NOON)
