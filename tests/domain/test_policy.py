"""The policy: how far ahead the system acts, frozen into each complaint at intake."""

from datetime import time

from reclamations.domain.policy import Policy


def test_times_of_day_default_to_eight_and_six():
    policy = Policy()
    assert (policy.start_of_day, policy.end_of_day) == (time(8), time(18))


def test_plans_made_with_whole_hours_still_read():
    # Complaints planned before times of day took minutes kept "start_of_day_hour": 8.
    policy = Policy.model_validate({"start_of_day_hour": 7, "end_of_day_hour": 19})
    assert (policy.start_of_day, policy.end_of_day) == (time(7), time(19))


def test_a_time_of_day_can_be_given_to_the_minute():
    assert Policy.model_validate({"start_of_day": "08:30"}).start_of_day == time(8, 30)
