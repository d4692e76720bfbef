"""rule 14: a side effect that fails for good never stops a complaint's clock. It becomes
an incident, visible on the record, in the read model and to operators, until it is mended;
then the letter goes and the incident closes."""

import contextlib
import shutil

import pytest

from reclamations.activities.letters.rendering import TEMPLATES
from reclamations.db.models import ComplaintRow
from reclamations.db.register import register_lines
from reclamations.domain.french import long_date
from reclamations.workflows import search
from tests.conftest import make_settings, open_office
from tests.office import action, eml_text, kinds


@contextlib.asynccontextmanager
async def office_breaking(letter, temporal_env, sqlite_sessions, keyring, tmp_path):
    """An office whose template of `letter` is broken (a bad release of the insurer's
    letters): the letter cannot be written however often it is tried."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / f"{letter}.txt.j2").write_text("{{ a_field_that_does_not_exist }}")
    settings = make_settings(tmp_path / "office", letter_templates=templates)
    async with open_office(temporal_env, settings, sqlite_sessions, keyring) as office:
        office.templates = templates  # type: ignore[attr-defined]
        yield office
        # Mended before the office closes, so that every complaint can end.
        shutil.copy(TEMPLATES / f"{letter}.txt.j2", templates)


@pytest.fixture
async def broken(temporal_env, sqlite_sessions, keyring, tmp_path):
    async with office_breaking(
        "acknowledgement", temporal_env, sqlite_sessions, keyring, tmp_path
    ) as office:
        yield office


@pytest.fixture
async def broken_answer(temporal_env, sqlite_sessions, keyring, tmp_path):
    async with office_breaking(
        "answer", temporal_env, sqlite_sessions, keyring, tmp_path
    ) as office:
        yield office


async def incident_on_record(office, reference):
    async with office.sessions() as session:
        return (await session.get(ComplaintRow, reference)).incident


async def test_a_letter_that_cannot_be_written_holds_nothing_else(broken):
    office = broken
    handle = await office.start()
    state = await office.act(handle, action("qualify"))
    state = await office.settled(handle)
    [incident] = state.open_incidents
    assert (incident.letter, incident.sequence) == ("acknowledgement", 1)
    assert "Courrier impossible à rédiger" in incident.reason
    assert "Hélène" not in incident.reason
    assert await incident_on_record(office, state.reference)
    assert search.values_of(state)[search.INCIDENT.name] is True
    assert "retry" in state.allowed_actions()

    # Another complaint's letters go, on the same worker.
    oral = await office.start(channel="phone")
    assert kinds(await office.settled(oral)) == ["written_confirmation_invitation"]

    # The first complaint's clock goes on: the warning, then the 15-day information letter.
    state = await office.advance(handle, 16)
    assert "information" in kinds(state)
    assert {e.type for e in state.events} >= {"warning", "deadline_reached", "incident_opened"}
    assert state.open_incidents  # still waiting to be mended

    # Mended: the template is fixed and someone asks for a new try.
    shutil.copy(TEMPLATES / "acknowledgement.txt.j2", office.templates)
    await office.act(handle, action("retry", actor="exploitation"))
    state = await office.settled(handle)
    assert not state.open_incidents and "acknowledgement" in kinds(state)
    assert [e.type for e in state.events][-4:] == [
        "retried",
        "warning",  # the date it announced has passed: it announces the one told since
        "letter_sent",
        "incident_closed",
    ]
    assert not await incident_on_record(office, state.reference)
    # rules 6 and 14: true the day it leaves, dated that day, no date already past.
    today = await office.today()
    letter = eml_text(office.outbox("email/**/acknowledgement-1.eml")[0])
    assert f"le {long_date(today)}" in letter
    assert state.promise > today
    assert f"vous répondre au plus tard le {long_date(state.promise)}" in letter


async def test_a_new_try_that_fails_again_keeps_the_incident_open(broken):
    office = broken
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.act(handle, action("retry", actor="exploitation"))
    state = await office.settled(handle)
    assert len(state.open_incidents) == 1 and not state.open_incidents[0].retrying
    assert [e.type for e in state.events].count("incident_opened") == 2  # opened, failed again


async def test_a_closed_complaint_stays_open_until_its_incident_is_mended(broken):
    office = broken
    handle = await office.start()
    await office.act(handle, action("qualify"))
    state = await office.act(handle, action("withdraw"))
    state = await office.settled(handle)
    assert state.status == "withdrawn" and state.open_incidents
    # Mending it, or sealing it if it turns out medical (rule 11 has no end): nothing else.
    assert state.allowed_actions() == ["retry", "mark_medical"]
    shutil.copy(TEMPLATES / "acknowledgement.txt.j2", office.templates)
    await office.act(handle, action("retry", actor="exploitation"))
    outcome = await handle.result()
    assert outcome.status == "withdrawn"
    assert not (await office.state(handle)).open_incidents


async def test_an_acknowledgement_held_when_the_answer_goes_never_goes(broken):
    """rule 4: no acknowledgement once the answer went out, even one an incident held
    and someone mends after."""
    office = broken
    handle = await office.start()
    await office.act(handle, action("qualify"))
    assert (await office.settled(handle)).open_incidents
    await office.act(handle, action("answer", decision="upheld", reasons="Remboursé."))
    state = await office.settled(handle)
    assert kinds(state) == ["answer"] and not state.pending_letters
    assert not state.open_incidents  # closed with the letter it was about
    assert "retry" not in state.allowed_actions()
    shutil.copy(TEMPLATES / "acknowledgement.txt.j2", office.templates)
    state = await office.advance(handle, 20)
    assert kinds(state) == ["answer"]
    assert office.outbox("email/**/acknowledgement-*.eml") == []


async def test_an_answer_held_past_the_final_deadline_leaves_with_the_two_months_letter(
    broken_answer,
):
    """rules 9, 13 and 14: the answer leaves dated the day it leaves, the two-months
    letter with it, and the register counts the day it left."""
    office = broken_answer
    handle = await office.start()
    await office.act(handle, action("qualify"))
    final_due = (await office.state(handle)).plan.final_due
    await office.advance(handle, (final_due - await office.today()).days - 1)
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    state = await office.advance(handle, 4)  # the final deadline passes while it is held
    assert [i.letter for i in state.open_incidents] == ["answer"]
    shutil.copy(TEMPLATES / "answer.txt.j2", office.templates)
    await office.act(handle, action("retry", actor="exploitation"))
    state = await office.settled(handle)
    today = await office.today()
    assert today > final_due and state.overdue
    assert kinds(state)[-2:] in (
        ["answer", "mediation_rights"],
        ["mediation_rights", "answer"],
    )
    answer = eml_text(office.outbox("email/**/answer-1.eml")[0])
    rights = eml_text(office.outbox("email/**/mediation_rights-1.eml")[0])
    assert f"le {long_date(today)}" in answer and f"le {long_date(today)}" in rights
    assert "vous la recevez en même temps que ce courrier" in rights
    [line] = await register_lines(office.sessions)
    assert line.first_answered_on == today
    assert line.kept(line.final_due, today) is False
