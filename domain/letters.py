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
    """Who signs the letters, and the identity every letter carries (Code de commerce,
    R123-237). Defaults to the insurer whose commitments this product keeps; its share capital
    and RCS are the insurer's own to give (RECLAMATIONS_INSURER__RCS, ...): a letter prints
    only what is set, never a made-up number."""

    name: str = "MUTEX"
    service: str = "Service Qualité Relations Adhérents"
    address: str = "140 avenue de la République\n92327 Châtillon Cedex"
    # Where letters are written from ("Châtillon, le 28 novembre 2026").
    place: str = "Châtillon"
    medical_service: str = "Médecin Conseil de Mutex"
    # Where medical documents go, under confidential cover (DESIGN rule 11): the service's
    # own address when the Médecin Conseil has none of their own.
    medical_address: str = ""
    email: str = "reclamations@mutex.example"
    phone: str = ""
    website: str = ""
    legal_form: str = "Société anonyme"
    share_capital: str = ""
    registered_office: str = "140 avenue de la République, 92320 Châtillon"
    rcs: str = ""
    # "Code des assurances" for an insurer, "Code de la mutualité" for a mutual.
    regulated_by: str = "Code des assurances"
    # A PNG or JPEG printed at the top of every letter; the name alone when there is none.
    logo: str | None = None

    def legal_lines(self) -> list[str]:
        """The footer's identity: who the company is, where, and under which code."""
        company = ", ".join(
            part
            for part in (
                self.name,
                self.legal_form
                + (f" au capital de {self.share_capital}" if self.share_capital else ""),
                f"entreprise régie par le {self.regulated_by}" if self.regulated_by else "",
            )
            if part
        )
        office = " – ".join(
            part
            for part in (
                f"Siège social : {self.registered_office}" if self.registered_office else "",
                self.rcs,
            )
            if part
        )
        return [line for line in (company, office) if line]

    def sender_address(self, medical: bool) -> str:
        return (self.medical_address or self.address) if medical else self.address

    def contact_line(self) -> str:
        parts = [self.service, ", ".join(self.address.splitlines()), self.email, self.phone]
        return " – ".join(part for part in (*parts, self.website) if part)


class Mediator(BaseModel):
    """DESIGN rule 8: every answer names the insurance mediator and how to reach it."""

    name: str = "La Médiation de l'Assurance"
    address: str = "TSA 50110\n75441 Paris Cedex 09"
    website: str = "www.mediation-assurance.org"
