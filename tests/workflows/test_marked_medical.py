"""rule 11 has no end (issue 27): a complaint found medical once closed, its workflow ended,
is marked medical all the same, on its record, and sealed there; medical already, it is not
marked twice."""

import pytest
from temporalio.api.enums.v1 import EventType

from reclamations.db.models import ComplaintRow
from reclamations.domain.access import Principal, Role
from reclamations.domain.content import content_paths, is_sealed
from reclamations.domain.errors import Forbidden
from tests.erasure import database_contents, found
from tests.office import action, at_rest, until
from tests.workflows.test_lean_runs import replays, runs

AGENT = Principal("camille", Role.agent)
DOCTOR = Principal("dr.lemoine", Role.medical_advisor)
MARKERS = ["MarqueurClos6620", "MarqueurNoteClose4471"]


async def test_a_closed_complaint_whose_process_ended_is_marked_on_its_record(office):
    handle = await office.start(description=f"Mon arrêt de travail {MARKERS[0]}")
    reference = handle.id.removeprefix("complaint-")
    await office.act(handle, action("withdraw", note=f"Elle parle de {MARKERS[1]}"))
    await handle.result()
    office.started_ids.discard(handle.id)  # ended here: nothing for the teardown to end
    assert set(found(MARKERS, database_contents(office))) == set(MARKERS)

    marked = await office.service.act(AGENT, reference, "mark_medical", {})

    assert marked.complaint.medical and not marked.readable
    async with office.sessions() as session:
        row = await session.get(ComplaintRow, reference)
    assert row is not None and row.medical and row.status == "withdrawn"
    assert found(MARKERS, database_contents(office)) == []
    events = await office.events(reference)
    assert (events[-1].type, events[-1].actor) == ("declared_medical", "camille")
    # Closed: no notice goes, nothing is posted any more.
    assert marked.complaint.pending_letters == [] and not marked.complaint.open_incidents
    reading = await office.service.read(DOCTOR, reference)
    assert MARKERS[0] in reading.complaint.intake.description
    assert not (await office.service.read(AGENT, reference)).readable
    # The Médecin Conseil's alone from now on; marked again, it says so.
    with pytest.raises(Forbidden):
        await office.service.act(AGENT, reference, "mark_medical", {})


async def test_marked_medical_its_workflow_goes_on_in_a_run_that_holds_it_sealed(office):
    """The run that took the marking holds the content from before, unsealed (encrypted for
    the complaint): once its letters are gone, the complaint continues as new from its sealed
    state, and every run replays."""
    handle = await office.start(description=f"Mon arrêt de travail {MARKERS[0]}")
    reference = handle.id.removeprefix("complaint-")
    await office.act(handle, action("qualify", note=f"Elle parle de {MARKERS[1]}"))
    first = (await handle.describe()).run_id
    await office.service.act(AGENT, reference, "mark_medical", {})
    await until(handle.describe, lambda described: described.run_id != first)
    await at_rest(handle)
    state = await office.settled(handle)
    assert state.medical and all(is_sealed(text) for text in content_paths(state).values())
    before, _after = await runs(office, handle)
    ended = before.events[-1].event_type
    assert ended == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert [(letter.kind.value, letter.delivery.value) for letter in state.letters][-1] == (
        "medical_postal_notice",
        "post",
    )
    await replays(office, handle)
