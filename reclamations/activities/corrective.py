"""Corrective actions' activities (issue 29): their record, and the count their effectiveness
check compares. Idempotent: the action's row only moves forward (by version), its events and
links are keyed; a count is a read."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from temporalio import activity

from reclamations.db.engine import SessionFactory
from reclamations.db.models import CorrectiveActionRow, CorrectiveEventRow, CorrectiveLinkRow
from reclamations.db.register import register_lines
from reclamations.db.upsert import insert_missing, upsert_newer
from reclamations.domain.corrective import CorrectiveAction

RECORD_ACTION_ACTIVITY = "record_corrective_action"
COUNT_CAUSE_ACTIVITY = "count_root_cause"


class CauseCount(BaseModel):
    root_cause: str
    first: date
    last: date


def action_row(action: CorrectiveAction) -> dict[str, object]:
    draft = action.draft
    return {
        "ident": action.ident,
        "title": draft.title,
        "status": action.status.value,
        "root_cause": draft.root_cause,
        "owner": draft.owner,
        "due_on": draft.due_on,
        "check_on": draft.check_on,
        "done_on": action.done_on,
        "opened_at": action.opened_at,
        "version": action.version,
        "snapshot": action.model_dump(mode="json", exclude={"events"}),
    }


async def recorded_actions(sessions: SessionFactory) -> list[CorrectiveAction]:
    """Every corrective action as last recorded, the oldest first (the register's sheet)."""
    async with sessions() as session:
        rows = await session.scalars(
            select(CorrectiveActionRow).order_by(
                CorrectiveActionRow.opened_at, CorrectiveActionRow.ident
            )
        )
        return [CorrectiveAction.model_validate(row.snapshot) for row in rows]


class CorrectiveActivities:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @activity.defn(name=RECORD_ACTION_ACTIVITY)
    async def record(self, action: CorrectiveAction) -> None:
        async with self._sessions.begin() as session:
            await upsert_newer(session, CorrectiveActionRow, action_row(action), "ident", "version")
            await insert_missing(
                session,
                CorrectiveEventRow,
                [
                    {
                        "ident": action.ident,
                        **e.model_dump(include={"seq", "type", "actor", "at", "summary"}),
                    }
                    for e in action.events
                ],
            )
            await insert_missing(
                session,
                CorrectiveLinkRow,
                [{"ident": action.ident, "reference": r} for r in action.draft.complaints],
            )

    @activity.defn(name=COUNT_CAUSE_ACTIVITY)
    async def count(self, wanted: CauseCount) -> int:
        """Complaints of the root cause sent in the period (the register's lines: only the
        complaints, not what was requalified)."""
        lines = await register_lines(self._sessions, wanted.first, wanted.last)
        return sum(
            1 for line in lines if line.is_complaint and line.root_cause == wanted.root_cause
        )
