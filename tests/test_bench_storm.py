"""The timer storm's complaints (bench/timer_storm.py) fall due on the day it runs, any day,
with the letter a working day's storm sends."""

from datetime import UTC, date, time, timedelta

from bench.same_work import ring_first_letter
from bench.timer_storm import storm_complaint
from reclamations.domain.calendar import calendar_for
from reclamations.domain.clock import local_instant
from reclamations.domain.complaint import Complaint
from reclamations.domain.letters import LetterKind
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy


def test_every_day_of_a_year_has_its_storm_of_acknowledgements() -> None:
    policy, calendar = Policy(), calendar_for()
    for offset in range(366):
        today = date(2026, 1, 1) + timedelta(days=offset)
        intake, plan = storm_complaint(today, "STORM-000001", policy)
        assert plan.auto_acknowledge_on == today
        # The rules' own plan on a working day; moved to today only on a day they never
        # acknowledge on (rule 4: Sundays and public holidays).
        assert (plan == plan_complaint(intake, policy)) == calendar.is_working_day(today), today
        # Its alarm rings today and orders the acknowledgement, announcing the quality target
        # a few days ahead, never late.
        registered = local_instant(today, time(6), plan.timezone).astimezone(UTC)
        complaint = Complaint.open("STORM-000001", intake, plan, registered)
        letter = ring_first_letter(complaint)
        assert letter.at == local_instant(today, policy.start_of_day, plan.timezone), today
        assert letter.order.kind is LetterKind.acknowledgement
        announced = letter.order.facts.expected_on
        assert not letter.order.facts.late and announced == letter.quality_target_due, today
        assert announced and today < announced <= today + timedelta(days=7), (today, announced)
