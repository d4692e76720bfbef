"""The follow link's first email says what comes next as of the day it leaves (rule 6): a
mail server away for days delays it, and then it announces no date already past, no step
already taken, nothing once the complaint is answered."""

from datetime import date

from reclamations.domain.actions import Answer, Qualify
from reclamations.web.follow_mail import mail_text
from tests.domain.builders import NOW, at, complaint


def first_mail(c, today: date) -> str:
    return mail_text(
        c, "MUTEX", "Service Qualité", "https://suivi", "https://nouveau", today, True, today
    )


def test_the_first_mail_sent_at_once_announces_the_three_dates():
    text = first_mail(complaint(), date(2027, 3, 1))
    assert "au plus tard le 12 mars 2027" in text  # the acknowledgement, 10 working days
    assert "d'ici le 16 mars 2027" in text  # the quality target
    assert "le 1er mai 2027 au plus tard" in text  # the two months


def test_a_first_mail_sent_late_announces_only_what_lies_ahead():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.letter_sent(c.pending_letters[0], "outbox", NOW)  # acknowledged: its date is the promise
    text = first_mail(c, date(2027, 3, 10))
    assert "accusé de réception" not in text
    assert "d'ici le 16 mars 2027" in text and "1er mai 2027" in text
    text = first_mail(c, date(2027, 3, 20))  # the promised day passed
    assert "16 mars" not in text and "1er mai 2027" in text
    c.apply(Answer(actor="a", decision="upheld", reasons="Oui."), at(date(2027, 3, 21)))
    assert "Ce qui va se passer" not in first_mail(c, date(2027, 3, 22))
    assert "Ce qui va se passer" not in first_mail(complaint(), date(2027, 5, 2))
