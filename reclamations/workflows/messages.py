"""Inputs and outputs of the complaint workflow and of the activities it calls."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from reclamations.domain.complaint import Complaint, Event, LetterOrder, Status
from reclamations.domain.intake import ComplaintIntake
from reclamations.domain.planning import Plan

WORKFLOW_ID_PREFIX = "complaint-"

PLAN_ACTIVITY = "plan_complaint"
RECORD_ACTIVITY = "record_complaint"
SEND_LETTER_ACTIVITY = "send_letter"
RECONCILE_ACTIVITY = "reconcile_complaints"
MONTHLY_REGISTER_ACTIVITY = "write_monthly_register"
RETENTION_ACTIVITY = "apply_retention"


def workflow_id(reference: str) -> str:
    return f"{WORKFLOW_ID_PREFIX}{reference}"


class StartComplaint(BaseModel):
    """The workflow's input: a validated intake (medical content already sealed)."""

    reference: str
    intake: ComplaintIntake
    registered_by: str | None = None  # the principal, on the record as the registration's actor
    # The deadlines and policy the door planned at intake, frozen here with the start (the
    # intake's answer gives these very deadlines at once). None from a door of 1.0.0: the
    # worker plans then (workflows/patches.py, DOOR_PLANS).
    plan: Plan | None = None
    # A long life going on in a new run (continue-as-new): the complaint as the last run left
    # it, every letter sent and every event on the record.
    resumed: Complaint | None = None


class PlanInput(BaseModel):
    intake: ComplaintIntake


class RecordInput(BaseModel):
    """The complaint's state for the read model, and the events not yet recorded."""

    complaint: Complaint
    events: list[Event]
    at: datetime


class LetterInput(BaseModel):
    reference: str
    intake: ComplaintIntake
    plan: Plan
    order: LetterOrder
    quality_target_due: date | None
    at: datetime  # workflow time: the letter's date, also under simulation
    # The state that ordered the letter, recorded with the letter's first write (lean runs).
    record: RecordInput | None = None


class LetterReceipt(BaseModel):
    location: str  # the file in an outbox, or the SMTP message id


class Outcome(BaseModel):
    reference: str
    status: Status


class MonthlyRegisterInput(BaseModel):
    """The month whose register is written, first and last days included."""

    first: date
    last: date


class RetentionInput(BaseModel):
    """The day's run of the retention rule (issue 28), as of the workflow's time."""

    now: datetime


class RetentionResult(BaseModel):
    """References only: an erased complaint's reference says nothing about its complainant."""

    erased: list[str]
    resumed: list[str]
    failed: list[str]
    aside_mail_forgotten: int = 0  # messages set aside whose time was up
