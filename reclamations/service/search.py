"""Finding complaints (issue 29): the same search for the agents' pages and the API, only
what the searcher may see (rules 11 and 15); and each agent's saved queue filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from reclamations.db.models import ComplaintRow, SavedFilterRow
from reclamations.db.saved_filters import delete_filter, save_filter, saved_filters
from reclamations.db.search import Scope, search
from reclamations.domain.access import (
    Principal,
    can_read_content,
    may_read_complaints,
    sees_everything,
)
from reclamations.domain.errors import FieldError, Forbidden, Invalid
from reclamations.domain.search import MATCH_LABELS, MatchKind, parse_query
from reclamations.security.blind_index import BlindIndex
from reclamations.service.disclosure import FIGURES_ONLY_MESSAGE, Disclosure

# What a result shows: never the snapshot, which a search has no need to read.
SHOWN = (
    ComplaintRow.reference,
    ComplaintRow.status,
    ComplaintRow.medical,
    ComplaintRow.complainant_name,
    ComplaintRow.subject,
    ComplaintRow.assignee,
    ComplaintRow.next_deadline_on,
)


@dataclass(frozen=True)
class Found:
    """One complaint found, as the searcher may see it, and why it matched."""

    reference: str
    status: str
    medical: bool
    # None where the searcher may not read it (a medical complaint, but for the Médecin Conseil).
    complainant_name: str | None
    subject: str | None
    assignee: str | None
    next_deadline_on: date | None
    registered_at: datetime
    matched: list[MatchKind]
    # A name found with a word forgiven a typo, rather than every word as typed.
    approximate: bool

    @property
    def why(self) -> str:
        labels = [MATCH_LABELS[kind] for kind in self.matched]
        if self.approximate:
            labels = [f"{label} (approché)" if label == "nom" else label for label in labels]
        return ", ".join(labels)


@dataclass(frozen=True)
class SearchResult:
    text: str
    found: list[Found]
    more: bool  # more complaints matched than are shown: the searcher says more


class SearchPart(Disclosure):
    async def search(self, principal: Principal, text: str) -> SearchResult:
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        query = parse_query(text)
        # rules 11 and 15, as domain.access says them: who reads a medical complainant's
        # identity, who sees every complaint.
        scope = Scope(
            medical_identities=can_read_content(principal.role, medical=True),
            only_for=None if sees_everything(principal.role) else principal.name,
        )
        hits, more = await search(self._sessions, BlindIndex(self._keyring), query, scope)
        wanted = select(*SHOWN).where(ComplaintRow.reference.in_([h.reference for h in hits]))
        async with self._sessions() as session:
            rows = {row.reference: row for row in (await session.execute(wanted)).all()}
        found = []
        for hit in hits:
            row = rows[hit.reference]
            readable = can_read_content(principal.role, row.medical)
            # issue 28: a medical complainant's name is sealed with their complaint's own key.
            keyring = await self._keyring_of(row.reference, row.medical) if readable else None
            kinds = sorted({key.kind for key in hit.matched}, key=list(MatchKind).index)
            names = [key for key in hit.matched if key.kind is MatchKind.name]
            exact_words = {key.part for key in names if key.exact}
            found.append(
                Found(
                    reference=row.reference,
                    status=row.status,
                    medical=row.medical,
                    complainant_name=self._open(row.reference, row.complainant_name, keyring)
                    if keyring
                    else None,
                    subject=self._open(row.reference, row.subject, keyring) if keyring else None,
                    assignee=row.assignee,
                    next_deadline_on=row.next_deadline_on,
                    registered_at=hit.registered_at,
                    matched=kinds,
                    approximate=bool(names) and len(exact_words) < len(query.words),
                )
            )
        return SearchResult(text=query.text, found=found, more=more)

    async def saved_filters(self, principal: Principal) -> list[SavedFilterRow]:
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        return await saved_filters(self._sessions, principal.name)

    async def save_filter(self, principal: Principal, name: str, query: str) -> None:
        """The queue's address (`query`, its filters and sort) kept under `name`."""
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        name = " ".join(name.split())
        if not 1 <= len(name) <= 60:
            raise Invalid([FieldError("name", "nom du filtre : de 1 à 60 caractères")])
        if len(query) > 500:
            raise Invalid([FieldError("query", "filtre trop long")])
        if not await save_filter(self._sessions, principal.name, name, query, datetime.now(UTC)):
            raise Invalid(
                [FieldError("name", "20 filtres enregistrés au plus : supprimez-en un d'abord")]
            )

    async def delete_filter(self, principal: Principal, name: str) -> None:
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        await delete_filter(self._sessions, principal.name, name)
