"""Complaints for the domain tests, built from a valid email intake registered on NOW."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from reclamations.domain.actions import SealedValue
from reclamations.domain.complaint import AlarmKind, Complaint
from reclamations.domain.content import content_paths
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.domain.relative_days import dated

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


def example(name: str) -> Complaint:
    """One of the canonical intakes in examples/ ("phone_oral"), its relative days ("J-1")
    counted back from NOW, registered on NOW."""
    path = Path(__file__).parents[2] / "examples" / f"{name}.json"
    intake = parse_intake(dated(json.loads(path.read_text()), NOW), date(2027, 3, 1))
    return Complaint.open("R-1", intake, plan_complaint(intake, Policy()), NOW)


def sealed_for(c: Complaint) -> list[SealedValue]:
    """Every content text of `c`, as the service would seal it for a marking as medical (here
    a stand-in that says where it was)."""
    return [SealedValue(path=path, value=f"sealed:{path}") for path in content_paths(c)]


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


def said(c: Complaint, since: int = 0) -> list[tuple[str, str, str]]:
    """The record's lines from the `since`-th on, as the history shows them: type, actor and
    summary."""
    return [(e.type.value, e.actor, e.summary) for e in c.events[since:]]


def timetable(c: Complaint) -> list[tuple[str, str, str]]:
    """The alarms the complaint still waits for, in the order they ring: kind, local time
    (the complaint's time zone) and summary."""
    zone = ZoneInfo(c.plan.timezone)
    waiting = sorted(
        (a for a in c._alarms() if a.kind not in c.alarms_rung), key=lambda alarm: alarm.at
    )
    return [
        (a.kind.value, a.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), a.summary) for a in waiting
    ]
