"""rule 14: the side effects that failed, the letters they hold, and the letters sent."""

from __future__ import annotations

from datetime import datetime

from reclamations.domain.actions import ACTION_LABELS
from reclamations.domain.complaint.records import (
    SYSTEM,
    EventType,
    Incident,
    IncidentKind,
    LetterOrder,
    LetterRecord,
)
from reclamations.domain.complaint.state import ComplaintState
from reclamations.domain.letters import LETTER_LABELS, Delivery, LetterKind


class WithIncidents(ComplaintState):
    """The complaint with its incidents: what failed, and the letters it holds (rule 14)."""

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

    def _held_letters(self) -> list[LetterOrder]:
        return [order for order in self.pending_letters if self.letter_waits(order)]

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
