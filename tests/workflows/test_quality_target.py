"""DESIGN rules 5 and 6: the 15-day quality target, its suspensions, and the information letter."""

from datetime import timedelta

import pytest

from domain.clock import local_date
from domain.errors import Refused
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
    info = next(x for x in state.letters if x.kind == "information")
    letter = eml_text(office.outbox(f"email/**/information-{info.sequence}.eml")[0])
    assert "vérifications complémentaires" in letter
    rows = {row.kind: row for row in await office.letters(state.reference)}
    assert "Nous vous adresserons notre réponse au plus tard le" in rows["information"].body


async def test_no_information_letter_when_answered_in_time(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.advance(handle, 10)
    await office.act(handle, action("answer", decision="rejected", reasons="Contrat résilié."))
    state = await office.advance(handle, 30)
    assert kinds(state) == ["acknowledgement", "answer"]


async def test_suspension_pushes_the_target_back_but_not_the_final_deadline(office):
    handle = await office.start()
    before = await office.act(handle, action("qualify"))
    await office.advance(handle, 2)
    await office.act(handle, action("suspend", reason="medical_expertise"))
    suspended = await office.advance(handle, 20)
    assert suspended.status == "suspended"
    assert "information" not in kinds(suspended)  # the target is paused
    state = await office.act(handle, action("resume"))
    assert state.suspensions[0].period.days == 20
    assert state.quality_target_due == before.quality_target_due + timedelta(days=20)
    assert state.plan.final_due == before.plan.final_due
    state = await office.advance(handle, 14)
    assert "information" in kinds(state)
    assert sent_on_local(state, "information") == [state.quality_target_due]
    letter = eml_text(office.outbox("email/**/information-1.eml")[0])
    assert "expertise médicale" in letter


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
