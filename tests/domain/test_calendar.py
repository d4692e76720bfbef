"""rule 4: jours ouvrables are Monday to Saturday, minus the team's public holidays."""

from datetime import date

import pytest

from reclamations.domain.calendar import CALENDAR_NAMES, WorkingCalendar, calendar_for

NATIONAL = calendar_for("national")

NATIONAL_HOLIDAYS_2027 = [
    (date(2027, 1, 1), "Jour de l'an"),
    (date(2027, 3, 29), "Lundi de Pâques"),
    (date(2027, 5, 1), "Fête du Travail"),
    (date(2027, 5, 6), "Ascension"),
    (date(2027, 5, 8), "Fête de la Victoire"),
    (date(2027, 5, 17), "Lundi de Pentecôte"),
    (date(2027, 7, 14), "Fête nationale"),
    (date(2027, 8, 15), "Assomption"),
    (date(2027, 11, 1), "Toussaint"),
    (date(2027, 11, 11), "Armistice"),
    (date(2027, 12, 25), "Noël"),
]


def test_saturday_is_a_jour_ouvrable():
    assert NATIONAL.is_working_day(date(2027, 3, 6))


def test_sunday_is_not_a_jour_ouvrable_and_says_so():
    assert NATIONAL.non_working_reason(date(2027, 3, 7)) == "dimanche"


def test_an_ordinary_weekday_is_a_jour_ouvrable():
    assert NATIONAL.non_working_reason(date(2027, 3, 3)) is None


@pytest.mark.parametrize(("day", "name"), NATIONAL_HOLIDAYS_2027)
def test_each_national_holiday_is_not_a_jour_ouvrable(day, name):
    assert NATIONAL.non_working_reason(day) == name


@pytest.mark.parametrize(("day", "name"), NATIONAL_HOLIDAYS_2027)
def test_counting_over_a_national_holiday_skips_it(day, name):
    from datetime import timedelta

    count = NATIONAL.add_working_days(day - timedelta(days=1), 1)
    assert count.due > day
    assert (day, name) in [(s.day, s.reason) for s in count.skipped]


def test_national_calendar_has_exactly_eleven_holidays_in_a_year():
    year = [
        date.fromordinal(n)
        for n in range(date(2027, 1, 1).toordinal(), date(2028, 1, 1).toordinal())
    ]
    assert len([d for d in year if NATIONAL.holiday_name(d)]) == 11


@pytest.mark.parametrize("name", ["alsace", "moselle"])
def test_alsace_moselle_adds_good_friday_and_saint_stephen(name):
    local = calendar_for(name)
    assert local.non_working_reason(date(2027, 3, 26)) == "Vendredi saint"
    assert local.non_working_reason(date(2027, 12, 26)) == "Saint-Étienne"


def test_good_friday_and_26_december_are_worked_nationally():
    assert NATIONAL.is_working_day(date(2027, 3, 26))
    assert NATIONAL.is_working_day(date(2026, 12, 26))


def test_la_reunion_has_its_abolition_of_slavery_day():
    assert calendar_for("974").holiday_name(date(2027, 12, 20)) is not None
    assert NATIONAL.holiday_name(date(2027, 12, 20)) is None


@pytest.mark.parametrize("name", CALENDAR_NAMES)
def test_every_calendar_knows_christmas_and_its_time_zone(name):
    calendar = calendar_for(name)
    assert calendar.holiday_name(date(2030, 12, 25)) == "Noël"
    assert calendar.timezone


def test_overseas_calendars_live_in_their_own_time_zones():
    assert calendar_for("974").timezone == "Indian/Reunion"
    assert calendar_for("971").timezone == "America/Guadeloupe"


def test_the_starting_day_never_counts():
    count = NATIONAL.add_working_days(date(2027, 3, 3), 1)
    assert count.due == date(2027, 3, 4)


def test_counting_backwards_skips_sundays_and_holidays():
    # Tuesday 2 November 2027, two jours ouvrables back: Monday 1st is Toussaint, 31st a Sunday.
    count = NATIONAL.working_days_before(date(2027, 11, 2), 2)
    assert count.due == date(2027, 10, 29)
    assert [s.reason for s in count.skipped] == ["Toussaint", "dimanche"]


def test_unknown_calendar_is_refused():
    with pytest.raises(ValueError, match="unknown calendar"):
        WorkingCalendar("paris")  # type: ignore[arg-type]


def test_the_calendar_object_is_shared():
    assert calendar_for("alsace") is calendar_for("alsace")


@pytest.mark.parametrize(
    ("name", "label", "timezone", "local_holiday"),
    [
        ("national", "France métropolitaine", "Europe/Paris", None),
        ("alsace", "Alsace", "Europe/Paris", (date(2026, 12, 26), "Saint-Étienne")),
        ("moselle", "Moselle", "Europe/Paris", (date(2027, 3, 26), "Vendredi saint")),
        (
            "971",
            "Guadeloupe",
            "America/Guadeloupe",
            (date(2027, 5, 27), "Abolition de l'esclavage"),
        ),
        (
            "972",
            "Martinique",
            "America/Martinique",
            (date(2027, 5, 22), "Abolition de l'esclavage"),
        ),
        ("973", "Guyane", "America/Cayenne", (date(2027, 6, 10), "Abolition de l'esclavage")),
        ("974", "La Réunion", "Indian/Reunion", (date(2027, 12, 20), "Abolition de l'esclavage")),
        ("976", "Mayotte", "Indian/Mayotte", (date(2027, 4, 27), "Abolition de l'esclavage")),
    ],
)
def test_each_calendar_is_built_with_its_name_label_zone_and_days(
    name, label, timezone, local_holiday
):
    # Built afresh, not the shared object: what the constructor does is what is checked.
    calendar = WorkingCalendar(name)
    assert (calendar.name, calendar.label, calendar.timezone) == (name, label, timezone)
    assert calendar.non_working_reason(date(2027, 7, 14)) == "Fête nationale"
    if local_holiday is not None:
        day, holiday = local_holiday
        assert calendar.non_working_reason(day) == holiday
        assert WorkingCalendar().is_working_day(day)


def test_the_default_calendar_is_the_national_one():
    assert WorkingCalendar().name == "national"
    assert calendar_for().label == "France métropolitaine"


@pytest.mark.parametrize("name", [*CALENDAR_NAMES, "unknown"])
def test_a_team_time_zone_is_known_without_building_its_calendar(name):
    from reclamations.domain.calendar import timezone_of

    expected = WorkingCalendar(name).timezone if name != "unknown" else "Europe/Paris"
    assert timezone_of(name) == expected


def test_counting_refuses_a_negative_number_of_days():
    with pytest.raises(ValueError, match="must not be negative"):
        NATIONAL.add_working_days(date(2027, 3, 3), -1)


def test_counting_zero_days_is_the_day_itself():
    count = NATIONAL.add_working_days(date(2027, 3, 7), 0)
    assert (count.start, count.days, count.due, count.skipped) == (
        date(2027, 3, 7),
        0,
        date(2027, 3, 7),
        (),
    )
