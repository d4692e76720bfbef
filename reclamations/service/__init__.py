"""The one door: every entry point registers, reads and acts on complaints through here.

The API, the agents' UI, `starter.py`, `complaints simulate` and the tests' office parse input
and present results; `ComplaintService` does the rest, the same way for all of them:
- it knows the caller, an authenticated `Principal`, and asks `domain.access` what that
  principal may read and do (rule 15); the principal is the actor on the record;
- it validates input from outside (where a value that looks sealed is refused), seals a medical
  complaint's content for that complaint alone, and opens it only for the Médecin Conseil
  (rule 11);
- it talks to the workflow and turns Temporal's answers into `domain.errors` (NotFound,
  Forbidden, Refused, Invalid, Unavailable), whose messages never carry complainant content.

The door is one class made of parts, one module each, by what callers do: `register`,
`read`, `act`, `files`, `mail` (messages from the mail intake), `scans` (a scan's text),
`erasure` and `person` (issue 28), `search` and `corrective` (issue 29); `disclosure` (what a
principal may see) and `base` (the wiring, the complaint from its workflow or its record)
serve them all. The door is not a workflow: it runs in the web process, the starter, the mail
intake and the simulation; in a worker only for the daily retention run's activity
(activities/retention.py), never in a workflow.
"""

from __future__ import annotations

from reclamations.service.act import ActPart
from reclamations.service.base import ReferenceAllocator
from reclamations.service.corrective import ActionPage, CorrectivePart
from reclamations.service.disclosure import WITHHELD, Reading
from reclamations.service.erasure import Erasure, ErasurePart
from reclamations.service.files import DocumentFile, FilesPart, Upload
from reclamations.service.mail import MailPart, Taken
from reclamations.service.person import PersonData, PersonPart
from reclamations.service.read import Dossier, Letter, ReadPart
from reclamations.service.register import Registered, RegisterPart
from reclamations.service.scans import ScansPart
from reclamations.service.search import Found, SearchPart, SearchResult


class ComplaintService(
    MailPart,
    ScansPart,
    RegisterPart,
    FilesPart,
    ReadPart,
    ActPart,
    ErasurePart,
    PersonPart,
    SearchPart,
    CorrectivePart,
):
    """The one door (see the module): each part brings what one kind of caller does."""


__all__ = [
    "WITHHELD",
    "ActionPage",
    "ComplaintService",
    "DocumentFile",
    "Dossier",
    "Erasure",
    "Found",
    "Letter",
    "PersonData",
    "Reading",
    "ReferenceAllocator",
    "Registered",
    "SearchResult",
    "Taken",
    "Upload",
]
