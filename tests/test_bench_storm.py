"""The timer storm's complaints (bench/timer_storm.py) fall due on the day it runs, any day."""

from datetime import date, timedelta

from bench.timer_storm import storm_complaint
from reclamations.domain.calendar import calendar_for
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy


def test_every_day_of_a_year_has_its_storm() -> None:
    policy, calendar = Policy(), calendar_for()
    for offset in range(366):
        today = date(2026, 1, 1) + timedelta(days=offset)
        intake, plan = storm_complaint(today, "STORM-000001", policy)
        assert plan.auto_acknowledge_on == today
        # Its letter announces a target still to come, as a working day's storm letter does.
        assert plan.acknowledgement_due and plan.acknowledgement_due > today
        # The rules' own plan on a working day; moved to today only on a day they never
        # acknowledge on (rule 4: Sundays and public holidays).
        rules_plan = plan == plan_complaint(intake, policy)
        assert rules_plan == calendar.is_working_day(today), today
