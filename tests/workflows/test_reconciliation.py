"""rule 14: a complaint whose process was ended outside our control (terminated from
the Temporal Web UI, say) is found and flagged, never left looking alive."""

import uuid

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest

from reclamations.activities.reconcile import ReconcileActivities
from reclamations.db.models import ComplaintRow
from reclamations.workflows.reconciliation import RECONCILE_SCHEDULE, schedule_reconciliation
from tests.office import action, until

EVENT_TYPE_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


async def last_workflow_task(handle):
    history = await handle.fetch_history()
    return max(e.event_id for e in history.events if e.event_type == EVENT_TYPE_COMPLETED)


async def flagged_row(office, reference):
    async def row():
        async with office.sessions() as session:
            return await session.get(ComplaintRow, reference)

    return await until(row, lambda row: row.process_ended, what=f"{reference} flagged", every=0.1)


async def terminated_in_visibility(office, handle) -> None:
    """Visibility (what the reconciliation asks) knows the complaint has been terminated."""
    query = f"WorkflowId = '{handle.id}' AND ExecutionStatus = 'Terminated'"
    await until(
        lambda: office.client.count_workflows(query),
        lambda counted: counted.count == 1,
        what=f"{handle.id} terminated in visibility",
        every=0.1,
    )


async def test_a_terminated_complaint_is_flagged_once(dev_office):
    office = dev_office
    handle = await office.start()
    await office.act(handle, action("qualify"))
    alive = await office.start()
    reference = handle.id.removeprefix("complaint-")
    await handle.terminate(reason="essai d'exploitation")
    office.started_ids.discard(handle.id)  # ended already: nothing left to withdraw
    reconcile = ReconcileActivities(office.client, office.sessions).reconcile
    await terminated_in_visibility(office, handle)
    assert await reconcile() == 1
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
        await terminated_in_visibility(office, handle)
        await schedule.trigger()
        row = await flagged_row(office, reference)
        assert row.process_ended == "terminated"
    finally:
        await schedule.delete()
