"""rule 13: the register's deadline statistics."""

from datetime import date
from typing import Any

from reclamations.domain.deadlines import DeadlineKind
from reclamations.domain.register import RegisterLine, by_category, statistics

AS_OF = date(2027, 3, 31)


def line(reference="R1", category="benefits", status="answered", **dates):
    values: dict[str, Any] = {
        "sent_on": date(2027, 1, 4),
        "acknowledgement_due": date(2027, 1, 15),
        "quality_target_due": date(2027, 1, 19),
        "final_due": date(2027, 3, 4),
        "acknowledged_on": None,
        "first_answered_on": None,
    }
    values.update(dates)
    return RegisterLine(
        reference=reference,
        channel="email",
        category=category,
        status=status,
        medical=False,
        overdue=False,
        **values,
    )


def test_an_answer_sent_before_the_acknowledgement_counts_as_acknowledged_in_time():
    result = statistics([line(first_answered_on=date(2027, 1, 10))], AS_OF, "t")
    assert (result.acknowledged_in_time.met, result.acknowledged_in_time.eligible) == (1, 1)


def test_shares_of_promises_kept():
    lines = [
        line("R1", acknowledged_on=date(2027, 1, 5), first_answered_on=date(2027, 1, 18)),
        line("R2", acknowledged_on=date(2027, 1, 16), first_answered_on=date(2027, 2, 20)),
        line("R3", acknowledged_on=date(2027, 1, 6), first_answered_on=date(2027, 3, 10)),
    ]
    result = statistics(lines, AS_OF, "t")
    assert result.acknowledged_in_time.percent == 66.7
    assert result.answered_within_target.percent == 33.3
    assert result.answered_within_two_months.percent == 66.7
    assert result.median_handling_days == 47  # 14, 47 and 65 days


def test_a_promise_not_yet_due_is_left_out_of_the_share():
    open_line = line(
        "R4",
        sent_on=date(2027, 3, 25),
        acknowledgement_due=date(2027, 4, 6),
        quality_target_due=date(2027, 4, 9),
        final_due=date(2027, 5, 25),
        status="received",
    )
    result = statistics([open_line], AS_OF, "t")
    assert result.acknowledged_in_time.eligible == 0
    assert result.acknowledged_in_time.percent is None


def test_a_missed_promise_counts_against_even_without_an_answer():
    result = statistics([line(status="overdue")], AS_OF, "t")
    assert result.answered_within_two_months.met == 0
    assert result.answered_within_two_months.eligible == 1


def test_requests_requalified_are_counted_apart():
    result = statistics([line(), line("R2", status="requalified")], AS_OF, "t")
    assert (result.complaints, result.not_complaints) == (1, 1)


def test_statistics_by_category_end_with_the_total():
    rows = by_category([line(category="benefits"), line("R2", category=None)], AS_OF)
    assert [row.label for row in rows] == ["prestations", "non classée", "total"]
    assert rows[-1].complaints == 2


def test_what_was_done_after_its_day_stands_as_late_as_the_register_counts_it():
    late = line(
        acknowledgement_due=date(2027, 1, 15),
        acknowledged_on=date(2027, 1, 18),  # three days after its day
        first_answered_on=date(2027, 1, 19),  # the quality target's very day
    )
    standings = late.standings(AS_OF)
    acknowledgement = standings[DeadlineKind.acknowledgement]
    assert (acknowledgement.kept, acknowledgement.days_late) == (False, 3)
    assert late.acknowledged_in_time(AS_OF) is False  # the register's column agrees
    target = standings[DeadlineKind.quality_target]
    assert (target.kept, target.days_late, target.done_on) == (True, 0, date(2027, 1, 19))
    assert standings[DeadlineKind.final].kept is True
    assert DeadlineKind.promise not in standings  # none announced


def test_an_answer_before_the_acknowledgement_stands_for_it_on_the_screens_too():
    answered = line(first_answered_on=date(2027, 1, 10))
    acknowledgement = answered.standings(AS_OF)[DeadlineKind.acknowledgement]
    assert (acknowledgement.done_on, acknowledgement.kept) == (date(2027, 1, 10), True)


def test_a_requalified_complaint_has_no_promise_to_keep():
    assert line(status="requalified", first_answered_on=date(2027, 2, 1)).standings(AS_OF) == {}
