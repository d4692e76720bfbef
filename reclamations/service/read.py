"""Reading complaints: one complaint, its page, the queue, a letter, the register's figures."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from reclamations.db.models import ComplaintRow, LetterRow
from reclamations.db.queue import QueueFilters, QueuePage, Sort, assignees, queue_page
from reclamations.db.register import register_lines
from reclamations.db.snapshot import complaint_from
from reclamations.domain.access import (
    Principal,
    Role,
    can_read_content,
    may_read_queue,
    may_read_register,
    sees_everything,
)
from reclamations.domain.complaint import Event
from reclamations.domain.errors import FieldError, Forbidden, Invalid, NotFound
from reclamations.domain.register import RegisterLine
from reclamations.mail import ledger as mail_ledger
from reclamations.service.base import recorded_events
from reclamations.service.disclosure import FIGURES_ONLY_MESSAGE, Disclosure, Reading


@dataclass(frozen=True)
class Dossier:
    """A complaint's page: the reading, its record and its letters."""

    row: ComplaintRow
    reading: Reading
    events: list[Event]
    letters: list[LetterRow]


@dataclass(frozen=True)
class Letter:
    row: LetterRow
    body: str


class ReadPart(Disclosure):
    async def read(self, principal: Principal, reference: str) -> Reading:
        # An erased complaint is read from its reduced record: its workflow's history no longer
        # opens (a worker that cached its key a moment ago would still replay it).
        erased = await self._erasure_begun(reference)
        complaint = await (self._recorded(reference) if erased else self._stored(reference))
        if complaint is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        self._check_visible(principal, complaint.assignee, reference)
        return self._reading(
            principal, complaint, await self._keyring_of(reference, complaint.medical)
        )

    async def dossier(self, principal: Principal, reference: str) -> Dossier:
        """A complaint's page, from the record the worker keeps."""
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
            if row is None:
                raise NotFound(f"Aucune réclamation {reference}.")
            self._check_visible(principal, row.assignee, reference)
            recorded = await recorded_events(session, reference)
            letters = await session.scalars(
                select(LetterRow)
                .where(LetterRow.reference == reference)
                .order_by(LetterRow.sent_at)
            )
            letter_rows = list(letters)
        keyring = await self._keyring_of(reference, row.medical)
        reading = self._reading(principal, complaint_from(row.snapshot), keyring)
        if principal.name == row.assignee:
            # Opened by its agent: its replies by email are no longer new (issue 27).
            await mail_ledger.mark_seen(self._sessions, reference, datetime.now(UTC))
        shown = [self._shown(principal, reading.complaint, event, keyring) for event in recorded]
        return Dossier(row=row, reading=reading, events=shown, letters=letter_rows)

    async def figures(
        self,
        principal: Principal,
        sent_from: date | None,
        sent_to: date | None,
        entity: str | None = None,
    ) -> list[RegisterLine]:
        """rules 13, 17 and 19: the register's lines (figures, never content), for
        compliance and supervisors, of one entity when given."""
        if not may_read_register(principal.role):
            raise Forbidden("Le registre est pour la conformité et les superviseurs.")
        return await register_lines(self._sessions, sent_from, sent_to, self.entity_filter(entity))

    def entity_filter(self, code: str | None) -> tuple[str, bool] | None:
        """(code, whether it is the default entity) for a filter; None for all entities."""
        if not code:
            return None
        if self.entities.get(code) is None:
            raise Invalid([FieldError("entity", "entité inconnue")])
        return code, code == self.entities.default.code

    async def queue(
        self, principal: Principal, filters: QueueFilters, page: int, sort: Sort | None = None
    ) -> QueuePage:
        """The queue this principal sees, each subject opened or withheld by the same rules."""
        _check_queue_reader(principal)
        if not sees_everything(principal.role):
            filters = dataclasses.replace(filters, only_for=principal.name)
        if filters.entity:
            _, is_default = self.entity_filter(filters.entity) or ("", False)
            filters = dataclasses.replace(filters, entity_is_default=is_default)
        result = await queue_page(self._sessions, filters, page, sort=sort or Sort())
        # The medical rows this principal reads: their complaints' keys in one query.
        opened = [
            r.reference for r in result.rows if r.medical and can_read_content(principal.role, True)
        ]
        keyrings = await self._keys.find_many(opened) if self._keys and opened else {}
        rows = []
        for row in result.rows:
            if not can_read_content(principal.role, row.medical):
                row = dataclasses.replace(row, complainant_name=None, subject=None)
            elif row.medical:
                keyring = keyrings.get(row.reference, self._keyring)
                row = dataclasses.replace(
                    row,
                    subject=self._open(row.reference, row.subject or "", keyring),
                    complainant_name=self._open(row.reference, row.complainant_name or "", keyring),
                )
            rows.append(row)
        # Replies by email the assigned agent has not opened (issue 27): no content, a count.
        unread = await mail_ledger.unread(self._sessions, [row.reference for row in rows])
        rows = [dataclasses.replace(r, new_messages=unread.get(r.reference, 0)) for r in rows]
        return dataclasses.replace(result, rows=rows)

    async def assignees(self, principal: Principal) -> list[str]:
        """Those complaints are assigned to, for the queue's filter."""
        _check_queue_reader(principal)
        return await assignees(self._sessions)

    async def recorded(self, reference: str, version: int) -> None:
        """Until the record shows this version of the complaint (the worker writes it right
        after the change), for a page that reads the record next; a few seconds at most."""
        for _ in range(100):
            async with self._sessions() as session:
                row = await session.get(ComplaintRow, reference)
            if row is not None and row.version >= version:
                return
            await asyncio.sleep(0.03)

    async def letter(
        self, principal: Principal, reference: str, kind: str, sequence: int
    ) -> Letter:
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
            letter = await session.get(LetterRow, (reference, kind, sequence))
        if row is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        self._check_visible(principal, row.assignee, reference)
        if not can_read_content(principal.role, row.medical):
            raise Forbidden("Courrier médical : réservé au Médecin Conseil.")
        if letter is None:
            raise NotFound("Courrier introuvable.")
        keyring = await self._keyring_of(reference, row.medical)
        body = self._open(reference, letter.body, keyring) if row.medical else letter.body
        return Letter(row=letter, body=body)


def _check_queue_reader(principal: Principal) -> None:
    if principal.role is Role.complainant:
        raise Forbidden("La file d'attente est réservée aux équipes de l'assureur.")
    if not may_read_queue(principal.role):
        raise Forbidden(FIGURES_ONLY_MESSAGE)
