"""One complaint's life as a pure state machine: actions and alarms in, events and letters out.

The workflow feeds it agent actions and the instants its timers fire, then carries out what it
asks (send these letters, record these events). Everything here is deterministic: the only clock
is the `now` each method receives.

One model, `Complaint`, read in parts. Each module adds one concern to the one below, in a
straight line, so that each part calls only what it stands on and mypy checks every call:

- `records`: the stages, statuses, kinds and the records a complaint keeps;
- `state`: `ComplaintState`, every field of the complaint, what they say (status, deadlines,
  the promise) and the two ways the parts above write (the record, the letters ordered);
- `incidents`: `WithIncidents`, the side effects that failed and the letters they hold (rule 14);
- `mediation`: `WithMediation`, the year to go to the mediator and the mediation's steps (rule 18);
- `alarms`: `WithAlarms`, the timers and the dates announced to the complainant (rules 4 to 9);
- `acting`: `Complaint`, its opening and the agents' actions, each guard beside its effect.

A chain of subclasses rather than functions over one model: the workflow, the web and the tests
call the complaint's methods (`complaint.apply`, `complaint.ring`, `complaint.letter_sent`),
which stay where they were, and all the fields are declared once, in `ComplaintState`, in their
order, so that a complaint serialises as it always has (the workflow's history holds it).
"""

from reclamations.domain.complaint.acting import Complaint
from reclamations.domain.complaint.records import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS,
    TERMINAL,
    ActionRefused,
    Alarm,
    AlarmKind,
    Classification,
    DocumentRecord,
    Event,
    EventType,
    IncidentKind,
    LetterFacts,
    LetterOrder,
    MediationRecord,
    Status,
)

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "STATUS_LABELS",
    "TERMINAL",
    "ActionRefused",
    "Alarm",
    "AlarmKind",
    "Classification",
    "Complaint",
    "DocumentRecord",
    "Event",
    "EventType",
    "IncidentKind",
    "LetterFacts",
    "LetterOrder",
    "MediationRecord",
    "Status",
]
