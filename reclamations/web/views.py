"""Presentation helpers: how deadlines, risks and labels read in the UI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from reclamations.domain.access import ROLE_LABELS
from reclamations.domain.actions import (
    ACTION_LABELS,
    DECISION_LABELS,
    DELAY_REASON_LABELS,
    ESCALATION_LABELS,
    MEDIATION_STEP_LABELS,
)
from reclamations.domain.calendar import CALENDAR_NAMES, timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import STATUS_LABELS, Status
from reclamations.domain.corrective import (
    ACTION_EVENT_LABELS,
    ACTION_STATUS_LABELS,
    GROUP_BY_LABELS,
    TREND_LABELS,
)
from reclamations.domain.deadlines import DEADLINE_LABELS, SUSPENSION_LABELS, DeadlineKind
from reclamations.domain.files import MEDIA_TYPE_LABELS, UPLOADABLE
from reclamations.domain.french import long_date, percent
from reclamations.domain.intake import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    DOCUMENT_KIND_LABELS,
    FIELD_LABELS,
    field_label,
)
from reclamations.domain.letters import LETTER_LABELS
from reclamations.domain.register import Standing
from reclamations.web.forms import REASON_CHOICE

# rule 14: how a complaint's process ended outside the application (reconciliation).
PROCESS_ENDED_LABELS = {
    "terminated": "arrêté (terminate)",
    "canceled": "annulé",
    "failed": "en échec",
    "timed_out": "expiré",
}

CALENDAR_LABELS = {
    "national": "National",
    "alsace": "Alsace",
    "moselle": "Moselle",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}


def today(calendar: str = "national") -> date:
    return local_date(datetime.now(UTC), timezone_of(calendar))


def remaining(due: date | None, on: date, status: str = "") -> tuple[str, str]:
    """('dans 3 j', 'ok'): what is left before `due`, and the risk colour."""
    if status == Status.overdue:
        return ("délai de 2 mois dépassé", "overdue")
    if due is None:
        return ("—", "none")
    days = (due - on).days
    if days < 0:
        return (f"dépassé de {-days} j", "overdue")
    if days == 0:
        return ("aujourd'hui", "soon")
    return (f"dans {days} j", "soon" if days <= 2 else "ok")


def done_text(standing: Standing, answered_first: bool = False) -> str:
    """ "envoyé le 5 décembre 2026, en retard de 3 jours": what was done for a promise and when,
    late in words as well as in colour (RGAA: colour is never the only sign)."""
    if standing.kind == DeadlineKind.acknowledgement:
        verb = "réponse envoyée" if answered_first else "envoyé"
    else:
        verb = "répondue"
    said = f"{verb} le {long_date(standing.done_on)}" if standing.done_on else verb
    late = standing.days_late
    return f"{said}, en retard de {late} jour{'s' if late > 1 else ''}" if late else said


def local_time(instant: datetime, timezone: str) -> str:
    return instant.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def file_size(size: int) -> str:
    """ "12 Ko", "3,4 Mo": a size as French readers write it."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} Ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


# Browsers never fill a file field again: a refused intake says so beside it (issue 24).
DROPPED_FILES = (
    "Les fichiers choisis n'ont pas été gardés : choisissez-les de nouveau avant d'enregistrer"
)

TEMPLATE_GLOBALS = {
    "ACTION_STATUS_LABELS": {k.value: v for k, v in ACTION_STATUS_LABELS.items()},
    "ACTION_EVENT_LABELS": {k.value: v for k, v in ACTION_EVENT_LABELS.items()},
    "TREND_LABELS": {k.value: v for k, v in TREND_LABELS.items()},
    "GROUP_BY_LABELS": {k.value: v for k, v in GROUP_BY_LABELS.items()},
    "ACTION_LABELS": ACTION_LABELS,
    "DELAY_REASON_LABELS": DELAY_REASON_LABELS,
    "CALENDAR_LABELS": CALENDAR_LABELS,
    "CALENDAR_NAMES": CALENDAR_NAMES,
    "CATEGORY_LABELS": {k.value: v for k, v in CATEGORY_LABELS.items()},
    "CHANNEL_LABELS": {k.value: v for k, v in CHANNEL_LABELS.items()},
    "DEADLINE_LABELS": DEADLINE_LABELS,
    "DECISION_LABELS": {k.value: v for k, v in DECISION_LABELS.items()},
    "DOCUMENT_KIND_LABELS": {k.value: v for k, v in DOCUMENT_KIND_LABELS.items()},
    "ESCALATION_LABELS": ESCALATION_LABELS,
    "FIELD_LABELS": FIELD_LABELS,
    "LETTER_LABELS": {k.value: v for k, v in LETTER_LABELS.items()},
    "MEDIA_TYPE_LABELS": {k.value: v for k, v in MEDIA_TYPE_LABELS.items()},
    "PROCESS_ENDED_LABELS": PROCESS_ENDED_LABELS,
    "ROLE_LABELS": {k.value: v for k, v in ROLE_LABELS.items()},
    "STATUS_LABELS": {k.value: v for k, v in STATUS_LABELS.items()},
    "SUSPENSION_LABELS": {k.value: v for k, v in SUSPENSION_LABELS.items()},
    "REASON_CHOICE": REASON_CHOICE,
    "MEDIATION_STEP_LABELS": {k.value: v for k, v in MEDIATION_STEP_LABELS.items()},
    "ACCEPTED_FILES": ",".join(media.value for media in UPLOADABLE),
    "DROPPED_FILES": DROPPED_FILES,
    "field_label": field_label,
    "file_size": file_size,
    "local_time": local_time,
    "long_date": long_date,
    "percent": percent,
    "remaining": remaining,
    "done_text": done_text,
}
