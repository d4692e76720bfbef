"""The search index's table (`search_tokens`): written with the read model, read by searches
(issue 29). The same SQL on SQLite and PostgreSQL: the candidates from the token's index (an
`INTERSECT` of one lookup per word of a name, a `UNION` of the readings of the text), then
their complaints, the newest first (docs/architecture.md, "Search").

Erasing a complaint deletes its tokens: `erase_tokens(session, reference)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    delete,
    intersect,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, SearchTokenRow
from reclamations.db.upsert import Executor, insert_missing
from reclamations.domain.search import IDENTITY_KINDS, Key, MatchKind, Query, index_keys
from reclamations.security.blind_index import BlindIndex

# A search shows this many complaints at most, the newest first, and says when there were more.
LIMIT = 20


def token_rows(
    index: BlindIndex,
    reference: str,
    medical: bool,
    name: str,
    email: str | None,
    member_number: str | None,
    registered_at: datetime,
) -> list[dict[str, object]]:
    """The rows that index one complaint, from its identity in clear (never stored)."""
    return [
        {
            "reference": reference,
            "token": index.token(key.plain),
            # rule 11: a medical complainant's identity is found by the Médecin Conseil alone.
            "medical": medical and key.kind in IDENTITY_KINDS,
            "key_id": index.current_id,
            "registered_at": registered_at,
        }
        for key in index_keys(reference, name, email, member_number)
    ]


async def write_tokens(session: Executor, rows: list[dict[str, object]]) -> None:
    """Idempotent: a complaint's identity never changes, so a retry finds its tokens there."""
    await insert_missing(session, SearchTokenRow, rows)


async def erase_tokens(session: Executor, reference: str) -> None:
    await session.execute(delete(SearchTokenRow).where(SearchTokenRow.reference == reference))


@dataclass(frozen=True)
class Hit:
    reference: str
    registered_at: datetime
    # Which keys matched: to say why, and whether each word of a name matched as typed.
    matched: frozenset[Key]


@dataclass(frozen=True)
class Scope:
    """What the searcher may find: identities of medical complaints (the Médecin Conseil's),
    and, for an agent, only the unassigned complaints and their own."""

    medical_identities: bool
    only_for: str | None


class Lookups:
    """Each plain key of a search as its tokens under every key of the keyring."""

    def __init__(self, index: BlindIndex, query: Query) -> None:
        self.by_token: dict[str, Key] = {}
        for key in {*query.alone, *(k for group in query.words for k in group)}:
            for token in index.lookups(key.plain):
                self.by_token[token] = key
        self._index = index

    def tokens(self, keys: Iterable[Key]) -> list[str]:
        return sorted(t for k in keys for t in self._index.lookups(k.plain))


def _indexed(tokens: list[str], scope: Scope) -> Select[*tuple[Any, ...]]:
    found = select(SearchTokenRow.reference, SearchTokenRow.registered_at).where(
        SearchTokenRow.token.in_(tokens)
    )
    if not scope.medical_identities:
        found = found.where(SearchTokenRow.medical.is_(False))
    return found


def _candidates(
    query: Query, lookups: Lookups, scope: Scope, exact: bool
) -> CompoundSelect[*tuple[Any, ...]] | Select[*tuple[Any, ...]]:
    """The references of every reading of the search: its exact reference, a key that matches
    alone, or every word of a name. Each reading is a lookup on an index, their union the
    candidates: the complaints table is read for those alone. `exact` leaves out the words'
    variants (the first, better pass)."""
    readings: list[Select[*tuple[Any, ...]]] = []
    if query.reference:
        typed = {query.reference, query.reference.upper()}
        readings.append(
            select(ComplaintRow.reference, ComplaintRow.registered_at).where(
                ComplaintRow.reference.in_(typed)
            )
        )
    if query.alone:
        readings.append(_indexed(lookups.tokens(query.alone), scope))
    if query.words:
        groups = [[k for k in group if k.exact or not exact] for group in query.words]
        every = [_indexed(lookups.tokens(group), scope) for group in groups]
        readings.append(every[0] if len(every) == 1 else intersect(*every).subquery().select())
    return readings[0] if len(readings) == 1 else union(*readings)


# The newest this many candidates are read (from the token's index alone: each token carries
# its complaint's registration), then their complaints. A search that matches more is too
# broad to read through: it shows the newest and says there are more.
NARROW = 500


async def _newest_candidates(
    session: AsyncSession, query: Query, lookups: Lookups, scope: Scope, exact: bool
) -> list[str]:
    """The newest NARROW + 1 candidates' references (one more: whether there are others)."""
    candidates = _candidates(query, lookups, scope, exact).subquery()
    newest = (
        select(candidates.c.reference, candidates.c.registered_at)
        .distinct()
        .order_by(candidates.c.registered_at.desc(), candidates.c.reference)
        .limit(NARROW + 1)
    )
    return [reference for reference, _ in await session.execute(newest)]


def _newest(candidates: list[str], visible: ColumnElement[bool]) -> Select[str, datetime]:
    return (
        select(ComplaintRow.reference, ComplaintRow.registered_at)
        .where(ComplaintRow.reference.in_(candidates), visible)
        .order_by(ComplaintRow.registered_at.desc(), ComplaintRow.reference)
        .limit(LIMIT + 1)
    )


async def search(
    sessions: SessionFactory, index: BlindIndex, query: Query, scope: Scope
) -> tuple[list[Hit], bool]:
    """The complaints found, the newest first: those matching exactly, or else those matching
    with a typo forgiven; and whether there were more than LIMIT."""
    if query.empty:
        return [], False
    lookups = Lookups(index, query)
    visible: ColumnElement[bool] = true()
    if scope.only_for is not None:
        visible = or_(ComplaintRow.assignee.is_(None), ComplaintRow.assignee == scope.only_for)
    found: dict[str, datetime] = {}
    more = False
    async with sessions() as session:
        # The exact words first; the words forgiven a typo only when nothing matched exactly
        # (a name typed right finds its complaints, not its neighbours').
        for exact in (True, False):
            if found or (not exact and not query.words):
                break
            candidates = await _newest_candidates(session, query, lookups, scope, exact)
            # Beyond the newest NARROW, there may be more the searcher may see.
            more = len(candidates) > NARROW
            rows = await session.execute(_newest(candidates[:NARROW], visible))
            for reference, registered_at in rows.all():
                if len(found) == LIMIT:
                    more = True
                    break
                found[reference] = registered_at
        matched: dict[str, set[Key]] = {reference: set() for reference in found}
        if found and lookups.by_token:
            tokens = select(SearchTokenRow.reference, SearchTokenRow.token).where(
                SearchTokenRow.reference.in_(list(found)),
                SearchTokenRow.token.in_(sorted(lookups.by_token)),
            )
            if not scope.medical_identities:
                tokens = tokens.where(SearchTokenRow.medical.is_(False))
            for reference, token in (await session.execute(tokens)).all():
                matched[reference].add(lookups.by_token[token])
    hits = []
    for reference, registered_at in found.items():
        keys = set(matched[reference])
        if query.reference and reference.upper() == query.reference.upper():
            keys.add(Key(MatchKind.reference, reference))
        hits.append(Hit(reference, registered_at, frozenset(keys)))
    return hits, more
