"""What agents and back-office systems can do to a complaint. Each one names its actor."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.content import LongContent, ShortContent, check_printable
from domain.deadlines import SuspensionReason
from domain.intake import Category, Document

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


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    # DESIGN rule 15: the authenticated principal, set by the application service.
    actor: Actor
    # A name the caller gave (the agent behind a back-office system), kept beside the actor.
    on_behalf_of: OnBehalfOf | None = None

    _printable = field_validator("*")(check_printable)


class Qualify(Action):
    """Confirm that this is a complaint: the acknowledgement goes out at once."""

    category: Category | None = None
    note: LongContent | None = None


class RequalifyAsRequest(Action):
    """DESIGN rule 1: a request for service, information or an opinion is not a complaint."""

    note: LongContent


class Assign(Action):
    assignee: Annotated[str, Field(min_length=1, max_length=100)]


class AddDocument(Action):
    document: Document


class Suspend(Action):
    """DESIGN rule 5: pause the quality target for an expertise or IT maintenance."""

    reason: SuspensionReason
    on: date | None = Field(None, description="premier jour suspendu (défaut : aujourd'hui)")
    note: LongContent | None = None


class Resume(Action):
    on: date | None = Field(
        None, description="jour de reprise, non suspendu (défaut : aujourd'hui)"
    )
    note: LongContent | None = None


class Escalate(Action):
    level: int = Field(2, ge=1, le=3, description="1 équipe, 2 Service Qualité, 3 Direction")
    note: LongContent


class Answer(Action):
    """DESIGN rule 8: a decision, its reasons and the documents considered."""

    decision: Decision
    reasons: LongContent
    documents_considered: Annotated[list[ShortContent], Field(max_length=100)] = []


class Contest(Action):
    """DESIGN rule 10: the complainant contests the answer; Service Qualité reviews it."""

    note: LongContent | None = None
    on: date | None = None


class Withdraw(Action):
    note: LongContent | None = None


class Retry(Action):
    """DESIGN rule 14: try again what failed for good (a letter, the record), once its cause is
    mended; the incident closes when the try succeeds."""


ACTIONS: dict[str, type[Action]] = {
    "qualify": Qualify,
    "requalify_as_request": RequalifyAsRequest,
    "assign": Assign,
    "add_document": AddDocument,
    "suspend": Suspend,
    "resume": Resume,
    "escalate": Escalate,
    "answer": Answer,
    "contest": Contest,
    "withdraw": Withdraw,
    "retry": Retry,
}

ACTION_LABELS = {
    "qualify": "Qualifier comme réclamation",
    "requalify_as_request": "Requalifier en demande",
    "assign": "Attribuer",
    "add_document": "Ajouter un document",
    "suspend": "Suspendre",
    "resume": "Reprendre",
    "escalate": "Escalader",
    "answer": "Répondre",
    "contest": "Enregistrer une contestation",
    "withdraw": "Clore sur désistement",
    "retry": "Relancer les envois en échec",
}


def action_name(action: Action) -> str:
    return next(name for name, cls in ACTIONS.items() if isinstance(action, cls))
