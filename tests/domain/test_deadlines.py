"""rules 4, 5 and 7: the three deadlines of a written complaint."""

from datetime import date

import pytest

from reclamations.domain.calendar import calendar_for
from reclamations.domain.deadlines import (
    SuspensionPeriod,
    SuspensionReason,
    add_months,
    compute_deadlines,
    stopped_clock_due,
)

NATIONAL = calendar_for("national")


def deadlines(sent_on, calendar="national", first_written_on=None, suspensions=()):
    return compute_deadlines(sent_on, calendar_for(calendar), first_written_on, suspensions)


# Rule 4: acknowledgement within 10 jours ouvrables.


def test_acknowledgement_sending_day_does_not_count_and_saturdays_do():
    # Monday 1 March 2027: Tue 2 ... Sat 6 (5 days), Mon 8 ... Fri 12 (10 days).
    assert deadlines(date(2027, 3, 1)).acknowledgement_due == date(2027, 3, 12)


def test_acknowledgement_skips_sundays():
    result = deadlines(date(2027, 3, 1)).acknowledgement
    assert [s.day for s in result.skipped] == [date(2027, 3, 7)]
    assert result.skipped[0].reason == "dimanche"


def test_acknowledgement_skips_christmas_and_new_year():
    result = deadlines(date(2026, 12, 24)).acknowledgement
    assert result.due == date(2027, 1, 7)
    assert {s.reason for s in result.skipped} == {"Noël", "dimanche", "Jour de l'an"}


def test_acknowledgement_in_alsace_also_skips_saint_stephen():
    assert deadlines(date(2026, 12, 24), calendar="alsace").acknowledgement_due == date(2027, 1, 8)


def test_acknowledgement_in_moselle_skips_good_friday():
    # Thursday 25 March 2027: Good Friday 26 and Easter Monday 29 are holidays there.
    assert deadlines(date(2027, 3, 25), calendar="moselle").acknowledgement_due == date(2027, 4, 8)
    assert deadlines(date(2027, 3, 25)).acknowledgement_due == date(2027, 4, 7)


def test_acknowledgement_crosses_the_year_boundary():
    # Tue 28 Dec 2027: 29, 30, 31, (Sat 1 Jan holiday, Sun 2), 3 ... 8, (Sun 9), Mon 10.
    assert deadlines(date(2027, 12, 28)).acknowledgement_due == date(2028, 1, 10)


def test_acknowledgement_due_date_is_always_a_jour_ouvrable():
    for offset in range(366):
        sent = date.fromordinal(date(2027, 1, 1).toordinal() + offset)
        assert NATIONAL.is_working_day(deadlines(sent).acknowledgement_due)


def test_acknowledgement_explanation_names_each_skipped_day():
    steps = deadlines(date(2026, 12, 24)).acknowledgement.steps
    assert any("25 décembre 2026 ne compte pas (Noël)" in step for step in steps)
    assert steps[0].startswith("Envoi le jeudi 24 décembre 2026 : ce jour ne compte pas")


# Rule 5: quality target within 15 calendar days, pushed back by suspensions.


def test_quality_target_is_fifteen_calendar_days_after_sending():
    assert deadlines(date(2027, 3, 1)).quality_target_due == date(2027, 3, 16)


def test_quality_target_ignores_sundays_and_holidays():
    assert deadlines(date(2026, 12, 24)).quality_target_due == date(2027, 1, 8)


def test_quality_target_is_pushed_back_by_a_suspension():
    period = SuspensionPeriod(date(2027, 1, 2), date(2027, 1, 6), SuspensionReason.legal_expertise)
    assert period.days == 4
    assert deadlines(date(2026, 12, 24), suspensions=[period]).quality_target_due == date(
        2027, 1, 12
    )


def test_quality_target_is_pushed_back_by_several_suspensions():
    periods = [
        SuspensionPeriod(date(2027, 3, 3), date(2027, 3, 5), SuspensionReason.medical_expertise),
        SuspensionPeriod(date(2027, 3, 10), date(2027, 3, 17), SuspensionReason.it_maintenance),
    ]
    result = deadlines(date(2027, 3, 1), suspensions=periods).quality_target
    assert result.due == date(2027, 3, 25)
    assert any("expertise médicale" in step for step in result.steps)
    assert any("maintenance informatique" in step for step in result.steps)


def test_overlapping_suspensions_count_each_day_once():
    periods = [
        SuspensionPeriod(date(2027, 3, 3), date(2027, 3, 8)),
        SuspensionPeriod(date(2027, 3, 6), date(2027, 3, 10)),
    ]
    # 3 to 9 March: 7 days without count, whichever suspension covers them.
    assert stopped_clock_due(date(2027, 3, 1), periods, date(2027, 5, 1)) == date(2027, 3, 23)


def test_suspension_days_before_sending_do_not_count():
    # Only 2 March counts: the sending day and the days before it are not in the 15.
    suspension = SuspensionPeriod(date(2027, 2, 25), date(2027, 3, 3))
    assert stopped_clock_due(date(2027, 3, 1), [suspension], date(2027, 5, 1)) == date(2027, 3, 17)


def test_suspensions_never_move_the_final_deadline():
    period = SuspensionPeriod(date(2027, 3, 2), date(2027, 4, 2))
    result = deadlines(date(2027, 3, 1), suspensions=[period])
    assert result.final_due == date(2027, 5, 1)


def test_a_suspension_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        SuspensionPeriod(date(2027, 3, 5), date(2027, 3, 4))


# Rule 7: final deadline two months after the first written expression (CPC art. 641).


def test_final_deadline_is_the_same_day_two_months_later():
    assert deadlines(date(2027, 3, 15)).final_due == date(2027, 5, 15)


def test_final_deadline_is_never_carried_over_a_weekend_or_holiday():
    # 1 May 2027 is Fête du Travail and a Saturday: the deadline stays there.
    assert deadlines(date(2027, 3, 1)).final_due == date(2027, 5, 1)


def test_31_december_plus_two_months_is_28_february():
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


def test_31_december_plus_two_months_is_29_february_in_a_leap_year():
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2026, 12, 30), date(2027, 2, 28)),
        (date(2027, 7, 31), date(2027, 9, 30)),
        (date(2027, 8, 31), date(2027, 10, 31)),
        (date(2027, 1, 30), date(2027, 3, 30)),
        (date(2027, 11, 15), date(2028, 1, 15)),
    ],
)
def test_30_and_31_of_a_month_into_a_shorter_month(start, due):
    assert deadlines(start).final_due == due


def test_final_deadline_counts_from_an_earlier_first_written_expression():
    result = deadlines(date(2026, 12, 24), first_written_on=date(2026, 12, 20))
    assert result.final_due == date(2027, 2, 20)
    assert result.acknowledgement_due == date(2027, 1, 7)
    assert result.quality_target_due == date(2027, 1, 8)


def test_first_written_expression_cannot_follow_the_sending_date():
    with pytest.raises(ValueError, match="first written"):
        deadlines(date(2027, 3, 1), first_written_on=date(2027, 3, 2))


def test_final_explanation_says_when_the_day_does_not_exist():
    steps = deadlines(date(2026, 12, 31)).final.steps
    assert any("dernier jour du mois" in step for step in steps)
