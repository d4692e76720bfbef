"""Rewriting the search index (issue 29) from the record: for complaints registered before it
existed (after the upgrade to 0011), and after a key rotation, to make every token under the
current key. `complaints db reindex-search` runs it; running it again gives the same index."""

from __future__ import annotations

from sqlalchemy import delete, select

from reclamations.activities.records import search_tokens
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, SearchTokenRow
from reclamations.db.search import write_tokens
from reclamations.db.snapshot import complaint_from
from reclamations.security.keyring import Keyring

BATCH = 500


async def reindex(sessions: SessionFactory, keyring: Keyring) -> int:
    """How many complaints were indexed. One batch per transaction: the record keeps being
    written meanwhile (a complaint's identity never changes, so the two agree)."""
    done, after = 0, ""
    while True:
        async with sessions.begin() as session:
            rows = (
                await session.scalars(
                    select(ComplaintRow)
                    .where(ComplaintRow.reference > after)
                    .order_by(ComplaintRow.reference)
                    .limit(BATCH)
                )
            ).all()
            if not rows:
                return done
            references = [row.reference for row in rows]
            await session.execute(
                delete(SearchTokenRow).where(SearchTokenRow.reference.in_(references))
            )
            for row in rows:
                await write_tokens(session, search_tokens(complaint_from(row.snapshot), keyring))
            done += len(rows)
            after = references[-1]
