"""The reconciliation activity: complaint workflows that ended without closing, flagged on the
record (rule 14). Idempotent: a complaint already flagged is left as it is."""

from __future__ import annotations

from sqlalchemy import select, update
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus

from reclamations.activities.failures import without_content
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow
from reclamations.domain.complaint import CLOSED_STATUSES
from reclamations.workflows.messages import RECONCILE_ACTIVITY, WORKFLOW_ID_PREFIX

# Ended, but not by the complaint's own logic (which completes its workflow once closed).
ENDED_OUTSIDE = (
    "WorkflowType = 'ComplaintWorkflow' "
    "AND ExecutionStatus IN ('Terminated', 'Canceled', 'Failed', 'TimedOut')"
)


class ReconcileActivities:
    def __init__(self, client: Client, sessions: SessionFactory) -> None:
        self._client = client
        self._sessions = sessions

    @activity.defn(name=RECONCILE_ACTIVITY)
    @without_content
    async def reconcile(self) -> int:
        ended: dict[str, str] = {}
        async for execution in self._client.list_workflows(ENDED_OUTSIDE):
            status = execution.status.name if execution.status else "TERMINATED"
            ended[execution.id.removeprefix(WORKFLOW_ID_PREFIX)] = status
        flagged = 0
        for reference, status in ended.items():
            flagged += await self._flag(reference, status)
        await self._clear_repaired()
        return flagged

    async def _clear_repaired(self) -> None:
        """A flagged complaint whose workflow runs again (an operator reset it) is alive."""
        async with self._sessions() as session:
            flagged = list(
                await session.scalars(
                    select(ComplaintRow.reference).where(ComplaintRow.process_ended.is_not(None))
                )
            )
        for reference in flagged:
            handle = self._client.get_workflow_handle(WORKFLOW_ID_PREFIX + reference)
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                await self._mark(reference, None)

    async def _flag(self, reference: str, status: str) -> int:
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
        if row is None or row.process_ended or row.status in CLOSED_STATUSES:
            return 0
        await self._mark(reference, status.lower())
        activity.logger.warning("Réclamation %s : processus %s hors application", reference, status)
        return 1

    async def _mark(self, reference: str, ended: str | None) -> None:
        """Flag (or clear) the complaint on the read model. No event is written here: the
        record's event numbers are the workflow's, and a repaired one goes on numbering them."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(ComplaintRow)
                .where(ComplaintRow.reference == reference)
                .values(process_ended=ended, incident=ended is not None)
            )
