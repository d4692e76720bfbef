"""Search attributes: what operators filter complaints by in the Temporal Web UI.

    ComplaintStatus = 'overdue'        FinalDue < '2027-02-01'        Medical = true

Search attributes are not encrypted by the payload codec: they never hold personal data.
Deadlines are indexed at noon in the team's time zone, which is the same UTC day everywhere
in France, overseas included, so a query by date reads as the agents' calendar does.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributeUpdate,
)

from reclamations.domain.clock import local_instant
from reclamations.domain.complaint import Complaint
from reclamations.domain.intake import CATEGORY_LABELS, CHANNEL_LABELS, ComplaintIntake


def summary(reference: str, intake: ComplaintIntake) -> str:
    """What the Web UI lists the workflow by: never any personal data."""
    parts = [f"Réclamation {reference}", CHANNEL_LABELS[intake.channel]]
    if intake.category:
        parts.append(CATEGORY_LABELS[intake.category])
    if intake.medical:
        parts.append("médicale")
    return " · ".join(parts)


STATUS = SearchAttributeKey.for_keyword("ComplaintStatus")
CHANNEL = SearchAttributeKey.for_keyword("ComplaintChannel")
CATEGORY = SearchAttributeKey.for_keyword("ComplaintCategory")
ASSIGNED_TO = SearchAttributeKey.for_keyword("AssignedTo")
ACKNOWLEDGEMENT_DUE = SearchAttributeKey.for_datetime("AcknowledgementDue")
QUALITY_TARGET_DUE = SearchAttributeKey.for_datetime("QualityTargetDue")
FINAL_DUE = SearchAttributeKey.for_datetime("FinalDue")
MEDICAL = SearchAttributeKey.for_bool("Medical")
INCIDENT = SearchAttributeKey.for_bool("Incident")  # rule 14: a side effect failed for good

KEYS: tuple[SearchAttributeKey[Any], ...] = (
    STATUS,
    CHANNEL,
    CATEGORY,
    ASSIGNED_TO,
    ACKNOWLEDGEMENT_DUE,
    QUALITY_TARGET_DUE,
    FINAL_DUE,
    MEDICAL,
    INCIDENT,
)
INDEX_TIME = time(12)

# As `temporal server start-dev --search-attribute NAME=TYPE` spells the types.
SEARCH_TYPES = {key.name: key.indexed_value_type.name.title() for key in KEYS}


def _instant(day: date | None, timezone: str) -> datetime | None:
    return local_instant(day, INDEX_TIME, timezone) if day else None


def values_of(complaint: Complaint) -> dict[str, Any]:
    plan = complaint.plan
    return {
        STATUS.name: complaint.status.value,
        CHANNEL.name: complaint.intake.channel.value,
        CATEGORY.name: complaint.category,
        ASSIGNED_TO.name: complaint.assignee,
        ACKNOWLEDGEMENT_DUE.name: _instant(plan.acknowledgement_due, plan.timezone),
        QUALITY_TARGET_DUE.name: _instant(complaint.quality_target_due, plan.timezone),
        FINAL_DUE.name: _instant(plan.final_due, plan.timezone),
        MEDICAL.name: complaint.medical,
        INCIDENT.name: bool(complaint.open_incidents),
    }


def updates(previous: dict[str, Any], current: dict[str, Any]) -> list[SearchAttributeUpdate[Any]]:
    """The upserts that bring the indexed values from `previous` to `current`."""
    changes: list[SearchAttributeUpdate[Any]] = []
    for key in KEYS:
        if key.name not in current:
            continue
        value = current[key.name]
        if key.name in previous and previous[key.name] == value:
            continue
        changes.append(key.value_unset() if value is None else key.value_set(value))
    return changes
