"""Reading the register out of the read model, for compliance exports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select

from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow
from reclamations.db.queue import of_entity
from reclamations.db.snapshot import DATES, classification_of, mediation_of, promises_of
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.register import RegisterLine


def _day(instant: datetime | None, zone: str) -> date | None:
    return local_date(instant, zone) if instant else None


class Dated(Protocol):
    """The columns a register line's deadlines come from: a whole row, or the queue's."""

    @property
    def reference(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def medical(self) -> bool: ...
    @property
    def calendar(self) -> str: ...
    @property
    def sent_on(self) -> date: ...
    @property
    def first_written_on(self) -> date: ...
    @property
    def acknowledgement_due_on(self) -> date | None: ...
    @property
    def quality_target_due_on(self) -> date | None: ...
    @property
    def final_due_on(self) -> date | None: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...
    @property
    def first_answered_at(self) -> datetime | None: ...
    @property
    def overdue(self) -> bool: ...


def dated_line(row: Dated, promised_on: date | None = None) -> RegisterLine:
    """A register line with its deadlines and what was done, without the typology: what the
    agents' screens need to say, as the register does, whether a promise was kept."""
    zone = timezone_of(row.calendar)
    return RegisterLine(
        reference=row.reference,
        channel=row.channel,
        category=row.category,
        status=row.status,
        medical=row.medical,
        sent_on=row.sent_on,
        first_written_on=row.first_written_on,
        acknowledgement_due=row.acknowledgement_due_on,
        quality_target_due=row.quality_target_due_on,
        final_due=row.final_due_on,
        acknowledged_on=_day(row.acknowledged_at, zone),
        first_answered_on=_day(row.first_answered_at, zone),
        overdue=row.overdue,
        promised_on=promised_on,
    )


def last_promise(promises: object) -> date | None:
    """The last date announced to the complainant (rule 6), from the snapshot's list."""
    dates = DATES.validate_python(promises or [])
    return dates[-1] if dates else None


def register_line(row: ComplaintRow) -> RegisterLine:
    # The typology and the promises live in the complaint's state, kept whole in the snapshot;
    # nothing of its content is read.
    typed, mediation = classification_of(row.snapshot), mediation_of(row.snapshot)
    return replace(
        dated_line(row, last_promise(promises_of(row.snapshot))),
        entity=row.entity,
        product_line=typed.product_line,
        reason=typed.reason,
        sub_reason=typed.sub_reason,
        complainant_type=typed.complainant_type.value if typed.complainant_type else None,
        managing_body=typed.managing_body,
        decision=row.decision,
        compensation=typed.compensation,
        root_cause=typed.root_cause,
        mediation_referred_on=mediation.referred_on if mediation else None,
        mediator=mediation.mediator if mediation else None,
        mediation_outcome=mediation.outcome if mediation else None,
    )


async def register_lines(
    sessions: SessionFactory,
    sent_from: date | None = None,
    sent_to: date | None = None,
    entity: tuple[str, bool] | None = None,
) -> list[RegisterLine]:
    """Complaints sent within [sent_from, sent_to], both included, oldest first; of one
    entity when given (its code, and whether it is the default one)."""
    query = select(ComplaintRow).order_by(ComplaintRow.sent_on, ComplaintRow.reference)
    if entity:
        query = query.where(of_entity(*entity))
    if sent_from:
        query = query.where(ComplaintRow.sent_on >= sent_from)
    if sent_to:
        query = query.where(ComplaintRow.sent_on <= sent_to)
    async with sessions() as session:
        return [register_line(row) for row in await session.scalars(query)]
