"""The API's public contract: what back-office systems send and receive, in the OpenAPI document.

Three contracts, each in its place, so that one may change without the others:
- this module: the API's answers, built from the domain model by `complaint_out` alone;
- `db/snapshot.py`: the read model's snapshot, versioned, written and read by its mapping;
- `domain` (`Complaint`): the workflow's own state, its query and update results and its
  continue-as-new input, free to change with the workflow (replay permitting).
A field of the complaint's own state reaches a caller only once it is declared here. The parts
it embeds whole (the intake, the plan, the records of events, documents, answers, incidents)
are domain models: a field added to one of them reaches callers too, and
tests/web/test_contracts.py lists what must never.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from reclamations.domain.complaint import (
    Classification,
    Complaint,
    DocumentRecord,
    Event,
    MediationRecord,
    Status,
)
from reclamations.domain.complaint.records import (
    AnswerRecord,
    Incident,
    Stage,
    SuspensionRecord,
)
from reclamations.domain.intake import ComplaintIntake
from reclamations.domain.letters import Delivery, LetterKind
from reclamations.domain.planning import Plan
from reclamations.domain.search import MatchKind
from reclamations.service.search import SearchResult


class ErrorDetail(BaseModel):
    field: str
    message: str


class ValidationProblem(BaseModel):
    detail: list[ErrorDetail]


class Problem(BaseModel):
    detail: str


class Deadlines(BaseModel):
    acknowledgement_due: date | None
    quality_target_due: date | None
    final_due: date | None


class Links(BaseModel):
    self: str
    ui: str
    history: str


class ComplaintCreated(BaseModel):
    """The answer to an intake: its deadlines are those the door planned and its workflow froze."""

    reference: str
    workflow_id: str
    created: bool
    deadlines: Deadlines
    links: Links


class LetterOut(BaseModel):
    """A letter sent to the complainant; where it was written on the server is no caller's
    business."""

    kind: LetterKind
    sequence: int
    delivery: Delivery
    sent_at: datetime


class ComplaintOut(BaseModel):
    """A complaint as a back-office system reads it: a medical complaint's content and its
    complainant's identity read "[réservé au Médecin Conseil]" but for a `medical_advisor`
    token (rule 11). The workflow's bookkeeping (letters ordered and not yet sent, alarms
    rung, promises warned) stays inside."""

    model_config = ConfigDict(from_attributes=True)

    reference: str
    status: Status
    stage: Stage
    intake: ComplaintIntake
    plan: Plan
    # The quality target's day as it stands, moved by the suspensions (rule 5).
    quality_target_due: date | None
    registered_at: datetime
    category: str | None
    assignee: str | None
    escalation_level: int
    overdue: bool
    acknowledged_at: datetime | None
    closed_at: datetime | None
    suspensions: list[SuspensionRecord]
    documents: list[DocumentRecord]
    answers: list[AnswerRecord]
    letters: list[LetterOut]
    events: list[Event]
    incidents: list[Incident]
    version: int
    promises: list[date]
    postal_address: str | None
    classification: Classification
    mediation: MediationRecord | None


def complaint_out(complaint: Complaint) -> ComplaintOut:
    """The one mapping from the workflow's state to the API's answer: each of `ComplaintOut`'s
    fields read by its name (the letters as `LetterOut`), the rest left behind."""
    return ComplaintOut.model_validate(complaint, from_attributes=True)


class FoundOut(BaseModel):
    """One complaint a search found, and why it matched (issue 29). A medical complaint's
    complainant and subject are null but for a `medical_advisor` token (rule 11)."""

    reference: str
    status: Status
    medical: bool
    complainant_name: str | None
    subject: str | None
    assignee: str | None
    next_deadline_on: date | None
    registered_at: datetime
    matched: list[MatchKind]
    # A name found with a word forgiven a typo.
    approximate: bool
    why: str


class SearchOut(BaseModel):
    query: str
    found: list[FoundOut]
    # More complaints matched than the 20 returned: search with more words.
    more: bool


def search_out(result: SearchResult) -> SearchOut:
    return SearchOut(
        query=result.text,
        found=[
            FoundOut(
                reference=f.reference,
                status=Status(f.status),
                medical=f.medical,
                complainant_name=f.complainant_name,
                subject=f.subject,
                assignee=f.assignee,
                next_deadline_on=f.next_deadline_on,
                registered_at=f.registered_at,
                matched=f.matched,
                approximate=f.approximate,
                why=f.why,
            )
            for f in result.found
        ],
        more=result.more,
    )
