"""rule 18 on the time-skipping server: after any answer, the complaint waits a year for
the mediator (and a grace period for a referral made within it); a referral is followed through
its 90 days (and any extension), a settlement, the parties' decision and the remedy."""

from datetime import timedelta

import pytest

from reclamations.db.register import register_lines
from reclamations.domain.errors import Refused
from tests.office import action, eml_text, kinds


async def rejected(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    return handle


def said(state) -> str:
    return "\n".join(event.summary for event in state.events)


async def test_without_a_referral_the_window_closes_a_year_after_the_complaint(office):
    handle = await rejected(office)
    await office.advance(handle, 61)  # past the contest window: the mediator remains
    state = await office.state(handle)
    assert state.stage == "mediation_window" and state.status == "answered"
    assert "peut saisir le Médiateur jusqu'au" in said(state)
    assert state.next_alarm().kind == "mediation_window_end"
    # A referral made within the year may reach us weeks after it (rule 18).
    await office.advance(handle, 310 + state.plan.policy.mediation_referral_grace_days)
    assert (await handle.result()).status == "closed"


async def test_an_upheld_answer_opens_the_mediation_too(office):
    # rule 18: the law sets no condition on the answer, as the letter says.
    handle = await office.start()
    await office.act(handle, action("answer", decision="upheld", reasons="Remboursé."))
    letter = eml_text(office.outbox("email/**/answer-1.eml")[0])
    assert "Si cette réponse ne vous satisfait pas, vous pouvez saisir" in letter
    state = await office.advance(handle, 61)
    assert state.stage == "mediation_window"
    state = await office.act(handle, action("mediate", step="referral", mediator="LMA"))
    assert state.status == "mediation"


async def test_a_referral_made_within_the_year_is_recorded_after_it(office):
    """L612-2: the year is judged on the day the referral was made, which the insurer learns
    weeks later, from the mediator."""
    handle = await rejected(office)
    state = await office.state(handle)
    anniversary = state.mediation_window_ends
    await office.advance(handle, (anniversary - await office.today()).days + 20)
    late = (anniversary + timedelta(days=1)).isoformat()
    with pytest.raises(Refused, match="délai d'un an pour saisir le Médiateur était passé"):
        await office.act(handle, action("mediate", step="referral", mediator="LMA", on=late))
    state = await office.act(
        handle,
        action("mediate", step="referral", mediator="LMA", on=anniversary.isoformat()),
    )
    assert state.status == "mediation" and state.mediation.referred_on == anniversary


async def test_after_a_referral_the_insurer_still_sends_its_answer(office):
    """The two-months letter says "nous vous répondrons dans les meilleurs délais"."""
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.advance(handle, 63)  # the 2 months passed: the mediation-rights letter
    await office.act(handle, action("mediate", step="referral", mediator="LMA"))
    await office.act(handle, action("answer", decision="rejected", reasons="Non."))
    state = await office.settled(handle)
    assert state.status == "mediation" and "answer" in kinds(state)
    letter = eml_text(office.outbox("email/**/answer-1.eml")[0])
    assert "Vous avez saisi le médiateur" in letter


async def test_a_referral_is_followed_through_its_90_days_to_the_remedy(office):
    handle = await rejected(office)
    await office.advance(handle, 10)  # the complainant goes to the mediator at once
    mediator = "La Médiation de l'Assurance"
    state = await office.act(
        handle, action("mediate", step="referral", mediator=mediator, file_number="LMA-2026-481")
    )
    assert state.status == "mediation" and state.mediation.file_number == "LMA-2026-481"
    await office.act(handle, action("mediate", step="admissibility", admissible=True))
    state = await office.act(handle, action("mediate", step="notification"))
    due = state.mediation.mediator_due
    assert (due - state.mediation.notified_on).days == 90
    await office.advance(handle, 88)  # the team is warned before the 90 days end
    assert "Avis du Médiateur attendu le" in said(await office.state(handle))
    state = await office.act(handle, action("mediate", step="extension", extension_days=30))
    assert (state.mediation.mediator_due - due).days == 30
    await office.advance(handle, 30)  # warned again, for the new date
    assert said(await office.state(handle)).count("Avis du Médiateur attendu le") == 2
    await office.act(handle, action("mediate", step="settlement", amount="150.00"))
    await office.act(handle, action("mediate", step="proposal"))
    await office.act(
        handle, action("mediate", step="decision", complainant_accepts=True, insurer_accepts=True)
    )
    state = await office.act(handle, action("mediate", step="remedy"))
    assert state.status == "closed"
    assert state.mediation.settlement_amount == 150 and state.mediation.remedy_on
    assert (await handle.result()).status == "closed"
    # The register carries the referral and how it ended.
    [line] = await register_lines(office.sessions)
    assert (line.mediator, line.mediation_outcome) == (mediator, "accord exécuté")


async def test_the_mediators_90_days_ending_without_an_opinion_escalates(office):
    handle = await rejected(office)
    await office.act(handle, action("mediate", step="referral", mediator="LMA"))
    await office.act(handle, action("mediate", step="notification"))
    await office.advance(handle, 91)
    state = await office.state(handle)
    assert "Délai de 90 jours du Médiateur échu" in said(state)
    assert state.escalation_level >= 2


async def test_the_steps_come_in_their_order(office):
    handle = await rejected(office)
    await office.act(handle, action("mediate", step="referral", mediator="LMA"))
    with pytest.raises(Refused, match="après un accord"):
        await office.act(handle, action("mediate", step="remedy"))
    with pytest.raises(Refused, match="sur la proposition du Médiateur"):
        await office.act(
            handle,
            action("mediate", step="decision", complainant_accepts=True, insurer_accepts=True),
        )
    await office.act(handle, action("mediate", step="notification"))
    with pytest.raises(Refused, match="déjà enregistrée"):
        await office.act(handle, action("mediate", step="notification"))
    state = await office.act(handle, action("mediate", step="proposal"))
    assert state.next_alarm() is None or state.next_alarm().kind not in (
        "mediation_warning",
        "mediation_due",
    )  # the mediator has given their proposal: no more reminders of their 90 days


async def test_mediation_is_refused_before_an_answer_that_opens_it(office):
    handle = await office.start()
    with pytest.raises(Refused, match="La médiation s'ouvre après une réponse, ou une fois"):
        await office.act(handle, action("mediate", step="referral", mediator="LMA"))
