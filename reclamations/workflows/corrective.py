"""One corrective action, a durable process of its own (issue 29): it sleeps until its next
alarm (a reminder before the due date, the escalation the day after it, the effectiveness
check on its day) or until someone acts on it through the door (updates: progress, done,
cancelled), records every change with its actor, and ends once checked or cancelled.

Deterministic: workflow.now(), its own state and the pure domain (domain/corrective.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from reclamations.activities.corrective import (
        COUNT_CAUSE_ACTIVITY,
        RECORD_ACTION_ACTIVITY,
        CauseCount,
    )
    from reclamations.domain.clock import local_date, local_instant
    from reclamations.domain.corrective import FINISHED, ActionStatus, CorrectiveAction

ACTION_WORKFLOW_PREFIX = "corrective-"
# Its alarms ring at 8:00, French time, when the team reads them.
ACTION_TIMEZONE = "Europe/Paris"
ALARM_TIME = time(8)
PERSISTENT = RetryPolicy(maximum_interval=timedelta(minutes=5))


def action_workflow_id(ident: str) -> str:
    return f"{ACTION_WORKFLOW_PREFIX}{ident}"


class ActionStep(BaseModel):
    """What someone does to an action, through the door: its actor is on the record."""

    actor: str
    kind: str  # "progress", "done" or "cancel"
    note: str


@workflow.defn
class CorrectiveActionWorkflow:
    def __init__(self) -> None:
        self._action: CorrectiveAction | None = None

    @property
    def action(self) -> CorrectiveAction:
        assert self._action is not None
        return self._action

    @workflow.run
    async def run(self, action: CorrectiveAction) -> CorrectiveAction:
        self._action = action
        await self._record()
        while self.action.status not in FINISHED:
            changed = self._changed_from(self.action.version)
            alarm = self.action.next_alarm()
            if alarm is None:
                await workflow.wait_condition(changed)
                continue
            wake = local_instant(alarm, ALARM_TIME, ACTION_TIMEZONE)
            try:
                await workflow.wait_condition(
                    changed,
                    timeout=max(wake - workflow.now(), timedelta(0)),
                    timeout_summary=f"Action corrective : réveil du {alarm:%d/%m/%Y}",
                )
                continue  # someone acted: the next alarm may have changed
            except TimeoutError:
                pass
            await self._alarm()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.action

    def _changed_from(self, version: int) -> Callable[[], bool]:
        return lambda: self.action.version != version

    async def _alarm(self) -> None:
        now = workflow.now()
        today = local_date(now, ACTION_TIMEZONE)
        if self.action.status is ActionStatus.done:
            before = await self._count(*self.action.window_before)
            after = await self._count(*self.action.window_after)
            self.action.checked(before, after, now)
        else:
            self.action.ring(today, now)
        await self._record()

    async def _count(self, first: date, last: date) -> int:
        counted: int = await workflow.execute_activity(
            COUNT_CAUSE_ACTIVITY,
            CauseCount(root_cause=self.action.draft.root_cause, first=first, last=last),
            result_type=int,
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=PERSISTENT,
            summary=f"Réclamations de la cause du {first:%d/%m/%Y} au {last:%d/%m/%Y}",
        )
        return counted

    async def _record(self) -> None:
        await workflow.execute_activity(
            RECORD_ACTION_ACTIVITY,
            self.action,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PERSISTENT,
            summary="Enregistrement de l'action corrective",
        )

    @workflow.update
    async def act(self, step: ActionStep) -> CorrectiveAction:
        now = workflow.now()
        try:
            if step.kind == "progress":
                self.action.progress(step.actor, step.note, now)
            elif step.kind == "done":
                self.action.complete(step.actor, step.note, local_date(now, ACTION_TIMEZONE), now)
            elif step.kind == "cancel":
                self.action.cancel(step.actor, step.note, now)
            else:
                raise ValueError(f"étape inconnue : {step.kind}")
        except ValueError as refused:
            raise ApplicationError(str(refused), non_retryable=True) from None
        await self._record()
        return self.action

    @workflow.query
    def state(self) -> CorrectiveAction:
        return self.action
