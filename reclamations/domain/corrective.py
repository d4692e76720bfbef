"""Corrective actions (issue 29): what the insurer decides to do about a root cause, followed
to its end and checked for effect (ACPR recommendation 2022-R-01 extended by 2024-R-02,
EIOPA's guidelines on complaints handling: analyse the causes, act, check it worked).

Pure: the action's state and every change to it, each an event with its actor. Its workflow
(workflows/corrective.py) holds one and drives its timers: reminders before the due date, the
escalation once it is late, the effectiveness check on its day. An action concerns a root cause
(the typology's code) and, optionally, the complaints that showed it; it says nothing of their
content, so that compliance may read it whole.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The reminders go this many days before the due date.
REMINDER_DAYS = (7, 1)
# The effectiveness check compares this many months after the action with as many before.
DEFAULT_WINDOW_MONTHS = 3
MAX_COMPLAINTS = 500


class ActionStatus(StrEnum):
    open = "open"
    late = "late"
    done = "done"  # carried out; its effectiveness is checked on its day
    effective = "effective"
    ineffective = "ineffective"
    cancelled = "cancelled"


ACTION_STATUS_LABELS = {
    ActionStatus.open: "en cours",
    ActionStatus.late: "en retard",
    ActionStatus.done: "réalisée, efficacité à vérifier",
    ActionStatus.effective: "efficace",
    ActionStatus.ineffective: "inefficace",
    ActionStatus.cancelled: "annulée",
}

# Not yet carried out: what reminders and escalation are about.
PENDING = frozenset({ActionStatus.open, ActionStatus.late})
FINISHED = frozenset({ActionStatus.effective, ActionStatus.ineffective, ActionStatus.cancelled})


class ActionEventType(StrEnum):
    opened = "opened"
    progress = "progress"
    reminder = "reminder"
    escalated = "escalated"
    done = "done"
    checked = "checked"
    cancelled = "cancelled"


ACTION_EVENT_LABELS = {
    ActionEventType.opened: "ouverte",
    ActionEventType.progress: "avancement",
    ActionEventType.reminder: "rappel d'échéance",
    ActionEventType.escalated: "escalade (en retard)",
    ActionEventType.done: "réalisée",
    ActionEventType.checked: "efficacité vérifiée",
    ActionEventType.cancelled: "annulée",
}

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class ActionEvent(BaseModel):
    seq: int
    at: datetime
    type: ActionEventType
    actor: str
    summary: str


class ActionDraft(BaseModel):
    """An action as a supervisor or compliance officer opens it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    title: Short
    description: Text
    root_cause: Annotated[str, Field(min_length=1, max_length=40)]
    owner: Annotated[str, Field(min_length=1, max_length=100)]
    due_on: date
    # The measure: complaints of the root cause in the `window_months` months after the
    # action was carried out, against as many months before it was opened; at most `target`
    # of them when given, fewer than before otherwise.
    check_on: date
    window_months: Annotated[int, Field(ge=1, le=12)] = DEFAULT_WINDOW_MONTHS
    target: Annotated[int, Field(ge=0)] | None = None
    complaints: Annotated[list[str], Field(max_length=MAX_COMPLAINTS)] = []

    @model_validator(mode="after")
    def _check_after_due(self) -> ActionDraft:
        if self.check_on <= self.due_on:
            raise ValueError("la vérification d'efficacité vient après l'échéance")
        return self


class Effectiveness(BaseModel):
    before: int  # complaints of the cause in the window before the action was opened
    after: int  # and in the window after it was carried out
    effective: bool


class CorrectiveAction(BaseModel):
    ident: str
    draft: ActionDraft
    opened_by: str
    opened_at: datetime
    status: ActionStatus = ActionStatus.open
    done_on: date | None = None
    reminded: list[int] = []  # the REMINDER_DAYS already sent
    effectiveness: Effectiveness | None = None
    events: list[ActionEvent] = []
    version: int = 0

    @classmethod
    def open(cls, ident: str, draft: ActionDraft, actor: str, at: datetime) -> CorrectiveAction:
        action = cls(ident=ident, draft=draft, opened_by=actor, opened_at=at)
        action._event(at, ActionEventType.opened, actor, f"ouverte : {draft.title}")
        return action

    def _event(self, at: datetime, kind: ActionEventType, actor: str, summary: str) -> None:
        self.events.append(
            ActionEvent(seq=len(self.events) + 1, at=at, type=kind, actor=actor, summary=summary)
        )
        self.version += 1

    # -- what people do (through the door) ----------------------------------------------

    def progress(self, actor: str, note: str, at: datetime) -> None:
        self._require(PENDING | {ActionStatus.done}, "l'action est terminée")
        self._event(at, ActionEventType.progress, actor, note)

    def complete(self, actor: str, note: str, today: date, at: datetime) -> None:
        self._require(PENDING, "l'action n'est plus en cours")
        self.status, self.done_on = ActionStatus.done, today
        self._event(at, ActionEventType.done, actor, note)

    def cancel(self, actor: str, reason: str, at: datetime) -> None:
        self._require(PENDING | {ActionStatus.done}, "l'action est terminée")
        self.status = ActionStatus.cancelled
        self._event(at, ActionEventType.cancelled, actor, reason)

    def _require(self, allowed: frozenset[ActionStatus], why: str) -> None:
        if self.status not in allowed:
            raise ValueError(why)

    # -- what its timers do ---------------------------------------------------------------

    def next_alarm(self) -> date | None:
        """The next day its workflow must wake on, if any: a reminder, the day after the due
        date (late), or the effectiveness check (once carried out)."""
        if self.status in PENDING:
            days = [
                self.draft.due_on - timedelta(days=d)
                for d in REMINDER_DAYS
                if d not in self.reminded
            ]
            if self.status is ActionStatus.open:
                days.append(self.draft.due_on + timedelta(days=1))
            return min(days) if days else None
        if self.status is ActionStatus.done:
            return self.check_day
        return None

    @property
    def check_day(self) -> date:
        """The check waits for the window after the action to have passed, and for its day."""
        return max(self.draft.check_on, self.window_after[1] + timedelta(days=1))

    def ring(self, today: date, at: datetime) -> None:
        """What is due today: a reminder, or the escalation of an action not carried out."""
        if self.status not in PENDING:
            return
        if self.status is ActionStatus.open and today > self.draft.due_on:
            self.status = ActionStatus.late
            self._event(
                at,
                ActionEventType.escalated,
                "système",
                f"échéance du {self.draft.due_on:%d/%m/%Y} dépassée : signalée aux superviseurs",
            )
            return
        due = [
            days
            for days in REMINDER_DAYS
            if days not in self.reminded and today >= self.draft.due_on - timedelta(days=days)
        ]
        self.reminded.extend(due)
        # One reminder however many fell due together (an action opened a day before its due
        # date has missed the 7 days' one).
        if due and today <= self.draft.due_on:
            self._event(
                at,
                ActionEventType.reminder,
                "système",
                f"échéance le {self.draft.due_on:%d/%m/%Y} ({self.draft.owner})",
            )

    @property
    def window_before(self) -> tuple[date, date]:
        opened = self.opened_at.date()
        return add_months(opened, -self.draft.window_months), opened - timedelta(days=1)

    @property
    def window_after(self) -> tuple[date, date]:
        first = self.done_on or self.draft.due_on
        return first, add_months(first, self.draft.window_months) - timedelta(days=1)

    def checked(self, before: int, after: int, at: datetime) -> None:
        target = self.draft.target
        effective = after <= target if target is not None else after < before
        self.effectiveness = Effectiveness(before=before, after=after, effective=effective)
        self.status = ActionStatus.effective if effective else ActionStatus.ineffective
        measure = f"au plus {target}" if target is not None else f"moins qu'avant ({before})"
        self._event(
            at,
            ActionEventType.checked,
            "système",
            f"{after} réclamation(s) de cette cause en {self.draft.window_months} mois, "
            f"objectif {measure} : {'efficace' if effective else 'inefficace'}",
        )


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier if negative), the month's last day at most."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- reporting: the dashboard's groups of complaints and its actions' figures ---------------


class GroupBy(StrEnum):
    root_cause = "root_cause"
    reason = "reason"
    product_line = "product_line"
    entity = "entity"


GROUP_BY_LABELS = {
    GroupBy.root_cause: "cause racine",
    GroupBy.reason: "motif",
    GroupBy.product_line: "gamme",
    GroupBy.entity: "entité",
}


class Trend(StrEnum):
    rising = "rising"
    falling = "falling"
    steady = "steady"


TREND_LABELS = {Trend.rising: "en hausse", Trend.falling: "en baisse", Trend.steady: "stable"}


class Grouped(BaseModel):
    """Complaints of one root cause (or reason, product line, entity) in the period."""

    code: str
    label: str
    references: list[str]
    # Complaints sent each month of the period, oldest first.
    per_month: list[int]
    trend: Trend
    # The actions opened on this root cause, by status (root causes only).
    actions: dict[ActionStatus, int] = {}


def trend_of(per_month: list[int]) -> Trend:
    """The last three months against the three before (fewer months: halves)."""
    half = min(3, len(per_month) // 2)
    if half == 0:
        return Trend.steady
    recent, before = sum(per_month[-half:]), sum(per_month[-2 * half : -half])
    if recent > before:
        return Trend.rising
    if recent < before:
        return Trend.falling
    return Trend.steady


def group_complaints(
    items: list[tuple[str, date, str | None]],
    months: list[date],
    labels: dict[str, str],
    actions: list[tuple[str, ActionStatus]],
) -> list[Grouped]:
    """Complaints given as (reference, sent on, code) grouped by their code, the largest group
    first; those without a code are left out (not classified yet). `months` are the first
    days of the period's months; `actions` the (root cause, status) of every action."""
    by_code: dict[str, list[tuple[str, date]]] = {}
    for reference, sent_on, code in items:
        if code:
            by_code.setdefault(code, []).append((reference, sent_on))
    groups = []
    for code, found in by_code.items():
        per_month = [
            sum(1 for _, sent in found if (sent.year, sent.month) == (m.year, m.month))
            for m in months
        ]
        statuses: dict[ActionStatus, int] = {}
        for cause, status in actions:
            if cause == code:
                statuses[status] = statuses.get(status, 0) + 1
        groups.append(
            Grouped(
                code=code,
                label=labels.get(code, code),
                references=[reference for reference, _ in found],
                per_month=per_month,
                trend=trend_of(per_month),
                actions=statuses,
            )
        )
    return sorted(groups, key=lambda g: (-len(g.references), g.label))


class ActionFigures(BaseModel):
    open: int
    late: int
    done: int  # carried out, waiting for their check
    effective: int
    ineffective: int
    cancelled: int


def action_figures(statuses: list[ActionStatus]) -> ActionFigures:
    def count(status: ActionStatus) -> int:
        return sum(1 for s in statuses if s is status)

    return ActionFigures(**{status.value: count(status) for status in ActionStatus})
