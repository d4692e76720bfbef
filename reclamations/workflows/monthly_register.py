"""The register of the month past, written on the first day of each month (rules 13
and 17): a Temporal Schedule starts `MonthlyRegisterWorkflow`, whose activity writes the
register (CSV and XLSX, with the ACPR cross-tab) and its statistics to the folder the settings
name. `complaints register` still does it on demand."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.client import Client, ScheduleCalendarSpec, ScheduleRange, ScheduleSpec
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from reclamations.domain.clock import local_date
    from reclamations.domain.register import previous_month
    from reclamations.workflows.messages import MONTHLY_REGISTER_ACTIVITY, MonthlyRegisterInput
    from reclamations.workflows.schedules import ensure_schedule

MONTHLY_REGISTER_SCHEDULE = "complaints-monthly-register"
# Compliance reads the month's figures in French time.
REGISTER_TIMEZONE = "Europe/Paris"


@workflow.defn
class MonthlyRegisterWorkflow:
    @workflow.run
    async def run(self) -> list[str]:
        first, last = previous_month(local_date(workflow.now(), REGISTER_TIMEZONE))
        written: list[str] = await workflow.execute_activity(
            MONTHLY_REGISTER_ACTIVITY,
            MonthlyRegisterInput(first=first, last=last),
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=10)),
            summary=f"Registre de {first:%m/%Y}",
        )
        return written


async def schedule_monthly_register(client: Client, task_queue: str) -> bool:
    """The Schedule of the month's register: the 1st of each month at 6:00, Paris time."""
    spec = ScheduleSpec(
        calendars=[
            ScheduleCalendarSpec(
                day_of_month=[ScheduleRange(1)],
                hour=[ScheduleRange(6)],
                minute=[ScheduleRange(0)],
                second=[ScheduleRange(0)],
            )
        ],
        time_zone_name=REGISTER_TIMEZONE,
    )
    return await ensure_schedule(
        client, MONTHLY_REGISTER_SCHEDULE, "MonthlyRegisterWorkflow", task_queue, spec
    )
