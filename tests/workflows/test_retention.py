"""Issue 28: the retention rule applied every day by a Temporal Schedule. A closed complaint is
kept its period (from closure), then erased by the daily run; one under a legal hold is kept;
the Schedule runs daily at 3:00, Paris time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from reclamations.activities.retention import RetentionActivities
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, aware
from reclamations.domain.retention import ERASED, HoldReason
from reclamations.security.keyring import Keyring
from reclamations.workflows.messages import RetentionInput, RetentionResult
from reclamations.workflows.retention import (
    RETENTION_SCHEDULE,
    RetentionWorkflow,
    schedule_retention,
)
from tests.conftest import make_settings, open_office
from tests.erasure import COMPLIANCE, KEPT, ORDINARY, closed
from tests.office import Office


@pytest.fixture
async def short_office(
    temporal_env: WorkflowEnvironment,
    tmp_path: Path,
    sqlite_sessions: SessionFactory,
    keyring: Keyring,
) -> AsyncIterator[Office]:
    """Complaints kept 30 days after closure (the shortest the configuration allows)."""
    settings = make_settings(tmp_path, retention_complaint_days=30, retention_request_days=30)
    async with open_office(temporal_env, settings, sqlite_sessions, keyring, own_keys=True) as o:
        yield o


async def daily_run(office: Office) -> RetentionResult:
    ident = f"retention-{uuid.uuid4().hex[:8]}"
    result = await office.client.execute_workflow(
        RetentionWorkflow.run, id=ident, task_queue=office.settings.task_queue
    )
    office.started_ids.discard(ident)  # not a complaint: nothing for the teardown to end
    return result


async def test_the_daily_run_erases_what_its_period_no_longer_keeps(short_office: Office) -> None:
    office = short_office
    expiring = await closed(office, complainant=ORDINARY, channel="email")
    held = await closed(office, complainant=KEPT, channel="email")
    now = await office.env.get_current_time()
    await office.service.place_hold(COMPLIANCE, held, HoldReason.litigation, now)
    async with office.sessions() as session:
        row = await session.get(ComplaintRow, expiring)
        assert row is not None and row.closed_at is not None
        closed_at = aware(row.closed_at)

    # The activity on given days (the test server's clock may skip ahead while a workflow runs).
    retention = RetentionActivities(office.sessions, office.service)
    run = ActivityEnvironment().run

    async def on(day: datetime) -> RetentionResult:
        return await run(retention.apply, RetentionInput(now=day))

    assert await on(closed_at + timedelta(days=29)) == RetentionResult(
        erased=[], resumed=[], failed=[]
    )
    assert await on(closed_at + timedelta(days=31)) == RetentionResult(
        erased=[expiring], resumed=[], failed=[]
    )
    assert await on(closed_at + timedelta(days=32)) == RetentionResult(
        erased=[], resumed=[], failed=[]
    )
    async with office.sessions() as session:
        gone = await session.get(ComplaintRow, expiring)
        kept = await session.get(ComplaintRow, held)
    assert gone is not None and gone.complainant_name == ERASED
    assert kept is not None and kept.complainant_name == KEPT["name"]

    # The workflow the Schedule starts runs the same, a month after another closure.
    later = await closed(office, complainant=ORDINARY, channel="email")
    await office.skip(timedelta(days=31))
    assert await daily_run(office) == RetentionResult(erased=[later], resumed=[], failed=[])


async def test_the_retention_schedule_runs_daily_at_three_paris_time(
    dev_env: WorkflowEnvironment,
) -> None:
    queue = f"retention-{uuid.uuid4().hex[:8]}"
    try:
        assert await schedule_retention(dev_env.client, queue)
        assert not await schedule_retention(dev_env.client, queue)  # there already
        described = await dev_env.client.get_schedule_handle(RETENTION_SCHEDULE).describe()
        spec = described.schedule.spec
        assert spec.time_zone_name == "Europe/Paris"
        [calendar] = spec.calendars
        assert [r.start for r in calendar.hour] == [3] and [r.start for r in calendar.minute] == [0]
        assert calendar.day_of_month[0].end == 31  # every day
    finally:
        await dev_env.client.get_schedule_handle(RETENTION_SCHEDULE).delete()
