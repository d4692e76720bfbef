"""Erasure of a complaint's personal data (issue 28), on request (RGPD art. 17) or at the end of
its retention (art. 5(1)(e), the daily Schedule): through the one door, like every other act.

First the complaint's own key is destroyed (crypto-shredding): every copy sealed with it, its
Temporal history and the archives of it included, becomes unreadable at once. Then each store
is reduced to what the register needs (rule 13), so that past months' figures never change:
the record keeps its dates, typology, decision and figures, with "[effacé]" in place of every
personal or free-text value; letters, outbox files and documents' files are removed.

The steps are done in order and counted in the `erasures` table: each is idempotent, so an
erasure interrupted (a crash, a store down) is finished by running it again, by
`complaints erase --pending` or by the next daily run, and shows as pending until then, never
half-done in silence. The audit log records who erased which reference and why: no personal
data.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from reclamations.db.engine import compact
from reclamations.db.logins import AuditKind, audit
from reclamations.db.models import (
    ComplaintRow,
    ErasureRow,
    EventRow,
    FollowAddressRow,
    FollowLinkRow,
    FollowMailRow,
    LegalHoldRow,
    LetterRow,
)
from reclamations.db.search import erase_tokens
from reclamations.db.snapshot import complaint_from, snapshot_of
from reclamations.domain.access import Principal, may_erase
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.errors import Forbidden, NotFound, Refused, Unavailable
from reclamations.domain.retention import (
    ERASED,
    ErasureReason,
    HoldReason,
    erased,
    erasure_refusal,
)
from reclamations.service.base import DoorBase
from reclamations.storage.files import StoreUnavailable
from reclamations.workflows.messages import workflow_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erasure:
    reference: str
    steps_done: int
    completed: bool


class ErasurePart(DoorBase):
    async def erase(
        self,
        principal: Principal,
        reference: str,
        now: datetime,
        reason: ErasureReason = ErasureReason.request,
        client: str = "",
    ) -> Erasure:
        """Erase the complaint `reference` now, or refuse saying why; one already begun is
        finished."""
        if not may_erase(principal.role):
            raise Forbidden("Seule la conformité peut effacer une réclamation.")
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
            begun = await session.get(ErasureRow, reference)
            holds = list(
                await session.scalars(
                    select(LegalHoldRow.reason).where(LegalHoldRow.reference == reference)
                )
            )
        if row is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        if begun is not None and begun.completed_at is not None:
            raise Refused(f"La réclamation {reference} est déjà effacée.")
        if begun is None:
            # Days of the complaint's own team, as its deadlines were counted.
            zone = timezone_of(row.calendar)
            closed_on = local_date(row.closed_at, zone) if row.closed_at else None
            refusal = erasure_refusal(
                self.retention,
                row.stage,
                closed_on,
                [HoldReason(hold) for hold in holds],
                local_date(now, zone),
                reason,
            )
            if refusal is None and await self._running(reference):
                refusal = "son processus Temporal est encore en cours"
            if refusal is not None:
                raise Refused(f"Effacement de {reference} refusé : {refusal}.")
            async with self._sessions.begin() as session:
                session.add(
                    ErasureRow(
                        reference=reference,
                        requested_by=principal.name[:100],
                        reason=reason.value,
                        requested_at=now,
                        steps_done=0,
                    )
                )
            await audit(
                self._sessions,
                AuditKind.erasure_started,
                principal.name,
                client,
                now,
                f"{reference} ({reason.value})",
            )
        return await self._carry_on(principal, reference, now, client)

    async def pending_erasures(self) -> list[str]:
        """Erasures begun and not finished: what `--pending` and the daily run complete."""
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(ErasureRow.reference)
                    .where(ErasureRow.completed_at.is_(None))
                    .order_by(ErasureRow.requested_at)
                )
            )

    async def place_hold(
        self, principal: Principal, reference: str, reason: HoldReason, now: datetime
    ) -> None:
        if not may_erase(principal.role):
            raise Forbidden("Seule la conformité peut poser une conservation imposée.")
        async with self._sessions.begin() as session:
            if await session.get(ComplaintRow, reference) is None:
                raise NotFound(f"Aucune réclamation {reference}.")
            await session.merge(
                LegalHoldRow(
                    reference=reference,
                    reason=reason.value,
                    placed_by=principal.name[:100],
                    placed_at=now,
                )
            )

    async def lift_hold(self, principal: Principal, reference: str) -> None:
        if not may_erase(principal.role):
            raise Forbidden("Seule la conformité peut lever une conservation imposée.")
        async with self._sessions.begin() as session:
            hold = await session.get(LegalHoldRow, reference)
            if hold is None:
                raise NotFound(f"Aucune conservation imposée sur {reference}.")
            await session.delete(hold)

    async def _running(self, reference: str) -> bool:
        try:
            described = await self._client.get_workflow_handle(workflow_id(reference)).describe()
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return False
            raise Unavailable("Temporal est indisponible : rien n'a été effacé.") from error
        return described.status == WorkflowExecutionStatus.RUNNING

    def _steps(self) -> list[tuple[str, Callable[[str, datetime], Awaitable[None]]]]:
        """In this order: the key first, so that whatever follows fails, nothing sealed with
        it opens again."""
        return [
            ("clé détruite", self._destroy_key),
            ("historique Temporal supprimé", self._delete_history),
            ("dossier réduit au registre", self._reduce_record),
            ("courriers de la boîte d'envoi supprimés", self._delete_outbox),
            ("fichiers des documents supprimés", self._delete_files),
            ("base compactée", self._compact),
        ]

    async def _carry_on(
        self, principal: Principal, reference: str, now: datetime, client: str
    ) -> Erasure:
        async with self._sessions() as session:
            found = await session.get(ErasureRow, reference)
        assert found is not None
        done = found.steps_done
        steps = self._steps()
        for number, (name, step) in enumerate(steps[done:], start=done):
            try:
                await step(reference, now)
            except (StoreUnavailable, RPCError, OSError) as error:
                logger.error(
                    "Effacement de %s interrompu à l'étape %d (%s) : %s",
                    reference,
                    number + 1,
                    name,
                    type(error).__name__,
                )
                raise Unavailable(
                    f"Effacement de {reference} interrompu à l'étape « {name} » : "
                    "la clé est détruite, le reste sera terminé en relançant "
                    "`complaints erase --pending` (ou au prochain passage quotidien)."
                    if number > 0
                    else f"Effacement de {reference} interrompu avant toute suppression : "
                    "relancez-le."
                ) from None
            async with self._sessions.begin() as session:
                await session.execute(
                    update(ErasureRow)
                    .where(ErasureRow.reference == reference)
                    .values(steps_done=number + 1)
                )
        async with self._sessions.begin() as session:
            await session.execute(
                update(ErasureRow)
                .where(ErasureRow.reference == reference, ErasureRow.completed_at.is_(None))
                .values(completed_at=now)
            )
        await audit(self._sessions, AuditKind.erasure_done, principal.name, client, now, reference)
        return Erasure(reference, len(steps), completed=True)

    async def _destroy_key(self, reference: str, now: datetime) -> None:
        if self._keys is not None:
            await self._keys.destroy(reference, now)

    async def _delete_history(self, reference: str, now: datetime) -> None:
        """Its (closed) workflow's deletion asked of Temporal, which does it in the background;
        until then, and in any archive, its history stays sealed with the destroyed key."""
        request = DeleteWorkflowExecutionRequest(
            namespace=self._client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=workflow_id(reference)),
        )
        try:
            await self._client.workflow_service.delete_workflow_execution(request)
        except RPCError as error:
            # Gone already; or a server without deletion (the time-skipping test server):
            # there the history stays, unreadable, until the namespace's retention ends.
            if error.status not in (RPCStatusCode.NOT_FOUND, RPCStatusCode.UNIMPLEMENTED):
                raise

    async def _reduce_record(self, reference: str, now: datetime) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(ComplaintRow, reference)
            if row is None:
                return
            row.snapshot = snapshot_of(erased(complaint_from(row.snapshot)))
            row.complainant_name = ERASED
            row.subject = ERASED
            await session.execute(
                update(EventRow)
                .where(EventRow.reference == reference, EventRow.note.is_not(None))
                .values(note=ERASED)
            )
            await session.execute(
                update(LetterRow)
                .where(LetterRow.reference == reference)
                .values(recipient=ERASED, subject=ERASED, body=ERASED, layout=None, location=None)
            )
            # Nothing left to find the complaint by (issue 29's index: hashes of the name, email
            # and member number) or to open it with (issue 26's private links, the address
            # a new link is asked from, a link's email owed).
            await erase_tokens(session, reference)
            for model in (FollowLinkRow, FollowAddressRow, FollowMailRow):
                await session.execute(delete(model).where(model.reference == reference))

    async def _delete_outbox(self, reference: str, now: datetime) -> None:
        if self._outbox is None:
            return
        for kind in ("post", "email"):
            folder = self._outbox / kind / reference
            if folder.exists():
                shutil.rmtree(folder)

    async def _delete_files(self, reference: str, now: datetime) -> None:
        if self._files is not None:
            await self._files.delete_complaint(reference)

    async def _compact(self, reference: str, now: datetime) -> None:
        """The pages as they were before the erasure, gone from SQLite's log too."""
        await compact(self._sessions)
