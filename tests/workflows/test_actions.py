"""Agent actions: requalification, contest, withdrawal, refusals, signals, duplicate intake."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from reclamations.db.models import ComplaintRow
from reclamations.domain.errors import Refused
from reclamations.domain.letters import COMPLAINT_LETTERS
from reclamations.domain.policy import Policy
from tests.office import MAIL_ROOM, action, eml_text, intake_data, kinds


async def test_requalification_ends_the_process_with_no_complaint_letter(office):
    handle = await office.start()
    await office.act(handle, action("requalify_as_request", note="Simple demande de devis."))
    outcome = await handle.result()
    assert outcome.status == "requalified"
    state = await office.state(handle)
    assert kinds(state) == ["requalification"]
    assert not COMPLAINT_LETTERS & {letter.kind for letter in state.letters}
    async with office.sessions() as session:
        row = await session.get(ComplaintRow, state.reference)
    assert row.status == "requalified"  # kept in the register as "not a complaint"


async def test_contest_reopens_the_complaint_for_a_second_answer(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    await office.advance(handle, 5)
    before = await office.state(handle)
    state = await office.act(handle, action("contest", note="Le réclamant conteste par écrit."))
    assert state.status == "contested"
    assert state.escalation_level == 2
    # rule 10: the 2-month deadline still counts from the first written complaint.
    assert state.plan.final_due == before.plan.final_due
    assert state.next_alarm().kind in ("final_escalation", "final_deadline")
    assert state.next_deadline() == ("final", before.plan.final_due)
    await office.act(
        handle, action("answer", decision="upheld", reasons="Après révision : pris en charge.")
    )
    state = await office.settled(handle)
    assert kinds(state) == ["acknowledgement", "answer", "answer"]
    assert [a.review for a in state.answers] == [False, True]
    second = eml_text(office.outbox("email/**/answer-2.eml")[0])
    assert "réexaminé par le Service Qualité" in second
    assert "La Médiation de l'Assurance" in second


async def test_answer_letter_names_the_mediator_and_lists_the_documents(office):
    handle = await office.start(
        documents=[{"name": "Facture du 3 octobre", "kind": "supporting_document"}]
    )
    await office.act(handle, action("add_document", document={"name": "Relevé de compte"}))
    await office.act(
        handle,
        action(
            "answer",
            decision="upheld",
            reasons="Facture reçue, remboursement de 185,00 € effectué.",
            documents_considered=["Conditions générales, article 12"],
        ),
    )
    letter = eml_text(office.outbox("email/**/answer-1.eml")[0])
    for expected in (
        "La Médiation de l'Assurance",
        "TSA 50110",
        "75441 Paris Cedex 09",
        "www.mediation-assurance.org",
        "gratuitement",
        "un an",
        "- Facture du 3 octobre",
        "- Relevé de compte",
        "- Conditions générales, article 12",
        "185,00 €",
        "nous faisons droit à votre demande",
    ):
        assert expected in letter


async def test_answered_complaint_closes_when_nobody_contests_it_nor_refers(office):
    handle = await office.start()
    await office.act(handle, action("answer", decision="upheld", reasons="Remboursé."))
    # The contest window, then the year to refer to the mediator and its grace period.
    await office.advance(handle, 61 + 366 + Policy().mediation_referral_grace_days)
    assert (await handle.result()).status == "closed"


async def test_withdrawal_closes_the_complaint(office):
    handle = await office.start()
    await office.act(handle, action("withdraw", note="Le réclamant a obtenu satisfaction."))
    assert (await handle.result()).status == "withdrawn"


@pytest.mark.parametrize(
    ("name", "fields", "why"),
    [
        ("resume", {}, "n'est pas suspendue"),
        ("contest", {}, "Seule une réclamation répondue"),
        ("suspend", {"reason": "medical_expertise", "on": "2099-01-01"}, "futur"),
        ("assign", {"assignee": "agent.dupont"}, "déjà attribuée"),
    ],
)
async def test_invalid_updates_are_refused_with_a_reason_and_change_nothing(
    office, name, fields, why
):
    handle = await office.start()
    await office.act(handle, action("assign", assignee="agent.dupont"))
    before = await office.state(handle)
    with pytest.raises(Refused) as refused:
        await office.act(handle, action(name, **fields))
    assert why in str(refused.value)
    after = await office.state(handle)
    assert after.version == before.version
    assert after.events == before.events


async def test_updates_are_refused_once_the_complaint_is_closed(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.act(handle, action("answer", decision="upheld", reasons="Fait."))
    with pytest.raises(Refused) as refused:
        await office.act(handle, action("qualify"))
    assert "déjà qualifiée" in str(refused.value)


async def test_back_office_signals_act_and_a_refused_signal_stays_on_the_record(office):
    handle = await office.start()
    await office.signal(handle, action("assign", assignee="equipe.prestations", actor="gestion"))
    await office.signal(handle, action("resume", actor="gestion"))
    await office.signal(handle, action("qualify", actor="gestion"))
    state = await office.settled(handle)
    assert state.assignee == "equipe.prestations"
    assert kinds(state) == ["acknowledgement"]
    [refused] = [e for e in state.events if e.type == "action_refused"]
    assert refused.actor == "gestion" and "resume" in refused.summary


async def test_every_action_records_who_did_it(office):
    handle = await office.start()
    await office.act(handle, action("qualify", actor="agent.martin"))
    await office.act(
        handle, action("escalate", level=2, note="Client très mécontent", actor="sup.leroy")
    )
    events = await office.events((await office.state(handle)).reference)
    actors = {e.type: e.actor for e in events}
    assert actors["qualified"] == "agent.martin"
    assert actors["escalated"] == "sup.leroy"
    assert actors["registered"] == "courrier"  # the principal who registered it


async def test_duplicate_intake_of_the_same_reference_starts_nothing_new(office):
    handle = await office.start(reference="REC-2026-900001")
    state = await office.state(handle)
    # The same reference again, with another body: the running complaint's frozen deadlines
    # come back, never ones computed from the new body.
    earlier = str(await office.today() - timedelta(days=20))
    data = intake_data(earlier, reference="REC-2026-900001", first_written_on=earlier)
    again = await office.service.register(MAIL_ROOM, data, now=await office.env.get_current_time())
    assert not again.created
    assert (again.acknowledgement_due, again.final_due) == (
        state.plan.acknowledgement_due,
        state.plan.final_due,
    )
    assert again.quality_target_due == state.quality_target_due
    # The first complaint is the only one, unchanged.
    assert (await office.state(handle)).registered_at == state.registered_at
    async with office.sessions() as session:
        rows = (await session.scalars(select(ComplaintRow))).all()
    assert len(rows) == 1
