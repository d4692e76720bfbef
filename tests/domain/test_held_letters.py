"""rules 4, 6, 9 and 14: a letter an incident held is true
the day it leaves; an acknowledgement still held when the answer is written never goes; the
first answer counts from the day its letter left; an information letter names every suspension
that moved the date."""

from datetime import date, datetime, timedelta

import pytest

from reclamations.domain.actions import Answer, Contest, Qualify, Resume, Retry, Suspend
from reclamations.domain.complaint import ActionRefused, AlarmKind
from reclamations.domain.letters import LetterKind
from tests.domain.builders import NOW, at, complaint, pending, ring_until

FINAL = date(2027, 5, 1)  # two months after the written complaint of 1 March 2027


def order(c, kind: str):
    return next(o for o in c.pending_letters if o.kind.value == kind)


def sent(c, kind: str, when: datetime) -> None:
    c.letter_sent(order(c, kind), f"outbox/{kind}", when)


# -- rule 4: no acknowledgement once the answer went out ------------------------------------


def test_an_acknowledgement_held_by_an_incident_never_goes_once_the_answer_is_written():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.letter_failed(order(c, "acknowledgement"), "modèle cassé", NOW)
    c.apply(Answer(actor="a", decision="upheld", reasons="Fait."), NOW + timedelta(hours=1))
    assert pending(c) == ["answer"]
    assert not c.open_incidents  # the letter it was about will never go
    assert "retry" not in c.allowed_actions()
    with pytest.raises(ActionRefused):
        c.check(Retry(actor="exploitation"), NOW + timedelta(hours=2))


def test_an_acknowledgement_in_flight_when_the_answer_is_written_goes_as_it_is():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(Answer(actor="a", decision="upheld", reasons="Fait."), NOW)
    assert pending(c) == ["acknowledgement", "answer"]


def test_the_answer_going_first_prevents_the_acknowledgement():
    """Answered before any acknowledgement, then contested (the complaint awaits an answer
    again): the automatic acknowledgement's day passes without one."""
    c = complaint()
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), NOW)
    sent(c, "answer", NOW)
    c.apply(Contest(actor="a"), NOW + timedelta(hours=1))
    rung = ring_until(c, at(date(2027, 3, 20)))
    assert AlarmKind.auto_acknowledge not in rung
    assert not c.ordered(LetterKind.acknowledgement)


# -- rules 6 and 14: a held letter is true the day it leaves --------------------------------


def test_a_held_acknowledgement_leaves_dated_that_day_and_announces_no_past_date():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    ack = order(c, "acknowledgement")
    assert ack.facts.expected_on == date(2027, 3, 16)
    c.letter_failed(ack, "adresse refusée", NOW)
    ring_until(c, at(date(2027, 3, 20)))  # the 16th passed: an information letter went
    sent(c, "information", at(date(2027, 3, 16), 19))
    mended = at(date(2027, 3, 20))
    c.apply(Retry(actor="exploitation"), mended)
    ack = order(c, "acknowledgement")
    assert ack.ordered_at == mended  # the letter's date
    assert ack.facts.expected_on == date(2027, 3, 31) == c.promise  # the date told since


def test_a_held_acknowledgement_announces_a_new_date_when_none_is_left_to_come():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.letter_failed(order(c, "acknowledgement"), "adresse refusée", NOW)
    mended = at(date(2027, 3, 17))
    c.apply(Retry(actor="exploitation"), mended)  # the 16th is past, its alarm not yet rung
    ack = order(c, "acknowledgement")
    assert ack.facts.expected_on == date(2027, 4, 1) == c.promise  # 15 days on
    assert c.promises_settled < len(c.promises)  # its own warning and day, like any promise


def test_a_held_information_letter_with_no_date_left_never_goes():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    sent(c, "acknowledgement", NOW)
    ring_until(c, at(date(2027, 3, 16), 20))
    info = order(c, "information")
    c.letter_failed(info, "adresse refusée", at(date(2027, 3, 16), 20))
    ring_until(c, at(date(2027, 4, 30), 20))
    for held in [o for o in c.pending_letters if o.kind is LetterKind.information]:
        c.letter_failed(held, "adresse refusée", at(date(2027, 4, 30), 20))
    c.apply(Retry(actor="exploitation"), at(FINAL, 12))
    # The last one supersedes the others; the final day has come: nothing left to announce.
    assert LetterKind.information not in {o.kind for o in c.pending_letters}
    assert not c.open_incidents


def test_of_several_held_information_letters_the_last_one_goes():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    sent(c, "acknowledgement", NOW)
    ring_until(c, at(date(2027, 3, 31), 20))  # information letters on the 16th and the 31st
    for held in [o for o in c.pending_letters if o.kind is LetterKind.information]:
        c.letter_failed(held, "adresse refusée", at(date(2027, 3, 31), 20))
    c.apply(Retry(actor="exploitation"), at(date(2027, 4, 2)))
    [info] = c.pending_letters
    assert info.sequence == 2 and info.facts.expected_on == date(2027, 4, 15)
    [incident] = c.open_incidents  # the first one's closed with its letter
    assert incident.sequence == 2 and incident.retrying


def answer_held_from_the_day_before_the_final_deadline():
    """Acknowledged; the answer written on 30 April, its letter refused by the mail server."""
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    sent(c, "acknowledgement", NOW)
    written = at(date(2027, 4, 30))
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), written)
    c.letter_failed(order(c, "answer"), "boîte refusée", written)
    return c


def test_an_answer_held_past_the_final_deadline_goes_with_the_two_months_letter():
    c = answer_held_from_the_day_before_the_final_deadline()
    mended = at(date(2027, 5, 4))
    c.apply(Retry(actor="exploitation"), mended)
    assert order(c, "answer").ordered_at == mended
    rights = order(c, "mediation_rights")
    assert rights.facts.with_answer and c.overdue and c.escalation_level == 3
    sent(c, "answer", mended)
    assert c.first_answer_left_at == mended and not c.answered_in_time


def test_an_answer_held_and_released_on_the_final_day_is_in_time():
    # rule 7: the final day still counts; the letter leaves within the two months.
    c = answer_held_from_the_day_before_the_final_deadline()
    c.apply(Retry(actor="exploitation"), at(FINAL, 16))
    assert not c.overdue and not c.ordered(LetterKind.mediation_rights)
    sent(c, "answer", at(FINAL, 16))
    assert c.answered_in_time


def test_a_late_answer_contested_has_had_its_two_months_letter_once():
    """Rules 9 and 10: the answer held past the final deadline left with the letter on the
    mediator; contested, the review reaches the final deadline's alarm: late still, and no
    second letter on the mediator."""
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    sent(c, "acknowledgement", NOW)
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), at(date(2027, 4, 30)))
    c.letter_failed(order(c, "answer"), "boîte refusée", at(date(2027, 4, 30)))
    mended = at(date(2027, 5, 4))
    c.apply(Retry(actor="exploitation"), mended)
    sent(c, "answer", mended)
    sent(c, "mediation_rights", mended)
    c.apply(Contest(actor="a"), at(date(2027, 5, 5)))
    assert AlarmKind.final_deadline in ring_until(c, at(date(2027, 5, 6)))
    assert c.overdue and c.pending_letters == []


def test_a_two_months_letter_held_until_the_answer_says_the_answer_goes_with_it():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    sent(c, "acknowledgement", NOW)
    ring_until(c, at(FINAL + timedelta(days=1)))
    for held in list(c.pending_letters):
        c.letter_failed(held, "boîte refusée", at(FINAL + timedelta(days=1)))
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), at(FINAL + timedelta(days=3)))
    c.letter_failed(order(c, "answer"), "boîte refusée", at(FINAL + timedelta(days=3)))
    c.apply(Retry(actor="exploitation"), at(FINAL + timedelta(days=4)))
    assert pending(c) == ["mediation_rights", "answer"]  # the information letters withdrawn
    assert order(c, "mediation_rights").facts.with_answer


def test_an_answer_on_the_final_day_contested_the_same_day_is_not_late():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    sent(c, "acknowledgement", NOW)
    last_day = at(FINAL, 17)
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), last_day)
    sent(c, "answer", last_day)
    c.apply(Contest(actor="a"), at(FINAL, 18))
    assert AlarmKind.final_deadline in ring_until(c, at(FINAL + timedelta(days=3)))
    assert not c.overdue and not c.ordered(LetterKind.mediation_rights)


# -- rule 6: the information letter names every suspension that moved the date -------------


def test_an_information_letter_names_both_expertises_that_moved_the_date():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)  # the answer announced for 16 March
    sent(c, "acknowledgement", NOW)
    c.apply(
        Suspend(actor="a", reason="medical_expertise", on=date(2027, 3, 3)), at(date(2027, 3, 3))
    )
    c.apply(Resume(actor="a", on=date(2027, 3, 8)), at(date(2027, 3, 8)))
    c.apply(Suspend(actor="a", reason="legal_expertise", on=date(2027, 3, 8)), at(date(2027, 3, 8)))
    ring_until(c, at(date(2027, 3, 16), 20))
    reason = order(c, "information").facts.reason
    assert "expertise médicale" in reason and "expertise juridique" in reason


def test_two_finished_expertises_are_named_not_a_further_review():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    sent(c, "acknowledgement", NOW)
    for reason, start, end in (
        ("legal_expertise", date(2027, 3, 2), date(2027, 3, 4)),
        ("it_maintenance", date(2027, 3, 5), date(2027, 3, 6)),
    ):
        c.apply(Suspend(actor="a", reason=reason, on=start), at(start))
        c.apply(Resume(actor="a", on=end), at(end))
    ring_until(c, at(date(2027, 3, 16), 20))
    reason = order(c, "information").facts.reason
    assert "expertise juridique" in reason and "maintenance informatique" in reason


def test_a_suspension_over_before_the_date_was_announced_did_not_move_it():
    c = complaint()
    c.apply(Suspend(actor="a", reason="legal_expertise", on=date(2027, 3, 2)), at(date(2027, 3, 2)))
    c.apply(Resume(actor="a", on=date(2027, 3, 4)), at(date(2027, 3, 4)))
    c.apply(Qualify(actor="a"), at(date(2027, 3, 5)))  # announces the 18th, counting it
    sent(c, "acknowledgement", at(date(2027, 3, 5)))
    ring_until(c, at(date(2027, 3, 18), 20))
    assert "expertise" not in order(c, "information").facts.reason
