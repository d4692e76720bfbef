"""What a principal may see of a complaint (rules 11 and 15): whether it is theirs to read,
and its content opened for the Médecin Conseil, withheld for everyone else."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from reclamations.domain.access import (
    Principal,
    Role,
    can_read_content,
    may,
    may_read_complaints,
    may_see,
)
from reclamations.domain.complaint import Complaint
from reclamations.domain.content import is_sealed, map_content
from reclamations.domain.errors import Forbidden, NotFound
from reclamations.domain.intake import Complainant
from reclamations.domain.retention import shown_erased
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import UNREADABLE, Unreadable, open_content, open_sealed
from reclamations.service.base import DoorBase

logger = logging.getLogger(__name__)

WITHHELD = "[réservé au Médecin Conseil]"
MEDICAL_ONLY = "Réclamation médicale : réservée au Médecin Conseil."
FIGURES_ONLY_MESSAGE = (
    "Le rôle conformité lit le tableau de bord et le registre, jamais les réclamations elles-mêmes."
)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Reading:
    """A complaint as one principal may see it: its content opened when they may read it,
    withheld otherwise, and the actions they may take on it now."""

    complaint: Complaint
    readable: bool
    actions: list[str]


class Disclosure(DoorBase):
    def _check_visible(self, principal: Principal, assignee: str | None, reference: str) -> None:
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        if principal.role is Role.complainant and not may_see(principal, assignee, reference):
            # Another complaint than their own: as if it did not exist (issue 26).
            raise NotFound(f"Aucune réclamation {reference}.")
        if not may_see(principal, assignee, reference):
            raise Forbidden(f"Cette réclamation est attribuée à {assignee}.")

    def _reading(self, principal: Principal, complaint: Complaint, keyring: Keyring) -> Reading:
        readable = can_read_content(principal.role, complaint.medical)
        actions = [
            a for a in complaint.allowed_actions() if may(principal.role, a, complaint.medical)
        ]
        return Reading(
            complaint=self._shown(principal, complaint, complaint, keyring),
            readable=readable,
            actions=actions,
        )

    def _shown(self, principal: Principal, complaint: Complaint, model: M, keyring: Keyring) -> M:
        """`model` (the complaint or a part of it) as `principal` may see it: nothing about a
        non-medical complaint is ever opened; a medical one is opened for the Médecin Conseil,
        withheld (with its complainant's identity) for everyone else."""
        model = shown_erased(model)  # issue 28: what was erased reads "[effacé]" for all
        if not complaint.medical:
            return model
        if not can_read_content(principal.role, True):
            return _withheld(model)
        opened, unreadable = open_content(keyring, complaint.reference, model)
        if unreadable:
            # Recorded without the values (rule 14): the page still shows.
            logger.warning(
                "Contenu scellé illisible dans %s : %s", complaint.reference, ", ".join(unreadable)
            )
        return opened

    def _open(self, reference: str, text: str, keyring: Keyring) -> str:
        if not is_sealed(text):
            return text  # recorded before it was sealed at rest (a complainant's name)
        try:
            return open_sealed(keyring, reference, text)
        except Unreadable as error:
            logger.warning("Contenu scellé illisible dans %s (%s)", reference, error)
            return UNREADABLE


def _withheld(model: M) -> M:
    hidden = map_content(model, lambda _path, _text: WITHHELD)
    if isinstance(hidden, Complaint):
        intake = hidden.intake.model_copy(update={"complainant": Complainant(name=WITHHELD)})
        hidden = hidden.model_copy(update={"intake": intake})
    return hidden
