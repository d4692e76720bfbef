"""The record activity on SQLite and PostgreSQL: idempotent, append-only, never rolled back."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from temporalio.exceptions import ApplicationError

from reclamations.activities.failures import LASTING
from reclamations.activities.records import RecordActivities
from reclamations.db.engine import create_engine, session_factory
from reclamations.db.models import ComplaintRow, EventRow
from reclamations.domain.actions import Assign, Qualify
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint


async def count(sessions, model):
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_recording_twice_writes_once(sessions, keyring):
    complaint = a_complaint()
    record = RecordActivities(sessions, keyring).record
    data = RecordInput(complaint=complaint, events=complaint.events, at=NOW)
    await record(data)
    await record(data)  # a retry after a lost acknowledgement of the first call
    assert await count(sessions, ComplaintRow) == 1
    assert await count(sessions, EventRow) == 1


async def test_the_read_model_follows_the_complaint_and_events_accumulate(sessions, keyring):
    complaint = a_complaint()
    record = RecordActivities(sessions, keyring).record
    await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))
    complaint.apply(Qualify(actor="agent.martin", category="benefits"), NOW + timedelta(hours=1))
    complaint.apply(Assign(actor="sup.leroy", assignee="agent.martin"), NOW + timedelta(hours=2))
    await record(RecordInput(complaint=complaint, events=complaint.events[1:], at=NOW))
    async with sessions() as session:
        row = await session.get(ComplaintRow, complaint.reference)
        events = (await session.scalars(select(EventRow).order_by(EventRow.seq))).all()
    assert row.status == "in_progress" and row.assignee == "agent.martin"
    assert row.category == "benefits"
    # Qualifying sent the acknowledgement: the date it announced is the next promise to keep.
    assert row.next_deadline_kind == "promise"
    assert row.next_deadline_on == complaint.promise == complaint.quality_target_due
    assert [(e.seq, e.type, e.actor) for e in events] == [
        (1, "registered", "système"),
        (2, "qualified", "agent.martin"),
        (3, "assigned", "sup.leroy"),
    ]
    assert row.snapshot["status"] == "in_progress"


async def test_a_late_retry_never_rolls_the_read_model_back(sessions, keyring):
    complaint = a_complaint()
    record = RecordActivities(sessions, keyring).record
    stale = RecordInput(complaint=complaint.model_copy(deep=True), events=[], at=NOW)
    complaint.apply(Assign(actor="sup.leroy", assignee="agent.martin"), NOW)
    await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))
    await record(stale)
    async with sessions() as session:
        row = await session.get(ComplaintRow, complaint.reference)
    assert row.assignee == "agent.martin"
    assert row.version == complaint.version


async def test_a_value_the_database_refuses_fails_for_good_and_without_content(
    postgres_url, keyring
):
    # PostgreSQL refuses NUL in text. Such a value cannot come in any more (the intake refuses
    # control characters), but one already stored must not loop forever nor leak into logs.
    engine = create_engine(postgres_url)
    complaint = a_complaint("REC-2026-000666")
    name = "Hélène\x00Garnier"
    complainant = complaint.intake.complainant.model_copy(update={"name": name})
    complaint.intake = complaint.intake.model_copy(update={"complainant": complainant})
    record = RecordActivities(session_factory(engine), keyring).record
    try:
        with pytest.raises(ApplicationError) as failed:
            await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))
    finally:
        await engine.dispose()
    error = failed.value
    assert error.non_retryable and error.type == LASTING
    assert "Hélène" not in str(error) and "Garnier" not in str(error)
    assert error.__cause__ is None and error.__suppress_context__
