"""Rewriting the search index (issue 29) from the record: for complaints registered before it
existed (after the upgrade to 0011), and after a key rotation, to make every token under the
current key. `complaints db reindex-search` runs it; running it again gives the same index."""

from __future__ import annotations

from sqlalchemy import delete, select

from reclamations.activities.records import search_tokens
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, ErasureRow, SearchTokenRow
from reclamations.db.search import write_tokens
from reclamations.db.snapshot import complaint_from
from reclamations.security.blind_index import BlindIndex
from reclamations.security.complaint_keys import ComplaintKeys, keyring_of
from reclamations.security.keyring import Keyring

BATCH = 500


async def reindex(sessions: SessionFactory, keyring: Keyring) -> int:
    """How many complaints were indexed. One batch per transaction: the record keeps being
    written meanwhile (a complaint's identity never changes, so the two agree). An erased
    complaint has nothing left to find it by (issue 28); a medical one's identity is opened
    with its own key."""
    done, after = 0, ""
    index, keys = BlindIndex(keyring), ComplaintKeys(sessions, keyring)
    while True:
        async with sessions() as session:
            rows = (
                await session.scalars(
                    select(ComplaintRow)
                    .where(ComplaintRow.reference > after)
                    .order_by(ComplaintRow.reference)
                    .limit(BATCH)
                )
            ).all()
            references = [row.reference for row in rows]
            erased = set(
                await session.scalars(
                    select(ErasureRow.reference).where(ErasureRow.reference.in_(references))
                )
            )
        if not rows:
            return done
        # The keys are read before the batch's transaction: SQLite has one connection.
        tokens = []
        for row in rows:
            if row.reference not in erased:
                own = await keyring_of(keys, keyring, row.reference, create=False)
                tokens += search_tokens(complaint_from(row.snapshot), own, index)
        async with sessions.begin() as session:
            await session.execute(
                delete(SearchTokenRow).where(SearchTokenRow.reference.in_(references))
            )
            await write_tokens(session, tokens)
        done += len(references) - len(erased)
        after = references[-1]
