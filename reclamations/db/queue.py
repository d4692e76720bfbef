"""The agents' queue: open complaints, nearest deadline first, filtered, sorted and paged.
Every filter and the sort are plain values, kept in the page's address (issue 29)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select

from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow
from reclamations.db.snapshot import PROMISES
from reclamations.domain.complaint import OPEN_STATUSES

PAGE_SIZE = 50
# The status filter's value for every status, closed ones included.
ANY_STATUS = "all"


class SortKey(StrEnum):
    """The queue's sortable columns; a sort is one of them, ascending or descending."""

    deadline = "deadline"
    reference = "reference"
    sent_on = "sent_on"
    channel = "channel"
    status = "status"
    assignee = "assignee"


SORT_COLUMNS = {
    SortKey.deadline: ComplaintRow.next_deadline_on,
    SortKey.reference: ComplaintRow.reference,
    SortKey.sent_on: ComplaintRow.sent_on,
    SortKey.channel: ComplaintRow.channel,
    SortKey.status: ComplaintRow.status,
    SortKey.assignee: ComplaintRow.assignee,
}


@dataclass(frozen=True)
class Sort:
    key: SortKey = SortKey.deadline
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> Sort:
        """ "deadline" or "-deadline" (descending); anything else is the default sort."""
        name = text.removeprefix("-")
        if name not in SortKey.__members__:
            return cls()
        return cls(SortKey(name), text.startswith("-"))

    def __str__(self) -> str:
        return f"{'-' if self.descending else ''}{self.key.value}"


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    channel: str | None = None
    category: str | None = None
    assignee: str | None = None
    # Agents see the complaints assigned to them and those nobody has taken yet.
    only_for: str | None = None
    # rule 14: those with an incident, open or closed.
    incident: bool = False
    # rule 19: one entity's; complaints from before entities are the default one's.
    entity: str | None = None
    entity_is_default: bool = False
    # A promise or the final deadline already passed (the record's `overdue`).
    overdue: bool = False


@dataclass(frozen=True)
class QueueRow:
    reference: str
    status: str
    channel: str
    category: str | None
    medical: bool
    # None where the reader may not see them (a medical complaint, but for the Médecin Conseil).
    complainant_name: str | None
    subject: str | None
    assignee: str | None
    next_deadline_kind: str | None
    next_deadline_on: date | None
    overdue: bool
    incident: bool
    process_ended: str | None
    # What the register judges promises by (db.register.dated_line): the queue says which
    # were kept late, as the register counts them.
    calendar: str
    sent_on: date
    first_written_on: date
    acknowledgement_due_on: date | None
    quality_target_due_on: date | None
    final_due_on: date | None
    acknowledged_at: datetime | None
    first_answered_at: datetime | None
    # The dates announced to the complainant, kept in the snapshot (rule 6).
    promises: list[str] | None
    # Replies by email filed on it that no agent has opened yet (issue 27): "nouveau message".
    new_messages: int = 0


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


COLUMNS = (
    ComplaintRow.reference,
    ComplaintRow.status,
    ComplaintRow.channel,
    ComplaintRow.category,
    ComplaintRow.medical,
    ComplaintRow.complainant_name,
    ComplaintRow.subject,
    ComplaintRow.assignee,
    ComplaintRow.next_deadline_kind,
    ComplaintRow.next_deadline_on,
    ComplaintRow.overdue,
    ComplaintRow.incident,
    ComplaintRow.process_ended,
    ComplaintRow.calendar,
    ComplaintRow.sent_on,
    ComplaintRow.first_written_on,
    ComplaintRow.acknowledgement_due_on,
    ComplaintRow.quality_target_due_on,
    ComplaintRow.final_due_on,
    ComplaintRow.acknowledged_at,
    ComplaintRow.first_answered_at,
    ComplaintRow.snapshot[PROMISES].label("promises"),
)


Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def of_entity(code: str, is_default: bool) -> ColumnElement[bool]:
    """Complaints of that entity: those registered before entities belong to the default."""
    if is_default:
        return or_(ComplaintRow.entity == code, ComplaintRow.entity.is_(None))
    return ComplaintRow.entity == code


def _filtered(query: Query, f: QueueFilters) -> Query:
    if f.status == ANY_STATUS:
        pass  # every status, closed ones included
    elif f.status:
        query = query.where(ComplaintRow.status == f.status)
    elif not f.incident:  # an incident stays until mended, even on a closed complaint
        query = query.where(ComplaintRow.status.in_(OPEN_STATUSES))
    if f.incident:
        query = query.where(ComplaintRow.incident.is_(True))
    if f.overdue:
        query = query.where(ComplaintRow.overdue.is_(True))
    if f.channel:
        query = query.where(ComplaintRow.channel == f.channel)
    if f.category:
        query = query.where(ComplaintRow.category == f.category)
    if f.assignee:
        query = query.where(ComplaintRow.assignee == f.assignee)
    if f.entity:
        query = query.where(of_entity(f.entity, f.entity_is_default))
    if f.only_for:
        query = query.where(
            or_(ComplaintRow.assignee.is_(None), ComplaintRow.assignee == f.only_for)
        )
    return query


def _ordered(sort: Sort) -> list[Any]:
    """The sort's column, nulls last either way (no deadline, nobody assigned), then the
    reference, so that pages never share or skip a row."""
    column = SORT_COLUMNS[sort.key]
    first = (column.desc() if sort.descending else column.asc()).nulls_last()
    if sort.key is SortKey.reference:
        return [first]
    return [first, ComplaintRow.reference.desc() if sort.descending else ComplaintRow.reference]


async def queue_page(
    sessions: SessionFactory,
    filters: QueueFilters,
    page: int = 1,
    size: int = PAGE_SIZE,
    sort: Sort | None = None,
) -> QueuePage:
    page = max(page, 1)
    # The page's references first, sorted and counted off on the columns the filters and the
    # sort read, then those rows alone: the rows skipped are never read whole (each holds its
    # snapshot), which made a far page cost what every row before it did.
    chosen_query = (
        _filtered(select(ComplaintRow.reference), filters)
        .order_by(*_ordered(sort or Sort()))
        .limit(size)
        .offset((page - 1) * size)
    )
    count_query = _filtered(select(func.count()).select_from(ComplaintRow), filters)
    async with sessions() as session:
        total = (await session.execute(count_query)).scalar_one()
        chosen = list(await session.scalars(chosen_query))
        found = await session.execute(select(*COLUMNS).where(ComplaintRow.reference.in_(chosen)))
    place = {reference: number for number, reference in enumerate(chosen)}
    rows = sorted((QueueRow(**row._asdict()) for row in found), key=lambda r: place[r.reference])
    return QueuePage(rows=rows, total=total, page=page, pages=max(1, -(-total // size)))


async def assignees(sessions: SessionFactory) -> list[str]:
    query = select(ComplaintRow.assignee).where(ComplaintRow.assignee.is_not(None)).distinct()
    async with sessions() as session:
        return sorted(a for a in await session.scalars(query) if a)
