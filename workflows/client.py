"""Client-side helpers shared by the starter, the web app and the simulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.actions import Action, action_name
from domain.calendar import timezone_of
from domain.clock import local_date
from domain.complaint import Complaint
from domain.content import Sealer
from domain.intake import CATEGORY_LABELS, CHANNEL_LABELS, ComplaintIntake, parse_intake
from workflows import search
from workflows.complaint import ComplaintWorkflow
from workflows.messages import Outcome, StartComplaint, workflow_id

ComplaintHandle = WorkflowHandle[ComplaintWorkflow, Outcome]


def static_summary(reference: str, intake: ComplaintIntake) -> str:
    """What the Web UI lists the workflow by: never any personal data."""
    parts = [f"Réclamation {reference}", CHANNEL_LABELS[intake.channel]]
    if intake.category:
        parts.append(CATEGORY_LABELS[intake.category])
    if intake.medical:
        parts.append("médicale")
    return " · ".join(parts)


def static_details(intake: ComplaintIntake) -> str:
    calendar = intake.calendar
    return (
        f"Envoyée le {intake.sent_date.isoformat()} · première réclamation écrite le "
        f"{intake.first_written_date.isoformat()} · calendrier {calendar}"
    )


async def start_complaint(
    client: Client, reference: str, intake: ComplaintIntake, task_queue: str
) -> tuple[ComplaintHandle, bool]:
    """Start the complaint's workflow; (handle, False) when that reference already exists.

    A reference is never reused, even after its complaint is closed: duplicate intake of the
    same reference starts nothing new.
    """
    try:
        handle = await client.start_workflow(
            ComplaintWorkflow.run,
            StartComplaint(reference=reference, intake=intake),
            id=workflow_id(reference),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary=static_summary(reference, intake),
            static_details=static_details(intake),
        )
        return handle, True
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(reference)), False


async def admit(
    data: Any,
    now: datetime,
    allocate_reference: Callable[[int], Awaitable[str]],
    seal: Sealer,
) -> tuple[str, ComplaintIntake]:
    """Validate an intake at the edge, give it a reference if it has none, and seal its medical
    content. Raises pydantic's ValidationError (see domain.errors.describe_errors)."""
    calendar = data.get("calendar", "national") if isinstance(data, dict) else "national"
    zone = timezone_of(str(calendar))
    intake = parse_intake(data, today=local_date(now, zone))
    reference = intake.reference or await allocate_reference(local_date(now, zone).year)
    return reference, intake.sealed(seal)


async def register_complaint(
    client: Client,
    data: Any,
    now: datetime,
    allocate_reference: Callable[[int], Awaitable[str]],
    seal: Sealer,
    task_queue: str,
) -> tuple[str, ComplaintIntake, bool]:
    """Admit an intake and start its workflow: (reference, sealed intake, created).

    A reference the sender chose and that exists already starts nothing new (created False).
    A generated one that Temporal already knows (a database restored from an older backup,
    say) is skipped for the next number.
    """
    reference, intake = await admit(data, now, allocate_reference, seal)
    for _ in range(20):
        _, created = await start_complaint(client, reference, intake, task_queue)
        if created or intake.reference is not None:
            return reference, intake, created
        reference = await allocate_reference(local_date(now, intake.timezone).year)
    raise RuntimeError("no free generated reference after 20 tries")


async def execute_action(handle: ComplaintHandle, action: Action) -> Complaint:
    """Send an agent action as a validated update; raises WorkflowUpdateFailedError with the
    reason when the complaint refuses it. Seal medical content first (Action.sealed)."""
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


async def complaint_state(client: Client, reference: str) -> Complaint | None:
    handle = client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(reference))
    return await handle.query(ComplaintWorkflow.state)
