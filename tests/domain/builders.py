"""Complaints for the domain tests, built from a valid email intake registered on NOW."""

from datetime import UTC, date, datetime

from reclamations.domain.complaint import AlarmKind, Complaint
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # Monday 1 March 2027, 10:00 in Paris


def complaint(**changes):
    data = {
        "channel": "email",
        "sent_on": "2027-03-01",
        "complainant": {"name": "A. Martin", "email": "a.martin@example.fr"},
        "subject": "Retard",
        "description": "Toujours rien.",
    }
    data.update(changes)
    intake = parse_intake(data, date(2027, 3, 1))
    return Complaint.open("R-1", intake, plan_complaint(intake, Policy()), NOW)


def pending(c):
    return [o.kind.value for o in c.pending_letters]


def at(day: date, hour: int = 10) -> datetime:
    """That day at `hour`, Paris time in winter."""
    return datetime(day.year, day.month, day.day, hour - 1, tzinfo=UTC)  # Paris, winter


def ring_until(c, moment: datetime) -> list[AlarmKind]:
    """Ring the complaint's alarms in their order until `moment`: the kinds rung."""
    rung = []
    while (alarm := c.next_alarm()) and alarm.at <= moment:
        rung.append(alarm.kind)
        c.ring(alarm.kind, alarm.at)
    return rung
