"""rule 4: a written acknowledgement within 10 jours ouvrables, unless answered first."""

from tests.office import action, kinds, sent_on_local


async def test_qualifying_sends_the_acknowledgement_at_once(office):
    handle = await office.start()
    state = await office.act(handle, action("qualify", category="benefits"))
    state = await office.settled(handle)
    assert kinds(state) == ["acknowledgement"]
    assert sent_on_local(state, "acknowledgement") == [await office.today()]
    assert state.status == "in_progress"
    assert len(office.outbox("email/**/acknowledgement-1.eml")) == 1


async def test_unqualified_complaint_is_acknowledged_automatically_by_its_due_date(office):
    handle = await office.start()
    due = (await office.state(handle)).plan.acknowledgement_due
    state = await office.advance(handle, 14)
    assert kinds(state) == ["acknowledgement"]
    [sent] = sent_on_local(state, "acknowledgement")
    assert sent <= due
    assert sent == (await office.state(handle)).plan.auto_acknowledge_on
    warnings = [e for e in state.events if e.type == "warning" and "automatiquement" in e.summary]
    assert len(warnings) == 1
    assert state.status == "received"  # still waiting for an agent to qualify it


async def test_no_acknowledgement_when_the_answer_goes_out_first(office):
    handle = await office.start()
    await office.act(
        handle, action("answer", decision="upheld", reasons="Remboursement effectué ce jour.")
    )
    state = await office.advance(handle, 20)
    assert kinds(state) == ["answer"]
    assert state.status == "answered"


async def test_qualifying_after_the_automatic_acknowledgement_sends_no_second_one(office):
    handle = await office.start()
    await office.advance(handle, 14)
    state = await office.act(handle, action("qualify"))
    state = await office.settled(handle)
    assert kinds(state) == ["acknowledgement"]


async def test_the_answer_going_first_prevents_the_acknowledgement_even_once_contested(office):
    # Contested, the complaint awaits an answer again: the automatic acknowledgement's day
    # passes all the same without one.
    handle = await office.start()
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    await office.act(handle, action("contest", note="Contestation reçue."))
    auto = (await office.state(handle)).plan.auto_acknowledge_on
    state = await office.advance(handle, (auto - await office.today()).days + 3)
    assert kinds(state) == ["answer"]
    assert office.outbox("email/**/acknowledgement-*.eml") == []
