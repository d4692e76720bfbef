"""Each agent's saved queue filters (issue 29)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from reclamations.db.engine import SessionFactory
from reclamations.db.models import SavedFilterRow

# An agent keeps this many at most: a list to choose from, not an archive.
MAX_SAVED = 20


async def saved_filters(sessions: SessionFactory, username: str) -> list[SavedFilterRow]:
    async with sessions() as session:
        rows = await session.scalars(
            select(SavedFilterRow)
            .where(SavedFilterRow.username == username)
            .order_by(SavedFilterRow.name)
        )
        return list(rows)


async def save_filter(
    sessions: SessionFactory, username: str, name: str, query: str, at: datetime
) -> bool:
    """Saved (a filter of the same name replaced); False when the agent has MAX_SAVED others."""
    async with sessions.begin() as session:
        others = await session.scalar(
            select(func.count())
            .select_from(SavedFilterRow)
            .where(SavedFilterRow.username == username, SavedFilterRow.name != name)
        )
        if (others or 0) >= MAX_SAVED:
            return False
        row = {"username": username, "name": name, "query": query, "created_at": at}
        await session.execute(
            delete(SavedFilterRow).where(
                SavedFilterRow.username == username, SavedFilterRow.name == name
            )
        )
        session.add(SavedFilterRow(**row))
    return True


async def delete_filter(sessions: SessionFactory, username: str, name: str) -> None:
    async with sessions.begin() as session:
        await session.execute(
            delete(SavedFilterRow).where(
                SavedFilterRow.username == username, SavedFilterRow.name == name
            )
        )
