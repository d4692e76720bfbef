"""A complaint's state: its fields, what they say (status, deadlines, promise, why it takes no
action now), and the writes every part above shares (the record, a letter ordered, an escalation,
the end of a suspension).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, computed_field

from reclamations.domain.actions import ESCALATION_LABELS
from reclamations.domain.clock import local_date
from reclamations.domain.complaint.records import (
    AFTER_ANSWER,
    AWAITING_ANSWER,
    FIRST_CYCLE,
    STATUS_LABELS,
    TERMINAL,
    AlarmKind,
    AnswerRecord,
    Classification,
    DocumentRecord,
    Event,
    EventType,
    Incident,
    LetterFacts,
    LetterOrder,
    LetterRecord,
    MediationRecord,
    Stage,
    Status,
    SuspensionRecord,
)
from reclamations.domain.content import Sealable
from reclamations.domain.deadlines import (
    Deadline,
    DeadlineKind,
    SuspensionPeriod,
    stopped_clock_due,
    stopped_clock_target,
)
from reclamations.domain.french import long_date, of
from reclamations.domain.intake import ComplaintIntake
from reclamations.domain.letters import LetterKind, delivery_for
from reclamations.domain.planning import Plan


class ComplaintState(BaseModel):
    """Every field of a complaint, declared here alone and in this order (the workflow's history
    holds a complaint as these fields), and what they say."""

    reference: str
    intake: ComplaintIntake
    plan: Plan
    registered_at: datetime
    stage: Stage = Stage.received
    category: str | None = None
    assignee: str | None = None
    escalation_level: int = 0
    overdue: bool = False
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    suspensions: list[SuspensionRecord] = []
    documents: list[DocumentRecord] = []
    answers: list[AnswerRecord] = []
    letters: list[LetterRecord] = []
    pending_letters: list[LetterOrder] = []
    events: list[Event] = []
    alarms_rung: list[AlarmKind] = []
    incidents: list[Incident] = []
    version: int = 0
    # rule 6: every date announced to the complainant, in order; the last is the promise.
    promises: list[date] = []
    # How many of those promises the agents were warned about, and how many are settled (their
    # day came, or an answer kept them): counted, not dated, so that a new promise of the same
    # date as an old one still has its warning and its day.
    promises_warned: int = 0
    promises_settled: int = 0
    # The day the last promise was announced: the suspensions running since then are the ones
    # that moved it (rule 6).
    promised_since: date | None = None
    postal_address: Sealable | None = None  # given after intake (rule 11), replaces it
    classification: Classification = Classification()
    mediation: MediationRecord | None = None

    # -- reading ---------------------------------------------------------------------------

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        if self.stage in TERMINAL:
            return Status(self.stage.value)
        if self.stage in AFTER_ANSWER:
            return Status.answered
        if self.stage is Stage.mediation:
            return Status.mediation
        if self.overdue:
            return Status.overdue
        if self.open_suspension is not None:
            return Status.suspended
        if self.stage is Stage.contested:
            return Status.contested
        return Status.in_progress if self.stage is Stage.qualified else Status.received

    @property
    def medical(self) -> bool:
        return self.intake.medical

    @property
    def letter_intake(self) -> ComplaintIntake:
        """The intake the letters are written from, with the postal address given since."""
        if self.postal_address is None:
            return self.intake
        complainant = self.intake.complainant.model_copy(
            update={"postal_address": self.postal_address}
        )
        return self.intake.model_copy(update={"complainant": complainant})

    @property
    def open_suspension(self) -> SuspensionRecord | None:
        last = self.suspensions[-1] if self.suspensions else None
        return last if last is not None and last.end_on is None else None

    @property
    def _finished_suspensions(self) -> list[SuspensionPeriod]:
        return [s.period for s in self.suspensions if s.period is not None]

    @property
    def quality_target(self) -> Deadline | None:
        """rule 5: 15 days, not counting the finished suspensions; with its reasons."""
        final = self.plan.final_due
        if final is None:  # rule 2: an oral complaint has no deadlines
            return None
        return stopped_clock_target(self.plan.sent_on, self._finished_suspensions, final)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quality_target_due(self) -> date | None:
        """The same day, without its explanation: the alarms and the record read it often."""
        final = self.plan.final_due
        if final is None:
            return None
        return stopped_clock_due(self.plan.sent_on, self._finished_suspensions, final)

    @property
    def promise(self) -> date | None:
        """rule 6: the last date announced to the complainant in a letter."""
        return self.promises[-1] if self.promises else None

    @property
    def _promise_running(self) -> date | None:
        """The promise whose day has not come yet, while the complaint awaits its answer and
        before the final deadline (where rule 9 speaks instead)."""
        promise, final = self.promise, self.plan.final_due
        if promise is None or final is None or self.stage not in AWAITING_ANSWER:
            return None
        unsettled = len(self.promises) > self.promises_settled
        return promise if promise < final and unsettled else None

    @property
    def answered_in_time(self) -> bool:
        """An answer went out within the 2 months (rule 9)."""
        final = self.plan.final_due
        first = self.first_answer_left_at
        return bool(final and first and self.today(first) <= final)

    @property
    def first_answer_left_at(self) -> datetime | None:
        """When the first answer went out: when its letter left, not when it was written (one
        held by an incident leaves late, and counts late: rules 9 and 13)."""
        sent = (letter.sent_at for letter in self.letters if letter.kind is LetterKind.answer)
        return next(sent, None)

    @property
    def answered_at(self) -> datetime | None:
        return self.answers[-1].answered_at if self.answers else None

    def ordered(self, kind: LetterKind) -> bool:
        return self._letter_count(kind) > 0

    def _letter_count(self, kind: LetterKind) -> int:
        kinds = [letter.kind for letter in self.letters] + [o.kind for o in self.pending_letters]
        return kinds.count(kind)

    def next_deadline(self) -> tuple[DeadlineKind, date] | None:
        """The nearest promise not yet kept, for the agents' queue."""
        if not self.plan.written or self.stage not in AWAITING_ANSWER:
            return None
        pending: list[tuple[DeadlineKind, date | None]] = []
        if self._acknowledgement_owed:
            pending.append((DeadlineKind.acknowledgement, self.plan.acknowledgement_due))
        pending.append((DeadlineKind.promise, self._promise_running))
        if self.stage in FIRST_CYCLE and AlarmKind.quality_target not in self.alarms_rung:
            pending.append((DeadlineKind.quality_target, self.quality_target_due))
        pending.append((DeadlineKind.final, self.plan.final_due))
        dated = [(kind, day) for kind, day in pending if day is not None]
        return min(dated, key=lambda deadline: deadline[1], default=None)

    def today(self, now: datetime) -> date:
        return local_date(now, self.plan.timezone)

    def _closed(self) -> str | None:
        if self.stage in TERMINAL:
            return f"La réclamation est close ({STATUS_LABELS[self.status]}) : plus aucune action."
        return None

    def _awaiting_answer(self, verb: str) -> str | None:
        if self.stage not in AWAITING_ANSWER:
            if self.stage in TERMINAL:
                return self._closed()
            return f"Impossible {of(verb)} : la réclamation est {STATUS_LABELS[self.status]}."
        return None

    @property
    def _acknowledgement_owed(self) -> bool:
        """rule 4: a written complaint is acknowledged once, and not once the answer went
        out (the automatic acknowledgement's alarm and the letter ask this one question)."""
        return (
            self.plan.written and not self.answers and not self.ordered(LetterKind.acknowledgement)
        )

    # -- writing: shared by every part above ------------------------------------------------

    def _record(
        self, now: datetime, kind: EventType, actor: str, summary: str, note: str | None = None
    ) -> None:
        self.events.append(
            Event(
                seq=len(self.events) + 1, at=now, type=kind, actor=actor, summary=summary, note=note
            )
        )
        self.version += 1

    def _order(self, kind: LetterKind, now: datetime, facts: LetterFacts | None = None) -> None:
        sequence = 1 + self._letter_count(kind)
        self.pending_letters.append(
            LetterOrder(
                kind=kind,
                sequence=sequence,
                delivery=delivery_for(self.intake),
                ordered_at=now,
                facts=facts or LetterFacts(),
            )
        )
        self.version += 1

    def _escalate(self, level: int, actor: str, now: datetime, note: str | None = None) -> None:
        self.escalation_level = max(self.escalation_level, level)
        self._record(
            now,
            EventType.escalated,
            actor,
            f"Escaladée au niveau {level} ({ESCALATION_LABELS[level]}).",
            note,
        )

    def _close_suspension(
        self, end_on: date, actor: str, now: datetime, note: str | None = None
    ) -> None:
        running = self.open_suspension
        if running is None:
            return
        running.end_on = max(end_on, running.start_on)
        running.ended_by = actor
        due = self.quality_target_due
        self._record(
            now,
            EventType.resumed,
            actor,
            f"Reprise le {long_date(running.end_on)} : engagement qualité "
            f"au {long_date(due) if due else '-'}.",
            note,
        )
