"""What agents and back-office systems can do to a complaint. Each one names its actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reclamations.domain.content import (
    AddressContent,
    FromOutside,
    LongContent,
    Sealable,
    ShortContent,
    from_outside,
)
from reclamations.domain.deadlines import SUSPENSION_LABELS, SuspensionReason
from reclamations.domain.files import FileFacts, FileLimits
from reclamations.domain.intake import Category, Document
from reclamations.domain.typology import ComplainantType

Actor = Annotated[str, Field(min_length=1, max_length=100, description="qui agit")]
# A person's name or login, nothing else: it is shown to every role beside the actor.
OnBehalfOf = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[\w .@'’-]+$",
        description="pour le compte de qui (un nom ou un identifiant)",
    ),
]


class Decision(StrEnum):
    upheld = "upheld"
    partly_upheld = "partly_upheld"
    rejected = "rejected"


DECISION_LABELS = {
    Decision.upheld: "favorable",
    Decision.partly_upheld: "partiellement favorable",
    Decision.rejected: "défavorable",
}

ESCALATION_LABELS = {
    1: "responsable d'équipe",
    2: "Service Qualité Relations Adhérents",
    3: "Direction",
}


class Action(FromOutside):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    # rule 15: the authenticated principal, set by the application service.
    actor: Actor
    # A name the caller gave (the agent behind a back-office system), kept beside the actor.
    on_behalf_of: OnBehalfOf | None = None


@dataclass(frozen=True)
class DayDone:
    """Marks an action's date as the day something happened (never a date announced): it lies
    between what it follows and today (domain.complaint)."""

    label: str  # what happened, as "Date invraisemblable pour {label}" reads


def days_done(action: Action) -> list[tuple[str, date]]:
    """Each day `action` says something happened on, with its label: its fields, walked."""
    return [
        (mark.label, day)
        for name, field in type(action).model_fields.items()
        for mark in field.metadata
        if isinstance(mark, DayDone) and (day := getattr(action, name)) is not None
    ]


# A code of the insurer's closed lists (domain.typology), checked against them by the service.
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


class Typing(BaseModel):
    """rule 17: what the complaint is about, set at qualification, editable until it
    closes; each field left out keeps its value."""

    product_line: Code | None = Field(None, description="gamme de produits (liste configurée)")
    reason: Code | None = Field(None, description="motif (liste configurée)")
    sub_reason: Code | None = Field(None, description="sous-motif du motif (liste configurée)")
    complainant_type: ComplainantType | None = None
    managing_body: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="organisme gestionnaire ou intermédiaire, s'il y en a un"
    )


class Qualify(Action, Typing):
    """Confirm that this is a complaint: the acknowledgement goes out at once."""

    category: Category | None = None
    note: LongContent | None = None


class Classify(Action, Typing):
    """rule 17: set or correct the complaint's typology."""


class RequalifyAsRequest(Action):
    """rule 1: a request for service, information or an opinion is not a complaint."""

    note: LongContent


class Assign(Action):
    assignee: Annotated[str, Field(min_length=1, max_length=100)]


class AddDocument(Action):
    """rules 12 and 16: a document for the file, with its file when there is one."""

    document: Document
    file: FileFacts | None = Field(
        None,
        description="posé par le système quand un fichier est déposé "
        "(POST /api/complaints/{reference}/documents), jamais par l'appelant",
    )
    # rule 16: what the complaint may hold, set by the system with the file, so that the
    # workflow checks each file against the files already joined, one at a time.
    limits: FileLimits | None = Field(
        None, description="posé par le système, jamais par l'appelant"
    )

    @field_validator("file", "limits")
    @classmethod
    def _never_from_outside(cls, value: object, info: ValidationInfo) -> object:
        # A file is described by the system once it holds it, never by the caller.
        if value is not None and from_outside(info):
            raise PydanticCustomError(
                "file_from_outside",
                "déposez le fichier lui-même (envoi multipart) : sa description vient du système",
            )
        return value


class Suspend(Action):
    """rule 5: pause the quality target for an expertise or IT maintenance."""

    reason: SuspensionReason
    on: Annotated[date | None, DayDone("le début de la suspension")] = Field(
        None, description="premier jour suspendu (défaut : aujourd'hui)"
    )
    note: LongContent | None = None


class Resume(Action):
    on: Annotated[date | None, DayDone("la reprise")] = Field(
        None, description="jour de reprise, non suspendu (défaut : aujourd'hui)"
    )
    note: LongContent | None = None


class Escalate(Action):
    level: int = Field(2, ge=1, le=3, description="1 équipe, 2 Service Qualité, 3 Direction")
    note: LongContent


class Answer(Action):
    """rule 8: a decision, its reasons and the documents considered."""

    decision: Decision
    reasons: LongContent
    documents_considered: Annotated[list[ShortContent], Field(max_length=100)] = Field(
        default_factory=list
    )
    # rule 17: for the register.
    compensation: Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)] | None = Field(
        None, description="geste commercial ou indemnisation accordés, en euros"
    )
    root_cause: Code | None = Field(None, description="cause première (liste configurée)")


class MediationStep(StrEnum):
    """rule 18: what happens with the mediator, in the order it usually comes."""

    referral = "referral"
    admissibility = "admissibility"
    notification = "notification"
    extension = "extension"
    settlement = "settlement"
    proposal = "proposal"
    decision = "decision"
    remedy = "remedy"


MEDIATION_STEP_LABELS = {
    MediationStep.referral: "saisine du Médiateur",
    MediationStep.admissibility: "recevabilité",
    MediationStep.notification: "notification aux parties (début des 90 jours)",
    MediationStep.extension: "prolongation du délai du Médiateur",
    MediationStep.settlement: "accord proposé avant l'avis",
    MediationStep.proposal: "proposition de solution du Médiateur",
    MediationStep.decision: "décision des parties",
    MediationStep.remedy: "mesure exécutée",
}


class Mediate(Action):
    """rule 18: record a step of the mediation; each step says what it needs."""

    step: MediationStep
    on: Annotated[date | None, DayDone("l'étape de la médiation")] = Field(
        None, description="date de l'étape (défaut : aujourd'hui)"
    )
    mediator: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    file_number: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    admissible: bool | None = None
    extension_days: Annotated[int, Field(ge=1, le=90)] | None = None
    amount: Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)] | None = None
    complainant_accepts: bool | None = None
    insurer_accepts: bool | None = None
    note: LongContent | None = None


class Contest(Action):
    """rule 10: the complainant contests the answer; Service Qualité reviews it."""

    note: LongContent | None = None
    on: Annotated[date | None, DayDone("la contestation")] = Field(
        None, description="date de la contestation (défaut : aujourd'hui)"
    )


class DelayReason(StrEnum):
    """rule 6: why the answer will come later than announced, in the agent's choice;
    each suspension reason is one of them, of the same value."""

    documents_awaited = "documents_awaited"
    third_party = "third_party"
    further_review = "further_review"
    medical_expertise = "medical_expertise"
    legal_expertise = "legal_expertise"
    it_maintenance = "it_maintenance"
    other = "other"


DELAY_REASON_LABELS = {
    DelayReason.documents_awaited: "pièces attendues",
    DelayReason.third_party: "réponse d'un tiers attendue",
    DelayReason.further_review: "examen approfondi",
    # A suspension's reason is a reason for the delay, under the same name.
    **{DelayReason(reason.value): label for reason, label in SUSPENSION_LABELS.items()},
    DelayReason.other: "autre (à préciser)",
}

# What the information letter says, after "Nous ne pourrons pas tenir cet engagement : ".
DELAY_REASON_PHRASES = {
    DelayReason.documents_awaited: (
        "nous attendons des pièces nécessaires à l'examen de votre dossier"
    ),
    DelayReason.third_party: (
        "nous attendons la réponse d'un tiers (organisme gestionnaire, intermédiaire ou "
        "prestataire) dont dépend notre décision"
    ),
    DelayReason.further_review: "votre dossier demande un examen approfondi par nos services",
    DelayReason.medical_expertise: "l'examen de votre dossier demande une expertise médicale",
    DelayReason.legal_expertise: "l'examen de votre dossier demande une expertise juridique",
    DelayReason.it_maintenance: (
        "une opération de maintenance de nos outils informatiques a interrompu l'examen de "
        "votre dossier"
    ),
    DelayReason.other: "l'examen de votre dossier demande plus de temps que prévu",
}


class Inform(Action):
    """rule 6: tell the complainant now why the answer is late, and by when it will come
    (by default the announced date pushed back as the policy says, never past 2 months)."""

    reason: DelayReason
    details: ShortContent | None = Field(
        None, description="la raison en vos propres mots (obligatoire pour « autre »)"
    )
    expected_on: date | None = Field(None, description="nouvelle date de réponse annoncée")

    @model_validator(mode="after")
    def _other_is_explained(self) -> Inform:
        if self.reason is DelayReason.other and not self.details:
            raise PydanticCustomError(
                "details_required", "précisez la raison quand le motif est « autre »"
            )
        return self


class CorrectAddress(Action):
    """rule 11: the postal address the letters go to, once it is known or has changed;
    letters held for want of it leave."""

    # Sealed for a medical complaint like the rest of its content: it is the complainant's.
    postal_address: AddressContent


class Withdraw(Action):
    note: LongContent | None = None


class SealedValue(FromOutside):
    """One content text of the complaint's state (by its path there, "intake.description"),
    sealed by the application service with the complaint's own key."""

    path: Annotated[str, Field(min_length=1, max_length=200)]
    value: Sealable


class MarkMedical(Action):
    """rule 11: a complaint found to be medical after it was registered (an email, a web
    form) becomes the Médecin Conseil's: its content sealed from now on, its letters by post.
    The domain cannot seal: the application service gives every content text the complaint
    holds, sealed, and the complaint takes them only if they are all there."""

    sealed: list[SealedValue] = Field(
        default_factory=list, description="posé par le système, jamais par l'appelant"
    )

    @field_validator("sealed")
    @classmethod
    def _never_from_outside(cls, value: list[SealedValue], info: ValidationInfo) -> object:
        # Sealed values come from the system alone (rule 11), never from the caller.
        if value and from_outside(info):
            raise PydanticCustomError(
                "sealed_from_outside",
                "le contenu est scellé par le système, jamais par l'appelant",
            )
        return value


class Retry(Action):
    """rule 14: try again what failed for good (a letter, the record), once its cause is
    mended; the incident closes when the try succeeds."""


# In the order an agent looks for them; mending what failed first.
ACTIONS: dict[str, type[Action]] = {
    "retry": Retry,
    "qualify": Qualify,
    "classify": Classify,
    "requalify_as_request": RequalifyAsRequest,
    "answer": Answer,
    "inform": Inform,
    "suspend": Suspend,
    "resume": Resume,
    "escalate": Escalate,
    "contest": Contest,
    "mediate": Mediate,
    "assign": Assign,
    "add_document": AddDocument,
    "correct_address": CorrectAddress,
    "mark_medical": MarkMedical,
    "withdraw": Withdraw,
}

ACTION_LABELS = {
    "retry": "Relancer les envois en échec",
    "qualify": "Qualifier comme réclamation",
    "classify": "Renseigner la typologie",
    "requalify_as_request": "Requalifier en demande",
    "answer": "Répondre",
    "inform": "Informer du retard",
    "suspend": "Suspendre",
    "resume": "Reprendre",
    "escalate": "Escalader",
    "contest": "Enregistrer une contestation",
    "mediate": "Suivre la médiation",
    "assign": "Attribuer",
    "add_document": "Ajouter un document",
    "correct_address": "Renseigner l'adresse postale",
    "mark_medical": "Déclarer médicale (Médecin Conseil)",
    "withdraw": "Clore sur désistement",
}


def action_name(action: Action) -> str:
    return next(name for name, cls in ACTIONS.items() if isinstance(action, cls))
