"""rule 18: any answer (or the 2 months) opens the mediation;
a referral is judged on the day it was made, and one made within the year may be recorded
during a grace period after it; the insurer may still answer after a referral."""

from datetime import date, timedelta

import pytest

from reclamations.domain.actions import Answer, Contest, Mediate, Qualify
from reclamations.domain.complaint import ActionRefused, AlarmKind
from reclamations.domain.letters import LetterKind
from tests.domain.builders import NOW, at, complaint, ring_until

YEAR_ENDS = date(2028, 3, 1)  # a year after the written complaint of 1 March 2027


def referral(on: date | None = None) -> Mediate:
    return Mediate(actor="a", step="referral", mediator="LMA", file_number="LMA-9", on=on)


def answered(decision="rejected"):
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(Answer(actor="a", decision=decision, reasons="Motifs."), NOW)
    return c


def test_a_fully_favourable_answer_opens_the_mediation_too():
    # The law sets no condition on the answer: its execution may still be disputed.
    c = answered("upheld")
    assert "mediate" in c.allowed_actions()
    assert ring_until(c, at(date(2027, 5, 15))) == [AlarmKind.contest_window_end]
    assert c.stage == "mediation_window" and c.mediation_window_ends == YEAR_ENDS
    c.apply(referral(), at(date(2027, 5, 15)))
    assert c.status == "mediation"


def test_a_referral_made_within_the_year_is_recorded_after_it():
    """L612-2: the year is judged on the day the referral was made, not on the day the
    insurer hears of it (the mediator's notice comes weeks later)."""
    c = answered()
    recorded = at(YEAR_ENDS + timedelta(days=20))
    ring_until(c, recorded)
    assert c.stage == "mediation_window"  # the grace period after the year
    late = referral(on=YEAR_ENDS + timedelta(days=1))
    with pytest.raises(ActionRefused, match="délai d'un an pour saisir le Médiateur était passé"):
        c.check(late, recorded)
    c.apply(referral(on=YEAR_ENDS), recorded)
    assert c.status == "mediation" and c.mediation.referred_on == YEAR_ENDS


def test_the_year_counts_from_the_first_written_complaint():
    # Written first to the managing body on 10 January, to us on 1 March: the year ends on
    # 10 January 2028, and a referral made after it is refused.
    c = complaint(first_written_on="2027-01-10")
    c.apply(Qualify(actor="a"), NOW)
    c.apply(Answer(actor="a", decision="rejected", reasons="Motifs."), NOW)
    assert c.mediation_window_ends == date(2028, 1, 10)
    recorded = at(date(2028, 1, 20))
    ring_until(c, recorded)
    with pytest.raises(ActionRefused, match="délai d'un an"):
        c.check(referral(on=date(2028, 1, 11)), recorded)
    c.apply(referral(on=date(2028, 1, 10)), recorded)
    assert c.status == "mediation"


def test_without_a_referral_the_complaint_closes_after_the_grace_period():
    c = answered()
    grace = c.plan.policy.mediation_referral_grace_days
    assert ring_until(c, at(YEAR_ENDS + timedelta(days=grace))) == [AlarmKind.contest_window_end]
    assert ring_until(c, at(YEAR_ENDS + timedelta(days=grace + 1))) == [
        AlarmKind.mediation_window_end
    ]
    assert c.status == "closed"


def test_after_a_referral_the_insurer_still_sends_its_answer():
    """The two-months letter says "nous vous répondrons dans les meilleurs délais": the answer
    goes after a referral too, and the mediation goes on."""
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    ring_until(c, at(date(2027, 5, 3)))
    assert c.overdue
    c.apply(referral(), at(date(2027, 5, 3)))
    assert "answer" in c.allowed_actions()
    c.apply(Answer(actor="a", decision="partly_upheld", reasons="En partie."), at(date(2027, 5, 4)))
    assert c.status == "mediation" and not c.mediation.answer_owed
    letter = c.pending_letters[-1]
    assert letter.kind is LetterKind.answer and letter.facts.referred
    assert "answer" not in c.allowed_actions()  # answered: the mediator has the rest


def test_a_contested_answer_may_go_to_the_mediator_and_still_gets_its_review():
    c = answered()
    c.apply(Contest(actor="a"), at(date(2027, 4, 20)))
    c.apply(referral(), at(date(2027, 4, 21)))
    assert c.status == "mediation" and c.mediation.answer_owed
    c.apply(Answer(actor="a", decision="rejected", reasons="Confirmé."), at(date(2027, 4, 22)))
    letter = c.pending_letters[-1]
    assert letter.facts.review and letter.facts.referred
