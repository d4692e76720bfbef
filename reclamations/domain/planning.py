"""The plan of a complaint: its deadlines and the policy, computed once at intake and frozen.

The shape of the system (docs/architecture.md): a later change of holiday data or code never
changes a running complaint's promises, so the workflow keeps this plan in its history and never
recomputes it.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from reclamations.domain.calendar import calendar_for
from reclamations.domain.deadlines import Deadline, acknowledgement_deadline, final_deadline
from reclamations.domain.intake import ComplaintIntake
from reclamations.domain.policy import Policy


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True)

    written: bool
    timezone: str
    calendar_label: str
    sent_on: date
    first_written_on: date
    acknowledgement: Deadline | None = None
    final: Deadline | None = None
    auto_acknowledge_on: date | None = None
    policy: Policy = Policy()

    @property
    def acknowledgement_due(self) -> date | None:
        return self.acknowledgement.due if self.acknowledgement else None

    @property
    def final_due(self) -> date | None:
        return self.final.due if self.final else None


def plan_complaint(intake: ComplaintIntake, policy: Policy) -> Plan:
    calendar = calendar_for(intake.calendar)
    sent_on = intake.sent_date
    plan = Plan(
        written=intake.is_written,
        timezone=calendar.timezone,
        calendar_label=calendar.label,
        sent_on=sent_on,
        first_written_on=intake.first_written_date,
        policy=policy,
    )
    if not intake.is_written:
        # rule 2: the deadlines run for written complaints only.
        return plan
    acknowledgement = acknowledgement_deadline(sent_on, calendar)
    auto_acknowledge_on = calendar.working_days_before(
        acknowledgement.due, policy.auto_acknowledge_working_days_before
    ).due
    return plan.model_copy(
        update={
            "acknowledgement": acknowledgement,
            "final": final_deadline(intake.first_written_date),
            "auto_acknowledge_on": max(auto_acknowledge_on, sent_on),
        }
    )
