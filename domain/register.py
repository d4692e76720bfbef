"""The complaint register and its deadline statistics (DESIGN rule 13), for compliance exports
such as the ACPR questionnaire and internal quality reviews. Dates in, figures out."""

from __future__ import annotations

import statistics as stats
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from domain.intake import CATEGORY_LABELS, Category

REQUALIFIED = "requalified"


@dataclass(frozen=True)
class RegisterLine:
    """One complaint as the register sees it: no content, only dates and outcomes."""

    reference: str
    channel: str
    category: str | None
    status: str
    medical: bool
    sent_on: date
    acknowledgement_due: date | None  # None for oral complaints
    quality_target_due: date | None
    final_due: date | None
    acknowledged_on: date | None
    first_answered_on: date | None
    overdue: bool

    @property
    def is_complaint(self) -> bool:
        return self.status != REQUALIFIED

    @property
    def written(self) -> bool:
        return self.acknowledgement_due is not None


@dataclass(frozen=True)
class Share:
    met: int
    eligible: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.eligible, 1) if self.eligible else None


@dataclass(frozen=True)
class Statistics:
    label: str
    complaints: int
    not_complaints: int
    acknowledged_in_time: Share
    answered_within_target: Share
    answered_within_two_months: Share
    median_handling_days: float | None


def _kept(lines: list[RegisterLine], due_of: str, done_of: str, as_of: date) -> Share:
    """Among complaints whose promise is settled (kept, or its day has passed), how many kept it."""
    met = eligible = 0
    for line in lines:
        due: date | None = getattr(line, due_of)
        done: date | None = getattr(line, done_of)
        if due is None:
            continue
        if done is not None and done <= due:
            met += 1
            eligible += 1
        elif done is not None or due < as_of:
            eligible += 1
    return Share(met, eligible)


def statistics(lines: Iterable[RegisterLine], as_of: date, label: str) -> Statistics:
    everything = list(lines)
    complaints = [line for line in everything if line.is_complaint and line.written]
    # DESIGN rule 4: an answer that went out first stands for the acknowledgement.
    acknowledged = [_with_acknowledgement_or_answer(line) for line in complaints]
    handling = [
        (line.first_answered_on - line.sent_on).days
        for line in complaints
        if line.first_answered_on is not None
    ]
    return Statistics(
        label=label,
        complaints=len([line for line in everything if line.is_complaint]),
        not_complaints=len([line for line in everything if not line.is_complaint]),
        acknowledged_in_time=_kept(acknowledged, "acknowledgement_due", "acknowledged_on", as_of),
        answered_within_target=_kept(complaints, "quality_target_due", "first_answered_on", as_of),
        answered_within_two_months=_kept(complaints, "final_due", "first_answered_on", as_of),
        median_handling_days=float(stats.median(handling)) if handling else None,
    )


def _with_acknowledgement_or_answer(line: RegisterLine) -> RegisterLine:
    firsts = [d for d in (line.acknowledged_on, line.first_answered_on) if d is not None]
    return replace(line, acknowledged_on=min(firsts)) if firsts else line


def by_category(lines: Iterable[RegisterLine], as_of: date) -> list[Statistics]:
    """One row per category that has complaints, then the total."""
    everything = list(lines)
    rows = []
    for category in [*Category, None]:
        group = [line for line in everything if line.category == (category and category.value)]
        if group:
            label = CATEGORY_LABELS[category] if category else "non classée"
            rows.append(statistics(group, as_of, label))
    rows.append(statistics(everything, as_of, "total"))
    return rows
