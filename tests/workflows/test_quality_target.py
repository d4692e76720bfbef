"""rules 5 and 6: the 15-day quality target, its suspensions, and the information letter."""

from datetime import timedelta

import pytest

from reclamations.domain.clock import local_date
from reclamations.domain.errors import Refused
from reclamations.domain.french import long_date
from tests.office import PARIS, action, eml_text, kinds, sent_on_local


async def test_agents_are_warned_three_days_before_the_quality_target(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    state = await office.advance(handle, 12.5)
    [warning] = [e for e in state.events if e.type == "warning"]
    assert local_date(warning.at, PARIS) == state.quality_target_due - timedelta(days=3)
    assert kinds(state) == ["acknowledgement"]


async def test_information_letter_when_the_target_passes_without_answer(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    state = await office.advance(handle, 16)
    assert kinds(state) == ["acknowledgement", "information"]
    assert sent_on_local(state, "information") == [state.quality_target_due]
    # rule 6: the acknowledgement's words and the information letter's day agree.
    acknowledgement = eml_text(office.outbox("email/**/acknowledgement-1.eml")[0])
    assert f"au plus tard le {long_date(state.promises[0])}" in acknowledgement
    assert "nous vous écrirons au plus tard à cette date" in acknowledgement
    info = next(x for x in state.letters if x.kind == "information")
    letter = eml_text(office.outbox(f"email/**/information-{info.sequence}.eml")[0])
    assert "examen approfondi" in letter
    rows = {row.kind: row for row in await office.letters(state.reference)}
    body = rows["information"].body
    assert f"annoncé notre réponse pour le {long_date(state.promises[0])}" in body
    assert f"réponse au plus tard le {long_date(state.promise)}" in body


async def test_no_information_letter_when_answered_in_time(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.advance(handle, 10)
    await office.act(handle, action("answer", decision="rejected", reasons="Contrat résilié."))
    state = await office.advance(handle, 30)
    assert kinds(state) == ["acknowledgement", "answer"]


async def test_suspension_stops_the_target_but_the_complainant_hears_on_the_announced_day(office):
    handle = await office.start()
    before = await office.act(handle, action("qualify"))
    await office.advance(handle, 2)
    await office.act(handle, action("suspend", reason="medical_expertise"))
    suspended = await office.advance(handle, 20)
    assert suspended.status == "suspended"
    # rule 6: the date announced in the acknowledgement came during the expertise.
    assert sent_on_local(suspended, "information") == [before.promise]
    letter = eml_text(office.outbox("email/**/information-1.eml")[0])
    assert "expertise médicale" in letter
    state = await office.act(handle, action("resume"))
    assert state.suspensions[0].period.days == 20
    assert state.quality_target_due == before.quality_target_due + timedelta(days=20)
    assert state.plan.final_due == before.plan.final_due


async def test_a_second_suspension_cannot_start_before_the_first_ended(office):
    handle = await office.start()
    await office.advance(handle, 3)
    today = await office.today()
    await office.act(
        handle, action("suspend", reason="it_maintenance", on=str(today - timedelta(days=2)))
    )
    state = await office.act(handle, action("resume"))
    assert state.suspensions[0].period.days == 2
    with pytest.raises(Refused) as refused:
        await office.act(
            handle, action("suspend", reason="legal_expertise", on=str(today - timedelta(days=1)))
        )
    assert "précédente" in str(refused.value)


async def test_an_information_letter_names_both_expertises_that_moved_the_date(office):
    handle = await office.start()
    before = await office.act(handle, action("qualify"))
    await office.advance(handle, 2)
    await office.act(handle, action("suspend", reason="medical_expertise"))
    await office.advance(handle, 4)
    await office.act(handle, action("resume"))
    await office.act(handle, action("suspend", reason="legal_expertise"))
    state = await office.advance(handle, 12)
    assert sent_on_local(state, "information") == [before.promise]
    letter = eml_text(office.outbox("email/**/information-1.eml")[0])
    assert "expertise médicale" in letter and "expertise juridique" in letter
