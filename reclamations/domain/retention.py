"""How long a complaint's personal data is kept, and when an erasure may go ahead (issue 28).

RGPD art. 5(1)(e): data kept no longer than its purpose needs; art. 17: erased on request,
unless the law still asks to keep it (art. 17(3)(b) a legal duty, (e) legal claims). The
defaults and their sources are in docs/operations.md, "Conservation et effacement"; the
insurer's data protection officer has the last word and sets them in the configuration.

Every period counts from the complaint's closure (withdrawn, requalified or closed): before
it, the complaint is being handled and nothing is erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from reclamations.domain.content import CONTENT, IDENTITY, map_marked

M = TypeVar("M", bound=BaseModel)

# What an erased complaint shows wherever a personal or free-text value was.
ERASED = "[effacé]"
# What its record keeps there: marked sealed, so that the checks a value in clear takes (an
# email's format, say) let it through, and shown as ERASED to everyone (`shown_erased`).
ERASED_VALUE = "sealed:effacé"

# The stages after which a complaint is over (domain.complaint.records.TERMINAL), by value:
# the record's column holds the stage's name.
CLOSED_STAGES = frozenset({"closed", "withdrawn", "requalified"})


class HoldReason(StrEnum):
    """A legal duty to keep a complaint whatever its age (art. 17(3)(b) and (e))."""

    litigation = "litigation"
    mediation = "mediation"


HOLD_LABELS = {
    HoldReason.litigation: "litige en cours",
    HoldReason.mediation: "saisine du Médiateur en cours",
}


class ErasureReason(StrEnum):
    request = "request"  # the complainant asked (art. 17), through the compliance team
    retention = "retention"  # its retention period ended (art. 5(1)(e)), the daily Schedule


@dataclass(frozen=True)
class RetentionPolicy:
    """In days from closure. `complaint_days`: a complaint's file (content, identity, letters,
    documents); `request_days`: one requalified as a request for service or information (rule
    1), which no complaint-handling duty keeps; `erasure_minimum_days`: an erasure on request
    waits this long, so that what a mediator or a judge may still ask for is there;
    `aside_mail_days`: mail set aside (auto-replies, bounces, what could not be registered),
    kept from when the intake took it for the team to look at, belongs to no complaint an
    erasure reaches."""

    complaint_days: int = 5 * 365 + 1
    request_days: int = 2 * 365
    erasure_minimum_days: int = 365
    aside_mail_days: int = 90

    def kept_until(self, closed_on: date, stage: str) -> date:
        """The last day the complaint's personal data is kept."""
        days = self.request_days if stage == "requalified" else self.complaint_days
        return closed_on + timedelta(days=days)

    def aside_mail_kept_after(self, now: datetime) -> datetime:
        """Mail set aside before this instant (when the intake took it, not its `Date:`: an
        old mailbox read for the first time is looked at all the same) is forgotten."""
        return now - timedelta(days=self.aside_mail_days)

    def erasable_from(self, closed_on: date) -> date:
        return closed_on + timedelta(days=self.erasure_minimum_days)


def erasure_refusal(
    policy: RetentionPolicy,
    stage: str,
    closed_on: date | None,
    holds: list[HoldReason],
    today: date,
    reason: ErasureReason,
) -> str | None:
    """Why the complaint may not be erased now (in French, without personal data), or None."""
    if closed_on is None or stage not in CLOSED_STAGES:
        return "la réclamation n'est pas close : elle est encore traitée"
    if holds:
        labels = ", ".join(HOLD_LABELS[hold] for hold in sorted(holds))
        return f"conservation imposée ({labels})"
    if reason is ErasureReason.request and today < policy.erasable_from(closed_on):
        return (
            "délai minimal de conservation : effaçable à partir du "
            f"{policy.erasable_from(closed_on).strftime('%d/%m/%Y')}"
        )
    if reason is ErasureReason.retention and today <= policy.kept_until(closed_on, stage):
        return "durée de conservation non échue"
    return None


def erased(model: M) -> M:
    """`model` with every personal or free-text value (content and identity) erased."""
    return map_marked(model, (CONTENT, IDENTITY), lambda _path, _text: ERASED_VALUE)


def shown_erased(model: M) -> M:
    """`model` as anyone is shown it: what was erased reads ERASED."""
    return map_marked(
        model, (CONTENT, IDENTITY), lambda _path, text: ERASED if text == ERASED_VALUE else text
    )
