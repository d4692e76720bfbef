"""rules 7 and 9: escalation ahead of the 2-month deadline, then mediation rights."""

from datetime import timedelta

from reclamations.db.register import register_lines
from reclamations.domain.clock import local_date
from reclamations.domain.deadlines import add_months
from tests.office import PARIS, action, eml_text, kinds, sent_on_local


async def test_escalation_to_the_quality_service_ten_days_before_the_final_deadline(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    state = await office.advance(handle, 52)
    [escalation] = [e for e in state.events if e.type == "escalated"]
    assert local_date(escalation.at, PARIS) == state.plan.final_due - timedelta(days=10)
    assert state.escalation_level == 2
    assert "mediation_rights" not in kinds(state)


async def test_mediation_rights_letter_when_two_months_pass_without_answer(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    state = await office.advance(handle, 63)
    letters = kinds(state)
    assert letters[0] == "acknowledgement" and letters[-1] == "mediation_rights"
    assert set(letters[1:-1]) == {"information"}  # one before each announced date passed
    assert max(sent_on_local(state, "information")) < state.plan.final_due
    [sent] = sent_on_local(state, "mediation_rights")
    assert sent == state.plan.final_due + timedelta(days=1)
    assert state.status == "overdue"
    assert state.overdue and state.escalation_level == 3
    letter = eml_text(office.outbox("email/**/mediation_rights-1.eml")[0])
    assert "La Médiation de l'Assurance" in letter and "mediation-assurance.org" in letter


async def test_work_goes_on_after_the_deadline_until_the_answer(office):
    handle = await office.start()
    await office.advance(handle, 70)
    state = await office.act(
        handle, action("answer", decision="partly_upheld", reasons="Geste commercial de 50 €.")
    )
    state = await office.settled(handle)
    assert state.status == "answered"
    assert state.overdue  # stays on the register as answered late
    assert kinds(state)[-1] == "answer"


async def test_final_deadline_counts_from_an_earlier_first_written_complaint(office):
    first_written = await office.today() - timedelta(days=40)
    handle = await office.start(first_written_on=str(first_written))
    state = await office.state(handle)
    assert state.plan.final_due == add_months(first_written, 2)
    assert state.plan.sent_on == first_written + timedelta(days=40)
    state = await office.advance(handle, 24)
    assert sent_on_local(state, "mediation_rights") == [state.plan.final_due + timedelta(days=1)]


async def test_a_contest_after_a_timely_answer_brings_no_mediation_letter(office):
    # rule 9: only when no answer went out within the two months.
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    await office.advance(handle, 58)  # the contest window runs 60 days: contested in time
    await office.act(handle, action("contest", note="Contestation reçue."))
    state = await office.advance(handle, 10)  # past the 2 months from the first complaint
    assert state.status == "contested" and not state.overdue
    assert "mediation_rights" not in kinds(state)
    assert any(e.type == "deadline_reached" and "partie à temps" in e.summary for e in state.events)


async def test_an_answer_on_the_final_day_contested_the_same_day_is_not_late(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    final_due = (await office.state(handle)).plan.final_due
    await office.advance(handle, (final_due - await office.today()).days)
    assert await office.today() == final_due
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    await office.act(handle, action("contest", note="Contestée le jour même."))
    state = await office.advance(handle, 3)
    assert state.status == "contested" and not state.overdue
    assert "mediation_rights" not in kinds(state)
    [line] = await register_lines(office.sessions)
    assert line.first_answered_on == final_due
    assert line.kept(line.final_due, await office.today()) is True
