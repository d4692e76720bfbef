"""The mail intake's ledger (table mail_messages): each message once, by its business key.

A message is claimed here before anything else is done for it, and the reference of the
complaint it makes is written here before that complaint is registered: a run after a crash
finds the same reference, and registering it again starts nothing new (rule 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from reclamations.db.engine import SessionFactory
from reclamations.db.models import MailMessageRow, aware


class Disposition(StrEnum):
    complaint = "complaint"  # a new complaint
    correspondence = "correspondence"  # joined a complaint as correspondence
    aside = "aside"  # for no one (auto-reply, bounce, loop) or not registrable


DISPOSITION_LABELS = {
    Disposition.complaint: "nouvelle réclamation",
    Disposition.correspondence: "correspondance jointe à une réclamation",
    Disposition.aside: "mis de côté",
}


@dataclass(frozen=True)
class Entry:
    key: str
    disposition: Disposition
    reference: str | None
    done: bool
    medical: bool
    reason: str | None


def _entry(row: MailMessageRow) -> Entry:
    return Entry(
        key=row.key,
        disposition=Disposition(row.disposition),
        reference=row.reference,
        done=row.done,
        medical=row.medical,
        reason=row.reason,
    )


async def claim(sessions: SessionFactory, row: MailMessageRow) -> tuple[Entry, bool]:
    """The message's entry, and whether this call made it: a key met before gives back what
    was decided then (the unique key holds across processes)."""
    fresh = _entry(row)
    try:
        async with sessions.begin() as session:
            session.add(row)
        return fresh, True
    except IntegrityError:
        found = await entry(sessions, row.key)
        if found is None:  # pragma: no cover - a row refused for another reason
            raise
        return found, False


async def entry(sessions: SessionFactory, key: str) -> Entry | None:
    async with sessions() as session:
        row = await session.get(MailMessageRow, key)
        return None if row is None else _entry(row)


async def set_reference(sessions: SessionFactory, key: str, reference: str) -> str:
    """Write the reference if none was written yet; the reference that stands either way."""
    async with sessions.begin() as session:
        await session.execute(
            update(MailMessageRow)
            .where(MailMessageRow.key == key, MailMessageRow.reference.is_(None))
            .values(reference=reference)
        )
        stored = await session.scalar(
            select(MailMessageRow.reference).where(MailMessageRow.key == key)
        )
    assert stored is not None
    return stored


async def settle(
    sessions: SessionFactory,
    key: str,
    disposition: Disposition,
    reason: str | None = None,
    reference: str | None = None,
) -> None:
    """The message done with: what became of it."""
    values: dict[str, object] = {"done": True, "disposition": disposition.value}
    if reason is not None:
        values["reason"] = reason[:200]
    if reference is not None:
        values["reference"] = reference
    async with sessions.begin() as session:
        await session.execute(
            update(MailMessageRow).where(MailMessageRow.key == key).values(**values)
        )


async def unread(sessions: SessionFactory, references: list[str]) -> dict[str, int]:
    """How many replies each complaint holds that no agent has opened: "nouveau message"."""
    if not references:
        return {}
    async with sessions() as session:
        rows = await session.scalars(
            select(MailMessageRow).where(
                MailMessageRow.reference.in_(references),
                MailMessageRow.disposition == Disposition.correspondence.value,
                MailMessageRow.done.is_(True),
                MailMessageRow.seen_at.is_(None),
            )
        )
        counts: dict[str, int] = {}
        for row in rows:
            assert row.reference is not None
            counts[row.reference] = counts.get(row.reference, 0) + 1
    return counts


async def mark_seen(sessions: SessionFactory, reference: str, at: datetime) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(MailMessageRow)
            .where(
                MailMessageRow.reference == reference,
                MailMessageRow.disposition == Disposition.correspondence.value,
                MailMessageRow.seen_at.is_(None),
            )
            .values(seen_at=at)
        )


async def times(sessions: SessionFactory, key: str) -> dict[str, datetime | None]:
    """rule 3: the three times of a message and the sending time chosen among them."""
    async with sessions() as session:
        row = await session.get(MailMessageRow, key)
        if row is None:
            return {}
        return {
            name: aware(value) if value is not None else None
            for name, value in (
                ("date_header", row.date_header),
                ("first_received", row.first_received),
                ("arrived_at", row.arrived_at),
                ("sent_at", row.sent_at),
            )
        }
