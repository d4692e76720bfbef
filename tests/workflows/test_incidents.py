"""DESIGN rule 14: a side effect that fails for good never stops a complaint's clock. It becomes
an incident, visible on the record, in the read model and to operators, until it is mended;
then the letter goes and the incident closes."""

import shutil

import pytest

from activities.letters.rendering import TEMPLATES
from db.models import ComplaintRow
from tests.conftest import make_settings, open_office
from tests.office import action, kinds
from workflows import search


@pytest.fixture
async def broken(temporal_env, sqlite_sessions, keyring, tmp_path):
    """An office whose acknowledgement template is broken (a bad release of the insurer's
    letters): the letter cannot be written however often it is tried."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "acknowledgement.txt.j2").write_text("{{ a_field_that_does_not_exist }}")
    settings = make_settings(tmp_path / "office", letter_templates=templates)
    async with open_office(temporal_env, settings, sqlite_sessions, keyring) as office:
        office.templates = templates  # type: ignore[attr-defined]
        yield office
        # Mended before the office closes, so that every complaint can end.
        shutil.copy(TEMPLATES / "acknowledgement.txt.j2", templates)


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
    assert [e.type for e in state.events][-3:] == ["retried", "letter_sent", "incident_closed"]
    assert not await incident_on_record(office, state.reference)


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
    assert state.allowed_actions() == ["retry"]
    shutil.copy(TEMPLATES / "acknowledgement.txt.j2", office.templates)
    await office.act(handle, action("retry", actor="exploitation"))
    outcome = await handle.result()
    assert outcome.status == "withdrawn"
    assert not (await office.state(handle)).open_incidents
