"""The agents' actions: each one's guard (`_may_<name>`) beside its effect, and the table that
walks them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from reclamations.domain.actions import (
    ACTIONS,
    DECISION_LABELS,
    DELAY_REASON_LABELS,
    ESCALATION_LABELS,
    Action,
    AddDocument,
    Answer,
    Assign,
    Classify,
    Contest,
    CorrectAddress,
    Escalate,
    Inform,
    MarkMedical,
    Mediate,
    MediationStep,
    Qualify,
    RequalifyAsRequest,
    Resume,
    Retry,
    Suspend,
    Withdraw,
    action_name,
    days_done,
)
from reclamations.domain.complaint.medical import WithMedical
from reclamations.domain.complaint.records import (
    FIRST_CYCLE,
    RETRIABLE,
    SYSTEM,
    TERMINAL,
    UNKNOWN_SENDER,
    ActionRefused,
    AnswerRecord,
    DocumentRecord,
    EventType,
    IncidentKind,
    LetterFacts,
    Stage,
    SuspensionRecord,
)
from reclamations.domain.content import content_sealing_problem
from reclamations.domain.deadlines import SUSPENSION_LABELS
from reclamations.domain.files import dossier_problem
from reclamations.domain.french import long_date
from reclamations.domain.intake import CATEGORY_LABELS, ComplaintIntake
from reclamations.domain.letters import COMPLAINT_LETTERS, LetterKind
from reclamations.domain.planning import Plan

# An action's guard (why not now, or None) and its effect; see Complaint._handlers.
Guard = Callable[[], str | None]
Effect = Callable[[Any, datetime], None]


class Complaint(WithMedical):
    """The full state of one complaint, as its workflow holds it and its query returns it."""

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        reference: str,
        intake: ComplaintIntake,
        plan: Plan,
        now: datetime,
        registered_by: str | None = None,
    ) -> Complaint:
        """`registered_by`: the principal who registered it (rule 15); without one, the
        record says "système"."""
        complaint = cls(
            reference=reference,
            intake=intake,
            plan=plan,
            registered_at=now,
            category=intake.category.value if intake.category else None,
            documents=[
                DocumentRecord(name=d.name, kind=d.kind, added_on=plan.sent_on, added_by="dépôt")
                for d in intake.documents
            ],
        )
        complaint._record(
            now, EventType.registered, registered_by or SYSTEM, complaint._registration_summary()
        )
        if intake.medical:
            complaint._medical_follow_up(now)
        if not plan.written:
            # rule 2: an oral complaint not settled at once is invited to write.
            complaint._order(LetterKind.written_confirmation_invitation, now)
        return complaint

    def _registration_summary(self) -> str:
        text = f"Réclamation enregistrée (envoi du {long_date(self.plan.sent_on)})"
        if self.plan.final_due:
            text += f", réponse due au plus tard le {long_date(self.plan.final_due)}"
        return text + "."

    # -- actions ---------------------------------------------------------------------------
    # Each action has a guard (`_may_<name>`: whether the complaint takes it now, from its state
    # alone) and, right below it, its effect (`_<name>`), which first refuses parameters that do
    # not fit (dates, levels) and only then changes anything. The mediation's pair is in
    # mediation.py, with the rest of rule 18.

    def _handlers(self) -> dict[type[Action], tuple[Guard, Effect]]:
        return {
            Retry: (self._may_retry, self._retry),
            CorrectAddress: (self._may_correct_address, self._correct_address),
            MarkMedical: (self._may_mark_medical, self._mark_medical),
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

    def _refusal(self, action: Action, now: datetime) -> str | None:
        guard, _ = self._handlers()[type(action)]
        refusal = guard()
        if refusal is None and not isinstance(action, Retry):
            # rule 11: a medical complaint takes only sealed content, others plain text; the
            # marking brings the sealed content of a complaint that becomes medical.
            medical = self.medical or isinstance(action, MarkMedical)
            problem = content_sealing_problem(action, medical)
            refusal = f"Action refusée : {problem}." if problem else None
        if refusal is None:
            refusal = self._implausible_day(action, now)
        return refusal

    def check(self, action: Action, now: datetime) -> None:
        """Raise ActionRefused, in French, when the action is not allowed now: its guard, then
        its effect tried on a copy, so that the check can never drift from what it does."""
        self.model_copy(deep=True).apply(action, now)

    def apply(self, action: Action, now: datetime) -> None:
        """Carry out an allowed action: state, record and letters."""
        refusal = self._refusal(action, now)
        if refusal:
            raise ActionRefused(refusal)
        first_new = len(self.events)
        _, effect = self._handlers()[type(action)]
        effect(action, now)
        for event in self.events[first_new:]:
            event.on_behalf_of = action.on_behalf_of

    def _implausible_day(self, action: Action, now: datetime) -> str | None:
        """Why a day the action gives cannot be: no action happened before
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

    def _answer(self, action: Answer, now: datetime) -> None:
        self._close_suspension(self.today(now), action.actor, now)
        referred = self._answer_owed_in_mediation
        # After a referral, an answer owed after a first one is the contest's review.
        review = self.stage is Stage.contested or (referred and bool(self.answers))
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
        start = action.on or today  # neither before the sending day nor after today: _refusal
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
