"""The three deadlines of a written complaint, computed from dates alone.

rules 4, 5 and 7. Every result carries its own explanation in French, so an agent or a
complainant can see which days were skipped and why.
"""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from reclamations.domain.calendar import SkippedDay, WorkingCalendar
from reclamations.domain.french import long_date, plural

ACKNOWLEDGEMENT_WORKING_DAYS = 10
QUALITY_TARGET_DAYS = 15
FINAL_DEADLINE_MONTHS = 2


class DeadlineKind(StrEnum):
    """The dates a complaint is held to, as agents and operators see them."""

    acknowledgement = "acknowledgement"
    quality_target = "quality_target"
    promise = "promise"  # rule 6: the last date announced to the complainant
    final = "final"


DEADLINE_LABELS = {
    DeadlineKind.acknowledgement: "Accusé de réception",
    DeadlineKind.quality_target: "Engagement qualité (15 jours)",
    DeadlineKind.promise: "Date de réponse annoncée au réclamant",
    DeadlineKind.final: "Délai maximal (2 mois)",
}


class SuspensionReason(StrEnum):
    medical_expertise = "medical_expertise"
    legal_expertise = "legal_expertise"
    it_maintenance = "it_maintenance"


SUSPENSION_LABELS = {
    SuspensionReason.medical_expertise: "expertise médicale",
    SuspensionReason.legal_expertise: "expertise juridique",
    SuspensionReason.it_maintenance: "maintenance informatique",
}


@dataclass(frozen=True)
class SuspensionPeriod:
    """Days during which the quality target does not run: `start_on` included, `end_on` not."""

    start_on: date
    end_on: date
    reason: SuspensionReason | None = None

    def __post_init__(self) -> None:
        if self.end_on < self.start_on:
            raise ValueError(f"suspension ends ({self.end_on}) before it starts ({self.start_on})")

    @property
    def days(self) -> int:
        return (self.end_on - self.start_on).days


@dataclass(frozen=True)
class Deadline:
    """One due date and the reasoning behind it."""

    due: date
    rule: str
    steps: tuple[str, ...] = ()
    skipped: tuple[SkippedDay, ...] = field(default=())


@dataclass(frozen=True)
class Deadlines:
    acknowledgement: Deadline
    quality_target: Deadline
    final: Deadline

    @property
    def acknowledgement_due(self) -> date:
        return self.acknowledgement.due

    @property
    def quality_target_due(self) -> date:
        return self.quality_target.due

    @property
    def final_due(self) -> date:
        return self.final.due


def add_months(day: date, months: int) -> date:
    """Same day number `months` later, or the last day of that month (Code de procédure
    civile art. 641): 31 December + 2 months is 28 February, or 29 in a leap year."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = gregorian.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def acknowledgement_deadline(sent_on: date, calendar: WorkingCalendar) -> Deadline:
    # rule 4: the sending day does not count; Saturdays do, Sundays and holidays do not.
    count = calendar.add_working_days(sent_on, ACKNOWLEDGEMENT_WORKING_DAYS)
    steps = [
        f"Envoi le {long_date(sent_on, with_weekday=True)} : ce jour ne compte pas.",
        *(
            f"{long_date(s.day, with_weekday=True).capitalize()} ne compte pas ({s.reason})."
            for s in count.skipped
        ),
        f"{ACKNOWLEDGEMENT_WORKING_DAYS}e jour ouvrable (calendrier {calendar.label}) : "
        f"{long_date(count.due, with_weekday=True)}.",
    ]
    return Deadline(
        due=count.due,
        rule=f"{ACKNOWLEDGEMENT_WORKING_DAYS} jours ouvrables après l'envoi",
        steps=tuple(steps),
        skipped=count.skipped,
    )


def _stopped_days(periods: Iterable[SuspensionPeriod]) -> set[date]:
    return {period.start_on + timedelta(days=n) for period in periods for n in range(period.days)}


def _fifteenth_running_day(sent_on: date, stopped: set[date]) -> date:
    day, running = sent_on, 0
    while running < QUALITY_TARGET_DAYS:
        day += timedelta(days=1)
        running += day not in stopped
    return day


def stopped_clock_due(
    sent_on: date, suspensions: Iterable[SuspensionPeriod], final_due: date
) -> date:
    """The day alone of `stopped_clock_target`, for the alarms and the record."""
    return min(_fifteenth_running_day(sent_on, _stopped_days(suspensions)), final_due)


def stopped_clock_target(
    sent_on: date, suspensions: Iterable[SuspensionPeriod], final_due: date
) -> Deadline:
    """rule 5, counted by stopping the clock: the day on which 15 unsuspended days after
    the sending day have run. The sending day cannot be suspended, a day suspended after the
    target was reached does not move it, and the target never passes the final deadline."""
    periods = sorted(suspensions, key=lambda p: p.start_on)
    stopped = _stopped_days(periods)
    day = _fifteenth_running_day(sent_on, stopped)
    paused = sorted(d for d in stopped if sent_on < d <= day)
    steps = [f"Envoi le {long_date(sent_on)} + {QUALITY_TARGET_DAYS} jours calendaires."]
    for period in periods:
        counted = [d for d in paused if period.start_on <= d < period.end_on]
        if counted:
            label = f" ({SUSPENSION_LABELS[period.reason]})" if period.reason else ""
            steps.append(
                f"Suspension{label} du {long_date(counted[0])} au {long_date(counted[-1])} "
                f"inclus : {plural(len(counted), 'jour')} sans décompte."
            )
    if day > final_due:
        steps.append(f"Plafonnée au délai de 2 mois : {long_date(final_due, with_weekday=True)}.")
        day = final_due
    elif paused:
        steps.append(f"Échéance repoussée de {plural(len(paused), 'jour')} : {long_date(day)}.")
    else:
        steps.append(f"Échéance : {long_date(day, with_weekday=True)}.")
    return Deadline(
        due=day,
        rule=f"{QUALITY_TARGET_DAYS} jours calendaires non suspendus après l'envoi",
        steps=tuple(steps),
    )


def final_deadline(first_written_on: date) -> Deadline:
    # rule 7: never suspended, never carried over a weekend or holiday.
    due = add_months(first_written_on, FINAL_DEADLINE_MONTHS)
    steps = [f"Première réclamation écrite le {long_date(first_written_on)} + 2 mois."]
    if due.day != first_written_on.day:
        steps.append(
            f"Le {first_written_on.day} n'existe pas ce mois-là : dernier jour du mois retenu."
        )
    steps.append(f"Échéance : {long_date(due, with_weekday=True)}, jamais reportée ni suspendue.")
    return Deadline(due=due, rule="2 mois après la première réclamation écrite", steps=tuple(steps))


def compute_deadlines(
    sent_on: date,
    calendar: WorkingCalendar,
    first_written_on: date | None = None,
    suspensions: Iterable[SuspensionPeriod] = (),
) -> Deadlines:
    """The acknowledgement, quality-target and final due dates of a written complaint."""
    first = first_written_on or sent_on
    if first > sent_on:
        raise ValueError("the first written expression cannot come after the sending date")
    final = final_deadline(first)
    return Deadlines(
        acknowledgement=acknowledgement_deadline(sent_on, calendar),
        quality_target=stopped_clock_target(sent_on, suspensions, final.due),
        final=final,
    )
