"""rule 11: what a medical complaint needs, whether it came in medical or was found to be
medical after it was registered (an email or a web form that speaks of health: issue 27)."""

from __future__ import annotations

from datetime import datetime

from reclamations.domain.actions import MarkMedical
from reclamations.domain.complaint.alarms import WithAlarms
from reclamations.domain.complaint.records import TERMINAL, ActionRefused, EventType, IncidentKind
from reclamations.domain.content import content_paths, map_content
from reclamations.domain.intake import ELECTRONIC_CHANNELS
from reclamations.domain.letters import LetterKind, delivery_for

# The complaint changed between the service's reading and the marking (a note, a document):
# the service reads it again and seals it all (service/medical.py).
CONTENT_CHANGED = (
    "Action refusée : le contenu à sceller ne correspond plus à la réclamation (elle a changé "
    "entre-temps) ; réessayez."
)


class WithMedical(WithAlarms):
    """The complaint with what its being medical asks: the address to post to, the notice
    that medical elements go by post, and the marking of one found medical later."""

    def _medical_follow_up(self, now: datetime) -> None:
        """A medical complaint's letters all go by post: one without a postal address is an
        incident (rule 14: registered all the same, rule 1), and one that came by an electronic
        channel, still open, is told to send its medical elements by post. A closed one
        posts nothing more: neither is asked of it."""
        still_open = self.stage not in TERMINAL
        address = self.letter_intake.complainant.postal_address
        if (still_open or self.pending_letters) and not address and not self._missing_address:
            self._open_incident(
                IncidentKind.address,
                "adresse postale inconnue, or tout courrier d'une réclamation médicale part par "
                "la poste",
                "adresse postale inconnue",
                now,
            )
        electronic = self.intake.channel in ELECTRONIC_CHANNELS
        if self.plan.written and electronic and still_open:
            self._order(LetterKind.medical_postal_notice, now)

    def _may_mark_medical(self) -> str | None:
        # Even once closed: medical content found in a closed complaint is sealed all the same
        # (rule 11 has no end); only the notice waits on an open complaint.
        if self.medical:
            return "La réclamation est déjà médicale : elle est réservée au Médecin Conseil."
        return None

    def _mark_medical(self, action: MarkMedical, now: datetime) -> None:
        sealed = {value.path: value.value for value in action.sealed}
        if set(sealed) != set(content_paths(self)):
            raise ActionRefused(CONTENT_CHANGED)
        replaced = map_content(self, lambda path, _text: sealed[path])
        for name in type(self).model_fields:
            setattr(self, name, getattr(replaced, name))
        self.intake = self.intake.model_copy(update={"medical": True})
        # Letters not gone yet go by post, like every letter from now on.
        for order in self.pending_letters:
            order.delivery = delivery_for(self.intake)
        # What every role reads: who declared it, never why (the why is medical).
        self._record(
            now,
            EventType.declared_medical,
            action.actor,
            "Déclarée médicale : réservée au Médecin Conseil, contenu scellé, courriers par la "
            "poste uniquement.",
        )
        self._medical_follow_up(now)
