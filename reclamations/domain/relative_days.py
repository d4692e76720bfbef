"""Dates written relative to today in examples and scenarios: "J-25" is 25 days before the
day they are used, "J-1T21:30:00-04:00" yesterday at 21:30 at that offset. A fixed date drifts
into the past as the calendar moves on, and a new user's first complaints would be late
before anyone touched them; a relative one keeps an example's shape whenever it is run."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date

RELATIVE_DAY = re.compile(r"^J-(\d{1,4})(T.+)?$")
DATE_FIELDS = ("sent_on", "first_written_on", "received_on")


def dated(intake: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`intake` with its relative dates made real, counted from `now`'s day in the
    complaint's calendar; any other value is left for the intake's own checks."""
    today = local_date(now, timezone_of(str(intake.get("calendar", "national"))))
    real = dict(intake)
    for field in DATE_FIELDS:
        match = RELATIVE_DAY.match(str(real.get(field, "")))
        if match:
            day = (today - timedelta(days=int(match[1]))).isoformat()
            real[field] = day + (match[2] or "")
    return real
