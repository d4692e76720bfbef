"""The complaint's timers and what each does when it rings; the dates announced to the
complainant (rules 4 and 6: the acknowledgement, information letters, held letters dated again).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from reclamations.domain.actions import DELAY_REASON_PHRASES, DelayReason
from reclamations.domain.clock import local_instant
from reclamations.domain.complaint.mediation import WithMediation
from reclamations.domain.complaint.records import (
    AWAITING_ANSWER,
    FIRST_CYCLE,
    MIDNIGHT,
    PROMISE_ALARMS,
    PROMISING_LETTERS,
    SYSTEM,
    Alarm,
    AlarmKind,
    EventType,
    LetterFacts,
    LetterOrder,
    Stage,
)
from reclamations.domain.deadlines import SUSPENSION_LABELS, SuspensionReason
from reclamations.domain.french import long_date, of
from reclamations.domain.letters import LETTER_LABELS, LetterKind


class WithAlarms(WithMediation):
    """The complaint with its timers, and the dates it announces to the complainant."""

    # -- promises (rule 6) -----------------------------------------------------------------

    def _acknowledge(self, now: datetime) -> None:
        if not self._acknowledgement_owed:
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

    def _withdraw_held_promises(self, now: datetime) -> None:
        """rule 4: no acknowledgement once the answer went out, and no information
        letter announcing a date for an answer already written: those an incident still holds
        never go, and their incidents close with them (one in flight goes as it is)."""
        for order in [o for o in self._held_letters() if o.kind in PROMISING_LETTERS]:
            self._drop_letter(order, "la réponse part à sa place", now)

    def _release(self, held: list[LetterOrder], now: datetime) -> None:
        """rules 6, 9 and 14: a letter an incident held is true the day it leaves: dated
        that day, with what it announces checked again then."""
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
                alarms.append(
                    Alarm(
                        kind=AlarmKind.quality_target,
                        at=at(quality_due, policy.end_of_day),
                        summary=f"Engagement qualité — échéance {quality_due.isoformat()}",
                    )
                )
            promise = self._promise_running
            if promise:
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
            case AlarmKind.quality_target:
                # rule 5: on the record (and in the register); the complainant hears
                # about the date they were given (promise alarms).
                self._record(
                    now,
                    EventType.deadline_reached,
                    SYSTEM,
                    "Engagement qualité de 15 jours atteint sans réponse.",
                )
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
            case AlarmKind.final_deadline if self.answered_in_time:
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
                "Date annoncée atteinte sans réponse au terme du délai de 2 mois : pas de "
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
        # A suspension running now moved the date too, so it is among those named; with none,
        # the letter says the examination needs more time.
        moved = self._suspension_reasons_since_promise(self.today(now))
        phrase = (
            DELAY_REASON_PHRASES[DelayReason(moved[0].value)]
            if len(moved) == 1
            else _suspensions_phrase(moved)
            if moved
            else None
        )
        self._announce_delay(now, expected, DelayReason.further_review, phrase=phrase)

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


def _suspensions_phrase(reasons: list[SuspensionReason]) -> str:
    """What the information letter says of several suspensions: each one named."""
    labels = [of(SUSPENSION_LABELS[reason]) for reason in reasons]
    return f"les délais {' et '.join(labels)} nécessaires à l'examen de votre dossier"
