"""The handling team's calendar: the one object that answers every business-day question.

rule 4: jours ouvrables are Monday to Saturday, minus the public holidays of the
handling team's calendar (national by default; Alsace-Moselle and the overseas departments add
their own days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal, get_args

import holidays

CalendarName = Literal["national", "alsace", "moselle", "971", "972", "973", "974", "976"]
CALENDAR_NAMES: tuple[str, ...] = get_args(CalendarName)


@dataclass(frozen=True)
class _CalendarSpec:
    label: str
    subdivision: str | None
    timezone: str


_SPECS: dict[str, _CalendarSpec] = {
    "national": _CalendarSpec("France métropolitaine", None, "Europe/Paris"),
    "alsace": _CalendarSpec("Alsace", "6AE", "Europe/Paris"),
    "moselle": _CalendarSpec("Moselle", "57", "Europe/Paris"),
    "971": _CalendarSpec("Guadeloupe", "971", "America/Guadeloupe"),
    "972": _CalendarSpec("Martinique", "972", "America/Martinique"),
    "973": _CalendarSpec("Guyane", "973", "America/Cayenne"),
    "974": _CalendarSpec("La Réunion", "974", "Indian/Reunion"),
    "976": _CalendarSpec("Mayotte", "976", "Indian/Mayotte"),
}

SUNDAY = 6


@dataclass(frozen=True)
class SkippedDay:
    """A day that is not a jour ouvrable, and why."""

    day: date
    reason: str


@dataclass(frozen=True)
class WorkingDayCount:
    """The result of counting jours ouvrables forward or backward from a day."""

    start: date
    days: int
    due: date
    skipped: tuple[SkippedDay, ...]


class WorkingCalendar:
    """Jours ouvrables for one handling team: Monday to Saturday except its public holidays."""

    def __init__(self, name: CalendarName = "national") -> None:
        if name not in _SPECS:
            raise ValueError(f"unknown calendar {name!r}; expected one of {CALENDAR_NAMES}")
        spec = _SPECS[name]
        self.name: CalendarName = name
        self.label = spec.label
        self.timezone = spec.timezone
        # The holidays object fills in each year the first time a date of that year is asked.
        self._holidays = holidays.country_holidays(
            "FR", subdiv=spec.subdivision, language="fr", expand=True
        )

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return str(name) if name is not None else None

    def non_working_reason(self, day: date) -> str | None:
        """Why `day` is not a jour ouvrable, or None when it is one."""
        holiday = self.holiday_name(day)
        if holiday is not None:
            return holiday
        if day.weekday() == SUNDAY:
            return "dimanche"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.non_working_reason(day) is None

    def add_working_days(self, start: date, days: int) -> WorkingDayCount:
        """The `days`-th jour ouvrable after `start`; `start` itself never counts."""
        return self._count(start, days, step=1)

    def working_days_before(self, end: date, days: int) -> WorkingDayCount:
        """The jour ouvrable that lies `days` jours ouvrables before `end`."""
        return self._count(end, days, step=-1)

    def _count(self, start: date, days: int, step: int) -> WorkingDayCount:
        if days < 0:
            raise ValueError("days must not be negative")
        skipped: list[SkippedDay] = []
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=step)
            reason = self.non_working_reason(day)
            if reason is None:
                counted += 1
            else:
                skipped.append(SkippedDay(day, reason))
        return WorkingDayCount(start=start, days=days, due=day, skipped=tuple(skipped))


def timezone_of(name: str) -> str:
    """The handling team's time zone, without building its holiday calendar."""
    spec = _SPECS.get(name)
    return spec.timezone if spec else _SPECS["national"].timezone


@cache
def calendar_for(name: CalendarName = "national") -> WorkingCalendar:
    """The shared calendar object of a handling team (built once per process)."""
    return WorkingCalendar(name)
