"""Corrective actions through the door (issue 29): opened, followed and closed by supervisors
and compliance, each a workflow of its own; read from the record. An action shows root causes,
dates, people and complaints' references: never a complaint's content, so compliance reads it
whole (rule 11)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from reclamations.activities.corrective import recorded_actions
from reclamations.db.models import (
    ComplaintRow,
    CorrectiveActionRow,
    CorrectiveEventRow,
    CorrectiveLinkRow,
    aware,
)
from reclamations.domain.access import Principal, may_manage_corrective, may_read_complaints
from reclamations.domain.clock import local_date
from reclamations.domain.corrective import ActionDraft, CorrectiveAction
from reclamations.domain.errors import (
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    Unavailable,
    describe_errors,
)
from reclamations.service.base import UNAVAILABLE
from reclamations.service.disclosure import FIGURES_ONLY_MESSAGE, Disclosure
from reclamations.workflows.client import refusal_reason
from reclamations.workflows.corrective import (
    ACTION_TIMEZONE,
    ActionStep,
    CorrectiveActionWorkflow,
    action_workflow_id,
)

MANAGERS_ONLY = "Les actions correctives sont pour les superviseurs et la conformité."
STEPS = ("progress", "done", "cancel")


@dataclass(frozen=True)
class ActionPage:
    row: CorrectiveActionRow
    action: CorrectiveAction
    events: list[CorrectiveEventRow]


class CorrectivePart(Disclosure):
    def _check_manager(self, principal: Principal) -> None:
        if not may_manage_corrective(principal.role):
            raise Forbidden(MANAGERS_ONLY)

    async def open_action(self, principal: Principal, fields: dict[str, Any], now: datetime) -> str:
        """The action's identifier, once its workflow has started and recorded it. `now`: the
        moment it is opened (the caller's clock, as the workflow's timers will count it)."""
        self._check_manager(principal)
        today = local_date(now, ACTION_TIMEZONE)
        try:
            draft = ActionDraft.model_validate(fields)
        except ValidationError as error:
            raise Invalid(describe_errors(error)) from None
        problems = []
        if draft.root_cause not in self.typology.root_causes:
            problems.append(FieldError("root_cause", "cause racine inconnue"))
        if draft.due_on < today:
            problems.append(FieldError("due_on", "l'échéance est passée"))
        async with self._sessions() as session:
            known = set(
                await session.scalars(
                    select(ComplaintRow.reference).where(
                        ComplaintRow.reference.in_(draft.complaints)
                    )
                )
            )
        unknown = [r for r in draft.complaints if r not in known]
        if unknown:
            problems.append(
                FieldError("complaints", f"réclamations inconnues : {', '.join(unknown)}")
            )
        if problems:
            raise Invalid(problems)
        ident = f"AC-{today:%Y}-{secrets.token_hex(3).upper()}"
        action = CorrectiveAction.open(ident, draft, principal.name, now)
        try:
            await self._client.start_workflow(
                CorrectiveActionWorkflow.run,
                action,
                id=action_workflow_id(ident),
                task_queue=self._task_queue,
                static_summary=f"Action corrective {ident} : {draft.title}",
            )
        except RPCError as error:
            raise Unavailable(UNAVAILABLE) from error
        await self._action_recorded(ident, action.version)
        return ident

    async def act_on_action(
        self, principal: Principal, ident: str, kind: str, note: str
    ) -> CorrectiveAction:
        self._check_manager(principal)
        note = note.strip()
        if kind not in STEPS:
            raise Invalid([FieldError("kind", "étape inconnue")])
        if not 1 <= len(note) <= 2000:
            raise Invalid([FieldError("note", "obligatoire (2000 caractères au plus)")])
        handle = self._client.get_workflow_handle_for(
            CorrectiveActionWorkflow.run, action_workflow_id(ident)
        )
        try:
            action = await handle.execute_update(
                CorrectiveActionWorkflow.act, ActionStep(actor=principal.name, kind=kind, note=note)
            )
        except WorkflowUpdateFailedError as refused:
            raise Refused(refusal_reason(refused)) from None
        except RPCError as error:
            if await self._action_row(ident) is None:
                raise NotFound(f"Aucune action corrective {ident}.") from None
            raise Refused("L'action corrective est terminée.") from error
        await self._action_recorded(ident, action.version)
        return action

    async def actions(self, principal: Principal) -> list[CorrectiveActionRow]:
        self._check_manager(principal)
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CorrectiveActionRow).order_by(
                    CorrectiveActionRow.due_on, CorrectiveActionRow.ident
                )
            )
            return list(rows)

    async def register_actions(self, principal: Principal) -> list[CorrectiveAction]:
        """Every action whole, for the register's sheet."""
        self._check_manager(principal)
        return await recorded_actions(self._sessions)

    async def action_page(self, principal: Principal, ident: str) -> ActionPage:
        self._check_manager(principal)
        row = await self._action_row(ident)
        if row is None:
            raise NotFound(f"Aucune action corrective {ident}.")
        async with self._sessions() as session:
            events = await session.scalars(
                select(CorrectiveEventRow)
                .where(CorrectiveEventRow.ident == ident)
                .order_by(CorrectiveEventRow.seq)
            )
            shown = list(events)
        for event in shown:
            event.at = aware(event.at)  # SQLite drops the zone
        return ActionPage(
            row=row, action=CorrectiveAction.model_validate(row.snapshot), events=shown
        )

    async def actions_of_complaint(
        self, principal: Principal, reference: str
    ) -> list[CorrectiveActionRow]:
        """The actions a complaint is linked to, for its page (whoever may read it)."""
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CorrectiveActionRow)
                .join(CorrectiveLinkRow, CorrectiveLinkRow.ident == CorrectiveActionRow.ident)
                .where(CorrectiveLinkRow.reference == reference)
                .order_by(CorrectiveActionRow.opened_at)
            )
            return list(rows)

    async def _action_row(self, ident: str) -> CorrectiveActionRow | None:
        async with self._sessions() as session:
            return await session.get(CorrectiveActionRow, ident)

    async def _action_recorded(self, ident: str, version: int) -> None:
        """Until the record shows this version (its workflow writes it right away)."""
        for _ in range(200):
            row = await self._action_row(ident)
            if row is not None and row.version >= version:
                return
            await asyncio.sleep(0.03)
