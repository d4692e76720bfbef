"""The calendar and the intake contract, checked on many generated inputs (hypothesis)."""

from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from reclamations.domain.calendar import CALENDAR_NAMES, calendar_for
from reclamations.domain.deadlines import (
    SuspensionPeriod,
    add_months,
    compute_deadlines,
    stopped_clock_due,
    stopped_clock_target,
)
from reclamations.domain.errors import describe_errors
from reclamations.domain.intake import ComplaintIntake, parse_intake

TODAY = date(2026, 11, 27)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
calendars = st.sampled_from(CALENDAR_NAMES)


@given(sent=days, name=calendars)
def test_the_acknowledgement_is_the_tenth_jour_ouvrable_after_sending(sent, name):
    calendar = calendar_for(name)
    due = compute_deadlines(sent, calendar).acknowledgement_due
    assert calendar.is_working_day(due)
    assert due.weekday() != 6 and calendar.holiday_name(due) is None
    assert due >= sent + timedelta(days=10)  # ten days' worth, at least
    counted = [
        sent + timedelta(days=n)
        for n in range(1, (due - sent).days + 1)
        if calendar.is_working_day(sent + timedelta(days=n))
    ]
    assert len(counted) == 10 and counted[-1] == due


suspension_lists = st.lists(st.tuples(st.integers(-10, 60), st.integers(0, 30)), max_size=4)


def _periods(sent, periods):
    return [
        SuspensionPeriod(sent + timedelta(days=start), sent + timedelta(days=start + length))
        for start, length in periods
    ]


@given(sent=days, periods=suspension_lists)
def test_the_quality_target_is_the_fifteenth_day_not_suspended_capped_at_two_months(sent, periods):
    suspensions = _periods(sent, periods)
    deadlines = compute_deadlines(sent, calendar_for("national"), suspensions=suspensions)
    due, final = deadlines.quality_target_due, deadlines.final_due
    stopped = {
        d for p in suspensions for d in (p.start_on + timedelta(days=n) for n in range(p.days))
    }
    running = [
        sent + timedelta(days=n)
        for n in range(1, (due - sent).days + 1)
        if sent + timedelta(days=n) not in stopped
    ]
    assert due <= final
    if due < final:
        assert len(running) == 15 and running[-1] == due  # the clock stopped, never more
    else:
        assert len(running) <= 15
    # A suspension that starts once the target is reached does not move it (rule 5).
    after = [*suspensions, SuspensionPeriod(due + timedelta(days=1), due + timedelta(days=9))]
    assert (
        compute_deadlines(sent, calendar_for("national"), suspensions=after).quality_target_due
        == due
    )


@given(first=days)
def test_the_final_deadline_follows_the_code_de_procedure_civile(first):
    final = compute_deadlines(first, calendar_for("national")).final_due
    assert (final.year * 12 + final.month) - (first.year * 12 + first.month) == 2
    if final.day != first.day:  # only when that day does not exist two months later
        assert final.day < first.day and (final + timedelta(days=1)).month != final.month
    assert final == add_months(first, 2)


text = st.text(max_size=30)
names = st.text(alphabet=st.characters(categories=["L", "Zs"]), min_size=1, max_size=30).filter(
    str.strip
)
recent = st.dates(min_value=date(2024, 1, 1), max_value=TODAY)
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731
intakes = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(["web_form", "email", "post", "phone", "fax", ""]),
        "sent_on": st.one_of(recent.map(str), recent.map(str), days.map(str), text, st.integers()),
        "complainant": st.one_of(
            st.fixed_dictionaries(
                {
                    "name": st.one_of(names, text),
                    "email": maybe(st.sampled_from(["a@example.fr", "pas-une-adresse"])),
                    "postal_address": maybe(text),
                }
            ),
            text,
        ),
        "subject": st.one_of(names, text),
        "description": st.one_of(names, text, st.just("x" * 20_001)),
    },
    optional={
        "first_written_on": st.one_of(days.map(str), text),
        "received_on": days.map(str),
        "medical": st.one_of(st.booleans(), text),
        "calendar": st.one_of(calendars, text),
        "category": st.sampled_from(["benefits", "other", "misc"]),
        "documents": st.lists(st.fixed_dictionaries({"name": text}), max_size=3),
        "reference": st.one_of(st.from_regex(r"[A-Z]{3}-[0-9]{4}", fullmatch=True), text),
    },
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(data=intakes)
def test_any_intake_is_either_valid_or_refused_field_by_field(data):
    try:
        intake = parse_intake(data, TODAY)
        event("valid")
    except ValidationError as error:
        event("refused")
        problems = describe_errors(error)
        assert problems
        assert all(p.field and p.message and p.field != "(document)" for p in problems)
        return
    # What passes the edge survives the trip through Temporal's JSON payloads unchanged.
    assert ComplaintIntake.model_validate_json(intake.model_dump_json()) == intake
    assert intake.sent_date <= TODAY
    assert intake.first_written_date <= intake.sent_date


valid_intakes = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(["web_form", "email", "post", "managing_body", "phone"]),
        "sent_on": recent.map(str),
        "complainant": st.fixed_dictionaries(
            {"name": names, "email": st.just("a@example.fr"), "postal_address": names}
        ),
        "subject": names,
        "description": names,
        "calendar": calendars,
        "medical": st.booleans(),
        "documents": st.lists(st.fixed_dictionaries({"name": names}), max_size=3),
    }
)


@settings(max_examples=200)
@given(data=valid_intakes)
def test_a_valid_intake_always_plans_and_round_trips(data):
    intake = parse_intake(data, TODAY)
    assert ComplaintIntake.model_validate_json(intake.model_dump_json()) == intake
    deadlines = compute_deadlines(
        intake.sent_date, calendar_for(intake.calendar), intake.first_written_date
    )
    assert intake.sent_date < deadlines.acknowledgement_due < deadlines.final_due


@given(sent=days, periods=suspension_lists)
def test_the_day_alone_is_the_day_of_the_explained_target(sent, periods):
    suspensions = _periods(sent, periods)
    final = add_months(sent, 2)
    explained = stopped_clock_target(sent, suspensions, final).due
    assert stopped_clock_due(sent, suspensions, final) == explained
