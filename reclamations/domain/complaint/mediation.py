"""rule 18: the year in which the complainant may go to the mediator, and the mediation's
steps once they have.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from reclamations.domain.actions import Mediate, MediationStep
from reclamations.domain.complaint.incidents import WithIncidents
from reclamations.domain.complaint.records import (
    AWAITING_ANSWER,
    MEDIATOR_TIME_ALARMS,
    SYSTEM,
    TERMINAL,
    ActionRefused,
    EventType,
    MediationRecord,
    Stage,
)
from reclamations.domain.deadlines import add_months
from reclamations.domain.french import long_date


class WithMediation(WithIncidents):
    """The complaint with the mediator's year and the mediation's steps (rule 18)."""

    @property
    def mediation_open(self) -> bool:
        """rule 18: after an answer, or once the 2 months passed (the mediation-rights
        letter), the complainant may go to the mediator. The law sets no condition on the
        answer: a favourable one may still be disputed (its execution)."""
        return self.overdue or bool(self.answers)

    @property
    def mediation_window_closes(self) -> date:
        """When the complaint stops waiting for a referral: the end of the year, and a grace
        period after it, for a referral made within the year that reaches us later (rule 18)."""
        grace = self.plan.policy.mediation_referral_grace_days
        return self.mediation_window_ends + timedelta(days=grace)

    @property
    def mediation_window_ends(self) -> date:
        """A year after the first written complaint (Code de la consommation, L612-2)."""
        return add_months(self.plan.first_written_on, 12)

    @property
    def _answer_owed_in_mediation(self) -> bool:
        return self.stage is Stage.mediation and bool(self.mediation and self.mediation.answer_owed)

    def _may_mediate(self) -> str | None:
        if self.stage is Stage.mediation:
            return None
        # rule 18: after any answer (a contest under way too: the review then goes
        # on beside the mediator), or once the 2 months passed without one.
        if self.mediation_open and self.stage not in TERMINAL:
            return None
        return self._closed() or (
            "La médiation s'ouvre après une réponse, ou une fois le délai de 2 mois passé."
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
                answer_owed=self.stage in AWAITING_ANSWER,
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
