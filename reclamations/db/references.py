"""Generated references (REC-2026-000123) for complaints that arrive without one."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from reclamations.db.engine import SessionFactory
from reclamations.db.models import ReferenceCounterRow


def format_reference(year: int, number: int) -> str:
    return f"REC-{year}-{number:06d}"


async def next_reference(sessions: SessionFactory, year: int) -> str:
    """The next free number of the year; concurrent callers never get the same one."""
    for _ in range(5):
        async with sessions.begin() as session:
            bumped = await session.execute(
                update(ReferenceCounterRow)
                .where(ReferenceCounterRow.year == year)
                .values(last_number=ReferenceCounterRow.last_number + 1)
                .returning(ReferenceCounterRow.last_number)
            )
            number = bumped.scalar_one_or_none()
            if number is not None:
                return format_reference(year, number)
        try:
            async with sessions.begin() as session:
                session.add(ReferenceCounterRow(year=year, last_number=1))
            return format_reference(year, 1)
        except IntegrityError:
            continue  # another caller created the year's counter first: bump it
    raise RuntimeError(f"could not allocate a reference for {year}")


async def last_number(sessions: SessionFactory, year: int) -> int:
    async with sessions() as session:
        value = await session.scalar(
            select(ReferenceCounterRow.last_number).where(ReferenceCounterRow.year == year)
        )
        return value or 0
