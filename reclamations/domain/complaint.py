"""One complaint's life as a pure state machine: actions and alarms in, events and letters out.

The workflow feeds it agent actions and the instants its timers fire, then carries out what it
asks (send these letters, record these events). Everything here is deterministic: the only clock
is the `now` each method receives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, computed_field

from reclamations.domain.actions import (
    ACTION_LABELS,
    ACTIONS,
    DECISION_LABELS,
    DELAY_REASON_LABELS,
    DELAY_REASON_PHRASES,
    ESCALATION_LABELS,
    Action,
    AddDocument,
    Answer,
    Assign,
    Classify,
    Contest,
    CorrectAddress,
    Decision,
    DelayReason,
    Escalate,
    Inform,
    Mediate,
    MediationStep,
    Qualify,
    RequalifyAsRequest,
    Resume,
    Retry,
    Suspend,
    Typing,
    Withdraw,
    action_name,
    days_done,
)
from reclamations.domain.clock import local_date, local_instant
from reclamations.domain.content import Sealable, content_sealing_problem
from reclamations.domain.deadlines import (
    SUSPENSION_LABELS,
    Deadline,
    DeadlineKind,
    SuspensionPeriod,
    SuspensionReason,
    add_months,
    pushed_back_due,
    quality_target_deadline,
    stopped_clock_due,
    stopped_clock_target,
)
from reclamations.domain.files import FileFacts, dossier_problem
from reclamations.domain.french import long_date, of
from reclamations.domain.intake import (
    CATEGORY_LABELS,
    ELECTRONIC_CHANNELS,
    ComplaintIntake,
    DocumentKind,
)
from reclamations.domain.letters import (
    COMPLAINT_LETTERS,
    LETTER_LABELS,
    Delivery,
    LetterKind,
    delivery_for,
)
from reclamations.domain.planning import Plan

SYSTEM = "système"
UNKNOWN_SENDER = "inconnu (hors application)"
MIDNIGHT = time(0)

# The edition of the rules new complaints run by (see Complaint.rules).
LATEST_RULES = 5

# An action's guard (why not now, or None) and its effect; see Complaint._handlers.
Guard = Callable[[], str | None]
Effect = Callable[[Any, datetime], None]


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
    # rule 18 (rules edition 4): after an answer (not fully favourable, before edition
    # 5), or the 2 months, the complainant may go to the mediator until a year after the
    # written complaint...
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


class AlarmKind(StrEnum):
    auto_acknowledge = "auto_acknowledge"
    quality_warning = "quality_warning"
    quality_target = "quality_target"
    final_escalation = "final_escalation"
    final_deadline = "final_deadline"
    contest_window_end = "contest_window_end"
    oral_confirmation_end = "oral_confirmation_end"
    # rule 6 (rules edition 3): before, and on, the date announced to the complainant.
    promise_warning = "promise_warning"
    promise_due = "promise_due"
    # rule 18 (rules edition 4).
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
    # rule 18 (rules edition 5): referred while no answer had gone out (the 2 months
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
    # rule 18 (rules edition 5): the answer goes while the mediator has the dispute.
    referred: bool = False
    # rules 9 and 14 (rules edition 5): the two-months letter goes with an answer that
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


class Complaint(BaseModel):
    """The full state of one complaint, as its workflow holds it and its query returns it."""

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
    # Frozen at intake, like the deadlines: which edition of the rules this complaint runs by,
    # so that a running complaint never changes its course. 2: a contest after a timely answer
    # does not reopen the 2-month deadline (rule 9). 3: the quality target stops its
    # clock and is capped at the final deadline (rule 5); the complainant is written to before
    # each announced date passes, never given a past date (rule 6).
    # 4: after an answer not fully favourable or the 2 months, the complaint stays open to the
    # mediator for a year from the written complaint, and follows the mediation (rule 18).
    # 5: every day an agent gives lies between what it follows and today (_implausible_day);
    # any answer opens the mediation, a referral is judged on its own date and may be
    # recorded during a grace period after the year, the insurer may still answer after it
    # (rule 18); a letter held by an incident is dated and checked again the day it leaves,
    # the first answer counts from that day (rules 6, 9, 14); an acknowledgement or an
    # information letter still held when the answer is written never goes (rule 4); an
    # information letter names every suspension that moved the date (rule 6).
    rules: int = 1
    # rule 6: every date announced to the complainant, in order; the last is the promise.
    promises: list[date] = []
    # How many of those promises the agents were warned about, and how many are settled (their
    # day came, or an answer kept them): counted, not dated, so that a new promise of the same
    # date as an old one still has its warning and its day.
    promises_warned: int = 0
    promises_settled: int = 0
    # The day the last promise was announced (rules edition 5): the suspensions running since
    # then are the ones that moved it (rule 6).
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
        if not self.plan.written:
            return None
        periods, final = self._finished_suspensions, self.plan.final_due
        if self.rules >= 3 and final:
            return stopped_clock_target(self.plan.sent_on, periods, final)
        return quality_target_deadline(self.plan.sent_on, periods)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quality_target_due(self) -> date | None:
        """The same day, without its explanation: the alarms and the record read it often."""
        if not self.plan.written:
            return None
        periods, final = self._finished_suspensions, self.plan.final_due
        if self.rules >= 3 and final:
            return stopped_clock_due(self.plan.sent_on, periods, final)
        return pushed_back_due(self.plan.sent_on, periods)

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
        """When the first answer went out: since rules edition 5, when its letter left (one
        held by an incident leaves late, and counts late: rules 9 and 13); before, when
        it was written."""
        if self.rules < 5:
            return self.answers[0].answered_at if self.answers else None
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

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        reference: str,
        intake: ComplaintIntake,
        plan: Plan,
        now: datetime,
        registered_by: str | None = None,
        rules: int = LATEST_RULES,
    ) -> Complaint:
        """`registered_by`: the principal who registered it (rule 15); complaints from
        before that was kept say "système". `rules`: the edition of the rules (see `rules`)."""
        complaint = cls(
            reference=reference,
            intake=intake,
            plan=plan,
            registered_at=now,
            rules=rules,
            category=intake.category.value if intake.category else None,
            documents=[
                DocumentRecord(name=d.name, kind=d.kind, added_on=plan.sent_on, added_by="dépôt")
                for d in intake.documents
            ],
        )
        complaint._record(
            now, EventType.registered, registered_by or SYSTEM, complaint._registration_summary()
        )
        if intake.medical and not intake.complainant.postal_address:
            # rule 11: registered all the same; finding the address is an incident.
            complaint._open_incident(
                IncidentKind.address,
                "adresse postale inconnue, or tout courrier d'une réclamation médicale part par "
                "la poste",
                "adresse postale inconnue",
                now,
            )
        if not plan.written:
            # rule 2: an oral complaint not settled at once is invited to write.
            complaint._order(LetterKind.written_confirmation_invitation, now)
        elif intake.medical and intake.channel in ELECTRONIC_CHANNELS:
            # rule 11: medical elements go by post, to the Médecin Conseil only.
            complaint._order(LetterKind.medical_postal_notice, now)
        return complaint

    def _registration_summary(self) -> str:
        text = f"Réclamation enregistrée (envoi du {long_date(self.plan.sent_on)})"
        if self.plan.final_due:
            text += f", réponse due au plus tard le {long_date(self.plan.final_due)}"
        return text + "."

    # -- actions ---------------------------------------------------------------------------
    # Each action has a guard (`_may_<name>`: whether the complaint takes it now, from its state
    # alone) and, right below it, its effect (`_<name>`), which first refuses parameters that do
    # not fit (dates, levels) and only then changes anything.

    def _handlers(self) -> dict[type[Action], tuple[Guard, Effect]]:
        return {
            Retry: (self._may_retry, self._retry),
            CorrectAddress: (self._may_correct_address, self._correct_address),
            Qualify: (self._may_qualify, self._qualify),
            Classify: (self._may_classify, self._classify),
            RequalifyAsRequest: (self._may_requalify_as_request, self._requalify_as_request),
            Answer: (self._may_answer, self._answer),
            Inform: (self._may_inform, self._inform),
            Suspend: (self._may_suspend, self._suspend),
            Resume: (self._may_resume, self._resume),
            Escalate: (self._may_escalate, self._escalate_action),
            Contest: (self._may_contest, self._contest),
            Mediate: (self._may_mediate, self._mediate),
            Assign: (self._may_assign, self._assign),
            AddDocument: (self._may_add_document, self._add_document),
            Withdraw: (self._may_withdraw, self._withdraw),
        }

    def allowed_actions(self) -> list[str]:
        """The actions the complaint accepts now, in the order an agent would look for them."""
        handlers = self._handlers()
        return [name for name, kind in ACTIONS.items() if handlers[kind][0]() is None]

    def _refusal(self, action: Action, now: datetime, days_checked: bool) -> str | None:
        guard, _ = self._handlers()[type(action)]
        refusal = guard()
        if refusal is None and not isinstance(action, Retry):
            # rule 11: a medical complaint takes only sealed content, others plain text.
            problem = content_sealing_problem(action, self.medical)
            refusal = f"Action refusée : {problem}." if problem else None
        if refusal is None and (days_checked or self.rules >= 5):
            refusal = self._implausible_day(action, now)
        return refusal

    def check(self, action: Action, now: datetime) -> None:
        """Raise ActionRefused, in French, when the action is not allowed now: its guard, then
        its effect tried on a copy, so that the check can never drift from what it does.
        It checks the days given as edition 5 does, whatever the complaint's edition: a check
        refuses before anything happens (an update's validator), so no history changes."""
        self.model_copy(deep=True).apply(action, now, days_checked=True)

    def apply(self, action: Action, now: datetime, days_checked: bool = False) -> None:
        """Carry out an allowed action: state, record and letters."""
        refusal = self._refusal(action, now, days_checked)
        if refusal:
            raise ActionRefused(refusal)
        first_new = len(self.events)
        _, effect = self._handlers()[type(action)]
        effect(action, now)
        for event in self.events[first_new:]:
            event.on_behalf_of = action.on_behalf_of

    def _implausible_day(self, action: Action, now: datetime) -> str | None:
        """Why a day the action gives cannot be (rules edition 5): no action happened before
        the complaint was sent, nor before what it follows (a contest, the answer; a step of
        the mediation, the referral), nor after today. A mediation step dated 0001-01-01 once
        ran the mediator's 90 days out at once (issue 23)."""
        today = self.today(now)
        earliest, follows = self.plan.sent_on, "l'envoi de la réclamation"
        referred = self.mediation.referred_on if self.mediation else None
        if isinstance(action, Contest) and self.answers:
            earliest, follows = self.today(self.answers[-1].answered_at), "la réponse"
        elif isinstance(action, Mediate) and referred and action.step is not MediationStep.referral:
            earliest, follows = referred, "la saisine du Médiateur"
        for label, day in days_done(action):
            if day > today:
                return f"Date invraisemblable pour {label} : le {long_date(day)} est dans le futur."
            if day < earliest:
                return (
                    f"Date invraisemblable pour {label} : le {long_date(day)} précède "
                    f"{follows} ({long_date(earliest)})."
                )
        return None

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

    def _may_retry(self) -> str | None:
        # Even once the complaint is closed: an incident stays until it is mended.
        if not any(i.kind in RETRIABLE for i in self.open_incidents):
            return "Aucun envoi en échec : rien à relancer."
        return None

    def _retry(self, action: Retry, now: datetime) -> None:
        held = self._held_letters()
        for incident in self.open_incidents:
            incident.retrying = incident.kind in RETRIABLE
        self._record(now, EventType.retried, action.actor, "Nouvel essai demandé.")
        self._release(held, now)

    def _may_correct_address(self) -> str | None:
        return None if self._missing_address else self._closed()

    def _correct_address(self, action: CorrectAddress, now: datetime) -> None:
        held = self._held_letters()
        self.postal_address = action.postal_address
        # The address itself stays out of the summary, which every role reads.
        self._record(
            now, EventType.address_changed, action.actor, "Adresse postale du réclamant renseignée."
        )
        self._mended(IncidentKind.address, now)
        self._release(held, now)

    def _may_qualify(self) -> str | None:
        if self.stage is not Stage.received:
            return self._closed() or "La réclamation est déjà qualifiée."
        return None

    def _qualify(self, action: Qualify, now: datetime) -> None:
        self.stage = Stage.qualified
        if action.category:
            self.category = action.category.value
        self.classification = self.classification.classified(action)
        label = f" ({CATEGORY_LABELS[action.category]})" if action.category else ""
        self._record(
            now, EventType.qualified, action.actor, f"Qualifiée en réclamation{label}.", action.note
        )
        self._acknowledge(now)

    def _may_classify(self) -> str | None:
        return self._closed()

    def _classify(self, action: Classify, now: datetime) -> None:
        self.classification = self.classification.classified(action)
        self._record(now, EventType.classified, action.actor, "Typologie renseignée.")

    def _may_requalify_as_request(self) -> str | None:
        if self.stage not in FIRST_CYCLE or self.answers:
            return self._closed() or (
                "Une réponse a déjà été envoyée : la réclamation ne peut plus être requalifiée "
                "en demande."
            )
        return None

    def _requalify_as_request(self, action: RequalifyAsRequest, now: datetime) -> None:
        # rule 1: no complaint letters, a short notice, kept as "not a complaint".
        self.pending_letters = [o for o in self.pending_letters if o.kind not in COMPLAINT_LETTERS]
        self._close_suspension(self.today(now), action.actor, now)
        self.stage = Stage.requalified
        self.closed_at = now
        self._record(
            now,
            EventType.requalified,
            action.actor,
            "Requalifiée : demande, pas une réclamation.",
            action.note,
        )
        self._order(LetterKind.requalification, now)

    def _may_answer(self) -> str | None:
        if self._answer_owed_in_mediation:
            return None  # rule 18: the two-months letter promised this answer
        return self._awaiting_answer("répondre")

    @property
    def _answer_owed_in_mediation(self) -> bool:
        return self.stage is Stage.mediation and bool(self.mediation and self.mediation.answer_owed)

    def _answer(self, action: Answer, now: datetime) -> None:
        self._close_suspension(self.today(now), action.actor, now)
        referred = self._answer_owed_in_mediation
        # After a referral, an answer owed after a first one is the contest's review.
        review = self.stage is Stage.contested or (referred and bool(self.answers))
        if self.rules >= 5:
            self._withdraw_held_promises(now)
        self.answers.append(
            AnswerRecord(
                decision=action.decision,
                reasons=action.reasons,
                documents_considered=list(action.documents_considered),
                answered_at=now,
                actor=action.actor,
                review=review,
            )
        )
        if referred and self.mediation:
            self.mediation.answer_owed = False  # the mediation goes on
        else:
            self.stage = Stage.answered
        answered = {"root_cause": action.root_cause, "compensation": action.compensation}
        self.classification = self.classification.model_copy(
            update={k: v for k, v in answered.items() if v is not None}
        )
        # rule 6: the answer keeps the promise; a contest later does not revive it.
        self.promises_settled = len(self.promises)
        self._record(
            now,
            EventType.answered,
            action.actor,
            f"Réponse {'après révision ' if review else ''}: décision "
            f"{DECISION_LABELS[action.decision]}.",
        )
        documents = [d.name for d in self.documents] + [
            name
            for name in action.documents_considered
            if name not in {d.name for d in self.documents}
        ]
        self._order(
            LetterKind.answer,
            now,
            LetterFacts(
                decision=action.decision,
                reasons=action.reasons,
                documents=documents,
                review=review,
                referred=referred,
            ),
        )

    def _withdraw_held_promises(self, now: datetime) -> None:
        """rule 4: no acknowledgement once the answer went out, and no information
        letter announcing a date for an answer already written: those an incident still holds
        never go, and their incidents close with them (one in flight goes as it is)."""
        for order in [o for o in self._held_letters() if o.kind in PROMISING_LETTERS]:
            self._drop_letter(order, "la réponse part à sa place", now)

    def _drop_letter(self, order: LetterOrder, why: str, now: datetime) -> None:
        self.pending_letters = [o for o in self.pending_letters if o is not order]
        self._record(
            now,
            EventType.letter_withdrawn,
            SYSTEM,
            f"Courrier « {LETTER_LABELS[order.kind]} » retenu, devenu sans objet : {why} ; il "
            "ne partira pas.",
        )
        self._mended(IncidentKind.letter, now, order)

    def _held_letters(self) -> list[LetterOrder]:
        return [order for order in self.pending_letters if self.letter_waits(order)]

    def _release(self, held: list[LetterOrder], now: datetime) -> None:
        """rules 6, 9 and 14 (rules edition 5): a letter an incident held is true the
        day it leaves: dated that day, with what it announces checked again then."""
        if self.rules < 5:
            return
        released = [o for o in held if not self.letter_waits(o)]
        informations = [o for o in released if o.kind is LetterKind.information]
        for order in released:
            if order.kind is LetterKind.information and order is not informations[-1]:
                self._drop_letter(order, "un courrier d'information plus récent le remplace", now)
            else:
                self._refresh(order, now)

    def _refresh(self, order: LetterOrder, now: datetime) -> None:
        today, final = self.today(now), self.plan.final_due
        order.ordered_at = now
        facts = order.facts
        first_answer = order.kind is LetterKind.answer and order.sequence == 1
        if first_answer and final and today > final and not self.overdue:
            self._answer_held_past_final(now)
        if order.kind is LetterKind.mediation_rights and self.answers:
            facts.with_answer = True  # written while it was held: no longer "se poursuit"
        if order.kind not in PROMISING_LETTERS or facts.expected_on is None or final is None:
            return
        if today < facts.expected_on <= final:
            return  # still a date to come, within the 2 months
        current = self.promise
        announced = current if current and today < current <= final else self._pushed_back(today)
        if announced is None and order.kind is LetterKind.information:
            self._drop_letter(order, "plus aucune date à annoncer avant le délai de 2 mois", now)
            return
        facts.expected_on, facts.late = announced, announced is None
        if announced is not None and announced != current:
            self._promise(announced, today)
        self._record(
            now,
            EventType.warning,
            SYSTEM,
            f"Courrier « {LETTER_LABELS[order.kind]} » retenu : la date qu'il annonçait est "
            "passée, "
            + (
                f"il annonce le {long_date(announced)}."
                if announced
                else "il annonce la réponse dans les meilleurs délais."
            ),
        )

    def _answer_held_past_final(self, now: datetime) -> None:
        """rule 9: the first answer leaves after the final deadline: the two-months
        letter goes with it, and the complaint is late and escalated on the record."""
        self.overdue = True
        self._record(
            now,
            EventType.deadline_reached,
            SYSTEM,
            "Réponse retenue au-delà du délai de 2 mois : elle part avec le courrier sur le "
            "droit de saisir le Médiateur.",
        )
        self._escalate(3, SYSTEM, now, None)
        if not self.ordered(LetterKind.mediation_rights):
            self._order(LetterKind.mediation_rights, now, LetterFacts(with_answer=True))

    def _may_inform(self) -> str | None:
        if self.stage in TERMINAL:
            return self._closed()
        if not self.plan.written:
            return "Seules les réclamations écrites ont une date de réponse annoncée."
        if self.overdue:
            return (
                "Le délai de 2 mois est dépassé : le réclamant a reçu le courrier sur le "
                "Médiateur, un courrier d'information ne peut plus partir."
            )
        return self._awaiting_answer("informer du retard")

    def _inform(self, action: Inform, now: datetime) -> None:
        today, final = self.today(now), self.plan.final_due
        assert final  # written complaints have one
        expected = action.expected_on or self._pushed_back(today)
        if expected is None or expected <= today:
            raise ActionRefused(
                "Le délai de 2 mois arrive à échéance : aucune nouvelle date ne peut être annoncée."
                if expected is None
                else "La nouvelle date de réponse doit être postérieure à aujourd'hui."
            )
        if expected > final:
            raise ActionRefused(
                f"La nouvelle date ne peut pas dépasser le délai de 2 mois ({long_date(final)})."
            )
        self._record(
            now,
            EventType.informed,
            action.actor,
            f"Courrier d'information ({DELAY_REASON_LABELS[action.reason]}) : réponse annoncée "
            f"au plus tard le {long_date(expected)}.",
            action.details,
        )
        self._announce_delay(now, expected, action.reason, action.details)

    def _may_suspend(self) -> str | None:
        if self.stage in TERMINAL:
            return self._closed()
        if not self.plan.written:
            return "Seules les réclamations écrites ont un engagement qualité à suspendre."
        if self.open_suspension is not None:
            return "La réclamation est déjà suspendue."
        return self._awaiting_answer("suspendre")

    def _suspend(self, action: Suspend, now: datetime) -> None:
        today = self.today(now)
        start = action.on or today
        if start > today:
            raise ActionRefused("Une suspension ne peut pas commencer dans le futur.")
        if start < self.plan.sent_on:
            raise ActionRefused("Une suspension ne peut pas commencer avant l'envoi.")
        last_end = self.suspensions[-1].end_on if self.suspensions else None
        if last_end and start < last_end:
            raise ActionRefused(
                f"La suspension précédente a pris fin le {long_date(last_end)} : "
                "une nouvelle ne peut pas commencer avant."
            )
        self.suspensions.append(
            SuspensionRecord(reason=action.reason, start_on=start, started_by=action.actor)
        )
        self._record(
            now,
            EventType.suspended,
            action.actor,
            f"Suspendue pour {SUSPENSION_LABELS[action.reason]} à partir du {long_date(start)} : "
            "l'engagement qualité est en pause, pas le délai de 2 mois.",
            action.note,
        )

    def _may_resume(self) -> str | None:
        if self.open_suspension is None:
            return self._closed() or "La réclamation n'est pas suspendue."
        return None

    def _resume(self, action: Resume, now: datetime) -> None:
        running = self.open_suspension
        assert running is not None  # the guard saw to it
        end = action.on or self.today(now)
        if end > self.today(now):
            raise ActionRefused("La reprise ne peut pas être datée dans le futur.")
        if end < running.start_on:
            raise ActionRefused(
                f"La reprise ne peut pas précéder le début de la suspension "
                f"({long_date(running.start_on)})."
            )
        self._close_suspension(end, action.actor, now, action.note)

    def _may_escalate(self) -> str | None:
        return self._awaiting_answer("escalader")

    def _escalate_action(self, action: Escalate, now: datetime) -> None:
        if action.level < self.escalation_level:
            raise ActionRefused(
                f"La réclamation est déjà escaladée au niveau {self.escalation_level} "
                f"({ESCALATION_LABELS[self.escalation_level]})."
            )
        self._escalate(action.level, action.actor, now, action.note)

    def _may_contest(self) -> str | None:
        if self.stage is not Stage.answered:
            return self._closed() or "Seule une réclamation répondue peut être contestée."
        return None

    @property
    def mediation_open(self) -> bool:
        """rule 18: after an answer, or once the 2 months passed (the mediation-rights
        letter), the complainant may go to the mediator. The law sets no condition on the
        answer: a favourable one may still be disputed (its execution); before rules edition 5
        a fully favourable answer did not open it."""
        if self.rules < 4:
            return False
        last = self.answers[-1] if self.answers else None
        if self.rules >= 5:
            return self.overdue or last is not None
        return self.overdue or (last is not None and last.decision is not Decision.upheld)

    @property
    def mediation_window_closes(self) -> date:
        """When the complaint stops waiting for a referral: the end of the year, and since
        rules edition 5 a grace period after it, for a referral made within the year that
        reaches us later (rule 18)."""
        grace = self.plan.policy.mediation_referral_grace_days if self.rules >= 5 else 0
        return self.mediation_window_ends + timedelta(days=grace)

    @property
    def mediation_window_ends(self) -> date:
        """A year after the first written complaint (Code de la consommation, L612-2)."""
        return add_months(self.plan.first_written_on, 12)

    def _may_mediate(self) -> str | None:
        if self.stage is Stage.mediation:
            return None
        if self.rules >= 5:
            # rule 18: after any answer (a contest under way too: the review then goes
            # on beside the mediator), or once the 2 months passed without one.
            if self.mediation_open and self.stage not in TERMINAL:
                return None
            return self._closed() or (
                "La médiation s'ouvre après une réponse, ou une fois le délai de 2 mois passé."
            )
        # rule 18: after the answer, or while no answer came within the 2 months.
        waiting = self.overdue and self.stage in AWAITING_ANSWER
        if self.mediation_open and (self.stage in AFTER_ANSWER or waiting):
            return None
        return self._closed() or (
            "La médiation s'ouvre après une réponse qui n'est pas entièrement favorable, ou "
            "une fois le délai de 2 mois passé."
        )

    def _mediate(self, action: Mediate, now: datetime) -> None:
        """Each step of the mediation, in its order; the last ones close the complaint."""
        on = action.on or self.today(now)
        if on > self.today(now):
            raise ActionRefused("La date de l'étape ne peut pas être dans le futur.")
        step, record = action.step, self.mediation
        if step is MediationStep.referral:
            if record is not None:
                raise ActionRefused("Le Médiateur est déjà saisi.")
            # rule 18 (Code de la consommation, L612-2): judged on the day the referral
            # was made, whenever it is recorded.
            if on > self.mediation_window_ends:
                raise ActionRefused(
                    "Le délai d'un an pour saisir le Médiateur était passé : il a pris fin le "
                    f"{long_date(self.mediation_window_ends)}."
                )
            # An expertise under way no longer holds anything: the mediator has the dispute.
            self._close_suspension(on, action.actor, now)
            mediator = action.mediator or "Médiateur"
            self.mediation = MediationRecord(
                referred_on=on,
                mediator=mediator,
                file_number=action.file_number,
                answer_owed=self.rules >= 5 and self.stage in AWAITING_ANSWER,
            )
            self.stage = Stage.mediation
            self._record(
                now,
                EventType.mediation,
                action.actor,
                f"Médiateur saisi ({mediator}).",
                action.note,
            )
            return
        if record is None:
            raise ActionRefused("Enregistrez d'abord la saisine du Médiateur.")
        summary, closes = self._mediation_step(record, action, on)
        self._record(now, EventType.mediation, action.actor, summary, action.note)
        if closes:
            self.stage = Stage.closed
            self.closed_at = now
            self._record(now, EventType.closed, SYSTEM, "Médiation terminée : close.")

    def _mediation_step(
        self, record: MediationRecord, action: Mediate, on: date
    ) -> tuple[str, bool]:
        """What the step changes in the record: its summary, and whether it ends the
        mediation."""
        match action.step:
            case MediationStep.admissibility:
                if action.admissible is None:
                    raise ActionRefused("Indiquez si la saisine est recevable.")
                record.admissible = action.admissible
                return ("Saisine recevable." if action.admissible else "Saisine irrecevable."), (
                    not action.admissible
                )
            case MediationStep.notification:
                if record.notified_on is not None:
                    raise ActionRefused("La notification est déjà enregistrée.")
                record.notified_on = on
                return (
                    f"Médiateur : avis attendu au plus tard le "
                    f"{long_date(record.mediator_due or on)}.",
                    False,
                )
            case MediationStep.extension:
                if record.notified_on is None or action.extension_days is None:
                    raise ActionRefused(
                        "Une prolongation suit la notification, et dit de combien de jours."
                    )
                record.extension_days += action.extension_days
                self._rearm_mediator_time()
                return (
                    f"Délai du Médiateur prolongé jusqu'au {long_date(record.mediator_due or on)}.",
                    False,
                )
            case MediationStep.settlement:
                record.settlement_on, record.settlement_amount = on, action.amount
                amount = f" ({action.amount} €)" if action.amount is not None else ""
                return f"Accord proposé au réclamant avant l'avis du Médiateur{amount}.", False
            case MediationStep.proposal:
                record.proposal_on = on
                return "Proposition de solution du Médiateur reçue.", False
            case MediationStep.decision:
                if record.proposal_on is None:
                    raise ActionRefused("Les parties décident sur la proposition du Médiateur.")
                if action.complainant_accepts is None or action.insurer_accepts is None:
                    raise ActionRefused("Indiquez la décision de chacune des parties.")
                record.complainant_accepts = action.complainant_accepts
                record.insurer_accepts = action.insurer_accepts
                agreed = action.complainant_accepts and action.insurer_accepts
                summary = (
                    "Proposition acceptée par les deux parties."
                    if agreed
                    else ("Proposition refusée : la médiation prend fin sans accord.")
                )
                return summary, not agreed
            case _:  # the remedy: carried out, the mediation ends
                accepted = bool(record.complainant_accepts and record.insurer_accepts)
                if not accepted and record.settlement_on is None:
                    raise ActionRefused(
                        "Une mesure s'exécute après un accord : proposé avant l'avis, ou "
                        "accepté par les deux parties."
                    )
                record.remedy_on = on
                return "Mesure décidée exécutée.", True

    def _rearm_mediator_time(self) -> None:
        self.alarms_rung = [k for k in self.alarms_rung if k not in MEDIATOR_TIME_ALARMS]

    def _contest(self, action: Contest, now: datetime) -> None:
        if action.on and action.on > self.today(now):
            raise ActionRefused("La date de contestation ne peut pas être dans le futur.")
        self.stage = Stage.contested
        self.escalation_level = max(self.escalation_level, 2)
        self._record(
            now,
            EventType.contested,
            action.actor,
            "Réponse contestée : révision par le Service Qualité Relations Adhérents ; "
            "le délai de 2 mois court toujours depuis la première réclamation écrite.",
            action.note,
        )

    def _may_assign(self) -> str | None:
        return self._closed()

    def _assign(self, action: Assign, now: datetime) -> None:
        if action.assignee == self.assignee:
            raise ActionRefused(f"La réclamation est déjà attribuée à {action.assignee}.")
        self.assignee = action.assignee
        self._record(now, EventType.assigned, action.actor, f"Attribuée à {action.assignee}.")

    def _may_add_document(self) -> str | None:
        return self._closed()

    def _add_document(self, action: AddDocument, now: datetime) -> None:
        document, file = action.document, action.file
        if file is not None and any(d.file == file for d in self.documents):
            return  # the same upload again: one file, one document
        if file is not None and action.limits is not None:
            # rule 16: the limits of a complaint's files hold here, where the actions on
            # a complaint are applied one at a time: uploads arriving at once cannot all read
            # the same room left (actions recorded before limits were carried have none).
            sizes = [d.file.size for d in self.documents if d.file] + [file.size]
            problem = dossier_problem(sizes, action.limits)
            if problem:
                raise ActionRefused(f"Fichier refusé : {problem}.")
        self.documents.append(
            DocumentRecord(
                name=document.name,
                kind=document.kind,
                added_on=self.today(now),
                added_by=action.actor,
                file=file,
            )
        )
        self._record(now, EventType.document_added, action.actor, "Document ajouté au dossier.")

    def _may_withdraw(self) -> str | None:
        return self._closed()

    def _withdraw(self, action: Withdraw, now: datetime) -> None:
        self._close_suspension(self.today(now), action.actor, now)
        self.stage = Stage.withdrawn
        self.closed_at = now
        self._record(now, EventType.withdrawn, action.actor, "Close sur désistement.", action.note)

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
            f"{'reporté au' if self.rules < 3 else 'au'} {long_date(due) if due else '-'}.",
            note,
        )

    @property
    def _acknowledgement_owed(self) -> bool:
        """rule 4: a written complaint is acknowledged once, and not once the answer went
        out (the automatic acknowledgement's alarm and the letter ask this one question)."""
        return (
            self.plan.written and not self.answers and not self.ordered(LetterKind.acknowledgement)
        )

    def _acknowledge(self, now: datetime) -> None:
        if not self._acknowledgement_owed:
            return
        if self.rules < 3:
            self._order(LetterKind.acknowledgement, now)
            return
        # rule 6: the acknowledgement announces the quality target, or a later date
        # when that one has passed already (a complaint registered late), never a past date.
        today, target = self.today(now), self.quality_target_due
        announced = target if target and target > today else self._pushed_back(today)
        self._order(
            LetterKind.acknowledgement,
            now,
            LetterFacts(expected_on=announced, late=announced is None),
        )
        if announced:
            self._promise(announced, today)

    def _promise(self, day: date, today: date) -> None:
        """rule 6: a date announced to the complainant, today."""
        self.promises.append(day)
        self.promised_since = today

    def _pushed_back(self, today: date) -> date | None:
        """rule 6: the next date to announce, as the policy pushes the promise back,
        never past the final deadline; None when there is no such day left."""
        final = self.plan.final_due
        assert final
        start = max(self.promise or today, today)
        later = min(start + timedelta(days=self.plan.policy.expected_answer_extension_days), final)
        return later if later > today else None

    def _announce_delay(
        self,
        now: datetime,
        expected: date,
        reason: DelayReason,
        details: str | None = None,
        phrase: str | None = None,
    ) -> None:
        self._order(
            LetterKind.information,
            now,
            LetterFacts(
                reason=phrase or DELAY_REASON_PHRASES[reason],
                details=details,
                expected_on=expected,
                promised_on=self.promise,
            ),
        )
        self._promise(expected, self.today(now))

    def refused(self, action: Action, reason: str, now: datetime) -> None:
        """A back-office signal that could not be carried out stays on the record."""
        self._record(
            now,
            EventType.action_refused,
            action.actor,
            f"Action « {action_name(action)} » refusée : {reason}",
        )

    def refused_foreign(self, message: str, now: datetime) -> None:
        """rule 15: a message that did not come through the application (sent to
        Temporal without our encryption, or copied from another complaint's history) changes
        nothing, and stays on the record."""
        self._record(
            now,
            EventType.action_refused,
            UNKNOWN_SENDER,
            f"Message « {message} » refusé : il ne vient pas de l'application pour cette "
            "réclamation (non chiffré, ou chiffré pour une autre).",
        )

    # -- alarms ----------------------------------------------------------------------------

    def next_alarm(self) -> Alarm | None:
        """The earliest timer the complaint is waiting for, if any."""
        candidates = [a for a in self._alarms() if a.kind not in self.alarms_rung]
        return min(candidates, key=lambda a: a.at, default=None)

    def _alarms(self) -> list[Alarm]:
        plan, policy = self.plan, self.plan.policy
        zone = plan.timezone

        def at(day: date, moment: time) -> datetime:
            return local_instant(day, moment, zone)

        def warn(kind: AlarmKind, day: date, what: str) -> Alarm:
            # rule 6: agents are warned a few mornings before a date falls due.
            warn_on = day - timedelta(days=policy.quality_warning_days_before)
            summary = f"Alerte équipe — {what} {day.isoformat()}"
            return Alarm(kind=kind, at=at(warn_on, policy.start_of_day), summary=summary)

        alarms: list[Alarm] = []
        if plan.written and self.stage in AWAITING_ANSWER:
            ack_due, final_due = plan.acknowledgement_due, plan.final_due
            assert ack_due and final_due and plan.auto_acknowledge_on
            if self._acknowledgement_owed:
                alarms.append(
                    Alarm(
                        kind=AlarmKind.auto_acknowledge,
                        at=at(plan.auto_acknowledge_on, policy.start_of_day),
                        summary=f"Accusé de réception — échéance {ack_due.isoformat()}",
                    )
                )
            quality_due = self.quality_target_due
            if self.stage in FIRST_CYCLE and self.open_suspension is None and quality_due:
                if self.rules < 3:  # since edition 3 the agents are warned about promises
                    warning = warn(AlarmKind.quality_warning, quality_due, "engagement qualité")
                    alarms.append(warning)
                alarms.append(
                    Alarm(
                        kind=AlarmKind.quality_target,
                        at=at(quality_due, policy.end_of_day),
                        summary=f"Engagement qualité — échéance {quality_due.isoformat()}",
                    )
                )
            promise = self._promise_running
            if self.rules >= 3 and promise:
                # rule 6: suspended or not, the complainant hears before the date passes.
                if self.promises_warned < len(self.promises):
                    alarms.append(warn(AlarmKind.promise_warning, promise, "date annoncée"))
                alarms.append(
                    Alarm(
                        kind=AlarmKind.promise_due,
                        at=at(promise, policy.end_of_day),
                        summary=f"Date annoncée au réclamant — {promise.isoformat()}",
                    )
                )
            escalate_on = final_due - timedelta(days=policy.escalation_days_before_final)
            alarms.append(
                Alarm(
                    kind=AlarmKind.final_escalation,
                    at=at(escalate_on, policy.start_of_day),
                    summary=f"Escalade avant délai de 2 mois — échéance {final_due.isoformat()}",
                )
            )
            alarms.append(
                Alarm(
                    kind=AlarmKind.final_deadline,
                    at=at(final_due + timedelta(days=1), MIDNIGHT),
                    summary=f"Délai de 2 mois — échéance {final_due.isoformat()}",
                )
            )
        if self.stage is Stage.mediation_window:
            alarms.append(
                Alarm(
                    kind=AlarmKind.mediation_window_end,
                    at=at(self.mediation_window_closes + timedelta(days=1), MIDNIGHT),
                    summary="Fin du délai pour saisir le Médiateur — "
                    f"{self.mediation_window_ends.isoformat()}",
                )
            )
        # The mediator's time runs until their proposal (or an agreement) is on the record.
        record = self.mediation
        due = record.mediator_due if record else None
        settled_before = record is not None and (record.proposal_on or record.settlement_on)
        if self.stage is Stage.mediation and due is not None and not settled_before:
            alarms.append(warn(AlarmKind.mediation_warning, due, "avis du Médiateur attendu le"))
            alarms.append(
                Alarm(
                    kind=AlarmKind.mediation_due,
                    at=at(due, policy.end_of_day),
                    summary=f"Délai de 90 jours du Médiateur — {due.isoformat()}",
                )
            )
        if self.stage is Stage.answered and self.answered_at:
            alarms.append(
                Alarm(
                    kind=AlarmKind.contest_window_end,
                    at=self.answered_at + timedelta(days=policy.contest_window_days),
                    summary=f"Clôture sans contestation après {policy.contest_window_days:g} jours",
                )
            )
        if not plan.written and self.stage in FIRST_CYCLE:
            alarms.append(
                Alarm(
                    kind=AlarmKind.oral_confirmation_end,
                    at=self.registered_at + timedelta(days=policy.oral_confirmation_days),
                    summary=(
                        f"Clôture sans confirmation écrite après "
                        f"{policy.oral_confirmation_days:g} jours"
                    ),
                )
            )
        return alarms

    def ring(self, kind: AlarmKind, now: datetime) -> None:
        """A timer fired: act as the rules say."""
        if kind not in PROMISE_ALARMS:
            self.alarms_rung.append(kind)
        policy = self.plan.policy
        match kind:
            case AlarmKind.auto_acknowledge:
                self._record(
                    now,
                    EventType.warning,
                    SYSTEM,
                    "Réclamation non qualifiée à l'approche de l'échéance : accusé de réception "
                    "envoyé automatiquement.",
                )
                self._acknowledge(now)
            case AlarmKind.quality_warning:
                self._record(
                    now,
                    EventType.warning,
                    SYSTEM,
                    f"Engagement qualité le {long_date(self.quality_target_due or now.date())} : "
                    f"répondre dans les {policy.quality_warning_days_before} jours, sinon un "
                    "courrier d'information partira.",
                )
            case AlarmKind.quality_target if self.rules >= 3:
                # rule 5: on the record (and in the register); the complainant hears
                # about the date they were given (promise alarms).
                self._record(
                    now,
                    EventType.deadline_reached,
                    SYSTEM,
                    "Engagement qualité de 15 jours atteint sans réponse.",
                )
            case AlarmKind.quality_target:
                self._record(
                    now,
                    EventType.deadline_reached,
                    SYSTEM,
                    "Engagement qualité de 15 jours atteint sans réponse : courrier d'information.",
                )
                self._order(LetterKind.information, now, self._information_facts())
            case AlarmKind.promise_warning:
                self.promises_warned = len(self.promises)
                self._record(
                    now,
                    EventType.warning,
                    SYSTEM,
                    f"Réponse annoncée au réclamant pour le {long_date(self.promise or now.date())}"
                    " : répondez avant, ou informez-le du retard et de sa raison ; sinon un "
                    "courrier d'information partira ce jour-là.",
                )
            case AlarmKind.promise_due:
                self._promise_due(now)
            case AlarmKind.final_escalation:
                self._escalate(2, SYSTEM, now, None)
            case AlarmKind.final_deadline if self.rules >= 2 and self.answered_in_time:
                # rule 9: an answer went out within the 2 months (a contest reopened the
                # complaint): not overdue, and no letter saying otherwise.
                self._record(
                    now,
                    EventType.deadline_reached,
                    SYSTEM,
                    "Délai de 2 mois atteint pendant la révision : une réponse était partie à "
                    "temps, le réclamant a déjà les voies de recours.",
                )
            case AlarmKind.final_deadline:
                # rule 9: overdue, escalated, mediation rights, and work goes on.
                self.overdue = True
                self._record(
                    now,
                    EventType.deadline_reached,
                    SYSTEM,
                    "Délai de 2 mois dépassé sans réponse : le réclamant peut saisir le Médiateur.",
                )
                self._escalate(3, SYSTEM, now, None)
                if not self.ordered(LetterKind.mediation_rights):
                    self._order(LetterKind.mediation_rights, now)
            case AlarmKind.contest_window_end if self.mediation_open:
                # rule 18: the answer stands; the mediator remains, for a year.
                self.stage = Stage.mediation_window
                self._record(
                    now,
                    EventType.mediation,
                    SYSTEM,
                    "Sans contestation : le réclamant peut saisir le Médiateur jusqu'au "
                    f"{long_date(self.mediation_window_ends)}.",
                )
            case AlarmKind.mediation_warning:
                due = self.mediation.mediator_due if self.mediation else None
                self._record(
                    now,
                    EventType.warning,
                    SYSTEM,
                    f"Avis du Médiateur attendu le {long_date(due or now.date())} : "
                    "préparer la suite.",
                )
            case AlarmKind.mediation_due:
                self._record(
                    now,
                    EventType.warning,
                    SYSTEM,
                    "Délai de 90 jours du Médiateur échu sans avis enregistré : "
                    "relancer le Médiateur.",
                )
                self._escalate(2, SYSTEM, now, None)
            case (
                AlarmKind.contest_window_end
                | AlarmKind.oral_confirmation_end
                | AlarmKind.mediation_window_end
            ):
                self.stage = Stage.closed
                self.closed_at = now
                self._record(now, EventType.closed, SYSTEM, "Close.")

    def _promise_due(self, now: datetime) -> None:
        """rule 6: the announced day has come without an answer: write why, and when."""
        promise = self.promise
        self.promises_settled = len(self.promises)
        expected = self._pushed_back(self.today(now))
        if expected is None:
            self._record(
                now,
                EventType.deadline_reached,
                SYSTEM,
                "Date annoncée atteinte sans réponse, à la veille du délai de 2 mois : pas de "
                "nouvelle date à annoncer.",
            )
            return
        self._record(
            now,
            EventType.deadline_reached,
            SYSTEM,
            f"Date annoncée au réclamant ({long_date(promise or expected)}) atteinte sans "
            f"réponse : courrier d'information, réponse annoncée au {long_date(expected)}.",
        )
        running = self.open_suspension
        reason = DelayReason(running.reason.value) if running else DelayReason.further_review
        if self.rules < 5:
            self._announce_delay(now, expected, reason)
            return
        moved = self._suspension_reasons_since_promise(self.today(now))
        phrase = (
            DELAY_REASON_PHRASES[DelayReason(moved[0].value)]
            if len(moved) == 1
            else _suspensions_phrase(moved)
            if moved
            else DELAY_REASON_PHRASES[reason]
        )
        self._announce_delay(now, expected, reason, phrase=phrase)

    def _suspension_reasons_since_promise(self, today: date) -> list[SuspensionReason]:
        """rule 6: the suspensions that ran since the promise was announced moved it:
        each one's reason, once, in their order."""
        since = self.promised_since or self.plan.sent_on
        reasons: list[SuspensionReason] = []
        for suspension in self.suspensions:
            ran_since = suspension.end_on is None or suspension.end_on > since
            if ran_since and suspension.start_on <= today and suspension.reason not in reasons:
                reasons.append(suspension.reason)
        return reasons

    def _information_facts(self) -> LetterFacts:
        """The information letter as complaints before rules edition 3 write it."""
        reasons = sorted({s.reason for s in self.suspensions}, key=lambda r: SUSPENSION_LABELS[r])
        reason = (
            _suspensions_phrase(reasons)
            if reasons
            else "l'examen de votre réclamation demande des vérifications complémentaires"
        )
        quality_due = self.quality_target_due
        final_due = self.plan.final_due
        assert quality_due and final_due
        expected = quality_due + timedelta(days=self.plan.policy.expected_answer_extension_days)
        return LetterFacts(reason=reason, expected_on=min(expected, final_due))

    # -- letters and record ------------------------------------------------------------------

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

    # -- incidents (rule 14) ------------------------------------------------------------

    @property
    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if i.closed_at is None]

    @property
    def _missing_address(self) -> bool:
        return any(i.kind is IncidentKind.address for i in self.open_incidents)

    def letter_waits(self, order: LetterOrder) -> bool:
        """A letter whose last try failed for good waits until someone asks for a new one; a
        posted one waits for the address it lacks."""
        if order.delivery is Delivery.post and self._missing_address:
            return True
        return any(i.about(order) and not i.retrying for i in self.open_incidents)

    @property
    def record_waits(self) -> bool:
        return any(i.kind is IncidentKind.record and not i.retrying for i in self.open_incidents)

    def letter_failed(self, order: LetterOrder, reason: str, now: datetime) -> None:
        self._failed(IncidentKind.letter, reason, now, order)

    def record_failed(self, reason: str, now: datetime) -> None:
        self._failed(IncidentKind.record, reason, now)

    def _failed(
        self, kind: IncidentKind, reason: str, now: datetime, order: LetterOrder | None = None
    ) -> None:
        what = (
            f"le courrier « {LETTER_LABELS[order.kind]} » n'a pas pu partir"
            if order
            else "le registre n'a pas pu être mis à jour"
        )
        same = [i for i in self.open_incidents if i.kind is kind and (not order or i.about(order))]
        if same:
            same[0].retrying = False
            same[0].reason = reason
            self._record(
                now,
                EventType.incident_opened,
                SYSTEM,
                f"Nouvel échec : {what} ({reason}). L'incident reste ouvert.",
            )
            return
        self._open_incident(kind, f"{what} ({reason})", reason, now, order)

    def _open_incident(
        self,
        kind: IncidentKind,
        what: str,
        reason: str,
        now: datetime,
        order: LetterOrder | None = None,
    ) -> None:
        self.incidents.append(
            Incident(
                kind=kind,
                letter=order.kind if order else None,
                sequence=order.sequence if order else None,
                reason=reason,
                opened_at=now,
            )
        )
        remedy = (
            f"renseignez-la (« {ACTION_LABELS['correct_address']} »)"
            if kind is IncidentKind.address
            else "corrigez la cause puis relancez"
        )
        self._record(
            now,
            EventType.incident_opened,
            SYSTEM,
            f"Incident : {what}. Les échéances continuent de courir ; {remedy}.",
        )

    def _mended(self, kind: IncidentKind, now: datetime, order: LetterOrder | None = None) -> None:
        for incident in self.open_incidents:
            if incident.kind is kind and (order is None or incident.about(order)):
                incident.closed_at = now
                self._record(now, EventType.incident_closed, SYSTEM, "Incident levé.")

    def record_written(self, now: datetime) -> None:
        """The record is up to date: an incident about it is mended."""
        self._mended(IncidentKind.record, now)

    def letter_sent(self, order: LetterOrder, location: str, now: datetime) -> None:
        self.pending_letters = [
            o for o in self.pending_letters if (o.kind, o.sequence) != (order.kind, order.sequence)
        ]
        self.letters.append(
            LetterRecord(
                kind=order.kind,
                sequence=order.sequence,
                delivery=order.delivery,
                sent_at=now,
                location=location,
            )
        )
        if order.kind is LetterKind.acknowledgement:
            self.acknowledged_at = now
        how = "par courriel" if order.delivery is Delivery.email else "par courrier"
        self._record(
            now,
            EventType.letter_sent,
            SYSTEM,
            f"Courrier « {LETTER_LABELS[order.kind]} » envoyé {how}.",
        )
        self._mended(IncidentKind.letter, now, order)

    def _record(
        self, now: datetime, kind: EventType, actor: str, summary: str, note: str | None = None
    ) -> None:
        self.events.append(
            Event(
                seq=len(self.events) + 1, at=now, type=kind, actor=actor, summary=summary, note=note
            )
        )
        self.version += 1


def _suspensions_phrase(reasons: list[SuspensionReason]) -> str:
    """What the information letter says of several suspensions: each one named."""
    labels = [of(SUSPENSION_LABELS[reason]) for reason in reasons]
    return f"les délais {' et '.join(labels)} nécessaires à l'examen de votre dossier"
