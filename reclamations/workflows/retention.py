"""The retention rule applied every day (issue 28): a Temporal Schedule starts
`RetentionWorkflow` at 3:00 Paris time; its activity erases, through the one door, every closed
complaint whose retention period ended (domain/retention.py), and finishes any erasure left
interrupted. `complaints erase` does one on request."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client, ScheduleCalendarSpec, ScheduleRange, ScheduleSpec
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from reclamations.workflows.messages import (
        RETENTION_ACTIVITY,
        RetentionInput,
        RetentionResult,
    )
    from reclamations.workflows.schedules import ensure_schedule

RETENTION_SCHEDULE = "complaints-retention"
RETENTION_TIMEZONE = "Europe/Paris"


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self) -> RetentionResult:
        result: RetentionResult = await workflow.execute_activity(
            RETENTION_ACTIVITY,
            RetentionInput(now=workflow.now()),
            result_type=RetentionResult,
            start_to_close_timeout=timedelta(hours=1),
            heartbeat_timeout=timedelta(minutes=5),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=10)),
            summary="Durées de conservation",
        )
        return result


async def schedule_retention(client: Client, task_queue: str) -> bool:
    """The daily Schedule of the retention rule: every day at 3:00, Paris time."""
    spec = ScheduleSpec(
        calendars=[
            ScheduleCalendarSpec(
                hour=[ScheduleRange(3)], minute=[ScheduleRange(0)], second=[ScheduleRange(0)]
            )
        ],
        time_zone_name=RETENTION_TIMEZONE,
    )
    return await ensure_schedule(client, RETENTION_SCHEDULE, "RetentionWorkflow", task_queue, spec)


async def namespace_retention(client: Client, namespace: str) -> timedelta:
    """How long the namespace keeps a closed workflow's history."""
    described = await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace)
    )
    kept: timedelta = described.config.workflow_execution_retention_ttl.ToTimedelta()
    return kept


def retention_mismatch(kept: timedelta, shortest_days: int) -> str | None:
    """Why the namespace keeps closed histories too long (issue 28): longer than the shortest
    retention period, a history (sealed with its complaint's key, but whole) would outlive
    the period. None when it matches."""
    if kept <= timedelta(days=shortest_days):
        return None
    return (
        f"le namespace garde les historiques clos {kept.days} jours, plus que la durée de "
        f"conservation la plus courte ({shortest_days} jours) : réduisez-la "
        "(temporal operator namespace update --retention)"
    )
