"""What every part of the door shares: its wiring, and the complaint as its workflow or, once
the workflow is gone or silent, the record holds it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    Client,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from reclamations.db.engine import SessionFactory, statements
from reclamations.db.models import ComplaintRow, ErasureRow, EventRow
from reclamations.db.references import next_reference
from reclamations.db.snapshot import complaint_from
from reclamations.domain.actions import Action
from reclamations.domain.complaint import Complaint, Event
from reclamations.domain.entities import DEFAULT_ENTITIES, Entities
from reclamations.domain.errors import Closed, NotFound, Refused, Unavailable
from reclamations.domain.files import DEFAULT_FILE_LIMITS, FileLimits
from reclamations.domain.policy import Policy
from reclamations.domain.retention import RetentionPolicy
from reclamations.domain.typology import DEFAULT_TYPOLOGY, Typology
from reclamations.security.complaint_keys import ComplaintKeys, keyring_of
from reclamations.security.keyring import Keyring
from reclamations.storage.files import FileStore
from reclamations.workflows.client import (
    ComplaintHandle,
    complaint_state,
    execute_action,
    refusal_reason,
)
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import workflow_id

UNAVAILABLE = "Temporal est indisponible : rien n'a été enregistré, réessayez."

# Query failures after which the record answers: the workflow is gone, or no worker answers.
ANSWERED_BY_THE_RECORD = (
    RPCStatusCode.NOT_FOUND,
    RPCStatusCode.FAILED_PRECONDITION,
    RPCStatusCode.DEADLINE_EXCEEDED,
)

ReferenceAllocator = Callable[[int], Awaitable[str]]


class DoorBase:
    def __init__(
        self,
        client: Client,
        sessions: SessionFactory,
        keyring: Keyring,
        task_queue: str,
        allocate_reference: ReferenceAllocator | None = None,
        files: FileStore | None = None,
        file_limits: FileLimits = DEFAULT_FILE_LIMITS,
        typology: Typology = DEFAULT_TYPOLOGY,
        entities: Entities | None = None,
        keys: ComplaintKeys | None = None,
        outbox: Path | None = None,
        retention: RetentionPolicy | None = None,
        policy: Policy | None = None,
    ) -> None:
        self.typology = typology
        self.entities = entities or DEFAULT_ENTITIES
        self._files = files
        self._file_limits = file_limits
        self._client = client
        self._sessions = sessions
        self._keyring = keyring
        self._task_queue = task_queue
        # Issue 28: each complaint's key, the letters' outbox and the retention periods, for
        # its erasure (service/erasure.py).
        self._keys = keys
        self._outbox = outbox
        self.retention = retention or RetentionPolicy()
        # How far ahead the system acts, planned into each complaint at intake (rule 4).
        self.policy = policy or Policy()
        self._allocate = allocate_reference or (lambda year: next_reference(sessions, year))

    async def _keyring_of(self, reference: str, medical: bool, create: bool = False) -> Keyring:
        """What a medical complaint's sealed values and files are sealed (`create`) or opened
        with: its own key (issue 28); nothing of another complaint is ever sealed or opened."""
        if not medical:
            return self._keyring
        return await keyring_of(self._keys, self._keyring, reference, create)

    def _handle(self, reference: str) -> ComplaintHandle:
        handle: ComplaintHandle = self._client.get_workflow_handle_for(
            ComplaintWorkflow.run, workflow_id(reference)
        )
        return handle

    async def _execute(self, reference: str, handle: ComplaintHandle, action: Action) -> Complaint:
        try:
            return await execute_action(handle, action)
        except WorkflowUpdateFailedError as refused:
            raise Refused(refusal_reason(refused)) from None
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            raise Unavailable(
                "Temporal n'a pas répondu à temps : vérifiez la réclamation avant de réessayer."
            ) from None
        except RPCError as error:
            raise await self._temporal_error(reference, error) from error

    async def _temporal_error(self, reference: str, error: RPCError) -> Exception:
        if error.status == RPCStatusCode.NOT_FOUND:
            if await self._stored(reference) is not None:
                return Closed("La réclamation est close : plus aucune action.")
            return NotFound(f"Aucune réclamation {reference}.")
        return Unavailable(UNAVAILABLE)

    async def _routing(self, reference: str) -> tuple[bool, str | None]:
        """(medical, assignee): from the record, or from the workflow of a complaint so new
        that the record does not have it yet."""
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
        if row is not None:
            return row.medical, row.assignee
        complaint = await self._stored(reference)
        if complaint is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        return complaint.medical, complaint.assignee

    async def _frozen(self, reference: str) -> Complaint:
        """The running complaint, as its workflow planned it."""
        complaint = await self._stored(reference)
        if complaint is None:
            raise Unavailable(f"La réclamation {reference} existe mais ne répond pas : réessayez.")
        return complaint

    async def _stored(self, reference: str, patience: timedelta | None = None) -> Complaint | None:
        """The complaint from its workflow (waiting a moment for one registered just now to
        open), or from the record once the workflow is gone or has no worker to answer."""
        # Polled every 10 ms, 5 s at most: a complaint registered just now may not be open yet.
        for _ in range(500):
            try:
                state = await complaint_state(self._client, reference, patience)
            except WorkflowQueryFailedError:
                return await self._recorded(reference)
            except RPCError as error:
                # Gone, or no worker to answer just now: the record says what is known.
                if error.status not in ANSWERED_BY_THE_RECORD:
                    raise Unavailable(UNAVAILABLE) from error
                return await self._recorded(reference)
            if state is not None:
                return await self._newer_on_record(state)
            await asyncio.sleep(0.01)
        return await self._recorded(reference)

    async def _newer_on_record(self, state: Complaint) -> Complaint:
        """The workflow's state, unless its record is newer: a closed complaint whose workflow
        ended, marked medical since on its record (service/medical.py), still answers queries
        with its state from before."""
        # The version alone (every read and every intake asks), not the row and its snapshot.
        async with statements(self._sessions, write=False) as connection:
            recorded = await connection.scalar(
                select(ComplaintRow.version).where(ComplaintRow.reference == state.reference)
            )
        newer = recorded is not None and recorded > state.version
        return (await self._recorded(state.reference) or state) if newer else state

    async def _erasure_begun(self, reference: str) -> bool:
        async with self._sessions() as session:
            return await session.get(ErasureRow, reference) is not None

    async def _recorded(self, reference: str) -> Complaint | None:
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
            if row is None:
                return None
            complaint = complaint_from(row.snapshot)
            complaint.events = await recorded_events(session, reference)
        return complaint


async def recorded_events(session: AsyncSession, reference: str) -> list[Event]:
    """The complaint's events as the record holds them (the snapshot leaves them out)."""
    rows = await session.scalars(
        select(EventRow).where(EventRow.reference == reference).order_by(EventRow.seq)
    )
    return [
        Event(
            seq=row.seq,
            at=row.at,
            type=row.type,
            actor=row.actor,
            summary=row.summary,
            note=row.note,
            on_behalf_of=row.on_behalf_of,
        )
        for row in rows
    ]
