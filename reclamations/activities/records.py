"""Writing the read model and the append-only event record (rule 13)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import activity

from reclamations.activities.failures import without_content
from reclamations.db.engine import SessionFactory, statements
from reclamations.db.models import ComplaintRow, EventRow
from reclamations.db.search import token_rows, write_tokens
from reclamations.db.snapshot import snapshot_of
from reclamations.db.upsert import Executor, insert_missing, upsert_newer
from reclamations.domain.complaint import Complaint, EventType
from reclamations.domain.content import is_sealed
from reclamations.security.blind_index import BlindIndex
from reclamations.security.complaint_keys import ComplaintKeys, keyring_of
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import open_sealed, seal_identity
from reclamations.workflows.messages import RECORD_ACTIVITY, RecordInput, workflow_id


def complaint_row(complaint: Complaint, updated_at: datetime, keyring: Keyring) -> dict[str, Any]:
    if complaint.medical:
        # rule 11: who a medical complainant is stays sealed at rest, like its content.
        complaint = seal_identity(keyring, complaint.reference, complaint)
    intake, plan = complaint.intake, complaint.plan
    last_answer = complaint.answers[-1] if complaint.answers else None
    next_deadline = complaint.next_deadline()
    return {
        "reference": complaint.reference,
        "workflow_id": workflow_id(complaint.reference),
        "status": complaint.status.value,
        "stage": complaint.stage.value,
        "channel": intake.channel.value,
        "entity": intake.entity,
        "category": complaint.category,
        "medical": intake.medical,
        "calendar": intake.calendar,
        "complainant_name": intake.complainant.name,
        "subject": intake.subject,
        "assignee": complaint.assignee,
        "escalation_level": complaint.escalation_level,
        "overdue": complaint.overdue,
        "incident": bool(complaint.open_incidents),
        "process_ended": None,  # its workflow writes: it runs (again, after a repair)
        "sent_on": plan.sent_on,
        "first_written_on": plan.first_written_on,
        "received_on": intake.received_on,
        "acknowledgement_due_on": plan.acknowledgement_due,
        "quality_target_due_on": complaint.quality_target_due,
        "final_due_on": plan.final_due,
        "next_deadline_kind": next_deadline[0] if next_deadline else None,
        "next_deadline_on": next_deadline[1] if next_deadline else None,
        "acknowledged_at": complaint.acknowledged_at,
        # rule 13: the day the first answer left (a held one leaves late).
        "first_answered_at": complaint.first_answer_left_at,
        "answered_at": complaint.answered_at,
        "decision": last_answer.decision.value if last_answer else None,
        "closed_at": complaint.closed_at,
        "registered_at": complaint.registered_at,
        "updated_at": updated_at,
        "version": complaint.version,
        "snapshot": snapshot_of(complaint),
    }


def search_tokens(
    complaint: Complaint, keyring: Keyring, index: BlindIndex
) -> list[dict[str, Any]]:
    """The search index's rows for the complaint (issue 29), made from its identity in clear
    (opened here with `keyring`, its own, if the workflow holds it sealed): only their hashes
    under `index` (the install's keyring, the same for every complaint) are stored."""
    reference, person = complaint.reference, complaint.intake.complainant

    def clear(text: str | None) -> str | None:
        return open_sealed(keyring, reference, text) if text and is_sealed(text) else text

    return token_rows(
        index,
        reference,
        complaint.medical,
        clear(person.name) or "",
        clear(person.email),
        clear(person.member_number),
        complaint.registered_at,
    )


async def write_record(
    session: Executor, data: RecordInput, keyring: Keyring, index: BlindIndex
) -> None:
    """Idempotent: the complaint row only moves forward (by version), events are keyed by
    (reference, seq); a retried call writes nothing new. The search index goes with the record
    of the registration: a complainant's name, email and member number never change after."""
    complaint = data.complaint
    row = complaint_row(complaint, updated_at=data.at, keyring=keyring)
    await upsert_newer(session, ComplaintRow, row, "reference", "version")
    if any(event.type is EventType.registered for event in data.events):
        await write_tokens(session, search_tokens(complaint, keyring, index))
    await insert_missing(
        session,
        EventRow,
        [
            {
                "reference": complaint.reference,
                "seq": event.seq,
                "type": event.type.value,
                "actor": event.actor,
                "at": event.at,
                "summary": event.summary,
                "note": event.note,
                "on_behalf_of": event.on_behalf_of,
            }
            for event in data.events
        ],
    )


class RecordActivities:
    def __init__(
        self, sessions: SessionFactory, keyring: Keyring, keys: ComplaintKeys | None = None
    ) -> None:
        self._sessions = sessions
        self._keyring = keyring
        self._keys = keys  # issue 28: a medical identity sealed with its complaint's own key
        self._index = BlindIndex(keyring)  # issue 29: one for all complaints, made once

    @activity.defn(name=RECORD_ACTIVITY)
    @without_content
    async def record(self, data: RecordInput) -> None:
        reference, medical = data.complaint.reference, data.complaint.intake.medical
        keyring = (
            await keyring_of(self._keys, self._keyring, reference, create=True)
            if medical
            else self._keyring
        )
        async with statements(self._sessions, batched=True) as connection:
            await write_record(connection, data, keyring, self._index)
