"""What a complaint is made of: its stages and statuses, the kinds of its events, alarms and
incidents, and the records it keeps (events, suspensions, documents, answers, letters).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from reclamations.domain.actions import Decision, Typing
from reclamations.domain.content import Sealable
from reclamations.domain.deadlines import SuspensionPeriod, SuspensionReason
from reclamations.domain.files import FileFacts
from reclamations.domain.intake import DocumentKind
from reclamations.domain.letters import Delivery, LetterKind

SYSTEM = "système"
UNKNOWN_SENDER = "inconnu (hors application)"
MIDNIGHT = time(0)


class ActionRefused(Exception):
    """An action that the complaint's current state does not allow; the message says why."""


class Stage(StrEnum):
    received = "received"
    qualified = "qualified"
    answered = "answered"
    contested = "contested"
    requalified = "requalified"
    withdrawn = "withdrawn"
    closed = "closed"
    # rule 18: after an answer, or the 2 months, the complainant may go to the mediator
    # until a year after the written complaint...
    mediation_window = "mediation_window"
    # ...and has: the mediation is followed until its end.
    mediation = "mediation"


AWAITING_ANSWER = frozenset({Stage.received, Stage.qualified, Stage.contested})
FIRST_CYCLE = frozenset({Stage.received, Stage.qualified})
TERMINAL = frozenset({Stage.requalified, Stage.withdrawn, Stage.closed})
AFTER_ANSWER = frozenset({Stage.answered, Stage.mediation_window})


class Status(StrEnum):
    received = "received"
    in_progress = "in_progress"
    suspended = "suspended"
    overdue = "overdue"
    contested = "contested"
    answered = "answered"
    requalified = "requalified"
    withdrawn = "withdrawn"
    closed = "closed"
    mediation = "mediation"


# Waiting for the insurer: the queue's default, the dashboard's "open".
OPEN_STATUSES = (
    Status.received,
    Status.in_progress,
    Status.suspended,
    Status.overdue,
    Status.contested,
)
CLOSED_STATUSES = (Status.requalified, Status.withdrawn, Status.closed)

STATUS_LABELS = {
    Status.received: "reçue, à qualifier",
    Status.in_progress: "en cours",
    Status.suspended: "suspendue",
    Status.overdue: "en retard (2 mois dépassés)",
    Status.contested: "contestée, en révision",
    Status.answered: "répondue",
    Status.requalified: "requalifiée (pas une réclamation)",
    Status.withdrawn: "close sur désistement",
    Status.closed: "close",
    Status.mediation: "chez le Médiateur",
}


class EventType(StrEnum):
    registered = "registered"
    qualified = "qualified"
    requalified = "requalified"
    assigned = "assigned"
    document_added = "document_added"
    suspended = "suspended"
    resumed = "resumed"
    escalated = "escalated"
    answered = "answered"
    contested = "contested"
    withdrawn = "withdrawn"
    closed = "closed"
    letter_sent = "letter_sent"
    letter_withdrawn = "letter_withdrawn"
    deadline_reached = "deadline_reached"
    warning = "warning"
    action_refused = "action_refused"
    incident_opened = "incident_opened"
    incident_closed = "incident_closed"
    retried = "retried"
    informed = "informed"
    address_changed = "address_changed"
    classified = "classified"
    mediation = "mediation"
    declared_medical = "declared_medical"  # rule 11: found medical after it was registered


class AlarmKind(StrEnum):
    auto_acknowledge = "auto_acknowledge"
    quality_target = "quality_target"
    final_escalation = "final_escalation"
    final_deadline = "final_deadline"
    contest_window_end = "contest_window_end"
    oral_confirmation_end = "oral_confirmation_end"
    # rule 6: before, and on, the date announced to the complainant.
    promise_warning = "promise_warning"
    promise_due = "promise_due"
    # rule 18.
    mediation_window_end = "mediation_window_end"
    mediation_warning = "mediation_warning"
    mediation_due = "mediation_due"


# Letters that announce a date for the answer (rule 6).
PROMISING_LETTERS = frozenset({LetterKind.acknowledgement, LetterKind.information})

# Rung once per announced date, not once per complaint.
PROMISE_ALARMS = frozenset({AlarmKind.promise_warning, AlarmKind.promise_due})
# Set again when the mediator's time is extended.
MEDIATOR_TIME_ALARMS = frozenset({AlarmKind.mediation_warning, AlarmKind.mediation_due})
MEDIATOR_DAYS = 90  # Code de la consommation, R612-5: from the notification to the parties


class Event(BaseModel):
    """One line of the record (rule 13): what happened, when, and who did it."""

    seq: int
    at: datetime
    type: EventType
    actor: str
    summary: str
    note: Sealable | None = None  # the actor's own words; sealed for medical complaints
    on_behalf_of: str | None = None  # the name the calling system gave, beside the actor


class SuspensionRecord(BaseModel):
    reason: SuspensionReason
    start_on: date
    end_on: date | None = None  # excluded; None while the suspension runs
    started_by: str
    ended_by: str | None = None

    @property
    def period(self) -> SuspensionPeriod | None:
        if self.end_on is None:
            return None
        return SuspensionPeriod(self.start_on, self.end_on, self.reason)


class DocumentRecord(BaseModel):
    name: Sealable
    kind: DocumentKind
    added_on: date
    added_by: str
    file: FileFacts | None = None  # rule 16: its file, kept in the file store


class Classification(Typing):
    """rule 17: what the complaint is about, and, once answered, its root cause and any
    compensation (the outcome is the answer's decision)."""

    root_cause: str | None = None
    compensation: Decimal | None = None

    def classified(self, typing: Typing) -> Classification:
        """With the fields `typing` gives; those it leaves out keep their value."""
        given = typing.model_dump(include=set(Typing.model_fields), exclude_none=True)
        return self.model_copy(update=given)


class MediationRecord(BaseModel):
    """rule 18: the referral to the mediator and what came of it."""

    referred_on: date
    mediator: str
    file_number: str | None = None
    admissible: bool | None = None
    notified_on: date | None = None
    extension_days: int = 0
    settlement_on: date | None = None
    settlement_amount: Decimal | None = None
    proposal_on: date | None = None
    complainant_accepts: bool | None = None
    insurer_accepts: bool | None = None
    remedy_on: date | None = None
    # rule 18: referred while no answer had gone out (the 2 months
    # passed): the insurer still answers, the mediation goes on meanwhile.
    answer_owed: bool = False

    @property
    def outcome(self) -> str:
        """How the mediation stands, in the register's words."""
        if self.admissible is False:
            return "irrecevable"
        if self.remedy_on is not None:
            return "accord exécuté"
        if self.complainant_accepts is not None and self.insurer_accepts is not None:
            agreed = self.complainant_accepts and self.insurer_accepts
            return "accord, à exécuter" if agreed else "sans accord"
        if self.settlement_on is not None:
            return "accord proposé avant l'avis"
        return "en cours"

    @property
    def mediator_due(self) -> date | None:
        """When the mediator's 90 days (and any extension) end."""
        if self.notified_on is None:
            return None
        return self.notified_on + timedelta(days=MEDIATOR_DAYS + self.extension_days)


class AnswerRecord(BaseModel):
    decision: Decision
    reasons: Sealable
    documents_considered: list[Sealable] = []
    answered_at: datetime
    actor: str
    review: bool = False  # a second-level answer after a contest (rule 10)


class LetterFacts(BaseModel):
    """What a letter says beyond the complaint itself."""

    reason: str | None = None
    details: Sealable | None = None  # the agent's own words on the delay (rule 6)
    expected_on: date | None = None  # the date this letter announces
    promised_on: date | None = None  # the date announced before, that this letter moves
    late: bool = False  # the 2 months had passed when the letter was ordered
    decision: Decision | None = None
    reasons: Sealable | None = None
    documents: list[Sealable] = []
    review: bool = False
    note: Sealable | None = None
    # rule 18: the answer goes while the mediator has the dispute.
    referred: bool = False
    # rules 9 and 14: the two-months letter goes with an answer that
    # was held past the final deadline, and says so.
    with_answer: bool = False


class LetterOrder(BaseModel):
    kind: LetterKind
    sequence: int
    delivery: Delivery
    ordered_at: datetime
    facts: LetterFacts = LetterFacts()


class IncidentKind(StrEnum):
    letter = "letter"
    record = "record"
    address = "address"  # rule 11: a medical complaint with no postal address yet


# What a new try can mend; an address is mended by giving it.
RETRIABLE = frozenset({IncidentKind.letter, IncidentKind.record})


class Incident(BaseModel):
    """rule 14: a side effect that retrying cannot mend (bad data, a broken template).
    The complaint's clock goes on; the incident stays visible until it is mended."""

    kind: IncidentKind
    letter: LetterKind | None = None  # which letter, for a letter incident
    sequence: int | None = None
    reason: str  # the failure's own words, which never carry complainant content
    opened_at: datetime
    retrying: bool = False  # someone asked for a new try, under way
    closed_at: datetime | None = None

    def about(self, order: LetterOrder) -> bool:
        return (self.letter, self.sequence) == (order.kind, order.sequence)


class LetterRecord(BaseModel):
    kind: LetterKind
    sequence: int
    delivery: Delivery
    sent_at: datetime
    location: str


class Alarm(BaseModel):
    kind: AlarmKind
    at: datetime
    summary: str
