from datetime import date

from domain.french import long_date, plural


def test_first_of_the_month_reads_premier():
    assert long_date(date(2027, 1, 1), with_weekday=True) == "vendredi 1er janvier 2027"


def test_other_days_read_as_numbers_with_accented_months():
    assert long_date(date(2027, 8, 15)) == "15 août 2027"


def test_plural_follows_french_usage_for_zero_and_one():
    assert (plural(0, "jour"), plural(1, "jour"), plural(2, "jour")) == (
        "0 jour",
        "1 jour",
        "2 jours",
    )
