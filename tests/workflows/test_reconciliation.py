"""DESIGN rule 14: a complaint whose process was ended outside our control (terminated from
the Temporal Web UI, say) is found and flagged, never left looking alive."""

import asyncio
import uuid

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest

from activities.reconcile import ReconcileActivities
from db.models import ComplaintRow
from tests.office import action
from workflows.reconciliation import RECONCILE_SCHEDULE, schedule_reconciliation

EVENT_TYPE_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


async def last_workflow_task(handle):
    history = await handle.fetch_history()
    return max(e.event_id for e in history.events if e.event_type == EVENT_TYPE_COMPLETED)


async def flagged_row(office, reference, seconds=20):
    for _ in range(seconds * 10):
        async with office.sessions() as session:
            row = await session.get(ComplaintRow, reference)
        if row.process_ended:
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"{reference} was not flagged")


async def test_a_terminated_complaint_is_flagged_once(dev_office):
    office = dev_office
    handle = await office.start()
    await office.act(handle, action("qualify"))
    alive = await office.start()
    reference = handle.id.removeprefix("complaint-")
    await handle.terminate(reason="essai d'exploitation")
    office.started_ids.discard(handle.id)  # ended already: nothing left to withdraw
    reconcile = ReconcileActivities(office.client, office.sessions).reconcile
    for _ in range(100):  # visibility catches up in a moment
        if await reconcile():
            break
        await asyncio.sleep(0.1)
    row = await flagged_row(office, reference)
    assert (row.process_ended, row.incident, row.status) == ("terminated", True, "in_progress")
    assert await reconcile() == 0  # already flagged: nothing twice
    async with office.sessions() as session:
        other = await session.get(ComplaintRow, alive.id.removeprefix("complaint-"))
    assert not other.process_ended

    # Repaired by an operator (a reset to the last workflow task): the flag goes by itself.
    reset = await office.client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace="default",
            workflow_execution=WorkflowExecution(workflow_id=handle.id),
            reason="rétablie par l'exploitation",
            workflow_task_finish_event_id=await last_workflow_task(handle),
            request_id=str(uuid.uuid4()),
        )
    )
    assert reset.run_id
    office.started_ids.add(handle.id)
    await reconcile()
    async with office.sessions() as session:
        row = await session.get(ComplaintRow, reference)
    assert (row.process_ended, row.incident) == (None, False)


async def test_the_schedule_is_made_once_and_finds_them_by_itself(dev_office):
    office = dev_office
    handle = await office.start()
    reference = handle.id.removeprefix("complaint-")
    await handle.terminate(reason="essai d'exploitation")
    office.started_ids.discard(handle.id)  # ended already: nothing left to withdraw
    created = await schedule_reconciliation(office.client, office.settings.task_queue)
    again = await schedule_reconciliation(office.client, office.settings.task_queue)
    schedule = office.client.get_schedule_handle(RECONCILE_SCHEDULE)
    try:
        assert (created, again) == (True, False)
        await asyncio.sleep(1)  # visibility knows the termination
        await schedule.trigger()
        row = await flagged_row(office, reference)
        assert row.process_ended == "terminated"
    finally:
        await schedule.delete()
