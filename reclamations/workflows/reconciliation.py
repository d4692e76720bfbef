"""Finding complaints whose process was ended outside our control (rule 14).

A complaint's workflow can be terminated or reset from the Temporal Web UI or CLI, or fail; its
record would then look alive forever. A Temporal Schedule runs `ReconcileWorkflow` every few
minutes: its activity lists the complaint workflows that ended without closing, and flags each
on the record (an incident the agents see, an event for operators).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.client import Client, ScheduleIntervalSpec, ScheduleSpec
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from reclamations.workflows.messages import RECONCILE_ACTIVITY
    from reclamations.workflows.schedules import ensure_schedule

RECONCILE_SCHEDULE = "complaints-reconciliation"
RECONCILE_EVERY = timedelta(minutes=10)


@workflow.defn
class ReconcileWorkflow:
    @workflow.run
    async def run(self) -> int:
        flagged: int = await workflow.execute_activity(
            RECONCILE_ACTIVITY,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=RetryPolicy(maximum_attempts=3),
            summary="Réclamations arrêtées hors de l'application",
        )
        return flagged


async def schedule_reconciliation(client: Client, task_queue: str) -> bool:
    """The Schedule that finds complaints ended outside the application (rule 14);
    True when it was created now, False when it was there already."""
    spec = ScheduleSpec(intervals=[ScheduleIntervalSpec(every=RECONCILE_EVERY)])
    return await ensure_schedule(client, RECONCILE_SCHEDULE, "ReconcileWorkflow", task_queue, spec)
