"""How far ahead the system acts before each deadline. Frozen into each complaint at intake."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field


def _hour_or_time(value: Any) -> Any:
    return time(value) if isinstance(value, int) else value


TimeOfDay = Annotated[time, BeforeValidator(_hour_or_time)]


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    # rule 4: an unqualified complaint is acknowledged this many jours ouvrables
    # before its due date, so the letter always goes out in time.
    auto_acknowledge_working_days_before: int = Field(2, ge=0, le=9)
    # rule 6: agents are warned this many days before a date announced to the complainant
    # (and before the mediator's answer is due, rule 18).
    quality_warning_days_before: int = Field(3, ge=0, le=14)
    # rule 7: escalation to the quality service this many days before the final deadline.
    escalation_days_before_final: int = Field(10, ge=0, le=50)
    # rule 6: the new expected date announced when the target slips (capped at final).
    expected_answer_extension_days: int = Field(15, ge=1, le=60)
    # rule 10: how long an answered complaint stays open for a contest.
    contest_window_days: float = Field(60, gt=0, le=400)
    # rule 18: how long after the year to refer to the mediator the complaint still waits for
    # a referral made within the year (judged on its own date, it reaches the insurer with the
    # mediator's notice, weeks later).
    mediation_referral_grace_days: int = Field(60, ge=0, le=365)
    # rule 2: how long an oral complaint waits for its written confirmation.
    oral_confirmation_days: float = Field(30, gt=0, le=400)
    # Local times at which the system acts: morning for warnings, evening for a target day.
    # (Complaints planned before these were times of day kept whole hours, under the names
    # start_of_day_hour and end_of_day_hour: those still read.)
    start_of_day: TimeOfDay = Field(
        time(8), validation_alias=AliasChoices("start_of_day", "start_of_day_hour")
    )
    end_of_day: TimeOfDay = Field(
        time(18), validation_alias=AliasChoices("end_of_day", "end_of_day_hour")
    )
    # How long one attempt at a letter or a record may take before Temporal tries again
    # (a worker that died mid-attempt is noticed after this long).
    activity_timeout_seconds: int = Field(60, ge=2, le=600)
    # How long the record is tried within the workflow task that changed the complaint (a local
    # activity: the complaint's timers and an agent's action wait for it) before an ordinary
    # activity takes over. Well under Temporal's 10 s for a workflow task, which a longer
    # local activity would have to extend with heartbeats (more events in the history).
    local_record_seconds: float = Field(5, gt=0, le=5)
    # A complaint that lives long (a year of mediation, many actions) continues as new once its
    # history holds this many events, so that a worker replays a short history, never a year's
    # (Temporal also asks for it by itself near its own limits).
    history_events_per_run: int = Field(2_000, ge=50, le=40_000)
