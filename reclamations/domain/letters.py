"""Which letters a complaint produces and how each one travels."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from reclamations.domain.errors import FieldError
from reclamations.domain.intake import ELECTRONIC_CHANNELS, ComplaintIntake

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


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

# rule 1: a request that is not a complaint gets only the requalification notice.
COMPLAINT_LETTERS = frozenset(LetterKind) - {LetterKind.requalification}


class Delivery(StrEnum):
    email = "email"
    post = "post"


def delivery_for(intake: ComplaintIntake) -> Delivery:
    """Email for people who wrote electronically and gave an address; post otherwise.
    rule 11: anything about a medical complaint goes by post, always."""
    if intake.medical:
        return Delivery.post
    if intake.channel in ELECTRONIC_CHANNELS and intake.complainant.email:
        return Delivery.email
    if intake.complainant.postal_address:
        return Delivery.post
    return Delivery.email


# Abbreviations and full names of the legal forms the law asks more of, compared without case,
# accents or dots: a commercial company prints its RCS and share capital (Code de commerce
# R123-237), a mutual its SIREN and the book of the Code de la mutualité it is under.
COMMERCIAL_FORMS = {
    "sa": "societe anonyme",
    "sas": "societe par actions simplifiee",
    "sasu": "societe par actions simplifiee unipersonnelle",
    "sarl": "societe a responsabilite limitee",
    "eurl": "entreprise unipersonnelle a responsabilite limitee",
    "sca": "societe en commandite par actions",
    "scs": "societe en commandite simple",
    "snc": "societe en nom collectif",
    "se": "societe europeenne",
}
MUTUAL_FORMS = ("mutuelle", "union de mutuelles", "union mutualiste")
MUTUAL_MENTION = "mutuelle soumise aux dispositions du livre II du Code de la mutualité"

SIREN = r"\d{3}\s?\d{3}\s?\d{3}"


class LegalCategory(StrEnum):
    commercial = "commercial"
    mutual = "mutual"
    other = "other"


def _plain_form(legal_form: str) -> str:
    decomposed = unicodedata.normalize("NFKD", legal_form.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", "")
    return " ".join(bare.split())


def legal_category(legal_form: str) -> LegalCategory:
    form = _plain_form(legal_form)
    if form in COMMERCIAL_FORMS or form.startswith(tuple(COMMERCIAL_FORMS.values())):
        return LegalCategory.commercial
    if form.startswith(MUTUAL_FORMS):
        return LegalCategory.mutual
    return LegalCategory.other


@dataclass(frozen=True)
class Mention:
    """An identity field the law requires on letters for a legal form, and what it must look
    like."""

    field: str
    what: str  # said to whoever fills the entities file
    pattern: re.Pattern[str]


REQUIRED_MENTIONS: dict[LegalCategory, tuple[Mention, ...]] = {
    LegalCategory.commercial: (
        Mention(
            "rcs",
            "la mention RCS, la ville du greffe et le numéro SIREN (Code de commerce R123-237), "
            "par exemple « RCS Nanterre 123 456 789 »",
            re.compile(rf"RCS\s+\S.*\b{SIREN}\b|\b{SIREN}\s+RCS\s+\S"),
        ),
        Mention(
            "share_capital",
            "le montant du capital social (Code de commerce R123-237), par exemple « 1 000 000 € »",
            re.compile(r"\d"),
        ),
    ),
    LegalCategory.mutual: (
        Mention(
            "siren",
            "le numéro SIREN sous lequel la mutuelle est immatriculée (Code de la mutualité), "
            "par exemple « 123 456 789 »",
            re.compile(rf"^{SIREN}$"),
        ),
    ),
    LegalCategory.other: (),
}


class InsurerIdentity(BaseModel):
    """Who signs the letters, and the identity every letter carries (Code de commerce,
    R123-237). Every value is the entity's own (rule 19): none is borrowed from another
    entity, so none has a default but the optional ones; `identity_gaps` says which the legal
    form makes mandatory."""

    name: NonEmpty
    # The service that signs, and reviews a contested answer (rule 10).
    service: NonEmpty
    address: NonEmpty
    # Where letters are written from ("Châtillon, le 28 novembre 2026").
    place: NonEmpty
    medical_service: NonEmpty
    # Where medical documents go, under confidential cover (rule 11): the service's
    # own address when the Médecin Conseil has none of their own.
    medical_address: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    legal_form: NonEmpty
    share_capital: str = ""
    registered_office: NonEmpty
    rcs: str = ""
    siren: str = ""  # a mutual's registration number
    # "Code des assurances" for an insurer; a mutual prints MUTUAL_MENTION instead.
    regulated_by: str = ""
    # A PNG or JPEG printed at the top of every letter; the name alone when there is none.
    logo: str | None = None

    @property
    def category(self) -> LegalCategory:
        return legal_category(self.legal_form)

    def legal_lines(self) -> list[str]:
        """The footer's identity: who the company is, where, and under which code."""
        if self.category is LegalCategory.mutual:
            form, regime = MUTUAL_MENTION, ""
        else:
            form = self.legal_form + (
                f" au capital de {self.share_capital}" if self.share_capital else ""
            )
            regime = f"entreprise régie par le {self.regulated_by}" if self.regulated_by else ""
        company = ", ".join(part for part in (self.name, form, regime) if part)
        office = " – ".join(
            part
            for part in (
                f"Siège social : {self.registered_office}",
                self.rcs,
                f"SIREN {self.siren}" if self.siren else "",
            )
            if part
        )
        return [company, office]

    def sender_address(self, medical: bool) -> str:
        return (self.medical_address or self.address) if medical else self.address

    def contact_line(self) -> str:
        parts = [self.service, ", ".join(self.address.splitlines()), self.email, self.phone]
        return " – ".join(part for part in (*parts, self.website) if part)


def identity_gaps(identity: InsurerIdentity) -> list[FieldError]:
    """What the law requires on this identity's letters, for its legal form, and is missing
    or malformed: one error per field."""
    return [
        FieldError(f"identity.{mention.field}", f"il manque {mention.what}")
        for mention in REQUIRED_MENTIONS[identity.category]
        if not mention.pattern.search(getattr(identity, mention.field))
    ]


class Mediator(BaseModel):
    """rule 8 and Code de la consommation R616-1: every answer names the entity's
    mediator, its postal address and its website."""

    name: NonEmpty
    address: NonEmpty
    website: NonEmpty


# The insurer whose commitments this product keeps, as the demonstration and the settings'
# default show it: its share capital and RCS are placeholders, to be replaced by the insurer's
# own (RECLAMATIONS_INSURER__RCS, ...).
DEMO_IDENTITY = InsurerIdentity(
    name="MUTEX",
    service="Service Qualité Relations Adhérents",
    address="140 avenue de la République\n92327 Châtillon Cedex",
    place="Châtillon",
    medical_service="Médecin Conseil de Mutex",
    email="reclamations@mutex.example",
    legal_form="Société anonyme",
    share_capital="37 302 300 €",
    registered_office="140 avenue de la République, 92320 Châtillon",
    rcs="RCS Nanterre 000 000 000",
    regulated_by="Code des assurances",
)
INSURANCE_MEDIATOR = Mediator(
    name="La Médiation de l'Assurance",
    address="TSA 50110\n75441 Paris Cedex 09",
    website="www.mediation-assurance.org",
)
