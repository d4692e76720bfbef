"""rules 5, 6 and 11: the quality target stops its clock, the complainant hears before each
announced date passes, and never a date already past or after the 2 months."""

from datetime import date, timedelta

import pytest

from reclamations.domain.actions import (
    ACTIONS,
    Answer,
    Contest,
    CorrectAddress,
    Inform,
    MarkMedical,
    Qualify,
    Resume,
    Retry,
    Suspend,
)
from reclamations.domain.complaint import ActionRefused, AlarmKind, IncidentKind
from reclamations.domain.letters import LetterKind
from tests.domain.builders import NOW, at, complaint, ring_until, sealed_for

SENT = date(2027, 3, 1)


def suspended(c, start: date, end: date, reason="legal_expertise"):
    c.apply(Suspend(actor="a", reason=reason, on=start), at(start))
    c.apply(Resume(actor="a", on=end), at(end))


# -- rule 5: the quality target stops its clock -------------------------------------------


def test_a_suspension_stops_the_clock_for_its_days():
    c = complaint()
    suspended(c, date(2027, 3, 5), date(2027, 3, 10))  # 5 days, from the 5th to the 9th
    assert c.quality_target_due == SENT + timedelta(days=20)


def test_a_suspension_from_the_sending_day_gains_no_day_for_it():
    c = complaint()
    suspended(c, SENT, date(2027, 3, 4), reason="it_maintenance")  # 1st (day 0), 2nd, 3rd
    assert c.quality_target_due == SENT + timedelta(days=17)


def test_a_suspension_once_the_target_was_missed_does_not_move_it():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    target = c.quality_target_due
    ring_until(c, at(target + timedelta(days=1)))
    suspended(c, target + timedelta(days=1), target + timedelta(days=10))
    assert c.quality_target_due == target


def test_the_target_is_capped_at_the_final_deadline_of_a_late_forwarded_complaint():
    # First written to the managing body on 10 January: 2 months end on 10 March.
    c = complaint(channel="managing_body", first_written_on="2027-01-10")
    assert c.plan.final_due == date(2027, 3, 10)
    assert c.quality_target_due == date(2027, 3, 10)
    c.apply(Qualify(actor="a"), NOW)
    assert c.pending_letters[0].facts.expected_on == date(2027, 3, 10)


# -- rule 6: the promise ------------------------------------------------------------------


def test_the_acknowledgement_of_a_complaint_registered_late_announces_no_past_date():
    # Posted 1 March, registered 26 March: the 15 days ended on the 16th.
    c = complaint(
        channel="post",
        complainant={"name": "A. Martin", "postal_address": "1 rue Haute\n21000 Dijon"},
    )
    late = at(date(2027, 3, 26))
    c.apply(Qualify(actor="a"), late)
    announced = c.pending_letters[0].facts.expected_on
    assert announced == date(2027, 4, 10)  # 15 days from the acknowledgement
    assert c.promise == announced


def test_an_acknowledgement_after_the_two_months_announces_no_date():
    c = complaint(channel="managing_body", first_written_on="2027-01-10")
    c.apply(Qualify(actor="a"), at(date(2027, 3, 11)))
    facts = c.pending_letters[0].facts
    assert facts.expected_on is None and facts.late
    assert c.promises == []


def test_an_expertise_before_the_promised_date_brings_the_letter_on_that_date():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    promised = c.promise
    c.apply(
        Suspend(actor="a", reason="medical_expertise", on=date(2027, 3, 8)),
        at(SENT + timedelta(days=7)),
    )
    rung = ring_until(c, at(promised, 19))
    assert AlarmKind.promise_due in rung
    letter = c.pending_letters[-1]
    assert letter.kind is LetterKind.information and letter.ordered_at.date() == promised
    assert "expertise médicale" in letter.facts.reason
    assert letter.facts.promised_on == promised
    assert letter.facts.expected_on == promised + timedelta(days=15)


def test_a_suspension_past_the_final_deadline_never_brings_a_past_date():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(Suspend(actor="a", reason="legal_expertise", on=date(2027, 3, 3)), at(date(2027, 3, 3)))
    ring_until(c, at(date(2027, 5, 10)))
    c.apply(Resume(actor="a"), at(date(2027, 5, 10)))
    informations = [o for o in c.pending_letters if o.kind is LetterKind.information]
    assert informations, "the complainant heard before the first promise passed"
    for order in informations:
        assert order.ordered_at.date() < order.facts.expected_on <= c.plan.final_due
    assert all(o.ordered_at.date() <= c.plan.final_due for o in informations)
    with pytest.raises(ActionRefused, match="Médiateur"):
        c.apply(Inform(actor="a", reason="further_review"), at(date(2027, 5, 10)))


def test_the_agent_gives_the_real_reason_and_the_new_date():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(
        Inform(actor="a", reason="third_party", details="Attente du rapport de l'expert auto."),
        at(date(2027, 3, 12)),
    )
    letter = c.pending_letters[-1]
    assert "tiers" in letter.facts.reason
    assert letter.facts.details == "Attente du rapport de l'expert auto."
    assert c.promise == letter.facts.expected_on == date(2027, 3, 31)
    # The next warning and letter follow the new promise, not the old one.
    assert c.next_alarm().kind is AlarmKind.quality_target
    kinds = ring_until(c, at(date(2027, 3, 20)))
    assert AlarmKind.promise_due not in kinds


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expected_on": date(2027, 3, 12)}, "postérieure à aujourd'hui"),
        ({"expected_on": date(2027, 5, 2)}, "délai de 2 mois"),
    ],
)
def test_an_information_letter_never_announces_a_past_date_or_one_after_two_months(fields, message):
    c = complaint()
    with pytest.raises(ActionRefused, match=message):
        c.apply(Inform(actor="a", reason="documents_awaited", **fields), at(date(2027, 3, 12)))


def test_another_reason_needs_the_agents_own_words():
    with pytest.raises(ValueError, match="précisez"):
        Inform(actor="a", reason="other")


def test_a_promise_made_during_a_review_has_its_day_even_on_an_old_date():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    first = c.promise
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), at(date(2027, 3, 5)))
    c.apply(Contest(actor="a"), at(date(2027, 3, 8)))
    c.apply(Inform(actor="a", reason="further_review", expected_on=first), at(date(2027, 3, 9)))
    assert {AlarmKind.promise_warning, AlarmKind.promise_due} <= {a.kind for a in c._alarms()}


def test_an_answer_keeps_the_promise_and_a_contest_does_not_revive_it():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(Answer(actor="a", decision="rejected", reasons="Non."), at(date(2027, 3, 5)))
    c.apply(Contest(actor="a"), at(date(2027, 3, 20)))
    assert AlarmKind.promise_due not in {a.kind for a in c._alarms()}


# -- rule 11: a medical complaint without a postal address ---------------------------------


def test_a_medical_complaint_without_address_is_registered_with_an_incident():
    c = complaint(medical=True)
    assert c.status == "received"
    (incident,) = c.open_incidents
    assert incident.kind is IncidentKind.address
    notice = c.pending_letters[0]
    assert notice.kind is LetterKind.medical_postal_notice and c.letter_waits(notice)
    assert "retry" not in c.allowed_actions()  # a new try cannot find an address
    with pytest.raises(ActionRefused):
        c.apply(Retry(actor="dr"), NOW)
    # Sealed by the application service, like all of a medical complaint's content.
    address = "sealed:v2:k1:R-1:M3J1ZUJhc3Nl"
    with pytest.raises(ActionRefused, match="non scellé"):
        c.apply(CorrectAddress(actor="dr", postal_address="3 rue Basse\n69001 Lyon"), NOW)
    c.apply(CorrectAddress(actor="dr", postal_address=address), NOW)
    assert not c.open_incidents and not c.letter_waits(notice)
    assert c.letter_intake.complainant.postal_address == address
    assert address not in " ".join(e.summary for e in c.events)


# -- one guard per action, beside its effect ------------------------------------------------

SAMPLES: dict[str, dict[str, object]] = {
    "retry": {},
    "qualify": {},
    "classify": {"reason": "cotisations"},
    "requalify_as_request": {"note": "Demande d'attestation."},
    "answer": {"decision": "upheld", "reasons": "Fait."},
    "inform": {"reason": "further_review"},
    "suspend": {"reason": "it_maintenance"},
    "resume": {},
    "escalate": {"level": 3, "note": "Urgent."},
    "contest": {},
    "mediate": {"step": "referral", "mediator": "La Médiation de l'Assurance"},
    "assign": {"assignee": "b.durand"},
    "add_document": {"document": {"name": "Relevé"}},
    "correct_address": {"postal_address": "1 rue Haute\n21000 Dijon"},
    "mark_medical": {},  # its sealed content is the complaint's own, given below
    "withdraw": {},
}


def _states():
    fresh = complaint()
    qualified = complaint()
    qualified.apply(Qualify(actor="a"), NOW)
    paused = complaint()
    paused.apply(Suspend(actor="a", reason="legal_expertise"), NOW)
    answered = complaint()
    answered.apply(Answer(actor="a", decision="rejected", reasons="Non."), NOW)
    closed = complaint()
    closed.apply(ACTIONS["withdraw"](actor="a"), NOW)
    overdue = complaint()
    overdue.ring(AlarmKind.final_deadline, at(date(2027, 5, 2)))
    failed = complaint()
    failed.apply(Qualify(actor="a"), NOW)
    failed.letter_failed(failed.pending_letters[0], "modèle cassé", NOW)
    return [fresh, qualified, paused, answered, closed, overdue, failed]


@pytest.mark.parametrize("state", range(7))
def test_the_actions_offered_are_exactly_those_the_complaint_accepts(state):
    c = _states()[state]
    assert set(SAMPLES) == set(ACTIONS)
    for name, fields in SAMPLES.items():
        action = ACTIONS[name].model_validate({"actor": "a", **fields})
        if isinstance(action, MarkMedical):
            action = action.model_copy(update={"sealed": sealed_for(c)})
        try:
            c.check(action, NOW + timedelta(hours=1))
            accepted = True
        except ActionRefused:
            accepted = False
        assert accepted is (name in c.allowed_actions()), name
