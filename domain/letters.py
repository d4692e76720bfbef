"""Which letters a complaint produces and how each one travels."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from domain.intake import ELECTRONIC_CHANNELS, ComplaintIntake


class LetterKind(StrEnum):
    acknowledgement = "acknowledgement"
    information = "information"
    answer = "answer"
    mediation_rights = "mediation_rights"
    medical_postal_notice = "medical_postal_notice"
    written_confirmation_invitation = "written_confirmation_invitation"
    requalification = "requalification"


LETTER_LABELS = {
    LetterKind.acknowledgement: "Accusé de réception",
    LetterKind.information: "Courrier d'information sur le suivi",
    LetterKind.answer: "Réponse",
    LetterKind.mediation_rights: "Droit de saisir le Médiateur",
    LetterKind.medical_postal_notice: "Invitation à écrire au Médecin Conseil",
    LetterKind.written_confirmation_invitation: "Invitation à confirmer par écrit",
    LetterKind.requalification: "Demande traitée hors réclamation",
}

# DESIGN rule 1: a request that is not a complaint gets only the requalification notice.
COMPLAINT_LETTERS = frozenset(LetterKind) - {LetterKind.requalification}


class Delivery(StrEnum):
    email = "email"
    post = "post"


def delivery_for(intake: ComplaintIntake) -> Delivery:
    """Email for people who wrote electronically and gave an address; post otherwise.
    DESIGN rule 11: anything about a medical complaint goes by post, always."""
    if intake.medical:
        return Delivery.post
    if intake.channel in ELECTRONIC_CHANNELS and intake.complainant.email:
        return Delivery.email
    if intake.complainant.postal_address:
        return Delivery.post
    return Delivery.email


class InsurerIdentity(BaseModel):
    """Who signs the letters. Defaults to the insurer whose commitments this product keeps."""

    name: str = "MUTEX"
    service: str = "Service Qualité Relations Adhérents"
    address: str = "140 avenue de la République\n92327 Châtillon Cedex"
    medical_service: str = "Médecin Conseil de Mutex"
    email: str = "reclamations@mutex.example"


class Mediator(BaseModel):
    """DESIGN rule 8: every answer names the insurance mediator and how to reach it."""

    name: str = "La Médiation de l'Assurance"
    address: str = "TSA 50110\n75441 Paris Cedex 09"
    website: str = "www.mediation-assurance.org"
