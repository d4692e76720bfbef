"""The retention rule applied every day (issue 28): a Temporal Schedule starts
`RetentionWorkflow` at 3:00 Paris time; its activity erases, through the one door, every closed
complaint whose retention period ended (domain/retention.py), and finishes any erasure left
interrupted. `complaints erase` does one on request."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
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
