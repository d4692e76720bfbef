"""From instants to the handling team's local days and back: pure functions of a time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def local_date(instant: datetime, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def local_instant(day: date, at: time, timezone: str) -> datetime:
    """`at` on `day` in the team's time zone, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone))
