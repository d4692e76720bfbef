from datetime import date

from reclamations.domain.french import long_date, of, plural, typography


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


def test_de_elides_before_a_vowel_or_a_mute_h():
    assert of("expertise médicale") == "d'expertise médicale"
    assert of("maintenance informatique") == "de maintenance informatique"
    assert of("hospitalisation") == "d'hospitalisation"


def test_french_punctuation_keeps_to_its_word():
    text = typography("Référence : R-1 ; « Retard » ? Oui ! https://www.mediation-assurance.org")
    assert text == (
        "Référence\u00a0: R-1\u00a0; «\u00a0Retard\u00a0»\u00a0? Oui\u00a0! "
        "https://www.mediation-assurance.org"
    )
