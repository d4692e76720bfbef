"""The Temporal side of the one door: starting a complaint's workflow and sending it messages.

Only the application service (reclamations/service/) calls these, apart from set-up
(`register_search_attributes`) and tests that need the raw workflow.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from reclamations.domain.actions import Action, action_name
from reclamations.domain.complaint import Complaint
from reclamations.domain.intake import ComplaintIntake
from reclamations.domain.planning import Plan
from reclamations.workflows import search
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import Outcome, StartComplaint, workflow_id

ComplaintHandle = WorkflowHandle[ComplaintWorkflow, Outcome]


def static_details(intake: ComplaintIntake) -> str:
    calendar = intake.calendar
    return (
        f"Envoyée le {intake.sent_date.isoformat()} · première réclamation écrite le "
        f"{intake.first_written_date.isoformat()} · calendrier {calendar}"
    )


async def start_complaint(
    client: Client,
    reference: str,
    intake: ComplaintIntake,
    plan: Plan,
    task_queue: str,
    registered_by: str | None = None,
) -> tuple[ComplaintHandle, bool]:
    """Start the complaint's workflow with the plan it freezes; (handle, False) when that
    reference already exists.

    A reference is never reused, even after its complaint is closed: duplicate intake of the
    same reference starts nothing new.
    """
    start = StartComplaint(
        reference=reference, intake=intake, plan=plan, registered_by=registered_by
    )
    try:
        handle = await client.start_workflow(
            ComplaintWorkflow.run,
            start,
            id=workflow_id(reference),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary=search.summary(reference, intake),
            static_details=static_details(intake),
        )
        return handle, True
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(reference)), False


async def execute_action(handle: ComplaintHandle, action: Action) -> Complaint:
    """Send an agent action as a validated update; raises WorkflowUpdateFailedError with the
    reason when the complaint refuses it."""
    state: Complaint = await handle.execute_update(
        action_name(action), action, result_type=Complaint
    )
    return state


def refusal_reason(error: WorkflowUpdateFailedError) -> str:
    """The complaint's own words for a refused action."""
    cause = error.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause)


async def signal_action(handle: ComplaintHandle, action: Action) -> None:
    """Send an agent action as a fire-and-forget signal (back-office systems)."""
    await handle.signal(action_name(action), action)


async def register_search_attributes(client: Client, namespace: str) -> list[str]:
    """Make the cluster know the complaint's search attributes; returns those it added."""
    known: set[str] = set()
    try:
        listing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(listing.custom_attributes)
    except RPCError as error:
        if error.status != RPCStatusCode.UNIMPLEMENTED:  # the time-skipping test server
            raise
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type)
        for key in search.KEYS
        if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


async def complaint_state(
    client: Client, reference: str, patience: timedelta | None = None
) -> Complaint | None:
    """The running complaint's state; `patience` bounds the wait for a worker to answer."""
    handle: ComplaintHandle = client.get_workflow_handle_for(
        ComplaintWorkflow.run, workflow_id(reference)
    )
    return await handle.query(ComplaintWorkflow.state, rpc_timeout=patience)
