"""The complaint state machine, without Temporal: actions in, letters and alarms out."""

from datetime import date, timedelta

import pytest

from reclamations.domain.actions import (
    Answer,
    Contest,
    Mediate,
    Qualify,
    RequalifyAsRequest,
    Resume,
    Suspend,
)
from reclamations.domain.complaint import ActionRefused, AlarmKind
from tests.domain.builders import NOW, complaint, pending


def test_the_first_alarm_is_the_automatic_acknowledgement_two_jours_ouvrables_early():
    c = complaint()
    alarm = c.next_alarm()
    assert alarm.kind == AlarmKind.auto_acknowledge
    assert c.plan.acknowledgement_due == date(2027, 3, 12)
    assert alarm.at.date() == date(2027, 3, 10)


def test_qualifying_orders_the_acknowledgement_and_removes_its_alarm():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    assert pending(c) == ["acknowledgement"]
    assert c.next_alarm().kind == AlarmKind.promise_warning


def test_alarms_come_in_deadline_order():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    rung = []
    while alarm := c.next_alarm():
        rung.append(alarm.kind)
        c.ring(alarm.kind, alarm.at)
    assert rung == [
        AlarmKind.promise_warning,  # 13 March: the answer was announced for the 16th
        AlarmKind.quality_target,
        AlarmKind.promise_due,  # 16 March: information letter, answer by the 31st
        AlarmKind.promise_warning,
        AlarmKind.promise_due,  # 31 March: answer by 15 April
        AlarmKind.promise_warning,
        AlarmKind.promise_due,  # 15 April: answer by 30 April
        AlarmKind.final_escalation,  # 21 April, ten days before the final deadline
        AlarmKind.promise_warning,
        AlarmKind.promise_due,  # 30 April: answer by 1 May, the final deadline
        AlarmKind.final_deadline,
    ]
    assert c.promises == [
        date(2027, 3, 16),
        date(2027, 3, 31),
        date(2027, 4, 15),
        date(2027, 4, 30),
        date(2027, 5, 1),
    ]
    letters = ["information"] * 4
    assert pending(c) == ["acknowledgement", *letters, "mediation_rights"]
    assert c.status == "overdue"


def test_a_running_suspension_pauses_the_quality_alarms_only():
    c = complaint()
    c.apply(Suspend(actor="a", reason="legal_expertise"), NOW)
    kinds = {a.kind for a in c._alarms()}
    assert AlarmKind.quality_target not in kinds
    assert AlarmKind.final_deadline in kinds


def test_requalifying_cancels_complaint_letters_not_yet_sent():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(RequalifyAsRequest(actor="a", note="Demande d'attestation."), NOW)
    assert pending(c) == ["requalification"]
    # Closed: nothing more, but medical content found in it is still sealed (rule 11).
    assert c.allowed_actions() == ["mark_medical"]


def test_a_suspension_cannot_begin_before_the_complaint_was_sent():
    # rule 5: the clock runs from the sending day; nothing before it can be suspended.
    c = complaint()
    with pytest.raises(ActionRefused, match="envoi"):
        c.apply(Suspend(actor="a", reason="it_maintenance", on=date(2027, 2, 28)), NOW)
    c.apply(Suspend(actor="a", reason="it_maintenance", on=date(2027, 3, 1)), NOW)
    assert c.open_suspension is not None


def test_answering_closes_a_running_suspension():
    c = complaint()
    c.apply(Suspend(actor="a", reason="it_maintenance"), NOW)
    c.apply(Answer(actor="a", decision="upheld", reasons="Fait."), NOW + timedelta(days=2))
    assert c.open_suspension is None
    assert c.suspensions[0].end_on == date(2027, 3, 3)


def test_a_contest_needs_an_answer_first():
    c = complaint()
    with pytest.raises(ActionRefused, match="répondue"):
        c.apply(Contest(actor="a"), NOW)


def test_allowed_actions_follow_the_stage():
    c = complaint()
    assert c.allowed_actions()[:4] == ["qualify", "classify", "requalify_as_request", "answer"]
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), NOW)
    assert "contest" in c.allowed_actions() and "answer" not in c.allowed_actions()


def test_a_refused_check_changes_nothing():
    c = complaint()
    before = c.model_copy(deep=True)
    with pytest.raises(ActionRefused):
        c.apply(Resume(actor="a"), NOW)
    assert c == before


def test_a_contest_after_a_timely_answer_is_never_overdue():
    # rule 9: the mediation-rights letter only when no answer went out in two months.
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(Answer(actor="a", decision="rejected", reasons="Non couvert."), NOW)
    answer = next(o for o in c.pending_letters if o.kind.value == "answer")
    c.letter_sent(answer, "outbox/answer", NOW)
    later = NOW + timedelta(days=70)  # after the 2 months
    c.apply(Contest(actor="a", on=later.date()), later)
    c.ring(AlarmKind.final_deadline, later)
    assert not c.overdue
    assert "mediation_rights" not in pending(c)


def test_past_two_months_with_no_answer_the_complainant_may_go_to_the_mediator():
    """rule 18: the two-months letter opens the mediation, answer or not; an expertise
    under way ends there."""
    c = complaint()
    c.apply(Suspend(actor="a", reason="medical_expertise"), NOW)
    referral = Mediate(actor="a", step="referral", mediator="LMA", file_number="LMA-1")
    with pytest.raises(ActionRefused, match="une fois le délai de 2 mois passé"):
        c.check(referral, NOW)
    while alarm := c.next_alarm():
        if alarm.kind is AlarmKind.final_deadline:
            later = alarm.at
        c.ring(alarm.kind, alarm.at)
    assert c.status == "overdue" and c.open_suspension is not None
    c.apply(referral, later)
    assert c.status == "mediation" and c.mediation.file_number == "LMA-1"
    assert c.open_suspension is None
    assert c.next_alarm() is None  # the mediator's 90 days start at their notification
