"""Time: timestamps are stored timezone-aware; business dates are in Asia/Jakarta."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def business_date(now: dt.datetime | None = None) -> dt.date:
    """The business date (Asia/Jakarta) of an aware timestamp (default: now)."""
    moment = now or utcnow()
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timestamps must be timezone-aware")
    return moment.astimezone(JAKARTA).date()


def local(moment: dt.datetime) -> dt.datetime:
    """`moment` in Asia/Jakarta (SQLite returns naive UTC: it is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(JAKARTA)
