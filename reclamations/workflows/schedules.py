"""The Schedules the system keeps on Temporal: the reconciliation (rule 14) and the
monthly register (rules 13 and 17). Made by `make run` and `complaints temporal-setup`;
nothing happens when one exists already."""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)


async def ensure_schedule(
    client: Client, schedule_id: str, workflow: str, task_queue: str, spec: ScheduleSpec
) -> bool:
    """True when the Schedule was created now, False when it was there already."""
    try:
        await client.create_schedule(
            schedule_id,
            Schedule(
                action=ScheduleActionStartWorkflow(
                    workflow, id=f"{schedule_id}-run", task_queue=task_queue
                ),
                spec=spec,
                policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
            ),
        )
    except ScheduleAlreadyRunningError:
        return False
    return True
